"""Writing and reading the audit trail (R3)."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone

from backoffice.middleware import current_ip
from backoffice.models import AuditEvent
from backoffice.models.recorded import audit_region_code, audit_region_lookup


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def audit_record(
    *, obj, actor, action: str, transition: str = "", from_state: str = "", to_state: str = "",
    reason: str = "", changes: dict | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction that makes the change, so a refused change leaves none."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(str(actor) if actor is not None else "系统") [:128],
        ip_address=current_ip(),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        region_code=audit_region_code(obj),
        action=action,
        transition=transition,
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        reason=reason or "",
        changes={k: [_plain(a), _plain(b)] for k, (a, b) in (changes or {}).items()},
    )


@dataclass
class Entry:
    """One event of a set-based change: the object's key, how it reads, where it is, and what moved."""

    pk: object
    repr: str
    region_code: str = ""
    from_state: str = ""
    to_state: str = ""
    reason: str = ""
    changes: dict = field(default_factory=dict)


def audit_record_many(entries, *, model, actor, action: str, transition: str = "", batch_size: int = 2000) -> int:
    """The set-based twin of `audit_record`: one INSERT per batch for many objects of `model`, same columns.
    Call it inside the transaction that makes the change (R3)."""
    entries = list(entries)
    if not entries:
        return 0
    ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
    ip, now = current_ip(), timezone.now()
    actor_name = (str(actor) if actor is not None else "系统")[:128]
    if connections[AuditEvent.objects.db].vendor == "postgresql" and len(entries) > batch_size:
        # Large batches (a city's 200,000 trainees) go through COPY: the ORM's per-field preparation would cost
        # about a millisecond per row.
        _copy_events(entries, ct=ct, ip=ip, now=now, actor=actor, actor_name=actor_name, action=action,
                     transition=transition)
        return len(entries)
    AuditEvent.objects.bulk_create([
        AuditEvent(actor=actor if getattr(actor, "pk", None) else None, actor_name=actor_name, ip_address=ip,
                   content_type=ct, object_id=str(e.pk), object_repr=str(e.repr)[:255], region_code=e.region_code or "",
                   action=action, transition=transition, from_state=str(e.from_state or ""),
                   to_state=str(e.to_state or ""), reason=e.reason or "", at=now,
                   changes={k: [_plain(a), _plain(b)] for k, (a, b) in e.changes.items()})
        for e in entries], batch_size=batch_size)
    return len(entries)


