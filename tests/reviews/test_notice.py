"""The public notice: dates by working days, only the allow-listed fields, objections, closing, the report."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.factories import teacher, user
from tests.reviews.helpers import confirmed, move_to
from tqr.accounts.models import Role
from tqr.applications.models import Application
from tqr.applications.services import ApplicationError, application_transition
from tqr.audit.models import AuditEvent
from tqr.reviews import services
from tqr.reviews.models import CityReport, Notice, Objection
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db
ID_RE = re.compile(r"\d{17}[\dXx]")
BIRTH_RE = re.compile(r"\d{6}(19|20)\d{6}")
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def reviewed(world):
    """Three reviewed applications, two of them the same name at the same school (张三)."""
    twin = teacher(world.school_a, "张三", registered_year=world.round_a.year - 5)
    twin.user = user("t-twin", Role.TEACHER, world.school_a)
    twin.save()
    apps = [confirmed(world, world.teacher_a1), confirmed(world, world.teacher_a2, hours=300), confirmed(world, twin)]
    move_to(world, Phase.INITIAL_REVIEW)
    for a in apps:
        deferred = a.teacher == world.teacher_a2
        application_transition(application=a, action="review", actor=world.reviewer_d1,
                               conclusion="deferred" if deferred else "qualified",
                               note="培训学时不足" if deferred else "", codes=["D1"] if deferred else None)
    return apps


def published(world, start=None, workdays=5):
    notice = services.notice_save(round_=world.round_a, title="关于黔江区初审结果的公示", issuing_body="重庆市黔江区教育委员会",
                                  start_date=start or timezone.localdate(), workdays=workdays,
                                  objection_contact="区继教中心 兰菊秋 023-79222222，黔江电大综合楼207", actor=world.reviewer_d1)
    return services.notice_publish(notice=notice, actor=world.reviewer_d1)


def test_the_end_date_counts_working_days_across_national_day():
    assert services.notice_end(date(2023, 9, 28), 5) == date(2023, 10, 10)
    assert services.notice_end(date(2023, 11, 27), 5) == date(2023, 12, 1)


def test_a_notice_reaching_an_unknown_year_is_refused_with_the_year(world, reviewed):
    with pytest.raises(ValidationError, match="2030 年的节假日安排尚未录入"):
        services.notice_save(round_=world.round_a, title="t", issuing_body="b", start_date=date(2030, 12, 28),
                             workdays=5, objection_contact="c", actor=world.reviewer_d1)


def test_a_notice_shorter_than_five_working_days_is_refused(world, reviewed):
    with pytest.raises(ValidationError, match="不少于 5 个工作日"):
        services.notice_save(round_=world.round_a, title="t", issuing_body="b", start_date=timezone.localdate(),
                             workdays=4, objection_contact="c", actor=world.reviewer_d1)


def test_publishing_needs_every_confirmed_application_reviewed(world, client_for):
    a = confirmed(world, world.teacher_a1)
    move_to(world, Phase.INITIAL_REVIEW)
    notice = services.notice_save(round_=world.round_a, title="t", issuing_body="b", start_date=timezone.localdate(),
                                  workdays=5, objection_contact="c", actor=world.reviewer_d1)
    with pytest.raises(ValidationError, match="还有 1 份"):
        services.notice_publish(notice=notice, actor=world.reviewer_d1)
    a.refresh_from_db()
    assert a.state == "confirmed"


def test_the_public_page_shows_only_the_allowed_fields(world, reviewed):
    notice = published(world)
    client = Client()
    response = client.get(f"/notices/{notice.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex") and '<meta name="robots" content="noindex' in body
    assert "张三" in body and "李四" in body and "暂缓注册" in body and "定期注册" in body
    for a in reviewed:  # no ID, no birth date, no phone, no photo, no reason
        assert a.teacher.id_number not in body
    assert not ID_RE.search(body) and not BIRTH_RE.search(body)
    assert not PHONE_RE.search(re.sub(r"023-\d+", "", body))
    assert "<img" not in body and "培训学时不足" not in body
    # The two 张三 of the same school are told apart by the masked ID, and nobody else is.
    masks = re.findall(r"500114\*{8}\d{3}[\dX]", body)
    assert len(masks) == 2
    headers = re.findall(r"<th>([^<]+)</th>", body)
    assert headers == ["序号", "姓名", "任教学校", "资格种类", "注册类型", "初审结论", "备注"]


def test_the_public_pdf_has_no_id_or_phone(world, reviewed):
    import subprocess
    import tempfile

    notice = published(world)
    pdf = \
        Client().get(f"/notices/{notice.slug}/notice.pdf").content
    assert pdf.startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        try:
            text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True, check=True).stdout
        except FileNotFoundError:
            pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "李四" in text
    assert not ID_RE.search(text) and not BIRTH_RE.search(text.replace("\n", ""))
    assert not PHONE_RE.search(text)


def test_the_page_closes_itself_after_the_period(world, reviewed):
    from freezegun import freeze_time

    notice = published(world)
    with freeze_time(notice.end_date + timedelta(days=1)):
        response = Client().get(f"/notices/{notice.slug}/")
    assert response.status_code == 410 and "公示已结束" in response.content.decode()
    assert Client().get("/notices/no-such-notice/").status_code == 404


def test_anyone_files_an_objection_and_a_flood_is_throttled(world, reviewed):
    notice = published(world)
    client = Client()
    bad = client.post(f"/notices/{notice.slug}/objection/", {"entry": "1", "name": "", "contact": "", "content": ""})
    assert bad.status_code == 400 and "请填写您的姓名" in bad.content.decode()
    ok = client.post(f"/notices/{notice.slug}/objection/",
                     {"entry": "2", "name": "王某", "contact": "13900000000", "content": "该教师2024年长期未到岗"})
    assert ok.status_code == 302
    assert Objection.objects.count() == 1
    statuses = [client.post(f"/notices/{notice.slug}/objection/", {"entry": "2", "name": "王某", "contact": "x",
                                                                   "content": "重复"}).status_code for _ in range(6)]
    assert 429 in statuses
    # Five requests an address may send in ten minutes (the invalid one counted): four objections kept.
    assert Objection.objects.count() == 4


def test_the_public_page_is_throttled_per_address(world, reviewed, one_rate_window):
    notice = published(world)
    client = Client(REMOTE_ADDR="10.9.8.7")
    statuses = [client.get(f"/notices/{notice.slug}/").status_code for _ in range(62)]
    assert statuses.count(429) == 2


def test_an_upheld_objection_changes_the_conclusion_in_the_history_and_closing_waits_for_it(world, reviewed,
                                                                                             client_for):
    from freezegun import freeze_time

    notice = published(world)
    entry = notice.entries.get(name="李四")
    objection = services.objection_file(notice=notice, entry=entry, name="王某", contact="x", content="学时证明有误",
                                        ip="127.0.0.1")
    with freeze_time(notice.end_date + timedelta(days=1)), pytest.raises(ValidationError, match="1 条异议未处理"):
        services.notice_close(notice=notice, actor=world.reviewer_d1)
    client_for("reviewer_d1").post(f"/reviews/objections/{objection.pk}/handle/", {
        "outcome": "upheld", "conclusion": "qualified", "handling": "经核实补录学时400，改为合格"})
    entry.refresh_from_db()
    app = entry.application
    app.refresh_from_db()
    assert app.conclusion == "qualified" and entry.conclusion == "合格"
    assert app.events.filter(action="objection_revise").get().changes["conclusion"] == ["deferred", "qualified"]
    with freeze_time(notice.end_date + timedelta(days=1)):
        services.notice_close(notice=notice, actor=world.reviewer_d1)
    notes = dict(Application.objects.values_list("name", "notice_note"))
    assert notes["李四"].startswith("公示期间收到异议") and notes["张三"] == "公示无异议"


def test_closing_before_the_period_ends_is_refused(world, reviewed):
    notice = published(world)
    with pytest.raises(ValidationError, match="期满后"):
        services.notice_close(notice=notice, actor=world.reviewer_d1)


def test_the_report_locks_the_conclusions_and_the_city_sees_the_batch(world, reviewed, client_for):

    notice = published(world, start=timezone.localdate() - timedelta(days=10))
    move_to(world, Phase.SECONDARY_REVIEW)
    with pytest.raises(ValidationError, match="公示结束"):
        services.report_to_city(round_=world.round_a, actor=world.reviewer_d1)
    services.notice_close(notice=Notice.objects.get(pk=notice.pk), actor=world.reviewer_d1)
    client_for("reviewer_d1").post(f"/reviews/{world.round_a.pk}/report/")
    report = CityReport.objects.get()
    assert report.counts["total"] == 3 and report.counts["qualified"] == 2
    assert set(Application.objects.values_list("state", flat=True)) == {"reported"}
    a = Application.objects.first()
    with pytest.raises(ApplicationError):
        application_transition(application=a, action="revise", actor=world.reviewer_d1, conclusion="deferred",
                               note="x")
    assert "已于" in client_for("city_reviewer").get(f"/reviews/{world.round_a.pk}/notice/").content.decode()
    assert AuditEvent.objects.filter(action="round.report_to_city").count() == 1


def test_the_public_list_can_be_searched_by_name_or_school(world, reviewed):
    notice = published(world)
    body = Client().get(f"/notices/{notice.slug}/?q=李四").content.decode()
    assert "李四" in body and "<td>张三</td>" not in body and "查找到 1 人" in body


def test_the_public_page_is_served_from_the_cache_with_each_visitors_own_form_token(world, reviewed):
    """Rendered once a minute per page and search, not per visitor; the objection form still works for a
    visitor who got the cached page (its CSRF token is theirs, not the first visitor's)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notice = published(world)
    first = Client(enforce_csrf_checks=True).get(f"/notices/{notice.slug}/")
    visitor = Client(enforce_csrf_checks=True)
    with CaptureQueriesContext(connection) as captured:
        second = visitor.get(f"/notices/{notice.slug}/")
    assert second.status_code == 200 and len(captured) == 0
    assert second["Cache-Control"] == "public, max-age=60"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second.content.decode()).group(1)
    assert token not in first.content.decode() and "__tqr_csrf_slot__" not in second.content.decode()
    ok = visitor.post(f"/notices/{notice.slug}/objection/", {"csrfmiddlewaretoken": token, "entry": "1",
                                                             "name": "王某", "contact": "13900000000",
                                                             "content": "该教师2024年长期未到岗"})
    assert ok.status_code == 302 and Objection.objects.count() == 1
    # A search is its own page; the cached full list is not shown for it.
    searched = visitor.get(f"/notices/{notice.slug}/?q=zzz-nobody").content.decode()
    assert "查找到 0 人" in searched


