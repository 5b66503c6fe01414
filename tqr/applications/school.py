"""The school's part (现场确认): the checklist, differences with the school's records, confirm and return in
bulk, reminders, the deadline, and the hand-over to the district. State still changes only through
`services.application_transition`; this module prepares what it needs and reports item by item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from tqr.applications import services
from tqr.applications.models import Application, HandOver, Reminder
from tqr.applications.services import ApplicationError, in_system_language, lazy_text
from tqr.audit.services import record
from tqr.campaigns.models import Round
from tqr.rules.flow import State
from tqr.rules.materials import materials_for
from tqr.rules.phases import Phase
from tqr.teachers.models import TeacherProfile

# --- The checklist and the differences -------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    teacher: object
    school: object

    @property
    def teacher_text(self) -> str:
        return _text(self.field, self.teacher)

    @property
    def school_text(self) -> str:
        return _text(self.field, self.school)


def _text(field: str, value) -> str:
    from tqr.rules.engine import GRADE_LABELS
    from tqr.teachers.models import Interruption

    if value is None or value == "" or value == []:
        return _("（无）")
    if field.startswith("assessment:"):
        return GRADE_LABELS.get(value, value)
    if field == "interruptions":
        approvals = dict(Interruption.Approved.choices)
        return "；".join(_("%(start)s—%(end)s %(approval)s") % {
            "start": i["start"], "end": i["end"], "approval": approvals.get(i.get("approved") or "", _("未经批准"))}
            for i in value)
    return str(value)


def school_records(app: Application) -> dict:
    """What the school's records (the roster) say for the period, in the application's shapes."""
    teacher: TeacherProfile = app.teacher
    years = range(app.round.year - 5, app.round.year)
    return {
        "assessments": {str(a.year): a.grade for a in teacher.assessments.all() if a.year in years},
        "training_hours": sum(t.hours for t in teacher.training.all() if t.year in years),
        "interruptions": sorted(
            ({"start": i.start_date.isoformat(), "end": i.end_date.isoformat(), "approved": i.approved or ""}
             for i in teacher.interruptions.all() if i.end_date.year >= app.round.year - 5),
            key=lambda i: i["start"]),
    }


def differences(app: Application) -> list[Difference]:
    """Where what the teacher entered differs from the school's records: shown side by side."""
    school = school_records(app)
    found = []
    years = [str(y) for y in range(app.round.year - 5, app.round.year)]
    for y in years:
        t, s = app.assessments.get(y, ""), school["assessments"].get(y, "")
        if t != s:
            found.append(Difference(f"assessment:{y}", _("%(year)s年度考核") % {"year": y}, t, s))
    if (app.training_hours or 0) != school["training_hours"]:
        found.append(Difference("training_hours", _("培训学时"), app.training_hours, school["training_hours"]))
    mine = sorted(({"start": i["start"], "end": i["end"], "approved": i.get("approved") or ""}
                   for i in app.interruptions), key=lambda i: i["start"])
    if mine != school["interruptions"]:
        found.append(Difference("interruptions", _("中断教学"), mine, school["interruptions"]))
    return found


def confirmed_facts(app: Application, choices: dict[str, str]) -> dict:
    """The facts the school confirms: per difference, the teacher's value or the school's record."""
    facts = {"assessments": dict(app.assessments), "training_hours": app.training_hours,
             "interruptions": list(app.interruptions)}
    for d in differences(app):
        if choices.get(d.field, "school") != "school":
            continue
        if d.field.startswith("assessment:"):
            year = d.field.split(":", 1)[1]
            if d.school:
                facts["assessments"][year] = d.school
            else:
                facts["assessments"].pop(year, None)
        else:
            facts[d.field] = d.school
    return facts


def required_items(app: Application) -> list[int]:
    return [m.number for m in materials_for((app.evaluation or {}).get("kind"), new_teacher=app.teacher.new_teacher)]


def unchecked_items(app: Application) -> list[int]:
    return [n for n in required_items(app) if not app.checklist.get(str(n))]


