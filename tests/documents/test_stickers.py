"""注册贴: A4 sheets of 90 × 50 mm labels, fonts embedded, every sticker's text and a QR code that scans."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.documents.test_application_form import needs_poppler, page_count, poppler
from tqr.documents import stickers
from tqr.documents.stickers import Sticker, build_sticker_sheet, sample_stickers


def squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


def in_order(needle: str, haystack: str) -> bool:
    """Every character of ``needle`` in ``haystack``, in order: wrapped lines of a label may come out
    interleaved with the QR caption next to them."""
    rest = iter(haystack)
    return all(char in rest for char in needle)


def text_of(pdf: bytes, tmp_path: Path) -> str:
    return squeezed(poppler("pdftotext", pdf, tmp_path))


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (10, 1), (11, 2), (20, 2), (23, 3)])
def test_ten_stickers_a_page(count, pages):
    assert page_count(build_sticker_sheet(sample_stickers(count))) == pages


def test_fewer_labels_a_page_when_asked():
    assert page_count(build_sticker_sheet(sample_stickers(5), columns=1, rows=2)) == 3


@pytest.mark.parametrize(("columns", "rows"), [(3, 5), (2, 6), (0, 5)])
def test_a_grid_that_does_not_fit_a4_is_refused(columns, rows):
    with pytest.raises(ValueError):
        build_sticker_sheet(sample_stickers(2), columns=columns, rows=rows)


def test_nothing_to_print_is_refused():
    with pytest.raises(ValueError, match="no stickers"):
        build_sticker_sheet([])


def test_it_is_a4_and_the_same_stickers_give_the_same_bytes():
    pdf = build_sticker_sheet(sample_stickers(3))
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf
    assert pdf == build_sticker_sheet(sample_stickers(3))


def test_an_unknown_conclusion_is_refused():
    with pytest.raises(ValueError, match="conclusion"):
        replace(sample_stickers(1)[0], conclusion="qualified")


def test_validity_is_printed_for_qualified_only():
    qualified, deferred = sample_stickers(4)[0], sample_stickers(4)[3]
    assert qualified.validity_lines == ("有效期至 2031年12月7日",)
    assert deferred.conclusion == "暂缓注册" and deferred.validity_lines == ()
    assert replace(qualified, conclusion="不合格").validity_lines == ()
    later = replace(qualified, valid_from=date(2027, 1, 1))
    assert later.validity_lines == ("有效期自 2027年1月1日", "有效期至 2031年12月7日")


@needs_poppler
def test_every_font_is_embedded(tmp_path):
    listing = poppler("pdffonts", build_sticker_sheet(sample_stickers(23)), tmp_path).splitlines()[2:]

    assert listing
    for line in listing:
        columns = line.split()
        assert columns[-5] == "yes", f"not embedded: {line}"
        assert "KurintoSans" in columns[0], f"unexpected font: {line}"
    assert any("KurintoSansJP" in line for line in listing)  # 𠮷 in the second sample's name


@needs_poppler
def test_every_sticker_s_text_is_there(tmp_path):
    items = sample_stickers(23)
    text = text_of(build_sticker_sheet(items), tmp_path)

    for sticker in items:
        for value in (sticker.name, sticker.certificate_number, sticker.code):
            assert squeezed(value) in text, value
    assert text.count("教师资格定期注册") == 23
    assert text.count("有效期至2031年12月7日") == sum(1 for s in items if s.conclusion == "合格") == 21
    assert "暂缓注册" in text and "不合格" in text and "（盖章）" in text
    assert "重庆市黔江区教育委员会" in text and "2026年12月8日" in text


@needs_poppler
@pytest.mark.parametrize("name", ["𠮷野家", "阿卜杜热合曼·阿卜杜克热木·买买提明·艾合买提江", "欧阳娜娜"])
def test_long_and_rare_names_render(name, tmp_path):
    items = [replace(sample_stickers(1)[0], name=name)]
    assert squeezed(name) in text_of(build_sticker_sheet(items), tmp_path)


@needs_poppler
def test_a_long_registration_body_still_fits_the_label(tmp_path):
    body = "重庆市黔江区教育委员会（教师资格定期注册机构，区继续教育中心代章）"
    items = [replace(sample_stickers(1)[0], registration_body=body)]
    pdf = build_sticker_sheet(items)
    html = poppler("pdftotext", pdf, tmp_path, "-bbox")
    assert in_order(squeezed(body), text_of(pdf, tmp_path))
    # Every word stays inside the first label: x within 15–105 mm, y (from the top) within 23.5–73.5 mm.
    mm = 72 / 25.4
    label_words = [tuple(map(float, m)) for m in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(?!注册贴)', html)]
    inside = [b for b in label_words if b[1] < 80 * mm]  # the foot line is far below
    assert inside
    for x_min, y_min, x_max, y_max in inside:
        assert 15 * mm <= x_min and x_max <= 105 * mm
        assert 23.5 * mm <= y_min and y_max <= 73.5 * mm


@pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("pdftoppm"), reason="zbar-tools not installed")
def test_the_qr_codes_scan_to_the_lookup_urls(tmp_path):
    items = sample_stickers(10)
    (tmp_path / "sheet.pdf").write_bytes(build_sticker_sheet(items))
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(tmp_path / "sheet.pdf"), str(tmp_path / "sheet")], check=True)
    done = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "sheet-1.png")], capture_output=True, text=True)
    assert set(done.stdout.split()) == {s.verify_url for s in items}


def test_the_command_line_writes_a_sample(tmp_path):
    out = tmp_path / "stickers.pdf"
    stickers.main([str(out), "--count", "3"])
    assert out.read_bytes().startswith(b"%PDF")


def test_a_sticker_takes_plain_data():
    sticker = Sticker("张晓燕", "20135000130002871", "合格", "重庆市黔江区教育委员会", date(2026, 12, 8),
                      date(2026, 12, 8), date(2031, 12, 7), "QJ26-7F3K9A", "https://tqr.example/lookup/?code=QJ26-7F3K9A")
    assert build_sticker_sheet([sticker]).startswith(b"%PDF")
