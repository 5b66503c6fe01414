"""TQR_PGBOUNCER: what the apps need behind PgBouncer in transaction pooling (docs/deployment.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

SHOW = ("import django; django.setup(); from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d.get('DISABLE_SERVER_SIDE_CURSORS', False))")


def database_settings(**env: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("TQR_PGBOUNCER", "TQR_CONN_MAX_AGE")}
    out = subprocess.run([sys.executable, "-c", SHOW], cwd=settings.BASE_DIR, capture_output=True, text=True,
                         env={**environ, "DJANGO_SETTINGS_MODULE": "tqr.settings",
                              "DATABASE_URL": "postgres://u@127.0.0.1:5432/x", **env}, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


@pytest.mark.parametrize(("env", "expected"), [
    ({}, ["600", "False"]),
    ({"TQR_PGBOUNCER": "true"}, ["0", "True"]),
    ({"TQR_PGBOUNCER": "true", "TQR_CONN_MAX_AGE": "30"}, ["30", "True"]),
])
def test_behind_pgbouncer_no_persistent_connections_nor_server_side_cursors(env, expected):
    assert database_settings(**env) == expected
