"""Settlement (R52, R53): statements per contract × project × county × school year, computed set-based; a
confirmed statement is never edited, a later difference becomes an adjustment entry that references it."""
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from backoffice.audit import Entry, audit_record, audit_record_many
from backoffice.exceptions import DomainError
from backoffice.models import Region
from backoffice.money import ZERO, money
from backoffice.scoping import scope_for
from backoffice.workflow import fire
from finance import calculations
from finance.models import LOCKED_STATES, Adjustment, SettlementStatement

from .common import require_finance


def contract_basis_locked(contract) -> bool:
    """R53 hook for tendering.services.contract_set_settlement_basis (registered in FinanceConfig.ready): the basis
    is fixed once a statement of the contract is confirmed. The statements are locked first, so a confirmation
    running at the same moment waits for the change (or the change waits for it)."""
    list(SettlementStatement.objects.select_for_update().filter(contract=contract).values_list("pk", flat=True))
    return SettlementStatement.objects.filter(contract=contract, status__in=LOCKED_STATES).exists()


# -- settlement (R52, R53) --------------------------------------------------------------------------------
@dataclass
class SettleResult:
    created: int = 0
    updated: int = 0
    adjusted: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.adjusted + self.unchanged


def settlement_compute(*, actor, contracts=None) -> SettleResult:
    """Settle contracts (default: every contract the actor can see) county by county, set-based (R52).

    Drafts are created or recomputed; a confirmed statement is never changed (R53): a difference becomes an
    adjustment entry referencing it. A constant number of queries, whatever the number of contracts."""
    from projects.enrolment.selectors import settlement_counts
    from tendering.selectors import contract_list_visible_to, contract_project_rows

    if not actor.has_perm("finance.settle_contracts"):
        raise DomainError("forbidden", _("Only a finance officer may settle contracts."))
    qs = contract_list_visible_to(user=actor).select_related("lot__tender__province")
    if contracts is not None:
        qs = qs.filter(pk__in=[getattr(c, "pk", c) for c in contracts])
    contract_map = {c.pk: c for c in qs.order_by()}
    if not contract_map:
        return SettleResult()
    by_project = {}
    for row in contract_project_rows(contract_ids=list(contract_map)):
        by_project.setdefault(row["project_id"], row)
    scope = scope_for(actor)
    prefix = "" if scope.kind == "all" else scope.region_prefix
    counts = settlement_counts(project_ids=list(by_project), county_prefix=prefix)
    with transaction.atomic():
        existing = _existing_statements(contract_map)
        computed = _computed(counts, by_project, contract_map, existing)
        region_codes = dict(Region.objects.filter(pk__in={k[2] for k in computed}).values_list("pk", "code"))
        plan = _Plan(actor=actor, now=timezone.now())
        for key, (basis, hours, counted) in computed.items():
            if prefix and not region_codes.get(key[2], "").startswith(prefix):
                continue
            plan.add(key, contract_map[key[0]], existing.get(key), basis=basis, hours=hours, counted=counted)
        result = plan.write(contract_map, region_codes)
        provinces = {c.lot.tender.province_id: c.lot.tender.province for c in contract_map.values()}
        transaction.on_commit(lambda: [settlement_schedule_nightly(p) for p in provinces.values()])
    return result


def _existing_statements(contract_map) -> dict:
    # Lock first (FOR UPDATE cannot carry GROUP BY), then read the statements with their adjustments.
    list(SettlementStatement.objects.select_for_update().filter(contract_id__in=list(contract_map))
         .values_list("pk", flat=True))
    return {
        (s.contract_id, s.project_id, s.county_id, s.school_year): s
        for s in SettlementStatement.objects.filter(contract_id__in=list(contract_map))
        .annotate(adj_trainees=Sum("adjustments__trainees_delta"), adj_amount=Sum("adjustments__amount"))
        .order_by()
    }


