"""The OpenAPI document describes every operation well enough to program against (issue 9).

Each operation: a Chinese summary; a schema for its success; its refusals declared (401 where a login is
needed, 404 where the path names an object, 422 where there is input, 429 for the rate limit), each with a
JSON body that has `detail`; and an example for every request body.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return json.loads(Client().get("/api/v1/openapi.json").content)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", path, operation


def resolve(schema, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_every_operation_has_a_chinese_summary(schema):
    missing = [name for name, _, op in operations(schema) if not CJK.search(op.get("summary", ""))]
    assert missing == []


def test_every_operation_describes_its_success(schema):
    missing = [name for name, _, op in operations(schema)
               if not any(code.startswith("2") and response.get("content")
                          for code, response in op["responses"].items())]
    assert missing == []


def test_every_operation_declares_its_refusals(schema):
    problems = []
    for name, path, op in operations(schema):
        codes = set(op["responses"])
        wanted = {"429"}
        if op.get("security"):
            wanted.add("401")
        if "{" in path:
            wanted.add("404")
        if op.get("parameters") or op.get("requestBody"):
            wanted.add("422")
        if wanted - codes:
            problems.append(f"{name}: {sorted(wanted - codes)}")
    assert problems == []


def test_every_refusal_has_a_body_with_detail(schema):
    problems = []
    for name, _, op in operations(schema):
        for code, response in op["responses"].items():
            if not code.startswith("4"):
                continue
            body = resolve(schema, response.get("content", {}).get("application/json", {}).get("schema", {}))
            if "detail" not in body.get("properties", {}):
                problems.append(f"{name} {code}")
    assert problems == []


def test_every_request_body_has_an_example(schema):
    missing = []
    for name, _, op in operations(schema):
        for content_type, media in op.get("requestBody", {}).get("content", {}).items():
            body = resolve(schema, media.get("schema", {}))
            if not (media.get("example") or media.get("examples") or body.get("examples")):
                missing.append(f"{name} ({content_type})")
    assert missing == []


def test_the_validation_error_is_documented_in_the_shape_ninja_returns(world, client_for):
    response = client_for("t_a1").post("/api/v1/tokens", data="{}", content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list) and {"type", "loc", "msg"} <= set(detail[0])


def test_no_two_schemas_share_a_name():
    # ninja names components after the class: two `ItemOut`s made /reviews/…/accept document the city's
    # sample item (found by schemathesis), two `CheckIn`s would mix the school's and the city's bodies.
    from ninja import Schema

    import tqr.api.api  # noqa: F401 - every router imported

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("tqr.api."):
            names.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {n: m for n, m in names.items() if len(m) > 1} == {}
