"""The photo pipeline: phone uploads in, a clean 295×413 JPEG out, everything else refused (no database)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageStat

from tqr.documents import photos
from tqr.documents.photos import PhotoError, photo_warnings, process_photo

RED = (220, 20, 20)
BLUE = (20, 20, 220)


def encode(im: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def phone_photo(size=(3000, 4000)) -> Image.Image:
    """Noise on a gradient: compresses like a real photo, unlike a flat colour."""
    noise = Image.effect_noise(size, 30)
    gradient = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))


def halves(size=(600, 840)) -> Image.Image:
    """Left half red, right half blue."""
    im = Image.new("RGB", size, RED)
    im.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return im


def open_jpeg(data: bytes) -> Image.Image:
    im = Image.open(BytesIO(data))
    assert im.format == "JPEG"
    return im


def mean_colour(im: Image.Image, box=None) -> tuple[float, ...]:
    region = im.crop(box) if box else im
    return tuple(ImageStat.Stat(region.convert("RGB")).mean)


def is_red(colour) -> bool:
    return colour[0] > 150 and colour[2] < 80


def is_blue(colour) -> bool:
    return colour[2] > 150 and colour[0] < 80


def png_declaring(width: int, height: int) -> bytes:
    """A tiny real PNG whose IHDR is patched to claim width×height, with a correct CRC."""
    data = bytearray(encode(Image.new("RGB", (1, 1), "white"), "PNG"))
    # signature (8) + length (4) + b"IHDR" (4) + width (4) + height (4) + 5 more bytes + CRC (4)
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


# --- what comes out ---------------------------------------------------------------------------------


def test_it_turns_a_phone_photo_into_a_small_295x413_jpeg():
    result = process_photo(encode(phone_photo(), quality=95))

    assert (result.width, result.height) == (295, 413)
    assert len(result.jpeg) <= 200 * 1024
    assert open_jpeg(result.jpeg).size == (295, 413)
    assert result.original_format == "JPEG"
    assert result.original_size == (3000, 4000)


def test_it_flattens_a_png_with_alpha_onto_white():
    im = Image.new("RGBA", (500, 700), (0, 0, 0, 0))
    im.paste((30, 30, 30, 255), (150, 200, 350, 700))
    result = process_photo(encode(im, "PNG"))

    out = open_jpeg(result.jpeg)
    assert out.mode == "RGB"
    assert min(out.getpixel((3, 3))) > 245  # the transparent corner is white, not black
    assert result.original_format == "PNG"
    assert photo_warnings(result) == []


def test_it_strips_exif_gps_icc_and_comments():
    exif = Image.Exif()
    exif[0x010F] = "TestPhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (29.0, 31.0, 12.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = encode(phone_photo((900, 1200)), exif=exif, icc_profile=icc, comment=b"secret-comment")
    assert Image.open(BytesIO(upload)).getexif().get_ifd(0x8825)  # the fixture really carries GPS

    out_bytes = process_photo(upload).jpeg
    out = open_jpeg(out_bytes)

    assert not out.getexif()
    assert "exif" not in out.info and "icc_profile" not in out.info and "comment" not in out.info
    for marker in (b"Exif", b"TestPhoneMaker", b"secret-comment", b"ICC_PROFILE"):
        assert marker not in out_bytes


def test_it_applies_the_exif_orientation():
    # Stored landscape, left half red; orientation 6 means "rotate 90° clockwise to display",
    # which puts the red half on top.
    exif = Image.Exif()
    exif[0x0112] = 6
    result = process_photo(encode(halves((840, 600)), exif=exif))

    out = open_jpeg(result.jpeg)
    assert is_red(mean_colour(out, (0, 0, 295, 150)))
    assert is_blue(mean_colour(out, (0, 263, 295, 413)))
    assert result.original_size == (840, 600)


def test_it_drops_a_zip_appended_to_a_jpeg():
    archive = BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("payload.txt", "not a photo " * 100)
    polyglot = encode(phone_photo((600, 840))) + archive.getvalue()
    assert b"PK\x03\x04" in polyglot

    out = process_photo(polyglot).jpeg

    assert b"PK\x03\x04" not in out
    assert b"payload.txt" not in out
    assert out.endswith(b"\xff\xd9")  # nothing after the JPEG's end-of-image marker


def test_it_honours_the_teachers_crop():
    upload = encode(halves(), "PNG")

    assert is_blue(mean_colour(open_jpeg(process_photo(upload, crop=(0.5, 0.0, 0.5, 1.0)).jpeg)))
    assert is_red(mean_colour(open_jpeg(process_photo(upload, crop=(0.0, 0.0, 0.5, 1.0)).jpeg)))


def test_it_centre_crops_to_five_by_seven_without_a_crop():
    # A wide image: the centre frame shows both halves, red on the left, blue on the right.
    out = open_jpeg(process_photo(encode(halves((2000, 840)), "PNG")).jpeg)
    assert is_red(mean_colour(out, (0, 0, 100, 413)))
    assert is_blue(mean_colour(out, (195, 0, 295, 413)))


def test_it_lowers_the_quality_until_the_file_fits():
    # Grey noise is ~90 KB at quality 90 and ~50 KB at 40 once scaled to 295×413.
    upload = encode(Image.effect_noise((600, 840), 100).convert("RGB"))
    assert len(process_photo(upload).jpeg) > 60 * 1024
    assert len(process_photo(upload, max_bytes=60 * 1024).jpeg) <= 60 * 1024


def test_it_gives_up_when_even_low_quality_is_too_big():
    upload = encode(Image.effect_noise((600, 840), 100).convert("RGB"))
    with pytest.raises(PhotoError) as error:
        process_photo(upload, max_bytes=2000)
    assert error.value.code == photos.CANNOT_COMPRESS


def test_it_warns_when_the_background_is_not_white():
    dark = encode(Image.new("RGB", (600, 840), (90, 100, 110)))
    white = encode(Image.new("RGB", (600, 840), "white"))

    assert photo_warnings(process_photo(dark)) == ["照片背景应为白色"]
    assert photo_warnings(process_photo(white)) == []


# --- what is refused --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>',
        b'\xef\xbb\xbf<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;<script>alert(1)</script>",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64,
        b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 64,
    ],
    ids=["pdf", "svg", "svg-xml", "gif-script", "exe", "elf", "zip"],
)
def test_it_refuses_other_file_types(payload):
    with pytest.raises(PhotoError) as error:
        process_photo(payload)
    assert error.value.code == photos.UNSUPPORTED_TYPE
    assert "不支持该文件类型" in error.value.message
    assert "JPG 或 PNG" in error.value.message


def test_it_refuses_a_real_gif_because_only_jpeg_and_png_decoders_run():
    with pytest.raises(PhotoError) as error:
        process_photo(encode(Image.new("RGB", (600, 840), "white"), "GIF"))
    assert error.value.code == photos.UNSUPPORTED_TYPE


def test_it_refuses_bytes_that_are_no_image():
    with pytest.raises(PhotoError) as error:
        process_photo(b"hello, this is a text file\n" * 10)
    assert error.value.code == photos.NOT_IMAGE
    assert error.value.message == "请上传 JPG 或 PNG 格式的照片（手机拍摄的照片即可）"


@pytest.mark.parametrize("width, height", [(30000, 30000), (9000, 9000)], ids=["bomb", "over-our-limit"])
def test_it_refuses_too_many_pixels_from_the_header_alone(width, height):
    # 30000×30000 trips Pillow's own bomb check; 9000×9000 (81 MP) passes Pillow's and trips ours.
    with pytest.raises(PhotoError) as error:
        process_photo(png_declaring(width, height))
    assert error.value.code == photos.TOO_MANY_PIXELS
    assert error.value.message == "照片像素过多，无法处理，请用手机重新拍摄或缩小后上传"


def test_it_refuses_a_file_over_the_upload_limit_before_opening_it(monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("opened an oversized upload")

    monkeypatch.setattr(photos.Image, "open", must_not_open)
    with pytest.raises(PhotoError) as error:
        process_photo(b"\xff\xd8\xff" + b"\x00" * (11 * 1024 * 1024))
    assert error.value.code == photos.FILE_TOO_LARGE
    assert error.value.message == "照片文件过大（最大 10 MB），请压缩后重新上传"


@pytest.mark.parametrize("size", [(100, 100), (300, 150)], ids=["tiny", "landscape-strip"])
def test_it_refuses_a_photo_that_is_too_small(size):
    with pytest.raises(PhotoError) as error:
        process_photo(encode(Image.new("RGB", size, "white")))
    assert error.value.code == photos.TOO_SMALL
    assert "照片分辨率过低，至少 150×210 像素" in error.value.message


def test_it_refuses_a_crop_too_small_to_print():
    with pytest.raises(PhotoError) as error:
        process_photo(encode(Image.new("RGB", (600, 840), "white")), crop=(0.0, 0.0, 0.1, 0.1))
    assert error.value.code == photos.TOO_SMALL


@pytest.mark.parametrize(
    "crop", [(0.8, 0.0, 0.5, 1.0), (0.0, 0.0, 0.0, 1.0), (-0.2, 0.0, 0.5, 0.5), (float("nan"), 0, 0.5, 0.5)]
)
def test_it_refuses_a_crop_outside_the_image(crop):
    with pytest.raises(PhotoError) as error:
        process_photo(encode(Image.new("RGB", (600, 840), "white")), crop=crop)
    assert error.value.code == photos.BAD_CROP


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_it_refuses_a_truncated_file(fmt):
    whole = encode(phone_photo((600, 840)), fmt)
    with pytest.raises(PhotoError) as error:
        process_photo(whole[: len(whole) // 2])
    assert error.value.code == photos.CORRUPT
    assert error.value.message == "照片文件已损坏，请重新拍摄"


# --- properties -------------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(width=st.integers(150, 4000), height=st.integers(210, 4000), png=st.booleans())
def test_any_acceptable_size_gives_exactly_295x413_under_200kb(width, height, png):
    im = phone_photo((width, height))
    # PNG-encoding 16 MP of noise is slow; phones send big photos as JPEG anyway.
    upload = encode(im, "PNG", compress_level=1) if png and width * height <= 2_000_000 else encode(im)

    result = process_photo(upload)

    assert (result.width, result.height) == (295, 413)
    assert open_jpeg(result.jpeg).size == (295, 413)
    assert len(result.jpeg) <= 200 * 1024
