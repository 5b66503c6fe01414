"""The applicant's photo (照片): whatever a phone gives us, turned into the 295×413 JPEG the forms need.

Spec (domain README §7, from the national certification spec): JPG, at most 200 KB, about 295×413 px
(a 5:7 portrait), white background. Teachers upload straight from a phone, so the input is a JPEG or PNG
of up to ~50 megapixels, possibly rotated by an EXIF tag and carrying GPS data.

Uploads are untrusted: only the JPEG and PNG decoders may run, the declared size is checked from the
header before any pixel is decoded, and the output is re-encoded from pixels alone, so nothing of the
upload (EXIF, GPS, ICC, comments, bytes appended after the image) survives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageCms, ImageOps, ImageStat, UnidentifiedImageError

__all__ = [
    "MAX_PIXELS",
    "MIN_SIZE",
    "PhotoError",
    "ProcessedPhoto",
    "photo_warnings",
    "process_photo",
]

# A phone photo is at most ~50 MP (8160×6120 = 49.9 MP in the 50 MP modes; 200 MP sensors save 12.5 or
# 50 MP unless a special mode is chosen). 60 MP leaves room for those and refuses anything bigger before
# decoding: a 60 MP RGB image is ~180 MB in memory, Pillow's own limit (89.5 MP, error at 179 MP) is
# more than a web worker should take on. Pillow's global limit is left alone for other callers.
MAX_PIXELS = 60_000_000
MIN_SIZE = (150, 210)  # the smallest 5:7 region we accept, in px
_ALLOWED_FORMATS = ["JPEG", "PNG"]
_ASPECT = 5 / 7

NOT_IMAGE = "not_image"
UNSUPPORTED_TYPE = "unsupported_type"
FILE_TOO_LARGE = "file_too_large"
TOO_MANY_PIXELS = "too_many_pixels"
TOO_SMALL = "too_small"
CORRUPT = "corrupt"
BAD_CROP = "bad_crop"
CANNOT_COMPRESS = "cannot_compress"

_FORMAT_HINT = "请上传 JPG 或 PNG 格式的照片（手机拍摄的照片即可）"
_MESSAGES = {
    NOT_IMAGE: _FORMAT_HINT,
    UNSUPPORTED_TYPE: "不支持该文件类型，" + _FORMAT_HINT,
    TOO_MANY_PIXELS: "照片像素过多，无法处理，请用手机重新拍摄或缩小后上传",
    CORRUPT: "照片文件已损坏，请重新拍摄",
    BAD_CROP: "裁剪区域无效，请重新选择照片范围",
}
WHITE_BACKGROUND_WARNING = "照片背景应为白色"

# Magic numbers of things people upload by mistake (or on purpose), for a clearer refusal.
_OTHER_TYPES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF", "PDF"),
    (0, b"GIF8", "GIF"),
    (0, b"MZ", "Windows 可执行文件"),
    (0, b"\x7fELF", "可执行文件"),
    (0, b"PK\x03\x04", "压缩包或 Office 文档"),
    (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (8, b"WEBP", "WebP"),
    (4, b"ftypheic", "HEIC"),
    (4, b"ftypheix", "HEIC"),
    (4, b"ftypmif1", "HEIF"),
    (4, b"ftypavif", "AVIF"),
)


class PhotoError(ValueError):
    """A photo we refuse; ``message`` is Chinese, for the teacher, and says what to do."""

    def __init__(self, code: str, message: str | None = None):
        self.code = code
        self.message = message or _MESSAGES[code]
        super().__init__(self.message)


@dataclass(frozen=True)
class ProcessedPhoto:
    jpeg: bytes
    width: int
    height: int
    original_format: str  # "JPEG" or "PNG"
    original_size: tuple[int, int]  # as stored in the file, before EXIF orientation


def _sniff_other_type(data: bytes) -> str | None:
    for offset, magic, label in _OTHER_TYPES:
        if data[offset : offset + len(magic)] == magic:
            return label
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype", b"<html", b"<script")):
        return "SVG/HTML"
    return None


def _refuse_unreadable(data: bytes) -> PhotoError:
    other = _sniff_other_type(data)
    if other is None:
        return PhotoError(NOT_IMAGE)
    if other.startswith(("HEI", "AVIF")):
        # iPhones save HEIC by default; the browser usually converts, but not always.
        return PhotoError(
            UNSUPPORTED_TYPE,
            f"不支持该文件类型（{other}），请在手机相机设置中选择“兼容性最佳”，或截图后上传 JPG 或 PNG 照片",
        )
    return PhotoError(UNSUPPORTED_TYPE, f"不支持该文件类型（{other}），{_FORMAT_HINT}")


def _check_crop(crop: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    try:
        x, y, w, h = (float(v) for v in crop)
    except (TypeError, ValueError):
        raise PhotoError(BAD_CROP) from None
    eps = 1e-6
    if not all(math.isfinite(v) for v in (x, y, w, h)):
        raise PhotoError(BAD_CROP)
    if x < -eps or y < -eps or w <= 0 or h <= 0 or x + w > 1 + eps or y + h > 1 + eps:
        raise PhotoError(BAD_CROP)
    return max(x, 0.0), max(y, 0.0), min(w, 1.0), min(h, 1.0)


def _centre_crop(width: int, height: int) -> tuple[float, float, float, float]:
    """The largest centred 5:7 frame, as fractions of the image."""
    if width / height > _ASPECT:
        w = height * _ASPECT / width
        return (1 - w) / 2, 0.0, w, 1.0
    h = width / _ASPECT / height
    return 0.0, (1 - h) / 2, 1.0, h


def _fitted_size(region_w: float, region_h: float) -> tuple[float, float]:
    """The size of the 5:7 part of a region (ImageOps.fit centre-crops the rest away)."""
    return min(region_w, region_h * _ASPECT), min(region_h, region_w / _ASPECT)


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block must not sink an otherwise good photo
        return 1


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert to sRGB when the photo carries a colour profile (iPhones shoot Display P3).

    The output has no profile, so keeping P3 numbers would print washed out.
    """
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(im, source, target, outputMode="RGBA" if im.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return im


def _flatten_rgb(im: Image.Image) -> Image.Image:
    """RGB, with any transparency composed onto white."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale PNG: scale to 8 bits before the RGB conversion clips it.
        im = im.point(lambda v: v / 256, "L") if im.mode != "I" else im.convert("L")
    return im.convert("RGB")


def _encode_jpeg(im: Image.Image, max_bytes: int) -> bytes:
    # A fresh image from raw pixels: no info dict, so Pillow cannot carry a comment, EXIF or ICC along.
    clean = Image.frombytes("RGB", im.size, im.tobytes())
    for quality in range(90, 39, -5):
        buffer = BytesIO()
        clean.save(buffer, "JPEG", quality=quality, optimize=True)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue()
    raise PhotoError(CANNOT_COMPRESS, f"照片无法压缩到 {max_bytes // 1024} KB 以内，请换一张背景简洁的照片")


def process_photo(
    data: bytes,
    *,
    crop: tuple[float, float, float, float] | None = None,
    max_bytes: int = 200 * 1024,
    size: tuple[int, int] = (295, 413),
    max_upload_bytes: int = 10 * 1024 * 1024,
) -> ProcessedPhoto:
    """Validate an uploaded photo and return it as a clean ``size`` JPEG of at most ``max_bytes``.

    ``crop`` is (x, y, w, h) in fractions 0–1 of the upright image, as chosen by the teacher on the page;
    None centre-crops to 5:7. Raises ``PhotoError`` with a Chinese message for the teacher.
    """
    if len(data) > max_upload_bytes:
        raise PhotoError(FILE_TOO_LARGE, f"照片文件过大（最大 {max_upload_bytes // (1024 * 1024)} MB），请压缩后重新上传")
    try:
        im = Image.open(BytesIO(data), formats=_ALLOWED_FORMATS)  # reads the header only
    except Image.DecompressionBombError:
        raise PhotoError(TOO_MANY_PIXELS) from None
    except UnidentifiedImageError:
        raise _refuse_unreadable(data) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise PhotoError(CORRUPT) from None

    with im:
        original_format = im.format or "?"
        original_size = im.size
        width, height = im.size
        if width * height > MAX_PIXELS:
            raise PhotoError(TOO_MANY_PIXELS)

        orientation = _orientation(im)
        upright = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
        fx, fy, fw, fh = _check_crop(crop) if crop is not None else _centre_crop(*upright)
        fitted_w, fitted_h = _fitted_size(fw * upright[0], fh * upright[1])
        if fitted_w < MIN_SIZE[0] - 1 or fitted_h < MIN_SIZE[1] - 1:
            hint = "（所选范围过小，请放大裁剪框）" if crop is not None else "，请用手机重新拍摄"
            raise PhotoError(TOO_SMALL, f"照片分辨率过低，至少 {MIN_SIZE[0]}×{MIN_SIZE[1]} 像素{hint}")

        if original_format == "JPEG":
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the chosen region stays ≥ size: a 50 MP
            # photo then needs a few MB of memory instead of 150.
            scale = max(size[0] / fitted_w, size[1] / fitted_h)
            if scale < 0.5:
                requested = (math.ceil(upright[0] * scale), math.ceil(upright[1] * scale))
                im.draft(None, requested if upright == (width, height) else requested[::-1])

        try:
            im.load()
            im = ImageOps.exif_transpose(im)
            im = _flatten_rgb(_to_srgb(im))
        except Image.DecompressionBombError:
            raise PhotoError(TOO_MANY_PIXELS) from None
        except (OSError, SyntaxError, ValueError, EOFError):  # truncated data, bad Huffman codes, bad CRC…
            raise PhotoError(CORRUPT) from None

    w, h = im.size
    box = (round(fx * w), round(fy * h), round((fx + fw) * w), round((fy + fh) * h))
    region = im.crop(box)
    photo = ImageOps.fit(region, size, method=Image.Resampling.LANCZOS)
    jpeg = _encode_jpeg(photo, max_bytes)
    return ProcessedPhoto(jpeg, photo.width, photo.height, original_format, original_size)


def photo_warnings(photo: ProcessedPhoto | bytes) -> list[str]:
    """Advice that does not block the upload: the background should be white (sampled in the top corners)."""
    data = photo.jpeg if isinstance(photo, ProcessedPhoto) else photo
    with Image.open(BytesIO(data), formats=_ALLOWED_FORMATS) as im:
        grey = im.convert("L")
    w, h = grey.size
    side = max(1, min(w, h) // 10)
    corners = [grey.crop((0, 0, side, side)), grey.crop((w - side, 0, w, side))]
    brightness = sum(ImageStat.Stat(corner).mean[0] for corner in corners) / len(corners)
    return [WHITE_BACKGROUND_WARNING] if brightness < 200 else []
