"""`make samples`: every document the product makes and a screenshot of every page, from the demo district.

Writes into build/samples/: `<area>-<page>-desktop.png` / `-phone.png` and the documents by name.
A separate database (var/samples.sqlite3) keeps the developer's own data out of it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "samples"
PY = sys.executable
CHROMIUM = os.environ.get("TQR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# (area, page, login or None, path). Paths may use {round} (the current round of 黔江区) and {unit}.
PAGES = [
    ("login", "login", None, "/login/"),
    ("home", "teacher", "t0001", "/"),
    ("home", "school", "sa_500114040", "/"),
    ("home", "district", "qj_review1", "/"),
    ("home", "city", "cq_review1", "/"),
    ("round", "announcement", "t0001", "/rounds/{round}/"),
    ("round", "name-administrator", "sa_500114040", "/rounds/{round}/administrator/"),
    ("round", "administrators-district", "qj_review1", "/rounds/{round}/administrators/?show=missing"),
    ("sysadmin", "index", "sysadmin", "/sysadmin/"),
    ("api", "docs", "qj_review1", "/api/v1/docs"),
]


def env() -> dict:
    e = dict(os.environ)
    e.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'samples.sqlite3'}")
    e["TQR_SECURE_COOKIES"] = "false"
    e["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return e


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env(), check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback server
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")


def round_id() -> int:
    import django

    os.environ.update(env())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tqr.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from tqr.campaigns.models import Round

    return Round.objects.filter(district__code="500114").order_by("-year").values_list("pk", flat=True).first()


def screenshots(base: str, rid: int, password: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width_name, viewport in WIDTHS.items():
            sessions: dict[str | None, object] = {}
            for area, name, username, path in PAGES:
                if username not in sessions:
                    ctx = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=width_name == "phone")
                    if username:
                        pg = ctx.new_page()
                        pg.goto(f"{base}/login/")
                        pg.fill("#id_username", username)
                        pg.fill("#id_password", password)
                        pg.click("button[type=submit]")
                        pg.wait_for_load_state("networkidle")
                        pg.close()
                    sessions[username] = ctx
                page = sessions[username].new_page()
                page.goto(base + path.format(round=rid))
                page.wait_for_load_state("networkidle")
                target = OUT / f"{area}-{name}-{width_name}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
                page.close()
            for ctx in sessions.values():
                ctx.close()
        browser.close()
    return written


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--noinput", "-v", "0")
    manage("load_demo")
    rid = round_id()  # sets Django up
    from tqr.demo.generate import DEMO_PASSWORD

    port = free_port()
    server = subprocess.Popen(
        [PY, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT, env=env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        written = screenshots(f"http://127.0.0.1:{port}", rid, DEMO_PASSWORD)
    finally:
        server.terminate()
        server.wait(10)
    for path in written:
        print(path.relative_to(ROOT))
    print(f"{len(written)} files in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
