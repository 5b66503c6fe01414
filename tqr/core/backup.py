"""Back-up and restore of the database and the stored files, with a manifest of hashes (等保 8.1.4.8).

A back-up is a folder `<timestamp>/` holding

- `database.dump`: `pg_dump -Fc` under PostgreSQL; under SQLite a copy made with the online back-up API
  (`sqlite3.Connection.backup`), consistent while the app keeps writing;
- `files.tar`: everything under MEDIA_ROOT (photos, generated documents, pending imports);
- `manifest.json`: SHA-256 and size of both files and of every stored file, the row count of every table
  (counted in the same snapshot as the dump), the Django and app versions and the database vendor.

A restore checks every hash first and refuses a back-up that does not match its manifest, refuses tar
members that could escape MEDIA_ROOT, then restores and compares the row counts with the manifest.

The functions take explicit connection settings and paths, so that tests (and a restore drill on an
isolated host) can point them at a scratch database.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.utils import timezone

MANIFEST = "manifest.json"
DATABASE_FILE = "database.dump"
FILES_TAR = "files.tar"
FORMAT = 1


class BackupError(Exception):
    """A back-up that cannot be made, or one that must not be restored (and why)."""


@dataclass(frozen=True)
class Database:
    """Where a database is: Django's settings dict of a connection (ENGINE, NAME, USER, HOST, …).

    `live` is the Django connection itself when the database is the app's own; under SQLite the back-up
    API then reads and writes through it (an in-memory test database has no file to open)."""

    settings: dict[str, Any]
    live: Any = None

    @property
    def vendor(self) -> str:
        engine = self.settings["ENGINE"]
        if "postgresql" in engine:
            return "postgresql"
        if "sqlite3" in engine:
            return "sqlite"
        raise BackupError(f"不支持的数据库：{engine}")

    @classmethod
    def of(cls, connection) -> Database:
        return cls(settings=dict(connection.settings_dict), live=connection)


@dataclass(frozen=True)
class Count:
    table: str
    expected: int | None
    actual: int | None

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


# --- Hashes -----------------------------------------------------------------------------------------


def file_digest(path: Path) -> dict[str, Any]:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return {"sha256": h.hexdigest(), "size": path.stat().st_size}


# --- Row counts -------------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(dbapi_connection, vendor: str) -> dict[str, int]:
    """Rows per table of a DB-API connection (sqlite3 or psycopg), every table of the schema."""
    cursor = dbapi_connection.cursor()
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    tables = sorted(row[0] for row in cursor.fetchall())
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    cursor.close()
    return counts


# --- PostgreSQL -------------------------------------------------------------------------------------


def _pg_environment(settings: dict[str, Any]) -> dict[str, str]:
    """libpq environment for pg_dump / pg_restore: the password never appears on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if settings.get(key):
            env[var] = str(settings[key])
    if settings.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = settings["OPTIONS"]["sslmode"]
    return env


def _pg_connect(settings: dict[str, Any], **kwargs):
    import psycopg

    params = {"dbname": settings["NAME"], "user": settings.get("USER") or None,
              "password": settings.get("PASSWORD") or None, "host": settings.get("HOST") or None,
              "port": settings.get("PORT") or None}
    if settings.get("OPTIONS", {}).get("sslmode"):
        params["sslmode"] = settings["OPTIONS"]["sslmode"]
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, **kwargs)


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {command[0]}：请安装 PostgreSQL 客户端（与服务器同一主版本）") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败（{done.returncode}）：{done.stderr.strip()[-2000:]}")


