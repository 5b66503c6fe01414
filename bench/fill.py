# ruff: noqa: S608 - SQL built from model metadata and integers, never from input
"""Fill a bench database: a real district through the product's services, then bulk copies for scale.

python -m bench.fill --out var/bench/fixtures-pg.json [--teachers 5000] [--queue 10000] [--city 200000]

1. `load_demo` (黔江区 with --teachers teachers and their accounts) and `tqr.demo.progress.advance` up to
   the public notice for a share of the teachers: every row written by the same services as the pages
   (apply, confirm, review, publish). The share is chosen so that the notice has about 1,000 entries.
2. Complete drafts (wizard done, photo uploaded, not submitted) for `--drafts` other teachers, through
   `application_start` / `application_save`: the submit and wizard benchmarks post to these.
3. The bulk generator (documented as such in docs/performance.md): copies of the district's published
   applications, each with a new teacher profile and evaluation, written with one INSERT … SELECT per
   table from the real rows (valid by construction: same columns, new keys). It brings the district's
   review queue to --queue applications, one school's roster to 200, and 武隆区's round to --city
   applications (the city-sized data set for 附件3).
4. The ids the benchmarks need go to --out as JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from datetime import date


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def log(msg: str) -> None:
    print(f"[fill {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def clone_applications(*, round_, templates: list, units: list[int], n: int, start: int, keep_staff: bool) -> int:
    """n copies of the template applications in `round_`, the i-th at units[i]; returns rows written.

    Each copy gets a new TeacherProfile (copied from the template's teacher, no login), a new
    TeacherEvaluation for the round (copied from the template's) and a new Application (copied, new number).
    Ids are allocated explicitly above the current maximum; PostgreSQL's sequences are moved after.
    """
    from django.db import connection, transaction

    from tqr.applications.models import Application
    from tqr.campaigns.models import TeacherEvaluation
    from tqr.teachers.models import TeacherProfile

    if n <= 0:
        return 0
    tpl = [(r, a.pk, a.teacher_id, a.evaluation_id) for r, a in enumerate(templates)]
    m = len(tpl)
    series = [(start + i, units[i], i % m) for i in range(n)]
    pg = connection.vendor == "postgresql"

    def cols(model):
        return [f.column for f in model._meta.concrete_fields if not f.generated]  # the database fills generated ones

    def select(model, alias: str, overrides: dict[str, str]) -> tuple[str, str]:
        names = cols(model)
        exprs = [overrides.get(c, f"{alias}.{c}") for c in names]
        return ", ".join(connection.ops.quote_name(c) for c in names), ", ".join(exprs)

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS bench_series (i bigint, unit_id bigint, r int)")
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS bench_tpl (r int, app_id bigint, teacher_id bigint, eval_id bigint)")
        cur.execute("DELETE FROM bench_series")
        cur.execute("DELETE FROM bench_tpl")
        cur.executemany("INSERT INTO bench_series VALUES (%s, %s, %s)", series)
        cur.executemany("INSERT INTO bench_tpl VALUES (%s, %s, %s, %s)", tpl)
        bases = {}
        for model in (TeacherProfile, TeacherEvaluation, Application):
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
            bases[model] = cur.fetchone()[0] + 1 - start
        tb, eb, ab = bases[TeacherProfile], bases[TeacherEvaluation], bases[Application]
        join = "FROM bench_series s JOIN bench_tpl tp ON tp.r = s.r"
        c, e = select(TeacherProfile, "t", {
            "id": f"{tb} + s.i", "user_id": "NULL", "seconded_from_id": "NULL", "unit_id": "s.unit_id",
            "id_digest": f"'bench-{round_.pk}-' || s.i", "email": "''"})
        cur.execute(f"INSERT INTO {TeacherProfile._meta.db_table} ({c}) SELECT {e} {join} "
                    f"JOIN {TeacherProfile._meta.db_table} t ON t.id = tp.teacher_id")
        c, e = select(TeacherEvaluation, "t", {
            "id": f"{eb} + s.i", "teacher_id": f"{tb} + s.i", "round_id": str(round_.pk), "register_at_id": "s.unit_id"})
        cur.execute(f"INSERT INTO {TeacherEvaluation._meta.db_table} ({c}) SELECT {e} {join} "
                    f"JOIN {TeacherEvaluation._meta.db_table} t ON t.id = tp.eval_id")
        staff = {} if keep_staff else {"confirmed_by_id": "NULL", "reviewed_by_id": "NULL"}
        c, e = select(Application, "t", {
            "id": f"{ab} + s.i", "teacher_id": f"{tb} + s.i", "round_id": str(round_.pk),
            "number": f"'B{round_.pk}-' || s.i", "confirmation_point_id": "s.unit_id", "unit_id": "s.unit_id",
            "registration_body_id": str(round_.district_id), **staff})
        cur.execute(f"INSERT INTO {Application._meta.db_table} ({c}) SELECT {e} {join} "
                    f"JOIN {Application._meta.db_table} t ON t.id = tp.app_id")
        if pg:
            for model in (TeacherProfile, TeacherEvaluation, Application):
                table = model._meta.db_table
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--teachers", type=int, default=5000)
    p.add_argument("--units", type=int, default=150)
    p.add_argument("--apply", type=int, default=300, help="about this many teachers apply through the services")
    p.add_argument("--notice", type=int, default=1000, help="entries in the public notice")
    p.add_argument("--drafts", type=int, default=1500)
    p.add_argument("--queue", type=int, default=10000)
    p.add_argument("--roster", type=int, default=200)
    p.add_argument("--city", type=int, default=200000)
    a = p.parse_args(argv)
    setup()

    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Count
    from django.test.utils import override_settings

    from tqr.accounts.models import Organisation, Role, User
    from tqr.applications.models import Application
    from tqr.applications.services import application_save, application_start
    from tqr.campaigns.evaluation import evaluate_round
    from tqr.campaigns.models import Round, TeacherEvaluation
    from tqr.demo import progress
    from tqr.reviews.queue import QUEUE_STATES
    from tqr.rules.phases import Phase

    t0 = time.monotonic()
    timings = {}
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        call_command("load_demo", "--teachers", str(a.teachers), "--units", str(a.units), stdout=io.StringIO())
        timings["load_demo"] = round(time.monotonic() - t0, 1)
        log(f"load_demo {a.teachers} teachers: {timings['load_demo']} s")
        round_ = Round.objects.filter(district__code="500114").order_by("-year").first()
        today = date.today()
        progress._move(round_, Phase.APPLICATION, today)
        evaluate_round(round_)
        in_scope = TeacherEvaluation.objects.filter(round=round_, in_scope=True, valid=True).count()
        # _apply applies for teachers whose roll ≤ share; the others are left for the drafts.
        share = min(0.95, a.apply / max(1, in_scope))
        t1 = time.monotonic()
        progress.advance(round_, Phase.NOTICE, seed=2023, share=share)
        timings["advance_to_notice"] = round(time.monotonic() - t1, 1)
        round_.refresh_from_db()
        notice = round_.notice
        log(f"advance to the notice (share {share:.2f} of {in_scope}): {notice.entries.count()} entries, "
            f"{timings['advance_to_notice']} s")

        # Complete drafts for the submit and wizard benchmarks.
        t1 = time.monotonic()
        progress._move(round_, Phase.APPLICATION, today)
        round_.refresh_from_db()
        photo = progress._photo()
        from django.core.files.base import ContentFile

        have = set(Application.objects.filter(round=round_).values_list("teacher_id", flat=True))
        drafts = []
        evs = (TeacherEvaluation.objects.filter(round=round_, in_scope=True, valid=True, teacher__user__isnull=False)
               .exclude(teacher_id__in=have).select_related("teacher", "teacher__user").order_by("teacher_id"))
        for ev in evs[: a.drafts]:
            t = ev.teacher
            with transaction.atomic():
                app = application_start(round_=round_, teacher=t, actor=t.user)
                app = application_save(application=app, actor=t.user, step=6, accept_terms=True,
                                       data={"hire_date": t.hire_date or date(2010, 9, 1),
                                             "phone": t.phone or "13800000000"})
                app.photo.save("photo.jpg", ContentFile(photo), save=True)
            drafts.append(app.pk)
        timings["drafts"] = round(time.monotonic() - t1, 1)
        log(f"{len(drafts)} complete drafts: {timings['drafts']} s")

    # The bulk generator: the district's queue, one school's roster, the city-sized round.
    t1 = time.monotonic()
    templates = list(Application.objects.filter(round=round_, state__in=QUEUE_STATES).order_by("id")
                     .select_related(None))
    ev_of = dict(TeacherEvaluation.objects.filter(round=round_).values_list("teacher_id", "id"))
    for app in templates:
        app.evaluation_id = ev_of[app.teacher_id]
    units = list(Organisation.objects.filter(parent_id=round_.district_id, kind__in=Organisation.UNIT_KINDS,
                                             is_active=True, ownership="public").order_by("code")
                 .values_list("pk", flat=True))
    per_unit = dict(Application.objects.filter(round=round_).values_list("confirmation_point_id")
                    .annotate(n=Count("id")).values_list("confirmation_point_id", "n"))
    roster_unit = max((u for u in units if User.objects.filter(role=Role.SCHOOL_ADMIN, organisation_id=u).exists()),
                      key=lambda u: per_unit.get(u, 0))
    queue_now = Application.objects.filter(round=round_, state__in=QUEUE_STATES).count()
    n_queue = max(0, a.queue - queue_now)
    to_roster = max(0, a.roster - per_unit.get(roster_unit, 0))
    others = [u for u in units if u != roster_unit]
    unit_seq = [roster_unit] * min(to_roster, n_queue) + [others[i % len(others)] for i in range(n_queue)]
    unit_seq = unit_seq[:n_queue]
    clone_applications(round_=round_, templates=templates, units=unit_seq, n=n_queue, start=1, keep_staff=True)
    # The notice: entries copied from a real one, each for one of the copied (published) applications.
    from tqr.reviews.models import NoticeEntry

    have_entries = notice.entries.count()
    if have_entries < a.notice:
        template = notice.entries.order_by("number").first()
        free = (Application.objects.filter(round=round_, state="published", notice_entry__isnull=True)
                .order_by("id").values_list("pk", "name")[: a.notice - have_entries])
        NoticeEntry.objects.bulk_create([
            NoticeEntry(notice=notice, application_id=pk, number=have_entries + k + 1, name=name,
                        unit=template.unit, qualification_type=template.qualification_type,
                        registration_kind=template.registration_kind, conclusion=template.conclusion)
            for k, (pk, name) in enumerate(free)])
    timings["bulk_district"] = round(time.monotonic() - t1, 1)
    log(f"bulk: {n_queue} copies into the district's queue: {timings['bulk_district']} s")

    t1 = time.monotonic()
    city_round = Round.objects.filter(district__code="500156").order_by("-year").first()
    city_units = list(Organisation.objects.filter(parent_id=city_round.district_id, kind__in=Organisation.UNIT_KINDS,
                                                  is_active=True, ownership="public").order_by("code")
                      .values_list("pk", flat=True))
    done = 0
    chunk = 50000
    while done < a.city:
        n = min(chunk, a.city - done)
        clone_applications(round_=city_round, templates=templates,
                           units=[city_units[(done + i) % len(city_units)] for i in range(n)],
                           n=n, start=done + 1, keep_staff=False)
        done += n
    timings["bulk_city"] = round(time.monotonic() - t1, 1)
    log(f"bulk: {a.city} copies into {city_round}: {timings['bulk_city']} s")

    from django.db import connection

    if connection.vendor == "postgresql":
        # VACUUM too: it sets the visibility map that index-only scans need (附件3's covering indexes). The
        # CI machine's PostgreSQL runs without autovacuum, which would do this on any other server.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")

    admin = User.objects.filter(role=Role.SCHOOL_ADMIN, organisation_id=roster_unit).order_by("username").first()
    reviewer = User.objects.filter(role=Role.DISTRICT_REVIEWER, organisation=round_.district).order_by("username").first()
    admins = list(User.objects.filter(role=Role.SCHOOL_ADMIN, organisation__parent=round_.district)
                  .order_by("username").values_list("pk", flat=True))
    reviewers = list(User.objects.filter(role=Role.DISTRICT_REVIEWER, organisation=round_.district)
                     .values_list("pk", flat=True))
    submitted = list(Application.objects.filter(round=round_, state__in=QUEUE_STATES, teacher__user__isnull=False)
                     .order_by("id").values_list("teacher__user_id", flat=True))
    draft_rows = list(Application.objects.filter(pk__in=drafts).order_by("id")
                      .values_list("pk", "teacher__user_id", "unit_id", "post_level", "subject", "title",
                                   "hire_date", "phone", "training_hours", "assessments"))
    out = {
        "round": round_.pk, "city_round": city_round.pk, "notice_slug": notice.slug,
        "notice_entries": notice.entries.count(),
        "queue_total": Application.objects.filter(round=round_, state__in=QUEUE_STATES).count(),
        "district_applications": Application.objects.filter(round=round_).count(),
        "city_applications": Application.objects.filter(round=city_round).count(),
        "roster_unit": roster_unit,
        "roster_applications": Application.objects.filter(round=round_, confirmation_point_id=roster_unit).count(),
        "school_admin": admin.pk, "reviewer": reviewer.pk, "school_admins": admins, "reviewers": reviewers,
        "teachers_with_application": submitted,
        "drafts": [
            {"app": r[0], "user": r[1], "unit": r[2], "post_level": r[3], "subject": r[4], "title": r[5],
             "hire_date": r[6].isoformat() if r[6] else "2010-09-01", "phone": r[7],
             "training_hours": r[8] if r[8] is not None else 360, "assessments": r[9]}
            for r in draft_rows
        ],
        "round_year": round_.year,
        "timings": timings,
        "seconds": round(time.monotonic() - t0, 1),
    }
    with open(a.out, "w") as fh:
        json.dump(out, fh, ensure_ascii=False)
    log(f"done in {out['seconds']} s: queue {out['queue_total']}, roster {out['roster_applications']}, "
        f"notice {out['notice_entries']}, city {out['city_applications']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
