"""CJK fonts for generated PDFs, from the ``weblate-fonts`` package (Kurinto Sans, SIL OFL).

ReportLab embeds a subset of every TrueType font it uses, so a PDF made with these fonts prints the same
everywhere. ReportLab's built-in CID fonts (STSong-Light and friends) are deliberately not used: they are
never embedded and depend on the reader's own fonts.

Kurinto Sans SC covers GB 2312/GBK and much more, but not every character found in Chinese names: the
CJK Extension B character 𠮷 (U+20BB7, as in 𠮷野家) is missing from it and present in Kurinto Sans JP.
``markup`` therefore wraps each run of characters the main font lacks in ``<font name=…>`` naming the first
fallback that has them.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["BOLD", "REGULAR", "font_path", "has_glyph", "markup", "register_fonts", "uncovered"]

REGULAR = "TQRSans"
BOLD = "TQRSans-Bold"

_KURINTO = ("static", "weblate_fonts", "kurinto", "ttf")


@dataclass(frozen=True)
class _Face:
    regular: str  # ReportLab font name
    bold: str
    regular_file: str
    bold_file: str


# Main face first, then fallbacks in the order they are tried for a missing character.
_FACES = (
    _Face(REGULAR, BOLD, "KurintoSansSC-Rg.ttf", "KurintoSansSC-Bd.ttf"),
    _Face("TQRSansJP", "TQRSansJP-Bold", "KurintoSansJP-Rg.ttf", "KurintoSansJP-Bd.ttf"),  # 𠮷 and kin
    _Face("TQRSansTC", "TQRSansTC-Bold", "KurintoSansTC-Rg.ttf", "KurintoSansTC-Bd.ttf"),
    _Face("TQRSansKR", "TQRSansKR-Bold", "KurintoSansKR-Rg.ttf", "KurintoSansKR-Bd.ttf"),
    _Face("TQRSansLatin", "TQRSansLatin-Bold", "KurintoSans-Rg.ttf", "KurintoSans-Bd.ttf"),  # symbols
)


def font_path(filename: str) -> Path:
    """The path of one Kurinto TTF shipped inside the weblate-fonts package."""
    return Path(str(importlib.resources.files("weblate_fonts").joinpath(*_KURINTO, filename)))


_ASTRAL_CMAP_ENTRY = re.compile(r"^(<[0-9A-F]{2}> )<([0-9A-F]{5,6})>$", re.MULTILINE)


def _fix_astral_to_unicode() -> None:
    """Make ReportLab's ToUnicode CMaps right for characters beyond U+FFFF (𠮷 is U+20BB7).

    ReportLab 5.1 writes each code point as ``<%04X>``, i.e. ``<20BB7>``, which readers cut to U+20BB, so
    copying or searching the name gives "₻野家". PDF 32000 §9.10.3 wants UTF-16BE: ``<D842DFB7>``. The
    wrapper only rewrites those entries and steps aside once ReportLab gets it right.
    """
    original = ttfonts.makeToUnicodeCMap
    if "<20BB7>" not in original("probe", [0x20BB7]):
        return

    def utf16(match: re.Match[str]) -> str:
        return f"{match[1]}<{chr(int(match[2], 16)).encode('utf-16-be').hex().upper()}>"

    def make_to_unicode_cmap(fontname: str, subset: list[int]) -> str:
        return _ASTRAL_CMAP_ENTRY.sub(utf16, original(fontname, subset))

    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


class _TableInPlace:
    """A table of a loaded font file, sliced without copying the table first (slices are bytes)."""

    def __init__(self, data: bytes, pos: int, length: int):
        self._view = memoryview(data)[pos : pos + length]

    def __getitem__(self, key: slice) -> bytes:
        return self._view[key].tobytes()

    def __len__(self) -> int:
        return len(self._view)


def _read_glyphs_in_place(font: TTFont) -> None:
    """Let ReportLab subset ``font`` without copying its whole ``glyf`` table each time.

    ``TTFontFile.makeSubset`` starts with ``get_table("glyf")``, a copy of the table (9.7 MB for Kurinto
    Sans SC) of which it then slices the few hundred glyphs a document uses; a 申请表 makes three subsets,
    so that copying was a large part of saving it. Here ``get_table("glyf")`` answers a view that slices
    the loaded file directly: the same subset bytes (tested). Fonts ReportLab loads differently are left
    alone.
    """
    face = font.face
    data = getattr(face, "_ttf_data", None)
    if not isinstance(data, bytes) or not hasattr(face, "get_table_pos"):
        return
    get_table = face.get_table

    def get_table_in_place(tag: str):
        if tag != "glyf":
            return get_table(tag)
        return _TableInPlace(data, *face.get_table_pos(tag))

    face.get_table = get_table_in_place


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register the main face with ReportLab once per process; return (regular, bold) names of the main face.

    The fallback faces are registered the first time a character needs one (``has_glyph``, ``markup``):
    each loaded face holds about 17 MB and takes a fifth of a second to read, and most processes never
    print a character that Kurinto Sans SC lacks.
    """
    _fix_astral_to_unicode()
    _register_face(_FACES[0])
    return REGULAR, BOLD


@cache
def _register_face(face: _Face) -> None:
    """Register one face's regular and bold fonts, and the pair as a family so that ``<b>`` in Paragraph
    markup picks the bold."""
    for name, filename in ((face.regular, face.regular_file), (face.bold, face.bold_file)):
        font = TTFont(name, str(font_path(filename)))
        _read_glyphs_in_place(font)
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(
        face.regular, normal=face.regular, bold=face.bold, italic=face.regular, boldItalic=face.bold
    )


_FACE_OF_FONT = {name: face for face in _FACES for name in (face.regular, face.bold)}


@cache
def _glyphs(font_name: str) -> dict[int, int]:
    register_fonts()
    if font_name in _FACE_OF_FONT:
        _register_face(_FACE_OF_FONT[font_name])
    return pdfmetrics.getFont(font_name).face.charToGlyph


def has_glyph(font_name: str, char: str) -> bool:
    """Whether ``font_name`` draws ``char`` (registering our face of that name if it is not yet)."""
    return ord(char) in _glyphs(font_name)


def _face_for(char: str) -> _Face | None:
    """The first face that draws ``char``; None when no face has it (it will print as a blank box)."""
    if char.isspace():
        return _FACES[0]
    return next((face for face in _FACES if has_glyph(face.regular, char)), None)


def uncovered(text: str) -> set[str]:
    """Characters of ``text`` that no bundled font can draw."""
    return {char for char in text if _face_for(char) is None}


def markup(text: str, *, bold: bool = False) -> str:
    """``text`` escaped for a ReportLab Paragraph, with per-character font fallback.

    Runs the main font cannot draw are wrapped in ``<font name=…>`` of the first fallback face that can.
    """
    register_fonts()
    parts: list[str] = []
    run_face: _Face | None = _FACES[0]
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        chunk = escape("".join(run))
        if run_face is None or run_face is _FACES[0]:
            parts.append(chunk)
        else:
            parts.append(f'<font name="{run_face.bold if bold else run_face.regular}">{chunk}</font>')
        run.clear()

    for char in text:
        face = _face_for(char) or _FACES[0]
        if face is not run_face:
            flush()
            run_face = face
        run.append(char)
    flush()
    return "".join(parts)
