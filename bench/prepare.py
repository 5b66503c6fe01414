"""Logged-in sessions and the request lists for wrk, and small database chores between runs.

python -m bench.prepare sessions --fixtures F --out DIR   → DIR/<bench>.lua-data + DIR/manifest.json
python -m bench.prepare reset-drafts --fixtures F         → the drafts are drafts again (after a submit run)
python -m bench.prepare count --fixtures F                → JSON: drafts submitted, wizard edits recorded
python -m bench.prepare phase --fixtures F --to application

Sessions are created directly in the session store (what a login writes: user id, backend, hash, login
time), so the benchmarks measure the pages, not Argon2. Two-factor is off for the bench server
(TQR_REQUIRE_2FA=false, as `make run`), cookies are not Secure (plain http on loopback).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def make_session(user, csrf: str) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from tqr.accounts.middleware import RENEWED_AT_SESSION_KEY
    from tqr.accounts.signals import LOGIN_AT_SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[LOGIN_AT_SESSION_KEY] = time.time()
    store[RENEWED_AT_SESSION_KEY] = int(time.time())  # as a login leaves it (SessionRenewMiddleware)
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def wizard_body(d: dict, csrf: str, year: int, phone: str) -> str:
    from urllib.parse import urlencode

    fields = {
        "csrfmiddlewaretoken": csrf, "unit": d["unit"], "post_level": d["post_level"], "subject": d["subject"] or "语文",
        "title": d["title"] or "", "hire_date": d["hire_date"], "phone": phone,
        "training_hours": d["training_hours"],
        "int-TOTAL_FORMS": 0, "int-INITIAL_FORMS": 0, "int-MIN_NUM_FORMS": 0, "int-MAX_NUM_FORMS": 20,
    }
    for y in range(year - 5, year):
        fields[f"assess_{y}"] = (d["assessments"] or {}).get(str(y), "qualified") or "qualified"
    return urlencode(fields)


def sessions(fixtures: dict, out: Path) -> dict:
    from django.middleware.csrf import _get_new_csrf_string

    from bench.wrk import lua_requests
    from tqr.accounts.models import User

    rng = random.Random(10)
    out.mkdir(parents=True, exist_ok=True)
    users = {u.pk: u for u in User.objects.filter(pk__in=[
        *fixtures["teachers_with_application"][:400], *[d["user"] for d in fixtures["drafts"]],
        *fixtures["school_admins"], *fixtures["reviewers"], fixtures["school_admin"]])}
    cookies: dict[int, tuple[str, str]] = {}

    def cookie(uid: int) -> tuple[str, str]:
        if uid not in cookies:
            csrf = _get_new_csrf_string()
            cookies[uid] = (make_session(users[uid], csrf), csrf)
        return cookies[uid]

    r, year = fixtures["round"], fixtures["round_year"]
    status_users = fixtures["teachers_with_application"][:400]
    drafts = fixtures["drafts"]
    lists: dict[str, list] = {}

    def get(path: str, uid: int | None) -> tuple:
        return ("GET", path, {"Cookie": cookie(uid)[0]} if uid else {}, None, "get")

    def wizard(d: dict) -> tuple:
        c, csrf = cookie(d["user"])
        body = wizard_body(d, csrf, year, f"139{rng.randrange(10**8):08d}")
        return ("POST", f"/apply/{r}/step/6/", {"Cookie": c, "Content-Type": "application/x-www-form-urlencoded"},
                body, "post")

    def submit(d: dict) -> tuple:
        c, csrf = cookie(d["user"])
        return ("POST", f"/apply/{r}/submit/", {"Cookie": c, "Content-Type": "application/x-www-form-urlencoded"},
                f"csrfmiddlewaretoken={csrf}", "post")

    lists["floor"] = [get("/__bench__/floor", u) for u in status_users]
    lists["floor_anon"] = [get("/__bench__/floor", None)]
    lists["healthz"] = [get("/healthz", None)]
    lists["teacher_status"] = [get(f"/apply/{r}/", u) for u in status_users]
    # Each wizard save changes the phone number: a real edit (version, history, evaluation), every time.
    lists["wizard_save"] = [wizard(d) for d in drafts for _ in range(3)]
    rng.shuffle(lists["wizard_save"])
    lists["submit"] = [submit(d) for d in drafts]
    lists["school_roster"] = [get(f"/school/{r}/roster/", fixtures["school_admin"])]
    pages = max(1, fixtures["queue_total"] // 50)
    lists["review_queue"] = [get(f"/reviews/{r}/?page={rng.randrange(1, pages + 1)}", u)
                             for u in fixtures["reviewers"] for _ in range(100)]
    rng.shuffle(lists["review_queue"])
    lists["notice_public"] = [get(f"/notices/{fixtures['notice_slug']}/", None)]

    # The mixed peak: teachers 80 % (status 40, the wizard's step page 20, a wizard save 20), school
    # administrators 15 % (their roster), reviewers 5 % (a page of the queue).
    mixed = []
    admins = fixtures["school_admins"]
    for _ in range(4000):
        x = rng.random()
        if x < 0.40:
            mixed.append(get(f"/apply/{r}/", rng.choice(status_users)))
        elif x < 0.60:
            d = rng.choice(drafts)
            mixed.append(get(f"/apply/{r}/step/6/", d["user"]))
        elif x < 0.80:
            mixed.append(wizard(rng.choice(drafts)))
        elif x < 0.95:
            mixed.append(get(f"/school/{r}/roster/", rng.choice(admins)))
        else:
            mixed.append(get(f"/reviews/{r}/?page={rng.randrange(1, pages + 1)}", rng.choice(fixtures["reviewers"])))
    lists["mixed"] = [(m, p, h, b, "any") for m, p, h, b, _ in mixed]

    manifest = {}
    for name, reqs in lists.items():
        path = out / f"{name}.lua-data"
        path.write_text(lua_requests(reqs))
        manifest[name] = {"data": str(path), "requests": len(reqs), "sample": reqs[0][1]}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def reset_drafts(fixtures: dict) -> int:
    from tqr.applications.models import Application
    from tqr.rules.flow import State

    return Application.objects.filter(pk__in=[d["app"] for d in fixtures["drafts"]]).update(
        state=State.DRAFT, submitted_at=None)


def count(fixtures: dict) -> dict:
    from django.db.models import Sum

    from tqr.applications.models import Application
    from tqr.rules.flow import State

    ids = [d["app"] for d in fixtures["drafts"]]
    # A save that changes something bumps the version (history events are merged, so they cannot count).
    versions = Application.objects.filter(pk__in=ids).aggregate(v=Sum("version"))["v"] or 0
    return {"submitted": Application.objects.filter(pk__in=ids, state=State.SUBMITTED).count(), "edits": versions}


def phase(fixtures: dict, to: str) -> None:
    from datetime import date

    from tqr.campaigns.models import Round
    from tqr.demo.progress import _move
    from tqr.rules.phases import Phase

    _move(Round.objects.get(pk=fixtures["round"]), Phase(to), date.today())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["sessions", "reset-drafts", "count", "phase"])
    p.add_argument("--fixtures", required=True)
    p.add_argument("--out")
    p.add_argument("--to", default="application")
    a = p.parse_args(argv)
    setup()
    fixtures = json.loads(Path(a.fixtures).read_text())
    if a.what == "sessions":
        print(json.dumps(sessions(fixtures, Path(a.out))))
    elif a.what == "reset-drafts":
        print(json.dumps({"reset": reset_drafts(fixtures)}))
    elif a.what == "count":
        print(json.dumps(count(fixtures)))
    else:
        phase(fixtures, a.to)
    return 0


if __name__ == "__main__":
    sys.exit(main())
