"""Drive the demo district's current round forward through every phase, with the same services the pages
use: teachers apply, schools confirm (or return, or miss the deadline), the district reviews and publishes,
objections come and are handled, the district reports to the city. Deterministic from the seed.

The round's windows are moved so that each step happens inside its phase (`place_today`), as the pages
would see it on that day. This is the demo's data for the later phases and the samples' (make samples).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tqr.accounts.models import Role, User
from tqr.applications import school
from tqr.applications.models import Application, ApplicationEvent
from tqr.applications.services import (
    ApplicationError,
    application_save,
    application_start,
    application_transition,
)
from tqr.campaigns.evaluation import evaluate_round
from tqr.campaigns.models import Round, TeacherEvaluation
from tqr.campaigns.services import WindowSpec, round_set_windows
from tqr.demo.generate import place_today
from tqr.rules.flow import State
from tqr.rules.phases import PHASE_ORDER, Phase

ORDER = {p: i for i, p in enumerate(PHASE_ORDER)}


def _roll(seed: int, *keys) -> float:
    """A number in [0, 1) fixed by the seed and the keys: each teacher's fate is the same on every run."""
    return random.Random(":".join(map(str, (seed, *keys)))).random()


def _photo() -> bytes:
    import io

    from PIL import Image, ImageDraw

    from tqr.documents.photos import process_photo

    img = Image.new("RGB", (600, 840), (250, 250, 250))
    d = ImageDraw.Draw(img)
    d.ellipse((190, 160, 410, 430), fill=(226, 190, 165))
    d.rectangle((130, 470, 470, 840), fill=(44, 62, 108))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return process_photo(buf.getvalue()).jpeg


def _move(round_: Round, phase: Phase, today: date) -> None:
    slots = place_today(today, phase)
    round_set_windows(round_=round_, windows=[WindowSpec(s.phase, s.start, s.end, s.place, s.note) for s in slots])
    round_.refresh_from_db()


def _apply(round_: Round, seed: int, photo: bytes, share: float) -> int:
    due = TeacherEvaluation.objects.filter(round=round_, in_scope=True, valid=True).select_related(
        "teacher", "teacher__user").order_by("teacher_id")
    done = 0
    for ev in due:
        t = ev.teacher
        if t.user_id is None or _roll(seed, "apply", t.pk) > share or \
                Application.objects.filter(round=round_, teacher=t).exists():
            continue
        app = application_start(round_=round_, teacher=t, actor=t.user)
        app = application_save(application=app, actor=t.user, step=6, accept_terms=True,
                               data={"hire_date": t.hire_date or date(2010, 9, 1), "phone": t.phone or "13800000000"})
        app.photo.save("photo.jpg", ContentFile(photo), save=True)
        if _roll(seed, "submit", t.pk) < 0.97:  # a few drafts are never submitted
            try:
                application_transition(application=app, action="submit", actor=t.user)
            except ApplicationError:
                continue
        done += 1
    return done


def _admin(unit_id: int, cache: dict) -> User | None:
    if unit_id not in cache:
        cache[unit_id] = User.objects.filter(role=Role.SCHOOL_ADMIN, organisation_id=unit_id).first()
    return cache[unit_id]


def _confirm(round_: Round, seed: int) -> None:
    admins: dict = {}
    for app in Application.objects.filter(round=round_, state=State.SUBMITTED).order_by("id"):
        admin = _admin(app.confirmation_point_id, admins)
        if admin is None:
            continue
        roll = _roll(seed, "confirm", app.teacher_id)
        if roll < 0.03:
            application_transition(application=app, action="return", actor=admin,
                                   note="缺少聘用合同复印件，请补交后重新提交")
            continue
        if roll < 0.05:
            continue  # the school misses it: abandoned at the deadline
        checked = school.application_check(application=app, checklist={str(n): True for n in range(1, 8)},
                                           note="原件已核验", choices={}, actor=admin)
        application_transition(application=checked, action="confirm", actor=admin)


def _review(round_: Round, reviewer: User) -> None:
    from tqr.reviews.services import default_codes, default_reason

    for app in Application.objects.filter(round=round_, state=State.CONFIRMED).order_by("id"):
        proposal = (app.evaluation or {}).get("proposal")
        conclusion = proposal if proposal in ("qualified", "deferred", "unqualified") else "qualified"
        note = default_reason(app) if conclusion != "qualified" else (
            "经核实材料，符合注册条件" if proposal == "needs_review" else "")
        application_transition(application=app, action="review", actor=reviewer, conclusion=conclusion, note=note,
                               codes=default_codes(app) if conclusion != "qualified" else None)


