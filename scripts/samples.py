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
# Every teacher page is also shot on a small phone (issue 11: phone-first at 390×844 and 360×640).
TEACHER_WIDTHS = {**WIDTHS, "phone360": {"width": 360, "height": 640}}
# Who walks the teacher's pages at each width (t0001 and t0002 share a school; t0003 is elsewhere).
TEACHERS = {"desktop": "t0001", "phone": "t0002", "phone360": "t0003"}

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
    ("help", "public", None, "/help/"),
    ("help", "teacher", "t0001", "/help/"),
    ("help", "school", "sa_500114040", "/help/"),
    ("help", "district", "qj_review1", "/help/"),
    ("help", "city", "cq_review1", "/help/"),
    ("sysadmin", "index", "sysadmin", "/sysadmin/"),
    ("api", "docs", "qj_review1", "/api/v1/docs"),
]


def env() -> dict:
    e = dict(os.environ)
    e["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'samples.sqlite3'}"  # always its own database
    e["TQR_SECURE_COOKIES"] = "false"
    e["TQR_REQUIRE_2FA"] = "false"  # reviewers log in through the form; no authenticator app here
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


class Visit:
    """One browser context at one width, logged in as someone; it collects the files it writes."""

    def __init__(self, browser, base: str, width_name: str, username: str | None = None, password: str = ""):
        self.base, self.width = base, width_name
        self.context = browser.new_context(viewport=TEACHER_WIDTHS[width_name], locale="zh-CN",
                                           is_mobile=width_name != "desktop", accept_downloads=True)
        self.page = self.context.new_page()
        self.written: list[Path] = []
        if username:
            self.goto("/login/")
            self.page.fill("#id_username", username)
            self.page.fill("#id_password", password)
            self.click("main button[type=submit]")

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.page.wait_for_load_state("networkidle")

    def shot(self, name: str) -> None:
        target = OUT / f"{name}-{self.width}.png"
        self.page.screenshot(path=str(target), full_page=True)
        self.written.append(target)

    def download(self, selector: str, name: str) -> None:
        with self.page.expect_download() as d:
            self.page.click(selector)
        target = OUT / name
        d.value.save_as(str(target))
        self.written.append(target)

    def close(self) -> list[Path]:
        self.context.close()
        return self.written


def photo_file() -> Path:
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1200, 1600), (248, 248, 248))
    draw = ImageDraw.Draw(img)
    draw.ellipse((400, 350, 800, 850), fill=(224, 186, 160))
    draw.rectangle((300, 900, 900, 1600), fill=(40, 60, 110))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    target = ROOT / "var" / "sample-photo-input.jpg"
    target.write_bytes(buf.getvalue())
    return target


def teacher_journey(browser, base: str, rid: int, password: str) -> list[Path]:
    """t0001 (desktop), t0002 (phone 390×844) and t0003 (phone 360×640) walk every page a teacher reaches: the
    pages before login, home, the whole wizard, the status page before and after submitting, the inbox, the
    account pages, the round's announcement and the public lookup; the 申请表 is downloaded."""
    written = []
    photo = photo_file()
    for width_name in TEACHER_WIDTHS:
        public = Visit(browser, base, width_name)
        for path, name in (("/login/", "teacher-login"), ("/account/signup/", "teacher-signup"),
                           ("/account/password/reset/", "teacher-password-reset"), ("/lookup/", "teacher-lookup")):
            public.goto(path)
            public.shot(name)
        written += public.close()
        v = Visit(browser, base, width_name, TEACHERS[width_name], password)
        v.shot("teacher-home-before")
        v.goto("/apply/")
        v.shot("wizard-1-readme")
        v.click("main button.primary[type=submit]")
        v.shot("wizard-2-terms")
        v.page.check("#id_accept")
        for name in ("3-identity", "4-certificate", "5-notices", "6-data"):
            v.click("main button.primary[type=submit]")
            v.shot(f"wizard-{name}")
        v.click("main button.primary[type=submit]")
        v.shot("wizard-6-photo-empty")
        v.page.set_input_files("#id_photo", str(photo))
        v.page.wait_for_timeout(300)
        v.shot("wizard-6-photo-crop")
        v.click("#photo-form button[type=submit]")
        v.shot("wizard-6-photo")
        v.goto(f"/apply/{rid}/")
        v.shot("wizard-7-status-draft")
        v.click("main .actions button.primary")
        v.shot("wizard-7-status-submitted")
        if width_name == "desktop":
            v.download("text=下载申请表（PDF）", "application-form.pdf")
        for path, name in (("/", "teacher-home"), (f"/rounds/{rid}/", "teacher-round"), ("/inbox/", "teacher-inbox"),
                           ("/account/password/", "account-password-change"), ("/account/tokens/", "account-api-tokens"),
                           ("/account/verify/", "account-verify-email")):
            v.goto(path)
            v.shot(name)
        written += v.close()
    photo.unlink()
    return written


