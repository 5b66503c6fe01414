"""`manage.py check --deploy`: on PostgreSQL, the append-only trigger on the audit table is in place.

The trigger (migration 0002) binds every role, the owner included; only the owner can disable it. A
deployment that lost it (restored from a dump without triggers, or disabled for a repair and forgotten)
would let the app rewrite the log, so a deploy check refuses to pass without it.
"""

from django.core.checks import Error, Tags, register
from django.db import connection
from django.db.utils import DatabaseError

TRIGGER = "audit_auditevent_append_only"


@register(Tags.security, deploy=True)
def audit_table_is_append_only(app_configs=None, **kwargs):
    if connection.vendor != "postgresql":
        return []  # SQLite: the ORM guard and the hash chain (verify_audit) are what there is
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal", [TRIGGER])
            row = cursor.fetchone()
    except DatabaseError as exc:  # no database yet: the deploy check cannot tell
        return [Error(f"无法检查审计日志表的只追加触发器：{exc}", id="tqr.E101")]
    if row is None:
        return [Error("审计日志表缺少只追加触发器（audit_auditevent_append_only），请运行 manage.py migrate 或从迁移 "
                      "audit 0002 重建。", id="tqr.E102")]
    if row[0] == "D":
        return [Error("审计日志表的只追加触发器已被禁用，请执行 ALTER TABLE audit_auditevent ENABLE TRIGGER "
                      "audit_auditevent_append_only。", id="tqr.E103")]
    return []