def _publish(round_: Round, reviewer: User, today: date):
    from tqr.reviews import services

    notice = services.notice_save(
        round_=round_, title=f"关于{round_.district.name.removeprefix('重庆市')}{round_.year}年中小学教师资格定期注册初审结果的公示",
        issuing_body=f"{round_.district.name}教育委员会", start_date=today, workdays=max(5, round_.notice_workdays),
        objection_contact="区继教中心（黔江电大综合楼207办公室），电话 023-79222207", actor=reviewer)
    notice = services.notice_publish(notice=notice, actor=reviewer)
    entries = list(notice.entries.order_by("number")[:2])
    for entry in entries:
        services.objection_file(notice=notice, entry=entry, name="群众（演示）", contact="023-00000000",
                                content="反映该教师近年有较长时间未到岗，请核实。（演示数据）", ip="127.0.0.1",
                                day=notice.start_date)
    return notice


def _let_the_notice_period_pass(round_: Round, to: Phase, today: date) -> None:
    """A demo advanced earlier only to the notice has a period still running: move it where the final
    schedule puts it, in the past, as if the days had gone by."""
    from tqr.reviews.models import Notice
    from tqr.reviews.services import notice_end

    notice = Notice.objects.get(round=round_)
    if notice.end_date < today:
        return
    start = next(s for s in place_today(today, to) if s.phase == Phase.NOTICE).start
    Notice.objects.filter(pk=notice.pk).update(start_date=start, end_date=notice_end(start, notice.workdays))


def _close_and_report(round_: Round, reviewer: User) -> None:
    from tqr.reviews import services

    notice = round_.notice
    for objection in notice.objections.filter(handled_at__isnull=True):
        services.objection_handle(objection=objection, outcome="rejected", actor=reviewer,
                                  handling="经核实，该教师为经批准的病假，符合规定，维持初审结论。")
    services.notice_close(notice=notice, actor=reviewer)
    services.report_to_city(round_=round_, actor=reviewer)


def _city(round_: Round, to: Phase, today: date) -> None:
    """复审: draw and check the sample (one discrepancy, answered by the district); 终审; then 登记 and 归档."""
    from tqr.city import services as city
    from tqr.city.models import Sample, Sticker

    reviewer = User.objects.filter(role=Role.CITY_REVIEWER, organisation=round_.district.parent).first()
    approver = User.objects.filter(role=Role.CITY_APPROVER, organisation=round_.district.parent).first()
    district = User.objects.filter(role=Role.DISTRICT_REVIEWER, organisation=round_.district).order_by("username").first()
    sample = Sample.objects.filter(round=round_).first() or city.sample_draw(round_=round_, actor=reviewer)
    if ORDER[to] < ORDER[Phase.FINAL_REVIEW]:
        return
    for n, item in enumerate(sample.items.filter(result="").order_by("id")):
        discrepancy = n == 0
        city.item_check(item=item, actor=reviewer, result="discrepancy" if discrepancy else "conforms",
                        note="年度考核证明复印件未加盖学校公章（演示）" if discrepancy else "")
        if discrepancy:
            app = Application.objects.get(pk=item.application_id)
            city.district_answer(application=app, conclusion=app.conclusion, actor=district,
                                 reason=app.conclusion_reason or "已补盖公章，材料相符")
    _move(round_, Phase.FINAL_REVIEW, today)
    if not hasattr(round_, "final_approval"):
        city.final_approve(round_=round_, actor=approver, day=round_.window(Phase.FINAL_REVIEW).start_date)
    stickers = list(Sticker.objects.filter(application__round=round_))
    if ORDER[to] >= ORDER[Phase.RECORDING]:
        city.stickers_mark(stickers=stickers, actor=district, field="printed_at")
        city.stickers_mark(stickers=stickers, actor=district, field="affixed_at")
    if ORDER[to] >= ORDER[Phase.ARCHIVING]:
        city.stickers_mark(stickers=stickers, actor=district, field="personnel_file_at")
        city.stickers_mark(stickers=stickers, actor=district, field="district_archive_at")


# The phase each history action happens in. The demo makes a whole round in seconds; spreading its moments over
# the phases' windows lets the dashboards' stage times and the teacher's timeline read as a real round would.
EVENT_PHASE = {
    "create": Phase.APPLICATION, "edit": Phase.APPLICATION, "photo": Phase.APPLICATION, "submit": Phase.APPLICATION,
    "resubmit": Phase.APPLICATION, "check": Phase.CONFIRMATION, "confirm": Phase.CONFIRMATION,
    "return": Phase.CONFIRMATION, "undo_confirm": Phase.CONFIRMATION, "abandon": Phase.INITIAL_REVIEW,
    "review": Phase.INITIAL_REVIEW, "revise": Phase.INITIAL_REVIEW, "publish": Phase.NOTICE,
    "objection_revise": Phase.NOTICE, "report": Phase.SECONDARY_REVIEW, "city_return": Phase.SECONDARY_REVIEW,
    "city_resubmit": Phase.SECONDARY_REVIEW, "finalise": Phase.FINAL_REVIEW,
}
STAMP_EVENT = {"submitted_at": ("submit", "resubmit"), "confirmed_at": ("confirm",), "reviewed_at": ("review", "revise")}