def teacher_later(browser, base: str, rid: int, password: str, stage: str) -> list[Path]:
    """The teacher's home and status page later in the round (after demo_advance), and the public notice."""
    from tqr.reviews.models import Notice

    notice = Notice.objects.filter(round_id=rid, published_at__isnull=False).first()
    written = []
    for width_name in TEACHER_WIDTHS:
        v = Visit(browser, base, width_name, TEACHERS[width_name], password)
        v.shot(f"teacher-home-{stage}")
        v.goto(f"/apply/{rid}/")
        v.shot(f"teacher-status-{stage}")
        if notice is not None and width_name != "desktop":
            v.goto(f"/notices/{notice.slug}/")
            v.shot(f"teacher-notice-{stage}")
        written += v.close()
    return written


def school_journey(browser, base: str, rid: int, password: str) -> list[Path]:
    """The administrator of t0001's school: roster, checklist, proofs, statistics and hand-over."""
    written = []
    for width_name in WIDTHS:
        v = Visit(browser, base, width_name, "sa_500114040", password)
        v.goto(f"/school/{rid}/roster/?show=due")
        v.shot("school-roster")
        v.click("table.roster a:has-text('核验')")
        v.shot("school-checklist")
        if width_name == "desktop":
            v.download("a:has-text('下载考核鉴定表')", "assessment-form.pdf")
        v.goto(f"/school/{rid}/handover/")
        v.shot("school-statistics")
        if width_name == "desktop":
            v.goto(f"/school/{rid}/dashboard/")
            v.shot("dash-school-application")
            v.goto(f"/school/{rid}/handover/")
            v.download("a:has-text('下载 PDF')", "statistics-school.pdf")
            v.download("a:has-text('下载 Excel')", "statistics-school.xlsx")
            v.goto(f"/school/{rid}/roster/")
            v.click("button:has-text('批量出具考核鉴定表')")
            v.shot("school-proofs-job")
            v.download("a:has-text('下载')", "assessment-forms-school-batch.pdf")
        written += v.close()
    return written


def district_journey(browser, base: str, rid: int, password: str) -> list[Path]:
    """After demo_advance --to notice: the public notice, the review queue, one review, statistics, the notice."""
    from tqr.reviews.models import Notice

    written = []
    notice = Notice.objects.filter(round_id=rid).first()
    for width_name in WIDTHS:
        public = Visit(browser, base, width_name)
        if notice is not None:
            public.goto(f"/notices/{notice.slug}/")
            public.shot("notice-public")
            if width_name == "desktop":
                public.download("a:has-text('下载公示')", "notice.pdf")
        written += public.close()
        v = Visit(browser, base, width_name, "qj_review1", password)
        v.shot("dashboard-district")
        v.goto(f"/reviews/{rid}/")
        v.shot("review-queue")
        v.goto(f"/reviews/{rid}/?proposal=deferred")
        v.click("table.review a >> nth=0")
        v.shot("review-application")
        v.goto(f"/reviews/{rid}/statistics/")
        v.shot("statistics-district")
        if width_name == "desktop":
            v.download("a:has-text('下载 PDF')", "statistics-district.pdf")
            v.download("a:has-text('下载 Excel')", "statistics-district.xlsx")
        v.goto(f"/reviews/{rid}/notice/")
        v.shot("notice-district")
        if width_name == "desktop":  # the dashboards (看板) at desktop width, in the notice phase
            v.goto(f"/reviews/{rid}/dashboard/")
            v.shot("dash-district-notice")
        v.goto(f"/visits/{rid}/schedule/")
        v.shot("visits-schedule")
        for path, name in (("/exchange/", "exchange-home"), ("/exchange/sources/new/", "exchange-source-new"),
                           ("/exchange/runs/", "exchange-runs"), ("/exchange/layout/", "exchange-layout"),
                           (f"/exchange/rounds/{rid}/export/", "exchange-export"), ("/inbox/failed/", "failed-emails")):
            v.goto(path)
            v.shot(name)
        written += v.close()
    return written


