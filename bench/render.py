"""docs/performance.md from results.json and the run's raw data, plus the hand-written bench/findings.md."""

from __future__ import annotations

import json
from pathlib import Path

from bench.report import markdown_table, summary

ROOT = Path(__file__).resolve().parent.parent

EXPLAIN = [
    ("HTTP pages (`*.http.*`)", """\
wrk (one thread, 16 connections, `--latency`) on loopback against gunicorn with 2 sync workers
(`tqr.wsgi`, production settings: `TQR_DEBUG=false`, persistent connections `TQR_CONN_MAX_AGE=600`, Redis
cache in database 7, sessions as in production (`cached_db`: read from Redis, written through to
PostgreSQL at most once a minute per session), `TQR_BEHIND_PROXY=true`). Every request carries
a real logged-in session created in the session store, one per user; the lists walk many users (400
teachers for the status page, every reviewer for the queue). In each run the two floors are measured just
before the pages, and the ratio is the median of the per-run ratios. The floor is `bench/urls.py`'s trivial
view behind the full middleware stack: requested with a teacher's session (`floor`: session read,
user, two-factor and password-age checks) for the logged-in pages, and without one
(`floor_anon`) for `/healthz` and the public notice. The POST lists (wizard save: step 6 with a new phone
number each time, so every save is a real edit with history and re-evaluation; submit: each complete
draft once, the drafts reset between runs) count anything but a 302 that is not to the login page as an
error, and the database is checked after each run for how many requests really changed something (in the
note). The public notice request varies `X-Real-IP` (the proxy's header), as citizens come from many
addresses; without that the per-address limit (60 a minute) answers 429."""),
    ("Mixed peak (`pg.mixed.*`)", """\
One wrk run of the scripted mix — teachers 80 % (status page 40, the wizard's data step 20, a save of
it 20), school administrators 15 % (their roster, every administrator of the district), reviewers 5 %
(random pages of the queue) — at 16 connections. Errors are responses ≥ 400, redirects to the login page
and socket errors."""),
    ("Data scale (`pg.statistics.*`, `pg.review_queue.*`, `pg.queries.*`)", """\
In-process on the filled PostgreSQL database: `unit_statistics` + `total_statistics` (what the 附件3 page
and its exports compute) for the district's round and for the city-sized round, median of 5 (3 for the
city) after a warm-up, against four hand-written GROUP BY queries returning the same counts, the reasons
and the names of those who did not apply (`bench/inproc.py: group_by_sql`). The queue's first and last
page and the query count of each page go through Django's test client (the whole stack, in-process)."""),
    ("Documents (`docs.*`)", """\
Each in its own subprocess; peak RSS is that child's `ru_maxrss` (os.wait4), so it includes Python,
Django and the fonts. 申请表 per second: one process pinned to one core (`sched_setaffinity`), data read
from the database included. The school batch of 考核鉴定表 and the archive are the background jobs' own
functions (`build_assessment_batch`, `build_archive`) writing to a file; the archive's applications are
switched to `final` inside a transaction that is rolled back."""),
    ("Excel (`excel.*`)", """\
New teachers of the district written into workbooks of at most 20,000 rows (the product refuses more per
sheet: `tqr.teachers.imports.MAX_ROWS`, '请分批导入'), then `preview_import` and `preview_import` +
`import_commit` of all of them, against python-calamine's bare `to_python()` of the same files. Export:
the first 100,000 rows of the city-sized round's review queue (its district reviewer's) through the
product's `tqr.reviews.exports.review_queue_xlsx` (query included) against a bare xlsxwriter `write_row`
of the same cells."""),
    ("The round (`pg.simulate_round.*`)", """\
`manage.py simulate_round --teachers N --json` on a fresh PostgreSQL database, as a subprocess: wall time
and peak RSS (it includes `load_demo`), at the target's size of 50,000 teachers (160 units of ~310).
The per-teacher phases write per chunk of 500 applications (`tqr/demo/batch.py`, checked against the
services by `tests/demo/test_batch.py`)."""),
    ("Scale-out (`pg.scaleout.*`)", """\
Two gunicorn instances (2 sync workers each) behind nginx (`least_conn`, `proxy_next_upstream error
timeout http_502`), sharing PostgreSQL, Redis and the file store; the mixed list through the proxy, and
halfway through the first instance is taken out of nginx (`down`, reload) and stopped 3 s later with
SIGTERM. Sessions are the same cookies throughout, so a redirect to the login page would be an error.
See `docs/deployment.md`."""),
    ("SQLite (`sqlite.*`)", """\
The embedded default (`sqlite:///var/bench/tqr_bench.sqlite3`, WAL) filled the same way with a smaller
district (no city-sized round), one run per page: the same server, lists and checks."""),
]


