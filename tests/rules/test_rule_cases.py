"""The worked examples of shared/domain/rule-cases.json, through the engine, field by field."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tqr.rules.engine import evaluate_dict

COPY = Path(__file__).resolve().parent / "data" / "rule-cases.json"
SET_FIELDS = ("errors", "warnings", "reasons")


def shared_file() -> Path | None:
    candidates = [Path(__file__).resolve().parents[2].parent / "shared" / "domain" / "rule-cases.json"]
    if os.environ.get("TQR_SHARED_DIR"):
        candidates.append(Path(os.environ["TQR_SHARED_DIR"]) / "domain" / "rule-cases.json")
        candidates.append(Path(os.environ["TQR_SHARED_DIR"]) / "rule-cases.json")
    return next((path for path in candidates if path.is_file()), None)


def load_cases() -> list[dict]:
    assert COPY.is_file(), f"missing {COPY}: copy shared/domain/rule-cases.json there"
    return json.loads(COPY.read_text(encoding="utf-8"))


CASES = load_cases()


def test_there_are_worked_examples():
    assert len(CASES) >= 14


def test_the_copy_matches_the_shared_contract():
    shared = shared_file()
    if shared is None:
        pytest.fail(
            "shared/domain/rule-cases.json not found beside the repository (or under $TQR_SHARED_DIR); "
            "the copy in tests/rules/data cannot be checked against the contract"
        )
    assert json.loads(shared.read_text(encoding="utf-8")) == load_cases(), (
        f"{COPY} differs from {shared}: copy the shared file again"
    )


@pytest.mark.parametrize("example", CASES, ids=[c["input"]["case"] for c in CASES])
def test_worked_example(example):
    got = evaluate_dict(example["input"])
    expected = example["expected"]
    assert set(got) == set(expected), "the output has exactly the contract's keys"
    for key, want in expected.items():
        if key in SET_FIELDS:
            assert {item["code"] for item in got[key]} == {item["code"] for item in want}, key
        else:
            assert got[key] == want, key


@pytest.mark.parametrize("example", CASES, ids=[c["input"]["case"] for c in CASES])
def test_every_reason_explains_itself(example):
    got = evaluate_dict(example["input"])
    for reason in got["reasons"]:
        assert set(reason) == {"code", "clause", "message", "evidence"}
        assert "教师〔2013〕9号" in reason["clause"]
        assert reason["message"] and isinstance(reason["evidence"], dict) and reason["evidence"]
    for error in got["errors"]:
        assert set(error) == {"field", "code", "message"}
    for warning in got["warnings"]:
        assert set(warning) == {"code", "message"}
