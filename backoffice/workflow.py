"""The one way a state machine moves: lock, check role/scope and guards, transition, save, log (R3).

Each workflow declares its states and transitions on its model with django-fsm; conditions are `Guard`s
(pure functions that carry a coded Chinese reason) and permissions are predicates on (user, object).
Services call `fire()`; pages call `actions_for()` to show what the user may do and why not.
"""
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import FSMFieldMixin

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError


class Guard:
    """A transition condition that can say why it failed."""

    def __init__(self, func, code: str, message):
        self.func, self.code, self.message = func, code, message
        self.__name__ = func.__name__

    def __call__(self, instance) -> bool:
        return bool(self.func(instance))

    def explain(self, instance) -> str:
        message = self.message(instance) if callable(self.message) else self.message
        return str(message)


def guard(code: str, message):
    def wrap(func):
        return Guard(func, code, message)

    return wrap


def permission(predicate):
    """Adapt a `rules` predicate (user, obj) to django-fsm's permission(instance, user)."""

    def check(instance, user):
        return bool(predicate.test(user, instance) if hasattr(predicate, "test") else predicate(user, instance))

    check.predicate = predicate
    return check


@dataclass
class Action:
    name: str
    label: str
    allowed: bool
    reason_required: bool = False
    refusals: list = field(default_factory=list)  # [(code, message)]
    css: str = ""
    confirm: str = ""


def _meta(instance, name):
    method = getattr(instance, name)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise ValueError(f"{name} is not a transition")
    return method, meta


def _state(instance, meta):
    return meta.field.get_state(instance)


def refusals(instance, name: str, user) -> list[tuple[str, str]]:
    """Why `user` may not fire `name` on `instance` now; empty when they may."""
    method, meta = _meta(instance, name)
    state = _state(instance, meta)
    trans = meta.get_transition(state)
    if trans is None:
        label = _label(trans, name, meta)
        return [("transition_not_allowed", _("“%(action)s” is not possible while the status is “%(state)s”.") % {
            "action": label, "state": _state_label(instance, meta, state)})]
    found = []
    # Role and scope only: django_fsm.has_transition_perm also evaluates the conditions, which would report
    # every failed guard as "forbidden" and hide its own coded reason.
    if user is None or not meta.has_transition_perm(instance, state, user):
        found.append(("transition_forbidden", _("Your role or region does not allow “%(action)s” here.") % {
            "action": _label(trans, name, meta)}))
    for cond in trans.conditions:
        if not cond(instance):
            code = getattr(cond, "code", "guard_failed")
            text = cond.explain(instance) if isinstance(cond, Guard) else _("A condition is not met.")
            found.append((code, text))
    return found


def _label(trans, name, meta):
    if trans is None:
        for t in meta.transitions.values():
            if t.custom.get("label"):
                return str(t.custom["label"])
        return name
    return str(trans.custom.get("label", name))


def _state_label(instance, meta, state):
    choices = dict(meta.field.flatchoices) if meta.field.choices else {}
    return str(choices.get(state, state))


def actions_for(instance, user, names: list[str] | None = None) -> list[Action]:
    """The transitions from the current state that the user's role and scope allow, each with whether its
    conditions hold now and, if not, why. A move the role could never take is not shown at all."""
    result = []
    fsm_field = next((f for f in instance._meta.fields if isinstance(f, FSMFieldMixin)), None)
    if fsm_field is None:
        return result
    seen = set()
    # List every declared transition from the current state, even those whose guards fail.
    state = fsm_field.get_state(instance)
    for trans in fsm_field.get_all_transitions(instance.__class__):
        if trans.name in seen or (names and trans.name not in names):
            continue
        if trans.source not in (state, "*", "+") or (trans.source == "+" and state == trans.target):
            continue
        if trans.custom.get("hidden"):
            continue
        seen.add(trans.name)
        found = refusals(instance, trans.name, user)
        if any(code == "transition_forbidden" for code, _msg in found):
            continue
        result.append(Action(
            name=trans.name, label=str(trans.custom.get("label", trans.name)), allowed=not found,
            reason_required=bool(trans.custom.get("reason_required")), refusals=found,
            css=trans.custom.get("css", ""),
        ))
    return result


def fire(model, pk, *, name: str, actor, reason: str = "", changes: dict | None = None, **kwargs):
    """Run transition `name` on the row `pk` of `model` for `actor`, in one transaction.

    Raises DomainError with the first refusal's code; nothing is written then, not even a log row.
    """
    with transaction.atomic():
        instance = model.objects.select_for_update().get(pk=pk)
        method, meta = _meta(instance, name)
        trans = meta.get_transition(_state(instance, meta))
        reason = (reason or "").strip()
        if trans is not None and trans.custom.get("reason_required") and not reason:
            # R13: returns and cancellations always carry a reason.
            raise DomainError("reason_required", _("A reason is required for “%(action)s”.") % {
                "action": trans.custom.get("label", name)})
        found = refusals(instance, name, actor)
        if found:
            raise DomainError(found[0][0], found[0][1], errors=found)
        from_state = _state(instance, meta)
        method(actor=actor, reason=reason, **kwargs)
        instance.save()
        audit_record(
            obj=instance, actor=actor, action="transition", transition=name,
            from_state=from_state, to_state=_state(instance, meta), reason=reason, changes=changes,
        )
    return instance
