"""The one way a state machine moves: lock, check role/scope and guards, transition, save, log (R3).

Each workflow declares its states and transitions on its model with django-fsm; conditions are `Guard`s
(pure functions that carry a coded Chinese reason) and permissions are predicates on (user, object).
Services call `fire()`; pages call `actions_for()` to show what the user may do and why not.

`fire_many()` is the set-based twin for bulk work: the same declarations (sources, permission, guards, the
fields a transition `sets`), checked for a whole queryset at once, one UPDATE and one audit INSERT.
"""
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import FSMFieldMixin

from backoffice.audit import audit_record, audit_record_query
from backoffice.exceptions import DomainError


class Guard:
    """A transition condition that can say why it failed.

    For `fire_many` a guard also says how it is checked for many rows at once (one of):
    `group=True` - it depends only on the model's `bulk_group_by` keys and is checked once per group;
    `passes` - a function () -> Q of the rows that pass it;
    `refuses` - a function (pks in order, representative rows by pk) -> {pk: message} for what needs an ordering
    or a computation across rows (places left, eligibility)."""

    def __init__(self, func, code: str, message, *, group: bool = False, passes=None, refuses=None):
        self.func, self.code, self.message = func, code, message
        self.group, self.passes, self.refuses = group, passes, refuses
        self.__name__ = func.__name__

    def set_based(self, func):
        """Declare the `refuses` form of this guard (decorator)."""
        self.refuses = func
        return func

    def __call__(self, instance) -> bool:
        return bool(self.func(instance))

    def explain(self, instance) -> str:
        message = self.message(instance) if callable(self.message) else self.message
        return str(message)


def guard(code: str, message, *, group: bool = False, passes=None):
    def wrap(func):
        return Guard(func, code, message, group=group, passes=passes)

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
    _method, meta = _meta(instance, name)
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
        if trans.custom.get("sets"):
            for name_, value in trans.custom["sets"](actor=actor, reason=reason, now=timezone.now(), **kwargs).items():
                setattr(instance, name_, value)
        method(actor=actor, reason=reason, **kwargs)
        instance.save()
        audit_record(
            obj=instance, actor=actor, action="transition", transition=name,
            from_state=from_state, to_state=_state(instance, meta), reason=reason, changes=changes,
        )
    return instance


# -- many rows at once --------------------------------------------------------------------------------------
@dataclass
class BulkResult:
    """What `fire_many` did: the rows moved (in order) and, for each refused row, why [(code, message)]."""

    done: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)
    label: str = ""

    def refuse(self, pk, code, message):
        self.refused.setdefault(pk, []).append((code, str(message)))


def _transitions_named(model, name):
    fsm_field = next(f for f in model._meta.fields if isinstance(f, FSMFieldMixin))
    found = [t for t in fsm_field.get_all_transitions(model) if t.name == name]
    if not found:
        raise ValueError(f"{name} is not a transition of {model.__name__}")
    return fsm_field, found


def _bulk_ready(model, name, trans):
    if "sets" not in trans.custom:
        raise ImproperlyConfigured(f"{model.__name__}.{name} declares no `sets`; it cannot be fired in bulk.")
    for cond in trans.conditions:
        if not isinstance(cond, Guard) or not (cond.group or cond.passes or cond.refuses):
            raise ImproperlyConfigured(
                f"{model.__name__}.{name}: condition {getattr(cond, '__name__', cond)} has no set-based form.")


def pk_chunks(model, pks, size: int = 5000, short: int = 1000):
    """Querysets over the rows `pks`: up to `short` keys one IN list; more, on PostgreSQL one query passing the
    keys as a single array parameter, elsewhere chunks of `size` under the bind-parameter limit."""
    from django.db import connections
    from django.db.models.expressions import RawSQL

    pks = list(pks)
    if connections[model.objects.db].vendor == "postgresql" and len(pks) > short:
        # A short list stays a plain IN (...): the planner then knows its length; with an array it guessed
        # hundreds of rows and read every enrolment of the table to join a few group representatives.
        yield model.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (pks,)))
        return
    for i in range(0, len(pks), size):
        yield model.objects.filter(pk__in=pks[i:i + size])