def _computed(counts, by_project, contract_map, existing) -> dict:
    """{(contract, project, county, school year): (basis, hours, {"completed": n, "enrolled": n})}."""
    computed = {}
    for row in counts:
        pair = by_project.get(row["project_id"])
        if pair is None:
            continue
        contract = contract_map[pair["contract_id"]]
        key = (contract.pk, row["project_id"], row["county_id"], calculations.school_year_of(pair["start_date"]))
        # R52: the basis is on the contract.
        computed[key] = (contract.settlement_basis, pair["hours"],
                         {"completed": row["completed"], "enrolled": row["enrolled"], "credited": row["credited"]})
    # Statements whose trainees all disappeared settle to zero.
    for key, s in existing.items():
        if key not in computed:
            computed[key] = (s.basis, s.hours, {"completed": 0, "enrolled": 0, "credited": 0})
    return computed


class _Plan:
    """What one settlement run creates, recomputes and adjusts; written set-based with its audit events (R3)."""

    def __init__(self, *, actor, now):
        self.actor, self.now = actor, now
        self.new, self.changed, self.changed_before, self.adjustments = [], [], [], []
        self.result = SettleResult()

    def add(self, key, contract, s, *, basis, hours, counted):
        # A confirmed statement keeps the basis it was confirmed on (R53); a draft follows the contract.
        trainees = counted[s.basis if s is not None and s.is_locked else basis]
        amount = calculations.amount_due(unit_price=contract.unit_price, hours=hours, trainees=trainees)
        if s is None:
            if trainees:
                self.new.append(SettlementStatement(
                    contract_id=key[0], project_id=key[1], county_id=key[2], school_year=key[3], basis=basis,
                    unit_price=contract.unit_price, hours=hours, trainees=trainees, amount=amount,
                    computed_at=self.now))
        elif not s.is_locked:
            if (s.trainees, s.amount, s.basis, s.hours, s.unit_price) == (trainees, amount, basis, hours,
                                                                           contract.unit_price):
                self.result.unchanged += 1
                return
            self.changed_before.append({"trainees": (s.trainees, trainees), "amount": (s.amount, amount)})
            s.trainees, s.amount, s.basis, s.hours, s.unit_price = trainees, amount, basis, hours, contract.unit_price
            s.computed_at = self.now
            self.changed.append(s)
        else:
            self._adjust(s, trainees)

    def _adjust(self, s, trainees):
        # R53: the confirmed statement stays as it is; the difference is an adjustment that references it.
        settled_trainees = s.trainees + (s.adj_trainees or 0)
        settled_amount = s.amount + (s.adj_amount or ZERO)
        delta_amount = calculations.amount_due(unit_price=s.unit_price, hours=s.hours, trainees=trainees) \
            - settled_amount
        delta_trainees = trainees - settled_trainees
        if not delta_amount and not delta_trainees:
            self.result.unchanged += 1
            return
        self.adjustments.append(Adjustment(
            statement=s, trainees_delta=delta_trainees, amount=delta_amount, created_by=self.actor,
            created_at=self.now,
            reason=_("Trainee outcomes changed after confirmation: %(before)s → %(after)s trainees.") % {
                "before": settled_trainees, "after": trainees}))

    def write(self, contract_map, region_codes) -> SettleResult:
        actor, new, changed, adjustments = self.actor, self.new, self.changed, self.adjustments

        def label(s):
            return f"{contract_map[s.contract_id].reference} · {s.school_year}"

        if new:
            new = bulk_create_with_history(new, SettlementStatement, default_user=actor)
            if new and new[0].pk is None:  # backends that cannot return ids
                keys = [(s.contract_id, s.project_id, s.county_id, s.school_year) for s in new]
                found = {(s.contract_id, s.project_id, s.county_id, s.school_year): s for s in
                         SettlementStatement.objects.filter(contract_id__in=list(contract_map), status="draft")}
                new = [found[k] for k in keys]
            audit_record_many([
                Entry(s.pk, label(s), region_codes.get(s.county_id, ""),
                      changes={"amount": (None, s.amount), "trainees": (None, s.trainees)})
                for s in new], model=SettlementStatement, actor=actor, action="create")
        if changed:
            bulk_update_with_history(changed, SettlementStatement,
                                     ["trainees", "amount", "basis", "hours", "unit_price", "computed_at"],
                                     default_user=actor)
            audit_record_many([Entry(s.pk, label(s), region_codes.get(s.county_id, ""), changes=before)
                               for s, before in zip(changed, self.changed_before)],
                              model=SettlementStatement, actor=actor, action="update")
        if adjustments:
            adjustments = bulk_create_with_history(adjustments, Adjustment, default_user=actor)
            if adjustments and adjustments[0].pk is None:
                adjustments = list(Adjustment.objects.filter(created_at=self.now,
                                                             statement__contract_id__in=list(contract_map)))
            audit_record_many([
                Entry(a.pk, f"{contract_map[a.statement.contract_id].reference} · {a.amount}",
                      region_codes.get(a.statement.county_id, ""),
                      changes={"amount": (None, a.amount), "trainees_delta": (None, a.trainees_delta)})
                for a in adjustments], model=Adjustment, actor=actor, action="create")
        self.result.created, self.result.updated, self.result.adjusted = len(new), len(changed), len(adjustments)
        return self.result


