"""python manage.py export_audit --since ISO [--until ISO] — the audit log as JSON lines on stdout.

For the log server (等保 8.1.4.3; retention ≥ TQR_AUDIT_RETENTION_DAYS there): one line per row, oldest
first, with `prev_hash` and `row_hash`, so that the receiver can recompute the chain (tqr.audit.chain).
`--since` is inclusive, `--until` exclusive; a time without a zone is in TQR_TIME_ZONE. Each export is
itself recorded in the audit log.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tqr.audit import chain
from tqr.audit.models import AuditEvent
from tqr.audit.services import command_username, record
from tqr.core.commands import iso_moment


class Command(BaseCommand):
    help = "把审计日志按 JSON 行格式输出到标准输出（供日志服务器接收），含每条的链哈希。"

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="起始时间（含），ISO 格式")
        parser.add_argument("--until", help="截止时间（不含），ISO 格式；默认到现在")

    def handle(self, *args, since: str, until: str | None = None, **options):
        events = AuditEvent.objects.filter(ts__gte=iso_moment("--since", since))
        if until:
            events = events.filter(ts__lt=iso_moment("--until", until))
        count = 0
        for row in chain.stream(events):
            self.stdout.write(chain.as_line(row))
            count += 1
        record("audit.export", username=command_username(),
               data={"format": "jsonl", "since": since, "until": until or "", "rows": count})
