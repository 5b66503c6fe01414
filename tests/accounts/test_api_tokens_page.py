"""我的 API 令牌 (/account/tokens/): create (the raw token shown once), list, revoke — the user's own only."""

from __future__ import annotations

import re

from django.test import Client

from tqr.accounts.models import ApiToken
from tqr.api.auth import token_create, token_digest
from tqr.audit.models import AuditEvent


def test_it_creates_a_token_and_shows_the_raw_value_once(world, client_for):
    client = client_for("t_a1")
    response = client.post("/account/tokens/", {"name": "教务系统同步脚本"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    raw = re.search(r'<code id="new-token">(tqr_[^<]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=world.t_a1)
    assert token.digest == token_digest(raw) and raw not in (token.digest, token.prefix)
    assert AuditEvent.objects.filter(action="api_token.create").exists()
    # the token works on the API, as its user
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.json()["username"] == world.t_a1.username
    # and the next visit lists it by its prefix, never the raw value
    page = client.get("/account/tokens/").content.decode()
    assert "教务系统同步脚本" in page and token.prefix in page and raw not in page


def test_it_revokes_the_users_token_and_the_api_stops_accepting_it(world, client_for):
    token, raw = token_create(user=world.t_a1, name="脚本")
    response = client_for("t_a1").post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_someone_elses_token_is_a_404_and_stays_valid(world, client_for):
    token, _raw = token_create(user=world.t_a1, name="脚本")
    assert client_for("t_a2").post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
