"""The JSON API at /api/v1/: same scopes as the pages, session (with CSRF) or personal bearer tokens."""

from __future__ import annotations

import json

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from tqr.accounts.models import ApiToken
from tqr.api import auth as api_auth
from tqr.audit.models import AuditEvent

API = "/api/v1"



def get_json(client, path, **headers):
    response = client.get(f"{API}{path}", headers=headers)
    return response.status_code, (response.json() if response.headers.get("Content-Type", "").startswith(
        "application/json") else None)


def post_json(client, path, body=None, **headers):
    return client.post(f"{API}{path}", data=json.dumps(body or {}), content_type="application/json", headers=headers)


def codes(items) -> set[str]:
    return {o["code"] for o in items}


# --- Schema ----------------------------------------------------------------------------------------


def test_it_publishes_a_valid_openapi_document(db):
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/organisations", "/api/v1/organisations/{org_id}", "/api/v1/rounds",
            "/api/v1/rounds/{round_id}", "/api/v1/tokens", "/api/v1/tokens/{token_id}/revoke"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/tokens"]) == {"get", "post"}


# --- /me -------------------------------------------------------------------------------------------


def test_it_tells_a_session_user_who_they_are(world, client_for):
    status, body = get_json(client_for("admin_a"), "/me")
    assert status == 200
    assert body["username"] == "sa_a"
    assert body["role"] == "school_admin"
    assert body["role_label"] == "学校注册管理员"
    assert body["organisation"]["code"] == world.school_a.code
    assert body["must_change_password"] is False


def test_it_tells_a_user_without_an_organisation_who_they_are(world, client_for):
    status, body = get_json(client_for("auditor"), "/me")
    assert status == 200
    assert body["organisation"] is None


def test_it_refuses_an_anonymous_caller(db):
    status, body = get_json(Client(), "/me")
    assert status == 401


# --- Organisations ---------------------------------------------------------------------------------


def test_it_lists_the_district_reviewers_organisations_only(world, client_for):
    status, body = get_json(client_for("reviewer_d1"), "/organisations")
    assert status == 200
    found = codes(body["items"])
    assert {world.school_a.code, world.school_b.code, world.district_a.code} <= found
    assert world.school_c.code not in found
    assert world.district_b.code not in found
    assert body["count"] == len(body["items"])


def test_it_lists_where_a_teacher_belongs(world, client_for):
    status, body = get_json(client_for("t_a1"), "/organisations")
    found = codes(body["items"])
    assert {world.school_a.code, world.district_a.code} <= found
    assert world.school_b.code not in found
    assert world.school_c.code not in found


def test_it_filters_organisations_by_kind_within_the_scope(world, client_for):
    status, body = get_json(client_for("reviewer_d1"), "/organisations?kind=primary")
    assert codes(body["items"]) == {world.school_a.code}


def test_it_shows_the_auditor_no_organisations(world, client_for):
    status, body = get_json(client_for("auditor"), "/organisations")
    assert (status, body["items"], body["count"]) == (200, [], 0)


def test_it_shows_one_organisation_in_scope(world, client_for):
    status, body = get_json(client_for("reviewer_d1"), f"/organisations/{world.school_a.pk}")
    assert status == 200
    assert body["name"] == world.school_a.name
    assert body["kind_label"] == "小学"


def test_it_answers_404_for_an_organisation_outside_the_scope_and_audits_it(world, client_for):
    status, body = get_json(client_for("reviewer_d1"), f"/organisations/{world.school_c.pk}")
    assert status == 404
    denied = AuditEvent.objects.get(action="authz.denied")
    assert denied.user_id == world.reviewer_d1.pk
    assert denied.data["status"] == 404
    assert denied.data["path"] == f"{API}/organisations/{world.school_c.pk}"