def _copy_events(entries, *, ct, ip, now, actor, actor_name, action, transition):
    import json

    values = {"at": now, "actor_id": getattr(actor, "pk", None), "actor_name": actor_name, "ip_address": ip,
              "content_type_id": ct.pk, "action": action, "transition": transition}
    per_entry = ("object_id", "object_repr", "region_code", "from_state", "to_state", "reason", "changes")
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if f.attname not in values and f.attname not in per_entry:
            values[f.attname] = f.get_default()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(AuditEvent._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for e in entries:
            row = dict(values, object_id=str(e.pk), object_repr=str(e.repr)[:255], region_code=e.region_code or "",
                       from_state=str(e.from_state or ""), to_state=str(e.to_state or ""), reason=e.reason or "",
                       changes=json.dumps({k: [_plain(a), _plain(b)] for k, (a, b) in e.changes.items()},
                                          ensure_ascii=False))
            copy.write_row([row[n] for n in names])


def audit_record_query(queryset, *, actor, action: str, transition: str = "", state_field: str = "",
                       to_state: str = "", targets: dict | None = None, reason: str = "", reasons: dict | None = None,
                       changes: dict | None = None, repr_fields=None) -> int:
    """One audit event per row of `queryset`, the rows read by the database itself (R3): the set-based twin of
    `audit_record` for a whole project's trainees. Call it inside the transaction that makes the change.

    Each event names the row's `repr_fields` (default: the model's `bulk_repr`) joined by " · " and is filed
    under its `audit_region`. `state_field` names the column read as `from_state` (read it before the UPDATE
    that moves the rows); `to_state` is one state for all rows or `targets` maps each from-state to its
    target. `reasons` ({pk: text}) overrides `reason` per row; `changes` is the same for every row.
    On PostgreSQL one INSERT ... SELECT (no row passes through Python); elsewhere the rows are read in chunks
    and written by `audit_record_many`."""
    model = queryset.model
    repr_fields = tuple(repr_fields if repr_fields is not None else getattr(model, "bulk_repr", ()))
    region = audit_region_lookup(model)
    reasons = {pk: text or "" for pk, text in (reasons or {}).items()}
    changes = {k: [_plain(a), _plain(b)] for k, (a, b) in (changes or {}).items()}
    read = ("pk", region, *((state_field,) if state_field else ()), *repr_fields)
    qs = queryset.order_by().values_list(*read)
    if connections[queryset.db].vendor != "postgresql":
        def entries():
            for row in qs.iterator(chunk_size=5000):
                state = row[2] if state_field else ""
                text = " · ".join(str(v) for v in row[2 + bool(state_field):] if v not in (None, ""))
                yield Entry(row[0], text, row[1] or "", from_state=state,
                            to_state=(targets or {}).get(state, "") if targets else to_state,
                            reason=reasons.get(row[0], reason), changes={k: tuple(v) for k, v in changes.items()})

        return audit_record_many(entries(), model=model, actor=actor, action=action, transition=transition,
                                 batch_size=5000)
    import json

    conn = connections[queryset.db]
    select_sql, select_params = qs.query.sql_with_params()
    names = [f"c{i}" for i in range(len(read))]
    state_col = "q.c2" if state_field else None
    first_repr = 2 + bool(state_field)
    qn = conn.ops.quote_name
    repr_sql = ("LEFT(CONCAT_WS(' · ', " + ", ".join(f"NULLIF(CAST(q.{n} AS text), '')" for n in names[first_repr:])
                + "), 255)") if repr_fields else "''"
    params: list = []
    if state_field and targets:
        to_sql = "CASE CAST(q.c2 AS text) " + " ".join("WHEN %s THEN %s" for _t in targets) + " ELSE '' END"
        to_params = [v for pair in targets.items() for v in map(str, pair)]
    else:
        to_sql, to_params = "%s", [str(to_state or "")]
    columns = {
        "at": ("CAST(%s AS timestamptz)", [timezone.now()]),
        "actor_id": ("%s", [getattr(actor, "pk", None)]),
        "actor_name": ("%s", [(str(actor) if actor is not None else "系统")[:128]]),
        "ip_address": ("CAST(%s AS inet)", [current_ip()]),
        "content_type_id": ("%s", [ContentType.objects.get_for_model(model, for_concrete_model=True).pk]),
        "object_id": ("CAST(q.c0 AS varchar)", []),
        "object_repr": (repr_sql, []),
        "region_code": ("COALESCE(q.c1, '')", []),
        "action": ("%s", [action]),
        "transition": ("%s", [transition]),
        "from_state": (f"COALESCE(CAST({state_col} AS text), '')" if state_col else "''", []),
        "to_state": (to_sql, to_params),
        "reason": ("COALESCE(x.reason, %s)" if reasons else "%s", [reason or ""]),
        "changes": ("CAST(%s AS jsonb)", [json.dumps(changes, ensure_ascii=False)]),
    }
    fields = {f.attname: f for f in AuditEvent._meta.concrete_fields if not f.primary_key}
    for name, f in fields.items():  # a column added later gets its default
        if name not in columns:
            columns[name] = ("%s", [f.get_db_prep_save(f.get_default(), conn)])
    join = ""
    if reasons:
        join = " LEFT JOIN unnest(%s::bigint[], %s::text[]) AS x(id, reason) ON x.id = q.c0"
    for name in fields:
        params += columns[name][1]
    sql = (f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({', '.join(qn(fields[n].column) for n in fields)}) "
           f"SELECT {', '.join(columns[n][0] for n in fields)} FROM ({select_sql}) AS q({', '.join(names)}){join}")
    params += list(select_params)
    if reasons:
        params += [list(reasons), list(reasons.values())]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def diff_fields(before: dict, after: dict) -> dict:
    return {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}


def timeline_for(obj):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor").order_by("at", "id")


def timeline(obj) -> list:
    """The object's events for a page, with state and transition names in the reader's language."""
    return with_labels(timeline_for(obj))


def with_labels(events):
    """A page of audit events of any models, each with `from_state_label`, `to_state_label` and
    `transition_label` in the reader's language (the stored values are the workflow's code names)."""
    cache = {}
    events = list(events)
    for e in events:
        if e.content_type_id not in cache:
            cache[e.content_type_id] = _workflow_labels(ContentType.objects.get_for_id(e.content_type_id).model_class())
        states, transitions = cache[e.content_type_id]
        e.from_state_label = states.get(e.from_state, e.from_state)
        e.to_state_label = states.get(e.to_state, e.to_state)
        e.transition_label = transitions.get(e.transition, "")
    return events


def _workflow_labels(model):
    from django_fsm import FSMFieldMixin

    states, transitions = {}, {}
    for f in model._meta.fields if model is not None else ():
        if isinstance(f, FSMFieldMixin):
            states.update({value: str(label) for value, label in f.flatchoices})
            for t in f.get_all_transitions(model):
                if t.custom.get("label"):
                    transitions.setdefault(t.name, str(t.custom["label"]))
    return states, transitions


def audit_search(qs, *, text: str = ""):
    if text:
        qs = qs.filter(Q(object_repr__icontains=text) | Q(actor_name__icontains=text) | Q(reason__icontains=text))
    return qs
