// Lets the teacher place the 5:7 frame on the chosen photo before uploading; the server crops to it.
// Without this script the server centre-crops, so the page works without JavaScript too.
(function () {
  "use strict";
  var form = document.getElementById("photo-form");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var area = document.getElementById("crop-area");
  var img = document.getElementById("crop-image");
  var frame = document.getElementById("crop-frame");
  var hint = document.getElementById("crop-hint");
  var fields = ["x", "y", "w", "h"].map(function (k) { return form.querySelector("[name=crop_" + k + "]"); });
  var box = { x: 0, y: 0, w: 0, h: 0 }; // in displayed pixels

  function write() {
    var W = img.clientWidth, H = img.clientHeight;
    if (!W || !H) return;
    var values = [box.x / W, box.y / H, box.w / W, box.h / H];
    fields.forEach(function (f, i) { f.value = Math.max(0, Math.min(1, values[i])).toFixed(4); });
    frame.style.left = box.x + "px"; frame.style.top = box.y + "px";
    frame.style.width = box.w + "px"; frame.style.height = box.h + "px";
  }

  function reset() {
    var W = img.clientWidth, H = img.clientHeight;
    var h = Math.min(H, W * 7 / 5), w = h * 5 / 7;
    box = { x: (W - w) / 2, y: (H - h) / 2, w: w, h: h };
    write();
  }

  input.addEventListener("change", function () {
    if (!input.files || !input.files[0] || !/^image\/(jpeg|png)$/.test(input.files[0].type)) {
      area.hidden = true; hint.hidden = true; fields.forEach(function (f) { f.value = ""; });
      return;
    }
    img.onload = function () { area.hidden = false; hint.hidden = false; reset(); };
    img.src = URL.createObjectURL(input.files[0]);
  });

  var start = null;
  frame.addEventListener("pointerdown", function (e) {
    start = { px: e.clientX, py: e.clientY, x: box.x, y: box.y };
    frame.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  frame.addEventListener("pointermove", function (e) {
    if (!start) return;
    box.x = Math.max(0, Math.min(img.clientWidth - box.w, start.x + e.clientX - start.px));
    box.y = Math.max(0, Math.min(img.clientHeight - box.h, start.y + e.clientY - start.py));
    write();
  });
  frame.addEventListener("pointerup", function () { start = null; });
  area.addEventListener("wheel", function (e) {
    // Zoom the frame with the wheel (or a trackpad pinch), keeping 5:7 and its centre.
    e.preventDefault();
    var cx = box.x + box.w / 2, cy = box.y + box.h / 2;
    var h = Math.max(40, Math.min(img.clientHeight, img.clientWidth * 7 / 5, box.h * (e.deltaY > 0 ? 1.05 : 0.95)));
    box.h = h; box.w = h * 5 / 7;
    box.x = Math.max(0, Math.min(img.clientWidth - box.w, cx - box.w / 2));
    box.y = Math.max(0, Math.min(img.clientHeight - box.h, cy - box.h / 2));
    write();
  }, { passive: false });
})();
