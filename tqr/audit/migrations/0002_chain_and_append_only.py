"""The audit log's hash chain, and on PostgreSQL a trigger that refuses UPDATE and DELETE on the table.

Rows written before this migration are sealed into the chain in id order, before the trigger exists.
The trigger binds every role, the owner included, so that even raw SQL from the app cannot rewrite the log;
only the table's owner can disable it (ALTER TABLE … DISABLE TRIGGER), and production runs the app as a
role that does not own the table (README, "Running it in production").
"""

import django.utils.timezone
from django.db import migrations, models

TABLE = "audit_auditevent"
TRIGGER = "audit_auditevent_append_only"

INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit log is append-only' USING ERRCODE = 'insufficient_privilege';
    END
    $$""",
    f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()",
]
REMOVE = [f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}", f"DROP FUNCTION IF EXISTS {TRIGGER}()"]


def seal_existing_rows(apps, schema_editor):
    from tqr.audit import chain

    Event = apps.get_model("audit", "AuditEvent")
    db = schema_editor.connection.alias
    prev = chain.GENESIS
    for row in chain.stream(Event.objects.using(db)):
        digest = chain.row_hash(prev, row)
        # The historical model has a plain manager: this one-time update is allowed (no trigger yet).
        Event.objects.using(db).filter(pk=row["id"]).update(prev_hash=prev, row_hash=digest)
        prev = digest


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in INSTALL:
            schema_editor.execute(statement)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='上一条哈希'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='row_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='本条哈希'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='ts',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='时间'),
        ),
        migrations.RunPython(seal_existing_rows, migrations.RunPython.noop),
        migrations.RunPython(install_trigger, remove_trigger),
    ]
