"""/healthz for the load balancer, security headers on every page, and the Chinese error pages."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

# --- /healthz --------------------------------------------------------------------------------------


def test_it_reports_ok_when_the_database_answers(db):
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_it_reports_503_when_the_database_is_down(db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("server closed the connection")):
        response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"].startswith("error")
    assert "server closed the connection" not in response.content.decode()  # no details to the outside


def test_it_rejects_post_on_healthz(db):
    assert Client().post(reverse("healthz")).status_code == 405


# --- Headers ---------------------------------------------------------------------------------------

CSP_PARTS = ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'")


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("t_a1", lambda w: reverse("home")),
        ("admin_a", lambda w: reverse("name_administrator", args=(w.round_a.pk,))),
        ("reviewer_d1", lambda w: reverse("administrators_overview", args=(w.round_a.pk,))),
        ("city_reviewer", lambda w: reverse("round_detail", args=(w.round_b.pk,))),
        ("reviewer_d1", lambda w: reverse("api:rounds")),
    ],
)
def test_it_sends_security_headers_and_no_store_on_logged_in_pages(world, client_for, persona, page):
    response = client_for(persona).get(page(world))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Request-Id"]


def test_it_sends_hsts_over_https(world, client_for):
    response = client_for("t_a1").get(reverse("home"), secure=True)
    hsts = response["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000


def test_it_sends_the_csp_on_the_login_page_too(db):
    response = Client().get(reverse("login"))
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Error pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "t_a1"])
def test_it_shows_the_chinese_404_page_without_a_traceback(world, client_for, settings, persona):
    settings.DEBUG = False
    response = client_for(persona).get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "Traceback" not in body
    assert "Page not found" not in body
    assert "urlpatterns" not in body.lower()
    assert "tqr.urls" not in body


def test_it_shows_the_chinese_404_page_for_someone_elses_object(world, client_for, settings):
    settings.DEBUG = False
    response = client_for("reviewer_d2").get(reverse("round_detail", args=(world.round_a.pk,)))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert world.round_a.title not in response.content.decode()


def test_it_shows_the_chinese_403_page(world, client_for, settings):
    settings.DEBUG = False
    response = client_for("t_a1").get(reverse("administrators_overview", args=(world.round_a.pk,)))
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权操作" in body
    assert "Traceback" not in body


def test_it_does_not_serve_the_repository_or_settings(db, settings):
    settings.DEBUG = False
    for path in ("/.git/config", "/static/../tqr/settings.py", "/var/secret_key", "/nonexistent-media/"):
        assert Client().get(path).status_code == 404, path