def fire_many(model, queryset, *, name: str, actor, reason: str = "", reasons: dict | None = None,
              order_by=None, all_or_nothing: bool = False, dry_run: bool = False, **kwargs) -> BulkResult:
    """Run transition `name` on every row of `queryset` for `actor`: the set-based twin of `fire`.

    The caller passes a queryset already limited to the actor's scope (a selector). Each row is checked against
    the transition's sources; the permission and the `group` guards are evaluated once per group of rows that
    share the model's `bulk_group_by` keys (on one row of the group, loaded with `bulk_related`); `passes` and
    `refuses` guards are checked for all rows at once, in `order_by` order. The rows that pass are updated with
    the transition's `sets` in one UPDATE per transition (and one for rows with their own reason), and each gets its own audit event (R3) in one
    INSERT. `reasons` overrides the reason per row. With `all_or_nothing` any refusal writes nothing and raises
    DomainError; `dry_run` only reports. The query count does not grow with the number of rows.
    """
    fsm_field, transitions = _transitions_named(model, name)
    by_source = {}
    for t in transitions:
        _bulk_ready(model, name, t)
        by_source[t.source] = t
    label = str(transitions[0].custom.get("label", name))
    result = BulkResult(label=label)
    reason = (reason or "").strip()
    reasons = {pk: (text or "").strip() for pk, text in (reasons or {}).items()}
    with transaction.atomic():
        rows = _BulkRows.read(model, queryset, fsm_field, order_by)

        def trans_of(pk):
            return by_source.get(rows.states[pk]) or by_source.get("*")

        _refuse_by_state(rows, trans_of, fsm_field, label, reason, reasons, result)
        _refuse_by_group(rows, trans_of, actor, label, result)
        _refuse_set_based(rows, transitions, trans_of, queryset, result)
        result.done = [pk for pk in rows.states if pk not in result.refused]
        if all_or_nothing and result.refused:
            raise DomainError("bulk_refused", _("%(count)s of the %(total)s rows cannot be processed; nothing was done.")
                              % {"count": len(result.refused), "total": len(rows.states)},
                              errors=[(pk, found) for pk, found in result.refused.items()])
        if dry_run or not result.done:
            return result
        _write_many(model, fsm_field, result.done, rows.states, trans_of, actor=actor, name=name, reason=reason,
                    reasons=reasons, kwargs=kwargs)
    return result


@dataclass
class _BulkRows:
    """The rows of one `fire_many`, read once under lock: each row's state, and the groups
    (rows sharing the model's `bulk_group_by` keys) with the representative that answers for each."""

    states: dict
    groups: dict
    group_of: dict

    @classmethod
    def read(cls, model, queryset, fsm_field, order_by):
        # Only the keys, the state and the group come to Python; the audit rows read names and regions in SQL.
        group_by = tuple(getattr(model, "bulk_group_by", ()))
        rows = queryset.select_for_update(of=("self",)).order_by(*(order_by or ("pk",))).values_list(
            "pk", fsm_field.attname, *group_by)
        states, groups = {}, {}
        for row in rows:
            states[row[0]] = row[1]
            groups.setdefault(row[2:], []).append(row[0])
        # A representative of each group answers the permission and the group guards for all of it.
        related = tuple(getattr(model, "bulk_related", ()))
        reps = {obj.pk: obj for part in pk_chunks(model, [pks[0] for pks in groups.values()])
                for obj in part.select_related(*related)}
        group_of = {pk: reps[pks[0]] for pks in groups.values() for pk in pks}
        return cls(states, groups, group_of)


def _refuse_by_state(rows, trans_of, fsm_field, label, reason, reasons, result):
    """Rows in a state the transition does not leave, and rows missing a required reason."""
    for pk, state in rows.states.items():
        trans = trans_of(pk)
        if trans is None:
            result.refuse(pk, "transition_not_allowed", _(
                "“%(action)s” is not possible while the status is “%(state)s”.") % {
                "action": label, "state": dict(fsm_field.flatchoices).get(state, state)})
        elif trans.custom.get("reason_required") and not reasons.get(pk, reason):
            result.refuse(pk, "reason_required", _("A reason is required for “%(action)s”.") % {"action": label})


def _refuse_by_group(rows, trans_of, actor, label, result):
    """The permission and the `group` guards, asked of each group's representative for the whole group."""
    for pks in rows.groups.values():
        rep = rows.group_of[pks[0]]
        for t in {id(t): t for t in map(trans_of, pks) if t is not None}.values():
            found = []
            if actor is None or not t.has_perm(rep, actor):
                found.append(("transition_forbidden", _("Your role or region does not allow “%(action)s” here.")
                              % {"action": label}))
            found += [(c.code, c.explain(rep)) for c in t.conditions if c.group and not c(rep)]
            for pk in pks:
                if found and trans_of(pk) is t:
                    for code, message in found:
                        result.refuse(pk, code, message)


