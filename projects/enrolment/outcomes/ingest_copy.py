"""Learning records on PostgreSQL (R47, issue 13): a plain CSV parsed by COPY and converted by SQL. Called by
`ingest._stage`; the converters and the classifying statement are `ingest`'s own."""
import re

from django.db import DatabaseError, connection, transaction

from .ingest import (
    INT_FIELDS,
    MAX_COUNT,
    IngestResult,
    _classify,
    _convert,
    _date,
    _int,
    _load,
    _score,
)


# -- PostgreSQL: the CSV parsed by COPY, converted by SQL -------------------------------------------------------
def _copy_raw(file) -> bool:
    """The CSV's body into lr_raw, one text column per header column, numbered in file order. False (nothing
    left behind) when COPY reads it otherwise than Python would - a blank line, a row with more or fewer
    columns than the header - so the caller converts it in Python."""
    import psycopg

    columns = ", ".join(f"c{i}" for i in range(file.width))
    data = file.csv_body.encode("utf-8")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS lr_raw")
            cursor.execute(f"CREATE TEMP TABLE lr_raw (rownum integer GENERATED ALWAYS AS IDENTITY, "
                           f"{', '.join(f'c{i} text' for i in range(file.width))}) ON COMMIT DROP")
            with cursor.cursor.copy(f"COPY lr_raw ({columns}) FROM STDIN (FORMAT csv)") as copy:
                view = memoryview(data)
                for at in range(0, len(data), 1 << 20):
                    copy.write(view[at:at + (1 << 20)])
    except (DatabaseError, psycopg.Error):  # COPY's own errors come through psycopg's cursor unwrapped
        return False
    return True


# The converters' kinds of the cells SQL converts itself.
_KINDS = {"period_start": "date", "period_end": "date", "minutes": "int", "assignments_submitted": "int",
          "assignments_passed": "int", "achievements": "int", "assessment_score": "score", "activities": "int"}
_SCORE_TEXT = re.compile(r"[0-9]{1,3}(\.[0-9]+)?")
MAX_ODD = 200  # more distinct odd cells than this: the file is converted row by row in Python instead


def _canonical(key: str, text: str) -> bool:
    """Whether PostgreSQL's cast of `text` gives exactly what the Python converters give (and they accept it)."""
    kind = _KINDS[key]
    if kind == "date":
        value = _date(text) if len(text) == 10 and text.isascii() else None
        return value is not None and value.isoformat() == text
    if kind == "int":
        value = _int(text) if text.isascii() and text.isdigit() else None
        return value is not None and (key == "minutes" or value <= MAX_COUNT)
    if not _SCORE_TEXT.fullmatch(text):
        return False
    try:
        return _score(text) is not None  # numeric(5,2) rounds half up as _score does
    except ValueError:
        return False


def _raw_source(file) -> tuple[str, list] | None:
    """A SELECT over lr_raw giving lr_in's columns plus `clean`, and its parameters; None when the file has too
    many odd cells for it. Each column's distinct cells (a few hundred in a million rows) are checked here by
    the Python converters; a column whose every distinct cell is canonical is converted by SQL's cast, which then
    gives the same value; rows holding an odd cell (spaces, 2026/03/01, 十, 101, ...) or no cell where one is
    required are not clean: `_recheck` converts them in Python."""
    present = [key for key in _KINDS if key in file.columns]
    cell = {key: f"r.c{file.columns[key]}" for key in file.columns}
    odd = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(f'GROUPING({cell[k]}), {cell[k]}' for k in present)} FROM lr_raw r "
                       f"GROUP BY GROUPING SETS ({', '.join(f'({cell[k]})' for k in present)})")
        for found in cursor.fetchall():
            for at, key in enumerate(present):
                text = found[2 * at + 1]
                if found[2 * at] == 0 and text is not None and not _canonical(key, text):
                    odd.setdefault(key, []).append(text)
    if sum(map(len, odd.values())) > MAX_ODD:
        return None
    required = ("period_start", "period_end", "minutes")
    doubts = [f"{cell[k]} IS NULL" for k in required] + [f"coalesce({cell[k]} = ANY(%s), false)" for k in odd]
    params = list(odd.values())

    def cast(key, sql_type, empty):
        if key not in cell:
            return f"CAST({empty} AS {sql_type}) AS {key}"
        value = f"{cell[key]}::{sql_type}" if empty == "NULL" else f"coalesce({cell[key]}::{sql_type}, {empty})"
        return f"CASE WHEN r.ok THEN {value} END AS {key}"

    typed = ", ".join([cast("period_start", "date", "NULL"), cast("period_end", "date", "NULL"),
                       cast("minutes", "integer", "NULL")]
                      + [cast(key, "integer", "0") for key in INT_FIELDS[1:]]
                      + [cast("assessment_score", "numeric(5,2)", "NULL")])
    cells = ", ".join(f"r.c{i}" for i in range(file.width))
    # lr_raw's rownum counts data rows from 1; the file's row number counts the header too.
    checked = (f"SELECT r.rownum, {cells}, NOT ({' OR '.join(doubts)}) AS ok FROM lr_raw r "
               f"WHERE num_nonnulls({cells}) > 0 OFFSET 0")
    select = (f"SELECT y.rownum + 1 AS rownum, y.id_number, y.period_start, y.period_end, y.minutes, "
              f"y.assignments_submitted, y.assignments_passed, y.achievements, y.assessment_score, y.activities, "
              f"coalesce(y.ok AND y.period_start <= y.period_end, false) AS clean "
              f"FROM (SELECT r.rownum, r.ok, upper({cell['id_number']}) AS id_number, {typed} FROM ({checked}) r) y")
    return select, params


def _recheck(project, source, file, result: IngestResult) -> None:
    """The rows SQL left to Python: converted by `_convert` (its errors reported), the valid ones classified
    into lr_ok like the others. A key repeated in the delivery is found afterwards for all rows at once."""
    keys = list(file.columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.rownum + 1, {', '.join(f'r.c{file.columns[k]}' for k in keys)} FROM lr_raw r "
                       f"WHERE r.rownum + 1 IN (SELECT rownum FROM lr_ok WHERE code = 'recheck') ORDER BY 1")
        found = cursor.fetchall()
    if not found:
        return
    converted = []
    for rownum, *values in found:
        rec = {key: "" if value is None else value for key, value in zip(keys, values)}
        row = _convert(dict(rec, row=rownum), rownum, result, set())
        if row is not None:
            converted.append(row)
    _load(converted)
    _classify(project, source, "SELECT * FROM lr_in", create=False)


def _mark_repeated() -> None:
    """R47: a key once per delivery. Its later rows are refused ('repeated'); one hashed pass finds whether there
    are any, and only then are they numbered."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM lr_ok WHERE code <> 'recheck' "
                       "GROUP BY id_number, period_start, period_end HAVING count(*) > 1)")
        if not cursor.fetchone()[0]:
            return
        cursor.execute("""
            UPDATE lr_ok SET code = 'repeated' FROM (
                SELECT rownum FROM (
                    SELECT rownum, row_number() OVER (PARTITION BY id_number, period_start, period_end
                                                      ORDER BY rownum) AS n
                    FROM lr_ok WHERE code <> 'recheck') w
                WHERE n > 1) d
            WHERE lr_ok.rownum = d.rownum AND lr_ok.code <> 'recheck'""")
