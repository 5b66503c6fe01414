"""docs/rules.md explains every code and every setting the engine has."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tqr.rules.codes import ERRORS, REASONS, SCOPE_REASONS, WARNINGS
from tqr.rules.engine import RuleSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


@pytest.mark.parametrize("code", [*ERRORS, *WARNINGS, *SCOPE_REASONS, *REASONS])
def test_every_code_is_documented(code):
    assert f"`{code}`" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", dataclasses.fields(RuleSettings), ids=lambda f: f.name)
def test_every_setting_is_documented_with_its_default(setting):
    text = DOC.read_text(encoding="utf-8")
    row = next((line for line in text.splitlines() if f"`{setting.name}`" in line), None)
    assert row is not None, setting.name
    default = {True: "是", False: "否"}.get(setting.default, str(setting.default))
    assert f"| {default} |" in row


def test_scope_reasons_are_documented_in_order():
    text = DOC.read_text(encoding="utf-8")
    positions = [text.index(f"| `{code}` |") for code in SCOPE_REASONS]
    assert positions == sorted(positions)
