"""The batched simulation (tqr.demo.batch) makes the round the services make, application by application."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tqr.applications.models import Application, ApplicationEvent
from tqr.applications.services import number_of
from tqr.audit import chain
from tqr.audit.models import AuditEvent
from tqr.campaigns.models import Round
from tqr.city.management.commands.simulate_round import summary
from tqr.demo.progress import _roll, advance
from tqr.notifications.models import Notification, OutgoingEmail
from tqr.rules.phases import Phase

APP_FIELDS = (
    "state", "step", "version", "name", "id_number", "certificate_number", "cert_type", "unit_id",
    "confirmation_point_id", "hire_date", "phone", "assessments", "training_hours", "interruptions", "evaluation",
    "checklist", "school_note", "confirmed_facts", "return_reason", "conclusion", "conclusion_reason",
    "conclusion_codes", "confirmed_by_id", "reviewed_by_id", "notice_note",
)


def snapshot(round_: Round, since: int) -> dict:
    """Everything the simulation wrote, keyed by teacher instead of by database id."""
    apps = list(Application.objects.filter(round=round_).order_by("teacher_id"))
    teacher_of = {a.pk: a.teacher_id for a in apps}
    history: dict[int, list] = {}
    for e in ApplicationEvent.objects.filter(application__round=round_).order_by("id"):
        history.setdefault(teacher_of[e.application_id], []).append(
            (e.action, e.from_state, e.to_state, e.note, e.changes, e.actor_id))
    audit = []
    for e in AuditEvent.objects.filter(id__gt=since).order_by("id"):
        row = (e.action, e.result, e.username, e.role, e.org_id, e.object_type)
        if e.object_type == "applications.application":
            row += (teacher_of[int(e.object_id)], e.data)
        audit.append(row)
    out = summary(round_)
    if out["sample"]:
        out["sample"].pop("population_hash")  # the ids of the applications
    return {
        "summary": out,
        "applications": [(a.teacher_id, *(getattr(a, f) for f in APP_FIELDS), a.number == number_of(a),
                          bool(a.photo), a.terms_accepted_at is not None, a.submitted_at is not None,
                          a.confirmed_at is not None, a.reviewed_at is not None) for a in apps],
        "history": history,
        "audit": audit,
        "notifications": Counter(Notification.objects.filter(application__round=round_)
                                 .values_list("event", "recipient_id", "title")),
        "emails": Counter(OutgoingEmail.objects.filter(application__round=round_).values_list("event", "to", "subject")),
    }


@pytest.mark.django_db
def test_a_batched_round_is_the_round_the_services_make(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The city's sample is drawn with a fresh random seed each time: the same one for both runs here.
    monkeypatch.setattr("tqr.rules.sampling.new_seed", lambda: "5eed" * 16)
    call_command("load_demo", "--teachers", "200", "--units", "15")
    round_ = Round.objects.filter(district__code="500114").order_by("-year").first()
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    due = round_.evaluations.filter(in_scope=True, valid=True).values_list("teacher_id", flat=True)
    # A seed under which at least one school returns an application (3 % of them), so that path is compared too.
    seed = next(s for s in range(1, 100) if any(_roll(s, "apply", t) <= 0.9 and _roll(s, "confirm", t) < 0.03
                                               for t in due))

    # The city's sample is drawn over application ids. SQLite gives the second run the same ids (its
    # sequence rolls back with the first run); PostgreSQL does not, so there the round stops at the notice.
    to = Phase.ARCHIVING if connection.vendor == "sqlite" else Phase.NOTICE
    with transaction.atomic():
        advance(round_, to, seed=seed, batched=False)
        by_services = snapshot(round_, since)
        transaction.set_rollback(True)

    round_ = Round.objects.get(pk=round_.pk)
    advance(round_, to, seed=seed, batched=True)
    batched = snapshot(round_, since)

    assert by_services["summary"]["states"].get("final" if to == Phase.ARCHIVING else "published", 0) > 20
    assert {"return", "confirm", "review"} <= {row[0].removeprefix("application.") for row in by_services["audit"]}
    for key in by_services:
        assert batched[key] == by_services[key], key
    checked, broken = chain.verify(chain.stream(AuditEvent.objects.all()))
    assert broken is None and checked > len(batched["audit"])
