# ruff: noqa: S608 - SQL built from model metadata and integers, never from input
"""Figures measured inside one Python process (each run by bench/run.py as its own subprocess, so that the
runner can read that child's peak RSS with os.wait4). Prints one JSON line: {"figures": [...], ...}.

python -m bench.inproc data|pdf|batch|archive|xlsx_make|bare_read|import_|bare_write|export
    --fixtures var/bench/fixtures-pg.json [--n N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
IMPORT_BATCH = 20_000  # tqr.teachers.imports.MAX_ROWS: the product asks for batches of at most this


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def timed(fn, repeat: int = 5, *, warm_up: bool = True) -> tuple[float, object]:
    """Median wall time in ms of `repeat` calls (after one warm-up call), and the last result."""
    result = fn() if warm_up else None
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


# --- Data scale ------------------------------------------------------------------------------------


def group_by_sql(round_id: int) -> list:
    """The hand-written 附件3: the same counts as unit_statistics, straight from GROUP BY queries."""
    from django.db import connection

    from tqr.applications.models import Application
    from tqr.campaigns.models import TeacherEvaluation
    from tqr.teachers.models import TeacherProfile

    a, e, t = Application._meta.db_table, TeacherEvaluation._meta.db_table, TeacherProfile._meta.db_table
    out = []
    with connection.cursor() as cur:
        # evaluation_kind: the generated column holding evaluation->>'kind' (the same text), indexed for this.
        cur.execute(f"""SELECT confirmation_point_id, state, cert_type, conclusion, evaluation_kind, COUNT(*)
                        FROM {a} WHERE round_id = %s GROUP BY 1, 2, 3, 4, 5""", [round_id])
        out.append(cur.fetchall())
        cur.execute(f"""SELECT confirmation_point_id, code, COUNT(*) FROM {a}
                        CROSS JOIN LATERAL jsonb_array_elements_text(conclusion_codes) AS code
                        WHERE round_id = %s AND conclusion IN ('deferred', 'unqualified') GROUP BY 1, 2""", [round_id])
        out.append(cur.fetchall())
        cur.execute(f"""SELECT e.register_at_id, COUNT(*),
                               SUM(CASE WHEN x.id IS NULL OR x.state = 'draft' THEN 1 ELSE 0 END)
                        FROM {e} e LEFT JOIN {a} x ON x.teacher_id = e.teacher_id AND x.round_id = e.round_id
                        WHERE e.round_id = %s AND e.in_scope GROUP BY 1""", [round_id])
        out.append(cur.fetchall())
        cur.execute(f"""SELECT e.register_at_id, t.name, x.id IS NULL FROM {e} e JOIN {t} t ON t.id = e.teacher_id
                        LEFT JOIN {a} x ON x.teacher_id = e.teacher_id AND x.round_id = e.round_id
                        WHERE e.round_id = %s AND e.in_scope AND (x.id IS NULL OR x.state = 'draft')""", [round_id])
        out.append(cur.fetchall())
    return out


def data(fx: dict, a) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.report import Target, figure
    from tqr.accounts.models import User
    from tqr.applications.statistics import total_statistics, unit_statistics
    from tqr.campaigns.models import Round
    from tqr.campaigns.selectors import units_for_administrators

    figs = []
    for label, round_id, n in (("district", fx["round"], fx["district_applications"]),
                               ("city", fx["city_round"], fx["city_applications"])):
        round_ = Round.objects.get(pk=round_id)
        units = [u for u, _ in units_for_administrators(round_)]

        def product(round_=round_, units=units):
            stats = unit_statistics(round_, units)
            return total_statistics(list(stats.values()))

        # The city-sized call takes minutes before any fix: once, counting its queries, no warm-up.
        floor_ms, _ = timed(lambda round_id=round_id: group_by_sql(round_id), 5)
        if label == "district":
            ms, total = timed(product, 5)
            with CaptureQueriesContext(connection) as q:
                product()
        else:
            with CaptureQueriesContext(connection) as q:
                ms, total = timed(product, 1, warm_up=False)
        target = Target("ratio", "<=", 1.5)
        figs.append(figure(f"pg.statistics.{label}.ms", ms, "ms", floor=floor_ms, ratio=ms / floor_ms, target=target,
                           note=f"unit_statistics + total_statistics over {n} applications "
                                f"({len(units)} units, {len(q)} queries); floor: hand-written GROUP BY "
                                f"(4 queries); applied {total['applied']}; median of {5 if label == 'district' else 1}"))
        if label == "city":
            figs.append(figure("pg.statistics.city.ms_absolute", ms, "ms", target=Target("value", "<", 300, "ms"),
                               note="附件3 over 200,000 applications must take under 300 ms"))

    # The review queue's first and last page, and query counts per page, through the whole stack.
    client = Client(HTTP_HOST="localhost")
    reviewer = User.objects.get(pk=fx["reviewer"])
    client.force_login(reviewer)
    pages = max(1, (fx["queue_total"] + 49) // 50)
    r = fx["round"]
    for label, url in (("first", f"/reviews/{r}/?page=1"), ("last", f"/reviews/{r}/?page={pages}")):
        ms, resp = timed(lambda url=url: client.get(url), 5)
        assert resp.status_code == 200, (url, resp.status_code)
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        figs.append(figure(f"pg.review_queue.{label}_page.ms", ms, "ms",
                           note=f"page {1 if label == 'first' else pages} of {pages}; {len(q)} queries"))
        figs.append(figure(f"pg.review_queue.{label}_page.queries", len(q), "queries"))

    teacher = Client(HTTP_HOST="localhost")
    teacher.force_login(User.objects.get(pk=fx["teachers_with_application"][0]))
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(User.objects.get(pk=fx["school_admin"]))
    anon = Client(HTTP_HOST="localhost")
    for name, c, url in (("teacher_status", teacher, f"/apply/{r}/"),
                         ("wizard_step6", Client(HTTP_HOST="localhost"), None),
                         ("school_roster", admin, f"/school/{r}/roster/"),
                         ("statistics_page", client, f"/reviews/{r}/statistics/"),
                         ("notice_public", anon, f"/notices/{fx['notice_slug']}/")):
        if url is None:
            c.force_login(User.objects.get(pk=fx["drafts"][0]["user"]))
            url = f"/apply/{r}/step/6/"
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            resp = c.get(url)
            ms = (time.perf_counter() - t) * 1000
        figs.append(figure(f"pg.queries.{name}", len(q), "queries",
                           note=f"GET {url} → {resp.status_code}, {ms:.0f} ms in-process"))
    return {"figures": figs}


# --- Documents -------------------------------------------------------------------------------------


def _apps(fx: dict, n: int):
    from tqr.applications.models import Application

    return (Application.objects.filter(round_id=fx["round"], state__in=["published", "draft"])
            .exclude(photo="").select_related("round", "teacher", "confirmation_point", "unit", "registration_body")
            .order_by("id"))[:n]


def pdf(fx: dict, a) -> dict:
    from bench.report import Target, figure
    from tqr.applications.documents import application_form_pdf

    os.sched_setaffinity(0, {0})  # one core
    apps = list(_apps(fx, a.n))
    application_form_pdf(apps[0])  # fonts, imports
    t = time.perf_counter()
    size = 0
    for app in apps:
        size += len(application_form_pdf(app))
    s = time.perf_counter() - t
    return {"figures": [figure("docs.application_form.per_second", len(apps) / s, "PDF/s",
                               target=Target("value", ">=", 25, "PDF/s"),
                               note=f"{len(apps)} 申请表 in one process pinned to one core, data read from the "
                                    f"database included; {size / len(apps) / 1024:.0f} KB each")]}


def batch(fx: dict, a) -> dict:
    from bench.report import Target, figure
    from tqr.applications.documents import assessment_form_data
    from tqr.documents.assessment_form import build_assessment_batch

    qs = _apps(fx, a.n)
    out = VAR / "batch.pdf"
    t = time.perf_counter()
    with out.open("wb") as fh:
        build_assessment_batch((assessment_form_data(x) for x in qs.iterator(chunk_size=200)), total=a.n, out=fh,
                               progress=lambda done, total: None)
    s = time.perf_counter() - t
    return {"figures": [figure("docs.assessment_batch.seconds", s, "s",
                               target=Target("value", "<", 60, "s") if a.n >= 1000 else None,
                               note=f"{a.n} 考核鉴定表 in one PDF written to a file "
                                    f"({out.stat().st_size / 1024 / 1024:.1f} MB), as the background job does")]}


def archive(fx: dict, a) -> dict:
    from types import SimpleNamespace

    from django.db import transaction

    from bench.report import figure
    from tqr.applications.models import Application
    from tqr.city.archive import build_archive

    out = VAR / "archive.zip"
    with transaction.atomic():
        ids = list(_apps(fx, a.n).values_list("pk", flat=True))
        Application.objects.filter(pk__in=ids).update(state="final")  # rolled back below
        t = time.perf_counter()
        with out.open("wb") as fh:
            build_archive(SimpleNamespace(params={"round": fx["round"], "unit": None}), fh, lambda done, total: None)
        s = time.perf_counter() - t
        transaction.set_rollback(True)
    return {"figures": [figure("docs.archive.seconds", s, "s",
                               note=f"{len(ids)} teacher packages (申请表, 考核鉴定表, texts, manifest) in one ZIP "
                                    f"written to a file ({out.stat().st_size / 1024 / 1024:.1f} MB); "
                                    f"{len(ids) / s:.1f} packages/s")]}


# --- Excel -----------------------------------------------------------------------------------------


def _import_files(n: int) -> list[Path]:
    return sorted(VAR.glob(f"import-{n}-*.xlsx"))


def xlsx_make(fx: dict, a) -> dict:
    """The workbooks to import: n new teachers of the district, in files of at most 20,000 rows."""
    from datetime import date, timedelta

    import xlsxwriter

    from tqr.accounts.models import Organisation
    from tqr.applications.models import Application
    from tqr.rules.identifiers import make_resident_id
    from tqr.teachers.imports import SHEETS, TEACHER_SHEET

    for old in _import_files(a.n):
        old.unlink()
    district = Application.objects.get(pk=fx["drafts"][0]["app"]).round.district_id
    codes = list(Organisation.objects.filter(parent_id=district, kind__in=Organisation.UNIT_KINDS, is_active=True)
                 .values_list("code", flat=True))
    headers = [c.header for c in SHEETS[TEACHER_SHEET]][:5]  # 身份证号码 姓名 任教单位代码 任教学段 任教学科
    files = []
    for f, start in enumerate(range(0, a.n, IMPORT_BATCH)):
        path = VAR / f"import-{a.n}-{f:02d}.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
        ws = book.add_worksheet(TEACHER_SHEET)
        ws.write_row(0, 0, headers)
        for i in range(start, min(a.n, start + IMPORT_BATCH)):
            # Born 1960…, 500 people per birth date, area 500114 but a sequence the demo never uses (≥ 500).
            rid = make_resident_id("500114", date(1960, 1, 1) + timedelta(days=i // 400), 500 + (i % 400))
            ws.write_row(i - start + 1, 0, [rid, f"导入教师{i:06d}", codes[i % len(codes)], "小学", "数学"])
        book.close()
        files.append(path)
    return {"figures": [], "files": [str(p) for p in files]}


def bare_read(fx: dict, a) -> dict:
    from python_calamine import CalamineWorkbook

    from bench.report import figure

    t = time.perf_counter()
    rows = 0
    for path in _import_files(a.n):
        wb = CalamineWorkbook.from_path(str(path))
        rows += len(wb.get_sheet_by_index(0).to_python()) - 1
    s = time.perf_counter() - t
    return {"figures": [figure("excel.bare_read.seconds", s, "s", note=f"python-calamine to_python of the same "
                                                                        f"{rows} rows")], "seconds": s}


def _scope(fx: dict):
    from tqr.accounts.models import Organisation
    from tqr.campaigns.models import Round

    district = Round.objects.get(pk=fx["round"]).district_id
    return Organisation.objects.filter(parent_id=district)


def import_(fx: dict, a) -> dict:
    """Preview every file, then commit every file, as the page does (the commit re-reads the bytes)."""
    from bench.report import Target, figure
    from tqr.accounts.models import User
    from tqr.teachers.imports import import_commit, preview_import

    scope = _scope(fx)
    actor = User.objects.get(pk=fx["reviewer"])
    files = _import_files(a.n)
    t = time.perf_counter()
    problems = 0
    for path in files:
        problems += len(preview_import(path.read_bytes(), scope_units=scope, filename=path.name).problems)
    preview_s = time.perf_counter() - t
    t = time.perf_counter()
    written = 0
    for path in files:
        result = import_commit(preview_or_data=path.read_bytes(), scope_units=scope, actor=actor)
        written += result.created
    commit_s = time.perf_counter() - t
    bare = bare_read(fx, a)["seconds"]
    note = f"{a.n} new teachers in {len(files)} files of ≤ {IMPORT_BATCH} rows (the product's per-sheet limit)"
    return {"figures": [
        figure("excel.import_preview.seconds", preview_s, "s", floor=bare,
               note=f"{note}; problems found: {problems}; floor: bare calamine read of the same files"),
        figure("excel.import_commit.seconds", commit_s, "s", floor=bare,
               note=f"{note}; teachers created: {written}; floor: bare read"),
        figure("excel.import.seconds", preview_s + commit_s, "s", floor=bare, target=Target("value", "<", 60, "s"),
               note="preview + commit; floor: bare read"),
    ]}


def _export_queryset(fx: dict, n: int):
    """The first n rows of the city-sized round's review queue (初审名单), as its district's reviewer sees it."""
    from tqr.accounts.models import Role, User
    from tqr.campaigns.models import Round
    from tqr.reviews.queue import QueueFilter, queue

    round_ = Round.objects.get(pk=fx["city_round"])
    reviewer = (User.objects.filter(role=Role.DISTRICT_REVIEWER, organisation_id=round_.district_id)
                .order_by("username").first())
    return round_, queue(reviewer, round_, QueueFilter())[:n]


def bare_write(fx: dict, a) -> dict:
    """The floor of the export: xlsxwriter's write_row of the export's own cells (read beforehand, not timed)."""
    import io

    import xlsxwriter

    from bench.report import figure
    from tqr.reviews.exports import HEADERS, review_queue_rows

    rows = list(review_queue_rows(_export_queryset(fx, a.n)[1]))
    t = time.perf_counter()
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet("s")
    ws.write_row(0, 0, HEADERS)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, row)
    book.close()
    s = time.perf_counter() - t
    (VAR / "bare_write.seconds").write_text(str(s))
    return {"figures": [figure("excel.bare_write.seconds", s, "s", note=f"xlsxwriter write_row of the same {len(rows)} "
                                                                         f"rows (the export's cells), in memory")]}


def export(fx: dict, a) -> dict:
    """The product's largest list export: the review queue's Excel (tqr.reviews.exports.review_queue_xlsx, what
    the page and its background job call) over the first n rows of the city-sized round, query included."""
    from bench.report import Target, figure
    from tqr.reviews.exports import review_queue_xlsx

    round_, qs = _export_queryset(fx, a.n)
    t = time.perf_counter()
    body = review_queue_xlsx(round_, qs)
    s = time.perf_counter() - t
    bare_file = VAR / "bare_write.seconds"
    bare = float(bare_file.read_text()) if bare_file.exists() else None
    return {"figures": [figure("excel.export.seconds", s, "s", floor=bare, target=Target("value", "<", 20, "s"),
                               note=f"{a.n} applications of the city-sized round's review queue through "
                                    f"tqr.reviews.exports.review_queue_xlsx, query included "
                                    f"({len(body) / 1024 / 1024:.1f} MB); floor: bare xlsxwriter write of the same "
                                    f"cells")]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("what")
    p.add_argument("--fixtures", required=True)
    p.add_argument("--n", type=int, default=100)
    a = p.parse_args(argv)
    setup()
    fx = json.loads(Path(a.fixtures).read_text())
    out = globals()[a.what](fx, a)
    print(json.dumps(out, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
