from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tqr.accounts.permissions import can, get_visible_or_404, require, visible_rounds
from tqr.audit.services import record
from tqr.campaigns import services
from tqr.campaigns.forms import AdministratorForm, AnnouncementForm, AttachmentForm
from tqr.campaigns.models import AnnouncementAttachment
from tqr.campaigns.selectors import today, units_for_administrators
from tqr.core.downloads import attachment_response
from tqr.documents.xlsx import XLSX_TYPE, build_xlsx


@login_required
def round_detail(request, round_id: int):
    """The round's announcement: text, phases with dates, contacts, training session, attachments."""
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "announcement.view", round_)
    day = today()
    announcement = getattr(round_, "announcement", None)
    may_manage = can(request.user, "announcement.publish", round_)
    if announcement is not None and announcement.published_at is None and not may_manage:
        announcement = None  # a draft notice is the district's until it is published
    return render(request, "campaigns/round_detail.html", {
        "round": round_,
        "status": round_.status(day),
        "windows": round_.timeline(),
        "announcement": announcement,
        "may_manage": may_manage,
        "day": day,
    })


def _announcement_initial(announcement) -> dict:
    if announcement is None:
        return {}
    initial = {f: getattr(announcement, f) for f in services.ANNOUNCEMENT_FIELDS}
    initial["contacts"] = "\n".join(f"{c.name}，{c.organisation}，{c.phone}" for c in announcement.contacts.all())
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def announcement_edit(request, round_id: int):
    """The district writes the round's notice, its contacts and attachments, then publishes it."""
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "announcement.publish", round_)
    announcement = getattr(round_, "announcement", None)
    form = AnnouncementForm(initial=_announcement_initial(announcement))
    # Both forms have a title: the attachment's fields get their own ids (one id per page).
    upload_form = AttachmentForm(auto_id="id_attachment_%s")
    if request.method == "POST" and request.POST.get("form") == "attachment" and announcement is not None:
        upload_form = AttachmentForm(request.POST, request.FILES, auto_id="id_attachment_%s")
        if upload_form.is_valid():
            services.announcement_attach(announcement=announcement, title=upload_form.cleaned_data["title"],
                                         upload=upload_form.cleaned_data["file"], actor=request.user)
            messages.success(request, _("附件已上传。"))
            return redirect("announcement_edit", round_id=round_.pk)
    elif request.method == "POST":
        form = AnnouncementForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            contacts = data.pop("contacts")
            services.announcement_save(round_=round_, data=data, contacts=contacts, actor=request.user)
            messages.success(request, _("工作通知已保存。"))
            return redirect("announcement_edit", round_id=round_.pk)
    return render(request, "campaigns/announcement_edit.html", {
        "round": round_, "announcement": announcement, "form": form, "upload_form": upload_form,
    })


@login_required
@require_http_methods(["POST"])
def announcement_publish(request, round_id: int):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "announcement.publish", round_)
    announcement = getattr(round_, "announcement", None)
    if announcement is None:
        messages.error(request, _("请先填写并保存工作通知。"))
        return redirect("announcement_edit", round_id=round_.pk)
    services.announcement_publish(announcement=announcement, actor=request.user)
    messages.success(request, _("工作通知已发布，本区学校和教师登录后即可看到。"))
    return redirect("round_detail", round_id=round_.pk)


@login_required
def attachment_download(request, round_id: int, number: int):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "announcement.view", round_)
    attachment = AnnouncementAttachment.objects.filter(announcement__round=round_, number=number).first()
    if attachment is None:
        raise Http404
    record("file.download", obj=attachment, data={"round": round_.pk, "number": number})
    if attachment.file:
        return attachment_response(
            FileResponse(attachment.file.open("rb")),
            attachment.original_name or f"附件{number}",  # i18n: data (the notice's own numbering of its attachments)
        )
    # The attachment as the district wrote it, headed by the notice's own numbering: a part of the notice.
    body = f"附件{attachment.number}：{attachment.title}\n\n{attachment.text}\n"  # i18n: data (the notice's own numbering)
    return attachment_response(
        HttpResponse(body.encode("utf-8"), content_type="text/plain; charset=utf-8"),
        f"附件{attachment.number} {attachment.title}.txt",  # i18n: data (the notice's own numbering of its attachments)
    )


@login_required
@require_http_methods(["GET", "POST"])
def name_administrator(request, round_id: int):
    """A school names its registration administrator (注册管理员) for the round."""
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    unit = request.user.organisation
    require(request, "unit.name_administrator", unit)
    current = round_.administrators.filter(unit=unit).first()
    if request.method == "POST":
        form = AdministratorForm(request.POST)
        if form.is_valid():
            services.administrator_name(round_=round_, unit=unit, actor=request.user, **form.cleaned_data)
            messages.success(request, _("注册管理员已报送。"))
            return redirect("home")
    else:
        initial = (
            {"name": current.name, "phone": current.phone, "email": current.email} if current else
            {"name": request.user.display_name, "phone": request.user.phone, "email": request.user.email}
        )
        form = AdministratorForm(initial=initial)
    return render(request, "campaigns/name_administrator.html", {"round": round_, "unit": unit, "form": form,
                                                                 "current": current})


@login_required
def administrators_overview(request, round_id: int):
    """The district sees which units have named their administrator, missing ones first."""
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "round.view_administrators", round_)
    all_rows = units_for_administrators(round_)
    missing = sum(1 for _unit, admin in all_rows if admin is None)
    show = "missing" if request.GET.get("show") == "missing" else "all"
    rows = [r for r in all_rows if r[1] is None] if show == "missing" else all_rows
    if request.GET.get("format") == "xlsx":
        record("export.administrators", obj=round_, data={"rows": len(rows), "show": show})
        # The district's own working list (no other office reads it back): in the reader's language.
        not_named = _("未报送")
        body = build_xlsx(
            _("注册管理员"),
            [_("机构代码"), _("单位（法人机构全称）"), _("类型"), _("注册管理员"), _("手机号码"), _("电子邮箱"),
             _("报送时间")],
            ([u.code, u.name, str(u.get_kind_display()), a.name if a else not_named, a.phone if a else "",
              a.email if a else "", timezone.localtime(a.named_at) if a else None] for u, a in rows),
            title=_("%(round)s 注册管理员报送情况") % {"round": round_.title},
        )
        filename = _("注册管理员报送情况-%(year)s.xlsx") % {"year": round_.year}
        return attachment_response(HttpResponse(body, content_type=XLSX_TYPE), filename)
    return render(request, "campaigns/administrators.html", {
        "round": round_, "rows": rows, "missing": missing, "show": show, "total": len(all_rows),
    })
