"""python manage.py evaluate FILE: the worked examples through the real command, and its exit codes."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

REPO = Path(__file__).resolve().parents[2]
CASES = json.loads((REPO / "tests" / "rules" / "data" / "rule-cases.json").read_text(encoding="utf-8"))
INPUTS = [example["input"] for example in CASES]
SET_FIELDS = ("errors", "warnings", "reasons")


def assert_matches(got: dict, expected: dict) -> None:
    assert set(got) == set(expected)
    for key, want in expected.items():
        if key in SET_FIELDS:
            assert {i["code"] for i in got[key]} == {i["code"] for i in want}, (expected["case"], key)
        else:
            assert got[key] == want, (expected["case"], key)


def run(*args: str, stdin: str | None = None) -> dict | list:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out, **({"stdin": io.StringIO(stdin)} if stdin is not None else {}))
    return json.loads(out.getvalue())


def write(tmp_path: Path, data, name: str = "cases.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


# --- call_command --------------------------------------------------------------------------------


@pytest.mark.parametrize("example", CASES, ids=[c["input"]["case"] for c in CASES])
def test_one_case_object_gives_one_result(tmp_path, example):
    assert_matches(run(write(tmp_path, example["input"])), example["expected"])


def test_an_array_gives_an_array_in_the_same_order(tmp_path):
    got = run(write(tmp_path, INPUTS))
    assert isinstance(got, list) and len(got) == len(CASES)
    for result, example in zip(got, CASES, strict=True):
        assert_matches(result, example["expected"])


def test_dash_reads_standard_input():
    got = run("-", stdin=json.dumps(INPUTS[1], ensure_ascii=False))
    assert got["proposal"] == "deferred"


def test_output_is_readable_chinese_json(tmp_path):
    out = io.StringIO()
    call_command("evaluate", write(tmp_path, INPUTS[1]), stdout=out)
    assert "培训学时 300，需满 360 学时" in out.getvalue()  # ensure_ascii=False
    assert out.getvalue().startswith("{\n  ")  # indent 2


def test_a_file_with_a_bom_is_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(INPUTS[0]).encode())
    assert run(str(path))["proposal"] == "qualified"


def test_an_empty_array_gives_an_empty_array(tmp_path):
    assert run(write(tmp_path, [])) == []


def malformed(field_path: str, value) -> dict:
    case = copy.deepcopy(INPUTS[0])
    *parents, last = field_path.split(".")
    target = case
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return case


@pytest.mark.parametrize(
    ("data", "needles"),
    [
        ("{not json", ["不是合法的 JSON", "Malformed JSON"]),
        ("", ["不是合法的 JSON"]),
        ("[" * 100_000, ["JSON"]),
        ("42", ["应为对象"]),
        (malformed("teacher.on_payroll", "yes"), ["teacher.on_payroll", "periodic, everything in order"]),
        (malformed("period.training_hours", KeyError), ["period.training_hours", "缺失", "missing"]),
        (malformed("teacher.unit.kind", "university"), ["teacher.unit.kind", "university"]),
        ([INPUTS[0], malformed("period.ethics", "so-so")], ["第 2 个案例", "period.ethics", "array index 1"]),
        (CASES[:1], ["input", "第 1 个案例"]),  # the {"input", "expected"} pairs are not cases
    ],
)
def test_malformed_input_is_exit_2_naming_the_field_and_case(tmp_path, data, needles):
    with pytest.raises(CommandError) as caught:
        run(write(tmp_path, data))
    assert caught.value.returncode == 2
    for needle in needles:
        assert needle in str(caught.value)


def test_a_missing_file_is_exit_2(tmp_path):
    with pytest.raises(CommandError) as caught:
        run(str(tmp_path / "nope.json"))
    assert caught.value.returncode == 2 and "nope.json" in str(caught.value)


def test_a_file_that_is_not_utf8_is_exit_2(tmp_path):
    path = tmp_path / "gbk.json"
    path.write_bytes(json.dumps({"case": "张三"}, ensure_ascii=False).encode("gbk"))
    with pytest.raises(CommandError) as caught:
        run(str(path))
    assert caught.value.returncode == 2 and "UTF-8" in str(caught.value)


# --- the real command, in a process of its own ---------------------------------------------------


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tqr.settings",
        "TQR_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",  # evaluate needs no database; keep it local
    }


def manage(env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, input=stdin, capture_output=True, text=True,
        timeout=120,
    )


def test_every_worked_example_through_the_real_command(env):
    done = manage(env, "evaluate", "-", stdin=json.dumps(INPUTS, ensure_ascii=False))
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    for result, example in zip(got, CASES, strict=True):
        assert_matches(result, example["expected"])


def test_a_single_case_through_the_real_command_from_a_file(env, tmp_path):
    done = manage(env, "evaluate", write(tmp_path, INPUTS[12]))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["proposal"] == "needs_review"


@pytest.mark.parametrize(
    ("stdin", "needles"),
    [
        ('{"case": "broken', ["JSON"]),
        (json.dumps([INPUTS[0], malformed("teacher.unit.ownership", "state")], ensure_ascii=False),
         ["第 2 个案例", "teacher.unit.ownership", "periodic, everything in order"]),
        (json.dumps(malformed("round.year", "2023")), ["round.year"]),
    ],
)
def test_malformed_input_exits_2_without_a_traceback(env, stdin, needles):
    done = manage(env, "evaluate", "-", stdin=stdin)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    for needle in needles:
        assert needle in done.stderr
