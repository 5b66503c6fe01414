"""The demo round's per-teacher phases (apply, confirm, review) written in batches.

Each application goes through the same checks and in-memory changes as in the services
(`draft_application`, `apply_edit`, `apply_check`, `apply_action`), in the same order, with the same
history rows, audit rows and notifications; only the writes are gathered: rows are read once per chunk
(facts prefetched, so `build_case` costs no query), the applications written with one `bulk_update`, the
history with one `bulk_create`, the audit rows chained in one pass (`record_many`). Notifications go
through `notify` itself, one call per application, after the rows it describes are written; the
audit rows last, as in the services, so that the chain's lock is held for the shortest time.

tests/demo/test_batch.py compares a round simulated this way with one simulated through the services.
"""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from tqr.accounts.models import Role, User
from tqr.applications import school, services
from tqr.applications.models import Application, ApplicationEvent
from tqr.applications.services import ApplicationError
from tqr.audit.services import audit_event, record_many
from tqr.campaigns.evaluation import district_teachers
from tqr.campaigns.models import Round, TeacherEvaluation
from tqr.demo.progress import _roll
from tqr.rules.flow import State

CHUNK = 500
FACTS = ("certificates", "registrations", "assessments", "training", "interruptions")


class Writes:
    """What one chunk of a phase writes, gathered in the services' order and written at once."""

    def __init__(self, fields: tuple[str, ...]):
        self.fields = (*fields, "updated_at")
        self.apps: dict[int, Application] = {}
        self.history: list[ApplicationEvent] = []
        self.audit: list = []
        self.notify: list[tuple[str, Application]] = []

    def changed(self, app: Application, actor, action: str, *, before: str = "", note: str = "",
                changes: dict | None = None, audit_data: dict | None = None) -> None:
        """As `services._history` and `record` after a successful write of `app`."""
        self.apps[app.pk] = app
        self.history.append(ApplicationEvent(application=app, actor=actor, action=action, from_state=before,
                                             to_state=app.state, note=note, changes=changes or {}))
        self.audit.append(audit_event(f"application.{action}", actor=actor, obj=app, data=audit_data))

    def transition(self, app: Application, action: str, actor, *, note: str = "", conclusion: str | None = None,
                   codes: list[str] | None = None) -> bool:
        """As `services.application_transition` (a refusal leaves its audit row and returns False)."""
        try:
            before, changes = services.apply_action(app, action=action, actor=actor, note=note,
                                                    conclusion=conclusion, codes=codes)
        except ApplicationError as exc:
            self.audit.append(audit_event(
                f"application.{action}", actor=actor, obj=app,
                result="conflict" if exc.code in ("stale", "wrong_state") else "denied", data={"reason": exc.code}))
            return False
        self.changed(app, actor, action, before=before, note=note, changes=changes,
                     audit_data={"from": before, "to": app.state, "note": note, **changes})
        if action in services.NOTIFY:
            self.notify.append((services.NOTIFY[action], app))
        return True

    def write(self) -> None:
        from tqr.notifications.services import notify

        now = timezone.now()
        for app in self.apps.values():
            app.updated_at = now  # auto_now, which bulk_update does not set
        Application.objects.bulk_update(list(self.apps.values()), self.fields, batch_size=CHUNK)
        ApplicationEvent.objects.bulk_create(self.history, batch_size=CHUNK)
        for event, app in self.notify:
            notify(event, application=app)
        record_many(self.audit)  # last: the chain's lock is held from here to the commit


def loaded_round(round_: Round) -> Round:
    """The round with what the checks read of it (district, city, phase windows) in memory."""
    return Round.objects.select_related("district", "district__parent").prefetch_related("phase_windows").get(
        pk=round_.pk)


def _applications(round_: Round, state: State):
    """The round's applications in `state`, with the teacher's facts, in id order."""
    return (Application.objects.filter(round=round_, state=state).order_by("id")
            .select_related("teacher", "teacher__user", "teacher__unit", "teacher__seconded_from", "unit",
                            "confirmation_point")
            .prefetch_related(*(f"teacher__{name}" for name in FACTS)))


def _chunks(queryset, round_: Round):
    ids = list(queryset.values_list("id", flat=True))
    for i in range(0, len(ids), CHUNK):
        apps = list(queryset.filter(id__in=ids[i:i + CHUNK]))
        for app in apps:
            app.round = round_
        yield apps


