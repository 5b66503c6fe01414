"""公示 (public notice): GB/T 9704 page, the list with its header on every page, nothing that identifies."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from reportlab.lib.units import mm

from tests.documents.test_application_form import needs_poppler, page_count, poppler
from tqr.documents import notice
from tqr.documents.fonts import BOLD
from tqr.documents.notice import (
    NoticeDocument,
    NoticeEntry,
    balanced_lines,
    build_notice_pdf,
    sample_notice,
    title_lines,
)

HEADINGS = ("序号", "姓名", "任教学校", "资格种类", "注册类型", "初审结论")
FULL_ID = re.compile(r"\d{17}[\dXx]")
MOBILE = re.compile(r"1[3-9]\d{9}")


def normal(entries: int = 40) -> NoticeDocument:
    """The sample without namesakes: no entry needs a distinguisher."""
    doc = sample_notice(entries=entries)
    return replace(doc, entries=tuple(replace(e, distinguisher="") for e in doc.entries))


def text_of(pdf: bytes, tmp_path: Path, *args: str) -> str:
    return poppler("pdftotext", pdf, tmp_path, *args)


def pages_of(pdf: bytes, tmp_path: Path) -> list[str]:
    return [text_of(pdf, tmp_path, "-f", str(p), "-l", str(p)) for p in range(1, page_count(pdf) + 1)]


def squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


# --- the data ---------------------------------------------------------------------------------------


def test_an_entry_refuses_a_full_id_or_a_mobile_number():
    entry = sample_notice(entries=3).entries[0]
    with pytest.raises(ValueError, match="distinguisher"):
        replace(entry, distinguisher="50011419860312123X")
    with pytest.raises(ValueError, match="distinguisher"):
        replace(entry, distinguisher="500114860312123")  # a first-generation 15-digit ID
    with pytest.raises(ValueError, match="name"):
        replace(entry, name="张伟 13452208820")

    assert replace(entry, distinguisher="500114********123X").distinguisher == "500114********123X"


def test_the_sample_tells_namesakes_apart_with_masked_ids_only():
    doc = sample_notice(entries=40)
    marked = [e for e in doc.entries if e.distinguisher]

    assert len(marked) == 2
    assert (marked[0].name, marked[0].unit) == (marked[1].name, marked[1].unit)
    for entry in marked:
        assert re.fullmatch(r"500114\*{8}\d{3}[\dX]", entry.distinguisher)
    assert [e.number for e in doc.entries] == list(range(1, 41))


def test_a_long_title_breaks_into_even_lines():
    lines = title_lines("关于2026年黔江区中小学教师资格定期注册初审结果的公示")

    assert len(lines) == 2 and "".join(lines) == "关于2026年黔江区中小学教师资格定期注册初审结果的公示"
    assert abs(len(lines[0]) - len(lines[1])) <= 2  # not 20 characters over a stub of five
    assert title_lines("关于某事的公示") == ("关于某事的公示",)
    assert title_lines("关于2026年黔江区中小学教师资格\n定期注册初审结果的公示") == (
        "关于2026年黔江区中小学教师资格", "定期注册初审结果的公示")


def test_a_break_keeps_numbers_whole_and_closing_marks_off_a_line_start():
    for width in range(40, 200, 7):
        for line in balanced_lines("根据（教师〔2013〕9号）规定，现予公示。", float(width), 10.5, BOLD):
            assert line[0] not in "，。）〕", line
        joined = balanced_lines("黔江教办〔2026〕160号", float(width), 10.5, BOLD)
        assert any("2026" in line for line in joined) and any("160" in line for line in joined)


# --- the PDF ----------------------------------------------------------------------------------------


@needs_poppler
def test_every_font_is_embedded(tmp_path):
    doc = sample_notice(entries=12)  # 𠮷 brings in the fallback face
    listing = poppler("pdffonts", build_notice_pdf(doc), tmp_path).splitlines()[2:]

    assert listing
    for line in listing:
        columns = line.split()
        assert columns[-5] == "yes", f"not embedded: {line}"
        assert "KurintoSans" in columns[0], f"unexpected font: {line}"
    assert any("KurintoSansJP" in line for line in listing)


def test_it_is_a4_portrait_with_the_gbt_9704_type_area():
    pdf = build_notice_pdf(normal(5))
    boxes = {(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf)}

    assert boxes == {(595.2756, 841.8898)}
    assert round(notice.TYPE_WIDTH / mm, 3) == 156 and round(notice.TYPE_HEIGHT / mm, 3) == 225


def test_the_same_notice_gives_the_same_bytes():
    assert build_notice_pdf(normal(5)) == build_notice_pdf(normal(5))


@needs_poppler
def test_the_head_the_title_and_the_body_appear(tmp_path):
    doc = normal(5)
    first = pages_of(build_notice_pdf(doc), tmp_path)[0]

    assert first.index(doc.issuing_body) < first.index(doc.document_number) < first.index("关于2026年")
    assert "".join(title_lines(doc.title)) in squeezed(first)
    assert squeezed(doc.body[0])[:40] in squeezed(first)


@needs_poppler
def test_without_a_document_number_there_is_none(tmp_path):
    doc = replace(normal(5), document_number="")
    text = text_of(build_notice_pdf(doc), tmp_path)

    assert "〔2026〕160号" not in text
    assert doc.issuing_body in text


@needs_poppler
def test_sixty_entries_have_page_numbers_and_the_header_on_every_page(tmp_path):
    doc = normal(60)
    pdf = build_notice_pdf(doc)
    pages = pages_of(pdf, tmp_path)
    assert len(pages) >= 3

    text = "".join(pages)
    assert "— 1 —" in text and "— 2 —" in text
    for number, page in enumerate(pages, 1):
        assert f"— {number} —" in page, number
    listed = [p for p, page in enumerate(pages, 1) if any(e.name in page for e in doc.entries)]
    assert len(listed) >= 2
    for p in listed:
        for heading in HEADINGS:
            assert heading in pages[p - 1], (p, heading)
    everything = squeezed(text)
    for entry in doc.entries:
        assert squeezed(entry.name) in everything and squeezed(entry.unit) in everything


@needs_poppler
def test_no_id_or_phone_number_is_added_to_normal_entries(tmp_path):
    doc = normal(60)
    text = text_of(build_notice_pdf(doc), tmp_path)
    flat = squeezed(text)

    for found in (FULL_ID.search(text), MOBILE.search(text), FULL_ID.search(flat), MOBILE.search(flat)):
        assert found is None, found
    assert "*" not in text  # not even a masked one


@needs_poppler
def test_the_remark_column_appears_only_when_an_entry_needs_it(tmp_path):
    without = text_of(build_notice_pdf(normal(20)), tmp_path)
    assert "备注" not in without

    doc = sample_notice(entries=20)
    text = text_of(build_notice_pdf(doc), tmp_path)
    assert "备注" in text
    for entry in doc.entries:
        if entry.distinguisher:
            assert entry.distinguisher in squeezed(text)  # printed in two lines in the narrow column
    assert FULL_ID.search(squeezed(text)) is None


@needs_poppler
def test_rare_characters_and_the_middle_dot_come_through(tmp_path):
    doc = replace(normal(3), entries=(
        NoticeEntry(1, "𠮷星辰", "重庆市黔江区城东小学校", "小学教师资格", "定期注册", "合格"),
        NoticeEntry(2, "阿依古丽·买买提", "重庆市黔江区城东小学校", "小学教师资格", "首次注册", "合格"),
    ))
    pdf = build_notice_pdf(doc)
    text = squeezed(text_of(pdf, tmp_path))

    assert "𠮷星辰" in text  # fonts.py mends ReportLab's ToUnicode for characters beyond U+FFFF
    assert "阿依古丽·买买提" in text
    assert any("KurintoSansJP" in line for line in poppler("pdffonts", pdf, tmp_path).splitlines())


@needs_poppler
def test_the_sign_off_follows_the_list_on_the_last_page(tmp_path):
    doc = normal(60)
    last = pages_of(build_notice_pdf(doc), tmp_path)[-1]

    assert doc.entries[-1].name in last
    after_list = last.split(doc.entries[-1].unit)[-1]
    assert after_list.index(doc.issuing_body) < after_list.index("2026年11月27日")
    assert f"网上公示：{doc.public_url}" in after_list


@needs_poppler
def test_the_public_url_is_only_on_the_last_page(tmp_path):
    pages = pages_of(build_notice_pdf(normal(60)), tmp_path)

    assert ["网上公示" in page for page in pages] == [False] * (len(pages) - 1) + [True]
    assert "网上公示" not in text_of(build_notice_pdf(replace(normal(5), public_url="")), tmp_path)


@needs_poppler
def test_the_sign_off_never_stands_alone_on_a_page(tmp_path):
    # Over a page's worth of list lengths the end of the list passes every spot on the page, so some of
    # these lengths leave no room for the sign-off under the last row: it must take rows with it.
    base = normal(60)
    for count in range(34, 62):
        doc = replace(base, entries=base.entries[:count])
        last = pages_of(build_notice_pdf(doc), tmp_path)[-1]
        assert doc.entries[-1].name in last and "序号" in last, count


@needs_poppler
def test_a_notice_without_entries_still_signs_off(tmp_path):
    text = text_of(build_notice_pdf(replace(normal(1), entries=())), tmp_path)

    assert "公示名单" not in text and "序号" not in text
    assert "重庆市黔江区教育委员会" in text and "2026年11月27日" in text


@needs_poppler
def test_a_long_issuing_body_keeps_inside_the_page(tmp_path):
    body = "重庆市黔江区教育委员会重庆市黔江区人力资源和社会保障局"
    doc = replace(normal(3), issuing_body=body, issued_on=date(2026, 1, 5))
    text = squeezed(text_of(build_notice_pdf(doc), tmp_path, "-layout"))

    assert text.count(body) == 2 and "2026年1月5日" in text


def test_a_thousand_entries_render():
    pdf = build_notice_pdf(sample_notice(entries=1000))

    assert page_count(pdf) >= 30


def test_the_command_line_writes_a_pdf(tmp_path):
    out = tmp_path / "notice.pdf"
    notice.main([str(out), "--entries", "12"])

    assert out.read_bytes().startswith(b"%PDF")
