"""The teacher's online application (网上报名): a wizard that saves at every step, a status page, the PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tqr.accounts.permissions import get_visible_or_404, require, visible_applications
from tqr.applications import services
from tqr.applications.documents import application_form_pdf
from tqr.applications.forms import (
    CertificateForm,
    IdentityForm,
    InterruptionFormSet,
    PhotoForm,
    TermsForm,
    interruptions_data,
)
from tqr.applications.models import Application
from tqr.applications.overview import teacher_overview
from tqr.applications.selectors import STEPS, status_context
from tqr.applications.services import ApplicationError
from tqr.audit.services import record
from tqr.campaigns.selectors import current_round, today
from tqr.core.downloads import attachment_response
from tqr.documents.photos import PhotoError
from tqr.rules import flow
from tqr.rules.flow import Actor, State

STEP_FORMS = {2: TermsForm, 3: IdentityForm, 4: CertificateForm}
STEP_TEMPLATES = {1: "readme", 2: "terms", 3: "identity", 4: "certificate", 5: "notices", 6: "data"}


def _own_application(request, round_id: int) -> Application:
    # The round with its windows in one go: the pages ask the windows several times (phase, edit rights,
    # timeline); Round.windows() reads the prefetch cache.
    applications = visible_applications(request.user).select_related(
        "round", "unit", "confirmation_point", "registration_body", "teacher__user").prefetch_related(
        "round__phase_windows")
    return get_visible_or_404(request, applications, round_id=round_id, teacher__user_id=request.user.pk)


def _context(request, app: Application, step: int, **extra) -> dict:
    day = today()
    return {
        "app": app, "round": app.round, "step": step, "steps": STEPS,
        "edit_refusal": flow.can_edit(State(app.state), app.round.windows(), day),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def apply_entry(request):
    """网上报名 entry: the current round's application, or the read-me and a button to start one."""
    round_ = current_round(request.user)
    if round_ is None:
        raise Http404
    require(request, "round.apply", round_)
    existing = Application.objects.filter(round=round_, teacher__user=request.user).first()
    if existing is not None:
        return redirect("apply_status", round_id=round_.pk)
    if request.method == "POST":
        services.application_start(round_=round_, teacher=request.user.teacher, actor=request.user)
        return redirect("apply_step", round_id=round_.pk, step=2)
    refusal = flow.can_edit(State.DRAFT, round_.windows(), today())
    return render(request, "applications/step_readme.html", {"round": round_, "step": 1, "steps": STEPS,
                                                              "app": None, "edit_refusal": refusal})


@login_required
@require_http_methods(["GET", "POST"])
def apply_step(request, round_id: int, step: int):
    app = _own_application(request, round_id)
    if step not in STEP_TEMPLATES:
        raise Http404
    if step == 6:
        return _data_step(request, app)
    form_class = STEP_FORMS.get(step)
    form = None
    if request.method == "POST":
        form = form_class(request.POST, application=app) if form_class else None
        if form is None or form.is_valid():
            data = dict(form.cleaned_data) if form else {}
            if step == 3:
                from tqr.applications.forms import identity_derived

                data["birth_date"] = identity_derived(data["id_number"])["birth_date"]
                for w in form.warnings():
                    messages.warning(request, w)
            accept = data.pop("accept", False)
            try:
                services.application_save(application=app, data=data, actor=request.user, step=step,
                                          accept_terms=accept, version=_version(request))
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("apply_step", round_id=round_id, step=step)
            return redirect("apply_step", round_id=round_id, step=step + 1) if step < 6 else redirect(
                "apply_status", round_id=round_id)
    if form_class is not None and form is None:
        form = form_class(initial=_initial(app, step), application=app)
    return render(request, f"applications/step_{STEP_TEMPLATES[step]}.html", _context(request, app, step, form=form))


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _initial(app: Application, step: int) -> dict:
    if step == 2:
        return {"accept": app.terms_accepted_at is not None}
    fields = services.STEP_FIELDS.get(step, ())
    return {f: getattr(app, f"{f}_id", None) or getattr(app, f) for f in fields}


def _data_step(request, app: Application):
    from tqr.applications.forms import ApplicationDataForm

    if request.method == "POST":
        form = ApplicationDataForm(request.POST, application=app)
        formset = InterruptionFormSet(request.POST, prefix="int")
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            data["interruptions"] = interruptions_data(formset)
            try:
                services.application_save(application=app, data=data, actor=request.user, step=6,
                                          version=_version(request))
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("apply_step", round_id=app.round_id, step=6)
            messages.success(request, _("申请信息已保存。"))
            return redirect("apply_status", round_id=app.round_id) if app.photo else redirect(
                "apply_photo", round_id=app.round_id)
    else:
        form = ApplicationDataForm(initial=_initial(app, 6), application=app)
        formset = InterruptionFormSet(prefix="int", initial=app.interruptions)
    return render(request, "applications/step_data.html", _context(request, app, 6, form=form, formset=formset))


@login_required
@require_http_methods(["GET", "POST"])
def apply_photo(request, round_id: int):
    """Upload → re-encoded to 295×413 JPEG → shown → the teacher keeps it or uploads another."""
    app = _own_application(request, round_id)
    form = PhotoForm()
    if request.method == "POST":
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.application_set_photo(application=app, upload=form.cleaned_data["photo"].read(),
                                               crop=form.crop(), actor=request.user, version=_version(request))
            except PhotoError as exc:
                form.add_error("photo", exc.message)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("apply_photo", round_id=round_id)
            else:
                messages.success(request, _("照片已保存，请核对下方效果；不满意可重新上传。"))
                return redirect("apply_photo", round_id=round_id)
    return render(request, "applications/step_photo.html", _context(request, app, 6, form=form))


@login_required
@require_GET
def apply_photo_image(request, round_id: int):
    app = _own_application(request, round_id)
    if not app.photo:
        raise Http404
    response = FileResponse(app.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def apply_status(request, round_id: int):
    """The teacher's page: the timeline through the round, the next step with its deadline and working days left,
    what is missing, the materials to bring, the registration history, the inbox and what the rules say."""
    app = _own_application(request, round_id)
    day = today()
    actions = flow.available(State(app.state), Actor.TEACHER, app.round.windows(), day)
    overview = teacher_overview(app, day, user=request.user, inbox=5)
    return render(request, "applications/status.html", _context(
        request, app, 7, missing=services.missing_items(app), actions=actions, overview=overview, day=day,
        **status_context(app, day)))


@login_required
@require_POST
def apply_transition(request, round_id: int, action: str):
    """Submit or resubmit: the same available-actions check as the buttons, re-done on the POST."""
    app = _own_application(request, round_id)
    if action not in ("submit", "resubmit"):
        raise Http404
    if app.state == State.SUBMITTED and _version(request) is not None and _version(request) < app.version:
        # A double click: the first click submitted it; the second lands on the same result.
        return redirect("apply_status", round_id=round_id)
    try:
        services.application_transition(application=app, action=action, actor=request.user,
                                        version=_version(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("申请已提交。请下载并打印《申请表》一式2份，按时到学校现场确认。"))
    return redirect("apply_status", round_id=round_id)


@login_required
@require_GET
def apply_form_pdf(request, round_id: int):
    """The 申请表, always from the current data."""
    app = _own_application(request, round_id)
    record("application.form_pdf", obj=app)
    return attachment_response(HttpResponse(application_form_pdf(app), content_type="application/pdf"),
                               f"教师资格定期注册申请表-{app.number}.pdf")  # i18n: data (the official form's name)