def render(rows: list[dict], raw: dict, path: Path) -> None:
    m = raw["machine"]
    fill = raw.get("fill_pg", {})
    s = summary(rows)
    findings = ROOT / "bench" / "findings.md"
    before_file = ROOT / "bench" / "results-before.json"
    before = ({r["name"]: r for r in json.loads(before_file.read_text())} if before_file.exists() else None)
    lines = [
        "# Performance (issue 10)",
        "",
        "Generated by `make bench` (`bench/run.py`) from `bench/results.json`; the findings at the end are "
        "written by hand (`bench/findings.md`): each says what was measured before, what was changed in `tqr/` "
        "and what it gave; the table's *Before* column is the first full run, before any of them.",
        "",
        f"**{s['holding']} of {s['with_target']} targets hold.** Failing: "
        + (", ".join(f"`{n}`" for n in s["failing"]) or "none") + ".",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m['nproc']} cores ({m['cpu']}) |",
        f"| Memory | {m['memory_gb']} GB |",
        f"| OS | {m['os']} |",
        f"| Python / Django / gunicorn | {m['python']} / {m['django']} / {m['gunicorn']} |",
        f"| PostgreSQL / psycopg / SQLite | {m['postgresql']} / {m['psycopg']} / {m['sqlite']} |",
        f"| Redis | {m['redis']} |",
        f"| ReportLab / XlsxWriter / python-calamine | {m['reportlab']} / {m['xlsxwriter']} / {m['python_calamine']} |",
        f"| wrk / nginx | {m['wrk']} / {m['nginx']} |",
        f"| Load average at start | {' '.join(m['load_at_start'])} |",
        "",
        "Everything (PostgreSQL, Redis, gunicorn, wrk, the in-process measurements) shares these 2 cores.",
        "",
        "## Commands",
        "",
        "```sh",
        "make bench                    # the whole suite (bench/run.py), under 20 minutes",
        "BENCH_QUICK=1 make bench      # small data, short runs: development only (var/bench/results-quick.json)",
        "BENCH_ONLY=http,data make bench   # some stages: http mixed scaleout data docs excel round sqlite",
        "# what it runs:",
        "gunicorn --chdir . -w 2 -k sync -b 127.0.0.1:18010 --backlog 2048 tqr.wsgi:application",
        "#   DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=postgres://…/tqr_bench TQR_DEBUG=false",
        "#   TQR_SECURE_COOKIES=false TQR_REQUIRE_2FA=false TQR_CONN_MAX_AGE=600 TQR_REDIS_URL=redis://…/7",
        "#   TQR_BEHIND_PROXY=true TQR_LOG_LEVEL=WARNING",
        "wrk -t1 -c16 -d7s --timeout=5s --latency -s var/bench/<page>.lua http://127.0.0.1:18010/",
        "python -m bench.inproc data|pdf|batch|archive|xlsx_make|import_|bare_read|bare_write|export",
        "python manage.py simulate_round --teachers 50000 --json",
        "```",
        "",
        "## Data",
        "",
        "`bench/fill.py` fills a fresh database `tqr_bench`: `load_demo` (黔江区 and 武隆区, with accounts), then "
        "`tqr.demo.progress.advance` to the public notice for a few hundred teachers (every row written by the "
        "product's services: apply, confirm, review, publish), then complete drafts (wizard done, photo, not "
        "submitted) for other in-scope teachers through `application_start`/`application_save`. For scale it "
        "uses a **bulk generator**: copies of the published applications, each with a new teacher profile and "
        "evaluation, written with one `INSERT … SELECT` per table from the real rows (same column values, new "
        "keys and numbers) — the district's review queue to 10,000, one school to 200 applications, the notice "
        "to 1,000 entries (copies of a real entry, each for a copied application), and 武隆区's round to "
        "200,000 applications as the city-sized data set (the product has no city-wide 附件3, so the city "
        "figure is the district function over 200,000 applications).",
        "",
        f"This run: {fill.get('district_applications', '?')} applications in the district's round "
        f"({fill.get('queue_total', '?')} in the review queue), {fill.get('roster_applications', '?')} at the "
        f"roster's school, {fill.get('notice_entries', '?')} notice entries, {fill.get('city_applications', '?')} "
        f"in the city-sized round; filled in {fill.get('seconds', '?')} s ({fill.get('timings', {})}).",
        "",
        "## Results",
        "",
        "*Before*: the same figure in the first full run, before any finding below was applied "
        "(`bench/results-before.json`, with its ratio in brackets).",
        "",
        markdown_table(rows, before),
        "Each row's `note` in `bench/results.json` says how it was measured (runs, sizes, query counts, and for "
        "the POST benchmarks how many requests really changed the database).",
        "",
        "## What each figure means",
        "",
    ]
    for title, text in EXPLAIN:
        lines += [f"### {title}", "", text, ""]
    if findings.exists():
        lines += [findings.read_text()]
    path.write_text("\n".join(lines) + "\n")


