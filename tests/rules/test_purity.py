"""tqr.rules stays pure: importing every module of it must not pull Django in."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import tqr.rules

REPO = Path(__file__).resolve().parents[2]


def rules_modules() -> list[str]:
    return ["tqr.rules"] + [f"tqr.rules.{m.name}" for m in pkgutil.iter_modules(tqr.rules.__path__)]


def test_rules_package_has_the_expected_modules():
    assert {"tqr.rules.engine", "tqr.rules.identifiers", "tqr.rules.sampling", "tqr.rules.workdays"} <= set(rules_modules())


def test_importing_the_rules_does_not_import_django():
    modules = rules_modules()
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not leaked, leaked\n"
        "print('pure')\n"
    )
    # A fresh interpreter: this test process may already have Django loaded by pytest-django.
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pure"


CLOCK_READS = ("date.today(", "datetime.now(", "datetime.utcnow(", "datetime.today(", "time.time(", "timezone.now(")


def test_the_rules_never_read_the_clock():
    # Rules take today/now as arguments, so that a test (or a replay of last year's round) can set them.
    sources = Path(tqr.rules.__file__).parent.glob("*.py")
    found = [
        f"{path.name}: {needle}"
        for path in sources
        for needle in CLOCK_READS
        if needle in path.read_text(encoding="utf-8")
    ]
    assert found == []
