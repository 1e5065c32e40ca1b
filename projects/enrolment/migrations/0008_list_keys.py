
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The list keys follow their sources whoever writes: services, bulk_create, the importer's COPY (issue 13).
PG_INSTALL = """
CREATE OR REPLACE FUNCTION enrolment_list_keys() RETURNS trigger AS $$
BEGIN
    SELECT pl.year, p.code, p.institution_id INTO NEW.plan_year, NEW.project_code, NEW.institution_id
      FROM projects_project p JOIN projects_annualplan pl ON pl.id = p.plan_id WHERE p.id = NEW.project_id;
    SELECT r.code INTO NEW.county_code
      FROM backoffice_teacher t JOIN backoffice_region r ON r.id = t.region_id WHERE t.id = NEW.teacher_id;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER enrolment_list_keys BEFORE INSERT OR UPDATE OF project_id, teacher_id, plan_year, project_code,
    county_code, institution_id ON enrolment_enrolment FOR EACH ROW EXECUTE FUNCTION enrolment_list_keys();

CREATE OR REPLACE FUNCTION enrolment_list_keys_project() RETURNS trigger AS $$
BEGIN
    IF NEW.code IS DISTINCT FROM OLD.code OR NEW.plan_id IS DISTINCT FROM OLD.plan_id
       OR NEW.institution_id IS DISTINCT FROM OLD.institution_id THEN
        UPDATE enrolment_enrolment SET project_id = project_id WHERE project_id = NEW.id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER enrolment_list_keys_project AFTER UPDATE ON projects_project
    FOR EACH ROW EXECUTE FUNCTION enrolment_list_keys_project();

CREATE OR REPLACE FUNCTION enrolment_list_keys_plan() RETURNS trigger AS $$
BEGIN
    IF NEW.year IS DISTINCT FROM OLD.year THEN
        UPDATE enrolment_enrolment SET plan_year = NEW.year
         WHERE project_id IN (SELECT id FROM projects_project WHERE plan_id = NEW.id);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER enrolment_list_keys_plan AFTER UPDATE ON projects_annualplan
    FOR EACH ROW EXECUTE FUNCTION enrolment_list_keys_plan();

CREATE OR REPLACE FUNCTION enrolment_list_keys_teacher() RETURNS trigger AS $$
BEGIN
    IF NEW.region_id IS DISTINCT FROM OLD.region_id THEN
        UPDATE enrolment_enrolment SET teacher_id = teacher_id WHERE teacher_id = NEW.id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER enrolment_list_keys_teacher AFTER UPDATE ON backoffice_teacher
    FOR EACH ROW EXECUTE FUNCTION enrolment_list_keys_teacher();

UPDATE enrolment_enrolment e SET plan_year = pl.year, project_code = p.code, institution_id = p.institution_id,
       county_code = r.code
  FROM projects_project p, projects_annualplan pl, backoffice_teacher t, backoffice_region r
 WHERE p.id = e.project_id AND pl.id = p.plan_id AND t.id = e.teacher_id AND r.id = t.region_id;
"""
PG_REMOVE = """
DROP TRIGGER IF EXISTS enrolment_list_keys ON enrolment_enrolment;
DROP TRIGGER IF EXISTS enrolment_list_keys_project ON projects_project;
DROP TRIGGER IF EXISTS enrolment_list_keys_plan ON projects_annualplan;
DROP TRIGGER IF EXISTS enrolment_list_keys_teacher ON backoffice_teacher;
DROP FUNCTION IF EXISTS enrolment_list_keys(), enrolment_list_keys_project(), enrolment_list_keys_plan(),
    enrolment_list_keys_teacher();
"""
_SQLITE_FILL = """UPDATE enrolment_enrolment SET
    plan_year = (SELECT pl.year FROM projects_project p JOIN projects_annualplan pl ON pl.id = p.plan_id
                  WHERE p.id = enrolment_enrolment.project_id),
    project_code = (SELECT p.code FROM projects_project p WHERE p.id = enrolment_enrolment.project_id),
    institution_id = (SELECT p.institution_id FROM projects_project p WHERE p.id = enrolment_enrolment.project_id),
    county_code = (SELECT r.code FROM backoffice_teacher t JOIN backoffice_region r ON r.id = t.region_id
                    WHERE t.id = enrolment_enrolment.teacher_id)"""
