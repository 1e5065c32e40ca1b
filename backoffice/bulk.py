"""Set-based writes shared by the apps: new rows made from a SELECT, in one statement, whatever their number."""
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import F
from django.utils import timezone


def _constant_columns(model, *, key: str, given: dict, conn, now) -> list[tuple]:
    """(column, db type, value) for every column of `model` but `key`: `given` values (by field name), the
    model's defaults elsewhere (so a column added later needs no change in the callers)."""
    columns = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name == key:
            continue
        if f.name not in given and f.has_db_default():
            continue  # the database fills it (e.g. the enrolment's list keys, by their trigger)
        if f.name in given:
            value = given[f.name]
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default() or f.null or (f.blank and f.empty_strings_allowed):
            value = f.get_default()
        else:
            raise ImproperlyConfigured(f"{model.__name__}.{f.name} has no default; it cannot be filled in bulk.")
        if hasattr(value, "pk") and f.is_relation:
            value = value.pk
        columns.append((f.column, f.db_type(conn), f.get_db_prep_save(value, conn)))
    return columns


def insert_select(model, *, key: str, select, given: dict, now=None, skip_existing: bool = False) -> int:
    """INSERT one row of `model` per row of the queryset `select`: its primary key goes into the field `key`
    (a foreign key, e.g. the teacher of a new enrolment), the other columns take `given` or their defaults.
    One INSERT ... SELECT on every database; returns the number of rows written. With `skip_existing` a row that
    a unique constraint already holds is left alone (ON CONFLICT DO NOTHING: checked by the index, row by row,
    instead of a join against the whole table)."""
    conn = connections[select.db]
    columns = _constant_columns(model, key=key, given=given, conn=conn, now=now or timezone.now())
    select_sql, select_params = select.annotate(chosen_id=F("pk")).values("chosen_id").order_by().query.sql_with_params()
    qn = conn.ops.quote_name
    # PostgreSQL needs typed literals in INSERT ... SELECT; SQLite's CAST would turn a timestamp into a number.
    cast = (lambda t: f"CAST(%s AS {t})") if conn.vendor == "postgresql" else (lambda t: "%s")
    key_column = model._meta.get_field(key).column
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c, _t, _v in columns)}, {qn(key_column)}) "
           f"SELECT {', '.join(cast(t) for _c, t, _v in columns)}, chosen.chosen_id FROM ({select_sql}) AS chosen")
    if skip_existing:
        sql += " WHERE true ON CONFLICT DO NOTHING"  # WHERE: SQLite would read ON as a join's
    with conn.cursor() as cursor:
        cursor.execute(sql, [v for _c, _t, v in columns] + list(select_params))
        return cursor.rowcount


def analyze(*models) -> None:
    """Refresh PostgreSQL's statistics of tables a bulk step has just grown or reshaped (200,000 new outcomes),
    so the next step's plan does not take them for empty (a nested loop over a table thought to hold one row is
    quadratic). Allowed inside the transaction; it reads a sample, so it costs a fraction of a second."""
    for model in models:
        conn = connections[model.objects.db]
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                cursor.execute(f"ANALYZE {conn.ops.quote_name(model._meta.db_table)}")
