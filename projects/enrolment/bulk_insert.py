"""The import's set-based writes (issue 13): plain tuples inserted in one statement per backend (COPY on
PostgreSQL), and on PostgreSQL the whole file through a temporary table in one INSERT ... SELECT."""
import json

from django.db import connection
from django.db.models.expressions import RawSQL

from backoffice.models import Teacher

from .models import Enrolment, EnrolmentStatus


def values_in(field_name: str, values: list[str]):
    """`field IN (one bound parameter)`: a whole file's keys in one query on SQLite and PostgreSQL, without
    hitting their limits on the number of bound parameters."""
    payload = json.dumps(values)
    if connection.vendor == "postgresql":
        return {f"{field_name}__in": RawSQL("SELECT jsonb_array_elements_text(%s::jsonb)", [payload])}
    return {f"{field_name}__in": RawSQL("SELECT value FROM json_each(%s)", [payload])}



TEACHER_COLUMNS = ["id_number", "name", "school_id", "region_id", "stage", "subject", "post", "title",
                   "teaching_since", "is_rural", "is_priority_county", "phone", "created_at"]


def fast_insert(model, columns: list[str], rows: list[tuple], *, datetime_columns=frozenset()) -> None:
    """Insert plain tuples in one statement per backend: COPY on PostgreSQL, executemany on SQLite.

    The ORM's bulk_create spends most of its time preparing each value and, on SQLite, splits the rows into
    batches of ~60 to respect the bound-parameter limit; 100,000 rows need neither."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:  # psycopg's write_row is C-accelerated; measured faster than building text
                    copy.write_row(row)
            return
        positions = [i for i, c in enumerate(columns) if c in datetime_columns]
        if positions:
            adapt = connection.ops.adapt_datetimefield_value
            cache = {}

            def convert(row):
                row = list(row)
                for i in positions:
                    value = row[i]
                    if value not in cache:
                        cache[value] = adapt(value)
                    row[i] = cache[value]
                return row

            rows = [convert(r) for r in rows]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


_TEMP_COLUMNS = ("ord int, teacher_id bigint, id_number varchar(18), name varchar(64), school_id bigint, "
                 "region_id bigint, stage varchar(16), subject varchar(16), post varchar(16), title varchar(16), "
                 "teaching_since smallint, is_rural boolean, is_priority_county boolean, phone varchar(32)")


def write_through_temp_table(*, actor, project, plan, nominated_by: str, now) -> int:
    """PostgreSQL (issue 13): the file's rows cross the wire once, COPYed into a temporary table without indexes;
    the server then inserts the new registry rows, their creation history (R3) and the applications (R32) in one
    statement (INSERT ... SELECT with data-modifying CTEs), so no id look-up comes back to Python. Applications
    are inserted in file order, so the primary key breaks the submission-time tie in that order. Returns the
    number of applications created."""
    fields = ", ".join(TEACHER_COLUMNS[:-1])  # without created_at
    teacher, history = Teacher._meta.db_table, Teacher.history.model._meta.db_table
    apply = project is not None
    with connection.cursor() as cursor:
        # Dropped at the end too: inside an outer transaction (a test, a nested atomic) no commit drops it.
        cursor.execute("DROP TABLE IF EXISTS import_rows")
        cursor.execute(f"CREATE TEMP TABLE import_rows ({_TEMP_COLUMNS}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY import_rows (ord, teacher_id, {fields}) FROM STDIN") as copy:
            for index, values in plan.new:
                copy.write_row((index, None) + values)
            if apply:
                for index, pk in plan.apply_pks_by_row:
                    if pk not in plan.already_applied:
                        copy.write_row((index, pk) + (None,) * len(TEACHER_COLUMNS[:-1]))
        new_rows = (f"INSERT INTO {teacher} ({fields}, created_at, updated_at) "
                    f"SELECT {fields}, %(now)s, %(now)s FROM import_rows WHERE teacher_id IS NULL ORDER BY ord "
                    f"RETURNING id, {fields}, created_at")
        new_history = (f"INSERT INTO {history} (id, {fields}, created_at, history_date, history_change_reason, "
                       f"history_type, history_user_id) SELECT id, {fields}, created_at, %(now)s, 'import', '+', "
                       f"%(user)s FROM new")
        params = {"now": now, "user": actor.pk}
        if not apply:
            cursor.execute(f"WITH new AS ({new_rows}) {new_history}", params)
            cursor.execute("DROP TABLE import_rows")
            return 0
        cursor.execute(
            f"WITH new AS ({new_rows}), history AS ({new_history}) "
            f"INSERT INTO {Enrolment._meta.db_table} (project_id, teacher_id, status, nominated_by, applied_by_id, "
            f"submitted_at, reject_rule, reject_reason, withdraw_reason, outcome_reason) "
            f"SELECT %(project)s, COALESCE(r.teacher_id, new.id), %(status)s, %(nominated_by)s, %(user)s, %(now)s, "
            f"'', '', '', '' FROM import_rows r LEFT JOIN new ON r.teacher_id IS NULL AND new.id_number = r.id_number "
            f"ORDER BY r.ord",
            dict(params, project=project.pk, status=EnrolmentStatus.APPLIED, nominated_by=nominated_by))
        created = cursor.rowcount
        cursor.execute("DROP TABLE import_rows")
        return created


def insert_teachers(teachers: list[tuple], *, actor, now) -> dict[str, int]:
    """New registry rows (tuples in TEACHER_COLUMNS order, without created_at) and their creation history (R3).
    Returns {id_number: pk} of the new rows."""
    rows = [t + (now,) for t in teachers]
    fast_insert(Teacher, TEACHER_COLUMNS + ["updated_at"], [r + (now,) for r in rows],
                datetime_columns={"created_at", "updated_at"})
    pks = dict(Teacher.objects.filter(**values_in("id_number", [t[0] for t in teachers]))
               .values_list("id_number", "pk"))
    history = Teacher.history.model
    fast_insert(history, ["id"] + TEACHER_COLUMNS + ["history_date", "history_change_reason", "history_type",
                                                      "history_user_id"],
                [(pks[r[0]],) + r + (now, "import", "+", actor.pk) for r in rows],
                datetime_columns={"created_at", "history_date"})
    return pks


def write_by_copy(*, actor, project, plan, nominated_by: str, now) -> int:
    """PostgreSQL (issue 13): each table is written the way the floor writes it, one COPY each - the new registry
    rows, their creation history (R3), the applications (R32) - with the new rows' keys drawn from the registry's
    own sequence first, so no key comes back row by row. Applications are COPYed in file order, so the primary
    key breaks the submission-time tie in that order. Returns the number of applications created."""
    teacher, history = Teacher._meta.db_table, Teacher.history.model._meta.db_table
    columns = ", ".join(TEACHER_COLUMNS)
    with connection.cursor() as cursor:
        keys = []
        if plan.new:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [teacher, len(plan.new)])
            keys = sorted(pk for (pk,) in cursor.fetchall())
            with cursor.cursor.copy(f"COPY {teacher} (id, {columns}, updated_at) FROM STDIN") as copy:
                for pk, (_i, values) in zip(keys, plan.new):
                    copy.write_row((pk, *values, now, now))
            with cursor.cursor.copy(f"COPY {history} (id, {columns}, history_date, history_change_reason, "
                                    f"history_type, history_user_id) FROM STDIN") as copy:
                for pk, (_i, values) in zip(keys, plan.new):
                    copy.write_row((pk, *values, now, now, "import", "+", actor.pk))
        if project is None:
            return 0
        wanted = sorted(plan.apply_pks_by_row + [(i, pk) for pk, (i, _v) in zip(keys, plan.new)])
        created = 0
        with cursor.cursor.copy(f"COPY {Enrolment._meta.db_table} (project_id, teacher_id, status, nominated_by, "
                                f"applied_by_id, submitted_at, reject_rule, reject_reason, withdraw_reason, "
                                f"outcome_reason) FROM STDIN") as copy:
            for _i, pk in wanted:
                if pk not in plan.already_applied:
                    copy.write_row((project.pk, pk, EnrolmentStatus.APPLIED, nominated_by, actor.pk, now, "", "",
                                    "", ""))
                    created += 1
        return created
