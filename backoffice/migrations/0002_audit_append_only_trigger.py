"""R3: on PostgreSQL the database itself refuses to change or delete an audit event, whoever connects.

Row-level UPDATE and DELETE are refused. TRUNCATE is not: Django's `flush` (used between TransactionTestCase tests
and by `manage.py flush`) truncates every table, and a TRUNCATE trigger would break it. Production should connect
as a role that does not own the tables, so it cannot TRUNCATE or drop the trigger either (README, Production).
SQLite has no such triggers here; the model's save()/delete() guards still apply there.
"""
from django.db import migrations

FUNCTION = "backoffice_auditevent_append_only"
TRIGGER = "backoffice_auditevent_append_only"

INSTALL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Audit records are append-only (R3): % on % refused. 审计记录只能追加，不能修改或删除。',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS {TRIGGER} ON {{table}};
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {{table}} FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

REMOVE = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {{table}};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("backoffice", "AuditEvent")._meta.db_table)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql.format(table=table))  # no parameters: the '%' in RAISE stays literal

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("backoffice", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(INSTALL), _run(REMOVE), elidable=False),
    ]
