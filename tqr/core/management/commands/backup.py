"""python manage.py backup --out DIR — the database and the stored files into DIR/<timestamp>/.

`database.dump` (pg_dump -Fc, or SQLite's online back-up API), `files.tar` (MEDIA_ROOT) and
`manifest.json` (hashes, sizes, row counts, versions); see tqr.core.backup. The app may keep running.
TQR_FIELD_KEY is not in the back-up: keep it apart (without it the resident ID numbers cannot be read).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tqr.audit.services import command_username, record
from tqr.core import backup


class Command(BaseCommand):
    help = "备份数据库和存储的文件（含哈希清单）到 DIR/<时间>/。"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="备份存放的目录")

    def handle(self, *args, out: str, **options):
        try:
            folder = backup.create_backup(Path(out), db=backup.Database.of(connection),
                                          media_root=Path(settings.MEDIA_ROOT))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = backup.verify_backup(folder)
        digest = backup.manifest_digest(folder)
        tables, rows, files = len(manifest["row_counts"]), sum(manifest["row_counts"].values()), len(manifest["media"])
        # A back-up is an export of everything: audited (after the dump, so the row is not in it).
        record("backup.create", username=command_username(), data={
            "backup": folder.name, "tables": tables, "rows": rows, "files": files, "manifest_sha256": digest})
        self.stdout.write(f"备份完成：{folder}")
        self.stdout.write(f"数据表 {tables} 张，共 {rows} 行；文件 {files} 个。")
        self.stdout.write(f"清单 SHA-256：{digest}（请另行记录，恢复前可核对）")
        self.stdout.write("注意：TQR_FIELD_KEY 不在备份中，请另行妥善保存。")