# SQLite has no BEFORE trigger that can change NEW: an AFTER trigger rewrites the row (recursive triggers are off).
SQLITE_INSTALL = [
    f"CREATE TRIGGER enrolment_list_keys_insert AFTER INSERT ON enrolment_enrolment BEGIN {_SQLITE_FILL} "
    "WHERE id = NEW.id; END",
    f"CREATE TRIGGER enrolment_list_keys_update AFTER UPDATE OF project_id, teacher_id, plan_year, project_code, "
    f"county_code, institution_id ON enrolment_enrolment BEGIN {_SQLITE_FILL} WHERE id = NEW.id; END",
    f"CREATE TRIGGER enrolment_list_keys_project AFTER UPDATE OF code, plan_id, institution_id ON projects_project "
    f"BEGIN {_SQLITE_FILL} WHERE project_id = NEW.id; END",
    f"CREATE TRIGGER enrolment_list_keys_plan AFTER UPDATE OF year ON projects_annualplan "
    f"BEGIN {_SQLITE_FILL} WHERE project_id IN (SELECT id FROM projects_project WHERE plan_id = NEW.id); END",
    f"CREATE TRIGGER enrolment_list_keys_teacher AFTER UPDATE OF region_id ON backoffice_teacher "
    f"BEGIN {_SQLITE_FILL} WHERE teacher_id = NEW.id; END",
    _SQLITE_FILL,
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {name}" for name in (
    "enrolment_list_keys_insert", "enrolment_list_keys_update", "enrolment_list_keys_project",
    "enrolment_list_keys_plan", "enrolment_list_keys_teacher")]


def _run(pg, sqlite):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = [pg] if vendor == "postgresql" else sqlite if vendor == "sqlite" else []
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        # After every migration that rebuilds a table the SQLite triggers read (a rebuild renames the table
        # under them and SQLite refuses): projects and the register last changed there.
        ('backoffice', '0007_list_indexes'),
        ('enrolment', '0007_certificate_batch_parts'),
        ('projects', '0005_help_text_without_rule_number'),
        ('tendering', '0008_credited_settlement_basis'),
        ('finance', '0003_credited_settlement_basis'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='enrolment',
            name='county_code',
            field=models.CharField(blank=True, db_default='', editable=False, max_length=6, verbose_name='county code'),
        ),
        migrations.AddField(
            model_name='enrolment',
            name='institution',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='backoffice.organisation', verbose_name='training institution'),
        ),
        migrations.AddField(
            model_name='enrolment',
            name='plan_year',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True, verbose_name='plan year'),
        ),
        migrations.AddField(
            model_name='enrolment',
            name='project_code',
            field=models.CharField(blank=True, db_default='', editable=False, max_length=32, verbose_name='project code'),
        ),
        migrations.RunPython(_run(PG_INSTALL, SQLITE_INSTALL), _run(PG_REMOVE, SQLITE_REMOVE), elidable=False),
        migrations.AddIndex(
            model_name='enrolment',
            index=models.Index(fields=['-plan_year', 'county_code', 'project_code', 'submitted_at', 'id'], name='enrolment_list_all'),
        ),
        migrations.AddIndex(
            model_name='enrolment',
            index=models.Index(fields=['status', '-plan_year', 'county_code', 'project_code', 'submitted_at', 'id'], name='enrolment_list_status'),
        ),
        migrations.AddIndex(
            model_name='enrolment',
            index=models.Index(fields=['county_code', '-plan_year', 'project_code', 'submitted_at', 'id'], name='enrolment_list_county'),
        ),
        migrations.AddIndex(
            model_name='enrolment',
            index=models.Index(fields=['institution', '-plan_year', 'county_code', 'project_code', 'submitted_at', 'id'], name='enrolment_list_institution'),
        ),
    ]
