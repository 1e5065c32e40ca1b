"""Writing and reading the audit trail (R3)."""
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from backoffice.middleware import current_ip
from backoffice.models import AuditAction, AuditEvent


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def audit_region_code(obj) -> str:
    getter = getattr(obj, "audit_region_code", None)
    if callable(getter):
        return getter() or ""
    region = getattr(obj, "region", None)
    return getattr(region, "code", "") or ""


def audit_event(
    *, obj, actor, action: str, transition: str = "", from_state: str = "", to_state: str = "",
    reason: str = "", changes: dict | None = None, region_code: str | None = None,
) -> AuditEvent:
    """One unsaved event, for `audit_record` and for callers that bulk_create many."""
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(str(actor) if actor is not None else "系统") [:128],
        ip_address=current_ip(),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        region_code=audit_region_code(obj) if region_code is None else region_code,
        action=action,
        transition=transition,
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        reason=reason or "",
        changes={k: [_plain(a), _plain(b)] for k, (a, b) in (changes or {}).items()},
    )


def audit_record(**kwargs) -> AuditEvent:
    """Append one event. Call it inside the transaction that makes the change, so a refused change leaves none.
    Arguments as `audit_event`."""
    event = audit_event(**kwargs)
    event.save()
    return event


def diff_fields(before: dict, after: dict) -> dict:
    return {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}


def timeline_for(obj):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor").order_by("at", "id")


def with_labels(events):
    """A page of audit events of any models, each with `from_state_label`, `to_state_label` and
    `transition_label` in the reader's language (the stored values are the workflow's code names)."""
    cache = {}
    events = list(events)
    for e in events:
        if e.content_type_id not in cache:
            cache[e.content_type_id] = _workflow_labels(e.content_type.model_class())
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