def _dump_postgresql(db: Database, dest: Path) -> dict[str, int]:
    """pg_dump -Fc of an exported snapshot, and the row counts of that same snapshot."""
    with _pg_connect(db.settings, autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = row_counts(conn, "postgresql")
        # The snapshot lives as long as this transaction: pg_dump runs inside it.
        _run(["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(dest)], _pg_environment(db.settings))
        conn.execute("ROLLBACK")
    return counts


def _restore_postgresql(db: Database, dump: Path) -> None:
    if db.live is not None:
        db.live.close()  # no lock of ours may hold up the DROP TABLEs of --clean
    _run(["pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
          "-d", db.settings["NAME"], str(dump)], _pg_environment(db.settings))


def _counts_postgresql(db: Database) -> dict[str, int]:
    with _pg_connect(db.settings, autocommit=True) as conn:
        return row_counts(conn, "postgresql")


# --- SQLite -----------------------------------------------------------------------------------------


def _sqlite_connection(db: Database) -> tuple[sqlite3.Connection, bool]:
    """The live Django connection's sqlite3 object (not to be closed), or a new one on the file."""
    if db.live is not None:
        if db.live.in_atomic_block:
            # The back-up API waits for the open write transaction forever: refuse instead.
            raise BackupError("SQLite 的备份与恢复不能在事务中进行")
        db.live.ensure_connection()
        return db.live.connection, False
    return sqlite3.connect(db.settings["NAME"]), True


def _dump_sqlite(db: Database, dest: Path) -> dict[str, int]:
    source, own = _sqlite_connection(db)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
        return row_counts(target, "sqlite")  # counted in the copy: the same snapshot
    finally:
        target.close()
        if own:
            source.close()


def _restore_sqlite(db: Database, dump: Path) -> None:
    source = sqlite3.connect(dump)
    target, own = _sqlite_connection(db)
    try:
        source.backup(target)
    finally:
        source.close()
        if own:
            target.close()


def _counts_sqlite(db: Database) -> dict[str, int]:
    connection, own = _sqlite_connection(db)
    try:
        return row_counts(connection, "sqlite")
    finally:
        if own:
            connection.close()


# --- Stored files -----------------------------------------------------------------------------------


def archive_files(media_root: Path, dest: Path) -> dict[str, dict[str, Any]]:
    """Tar every regular file under media_root (not symlinks, not half-written `.part` files);
    return {relative path: {sha256, size}}."""
    media: dict[str, dict[str, Any]] = {}
    with tarfile.open(dest, "w") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_symlink() or not path.is_file() or path.name.endswith(".part"):
                    continue
                name = path.relative_to(media_root).as_posix()
                media[name] = file_digest(path)
                tar.add(path, arcname=name, recursive=False)
    return media


def unsafe_members(tar: tarfile.TarFile) -> list[str]:
    """Members that must not be extracted: absolute paths, '..', anything but plain files and folders."""
    bad = []
    for member in tar.getmembers():
        name = member.name.replace("\\", "/")
        parts = PurePosixPath(name).parts
        escapes = not name or name.startswith("/") or ".." in parts or ":" in (parts[0] if parts else "")
        if escapes or not (member.isfile() or member.isdir()):
            bad.append(member.name)
    return bad


def extract_files(tar_path: Path, media_root: Path) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path, "r") as tar:
        bad = unsafe_members(tar)
        if bad:
            raise BackupError(f"文件包含不安全的路径，拒绝恢复：{', '.join(bad[:5])}")
        tar.extractall(media_root, filter="data")  # the standard library's own guard as well


# --- Back-up ----------------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    try:
        app = importlib.metadata.version("tqr")
    except importlib.metadata.PackageNotFoundError:
        app = "unknown"
    return {"django": django.get_version(), "tqr": app}


def create_backup(out: Path, *, db: Database, media_root: Path) -> Path:
    """Write out/<timestamp>/ and return it. The folder appears only when complete."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    final = out / stamp
    n = 1
    while final.exists():
        n += 1
        final = out / f"{stamp}-{n}"
    work = out / f".{final.name}.partial"
    work.mkdir(mode=0o700)  # personal data inside: the operator's eyes only
    try:
        dump = work / DATABASE_FILE
        # The database first: a file written meanwhile is at worst an extra file, never a missing one.
        counts = _dump_postgresql(db, dump) if db.vendor == "postgresql" else _dump_sqlite(db, dump)
        media = archive_files(media_root, work / FILES_TAR)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "versions": versions(),
            "database": {"vendor": db.vendor, "name": Path(str(db.settings["NAME"])).name},
            "files": {name: file_digest(work / name) for name in (DATABASE_FILE, FILES_TAR)},
            "row_counts": counts,
            "media": media,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        for path in work.iterdir():
            path.chmod(0o600)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def manifest_digest(folder: Path) -> str:
    """The manifest's own SHA-256: keep it apart from the back-up (a log, a ticket) to detect a manifest
    rewritten together with the files it describes."""
    return file_digest(folder / MANIFEST)["sha256"]


# --- Restore ----------------------------------------------------------------------------------------


def verify_backup(folder: Path) -> dict[str, Any]:
    """The manifest, after checking that every file has the size and hash it lists. BackupError if not."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} 中没有 {MANIFEST}：不是完整的备份") from None
    except ValueError as exc:
        raise BackupError(f"{MANIFEST} 无法读取：{exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式 {manifest.get('format')!r}")
    for name in (DATABASE_FILE, FILES_TAR):
        expected = manifest["files"].get(name)
        path = folder / name
        if expected is None or not path.is_file():
            raise BackupError(f"备份缺少 {name}")
        if file_digest(path) != expected:
            raise BackupError(f"{name} 的哈希与清单不符：备份已损坏或被改动，拒绝恢复")
    return manifest


def compare_counts(expected: dict[str, int], actual: dict[str, int]) -> list[Count]:
    return [Count(t, expected.get(t), actual.get(t)) for t in sorted(set(expected) | set(actual))]


def restored_file_mismatches(manifest: dict[str, Any], media_root: Path) -> list[str]:
    """Stored files of the manifest that are missing after the restore or differ from their hash."""
    wrong = []
    for name, expected in manifest["media"].items():
        path = media_root / name
        if not path.is_file() or file_digest(path) != expected:
            wrong.append(name)
    return wrong


def restore_backup(folder: Path, *, db: Database, media_root: Path) -> tuple[list[Count], list[str]]:
    """Verify, restore the database and the files, and compare: (row counts, files that differ)."""
    manifest = verify_backup(folder)
    if manifest["database"]["vendor"] != db.vendor:
        raise BackupError(f"备份来自 {manifest['database']['vendor']}，当前数据库是 {db.vendor}：不能直接恢复")
    with tarfile.open(folder / FILES_TAR, "r") as tar:  # refuse before anything is overwritten
        bad = unsafe_members(tar)
    if bad:
        raise BackupError(f"文件包含不安全的路径，拒绝恢复：{', '.join(bad[:5])}")
    if db.vendor == "postgresql":
        _restore_postgresql(db, folder / DATABASE_FILE)
        actual = _counts_postgresql(db)
    else:
        _restore_sqlite(db, folder / DATABASE_FILE)
        actual = _counts_sqlite(db)
    extract_files(folder / FILES_TAR, media_root)
    return compare_counts(manifest["row_counts"], actual), restored_file_mismatches(manifest, media_root)
