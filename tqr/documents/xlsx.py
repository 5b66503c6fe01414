"""Excel export: plain rows in, XLSX bytes out (XlsxWriter, constant memory).

Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are written as literal text with a
leading apostrophe (CSV/formula injection, ASVS 1.2.10); ID-like digit strings stay text, never numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import xlsxwriter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def build_xlsx(sheet: str, headers: Sequence[str], rows: Iterable[Sequence], *, title: str | None = None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#F0F3F6", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    row_no = 0
    if title:
        ws.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
        row_no = 2
    ws.write_row(row_no, 0, headers, bold)
    widths = [max(8, len(h) * 2 + 2) for h in headers]
    for row in rows:
        row_no += 1
        for col, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_datetime(row_no, col, value.replace(tzinfo=None), time_fmt)
            elif isinstance(value, date):
                ws.write_datetime(row_no, col, datetime(value.year, value.month, value.day), date_fmt)
            elif value is None:
                ws.write_blank(row_no, col, None)
            elif isinstance(value, bool | int | float):
                ws.write(row_no, col, value)
            else:
                text = str(safe_cell(value))
                ws.write_string(row_no, col, text)
                widths[col] = min(60, max(widths[col], len(text) * 2))
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(row_no and (3 if title else 1), 0)
    book.close()
    return buffer.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
