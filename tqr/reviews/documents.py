"""The notice as a PDF: the published entries into the builder's plain dataclasses."""

from __future__ import annotations

from tqr.documents import notice as builder
from tqr.reviews.models import Notice


def notice_body(notice: Notice) -> tuple[str, ...]:
    return (
        f"根据教师资格定期注册工作安排，经学校现场确认、区县初审，现将{notice.round.title}初审结果予以公示。",
        f"公示时间：{notice.start_date:%Y年%m月%d日}至{notice.end_date:%Y年%m月%d日}（{notice.workdays}个工作日）。",
        f"公示期间，如对公示对象有异议，请通过网上公示页面或以下方式实名反映：{notice.objection_contact}",
        "为保护个人信息，公示仅列姓名、任教学校、资格种类、注册类型和初审结论，不公开身份证号码、联系方式及结论理由。",
    )


def notice_pdf(notice: Notice, request=None) -> bytes:
    doc = builder.NoticeDocument(
        title=notice.title, document_number=notice.document_number, issuing_body=notice.issuing_body,
        body=notice_body(notice),
        entries=tuple(builder.NoticeEntry(number=e.number, name=e.name, unit=e.unit,
                                          qualification_type=e.qualification_type,
                                          registration_kind=e.registration_kind, conclusion=e.conclusion,
                                          distinguisher=e.distinguisher)
                      for e in notice.entries.all()),
        issued_on=notice.start_date,
        public_url=request.build_absolute_uri(f"/notices/{notice.slug}/") if request is not None else "",
    )
    return builder.build_notice_pdf(doc)
