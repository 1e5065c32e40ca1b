import django.utils.timezone
from django.db import migrations, models


# Name search of three characters or more (backoffice.search) on PostgreSQL: trigram indexes on the same
# UPPER(name) that Django's icontains compares. SQLite has no pg_trgm and searches small tables anyway.
TRIGRAM_INDEXES = {"teacher_name_trgm": "backoffice_teacher", "organisation_name_trgm": "backoffice_organisation"}


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table in TRIGRAM_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER(name) gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in TRIGRAM_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('backoffice', '0006_help_text_without_rule_number'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='teacher',
            name='backoffice__region__9dd496_idx',
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='time'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='region_code',
            field=models.CharField(blank=True, max_length=6, verbose_name='region code'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['-at', '-id'], name='audit_list_order'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['region_code', '-at', '-id'], name='audit_list_region', opclasses=['varchar_pattern_ops', '', '']),
        ),
        migrations.AddIndex(
            model_name='teacher',
            index=models.Index(fields=['region', 'school', 'name', 'id'], name='teacher_list_order'),
        ),
        migrations.AddIndex(
            model_name='teacher',
            index=models.Index(fields=['stage', 'region', 'school', 'name', 'id'], name='teacher_list_stage'),
        ),
        migrations.AddIndex(
            model_name='teacher',
            index=models.Index(fields=['name'], name='teacher_name_prefix', opclasses=['varchar_pattern_ops']),
        ),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
