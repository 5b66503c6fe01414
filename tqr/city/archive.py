"""资料归档: for each teacher a package (the final 申请表, the 考核鉴定表, the notice entry, the sampling and
review record, the history) with a manifest of SHA-256; for a school or the district, a ZIP of all of them,
built in the background and streamed into the job's file (never held in memory whole).

The package is filed with the official documents, so it is written in Chinese (the system's language) whatever
language the person who started it chose: its labels are rendered under `translation.override`."""

from __future__ import annotations

import hashlib
import json
import zipfile

from django.conf import settings
from django.utils import timezone, translation

from tqr.applications.documents import application_form_pdf, assessment_form_data
from tqr.applications.models import Application
from tqr.core import jobs
from tqr.documents.assessment_form import build_assessment_form
from tqr.rules.flow import STATE_LABELS, State


def _text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def teacher_package(app: Application) -> dict[str, bytes]:
    """The files of one teacher's package, by name (the manifest is added by the caller)."""
    from tqr.core.templatetags.tqr import EVENT_LABELS

    files = {
        "申请表.pdf": application_form_pdf(app),
        "考核鉴定表.pdf": build_assessment_form(assessment_form_data(app)),
    }
    entry = getattr(app, "notice_entry", None)
    files["公示情况.txt"] = _text([
        f"公示：{entry.notice.title}" if entry else "未列入公示",
        *([f"公示期：{entry.notice.start_date}至{entry.notice.end_date}",
           f"序号 {entry.number}：{entry.name}，{entry.unit}，{entry.qualification_type}，{entry.registration_kind}，"
           f"初审结论 {entry.conclusion}"] if entry else []),
        f"公示情况：{app.notice_note or '—'}",
    ])
    item = getattr(app, "sample_item", None)
    files["复审情况.txt"] = _text([
        f"复审抽查：{'抽中（' + item.get_reason_display() + '）' if item else '未抽中'}",
        *([f"核查结果：{item.get_result_display() or '未核查'}", f"说明：{item.note or '—'}",
           f"区县答复：{item.answered_at or '—'}"] if item else []),
        f"注册结论：{app.get_conclusion_display() or '—'}",
        f"结论理由：{app.conclusion_reason or '—'}",
    ])
    files["办理记录.txt"] = _text([
        f"{timezone.localtime(e.ts):%Y-%m-%d %H:%M} {EVENT_LABELS.get(e.action, e.action)}"
        f"{' · ' + str(e.actor) if e.actor else ''}{'：' + e.note if e.note else ''}"
        for e in app.events.select_related("actor").order_by("ts", "id")
    ])
    return files


def manifest(files: dict[str, bytes]) -> bytes:
    return json.dumps({name: {"sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}
                       for name, body in sorted(files.items())}, ensure_ascii=False, indent=2).encode("utf-8")


def archive_applications(round_id: int, unit_id: int | None):
    qs = Application.objects.filter(round_id=round_id, state=State.FINAL).select_related(
        "round", "round__district", "teacher", "confirmation_point", "unit", "registration_body")
    if unit_id:
        qs = qs.filter(confirmation_point_id=unit_id)
    return qs.order_by("confirmation_point__code", "name", "id")


@jobs.register("archive")
def build_archive(job, out, progress) -> None:
    # The job may run in the request that started it (the immediate task backend): not in its language.
    with translation.override(settings.LANGUAGE_CODE):
        _build_archive(job, out, progress)


def _build_archive(job, out, progress) -> None:
    apps = archive_applications(job.params["round"], job.params.get("unit"))
    total = apps.count()
    progress(0, total)
    lines = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n, app in enumerate(apps.iterator(chunk_size=50), start=1):
            folder = f"{app.confirmation_point.display_name}/{app.number}-{app.name}"
            files = teacher_package(app)
            files["manifest.json"] = manifest(files)
            for name, body in files.items():
                zf.writestr(f"{folder}/{name}", body)
                lines.append(f"{hashlib.sha256(body).hexdigest()}  {folder}/{name}")
            progress(n, total)
        zf.writestr("SHA256SUMS.txt", "\n".join(lines) + "\n")
        zf.writestr("说明.txt", "本归档包由 TQR 生成。每位教师一个文件夹，manifest.json 记录各文件的 SHA-256；"
                                "SHA256SUMS.txt 可用 sha256sum -c 核验全部文件。\n"
                                f"状态：{STATE_LABELS[State.FINAL]}；生成时间：{timezone.localtime():%Y-%m-%d %H:%M}\n")
