"""docs/api.md uses only real endpoints: every path it shows (`$BASE/…` or `/api/v1/…`) is in openapi.json,
with the method it is shown with where the example says one (`-X PUT`, a body → POST)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.test import Client

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
PATH = re.compile(r"(?:\$BASE|/api/v1)(/[^\s\"'`?|)>]*)")
NOT_OPERATIONS = {"/api/v1/openapi.json", "/api/v1/docs"}  # the document itself and its browser


def doc_paths() -> set[str]:
    return {"/api/v1" + m.group(1).rstrip(".,;:") for m in PATH.finditer(DOC.read_text(encoding="utf-8"))
            if m.group(1) != "/"} - NOT_OPERATIONS


def template_regex(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def test_every_path_in_the_doc_is_in_the_schema(db):
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    templates = [template_regex(t) for t in schema["paths"]]
    paths = doc_paths()
    assert len(paths) > 40  # the walk-through covers the round
    unknown = sorted(p for p in paths if not any(t.match(p) for t in templates))
    assert unknown == [], f"docs/api.md shows paths that do not exist: {unknown}"


def test_the_doc_walks_a_whole_round():
    paths = doc_paths()
    for step in ("/announcement/publish", "/application", "/submit", "/confirm", "/handover", "/conclusion",
                 "/notice/publish", "/objections", "/report", "/sample", "/final", "/stickers/mark", "/archive"):
        assert any(p.endswith(step) for p in paths), step
