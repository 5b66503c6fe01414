"""Applications at each step, made through the same services as the pages; and mail delivered after commit."""

from datetime import date

from django.core.files.base import ContentFile

from tests.applications.helpers import jpeg
from tqr.applications.services import application_save, application_start, application_transition
from tqr.documents.photos import process_photo


def submitted(world, t):
    """A complete application of teacher profile `t`, submitted (not yet confirmed)."""
    user = t.user
    app = application_start(round_=world.round_a, teacher=t, actor=user)
    app = application_save(application=app, data={"hire_date": date(2006, 9, 1), "phone": "13812345678"},
                           actor=user, step=6, accept_terms=True)
    app.photo.save("p.jpg", ContentFile(process_photo(jpeg()).jpeg), save=True)
    return application_transition(application=app, action="submit", actor=user)


def draft(world, t):
    return application_start(round_=world.round_a, teacher=t, actor=t.user)


class FailingBackend:
    """An e-mail backend whose server refuses every recipient (a synchronous bounce)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"5.1.1 mailbox unavailable") for m in messages})