@transaction.atomic
def application_check(*, application: Application, checklist: dict[str, bool], note: str, choices: dict[str, str],
                      actor, version: int | None = None) -> Application:
    """The school records what it verified against the originals; no state change."""
    app = services._locked(application, version)
    changes = apply_check(app, checklist=checklist, note=note, choices=choices, actor=actor)
    app.save()
    services._history(app, actor, "check", before=app.state, changes=changes)
    record("application.check", actor=actor, obj=app, data={"unchecked": unchecked_items(app)})
    return app


def apply_check(app: Application, *, checklist: dict[str, bool], note: str, choices: dict[str, str], actor) -> dict:
    """Check and record the school's verification on `app` in memory (nothing is written); returns the
    changes for the history. `application_check` calls it on the locked row; the demo's batched round on
    preloaded rows."""
    if services.actor_kind(actor, app) != services.Actor.SCHOOL:
        raise ApplicationError(gettext_lazy("只有该申请现场确认点的注册管理员可以核验材料"), code="wrong_actor",
                               status=403)
    if app.state not in (State.SUBMITTED,):
        raise ApplicationError(lazy_text(gettext_lazy("申请当前状态为「%(state)s」，不能核验材料"),
                                         {"state": gettext_lazy(app.state_label)}), code="wrong_state")
    before = {"checklist": app.checklist, "note": app.school_note, "facts": app.confirmed_facts}
    app.checklist = {str(n): bool(checklist.get(str(n))) for n in required_items(app)}
    app.school_note = note.strip()
    app.confirmed_facts = confirmed_facts(app, choices)
    app.version += 1
    services.refresh_evaluation(app)
    return {
        "checklist": [before["checklist"], app.checklist],
        **({"facts": [before["facts"], app.confirmed_facts]} if before["facts"] != app.confirmed_facts else {}),
    }


# --- Bulk ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    application: Application
    ok: bool
    message: str  # in the user's language
    logged: str = ""  # the same in the system's language, for the batch's audit row


def bulk_transition(*, applications, action: str, actor, note: str = "") -> list[ItemResult]:
    """Each item in its own transaction: what can be done is done, what cannot is reported with why.

    (security-tests §57, the per-item mode: one batch audit row lists every item and its outcome.)
    """
    results = []
    for app in applications:
        try:
            services.application_transition(application=app, action=action, actor=actor, note=note)
            done = gettext_lazy("完成")
            results.append(ItemResult(app, True, str(done), in_system_language(done)))
        except ApplicationError as exc:
            results.append(ItemResult(app, False, exc.message, in_system_language(exc.text)))
    record(f"application.bulk_{action}", actor=actor, data={
        "items": [{"id": r.application.pk, "number": r.application.number, "ok": r.ok, "message": r.logged}
                  for r in results],
        "ok": sum(r.ok for r in results), "failed": sum(not r.ok for r in results),
    })
    return results


# --- Reminders -------------------------------------------------------------------------------------

REMINDER_GAP = timedelta(days=1)


def send_reminders(*, round_: Round, teachers, actor, now: datetime | None = None) -> tuple[int, int]:
    """E-mail (and, with an account, the inbox) each teacher who must register and has not submitted;
    never twice within a day, never to someone who unsubscribed from reminders.

    Returns (sent, skipped)."""
    from tqr.notifications.models import Event
    from tqr.notifications.services import Recipient, notify

    now = now or timezone.now()
    # The roster's teachers carry only the columns it shows: the addresses and accounts are read here, at once.
    found = TeacherProfile.objects.select_related("user").in_bulk([t.pk for t in teachers])
    teachers = [found[t.pk] for t in teachers if t.pk in found]
    recent = set(Reminder.objects.filter(round=round_, sent_at__gt=now - REMINDER_GAP,
                                         teacher__in=teachers).values_list("teacher_id", flat=True))
    sent = skipped = 0
    window = round_.window(Phase.APPLICATION)
    apps = {a.teacher_id: a for a in Application.objects.filter(round=round_, teacher__in=teachers)}
    for teacher in teachers:
        who = Recipient(user=teacher.user) if teacher.user_id and teacher.user.email else Recipient(email=teacher.email)
        if teacher.pk in recent or not who.address:
            skipped += 1
            continue
        with transaction.atomic():
            reached = notify(Event.REMINDER_APPLICATION, application=apps.get(teacher.pk), recipients=[who],
                             district=round_.district,
                             context={"teacher": teacher, "round": round_, "window": window})
            if not reached:  # unsubscribed from reminders
                skipped += 1
                continue
            Reminder.objects.create(round=round_, teacher=teacher, sent_by=actor)
        sent += 1
    record("application.remind", actor=actor, obj=round_, data={"sent": sent, "skipped": skipped})
    return sent, skipped


