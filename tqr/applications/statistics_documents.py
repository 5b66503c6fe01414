"""附件3 as a document: our counts (tqr.applications.statistics) into the builder's plain dataclasses."""

from __future__ import annotations

from django.utils import timezone

from tqr.documents.statistics import (
    NotAppliedTeacher,
    StatisticsRow,
    StatisticsTable,
    build_statistics_pdf,
    build_statistics_xlsx,
)
from tqr.documents.xlsx import XLSX_TYPE


def statistics_row(label: str, stats: dict) -> StatisticsRow:
    return StatisticsRow(
        label=label, in_scope=stats["in_scope"], applied=stats["applied"], confirmed=stats["confirmed"],
        abandoned=stats["abandoned"], not_applied=stats["not_applied"], by_qualification=stats["by_type"],
        by_kind=stats["by_kind"], by_conclusion=stats["by_conclusion"], reasons=stats.get("reasons", {}),
    )


def statistics_table(round_, unit_stats, *, filled_by: str = "", phone: str = "", subtitle: str = "") -> StatisticsTable:
    return StatisticsTable(
        title=f"{round_.district.parent.name if round_.district.parent_id else ''}{round_.year}年教师资格定期注册情况统计表",
        subtitle=subtitle or f"填报单位：{unit_stats[0][0].name if len(unit_stats) == 1 else round_.district.name}",
        rows=tuple(statistics_row(u.name, s) for u, s in unit_stats),
        filled_by=filled_by, phone=phone, filled_on=timezone.localdate(),
        not_applied_teachers=tuple(NotAppliedTeacher(p["name"], u.name, p["reason"])
                                   for u, s in unit_stats for p in s["not_applied_list"]),
    )


def statistics_document(round_, unit_stats, *, fmt: str, filled_by: str = "", phone: str = "") -> tuple[bytes, str, str]:
    table = statistics_table(round_, unit_stats, filled_by=filled_by, phone=phone)
    name = f"教师资格定期注册情况统计表-{unit_stats[0][0].display_name if len(unit_stats) == 1 else round_.district.name}-{round_.year}"
    if fmt == "pdf":
        return build_statistics_pdf(table), "application/pdf", f"{name}.pdf"
    return build_statistics_xlsx(table), XLSX_TYPE, f"{name}.xlsx"
