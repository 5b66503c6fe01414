"""Two people acting on the same application at once: one success, one clear conflict, both audited.

Real threads against PostgreSQL (security-tests §54–55); SQLite serialises every write transaction, so
there the race cannot happen and the test is skipped with that reason."""

import threading

import pytest
from django.db import connection

from tests.factories import user
from tests.reviews.helpers import confirmed, move_to
from tqr.accounts.models import Role
from tqr.applications.models import Application
from tqr.applications.school import application_check
from tqr.applications.services import ApplicationError, application_save, application_transition
from tqr.audit.models import AuditEvent
from tqr.rules.phases import Phase

pytestmark = [pytest.mark.security, pytest.mark.django_db(transaction=True)]


def race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        from django.db import connections

        try:
            barrier.wait()
            call()
            outcomes[i] = "ok"
        except ApplicationError as exc:
            outcomes[i] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write transaction: the race needs PostgreSQL (the CI's second pass)")


def test_two_administrators_confirming_at_once_give_one_success_and_one_conflict(world):
    postgres_only()
    from datetime import date

    from django.core.files.base import ContentFile

    from tests.applications.helpers import jpeg
    from tests.reviews.helpers import ALL_ITEMS
    from tqr.applications.services import application_start
    from tqr.documents.photos import process_photo

    t = world.teacher_a1
    a = application_start(round_=world.round_a, teacher=t, actor=t.user)
    a = application_save(application=a, data={"hire_date": date(2006, 9, 1), "phone": "13812345678"},
                         actor=t.user, step=6, accept_terms=True)
    a.photo.save("p.jpg", ContentFile(process_photo(jpeg()).jpeg), save=True)
    a = application_transition(application=a, action="submit", actor=t.user)
    a = application_check(application=a, checklist=ALL_ITEMS, note="", choices={}, actor=world.admin_a)
    second_admin = user("sa_a2", Role.SCHOOL_ADMIN, world.school_a)
    outcomes = race(lambda: application_transition(application=a, action="confirm", actor=world.admin_a),
                    lambda: application_transition(application=a, action="confirm", actor=second_admin))
    assert sorted(outcomes, key=str) == ["ok", "wrong_state"]
    assert Application.objects.get(pk=a.pk).state == "confirmed"
    results = sorted(AuditEvent.objects.filter(action="application.confirm").values_list("result", flat=True))
    assert results == ["conflict", "success"]


def test_a_reviewer_and_a_stale_teacher_form_never_overwrite_each_other(world):
    postgres_only()
    a = confirmed(world, world.teacher_a1)
    move_to(world, Phase.INITIAL_REVIEW)
    stale_version = a.version
    outcomes = race(
        lambda: application_transition(application=a, action="review", actor=world.reviewer_d1, conclusion="qualified"),
        lambda: application_save(application=a, data={"subject": "数学"}, actor=world.t_a1, version=stale_version),
    )
    assert "ok" in outcomes
    row = Application.objects.get(pk=a.pk)
    assert row.subject != "数学"  # the teacher's stale (and, once confirmed, forbidden) edit never lands
    assert row.state == "reviewed"
