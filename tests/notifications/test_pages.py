"""The inbox page, the header badge, read marks, the preference toggle, the unsubscribe link and the latest
notifications on the teacher's pages."""

import re

import pytest
from django.core import mail

from tests.notifications.helpers import submitted
from tqr.applications.services import application_transition
from tqr.audit.models import AuditEvent
from tqr.notifications.models import Notification, Preference
from tqr.notifications.services import Recipient, notify, unsubscribe_token
from tqr.rules.phases import Phase

UNSUBSCRIBE = re.compile(r"http://\S+(/inbox/unsubscribe/\S+/)")


def returned(world):
    app = submitted(world, world.teacher_a1)
    return application_transition(application=app, action="return", actor=world.admin_a, note="照片背景不是白色")


def test_the_inbox_lists_marks_read_and_the_badge_follows(world, client_for):
    app = returned(world)
    client = client_for("t_a1")
    home = client.get("/").content.decode()
    assert 'href="/inbox/"' in home and '<span class="badge" aria-label="1 条未读">1</span>' in home
    assert "申请被退回" in home  # the teacher's home shows the latest notifications
    page = client.get("/inbox/").content.decode()
    assert "申请被退回，请修改后重新提交" in page and "照片背景不是白色" in page and "未读 1 条" in page
    n = Notification.objects.get(recipient=world.t_a1)
    response = client.post(f"/inbox/{n.pk}/read/", {"go": "1"})
    assert response.status_code == 302 and response["Location"] == f"/apply/{world.round_a.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert '条未读' not in client.get("/").content.decode()
    assert AuditEvent.objects.filter(action="notification.read", user=world.t_a1).exists()
    status = client.get(f"/apply/{app.round_id}/").content.decode()
    assert "最新通知" in status and "申请被退回" in status


def test_mark_all_read_touches_only_ones_own(world, client_for):
    returned(world)
    notify("confirmed", recipients=[Recipient(user=world.t_a2)], application=submitted(world, world.teacher_a2))
    client_for("t_a1").post("/inbox/read-all/")
    assert not Notification.objects.filter(recipient=world.t_a1, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.t_a2, read_at__isnull=True).count() == 1
    other = Notification.objects.get(recipient=world.t_a2)
    assert client_for("t_a1").post(f"/inbox/{other.pk}/read/").status_code == 404


def test_the_preference_toggle_on_the_inbox(world, client_for):
    client = client_for("t_a1")
    assert "checked" in client.get("/inbox/").content.decode()
    client.post("/inbox/preference/", {})
    assert Preference.objects.get(user=world.t_a1).reminders is False
    assert 'name="reminders" checked' not in client.get("/inbox/").content.decode()
    client.post("/inbox/preference/", {"reminders": "on"})
    assert Preference.objects.get(user=world.t_a1).reminders is True
    assert AuditEvent.objects.filter(action="notification.preference").count() == 2


def test_the_unsubscribe_link_works_without_login_and_confirms(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify("reminder_application", recipients=[Recipient(user=world.t_a1)],
               context={"round": world.round_a, "window": world.round_a.window(Phase.APPLICATION)})
    path = UNSUBSCRIBE.search(mail.outbox[0].body).group(1)
    page = client.get(path).content.decode()
    assert "确认退订" in page
    assert Preference.objects.filter(user=world.t_a1).count() == 0  # a GET (a link scanner) changes nothing
    page = client.post(path).content.decode()  # also the mail client's one-click POST, without CSRF token
    assert "您已退订截止提醒和每日汇总" in page and "仍会照常通知您" in page
    assert Preference.objects.get(user=world.t_a1).reminders is False
    row = AuditEvent.objects.get(action="notification.preference")
    assert row.data == {"reminders": False, "via": "link"} and row.username == "t001"


def test_a_forged_unsubscribe_link_is_refused(world, client):
    token = unsubscribe_token(world.t_a1)
    response = client.post(f"/inbox/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 404 and "退订链接无效" in response.content.decode()
    assert not Preference.objects.exists()


@pytest.mark.parametrize(("persona", "shown"), [("sysadmin", True), ("reviewer_d1", True), ("t_a1", False),
                                                ("admin_a", False), ("auditor", False)])
def test_the_header_links_the_failed_emails_for_whom_may_see_them(world, client_for, persona, shown):
    page = client_for(persona).get("/inbox/").content.decode()
    assert ('href="/inbox/failed/"' in page) is shown