# --- The deadline ----------------------------------------------------------------------------------


def confirmation_closes_at(round_: Round) -> datetime | None:
    """The first moment after the confirmation window (its last day ends at midnight, local time)."""
    w = round_.window(Phase.CONFIRMATION)
    if w is None or w.end_date is None:
        return None
    return timezone.make_aware(datetime.combine(w.end_date + timedelta(days=1), datetime.min.time()))


def process_deadlines(*, now: datetime | None = None) -> dict:
    """Applications not confirmed when the confirmation window closed are abandoned (视为自动放弃).

    Idempotent: a second run finds nothing left to do. Returns counts per round."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    # Kept in the application's history for everyone to read: said in the system's language.
    with translation.override(settings.LANGUAGE_CODE):
        note = _("逾期未进行现场确认，视为自动放弃此次教师资格注册（黔江教办〔2023〕155号 三（三））")
    for round_ in Round.objects.prefetch_related("phase_windows"):
        closes = confirmation_closes_at(round_)
        if closes is None or now < closes:
            continue
        pending = list(Application.objects.filter(
            round=round_, state__in=[State.DRAFT, State.SUBMITTED, State.RETURNED]).select_related("teacher"))
        for app in pending:
            try:
                services.application_transition(
                    application=app, action="abandon", actor=None, day=timezone.localtime(now).date(), note=note)
            except ApplicationError:
                continue  # changed meanwhile (e.g. confirmed a moment ago): nothing to do
            done[round_.title] = done.get(round_.title, 0) + 1
    return done


def time_left(round_: Round, now: datetime | None = None) -> dict | None:
    """Working days and hours until the confirmation window closes (for the administrator's screen)."""
    from tqr.campaigns.workdays import UnknownCalendarYear, calendar

    now = now or timezone.now()
    closes = confirmation_closes_at(round_)
    if closes is None or now >= closes:
        return None
    today = timezone.localtime(now).date()
    last = closes.date() - timedelta(days=1)
    try:
        days = calendar().workdays_between(today, last)
    except UnknownCalendarYear:
        days = None
    hours = int((closes - now).total_seconds() // 3600)
    return {"closes_at": closes, "workdays": days, "hours": hours, "last_day": last}


# --- Hand-over -------------------------------------------------------------------------------------


@transaction.atomic
def handover_submit(*, round_: Round, unit, statistics: dict, filled_by: str, phone: str, actor) -> HandOver:
    if HandOver.objects.filter(round=round_, unit=unit).exists():
        raise ApplicationError(gettext_lazy("本校已报送，不能重复报送"), code="already")
    open_items = Application.objects.filter(round=round_, confirmation_point=unit, state=State.SUBMITTED).count()
    if open_items:
        raise ApplicationError(lazy_text(ngettext_lazy("还有 %(count)s 份申请尚未确认或退回，请处理后再报送",
                                                       "还有 %(count)s 份申请尚未确认或退回，请处理后再报送", "count"),
                                         {"count": open_items}), code="open_items")
    handover = HandOver.objects.create(round=round_, unit=unit, submitted_by=actor, statistics=statistics,
                                       filled_by=filled_by, phone=phone)
    record("handover.submit", actor=actor, obj=handover, data={"unit": unit.code})
    return handover


@transaction.atomic
def handover_receive(*, handover: HandOver, actor) -> HandOver:
    if handover.received_at is None:
        handover.received_at = timezone.now()
        handover.save(update_fields=["received_at"])
        record("handover.receive", actor=actor, obj=handover)
    return handover


def today() -> date:
    return timezone.localdate()
