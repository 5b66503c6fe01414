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
    e["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'samples.sqlite3'}"  # always its own database
    e["TQR_SECURE_COOKIES"] = "false"
    e["TQR_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"  # jobs finish within the request
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


def teacher_journey(browser, base: str, rid: int, password: str) -> list[Path]:
    """t0001 walks the application wizard; every step is shot at both widths, the 申请表 is downloaded."""
    import io

    from PIL import Image, ImageDraw

    written = []
    photo = OUT / "photo-input.jpg"
    img = Image.new("RGB", (1200, 1600), (248, 248, 248))
    draw = ImageDraw.Draw(img)
    draw.ellipse((400, 350, 800, 850), fill=(224, 186, 160))
    draw.rectangle((300, 900, 900, 1600), fill=(40, 60, 110))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    photo.write_bytes(buf.getvalue())
    for width_name, viewport in WIDTHS.items():
        ctx = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=width_name == "phone",
                                  accept_downloads=True)
        page = ctx.new_page()
        page.goto(f"{base}/login/")
        page.fill("#id_username", "t0002" if width_name == "phone" else "t0001")
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

        def shot(name: str, page=page, width_name=width_name) -> None:
            target = OUT / f"wizard-{name}-{width_name}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)

        page.goto(f"{base}/apply/")
        shot("1-readme")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot("2-terms")
        page.check("#id_accept")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot("3-identity")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot("4-certificate")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot("5-notices")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot("6-data")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.set_input_files("#id_photo", str(photo))
        page.click("#photo-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot("6-photo")
        page.goto(f"{base}/apply/{rid}/")
        shot("7-status-draft")
        page.click("main .actions button.primary")
        page.wait_for_load_state("networkidle")
        shot("7-status-submitted")
        if width_name == "desktop":
            with page.expect_download() as download:
                page.click("text=下载申请表（PDF）")
            target = OUT / "application-form.pdf"
            download.value.save_as(str(target))
            written.append(target)
        ctx.close()
    photo.unlink()
    return written


def school_journey(browser, base: str, rid: int, password: str) -> list[Path]:
    """The administrator of t0001's school: roster, checklist, proofs, statistics and hand-over."""
    written = []
    for width_name, viewport in WIDTHS.items():
        ctx = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=width_name == "phone",
                                  accept_downloads=True)
        page = ctx.new_page()
        page.goto(f"{base}/login/")
        page.fill("#id_username", "sa_500114040")
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

        def shot(name: str, page=page, width_name=width_name) -> None:
            target = OUT / f"school-{name}-{width_name}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)

        def download(selector: str, name: str, page=page) -> None:
            with page.expect_download() as d:
                page.click(selector)
            target = OUT / name
            d.value.save_as(str(target))
            written.append(target)

        page.goto(f"{base}/school/{rid}/roster/?show=due")
        shot("roster")
        page.click("table.roster a:has-text('核验')")
        page.wait_for_load_state("networkidle")
        shot("checklist")
        if width_name == "desktop":
            download("a:has-text('下载考核鉴定表')", "assessment-form.pdf")
        page.goto(f"{base}/school/{rid}/handover/")
        shot("statistics")
        if width_name == "desktop":
            download("a:has-text('下载 PDF')", "statistics-school.pdf")
            download("a:has-text('下载 Excel')", "statistics-school.xlsx")
            page.goto(f"{base}/school/{rid}/roster/")
            page.click("button:has-text('批量出具考核鉴定表')")
            page.wait_for_load_state("networkidle")
            shot("proofs-job")
            download("a:has-text('下载')", "assessment-forms-school-batch.pdf")
        ctx.close()
    return written


def district_journey(browser, base: str, rid: int, password: str) -> list[Path]:
    """After demo_advance --to notice: the review queue, one review, statistics, the notice (district and public)."""
    written = []
    import django

    django.setup()
    from tqr.reviews.models import Notice

    notice = Notice.objects.filter(round_id=rid).first()
    for width_name, viewport in WIDTHS.items():
        ctx = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=width_name == "phone",
                                  accept_downloads=True)
        page = ctx.new_page()

        def shot(name: str, page=page, width_name=width_name) -> None:
            target = OUT / f"{name}-{width_name}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)

        def download(selector: str, name: str, page=page) -> None:
            with page.expect_download() as d:
                page.click(selector)
            target = OUT / name
            d.value.save_as(str(target))
            written.append(target)

        if notice is not None:
            page.goto(f"{base}/notices/{notice.slug}/")
            shot("notice-public")
            if width_name == "desktop":
                download("a:has-text('下载公示')", "notice.pdf")
        page.goto(f"{base}/login/")
        page.fill("#id_username", "qj_review1")
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot("dashboard-district")
        page.goto(f"{base}/reviews/{rid}/")
        shot("review-queue")
        page.goto(f"{base}/reviews/{rid}/?proposal=deferred")
        page.click("table.review a >> nth=0")
        page.wait_for_load_state("networkidle")
        shot("review-application")
        page.goto(f"{base}/reviews/{rid}/statistics/")
        shot("statistics-district")
        if width_name == "desktop":
            download("a:has-text('下载 PDF')", "statistics-district.pdf")
            download("a:has-text('下载 Excel')", "statistics-district.xlsx")
        page.goto(f"{base}/reviews/{rid}/notice/")
        shot("notice-district")
        page.goto(f"{base}/visits/{rid}/schedule/")
        shot("visits-schedule")
        ctx.close()
    return written


def documents() -> list[Path]:
    """Documents rendered straight from their builders with sample data (layout checks)."""
    from datetime import datetime

    from tqr.documents.application_form import build_application_form, sample_data

    written = []
    target = OUT / "application-form-worst-case.pdf"
    target.write_bytes(build_application_form(sample_data(worst_case=True)))
    written.append(target)
    data = sample_data()
    import dataclasses

    target = OUT / "application-form-with-conclusion.pdf"
    target.write_bytes(build_application_form(dataclasses.replace(
        data, conclusion="注册结论：合格 2026年12月8日", submitted_at=datetime(2026, 11, 10, 9, 30))))
    written.append(target)
    return written


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
        written += teacher_journey(browser, base, rid, password)
        written += school_journey(browser, base, rid, password)
        manage("demo_advance", "--to", "notice")
        written += district_journey(browser, base, rid, password)
        browser.close()
    return written


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in [*OUT.glob("*.png"), *OUT.glob("*.pdf"), *OUT.glob("*.xlsx")]:
        old.unlink()
    # A fresh demo district every time, so that the journeys start from the same place.
    for leftover in (ROOT / "var").glob("samples.sqlite3*"):
        leftover.unlink()
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
        written = screenshots(f"http://127.0.0.1:{port}", rid, DEMO_PASSWORD) + documents()
    finally:
        server.terminate()
        server.wait(10)
    for path in written:
        print(path.relative_to(ROOT))
    print(f"{len(written)} files in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