def apply(round_: Round, seed: int, photo: bytes, share: float) -> int:
    """As `progress._apply` through the services: start, fill in step 6, photo, submit (97 %)."""
    round_ = loaded_round(round_)
    started = set(Application.objects.filter(round=round_).values_list("teacher_id", flat=True))
    due = [pk for pk in TeacherEvaluation.objects.filter(round=round_, in_scope=True, valid=True)
           .order_by("teacher_id").values_list("teacher_id", flat=True)
           if _roll(seed, "apply", pk) <= share and pk not in started]
    teachers = district_teachers(round_).select_related("user").order_by("id")
    done = 0
    for i in range(0, len(due), CHUNK):
        chunk = [t for t in teachers.filter(pk__in=due[i:i + CHUNK]) if t.user_id is not None]
        apps = [services.draft_application(round_, t) for t in chunk]
        Application.objects.bulk_create(apps)
        w = Writes(("number", "evaluation", "step", "terms_accepted_at", "hire_date", "phone", "version", "photo",
                    "state", "submitted_at"))
        for t, app in zip(chunk, apps, strict=True):
            user = t.user
            app.unit = t.unit  # the same row, already read with the teacher
            app.number = services.number_of(app)
            services.refresh_evaluation(app)
            w.changed(app, user, "create", audit_data={"round": round_.pk})
            changes = services.apply_edit(app, actor=user, step=6, accept_terms=True, data={
                "hire_date": t.hire_date or date(2010, 9, 1), "phone": t.phone or "13800000000"})
            if changes:
                w.changed(app, user, "edit", before=app.state, changes=changes,
                          audit_data={"fields": sorted(changes)})
            app.photo.save("photo.jpg", ContentFile(photo), save=False)
            if _roll(seed, "submit", t.pk) < 0.97 and not w.transition(app, "submit", user):
                continue
            done += 1
        w.write()
    return done


def _school_admins(apps: list[Application], admins: dict[int, User | None]) -> None:
    """Each confirmation point's first registration administrator (the one `progress._admin` picks)."""
    missing = {a.confirmation_point_id for a in apps} - admins.keys()
    for unit_id in missing:
        admins[unit_id] = None
    for user in User.objects.filter(role=Role.SCHOOL_ADMIN, organisation_id__in=missing).order_by("id"):
        if admins[user.organisation_id] is None:
            admins[user.organisation_id] = user


def confirm(round_: Round, seed: int) -> None:
    """As `progress._confirm`: each school returns 3 %, misses 2 %, checks and confirms the rest."""
    round_ = loaded_round(round_)
    admins: dict[int, User | None] = {}
    fields = ("state", "version", "return_reason", "checklist", "school_note", "confirmed_facts", "evaluation",
              "confirmed_at", "confirmed_by")
    for apps in _chunks(_applications(round_, State.SUBMITTED), round_):
        w = Writes(fields)
        _school_admins(apps, admins)
        for app in apps:
            admin = admins.get(app.confirmation_point_id)
            if admin is None:
                continue
            r = _roll(seed, "confirm", app.teacher_id)
            if r < 0.03:
                w.transition(app, "return", admin, note="缺少聘用合同复印件，请补交后重新提交")
                continue
            if r < 0.05:
                continue
            changes = school.apply_check(app, checklist={str(n): True for n in range(1, 8)}, note="原件已核验",
                                         choices={}, actor=admin)
            w.changed(app, admin, "check", before=app.state, changes=changes,
                      audit_data={"unchecked": school.unchecked_items(app)})
            w.transition(app, "confirm", admin)
        w.write()


def review(round_: Round, reviewer: User) -> None:
    """As `progress._review`: the district records the rules' proposal as its initial conclusion."""
    from tqr.reviews.services import default_codes, default_reason

    round_ = loaded_round(round_)
    fields = ("state", "version", "conclusion", "conclusion_reason", "conclusion_codes", "reviewed_by",
              "reviewed_at")
    for apps in _chunks(_applications(round_, State.CONFIRMED), round_):
        w = Writes(fields)
        for app in apps:
            proposal = (app.evaluation or {}).get("proposal")
            conclusion = proposal if proposal in ("qualified", "deferred", "unqualified") else "qualified"
            note = default_reason(app) if conclusion != "qualified" else (
                "经核实材料，符合注册条件" if proposal == "needs_review" else "")
            w.transition(app, "review", reviewer, conclusion=conclusion, note=note,
                         codes=default_codes(app) if conclusion != "qualified" else None)
        w.write()

