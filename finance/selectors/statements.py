"""Statements, invoices and contracts as finance sees them, always scoped to the user (R2): finance officers and
auditors read their region subtree, an institution its own; a city or county reader only the contracts whose
lots serve its region."""
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from backoffice.models import Region
from backoffice.models.regions import region_parent_code
from backoffice.money import ZERO
from backoffice.scoping import scope_for
from finance import permissions as p
from finance.models import LOCKED_STATES, Adjustment, Invoice, SettlementStatement

MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


def _finance_scope(user, qs, *, region: str, organisation: str | None):
    if not user.is_authenticated:
        return qs.none()
    if p.is_reader.test(user):
        return scope_for(user).filter(qs, region=region)
    if p.is_institution.test(user) and organisation:
        return qs.filter(**{f"{organisation}_id": user.organisation_id})
    return qs.none()


# -- statements, invoices -----------------------------------------------------------------------------------
def statement_list_visible_to(*, user):
    qs = SettlementStatement.objects.select_related("contract", "contract__institution", "project", "county")
    qs = qs.annotate(adjustment_total=Coalesce(
        Subquery(Adjustment.objects.filter(statement=OuterRef("pk")).values("statement")
                 .annotate(s=Sum("amount")).values("s")), Value(ZERO), output_field=MONEY_FIELD))
    return _finance_scope(user, qs, region="county", organisation="contract__institution")


def statement_get(*, user, pk) -> SettlementStatement:
    return statement_list_visible_to(user=user).get(pk=pk)


def invoice_list_visible_to(*, user):
    qs = Invoice.objects.select_related("institution", "contract", "county", "uploaded_by")
    return _finance_scope(user, qs, region="county", organisation="institution")


def _ancestor_codes(code: str) -> list[str]:
    codes = []
    while code:
        codes.append(code)
        code = region_parent_code(code)
    return codes


def contracts_for_finance(*, user):
    """Contracts the user settles or invoices: finance and auditors of a province all of its contracts, of a city
    or county those whose lots serve it (R2), an institution its own."""
    from tendering.models import Contract
    from tendering.selectors import contract_list_visible_to

    if not user.has_perm("finance.view_statements"):
        return Contract.objects.none()
    qs = contract_list_visible_to(user=user).select_related("lot__tender__province")
    scope = scope_for(user)
    if p.is_reader.test(user) and scope.kind == "region" and len(scope.region_prefix) > 2:
        # A lot serving the region (or a region above it), or a statement settled for it.
        serving = (Q(lot__regions__code__startswith=scope.region_prefix)
                   | Q(lot__regions__code__in=_ancestor_codes(user.organisation.region.code))
                   | Q(statements__county__code__startswith=scope.region_prefix))
        qs = qs.filter(pk__in=Contract.objects.filter(serving).values("pk"))
    return qs


# What the contract list shows (templates/finance/contract_list.html): nothing more is read (issue 13).
CONTRACT_LIST_COLUMNS = ("reference", "unit_price", "amount", "settlement_basis", "institution__name")


def contract_page_for_finance(*, user):
    """The contract list's rows in the unique reference index's order, the institution's name joined by primary
    key, only the columns shown."""
    return contracts_for_finance(user=user).select_related(None).select_related("institution").only(
        *CONTRACT_LIST_COLUMNS).order_by("reference")


def counties_with_due(*, user, contract=None):
    """The counties (of a contract, or of any) that have a confirmed statement: where an invoice can go."""
    statements = statement_list_visible_to(user=user).filter(status__in=LOCKED_STATES)
    if contract is not None:
        statements = statements.filter(contract=contract)
    ids = statements.values("county_id")
    return Region.objects.filter(pk__in=ids).order_by("code")


def contract_payments(contract):
    return contract.payments.select_related("recorded_by", "statement__county").order_by("paid_on", "pk")


def statement_payments(statement):
    return statement.payments.select_related("recorded_by").order_by("paid_on", "pk")


def statement_adjustments(statement):
    return statement.adjustments.select_related("created_by").order_by("created_at", "pk")


def statement_outcome_changes(statement):
    """Trainees of the statement whose outcome changed after confirmation (R53 explanations)."""
    from projects.enrolment.selectors import outcomes_changed_after

    if not statement.confirmed_at:
        return []
    return list(outcomes_changed_after(project=statement.project, county=statement.county,
                                       since=statement.confirmed_at)[:100])


def statement_summary_counts(*, user) -> dict:
    qs = statement_list_visible_to(user=user).order_by().values_list("status").annotate(n=Count("pk"))
    return dict(qs)





def payment_list_visible_to(*, user):
    """Payments of the contracts the user may read (R2): the API's payment list (issue 15)."""
    from finance.models import Payment

    return Payment.objects.filter(contract__in=contracts_for_finance(user=user).values("pk")).select_related(
        "contract", "contract__institution", "statement__county")
