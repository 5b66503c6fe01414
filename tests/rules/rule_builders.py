"""Builders for rules tests: a valid, in-scope periodic case, changed one field at a time."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from tqr.rules.identifiers import make_certificate_number, make_resident_id

# 张三, born 1988-05-17, male; a senior-school certificate from 2010, male.
ID_NUMBER = make_resident_id("500114", date(1988, 5, 17), 123)
CERT_NUMBER = make_certificate_number(2010, "50", "114", 4, 1, 1234)


def base_case(**changes: Any) -> dict[str, Any]:
    """A periodic case that is valid, in scope and qualified. ``changes`` use dotted paths.

    ``base_case(**{"teacher.unit.kind": "inspectorate"})``; a value of ``DELETE`` removes the key.
    """
    case: dict[str, Any] = {
        "case": "base",
        "round": {"year": 2023, "application_opens": "2023-11-06"},
        "teacher": {
            "name": "张三",
            "id_number": ID_NUMBER,
            "certificate_number": CERT_NUMBER,
            "post_level": "senior",
            "unit": {"code": "500114001", "kind": "school", "ownership": "public"},
            "on_payroll": True,
            "in_post": True,
            "teacher_post_title": True,
            "special_post": "none",
            "new_teacher": None,
            "seconded_from": None,
        },
        "last_registration": {"conclusion": "qualified", "valid_until": "2023-12-07"},
        "period": {
            "annual_assessments": {
                "2018": "qualified",
                "2019": "excellent",
                "2020": "qualified",
                "2021": "qualified",
                "2022": "excellent",
            },
            "training_hours": 372,
            "ethics": "good",
            "interruptions": [],
            "health": "fit",
            "qualification_status": "valid",
        },
    }
    for path, value in changes.items():
        set_path(case, path, value)
    return case


DELETE = object()


def set_path(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set (or with DELETE remove) a dotted path in place; "a.b[0].c" indexes lists."""
    *parents, last = _split(path)
    target: Any = obj
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = copy.deepcopy(value)
    return obj


def _split(path: str) -> list[Any]:
    parts: list[Any] = []
    for piece in path.split("."):
        while "[" in piece:
            head, rest = piece.split("[", 1)
            if head:
                parts.append(head)
            index, piece = rest.split("]", 1)
            parts.append(int(index))
        if piece:
            parts.append(piece)
    return parts


def codes(items: list[dict[str, Any]]) -> set[str]:
    return {item["code"] for item in items}