NIGHTLY_TIMEZONE = "Asia/Shanghai"


def settlement_schedule_nightly(province) -> None:
    """django-celery-beat re-settles the province every night at 02:30 Beijing time (finance.tasks.settle_province):
    outcome changes after settlement are picked up without a click (R53). Idempotent, one entry per province."""
    import json

    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    name = f"finance nightly settlement {province.code}"
    if PeriodicTask.objects.filter(name=name).exists():
        return
    crontab, _c = CrontabSchedule.objects.get_or_create(minute="30", hour="2", day_of_week="*", day_of_month="*",
                                                        month_of_year="*", timezone=NIGHTLY_TIMEZONE)
    PeriodicTask.objects.update_or_create(name=name, defaults={
        "task": "finance.tasks.settle_province", "crontab": crontab, "enabled": True, "one_off": False,
        "args": json.dumps([province.pk])})


def settlement_confirm(*, actor, statement, reason: str = "") -> SettlementStatement:
    """The institution confirms the statement; from now on it is never edited (R53)."""
    return fire(SettlementStatement, statement.pk, name="confirm", actor=actor, reason=reason)


def settlement_approve(*, actor, statement, reason: str = "") -> SettlementStatement:
    return fire(SettlementStatement, statement.pk, name="approve", actor=actor, reason=reason)


def statement_edit(*, actor, statement, **fields):
    """Direct edits exist only for drafts; a confirmed statement is corrected by an adjustment entry (R53)."""
    with transaction.atomic():
        s = SettlementStatement.objects.select_for_update().get(pk=statement.pk)
        if s.is_locked:
            raise DomainError("r53_statement_locked", _(
                "A confirmed statement is never edited; changes are made by an adjustment entry."))
        require_finance(actor, s.county)
        before = {k: getattr(s, k) for k in fields}
        for k, v in fields.items():
            setattr(s, k, v)
        s.save()
        audit_record(obj=s, actor=actor, action="update", changes={k: (before[k], v) for k, v in fields.items()})
    return s


def adjustment_add(*, actor, statement, trainees_delta: int, reason: str) -> Adjustment:
    """A hand-made adjustment (a trainee added after confirmation), priced at the statement's standard (R53)."""
    require_finance(actor, statement.county)
    if not statement.is_locked:
        raise DomainError("adjustment_on_draft", _("A draft statement is recomputed, not adjusted."))
    if not (reason or "").strip():
        raise DomainError("reason_required", _("An adjustment needs a reason."))
    amount = money(statement.unit_price * statement.hours * trainees_delta)
    with transaction.atomic():
        adj = Adjustment.objects.create(statement=statement, trainees_delta=trainees_delta, amount=amount,
                                        reason=reason, created_by=actor)
        audit_record(obj=adj, actor=actor, action="create", reason=reason, changes={"amount": (None, amount)})
    return adj
