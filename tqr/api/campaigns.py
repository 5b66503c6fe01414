"""Round announcement and registration administrators: the same forms and services as the pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from tqr.accounts.permissions import can, get_visible_or_404, require, visible_rounds
from tqr.api.openapi import body_example
from tqr.api.schemas import (
    AdministratorIn,
    AdministratorOut,
    AnnouncementIn,
    AnnouncementOut,
    ErrorOut,
    FieldErrorsOut,
)
from tqr.campaigns import services
from tqr.campaigns.forms import AdministratorForm, AnnouncementForm, AttachmentForm
from tqr.campaigns.selectors import units_for_administrators

router = Router(tags=["注册年度"])


def form_errors(form) -> dict:
    return {"detail": _("提交的内容有误，请按提示修改"), "errors": {k: list(v) for k, v in form.errors.items()}}


def announcement_out(round_, announcement) -> dict:
    return {
        **{f: getattr(announcement, f) or ("" if f != "training_starts_at" else None)
           for f in services.ANNOUNCEMENT_FIELDS},
        "published_at": announcement.published_at,
        "contacts": [{"name": c.name, "organisation": c.organisation, "phone": c.phone}
                     for c in announcement.contacts.all()],
        "attachments": [{"number": a.number, "title": a.title,
                         "url": reverse("attachment_download", args=[round_.pk, a.number])}
                        for a in announcement.attachments.all()],
    }


@router.get("/rounds/{round_id}/announcement", response={200: AnnouncementOut, 404: ErrorOut},
            summary="工作通知（已发布的；区县审核人员可看草稿）")
def announcement(request, round_id: int):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "announcement.view", round_)
    ann = getattr(round_, "announcement", None)
    if ann is None or (ann.published_at is None and not can(request.user, "announcement.publish", round_)):
        return Status(404, {"detail": _("本年度尚未发布工作通知")})
    return announcement_out(round_, ann)


@router.put("/rounds/{round_id}/announcement", response={200: AnnouncementOut, 400: FieldErrorsOut, 404: ErrorOut},
            summary="保存工作通知（区县）")
def announcement_save(request, round_id: int, body: AnnouncementIn):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "announcement.publish", round_)
    data = body.dict()
    data["contacts"] = "\n".join(f"{c['name']}，{c['organisation']}，{c['phone']}" for c in data["contacts"])
    form = AnnouncementForm(data)
    if not form.is_valid():
        return Status(400, form_errors(form))
    cleaned = dict(form.cleaned_data)
    contacts = cleaned.pop("contacts")
    ann = services.announcement_save(round_=round_, data=cleaned, contacts=contacts, actor=request.user)
    return announcement_out(round_, ann)


@router.post("/rounds/{round_id}/announcement/publish", response={200: AnnouncementOut, 404: ErrorOut},
             summary="发布工作通知（区县）")
def announcement_publish(request, round_id: int):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "announcement.publish", round_)
    ann = getattr(round_, "announcement", None)
    if ann is None:
        return Status(404, {"detail": _("请先保存工作通知")})
    return announcement_out(round_, services.announcement_publish(announcement=ann, actor=request.user))


@router.get("/rounds/{round_id}/administrators", response={200: list[AdministratorOut], 404: ErrorOut},
            summary="各单位注册管理员报送情况（区县、市级）")
def administrators(request, round_id: int, missing: bool = False):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "round.view_administrators", round_)
    return [
        {"unit_id": u.pk, "unit_code": u.code, "unit_name": u.name, "name": a.name if a else None,
         "phone": a.phone if a else None, "email": a.email if a else None, "named_at": a.named_at if a else None}
        for u, a in units_for_administrators(round_) if not missing or a is None
    ]


@router.put("/rounds/{round_id}/administrator", response={200: AdministratorOut, 400: FieldErrorsOut, 404: ErrorOut},
            summary="报送本单位注册管理员（学校）")
def name_administrator(request, round_id: int, body: AdministratorIn):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    unit = request.user.organisation
    require(request, "unit.name_administrator", unit)
    form = AdministratorForm(body.dict())
    if not form.is_valid():
        return Status(400, form_errors(form))
    a = services.administrator_name(round_=round_, unit=unit, actor=request.user, **form.cleaned_data)
    return {"unit_id": unit.pk, "unit_code": unit.code, "unit_name": unit.name, "name": a.name, "phone": a.phone,
            "email": a.email, "named_at": a.named_at}


@router.post("/rounds/{round_id}/announcement/attachments",
             response={201: AnnouncementOut, 400: FieldErrorsOut, 403: ErrorOut, 404: ErrorOut},
             summary="上传工作通知附件（区县；PDF、Word、Excel、WPS、图片或文本，≤10 MB）",
             openapi_extra=body_example({"title": "重庆市2026年教师资格定期注册情况统计表", "file": "统计表.xlsx"},
                                        "multipart/form-data"))
def announcement_attach(request, round_id: int, title: Form[str], file: File[UploadedFile]):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "announcement.publish", round_)
    ann = getattr(round_, "announcement", None)
    if ann is None:
        return Status(404, {"detail": _("请先保存工作通知")})
    form = AttachmentForm({"title": title}, {"file": file})
    if not form.is_valid():
        return Status(400, form_errors(form))
    services.announcement_attach(announcement=ann, title=form.cleaned_data["title"],
                                 upload=form.cleaned_data["file"], actor=request.user)
    return Status(201, announcement_out(round_, ann))