def city_journey(browser, base: str, rid: int, password: str) -> list[Path]:
    """After demo_advance --to archiving: the city's batches and sample, the district's stickers page; and the
    documents of the end of the round (sampling record, sticker sheet, a final 申请表, an archive manifest)."""
    from tqr.applications.documents import application_form_pdf
    from tqr.applications.models import Application
    from tqr.city.archive import manifest, teacher_package
    from tqr.city.documents import sampling_record_pdf, sticker_sheet_pdf
    from tqr.city.models import Sample, Sticker

    written = []
    for width_name in WIDTHS:
        v = Visit(browser, base, width_name, "cq_review1", password)
        v.goto("/city/")
        v.shot("city-batches")
        v.goto(f"/city/{rid}/sample/")
        v.shot("city-sample")
        if width_name == "desktop":  # the dashboards (看板) at the end of the round
            v.goto("/city/dashboard/")
            v.shot("dash-city-archiving")
            v.goto(f"/reviews/{rid}/dashboard/")
            v.shot("dash-district-archiving")
        written += v.close()
        v = Visit(browser, base, width_name, "qj_review1", password)
        v.goto(f"/reviews/{rid}/stickers/")
        v.shot("district-stickers")
        written += v.close()
        public = Visit(browser, base, width_name)
        public.goto("/lookup/")
        public.shot("lookup-public")
        written += public.close()
    sample = Sample.objects.filter(round_id=rid).first()
    final = Application.objects.filter(round_id=rid, state="final").order_by("id").first()
    outputs = {
        "sampling-record.pdf": sampling_record_pdf(sample) if sample else None,
        "stickers.pdf": sticker_sheet_pdf(list(Sticker.objects.filter(application__round_id=rid)
                                               .select_related("application", "registration")[:10])),
        "application-form-final.pdf": application_form_pdf(final) if final else None,
        "archive-manifest.json": manifest(teacher_package(final)) if final else None,
    }
    for name, body in outputs.items():
        if body:
            target = OUT / name
            target.write_bytes(body)
            written.append(target)
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


def english_pages(browser, base: str, rid: int, password: str) -> list[Path]:
    """The same product in English (the switch on every page), one role at a time, at the end of the round."""
    written = []
    people = [
        ("teacher", TEACHERS["desktop"], ["/", f"/apply/{rid}/", "/help/teacher/"], ("desktop", "phone")),
        ("school", "sa_500114040", ["/", f"/school/{rid}/dashboard/", f"/school/{rid}/roster/"], ("desktop",)),
        ("district", "qj_review1", ["/", f"/reviews/{rid}/dashboard/", f"/reviews/{rid}/"], ("desktop",)),
        ("city", "cq_review1", ["/city/dashboard/", "/city/"], ("desktop",)),
    ]
    for role, username, paths, widths in people:
        for width_name in widths:
            v = Visit(browser, base, width_name, username, password)
            v.click("button[name=language][value=en]")
            for i, path in enumerate(paths):
                v.goto(path)
                v.shot(f"en-{role}-{i + 1}")
            written += v.close()
    return written


def screenshots(base: str, rid: int, password: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width_name in WIDTHS:
            visits: dict[str | None, Visit] = {}
            for area, name, username, path in PAGES:
                if username not in visits:
                    visits[username] = Visit(browser, base, width_name, username, password)
                v = visits[username]
                v.goto(path.format(round=rid))
                v.shot(f"{area}-{name}")
            for v in visits.values():
                written += v.close()
        written += teacher_journey(browser, base, rid, password)
        written += school_journey(browser, base, rid, password)
        manage("demo_advance", "--to", "notice")
        written += district_journey(browser, base, rid, password)
        written += teacher_later(browser, base, rid, password, "notice")
        manage("demo_advance", "--to", "archiving")
        written += city_journey(browser, base, rid, password)
        written += teacher_later(browser, base, rid, password, "archiving")
        written += english_pages(browser, base, rid, password)
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