def _moment(window, fraction: float, now: datetime) -> datetime | None:
    """A moment in office hours (8:00–17:00) inside the window, `fraction` of the way through; None if it would
    lie in the future."""
    end = window.end_date or window.start_date + timedelta(days=4)
    days = (end - window.start_date).days + 1
    offset = fraction * days
    day = window.start_date + timedelta(days=int(offset))
    at = timezone.make_aware(datetime.combine(day, time(8)) + timedelta(hours=9 * (offset % 1)))
    return at if at <= now else None


def _spread_times(round_: Round, seed: int) -> None:
    """Move each application's history and its submitted/confirmed/reviewed times into the windows of the phases
    they belong to: per application and phase a moment fixed by the seed, the events a few minutes apart in their
    order. Nothing moves into the future, and the audit log (its hash chain) keeps the real times."""
    now = timezone.now()
    windows = {Phase(w.phase): w for w in round_.phase_windows.all()}
    events = list(ApplicationEvent.objects.filter(application__round=round_).order_by("application_id", "ts", "id"))
    last: dict[int, datetime] = {}
    latest: dict[tuple[int, str], datetime] = {}
    for e in events:
        phase = EVENT_PHASE.get(e.action)
        window = windows.get(phase) if phase else None
        at = _moment(window, _roll(seed, "when", e.application_id, phase), now) if window else None
        if at is None:
            continue
        at = max(at, last.get(e.application_id, at) + timedelta(minutes=3))
        if at > now:
            continue
        e.ts = last[e.application_id] = latest[e.application_id, e.action] = at
    ApplicationEvent.objects.bulk_update(events, ["ts"], batch_size=1000)
    apps = list(Application.objects.filter(round=round_).only("pk", *STAMP_EVENT))
    for app in apps:
        for field, actions in STAMP_EVENT.items():
            moved = [latest[app.pk, a] for a in actions if (app.pk, a) in latest]
            if getattr(app, field) is not None and moved:
                setattr(app, field, max(moved))
    Application.objects.bulk_update(apps, list(STAMP_EVENT), batch_size=1000)


def advance(round_: Round, to: Phase, *, seed: int = 2023, today: date | None = None, share: float = 0.9,
            batched: bool = True, spread_times: bool = False) -> dict:
    """Bring the round's applications to where they would stand in phase `to`. Idempotent per step.

    `batched`: the per-teacher phases (apply, confirm, review) gather their writes per chunk of
    applications (tqr.demo.batch: the same checks, rows and audit chain, ~20× fewer queries); False calls
    the services once per application, as the pages do. `spread_times`: move the history's moments into the
    phases' windows (`_spread_times`; the demo's pages, not the benchmarks)."""
    from tqr.demo import batch
    today = today or timezone.localdate()
    reviewer = User.objects.filter(role=Role.DISTRICT_REVIEWER, organisation=round_.district).order_by("username").first()
    with transaction.atomic():
        _move(round_, Phase.APPLICATION, today)
        evaluate_round(round_)
        (batch.apply if batched else _apply)(round_, seed, _photo(), share)
        if ORDER[to] >= ORDER[Phase.CONFIRMATION]:
            _move(round_, Phase.CONFIRMATION, today)
            (batch.confirm if batched else _confirm)(round_, seed)
        if ORDER[to] >= ORDER[Phase.INITIAL_REVIEW]:
            _move(round_, Phase.INITIAL_REVIEW, today)
            school.process_deadlines(now=timezone.now() + timedelta(minutes=1))
            (batch.review if batched else _review)(round_, reviewer)
        if ORDER[to] >= ORDER[Phase.NOTICE] and not hasattr(round_, "notice"):
            # The notice runs over the notice window of the final schedule: in the past when going further.
            final_notice = next(s for s in place_today(today, to) if s.phase == Phase.NOTICE)
            _move(round_, Phase.NOTICE, today)
            _publish(round_, reviewer, final_notice.start)
        if ORDER[to] >= ORDER[Phase.SECONDARY_REVIEW] and not hasattr(round_, "city_report"):
            _move(round_, Phase.SECONDARY_REVIEW, today)
            round_.refresh_from_db()
            _let_the_notice_period_pass(round_, to, today)
            _close_and_report(round_, reviewer)
        if ORDER[to] >= ORDER[Phase.SECONDARY_REVIEW]:
            _move(round_, Phase.SECONDARY_REVIEW, today)
            round_.refresh_from_db()
            _city(round_, to, today)
        _move(round_, to, today)
        if spread_times:
            round_.refresh_from_db()
            _spread_times(round_, seed)
    counts: dict = {}
    for state in Application.objects.filter(round=round_).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts
