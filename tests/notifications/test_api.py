"""The notifications API: one's own inbox (paginated), read marks and the reminder preference."""

import json

from tests.notifications.helpers import submitted
from tqr.applications.services import application_transition
from tqr.notifications.models import Notification, Preference


def test_the_api_lists_marks_read_and_sets_the_preference(world, client_for):
    app = submitted(world, world.teacher_a1)
    application_transition(application=app, action="return", actor=world.admin_a, note="照片背景不是白色")
    application_transition(application=app, action="resubmit", actor=world.t_a1)
    application_transition(application=app, action="return", actor=world.admin_a, note="仍不合格")
    client = client_for("t_a1")
    data = client.get("/api/v1/notifications?limit=1").json()
    assert data["count"] == 2 and len(data["items"]) == 1
    item = data["items"][0]
    assert item["event"] == "returned" and item["event_label"] == "申请被退回" and "仍不合格" in item["body"]
    assert item["application_id"] == app.pk and item["read_at"] is None
    assert client.get("/api/v1/notifications?unread=true").json()["count"] == 2
    read = client.post(f"/api/v1/notifications/{item['id']}/read", data="{}", content_type="application/json")
    assert read.json() == {"marked": 1, "unread": 1}
    assert client.post("/api/v1/notifications/read-all", data="{}", content_type="application/json").json() == {
        "marked": 1, "unread": 0}
    assert client.get("/api/v1/notifications/preference").json() == {"reminders": True}
    response = client.put("/api/v1/notifications/preference", data=json.dumps({"reminders": False}),
                          content_type="application/json")
    assert response.json() == {"reminders": False}
    assert Preference.objects.get(user=world.t_a1).reminders is False


def test_another_users_notification_is_a_404(world, client_for):
    app = submitted(world, world.teacher_a1)
    application_transition(application=app, action="return", actor=world.admin_a, note="照片背景不是白色")
    n = Notification.objects.get()
    response = client_for("t_a2").post(f"/api/v1/notifications/{n.pk}/read", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert client_for("t_a2").get("/api/v1/notifications").json()["count"] == 0
