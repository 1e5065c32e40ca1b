"""The applicant import's column pass (issue 13): each column's distinct cells checked once, as the row checks of
`imports._parse_row` and `imports._check_id_number` would check them; rows holding a doubt go to those checks."""
from backoffice.identity import id_number_error, normalise_id_number
from backoffice.spreadsheets import NumberInTextColumn, cell_date, cell_text

_BAD = object()  # a cell the column pass leaves to the row-by-row checks


def columns_converted(body, plan, today) -> tuple[list, set]:
    """Per column (plan order), each row's value as `_parse_row` and `_check_id_number` would accept it, or _BAD
    (None for an empty optional cell); and the offsets of the rows holding a _BAD."""
    out, refused = [], set()
    for key, i, required, lookup, col in plan:
        def convert(raw, key=key, required=required, lookup=lookup, col=col):
            try:
                text = cell_text(raw, text_only=col.text_only)
            except NumberInTextColumn:
                return _BAD
            if not text:
                return _BAD if required else None
            if lookup is not None:
                value = lookup.get(text)
                return _BAD if value is None else value
            if key == "started_on":
                value = cell_date(raw)
                return _BAD if value is None or value > today else value
            if key == "id_number":
                number = normalise_id_number(text)
                return _BAD if id_number_error(number, today=today) else number
            return text

        cells = [row[i] for row in body]
        try:
            distinct = set(cells)
        except TypeError:  # an unhashable cell (not from a sheet): every row is checked on its own
            distinct = None
        if distinct is None or any(value.__class__ is bool for value in distinct):
            # True == 1 == 1.0 share one set entry but are read differently: no memo for this column.
            values = [_BAD if distinct is None else convert(value) for value in cells]
            some_bad = any(value is _BAD for value in values)
        else:
            memo = {value: convert(value) for value in distinct}
            values = list(map(memo.__getitem__, cells))
            some_bad = any(value is _BAD for value in memo.values())
        if some_bad:
            refused.update(offset for offset, value in enumerate(values) if value is _BAD)
        out.append(values)
    return out, refused
