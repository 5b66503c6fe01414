"""Draw the photo examples of the help pages (static/help/photo-*.png): one good photo and the usual mistakes.

A drawn figure, not a real person's face: 295×413 like the photo the system keeps (tqr.documents.photos),
drawn at twice the size and scaled down for smooth edges. Run it again after changing the drawing:

    python scripts/help_photos.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent.parent / "static" / "help"
W, H = 295, 413
S = 2  # supersampling

SKIN = (236, 196, 164)
HAIR = (45, 35, 30)
SHIRT = (38, 58, 108)
COLLAR = (250, 250, 250)
WHITE = (255, 255, 255)


def figure(background=WHITE, scale: float = 1.0, dy: float = 0.0, tilt: float = 0.0) -> Image.Image:
    """A head-and-shoulders portrait; `scale` < 1 moves the person away, `dy` shifts them (fractions of H),
    `tilt` turns the head (degrees, counter-clockwise) about the neck."""
    im = Image.new("RGB", (W * S, H * S), background)
    d = ImageDraw.Draw(im)
    cx = W * S / 2
    cy = H * S * (0.40 + dy)  # centre of the face

    def sc(v: float) -> float:
        return v * S * scale

    # shoulders and shirt, down to the bottom edge
    d.ellipse((cx - sc(150), cy + sc(95), cx + sc(150), cy + sc(330)), fill=SHIRT)
    d.rectangle((cx - sc(150), cy + sc(212), cx + sc(150), H * S), fill=SHIRT)
    d.polygon([(cx - sc(30), cy + sc(95)), (cx + sc(30), cy + sc(95)), (cx, cy + sc(150))], fill=COLLAR)
    # the head on its own layer, so that it can be turned
    head = Image.new("RGBA", im.size, (0, 0, 0, 0))
    h = ImageDraw.Draw(head)
    h.rectangle((cx - sc(26), cy + sc(55), cx + sc(26), cy + sc(105)), fill=SKIN)  # neck
    h.ellipse((cx - sc(78), cy - sc(112), cx + sc(78), cy + sc(40)), fill=HAIR)  # hair behind the head
    h.ellipse((cx - sc(84), cy - sc(10), cx - sc(58), cy + sc(30)), fill=SKIN)  # ears
    h.ellipse((cx + sc(58), cy - sc(10), cx + sc(84), cy + sc(30)), fill=SKIN)
    h.ellipse((cx - sc(66), cy - sc(85), cx + sc(66), cy + sc(85)), fill=SKIN)  # face
    h.chord((cx - sc(70), cy - sc(106), cx + sc(70), cy - sc(6)), 180, 360, fill=HAIR)  # fringe
    for side in (-1, 1):  # eyebrows and eyes
        ex = cx + side * sc(26)
        h.line((ex - sc(14), cy - sc(18), ex + sc(14), cy - sc(20)), fill=HAIR, width=max(1, int(sc(5))))
        h.ellipse((ex - sc(7), cy - sc(5), ex + sc(7), cy + sc(7)), fill=(40, 30, 30))
    h.line((cx, cy + sc(10), cx - sc(5), cy + sc(32)), fill=(200, 150, 120), width=max(1, int(sc(3))))  # nose
    h.arc((cx - sc(20), cy + sc(32), cx + sc(20), cy + sc(56)), 20, 160, fill=(170, 80, 80), width=max(1, int(sc(4))))
    if tilt:
        head = head.rotate(tilt, resample=Image.Resampling.BICUBIC, center=(cx, cy + sc(100)))
    im.paste(head, (0, 0), head)
    return im


def finish(im: Image.Image) -> Image.Image:
    return im.resize((W, H), Image.Resampling.LANCZOS)


def good() -> Image.Image:
    return finish(figure())


def dark_background() -> Image.Image:
    return finish(figure(background=(52, 74, 110)))


def tilted() -> Image.Image:
    return finish(figure(tilt=18))


def too_small() -> Image.Image:
    # What a 60×84 photo looks like at the printed size: blocks and blur.
    tiny = good().resize((60, 84), Image.Resampling.BILINEAR)
    return tiny.resize((W, H), Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(1.2))


def head_cropped() -> Image.Image:
    return finish(figure(scale=1.35, dy=-0.2))


def too_far() -> Image.Image:
    return finish(figure(scale=0.45, dy=0.12))


EXAMPLES = {
    "photo-good.png": good,
    "photo-bad-dark.png": dark_background,
    "photo-bad-tilted.png": tilted,
    "photo-bad-small.png": too_small,
    "photo-bad-cropped.png": head_cropped,
    "photo-bad-far.png": too_far,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in EXAMPLES.items():
        target = OUT / name
        draw().quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
        print(target.relative_to(OUT.parent.parent), target.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
