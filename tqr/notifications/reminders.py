"""Scheduled mail: reminders before the online-application and confirmation windows close, and the school
administrators' daily digest while the confirmation window is open. Idempotent: each person gets a
reminder at most once per window and a digest at most once a day (`SentOnce`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tqr.accounts.models import Role, User
from tqr.applications.models import Application
from tqr.campaigns.models import PhaseWindow, RegistrationAdministrator, Round, TeacherEvaluation
from tqr.campaigns.workdays import UnknownCalendarYear, calendar
from tqr.notifications.models import Event
from tqr.notifications.services import Recipient, claim_once, notify, wants_optional
from tqr.rules.flow import State
from tqr.rules.phases import Phase
from tqr.teachers.models import TeacherProfile

REMINDED_PHASES = {Phase.APPLICATION: Event.REMINDER_APPLICATION, Phase.CONFIRMATION: Event.REMINDER_CONFIRMATION}


def reminder_starts(round_: Round, window: PhaseWindow, cal=None) -> date | None:
    """The first day of reminders: `reminder_workdays` working days before the window's last day."""
    if window.end_date is None:
        return None
    cal = cal or calendar()
    return cal.add_workdays(window.end_date, -round_.reminder_workdays)


def application_pending(round_: Round) -> list[TeacherProfile]:
    """Who has not applied: teachers the rules say must register this round (in scope) with no application
    or a draft or returned one, and anyone whose application in the round is a draft or returned."""
    apps = dict(Application.objects.filter(round=round_).values_list("teacher_id", "state"))
    due = set(TeacherEvaluation.objects.filter(round=round_, in_scope=True).values_list("teacher_id", flat=True))
    waiting = {t for t in due if apps.get(t) in (None, State.DRAFT, State.RETURNED)}
    waiting |= {t for t, s in apps.items() if s in (State.DRAFT, State.RETURNED)}
    return list(TeacherProfile.objects.filter(pk__in=waiting, user__isnull=False, user__is_active=True)
                .select_related("user").order_by("pk"))


def confirmation_pending(round_: Round) -> list[TeacherProfile]:
    """Who has applied but is not confirmed yet (submitted, or returned for correction)."""
    ids = Application.objects.filter(round=round_, state__in=[State.SUBMITTED, State.RETURNED]).values("teacher_id")
    return list(TeacherProfile.objects.filter(pk__in=ids, user__isnull=False, user__is_active=True)
                .select_related("user").order_by("pk"))


PENDING = {Phase.APPLICATION: application_pending, Phase.CONFIRMATION: confirmation_pending}


def send_due_reminders(now: datetime) -> str:
    """Remind those who have not acted, once per window, from N working days before it closes."""
    day = timezone.localdate(now)
    cal = calendar()
    sent, notes = 0, []
    for round_ in Round.objects.prefetch_related("phase_windows").select_related("district"):
        for phase, event in REMINDED_PHASES.items():
            window = round_.window(phase)
            if window is None or window.end_date is None or not (window.start_date <= day <= window.end_date):
                continue
            try:
                starts = reminder_starts(round_, window, cal)
            except UnknownCalendarYear as exc:
                notes.append(exc.message)
                continue
            if day < starts:
                continue
            apps = {a.teacher_id: a for a in Application.objects.filter(round=round_)}
            for teacher in PENDING[phase](round_):
                if not wants_optional(teacher.user):
                    continue
                with transaction.atomic():
                    if not claim_once(f"{event}:{round_.pk}:{teacher.user_id}"):
                        continue
                    sent += notify(event, application=apps.get(teacher.pk),
                                   recipients=[Recipient(user=teacher.user)], district=round_.district,
                                   context={"round": round_, "window": window, "teacher": teacher})
    return "；".join([ngettext("截止提醒 %(count)s 封", "截止提醒 %(count)s 封", sent) % {"count": sent}, *notes])


@dataclass(frozen=True)
class DigestCounts:
    waiting: int
    returned: int
    confirmed: int


def digest_counts(round_: Round, unit) -> DigestCounts:
    apps = Application.objects.filter(round=round_, confirmation_point=unit)
    return DigestCounts(waiting=apps.filter(state=State.SUBMITTED).count(),
                        returned=apps.filter(state=State.RETURNED).count(),
                        confirmed=apps.filter(state=State.CONFIRMED).count())


def digest_users(admin: RegistrationAdministrator) -> list[User]:
    """The named administrator's account, else the unit's school-administrator accounts."""
    if admin.user_id and admin.user.is_active:
        return [admin.user]
    return list(User.objects.filter(role=Role.SCHOOL_ADMIN, organisation_id=admin.unit_id, is_active=True))


def send_digests(now: datetime) -> str:
    """每日汇总 for each school's registration administrator while the confirmation window is open."""
    local = timezone.localtime(now)
    if local.hour < int(getattr(settings, "TQR_NOTIFY_DIGEST_HOUR", 7)):
        return _("未到每日汇总发送时间")
    day = local.date()
    sent = 0
    for round_ in Round.objects.prefetch_related("phase_windows").select_related("district"):
        window = round_.window(Phase.CONFIRMATION)
        if window is None or day < window.start_date or (window.end_date and day > window.end_date):
            continue
        for admin in round_.administrators.select_related("unit", "user"):
            counts = digest_counts(round_, admin.unit)
            for user in digest_users(admin):
                if not wants_optional(user):
                    continue
                with transaction.atomic():
                    if not claim_once(f"digest:{round_.pk}:{admin.unit_id}:{user.pk}:{day.isoformat()}"):
                        continue
                    sent += notify(Event.DIGEST, recipients=[Recipient(user=user)], district=round_.district,
                                   context={"round": round_, "window": window, "unit": admin.unit, "counts": counts,
                                            "day": day, "link": reverse("school_roster", args=[round_.pk])})
    return ngettext("每日汇总 %(count)s 封", "每日汇总 %(count)s 封", sent) % {"count": sent}
