"""Bugs the schemathesis contract test found (tests/api/test_contract.py), each pinned by a plain test."""

from __future__ import annotations

import json

import pytest

API = "/api/v1"


@pytest.mark.parametrize(("path", "body"), [
    ("/visits/rounds/{round}/slots/generate", {"day_start": "08:17:14-11:12", "day_end": "23:14:51Z"}),
    ("/visits/rounds/{round}/slots", {"date": "2026-11-23", "start_time": "09:00:00+08:00", "end_time": "10:00:00"}),
])
def test_a_slot_time_with_a_time_zone_is_refused_not_a_server_error(world, client_for, path, body):
    response = client_for("reviewer_d1").post(API + path.format(round=world.round_a.pk), data=json.dumps(body),
                                              content_type="application/json")
    assert response.status_code == 422
    assert "时间不带时区" in json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize(("persona", "path", "body"), [
    ("admin_a", "/school/rounds/{round}/confirm", {"applications": [1, 38524794977095319027712]}),
    ("reviewer_d1", "/reviews/rounds/{round}/accept", {"applications": [-1, 2**70]}),
    ("admin_a", "/school/rounds/{round}/remind", {"teachers": [2**64]}),
    ("reviewer_d1", "/reviews/rounds/{round}/stickers/mark", {"stickers": [2**64], "field": "affixed_at"}),
])
def test_an_id_beyond_the_database_range_is_refused_not_a_server_error(world, client_for, persona, path, body):
    response = client_for(persona).post(API + path.format(round=world.round_a.pk), data=json.dumps(body),
                                        content_type="application/json")
    assert response.status_code == 422


def test_the_bulk_accept_answer_is_documented_as_what_it_returns(db):
    from django.test import Client

    schema = json.loads(Client().get(f"{API}/openapi.json").content)
    ok = schema["paths"]["/api/v1/reviews/rounds/{round_id}/accept"]["post"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["items"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"application_id", "ok", "message"}
