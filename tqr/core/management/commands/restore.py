"""python manage.py restore DIR/<timestamp> --yes — put a back-up made by `backup` back in place.

Every hash of the manifest is checked first: a back-up that does not match is refused, as is a file
archive with absolute paths or '..'. Then the database is replaced (pg_restore --clean --if-exists into
the configured database, in one transaction; under SQLite the back-up API copies it over), the stored
files are extracted into MEDIA_ROOT, and the row counts are compared with the manifest (exit status 1 if
any differs). Stop the app and the worker first; run it as the database role that owns the tables.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tqr.audit.models import AuditEvent
from tqr.audit.services import command_username, record
from tqr.core import backup


class Command(BaseCommand):
    help = "从 backup 生成的备份恢复数据库和文件（先校验哈希），并与清单核对各表行数。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="备份目录 DIR/<时间>")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库和文件")

    def handle(self, *args, folder: str, yes: bool, **options):
        path = Path(folder)
        try:
            manifest = backup.verify_backup(path)
        except backup.BackupError as exc:
            record("backup.restore", username=command_username(), result=AuditEvent.Result.FAIL,
                   data={"backup": path.name, "reason": str(exc)[:300]})
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份校验通过：{path}（{manifest['created_at']}，清单 SHA-256 {backup.manifest_digest(path)}）")
        if manifest["versions"] != backup.versions():
            self.stdout.write(self.style.WARNING(
                f"备份时的版本 {manifest['versions']} 与当前 {backup.versions()} 不同：恢复后请运行 migrate。"))
        if not yes:
            raise CommandError("恢复会覆盖当前数据库和存储的文件：确认无误后加 --yes 再运行。", returncode=2)
        try:
            counts, files = backup.restore_backup(path, db=backup.Database.of(connection),
                                                  media_root=Path(settings.MEDIA_ROOT))
        except backup.BackupError as exc:
            record("backup.restore", username=command_username(), result=AuditEvent.Result.FAIL,
                   data={"backup": path.name, "reason": str(exc)[:300]})
            raise CommandError(str(exc)) from exc
        wrong = [c for c in counts if not c.ok]
        # Written into the restored database, chained after its last row.
        record("backup.restore", username=command_username(),
               result=AuditEvent.Result.FAIL if wrong or files else AuditEvent.Result.SUCCESS,
               data={"backup": path.name, "created_at": manifest["created_at"],
                     "manifest_sha256": backup.manifest_digest(path), "tables_differing": len(wrong),
                     "files_differing": len(files)})
        width = max((len(c.table) for c in counts), default=10)
        self.stdout.write(f"{'数据表'.ljust(width)}  备份时  恢复后")
        for c in counts:
            mark = "" if c.ok else "  ← 不一致"
            self.stdout.write(f"{c.table.ljust(width)}  {c.expected!s:>6}  {c.actual!s:>6}{mark}")
        self.stdout.write(f"文件 {len(manifest['media'])} 个，与清单不符 {len(files)} 个。")
        if wrong or files:
            raise CommandError(f"恢复后有 {len(wrong)} 张表的行数、{len(files)} 个文件与清单不一致。", returncode=1)
        self.stdout.write(self.style.SUCCESS("恢复完成：各表行数与文件哈希均与清单一致。"))
