"""复审抽查记录: the draw's parameters, hashes and seed in full, the list with its header on every page."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from tests.documents.test_application_form import needs_poppler, page_count, poppler
from tqr.documents import sampling_record
from tqr.documents.sampling_record import (
    SampledRow,
    SamplingRecord,
    build_sampling_record,
    percent,
    sample_record,
)
from tqr.rules import sampling


def squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


def text_of(pdf: bytes, tmp_path: Path, *args: str) -> str:
    return poppler("pdftotext", pdf, tmp_path, *args)


def pages_of(pdf: bytes, tmp_path: Path) -> list[str]:
    return [text_of(pdf, tmp_path, "-f", str(p), "-l", str(p)) for p in range(1, page_count(pdf) + 1)]


def test_the_sample_is_a_genuine_draw():
    rec = sample_record(rows=24)
    assert len(rec.rows) == 24
    assert rec.seed_hash == sampling.seed_hash(rec.seed)
    assert len(rec.population_hash) == 64 and rec.population_size == 240


def test_it_is_a4_portrait_and_the_same_data_gives_the_same_bytes():
    pdf = build_sampling_record(sample_record())
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf
    assert pdf == build_sampling_record(sample_record())


@needs_poppler
def test_every_font_is_embedded(tmp_path):
    listing = poppler("pdffonts", build_sampling_record(sample_record()), tmp_path).splitlines()[2:]

    assert listing
    for line in listing:
        columns = line.split()
        assert columns[-5] == "yes", f"not embedded: {line}"
        assert "KurintoSans" in columns[0], f"unexpected font: {line}"
    assert any("KurintoSansJP" in line for line in listing)  # 𠮷 of the sample's second row


@needs_poppler
def test_the_hashes_and_the_seed_are_printed_in_full(tmp_path):
    rec = sample_record()
    text = squeezed(text_of(build_sampling_record(rec), tmp_path))

    for value in (rec.population_hash, rec.seed, rec.seed_hash):
        assert value in text
    for expected in ("2026年教师资格定期注册复审抽查记录", "黔江区", "2026年12月4日09:30", "240人", "10%",
                     "按学校分层，每层至少1人", "全部抽查", "如何核验", "SHA-256", "HMAC-SHA256",
                     "pythonmanage.pyverify_sample2026-QJ-01", "抽查人（签字）", "复核人（签字）", "日期："):
        assert expected in text, expected


@needs_poppler
def test_without_a_number_the_command_shows_the_placeholder(tmp_path):
    text = squeezed(text_of(build_sampling_record(replace(sample_record(), number="")), tmp_path))
    assert "verify_sample<编号>" in text


@needs_poppler
def test_the_rows_appear_with_their_reasons(tmp_path):
    rec = sample_record()
    text = squeezed(text_of(build_sampling_record(rec), tmp_path))

    for row in rec.rows:
        assert row.name in text
    assert "随机抽取" in text and "暂缓或不合格全部抽查" in text
    assert "𠮷星辰" in text


@needs_poppler
def test_a_reason_code_prints_as_its_label(tmp_path):
    row = SampledRow(1, "张晓燕", "重庆市黔江区城东中学校", "初级中学教师资格", "不合格", "non_qualified")
    text = squeezed(text_of(build_sampling_record(replace(sample_record(), rows=(row,))), tmp_path))
    assert "暂缓或不合格全部抽查" in text and "non_qualified" not in text


@needs_poppler
def test_a_hundred_and_twenty_rows_run_over_pages_with_the_header_and_page_numbers(tmp_path):
    rec = sample_record(rows=120)
    assert len(rec.rows) == 120
    pdf = build_sampling_record(rec)
    pages = pages_of(pdf, tmp_path)

    assert len(pages) >= 3
    for n, page in enumerate(pages, 1):
        assert "任教学校" in page and "抽取方式" in page, f"no header row on page {n}"
        assert f"第{n}页共{len(pages)}页" in squeezed(page)
    everything = squeezed("".join(pages))
    assert all(row.name in everything for row in rec.rows)
    assert "复核人（签字）" in pages[-1]


@needs_poppler
def test_nothing_runs_past_the_margins(tmp_path):
    html = poppler("pdftotext", build_sampling_record(sample_record(rows=60)), tmp_path, "-bbox")
    boxes = [tuple(map(float, m)) for m in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', html)]
    assert boxes
    margin = 15 * mm - 1
    for x_min, y_min, x_max, y_max in boxes:
        assert x_min >= margin and x_max <= A4[0] - margin
        assert y_min >= margin and y_max <= A4[1] - margin


@needs_poppler
def test_an_empty_sample_still_prints(tmp_path):
    rec = replace(sample_record(), rows=())
    text = squeezed(text_of(build_sampling_record(rec), tmp_path))
    assert "本次未抽中任何申请" in text and "抽中名单（共0人）" in text


def test_plain_tuples_are_accepted_as_rows():
    rec = replace(sample_record(rows=1), rows=((1, "张晓燕", "城东中学", "小学教师资格", "合格", "随机抽取", "", ""),))
    assert rec.rows[0].name == "张晓燕" and isinstance(rec.rows[0], SampledRow)


@pytest.mark.parametrize(("rate", "shown"), [(Decimal("0.10"), "10%"), (0.1, "10%"), (Decimal("0.125"), "12.5%"),
                                             (Decimal("1"), "100%"), (0.05, "5%")])
def test_percent(rate, shown):
    assert percent(rate) == shown


def test_the_record_takes_plain_data():
    rec = SamplingRecord(
        title="2026年教师资格定期注册复审抽查记录", district="黔江区", drawn_at=datetime(2026, 12, 4, 9, 30),
        drawn_by="李明", population_size=1, population_hash="0" * 64, seed="s", seed_hash="1" * 64,
        rate=Decimal("0.1"), strata_description="按学校分层", include_non_qualified=False,
    )
    assert build_sampling_record(rec).startswith(b"%PDF")


def test_the_command_line_writes_a_sample(tmp_path):
    out = tmp_path / "record.pdf"
    sampling_record.main([str(out), "--rows", "5"])
    assert out.read_bytes().startswith(b"%PDF")


@needs_poppler
def test_the_caption_counts_each_reason(tmp_path):
    rec = sample_record(rows=6)
    widened = SampledRow(7, "王建国", "重庆市黔江中学校", "高级中学教师资格", "合格", "widened")
    rec = replace(rec, rows=(*rec.rows, widened))
    counts = {label: sum(1 for r in rec.rows if sampling.REASON_LABELS.get(r.reason, r.reason) == label)
              for label in sampling.REASON_LABELS.values()}
    text = squeezed(text_of(build_sampling_record(rec), tmp_path))

    expected = "，".join(f"{label}{n}人" for label, n in counts.items() if n)
    assert f"抽中名单（共7人：{expected}）" in text
    assert "扩大抽查（整层）1人" in expected
