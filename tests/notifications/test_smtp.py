"""End to end over real SMTP: a local aiosmtpd server receives what the delivery task sends."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from tests.notifications.helpers import submitted
from tqr.applications.services import application_transition
from tqr.notifications.models import OutgoingEmail


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def test_a_notification_travels_over_smtp(world, smtp_server, django_capture_on_commit_callbacks):
    controller, received = smtp_server
    app = submitted(world, world.teacher_a1)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=controller.port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_HOST_USER="",
                           EMAIL_HOST_PASSWORD="", EMAIL_TIMEOUT=10):
        with django_capture_on_commit_callbacks(execute=True):
            application_transition(application=app, action="return", actor=world.admin_a, note="照片背景不是白色")
    [envelope] = received.envelopes
    assert envelope.rcpt_tos == ["t001@example.cn"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["To"] == "t001@example.cn"
    # Django folds a long encoded subject onto the next line; decoding keeps that fold's leading space.
    assert str(message["Subject"]).strip() == f"【{world.round_a.title}】申请被退回，请修改后重新提交"
    body = message.get_content()
    assert "张三老师：您好！" in body and "照片背景不是白色" in body and app.number in body
    assert OutgoingEmail.objects.get().status == "sent"


def test_a_server_that_is_down_leaves_the_mail_queued_for_retry(world, django_capture_on_commit_callbacks):
    app = submitted(world, world.teacher_a1)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=free_port(), EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_TIMEOUT=5):
        with django_capture_on_commit_callbacks(execute=True):
            application_transition(application=app, action="return", actor=world.admin_a, note="照片背景不是白色")
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts) == ("queued", 1) and "ConnectionRefused" in row.last_error