# --- docs/deployment.md ------------------------------------------------------------------------------

# Planning assumptions (stated in the document; change them here).
PROVINCE_TEACHERS = 600_000  # a large province's primary and secondary teachers
COUNTRY_TEACHERS = 18_800_000  # China's full-time teachers at every level (national statistics, 2023)
DUE_SHARE = 0.20  # registration every 5 years: about a fifth of the teachers apply in a given year
LAST_DAYS_SHARE, LAST_DAYS = 0.30, 2  # 30 % of them act in the last 2 days of the window
REQUESTS_PER_APPLICANT = 30  # wizard steps, status page, photo, PDF, over a day
PEAK_HOUR_SHARE = 0.20  # a fifth of a day's requests in its busiest hour
HEADROOM = 2.0  # run at half the measured capacity


def _value(rows: list[dict], name: str) -> float | None:
    return next((r["value"] for r in rows if r["name"] == name), None)


def capacity(rows: list[dict]) -> dict:
    per_host = _value(rows, "pg.mixed.rps") or 0.0
    out = {"per_host": per_host}
    for label, teachers in (("province", PROVINCE_TEACHERS), ("country", COUNTRY_TEACHERS)):
        applicants = teachers * DUE_SHARE
        per_day = applicants * LAST_DAYS_SHARE / LAST_DAYS * REQUESTS_PER_APPLICANT
        peak_rps = per_day * PEAK_HOUR_SHARE / 3600
        hosts = peak_rps * HEADROOM / per_host if per_host else None
        out[label] = {"teachers": teachers, "applicants": applicants, "requests_per_day": per_day,
                      "peak_rps": peak_rps, "hosts": hosts, "hosts_at_target": peak_rps * HEADROOM / 350}
    return out


