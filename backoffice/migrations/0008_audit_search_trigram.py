from django.db import migrations

# The audit page's free-text search (backoffice.filters.AuditFilter: object, person or reason, three characters or
# more) on PostgreSQL: one trigram index per searched column on the same UPPER(...) that icontains compares, which
# PostgreSQL combines (BitmapOr) instead of reading the whole trail (issue 13). SQLite has no pg_trgm.
TRIGRAM_INDEXES = {"audit_object_trgm": "object_repr", "audit_actor_trgm": "actor_name",
                   "audit_reason_trgm": "reason"}


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in TRIGRAM_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON backoffice_auditevent "
                           f"USING gin (UPPER({column}) gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in TRIGRAM_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('backoffice', '0007_list_indexes'),
    ]

    operations = [
        migrations.RunPython(trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
