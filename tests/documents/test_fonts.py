"""The CJK fonts: registered once, fallbacks only when a character needs them, subset in place."""

from __future__ import annotations

import subprocess
import sys

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from tqr.documents.fonts import REGULAR, font_path, register_fonts


def test_fonts_are_subset_in_place_with_the_same_bytes():
    # Composite glyphs (À, Ç) exercise the references makeSubset rewrites; 𠮷 is missing (glyph 0).
    register_fonts()
    subset = [ord(c) for c in "教师资格定期注册申请表 ÀÇé·A1（）𠮷"]
    stock = TTFont("stock", str(font_path("KurintoSansSC-Rg.ttf")))

    assert pdfmetrics.getFont(REGULAR).face.makeSubset(subset) == stock.face.makeSubset(subset)


FRESH_PROCESS = """
from reportlab.pdfbase import pdfmetrics
from tqr.documents.application_form import build_application_form, sample_data
from tqr.documents.fonts import markup

def ours():
    return sorted(n for n in pdfmetrics.getRegisteredFontNames() if n.startswith("TQRSans"))

build_application_form(sample_data())
print(ours())
markup("𠮷野家")
print(ours())
"""


def test_a_fallback_face_is_loaded_only_when_a_character_needs_it():
    # In a fresh process: this one has long loaded every face the other tests needed.
    out = subprocess.run([sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, check=True)
    typical, with_rare = out.stdout.splitlines()

    assert typical == "['TQRSans', 'TQRSans-Bold']"
    assert with_rare == "['TQRSans', 'TQRSans-Bold', 'TQRSansJP', 'TQRSansJP-Bold']"