def render_deployment(rows: list[dict], raw: dict, path: Path) -> None:
    c = capacity(rows)
    m = raw["machine"]

    def n(x, digits=0):
        return "—" if x is None else f"{x:,.{digits}f}"

    def hosts(x):
        import math

        return "—" if x is None else str(max(2, math.ceil(x)))

    scale = raw.get("scaleout")
    scale_text = (
        f"Measured on this machine (`bench/run.py: scale_out`): two gunicorn instances (2 sync workers each) "
        f"behind nginx (`proxy_next_upstream error timeout http_502`), sharing PostgreSQL, Redis and the file "
        f"store; the mixed load through the proxy for {scale['seconds']} s, and after {scale['stop_after']:g} s "
        f"the first instance taken out of nginx (`down`, `nginx -s reload`) and stopped 3 s later (SIGTERM: "
        f"gunicorn finishes what it is answering). Requests: {scale['requests']}, errors: "
        f"{scale['errors']} ({scale['rps']:.1f} req/s, p99 {scale['p99_ms']:.0f} ms). Sessions are in the shared "
        f"Redis and PostgreSQL, so a user's next request on the other instance is still logged in: the script counts a "
        f"redirect to the login page as an error. Both instances share the same 2 cores here, so the throughput "
        f"does not double: what this shows is the failover, not the capacity."
        if scale else
        "**Not measured in this run.** The harness has no nginx stage yet: what it would show (no request "
        "lost beyond those in flight when an instance stops, sessions surviving because they are rows in "
        "PostgreSQL or keys in the shared Redis) is the design below, not a measurement."
    )
    text = f"""# Deployment and capacity

The production layout of TQR, and how many machines a province and the whole country need, from the
figures `make bench` measured (`docs/performance.md`, `bench/results.json`). The arithmetic is redone by
`bench/render.py` on every full run; the assumptions are at the top of that file.

## Layout

```
                 ┌──────────── nginx (TLS, client_max_body_size 10m, X-Real-IP) ────────────┐
                 │                       least_conn, proxy_next_upstream                     │
         app-1 … app-N  (gunicorn tqr.wsgi, sync workers = 2 × cores, stateless)
                 │   sessions: read from Redis, written through to PostgreSQL (cached_db)
                 │   cache and rate limits: Redis (TQR_REDIS_URL)
                 │   files: one shared store mounted at TQR_MEDIA_ROOT on every app and worker
                 ▼
            PgBouncer (transaction pooling) ──► PostgreSQL primary ──streaming──► replica (hot standby)
                 ▲                                                                 (backups, reports)
        workers: python manage.py db_worker (the 考核鉴定表 batches, archives, mail), 1–2 per site
        cron: run_deadlines every few minutes, verify_audit daily, export_audit, apply_retention
```

- **App servers are stateless.** Everything a request needs is in PostgreSQL, Redis or the shared file
  store, so N servers behind nginx are equivalent and one can be stopped at any time: nginx retries a
  request that could not be sent (`proxy_next_upstream error timeout`), and a user's session is found by
  any server. Only a request *in flight* on a server that is killed (not stopped gracefully) is lost.
- **PostgreSQL**: one primary for all writes, a streaming replica for failover, backups and heavy reads
  (exports, 附件3 for the city). **PgBouncer** in transaction mode in front, because N servers × workers ×
  persistent connections (`TQR_CONN_MAX_AGE`) would otherwise exceed `max_connections`; with PgBouncer in
  transaction mode set `TQR_PGBOUNCER=true` on the apps (no persistent connections of their own, no
  server-side cursors, which would outlive the pooled transaction) and let PgBouncer keep the connections.
- **Redis**: the cache and the public pages' rate limits must be shared (with a per-process cache every
  server would allow its own 60 requests a minute per address), and sessions are read from it.
- **Workers** run the long jobs (the school's batch of 1,000 考核鉴定表, the archive) off the web servers.

## What one machine did here

{m['nproc']} cores, {m['memory_gb']} GB, everything on the same machine (PostgreSQL, Redis, gunicorn with 2 sync
workers, the load generator): the mixed peak (teachers 80 %, school administrators 15 %, reviewers 5 %) ran
at **{n(c['per_host'], 1)} req/s** (`pg.mixed.rps`). That figure is the capacity unit below: an app server of
2 cores serves about that many requests a second of this mix. A dedicated database server and a load
generator elsewhere would only raise it.

## Scale-out on one machine

{scale_text}

## Capacity arithmetic

Assumptions: {DUE_SHARE:.0%} of teachers apply in a given year (registration every five years);
{LAST_DAYS_SHARE:.0%} of them act in the last {LAST_DAYS} days of the application window; {REQUESTS_PER_APPLICANT} requests
per applicant on that day; the busiest hour carries {PEAK_HOUR_SHARE:.0%} of the day; servers run at
1/{HEADROOM:g} of measured capacity.

| | Province | Country |
|---|---:|---:|
| Teachers | {n(c['province']['teachers'])} | {n(c['country']['teachers'])} |
| Applicants in a year | {n(c['province']['applicants'])} | {n(c['country']['applicants'])} |
| Requests on a peak day | {n(c['province']['requests_per_day'])} | {n(c['country']['requests_per_day'])} |
| Peak-hour load | {n(c['province']['peak_rps'], 1)} req/s | {n(c['country']['peak_rps'], 1)} req/s |
| App servers of 2 cores (at {n(c['per_host'], 1)} req/s each, ×{HEADROOM:g} headroom, at least 2) | {hosts(c['province']['hosts'])} | {hosts(c['country']['hosts'])} |
| … once the mixed peak reaches its target of 350 req/s per host | {hosts(c['province']['hosts_at_target'])} | {hosts(c['country']['hosts_at_target'])} |

- **A province** needs {hosts(c['province']['hosts'])} app servers (two is the minimum, for availability),
  one PostgreSQL primary with a replica, Redis, one or two workers. The long jobs matter more than the request rate: a district's
  archive and the schools' batches of 考核鉴定表 (see `docs.*` in the results) run on the worker.
- **The whole country in one window** (it never is: provinces set their own) needs the number of app
  servers above behind a pair of nginx; the single PostgreSQL primary is then the limit to watch. Reads
  are cheap for it (sessions come from Redis, a session row is written at most once a minute); the writes
  are the saves and submits, each with its audit row on the one hash chain (finding 8). Beyond that,
  partition by province (one database per province, which the data model already suggests: every round
  belongs to one district).
- The statistics (附件3) for a city and the Excel/PDF jobs are the heavy reads: run them on the replica
  or the worker (`docs/performance.md`, findings 4, 5, 6, 9).
"""
    path.write_text(text)