def _refuse_set_based(rows, transitions, trans_of, queryset, result):
    """`passes` guards as one query each, then `refuses` guards over the rows still standing, in order."""
    live = [pk for pk in rows.states if pk not in result.refused]
    for t in {id(t): t for t in transitions}.values():
        mine = [pk for pk in live if trans_of(pk) is t]
        for cond in t.conditions:
            if cond.passes and mine:
                passing = set(queryset.filter(cond.passes()).values_list("pk", flat=True))
                for pk in mine:
                    if pk not in passing:
                        result.refuse(pk, cond.code, cond.explain(rows.group_of[pk]))
                mine = [pk for pk in mine if pk in passing]
        for cond in t.conditions:
            if cond.refuses and mine:
                for pk, message in cond.refuses(mine, rows.group_of).items():
                    result.refuse(pk, cond.code, message)
                mine = [pk for pk in mine if pk not in result.refused]


class _Reason(str):
    """A stand-in reason, to tell which of a transition's `sets` are the reason itself."""


def _split_sets(t, *, actor, now, reason, kwargs):
    """The transition's `sets` for `reason`, and the fields that hold the row's own reason verbatim (set per row
    in one statement); None when a field depends on the reason some other way (then one UPDATE per reason)."""
    values = t.custom["sets"](actor=actor, reason=reason, now=now, **kwargs)
    a, b = _Reason("\x00a"), _Reason("\x00b")
    with_a = t.custom["sets"](actor=actor, reason=a, now=now, **kwargs)
    with_b = t.custom["sets"](actor=actor, reason=b, now=now, **kwargs)
    verbatim = []
    for key in with_a:
        if with_a[key] is a and with_b.get(key) is b:
            verbatim.append(key)
        elif with_a[key] != with_b.get(key):
            return values, None
    return values, verbatim


def _write_many(model, fsm_field, done, states, trans_of, *, actor, name, reason, reasons, kwargs):
    """Audit rows (R3) and UPDATEs for the rows that passed: the events first, reading each row's from-state,
    then one UPDATE per transition, and one more for the rows with their own reason."""
    from django.db import connections

    now = timezone.now()
    auto_now = {f.attname: now for f in model._meta.fields if getattr(f, "auto_now", False)}
    by_trans: dict[int, tuple] = {}
    for pk in done:
        t = trans_of(pk)
        by_trans.setdefault(id(t), (t, []))[1].append(pk)
    targets = {state: trans_of(pk).target for pk, state in ((pk, states[pk]) for pk in done)}
    own = {pk: reasons[pk] for pk in done if pk in reasons and reasons[pk] != reason}
    for part in pk_chunks(model, done):
        audit_record_query(part, actor=actor, action="transition", transition=name, state_field=fsm_field.attname,
                           targets=targets, reason=reason, reasons={pk: own[pk] for pk in own})
    vendor = connections[model.objects.db].vendor
    for t, pks in by_trans.values():
        values, verbatim = _split_sets(t, actor=actor, now=now, reason=reason, kwargs=kwargs)
        values = {**values, **auto_now, fsm_field.attname: t.target}
        mine = [pk for pk in pks if pk in own]
        if verbatim is None:  # a field built from the reason: one UPDATE per distinct reason
            rest = [pk for pk in pks if pk not in own]
            by_text: dict[str, list] = {}
            for pk in mine:
                by_text.setdefault(own[pk], []).append(pk)
            for text, group in ((reason, rest), *by_text.items()):
                text_values = {**t.custom["sets"](actor=actor, reason=text, now=now, **kwargs), **auto_now,
                               fsm_field.attname: t.target}
                for part in pk_chunks(model, group):
                    part.update(**text_values)
            continue
        for part in pk_chunks(model, pks):
            part.update(**values)
        if not mine or not verbatim:
            continue
        if vendor == "postgresql":
            qn = connections[model.objects.db].ops.quote_name
            columns = [model._meta.get_field(key).column for key in verbatim]
            with connections[model.objects.db].cursor() as cursor:
                cursor.execute(
                    f"UPDATE {qn(model._meta.db_table)} AS m SET {', '.join(f'{qn(c)} = x.reason' for c in columns)} "
                    f"FROM unnest(%s::bigint[], %s::text[]) AS x(id, reason) WHERE m.{qn(model._meta.pk.column)} = x.id",
                    [mine, [own[pk] for pk in mine]])
        else:
            by_text = {}
            for pk in mine:
                by_text.setdefault(own[pk], []).append(pk)
            for text, group in by_text.items():
                for part in pk_chunks(model, group):
                    part.update(**dict.fromkeys(verbatim, text))