@pytest.mark.parametrize("outcome, conclusion, message", [
    ("upheld", "", "异议成立时，请选择修改后的结论"),
    ("upheld", "deferred", "异议成立时，请选择修改后的结论"),  # 李四's conclusion is already 暂缓注册
    ("rejected", "qualified", "异议不成立时维持原结论"),
])
def test_an_objections_outcome_and_conclusion_must_agree(world, reviewed, client_for, outcome, conclusion, message):
    notice = published(world)
    entry = notice.entries.get(name="李四")
    objection = services.objection_file(notice=notice, entry=entry, name="王某", contact="x", content="学时证明有误",
                                        ip="127.0.0.1")
    response = client_for("reviewer_d1").post(f"/reviews/objections/{objection.pk}/handle/", {
        "outcome": outcome, "conclusion": conclusion, "handling": "经核实"}, follow=True)
    assert message in response.content.decode()
    objection.refresh_from_db()
    entry.application.refresh_from_db()
    assert objection.handled_at is None and entry.application.conclusion == "deferred"
    assert not entry.application.events.filter(action="objection_revise").exists()


def test_the_objection_form_starts_with_no_outcome_chosen(world, reviewed, client_for):
    notice = published(world)
    services.objection_file(notice=notice, entry=notice.entries.get(name="李四"), name="王某", contact="x",
                            content="学时证明有误", ip="127.0.0.1")
    page = client_for("reviewer_d1").get(f"/reviews/{world.round_a.pk}/notice/").content.decode()
    assert '<select name="outcome" required><option value="">' in page
