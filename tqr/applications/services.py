"""Writes for applications. `application_transition` is the only function that changes an application's state.

Every write locks the row, checks the version the user saw (a stale form is a conflict, never a silent
overwrite), asks the pure flow rules whether this actor may do this now, writes the change with a history
row and an audit row in one transaction, and leaves side effects (mail) to after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tqr.accounts.models import Role
from tqr.applications.models import Application, ApplicationEvent
from tqr.audit.services import audit_event, record, record_many
from tqr.campaigns.evaluation import build_case, choose_certificate
from tqr.campaigns.models import Round
from tqr.core.rules_text import rule_text
from tqr.rules import flow
from tqr.rules.engine import evaluate_dict
from tqr.rules.flow import Actor, State
from tqr.rules.identifiers import mask_resident_id
from tqr.teachers.models import TeacherProfile

# Fields a teacher may write, step by step. Anything else in a request is ignored (mass assignment).
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    3: ("id_type", "id_number", "certificate_number"),
    4: ("name", "gender", "ethnicity", "birth_date", "cert_type", "cert_subject", "certifying_body",
        "cert_issue_date", "registration_body", "confirmation_point"),
    6: ("unit", "post_level", "subject", "title", "hire_date", "phone", "assessments", "training_hours",
        "interruptions"),
}
EDITABLE_FIELDS = frozenset(f for fields in STEP_FIELDS.values() for f in fields)
SECRET_FIELDS = {"id_number"}  # shown masked in the history


def _interpolate(text, params: dict) -> str:
    return text % params  # a gettext_lazy text, or an ngettext_lazy one whose number is a key of params


# gettext_lazy("…%(n)s…") % {...} is translated at once; lazy_text(gettext_lazy("…%(n)s…"), {...}) waits until the
# text is read, so that the same refusal is shown in the user's language and kept in the audit log in the system's.
lazy_text = lazy(_interpolate, str)


def in_system_language(text) -> str:
    """`text` (a lazy translation) said in the system's language (settings.LANGUAGE_CODE), whatever the acting
    user chose: for what is stored for others to read later (audit rows, the application's history)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


class ApplicationError(Exception):
    """A refused write. `status` is what the API answers (403 not allowed, 409 conflict or wrong state).

    `message` is said in the active language when it is read: raise with a lazy text (gettext_lazy, lazy_text) so
    that a batch can show it to the user and log it in the system's language (`text`)."""

    def __init__(self, message, *, code: str = "refused", status: int = 409):
        super().__init__(message)
        self.text, self.code, self.status = message, code, status

    @property
    def message(self) -> str:
        return str(self.text)

    def __str__(self) -> str:
        return self.message


def today() -> date:
    return timezone.localdate()


def actor_kind(user, application: Application) -> Actor | None:
    """Which flow actor this user is for this application (None: no part in it)."""
    if user is None:
        return Actor.SYSTEM
    if user.role == Role.TEACHER and application.teacher.user_id == user.pk:
        return Actor.TEACHER
    if user.role == Role.SCHOOL_ADMIN and user.organisation_id == application.confirmation_point_id:
        return Actor.SCHOOL
    if user.role == Role.DISTRICT_REVIEWER and user.organisation_id == application.round.district_id:
        return Actor.DISTRICT
    if user.role in (Role.CITY_REVIEWER, Role.CITY_APPROVER) and \
            user.organisation_id == application.round.district.parent_id:
        return Actor.CITY
    return None


def _number(round_: Round, pk: int) -> str:
    return f"{round_.year}{round_.district.code}{pk:06d}"


def _history(application: Application, actor, action: str, *, before: str = "", note: str = "",
             changes: dict | None = None) -> None:
    ApplicationEvent.objects.create(application=application, actor=actor, action=action, from_state=before,
                                    to_state=application.state, note=note, changes=changes or {})


def refresh_evaluation(application: Application) -> dict:
    """What the rules say about the data as the teacher entered it (shown before submitting)."""
    case = build_case(application.round, application.teacher, application)
    application.evaluation = evaluate_dict(case, application.round.rule_settings) if case else {}
    return application.evaluation


def draft_application(round_: Round, teacher: TeacherProfile) -> Application:
    """A new, unsaved draft for this teacher, prefilled from the school's records (facts read through the
    teacher's related managers, so a prefetched teacher costs no query)."""
    cert = choose_certificate(teacher)
    years = range(round_.year - 5, round_.year)
    return Application(
        round=round_, teacher=teacher, number=f"pending-{teacher.pk}-{round_.pk}", step=1,
        id_number=teacher.id_number, certificate_number=cert.number if cert else "",
        name=teacher.name, gender=teacher.gender, ethnicity=teacher.ethnicity, birth_date=teacher.birth_date,
        cert_type=cert.cert_type if cert else "", cert_subject=cert.subject if cert else "",
        certifying_body=cert.certifying_body if cert else "", cert_issue_date=cert.issue_date if cert else None,
        registration_body_id=round_.district_id,
        # A seconded teacher registers, and is confirmed, at the lending unit (借出单位).
        confirmation_point_id=teacher.seconded_from_id or teacher.unit_id,
        unit_id=teacher.unit_id, post_level=teacher.post_level, subject=teacher.subject, title=teacher.title,
        hire_date=teacher.hire_date, phone=teacher.phone,
        assessments={str(a.year): a.grade for a in teacher.assessments.all() if a.year in years},
        training_hours=sum(t.hours for t in teacher.training.all() if t.year in years),
        interruptions=[
            {"start": i.start_date.isoformat(), "end": i.end_date.isoformat(), "approved": i.approved,
             "note": i.note}
            for i in teacher.interruptions.all() if i.end_date.year >= round_.year - 5
        ],
    )


def number_of(app: Application) -> str:
    """The application's number (年度 + 区县代码 + 序号), once it has its primary key."""
    return _number(app.round, app.pk)


@transaction.atomic
def application_start(*, round_: Round, teacher: TeacherProfile, actor) -> Application:
    """The teacher's application of this round, created as a draft prefilled from the school's records.

    One application per teacher per round (a unique constraint); a second call returns the first.
    """
    existing = Application.objects.filter(round=round_, teacher=teacher).first()
    if existing is not None:
        return existing
    app = draft_application(round_, teacher)
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError:  # a concurrent first request created it: use that one
        return Application.objects.get(round=round_, teacher=teacher)
    app.number = _number(round_, app.pk)
    refresh_evaluation(app)
    app.save(update_fields=["number", "evaluation"])
    _history(app, actor, "create")
    record("application.create", actor=actor, obj=app, data={"round": round_.pk})
    return app


def _locked(application: Application, version: int | None) -> Application:
    app = (Application.objects.select_for_update(of=("self",))
           .select_related("round", "round__district", "teacher").prefetch_related("round__phase_windows")
           .get(pk=application.pk))
    if version is not None and app.version != version:
        raise ApplicationError(gettext_lazy("申请已在别处被修改（可能是学校刚刚处理了它），请刷新页面后再操作。"),
                               code="stale", status=409)
    return app


def _shown(field: str, value) -> object:
    if field in SECRET_FIELDS and value:
        return mask_resident_id(str(value))
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    return value


def application_save(*, application: Application, data: dict, actor, version: int | None = None,
                     step: int | None = None, accept_terms: bool = False) -> Application:
    """Write what the teacher entered (only editable fields), with the changes kept in the history."""
    try:
        return _save(application=application, data=data, actor=actor, version=version, step=step,
                     accept_terms=accept_terms)
    except ApplicationError as exc:
        record("application.edit", actor=actor, obj=application,
               result="conflict" if exc.code == "stale" else "denied", data={"reason": exc.code})
        raise


@transaction.atomic
def _save(*, application: Application, data: dict, actor, version: int | None, step: int | None,
          accept_terms: bool) -> Application:
    app = _locked(application, version)
    changes = apply_edit(app, data=data, actor=actor, step=step, accept_terms=accept_terms)
    if changes or step is not None:
        app.save()
    if changes:
        _history(app, actor, "edit", before=app.state, changes=changes)
        record("application.edit", actor=actor, obj=app, data={"fields": sorted(changes)})
    return app


def apply_edit(app: Application, *, data: dict, actor, step: int | None = None, accept_terms: bool = False) -> dict:
    """Check and make the teacher's edit on `app` in memory (nothing is written); returns the changes.

    Raises ApplicationError on a refusal. `_save` calls it on the locked row; the demo's batched round on
    preloaded rows."""
    if actor_kind(actor, app) != Actor.TEACHER:
        raise ApplicationError(gettext_lazy("只有申请人本人可以修改申请"), code="wrong_actor", status=403)
    refusal = flow.can_edit(State(app.state), app.round.windows(), today())
    if refusal is not None:
        raise ApplicationError(rule_text(refusal), code=refusal.code, status=409)
    changes = {}
    for field, value in data.items():
        if field not in EDITABLE_FIELDS:
            continue
        old = getattr(app, field)
        if _shown(field, old) != _shown(field, value):
            changes[field] = [_shown(field, old), _shown(field, value)]
            setattr(app, field, value)
    if accept_terms and app.terms_accepted_at is None:
        app.terms_accepted_at = timezone.now()
        changes["terms_accepted"] = [False, True]
    if step is not None and step > app.step:
        app.step = step
    if changes:
        app.version += 1
        refresh_evaluation(app)
    return changes


def application_set_photo(*, application: Application, upload: bytes, actor, crop=None,
                          version: int | None = None) -> Application:
    """Re-encode an uploaded photo (tqr.documents.photos) and keep it. PhotoError says what is wrong with it."""
    from tqr.documents.photos import process_photo

    return _set_photo(application=application, jpeg=process_photo(upload, crop=crop).jpeg, actor=actor,
                      version=version)


@transaction.atomic
def _set_photo(*, application: Application, jpeg: bytes, actor, version: int | None) -> Application:
    app = _locked(application, version)
    if actor_kind(actor, app) != Actor.TEACHER:
        raise ApplicationError(gettext_lazy("只有申请人本人可以上传照片"), code="wrong_actor", status=403)
    refusal = flow.can_edit(State(app.state), app.round.windows(), today())
    if refusal is not None:
        raise ApplicationError(rule_text(refusal), code=refusal.code, status=409)
    old = app.photo.name if app.photo else ""
    app.photo.save("photo.jpg", ContentFile(jpeg), save=False)
    app.version += 1
    app.save()
    if old:
        transaction.on_commit(lambda: app.photo.storage.delete(old))
    _history(app, actor, "photo", before=app.state, changes={"photo": [bool(old), True]})
    record("application.photo", actor=actor, obj=app, data={"bytes": len(jpeg)})
    return app


@dataclass(frozen=True)
class MissingItem:
    """One thing the teacher still has to do, and where it is done: a wizard step, the photo, the e-mail."""

    text: str
    kind: str  # step / photo / email
    step: int | None = None


def missing(app: Application) -> list[MissingItem]:
    """What the teacher still has to do before submitting, in the user's language, in wizard order."""
    items = []
    if app.terms_accepted_at is None:
        items.append(MissingItem(_("阅读并同意承诺事项（第2步）"), "step", 2))
    for field, label in (("id_number", gettext_lazy("身份证号码")), ("certificate_number", gettext_lazy("教师资格证书号码"))):
        if not getattr(app, field):
            items.append(MissingItem(_("填写%(field)s（第3步）") % {"field": label}, "step", 3))
    for field, label in (("name", gettext_lazy("姓名")), ("gender", gettext_lazy("性别")),
                         ("ethnicity", gettext_lazy("民族")), ("cert_type", gettext_lazy("资格种类")),
                         ("cert_subject", gettext_lazy("证书任教学科")), ("certifying_body", gettext_lazy("认定机构")),
                         ("cert_issue_date", gettext_lazy("证书签发日期")), ("registration_body", gettext_lazy("注册机构")),
                         ("confirmation_point", gettext_lazy("现场确认点"))):
        if not getattr(app, field) and not getattr(app, f"{field}_id", None):
            items.append(MissingItem(_("填写%(field)s（第4步）") % {"field": label}, "step", 4))
    for field, label in (("unit", gettext_lazy("任教学校")), ("post_level", gettext_lazy("任教学段")),
                         ("subject", gettext_lazy("任教学科")), ("hire_date", gettext_lazy("参加工作时间")),
                         ("phone", gettext_lazy("联系电话"))):
        if not getattr(app, field) and not getattr(app, f"{field}_id", None):
            items.append(MissingItem(_("填写%(field)s（第6步）") % {"field": label}, "step", 6))
    if app.training_hours is None:
        items.append(MissingItem(_("填写培训学时（第6步）"), "step", 6))
    if not app.photo:
        items.append(MissingItem(_("上传照片（第6步）"), "photo", 6))
    if app.teacher.user and app.teacher.user.email_verified_at is None:
        items.append(MissingItem(_("验证电子邮箱（点击注册邮件中的链接）"), "email"))
    return items


def missing_items(app: Application) -> list[str]:
    """`missing`, as the sentences the wizard lists."""
    return [item.text for item in missing(app)]

TIMESTAMPS = {"submit": "submitted_at", "resubmit": "submitted_at", "confirm": "confirmed_at"}


def application_transition(*, application: Application, action: str, actor, note: str = "",
                           version: int | None = None, day: date | None = None, conclusion: str | None = None,
                           codes: list[str] | None = None) -> Application:
    """The one writer of an application's state. `actor=None` is the system (deadlines).

    A refusal is audited outside the rolled-back transaction, so that a conflict leaves its trace
    (security-tests §54: one success and one conflict row when two reviewers act at once)."""
    try:
        return _transition(application=application, action=action, actor=actor, note=note, version=version,
                           day=day, conclusion=conclusion, codes=codes)
    except ApplicationError as exc:
        record(f"application.{action}", actor=actor, obj=application,
               result="conflict" if exc.code in ("stale", "wrong_state") else "denied", data={"reason": exc.code})
        raise


@transaction.atomic
def _transition(*, application: Application, action: str, actor, note: str, version: int | None,
                day: date | None, conclusion: str | None = None, codes: list[str] | None = None) -> Application:
    app = _locked(application, version)
    before, changes = apply_action(app, action=action, actor=actor, note=note, day=day, conclusion=conclusion,
                                   codes=codes)
    app.save()
    _history(app, actor, action, before=before, note=note, changes=changes)
    if action in NOTIFY:
        from tqr.notifications.services import notify

        notify(NOTIFY[action], application=app)  # rows written with the change; delivery after the commit
    # Last: the audit row takes the chain's lock, held until the commit (bench/findings.md, finding 8).
    record(f"application.{action}", actor=actor, obj=app,
           data={"from": before, "to": app.state, "note": note, **changes})
    return app


# Every field `apply_action` may change, for the batch writer's bulk_update.
TRANSITION_FIELDS = ("state", "version", "submitted_at", "confirmed_at", "return_reason", "confirmed_by",
                     "confirmed_facts", "abandoned_at", "conclusion", "conclusion_reason", "conclusion_codes",
                     "reviewed_by", "reviewed_at", "evaluation", "updated_at")


@transaction.atomic
def application_transition_many(*, applications, action: str, actor, note: str | Callable[[Application], str] = "",
                                day: date | None = None) -> list[Application]:
    """`application_transition` for many applications at once (publishing a notice, reporting to the city,
    the final approval): the same checks, history, audit rows and notifications, in the same order, but
    the rows locked with one query and written with a few. All or nothing: the first refusal raises and
    the transaction rolls back (as a refusal inside the callers' loop did). `note` may be a function of
    the application."""
    ids = [a.pk for a in applications]
    # Only the applications' rows are locked; the teacher and the confirmation point come for the mail.
    locked = Application.objects.select_for_update(of=("self",)).select_related(
        "teacher", "teacher__user", "confirmation_point").in_bulk(ids)
    apps = [locked[pk] for pk in ids]
    # One instance of each round, with its phase windows, for every check.
    rounds = Round.objects.select_related("district").prefetch_related("phase_windows").in_bulk(
        {a.round_id for a in apps})
    for app in apps:
        app.round = rounds[app.round_id]
    history, events = [], []
    now = timezone.now()
    for app in apps:
        text = note(app) if callable(note) else note
        before, changes = apply_action(app, action=action, actor=actor, note=text, day=day)
        app.updated_at = now  # auto_now, which bulk_update does not set
        history.append(ApplicationEvent(application=app, actor=actor, action=action, from_state=before,
                                        to_state=app.state, note=text, changes=changes))
        events.append(audit_event(f"application.{action}", actor=actor, obj=app,
                                  data={"from": before, "to": app.state, "note": text, **changes}))
    Application.objects.bulk_update(apps, TRANSITION_FIELDS, batch_size=500)
    ApplicationEvent.objects.bulk_create(history, batch_size=500)
    if action in NOTIFY:
        from tqr.notifications.services import notify

        for app in apps:
            notify(NOTIFY[action], application=app)
    record_many(events)  # last: the chain's lock is held from here to the commit (finding 8)
    return apps


def apply_action(app: Application, *, action: str, actor, note: str = "", day: date | None = None,
                 conclusion: str | None = None, codes: list[str] | None = None) -> tuple[State, dict]:
    """Check `action` against the rules and make the change on `app` in memory (nothing is written).

    Returns the state before and the changes the history and the audit row carry; raises ApplicationError
    on a refusal. `_transition` calls it on the locked row; the demo's batched round on preloaded rows."""
    kind = actor_kind(actor, app)
    before = State(app.state)
    if kind is None:
        raise ApplicationError(gettext_lazy("您无权处理该申请"), code="wrong_actor", status=403)
    refusal = flow.check(action, before, kind, app.round.windows(), day or today())
    if refusal is None and action in ("submit", "resubmit"):
        missing = missing_items(app)
        if missing:
            refusal = flow.Refusal("incomplete", _("还有以下内容未完成：%(items)s") % {"items": "；".join(missing)})
    if refusal is None and action == "return" and not note.strip():
        refusal = flow.Refusal("reason_required", gettext_lazy("退回时必须填写原因，并一次性告知需要补正的全部内容"))
    if refusal is None and action in CONCLUDING:
        refusal = _conclusion_refusal(conclusion, note)
    if refusal is None and action == "confirm":
        from tqr.applications.school import unchecked_items

        missing = unchecked_items(app)
        if missing:
            refusal = flow.Refusal("checklist", lazy_text(gettext_lazy("材料核验未完成：第%(items)s项尚未勾选"),
                                                          {"items": "、".join(map(str, missing))}))
    if refusal is not None:
        raise ApplicationError(rule_text(refusal), code=refusal.code, status=403 if refusal.code == "wrong_actor" else 409)
    app.state = flow.BY_ACTION[action].target
    app.version += 1
    if action in TIMESTAMPS:
        setattr(app, TIMESTAMPS[action], timezone.now())
    if action == "return":
        app.return_reason = note.strip()
    if action == "confirm":
        app.confirmed_by = actor
        if not app.confirmed_facts:
            app.confirmed_facts = {"assessments": app.assessments, "training_hours": app.training_hours,
                                   "interruptions": app.interruptions}
    if action == "undo_confirm":
        app.confirmed_at, app.confirmed_by = None, None
    if action == "abandon":
        app.abandoned_at = timezone.now()
    before_conclusion = app.conclusion
    if action in CONCLUDING:
        app.conclusion, app.conclusion_reason = conclusion, note.strip()
        app.conclusion_codes = list(codes or [])
        app.reviewed_by, app.reviewed_at = actor, timezone.now()
    if action in ("submit", "resubmit", "confirm"):
        refresh_evaluation(app)
    changes = {"conclusion": [before_conclusion, app.conclusion]} if action in CONCLUDING else {}
    return before, changes


CONCLUDING = {"review", "revise", "objection_revise", "city_resubmit"}
CONCLUSION_LABELS = {"qualified": gettext_lazy("合格"), "deferred": gettext_lazy("暂缓注册"),
                     "unqualified": gettext_lazy("不合格")}


def _conclusion_refusal(conclusion: str | None, reason: str) -> flow.Refusal | None:
    """合格 needs nothing more; 暂缓注册 and 不合格 need the reason (kept with the conclusion)."""
    if conclusion not in CONCLUSION_LABELS:
        return flow.Refusal("conclusion_required", gettext_lazy("请选择初审结论：合格、暂缓注册或不合格"))
    if conclusion != "qualified" and not reason.strip():
        return flow.Refusal("reason_required", lazy_text(gettext_lazy("结论为“%(conclusion)s”时必须填写理由"),
                                                         {"conclusion": CONCLUSION_LABELS[conclusion]}))
    return None


# Actions the applicant is told about (e-mail and inbox, tqr.notifications); the final conclusion is sent by
# tqr.city.services.final_approve once the registration exists, the sampling by sample_draw.
NOTIFY = {"return": "returned", "confirm": "confirmed", "abandon": "abandoned", "review": "reviewed",
          "publish": "published"}
