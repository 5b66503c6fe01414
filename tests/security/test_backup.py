"""Back-up and restore (issue 8; security-tests.md §10 item 65, the restore drill, automated).

A populated database and its stored files are backed up, wiped, restored, and compared: the row count of
every table and the hash of every file. A back-up that does not match its manifest is refused, and so is an
archive whose paths would land outside MEDIA_ROOT.

The SQLite path runs in the normal suite; the PostgreSQL path (pg_dump / pg_restore into a scratch database
created by the test) when the suite runs against PostgreSQL (DATABASE_URL=postgres://…).
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import make_world
from tqr.applications.models import Application
from tqr.applications.services import application_start
from tqr.audit.models import AuditEvent
from tqr.core import backup

pytestmark = pytest.mark.security

SQLITE = {"ENGINE": "django.db.backends.sqlite3"}


def media_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def live_counts() -> dict[str, int]:
    connection.ensure_connection()
    return backup.row_counts(connection.connection, "sqlite" if connection.vendor == "sqlite" else "postgresql")


def populate(media: Path):
    """The world, plus an application with a photo and a generated file under MEDIA_ROOT."""
    world = make_world()
    app = application_start(round_=world.round_a, teacher=world.teacher_a1, actor=world.t_a1)
    app.photo.save("p.jpg", ContentFile(b"\xff\xd8\xff\xe0 a teacher's photo"), save=True)
    (media / "jobs").mkdir(parents=True, exist_ok=True)
    (media / "jobs" / "form.pdf").write_bytes(b"%PDF-1.7 generated")
    (media / "jobs" / ".abc.part").write_bytes(b"half-written: never backed up")
    return world, app


def small_sqlite(path: Path, rows: int = 3) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE teacher (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute('CREATE TABLE "odd ""name" (x)')
    con.executemany("INSERT INTO teacher (name) VALUES (?)", [(f"教师{i}",) for i in range(rows)])
    con.commit()
    con.close()


@pytest.fixture
def small_backup(tmp_path):
    """A back-up of a small SQLite file database and two stored files: (folder, media root)."""
    small_sqlite(tmp_path / "source.sqlite3")
    media = tmp_path / "media"
    (media / "photos" / "1").mkdir(parents=True)
    (media / "photos" / "1" / "a.jpg").write_bytes(b"photo a")
    (media / "imports").mkdir()
    (media / "imports" / "x.json").write_text("{}")
    folder = backup.create_backup(tmp_path / "backups",
                                  db=backup.Database({**SQLITE, "NAME": str(tmp_path / "source.sqlite3")}),
                                  media_root=media)
    return folder, media


# --- The whole round trip, through the commands ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_backs_up_wipes_and_restores_the_database_and_the_files(tmp_path, settings):
    # Over the test database itself: SQLite's back-up API, or pg_dump / pg_restore --clean under PostgreSQL.
    settings.MEDIA_ROOT = media = tmp_path / "media"
    _world, app = populate(media)
    counts_before, files_before = live_counts(), media_hashes(media)

    out = io.StringIO()
    call_command("backup", out=str(tmp_path / "backups"), stdout=out)
    (folder,) = (tmp_path / "backups").iterdir()
    assert "备份完成" in out.getvalue()

    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert not Application.objects.exists() and media_hashes(media) == {}

    out = io.StringIO()
    call_command("restore", str(folder), yes=True, stdout=out)

    assert "恢复完成" in out.getvalue()
    counts_after = live_counts()
    audit = AuditEvent._meta.db_table
    # The same rows everywhere; the audit log has one more: the restore itself (backup.create was written
    # after the dump, so it is not in the back-up).
    assert {t: n for t, n in counts_after.items() if t != audit} == {t: n for t, n in counts_before.items() if t != audit}
    assert counts_after[audit] == counts_before[audit] + 1
    assert AuditEvent.objects.order_by("-id").first().action == "backup.restore"
    del files_before["jobs/.abc.part"]
    assert media_hashes(media) == files_before
    restored = Application.objects.get(pk=app.pk)
    assert restored.photo.name == app.photo.name and restored.photo.read().startswith(b"\xff\xd8")
    assert "审计日志完整" in _verify()


def _verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_dump_restores_into_a_fresh_database(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (pg_dump / pg_restore): run with DATABASE_URL=postgres://…")
    import psycopg

    settings.MEDIA_ROOT = media = tmp_path / "media"
    populate(media)
    folder = backup.create_backup(tmp_path / "backups", db=backup.Database.of(connection), media_root=media)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == "postgresql"
    assert manifest["row_counts"] == live_counts()

    scratch = f"tqr_restore_{uuid.uuid4().hex[:12]}"
    admin = {**connection.settings_dict, "NAME": "postgres"}
    with backup._pg_connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{scratch}"')
    try:
        target = backup.Database({**connection.settings_dict, "NAME": scratch})
        counts, files = backup.restore_backup(folder, db=target, media_root=tmp_path / "restored")
        assert [c for c in counts if not c.ok] == []
        assert {c.table for c in counts} == set(manifest["row_counts"])
        assert files == []
        assert media_hashes(tmp_path / "restored") == {k: v["sha256"] for k, v in manifest["media"].items()}
        with backup._pg_connect(target.settings) as con:  # the append-only trigger came back with the table
            assert con.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_auditevent_append_only'"
                               ).fetchone()[0] == 1
    finally:
        with backup._pg_connect(admin, autocommit=True) as con:
            con.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(scratch)))


# --- The pieces, on explicit SQLite files --------------------------------------------------------------


def test_the_manifest_lists_hashes_sizes_counts_versions_and_the_vendor(small_backup):
    folder, media = small_backup
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(p.name for p in folder.iterdir()) == ["database.dump", "files.tar", "manifest.json"]
    for name in ("database.dump", "files.tar"):
        assert manifest["files"][name] == {"sha256": hashlib.sha256((folder / name).read_bytes()).hexdigest(),
                                           "size": (folder / name).stat().st_size}
    assert manifest["row_counts"] == {"teacher": 3, 'odd "name': 0}
    assert manifest["media"]["photos/1/a.jpg"]["sha256"] == hashlib.sha256(b"photo a").hexdigest()
    assert set(manifest["versions"]) == {"django", "tqr"} and manifest["database"]["vendor"] == "sqlite"
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert not list(folder.parent.glob(".*partial"))


def test_it_restores_into_an_empty_database_and_media_folder(small_backup, tmp_path):
    folder, media = small_backup
    target = backup.Database({**SQLITE, "NAME": str(tmp_path / "empty.sqlite3")})
    counts, files = backup.restore_backup(folder, db=target, media_root=tmp_path / "restored")
    assert [(c.table, c.expected, c.actual) for c in counts] == [('odd "name', 0, 0), ("teacher", 3, 3)]
    assert files == []
    assert media_hashes(tmp_path / "restored") == media_hashes(media)
    con = sqlite3.connect(tmp_path / "empty.sqlite3")
    assert con.execute("SELECT name FROM teacher ORDER BY id").fetchall() == [("教师0",), ("教师1",), ("教师2",)]
    con.close()


def test_it_overwrites_a_database_that_has_moved_on(small_backup, tmp_path):
    folder, _media = small_backup
    later = tmp_path / "later.sqlite3"
    small_sqlite(later, rows=10)
    counts, _ = backup.restore_backup(folder, db=backup.Database({**SQLITE, "NAME": str(later)}),
                                      media_root=tmp_path / "restored")
    assert all(c.ok for c in counts)
    assert sqlite3.connect(later).execute("SELECT count(*) FROM teacher").fetchone() == (3,)


@pytest.mark.parametrize("name", ["database.dump", "files.tar"])
def test_it_refuses_a_backup_whose_file_was_changed(small_backup, tmp_path, name):
    folder, _media = small_backup
    path = folder / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    target = tmp_path / "target.sqlite3"
    small_sqlite(target, rows=7)

    with pytest.raises(backup.BackupError, match="哈希与清单不符"):
        backup.restore_backup(folder, db=backup.Database({**SQLITE, "NAME": str(target)}),
                              media_root=tmp_path / "restored")
    assert sqlite3.connect(target).execute("SELECT count(*) FROM teacher").fetchone() == (7,)  # untouched
    assert not (tmp_path / "restored").exists()


def test_the_restore_command_refuses_a_tampered_backup_and_records_the_refusal(small_backup, db):
    folder, _media = small_backup
    (folder / "database.dump").write_bytes(b"SQLite format 3\x00 something else")
    before = Application.objects.count(), AuditEvent.objects.exclude(action="backup.restore").count()

    with pytest.raises(CommandError, match="哈希与清单不符"):
        call_command("restore", str(folder), yes=True, stdout=io.StringIO())

    assert (Application.objects.count(), AuditEvent.objects.exclude(action="backup.restore").count()) == before
    refused = AuditEvent.objects.get(action="backup.restore")
    assert refused.result == "fail" and refused.data["backup"] == folder.name


def test_the_restore_command_asks_for_yes_before_overwriting(small_backup, db):
    folder, _media = small_backup
    out = io.StringIO()
    with pytest.raises(CommandError, match="--yes") as refusal:
        call_command("restore", str(folder), stdout=out)
    assert refusal.value.returncode == 2
    assert "备份校验通过" in out.getvalue()


def test_a_missing_manifest_is_not_a_backup(tmp_path):
    with pytest.raises(backup.BackupError, match="manifest.json"):
        backup.verify_backup(tmp_path)


def _rewrite_tar(folder: Path, add) -> None:
    """Replace files.tar and fix its manifest entry, as an attacker who controls both would."""
    with tarfile.open(folder / "files.tar", "w") as tar:
        add(tar)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["files.tar"] = backup.file_digest(folder / "files.tar")
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _member(tar: tarfile.TarFile, name: str, data: bytes = b"x", **extra) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data) if "type" not in extra else 0
    for key, value in extra.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data) if "type" not in extra else None)


@pytest.mark.parametrize("evil", [
    {"name": "../outside.txt"},
    {"name": "photos/../../outside.txt"},
    {"name": "/tmp/absolute.txt"},
    {"name": "link", "type": tarfile.SYMTYPE, "linkname": "/etc/passwd"},
    {"name": "hard", "type": tarfile.LNKTYPE, "linkname": "../outside.txt"},
    {"name": "device", "type": tarfile.CHRTYPE},
], ids=["dotdot", "nested-dotdot", "absolute", "symlink", "hardlink", "device"])
def test_it_refuses_an_archive_that_could_write_outside_media_root(small_backup, tmp_path, evil):
    folder, _media = small_backup
    _rewrite_tar(folder, lambda tar: (_member(tar, "photos/ok.jpg"), _member(tar, **evil)))
    target = tmp_path / "target.sqlite3"
    small_sqlite(target, rows=7)

    with pytest.raises(backup.BackupError, match="不安全的路径"):
        backup.restore_backup(folder, db=backup.Database({**SQLITE, "NAME": str(target)}),
                              media_root=tmp_path / "restored")
    assert sqlite3.connect(target).execute("SELECT count(*) FROM teacher").fetchone() == (7,)  # refused first
    assert not (tmp_path / "restored").exists() and not (tmp_path / "outside.txt").exists()


def test_it_reports_a_file_that_differs_after_the_restore(small_backup, tmp_path):
    folder, _media = small_backup
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["media"]["photos/1/a.jpg"]["sha256"] = "0" * 64  # the archive no longer holds what was listed
    (folder / "manifest.json").write_text(json.dumps(manifest))
    _counts, files = backup.restore_backup(folder, db=backup.Database({**SQLITE, "NAME": str(tmp_path / "t.sqlite3")}),
                                           media_root=tmp_path / "restored")
    assert files == ["photos/1/a.jpg"]


def test_it_will_not_back_up_sqlite_from_inside_a_transaction(db, tmp_path):
    # The SQLite back-up API would wait forever for the open write transaction: refuse instead of hanging.
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(backup.BackupError, match="事务"):
        backup.create_backup(tmp_path, db=backup.Database.of(connection), media_root=tmp_path / "media")
    assert list(tmp_path.iterdir()) == []  # no half-made folder left behind


def test_two_backups_in_the_same_second_do_not_collide(small_backup, tmp_path):
    folder, media = small_backup
    second = backup.create_backup(folder.parent, db=backup.Database({**SQLITE, "NAME": str(tmp_path / "source.sqlite3")}),
                                  media_root=media)
    assert second != folder and backup.verify_backup(second)
