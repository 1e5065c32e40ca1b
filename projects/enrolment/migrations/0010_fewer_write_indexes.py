"""Single-column indexes that a wider index already serves are dropped (issue 12): every status change of a
trainee rewrites an entry in each index of the row (the status is indexed, so no update is HOT), so a county's
200,000 outcomes paid for 18 indexes on the enrolment and 8 on the outcome.

Enrolment: status (enrolment_list_status starts with it), project (the one-per-teacher key and (project, status)),
teacher ((teacher, status)) and institution (enrolment_list_institution). The took-the-place-of link keeps its
index: deleting enrolments checks it row by row.
Outcome: project (outcome_project_status_idx), scheme, confirmed by, audited by (never filtered on).

The indexes are dropped by name with DROP INDEX, not by Django's AlterField: on SQLite that would rebuild the
enrolment table under the list-key triggers (see 0008_list_keys)."""
import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models

DROPPED = {
    "enrolment_enrolment": ("status", "project_id", "teacher_id", "institution_id"),
    "enrolment_outcome": ("project_id", "scheme_id", "confirmed_by_id", "audited_by_id"),
}


def _single_column_indexes(connection, cursor, table, column):
    found = connection.introspection.get_constraints(cursor, table)
    return [name for name, c in found.items()
            if c["columns"] == [column] and c["index"] and not c["unique"] and not c["primary_key"]]


def drop(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        for table, columns in DROPPED.items():
            for column in columns:
                for name in _single_column_indexes(conn, cursor, table, column):
                    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        for table, columns in DROPPED.items():
            for column in columns:
                if not _single_column_indexes(conn, cursor, table, column):
                    name = schema_editor._create_index_name(table, [column])
                    schema_editor.execute(f"CREATE INDEX {schema_editor.quote_name(name)} ON "
                                          f"{schema_editor.quote_name(table)} ({schema_editor.quote_name(column)})")


class Migration(migrations.Migration):

    dependencies = [
        ("backoffice", "0007_list_indexes"),
        ("enrolment", "0009_bulk_action_job"),
        ("projects", "0005_help_text_without_rule_number"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, create, elidable=False)],
            state_operations=[
                migrations.AlterField(
                    model_name="enrolment", name="status",
                    field=django_fsm.FSMField(
                        choices=[("applied", "Applied"), ("recommended", "Recommended"), ("selected", "Selected"),
                                 ("reserve", "Reserve"), ("publicised", "Publicised"), ("enrolled", "Enrolled"),
                                 ("in_training", "In training"), ("completed", "Completed"),
                                 ("not_completed", "Not completed"), ("dismissed", "Dismissed"),
                                 ("no_show", "No-show"), ("withdrawn", "Withdrawn"), ("rejected", "Rejected")],
                        default="applied", max_length=50, protected=True, verbose_name="status"),
                ),
                migrations.AlterField(
                    model_name="enrolment", name="project",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="enrolments", to="projects.project", verbose_name="project"),
                ),
                migrations.AlterField(
                    model_name="enrolment", name="teacher",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="enrolments", to="backoffice.teacher", verbose_name="teacher"),
                ),
                migrations.AlterField(
                    model_name="enrolment", name="institution",
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True,
                                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                            to="backoffice.organisation", verbose_name="training institution"),
                ),
                migrations.AlterField(
                    model_name="outcome", name="project",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to="projects.project", verbose_name="project"),
                ),
                migrations.AlterField(
                    model_name="outcome", name="scheme",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to="enrolment.completionscheme",
                                            verbose_name="scheme version"),
                ),
                migrations.AlterField(
                    model_name="outcome", name="confirmed_by",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                            to=settings.AUTH_USER_MODEL, verbose_name="confirmed by"),
                ),
                migrations.AlterField(
                    model_name="outcome", name="audited_by",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                            to=settings.AUTH_USER_MODEL, verbose_name="audited by"),
                ),
            ],
        ),
    ]
