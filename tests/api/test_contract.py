"""The API keeps its contract: schemathesis against /api/v1/openapi.json (issue 9).

For each operation of the document, schemathesis generates requests from the schema (random values, and
half of the time the real round, application and organisation of the caller so that the code behind the
404 runs too) and checks each answer: never a 5xx, the status code is one the operation declares, the body
matches the schema declared for that status, and the content type is the declared one.

It runs as three callers, each with a real personal token: a teacher (t_a1), a school administrator
(admin_a) and a district reviewer (reviewer_d1), on the pytest-django test database. The application is
called in-process through its WSGI handler (the Django test client's trick keeps the test's transaction open).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tqr.api import auth as api_auth
from tqr.applications.services import application_start

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation and caller: about 80 operations × 3 callers stay well under a minute on SQLite; raise it
# (TQR_CONTRACT_EXAMPLES=50) for a deeper search when the API changes.
EXAMPLES = int(os.environ.get("TQR_CONTRACT_EXAMPLES", "4"))
PERSONAS = ("t_a1", "admin_a", "reviewer_d1")


@pytest.fixture
def wsgi_app(settings):
    settings.TQR_API_REQUESTS_PER_MINUTE = 1_000_000  # the rate limit has its own test
    # As django.test.Client does: a request must not close the test's connection (and its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def known_ids(world) -> dict[str, int]:
    app = application_start(round_=world.round_a, teacher=world.teacher_a1, actor=world.t_a1)
    return {"round_id": world.round_a.pk, "application_id": app.pk, "org_id": world.school_a.pk}


def _checker(operation, headers: dict, known: dict[str, int]):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), use_known=st.booleans())
    def check(case, use_known):
        if use_known and case.path_parameters:
            for name in case.path_parameters:
                if name in known:
                    case.path_parameters[name] = known[name]
        case.call_and_validate(headers=headers, checks=CHECKS)

    return check


def run_contract(app, token: str, known: dict[str, int]) -> list[str]:
    """Every operation of the schema with EXAMPLES generated cases; the failures, one line each."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            _checker(operation, headers, known)()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect them all, report together
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    return failures


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_keeps_its_contract(world, wsgi_app, persona):
    user = getattr(world, persona)
    _token, raw = api_auth.token_create(user=user, name="schemathesis")
    failures = run_contract(wsgi_app, raw, known_ids(world))
    assert failures == [], "\n\n".join(failures)