def test_it_answers_the_same_404_for_a_missing_and_a_hidden_organisation(world, client_for):
    client = client_for("reviewer_d1")
    hidden = client.get(f"{API}/organisations/{world.school_c.pk}")
    missing = client.get(f"{API}/organisations/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


# --- Rounds ----------------------------------------------------------------------------------------


def test_it_lists_the_rounds_in_scope(world, client_for):
    _, body = get_json(client_for("t_a1"), "/rounds")
    assert [r["id"] for r in body] == [world.round_a.pk]
    _, body = get_json(client_for("city_reviewer"), "/rounds")
    assert {r["id"] for r in body} == {world.round_a.pk, world.round_b.pk}
    _, body = get_json(client_for("auditor"), "/rounds")
    assert body == []


def test_it_shows_a_round_with_its_phases(world, client_for):
    status, body = get_json(client_for("admin_a"), f"/rounds/{world.round_a.pk}")
    assert status == 200
    assert body["current_phase"] == "application"
    assert body["current_phase_label"] == "网上报名"
    assert body["district_name"] == world.district_a.name
    assert len(body["windows"]) == 9
    assert body["required_training_hours"] == 360


@pytest.mark.parametrize("persona", ["t_a1", "t_a2", "t_b", "admin_a", "admin_b", "reviewer_d1"])
def test_it_hides_another_districts_round(world, client_for, persona):
    status, _ = get_json(client_for(persona), f"/rounds/{world.round_b.pk}")
    assert status == 404


# --- Tokens ----------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin_a)
    return client


def create_token(client, name="统计脚本"):
    client.get("/")  # the home page renders the logout form, which sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    return post_json(client, "/tokens", {"name": name}, X_CSRFToken=csrf)


def test_it_refuses_a_session_post_without_the_csrf_token(world, csrf_client):
    csrf_client.get("/")
    response = post_json(csrf_client, "/tokens", {"name": "统计脚本"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api_token.create").exists()


def test_it_creates_a_token_with_the_csrf_token_and_shows_it_once(world, csrf_client):
    response = create_token(csrf_client)

    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    assert raw.startswith("tqr_")
    assert body["name"] == "统计脚本"
    assert body["prefix"] == raw[:10]
    # Listing the tokens later never shows the raw value again.
    listing = csrf_client.get(f"{API}/tokens")
    assert listing.status_code == 200
    assert raw not in listing.content.decode()
    assert [t["id"] for t in listing.json()] == [body["id"]]


def test_it_stores_only_a_digest_of_the_token(world, csrf_client):
    raw = create_token(csrf_client).json()["token"]
    for row in ApiToken.objects.all():
        assert raw not in repr(model_to_dict(row))
        assert row.digest == api_auth.token_digest(raw)
    for event in AuditEvent.objects.all():
        assert raw not in repr(model_to_dict(event))


def test_it_accepts_the_raw_token_as_a_bearer(world, csrf_client):
    raw = create_token(csrf_client).json()["token"]
    status, body = get_json(Client(), "/me", Authorization=f"Bearer {raw}")
    assert status == 200
    assert body["username"] == "sa_a"


def test_it_scopes_a_bearer_request_like_the_session(world, csrf_client):
    raw = create_token(csrf_client).json()["token"]
    bearer = {"Authorization": f"Bearer {raw}"}
    status, body = get_json(Client(), "/organisations", **bearer)
    assert status == 200
    assert world.school_a.code in codes(body["items"])
    assert world.school_b.code not in codes(body["items"])
    status, _ = get_json(Client(), f"/rounds/{world.round_b.pk}", **bearer)
    assert status == 404
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("value", ["Bearer tqr_not-a-real-token", "Bearer something-else", "Token abc"])
def test_it_refuses_a_wrong_bearer(world, value):
    status, _ = get_json(Client(), "/rounds", Authorization=value)
    assert status == 401


def test_it_refuses_a_revoked_token(world, csrf_client):
    created = create_token(csrf_client).json()
    raw, token_id = created["token"], created["id"]
    assert get_json(Client(), "/rounds", Authorization=f"Bearer {raw}")[0] == 200

    csrf = csrf_client.cookies["csrftoken"].value
    response = post_json(csrf_client, f"/tokens/{token_id}/revoke", X_CSRFToken=csrf)

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert get_json(Client(), "/rounds", Authorization=f"Bearer {raw}")[0] == 401


def test_it_answers_404_for_another_users_token(world, csrf_client):
    other, _raw = api_auth.token_create(user=world.admin_b, name="乙校令牌")
    csrf_client.get("/")
    csrf = csrf_client.cookies["csrftoken"].value

    response = post_json(csrf_client, f"/tokens/{other.pk}/revoke", X_CSRFToken=csrf)

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()
    assert AuditEvent.objects.filter(action="authz.denied", user_id=world.admin_a.pk).count() == 1


def test_it_does_not_list_another_users_tokens(world, client_for):
    api_auth.token_create(user=world.admin_b, name="乙校令牌")
    status, body = get_json(client_for("admin_a"), "/tokens")
    assert (status, body) == (200, [])


def test_it_refuses_the_token_of_a_deactivated_user(world):
    _token, raw = api_auth.token_create(user=world.admin_a, name="脚本")
    assert get_json(Client(), "/rounds", Authorization=f"Bearer {raw}")[0] == 200
    world.admin_a.is_active = False
    world.admin_a.save()
    assert get_json(Client(), "/rounds", Authorization=f"Bearer {raw}")[0] == 401


def test_it_audits_creating_and_revoking_a_token(world, csrf_client):
    created = create_token(csrf_client, name="导出脚本").json()
    csrf = csrf_client.cookies["csrftoken"].value
    post_json(csrf_client, f"/tokens/{created['id']}/revoke", X_CSRFToken=csrf)
    post_json(csrf_client, f"/tokens/{created['id']}/revoke", X_CSRFToken=csrf)  # again: nothing new

    create = AuditEvent.objects.get(action="api_token.create")
    assert create.user_id == world.admin_a.pk
    assert create.object_type == "accounts.apitoken"
    assert create.object_id == str(created["id"])
    assert create.data == {"name": "导出脚本"}
    revoke = AuditEvent.objects.get(action="api_token.revoke")
    assert revoke.user_id == world.admin_a.pk
    assert revoke.object_id == str(created["id"])
    assert revoke.request_id and revoke.request_id != create.request_id


def test_it_lets_a_script_revoke_its_token_with_the_bearer_alone(world):
    token, raw = api_auth.token_create(user=world.admin_a, name="脚本")
    script = Client(enforce_csrf_checks=True)  # like curl: no session, no CSRF cookie

    response = post_json(script, f"/tokens/{token.pk}/revoke", Authorization=f"Bearer {raw}")

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
