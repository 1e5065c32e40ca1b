"""Finance pages: budgets (预算 / 决算), contracts to settle, settlement statements, invoices, payments and the
reconciliation. Reads go through finance.selectors; writes call finance.services; DomainError messages are shown.

Roles: finance officers read and write in their region; auditors read only; institutions see their own
statements and invoices and confirm and invoice; every other role is refused (403)."""
import django_filters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.audit import timeline
from backoffice.exceptions import DomainError
from backoffice.pagination import CappedPaginator
from backoffice.transitions import TransitionView, page_actions
from backoffice.views import ScopedListView, next_or, start_batch, start_export
from backoffice.selectors import visible_or_404
from finance import actions, documents, selectors, services
from finance.filters import StatementFilter
from finance.forms import AdvanceForm, BudgetLineForm, ExpenditureForm, InvoiceForm, LectureFeeForm, PaymentForm
from finance.models import Invoice
from finance.panels import execution_chart

# Contracts per reconciliation page; each brings all its counties' rows.
RECONCILIATION_CONTRACTS_PER_PAGE = 20


def _require(user, perm: str, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _reader(user):
    _require(user, "finance.view_finance")


def _writer(user):
    _require(user, "finance.change_finance")


def _statement_reader(user):
    _require(user, "finance.view_statements")


def _run(request, func, success):
    try:
        func()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


# -- budgets ---------------------------------------------------------------------------------------------
@login_required
def budget_overview(request):
    _reader(request.user)
    # The project table is paginated: each page's figures come from that page's projects only (issue 13).
    page = CappedPaginator(selectors.execution_projects(user=request.user).values_list("pk", flat=True),
                           settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.execution_rows(user=request.user, project_ids=list(page.object_list))
    return render(request, "finance/budget_overview.html", {
        "plans": selectors.execution_by_plan(user=request.user), "rows": rows, "page_obj": page,
        "categories": selectors.execution_by_category(user=request.user),
        "chart": execution_chart(selectors.execution_current_rows(user=request.user)), "title": _("Budgets")})


def _project_or_404(user, pk):
    from projects.selectors import project_list_visible_to

    _reader(user)
    qs = project_list_visible_to(user=user)
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def project_budget(request, pk):
    project = _project_or_404(request.user, pk)
    forms = {"line": BudgetLineForm(prefix="line"), "lecture": LectureFeeForm(prefix="lecture"),
             "spend": ExpenditureForm(prefix="spend")}
    if request.method == "POST":
        _writer(request.user)
        kind = request.POST.get("form")
        actions = {
            "line": lambda d: services.budget_line_set(actor=request.user, project=project, **d),
            "lecture": lambda d: services.lecture_fee_add(actor=request.user, project=project, **d),
            "spend": lambda d: services.expenditure_record(actor=request.user, project=project, **d),
        }
        if kind not in actions:
            raise Http404
        form = type(forms[kind])(request.POST, prefix=kind)
        forms[kind] = form
        if form.is_valid():
            try:
                actions[kind](form.cleaned_data)
            except DomainError as exc:
                for _code, msg in (exc.errors or [(exc.code, exc.message)]):
                    form.add_error(None, msg)
            else:
                messages.success(request, _("Saved."))
                return redirect("finance:project_budget", pk=pk)
    budget = selectors.project_budget(user=request.user, project=project)
    rate = None
    if project.budget:
        rate = budget["spent"] / project.budget * 100
    return render(request, "finance/project_budget.html", {
        "project": project, "budget": budget, "forms": forms, "rate": rate,
        "can_write": request.user.has_perm("finance.change_finance"), "title": project.name})


# -- contracts and settlement --------------------------------------------------------------------------------
@login_required
def contract_list(request):
    _reader(request.user)
    page = CappedPaginator(selectors.contract_page_for_finance(user=request.user), settings.LIST_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "finance/contract_list.html", {
        "contracts": page.object_list, "page_obj": page, "can_write": request.user.has_perm("finance.change_finance"),
        "title": _("Contracts to settle")})


@login_required
@require_POST
def settle(request):
    _writer(request.user)
    contract_id = request.POST.get("contract")
    contracts = None
    if contract_id:
        contracts = [get_object_or_404(selectors.contracts_for_finance(user=request.user), pk=contract_id)]
    try:
        result = services.settlement_compute(actor=request.user, contracts=contracts)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _(
            "Settled: %(created)s statements created, %(updated)s recomputed, %(adjusted)s adjustment entries, "
            "%(unchanged)s unchanged.") % result.__dict__)
    return redirect(next_or(request, "finance:statement_list"))


def _contract_or_404(user, pk):
    _reader(user)
    return get_object_or_404(selectors.contracts_for_finance(user=user).select_related("institution"), pk=pk)


@login_required
def contract_detail(request, pk):
    """A contract as finance pays it: the advance against the contract (R54), its statements and payments.

    The institution reads its own contracts' page (what it was paid), without forms."""
    _statement_reader(request.user)
    contract = get_object_or_404(selectors.contracts_for_finance(user=request.user).select_related("institution"),
                                 pk=pk)
    return render(request, "finance/contract_detail.html", {
        "contract": contract, "is_reader": request.user.has_perm("finance.view_finance"),
        "limits": selectors.contract_payment_limits(contract),
        "payments": selectors.contract_payments(contract),
        "statements": selectors.statement_list_visible_to(user=request.user).filter(contract=contract)
        .order_by("county__code", "pk"),
        "advance_form": AdvanceForm(), "can_write": request.user.has_perm("finance.change_finance"), "title": str(contract)})


@login_required
@require_POST
def contract_advance(request, pk):
    _writer(request.user)
    contract = _contract_or_404(request.user, pk)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        _run(request, lambda: services.payment_record(actor=request.user, contract=contract, tranche="advance",
                                                      **form.cleaned_data), _("Payment recorded."))
    else:
        messages.error(request, _("Check the payment form."))
    return redirect("finance:contract_detail", pk=pk)


@login_required
@require_POST
def contract_commit(request, pk):
    _writer(request.user)
    contract = get_object_or_404(selectors.contracts_for_finance(user=request.user), pk=pk)
    _run(request, lambda: services.commitment_from_contract(actor=request.user, contract=contract),
         _("Commitment recorded."))
    return redirect("finance:contract_list")


class _StatementReaderList(ScopedListView):
    """A list for those who read settlement statements (finance.view_statements); anyone else gets 403."""

    def get(self, request, *args, **kwargs):
        _statement_reader(request.user)
        return super().get(request, *args, **kwargs)


class StatementListView(_StatementReaderList):
    template_name = "finance/statement_list.html"
    filterset_class = StatementFilter
    selector = selectors.statement_list_visible_to
    title = gettext_lazy("Settlement statements")

    def get_queryset(self):
        return super().get_queryset().order_by("contract__reference", "county__code", "project__code", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_write"] = self.request.user.has_perm("finance.change_finance")
        return ctx


statement_list = StatementListView.as_view()


def _statement_or_404(user, pk):
    _statement_reader(user)
    return visible_or_404(selectors.statement_get, user=user, pk=pk)


@login_required
def statement_detail(request, pk):
    statement = _statement_or_404(request.user, pk)
    payable = statement.status in selectors.PAYABLE_STATES
    limits = selectors.payment_limits(statement) if payable else None
    return render(request, "finance/statement_detail.html", {
        "statement": statement, "adjustments": selectors.statement_adjustments(statement),
        "payments": selectors.statement_payments(statement), "limits": limits,
        "due": limits["statement_due"] if limits else selectors.statement_due(statement),
        "advance_paid": selectors.advance_paid(statement.contract),
        "changes": selectors.statement_outcome_changes(statement),
        "payment_form": PaymentForm(),
        "can_pay": limits is not None and request.user.has_perm("finance.change_region_finance", statement.county),
        "actions": page_actions(statement, request.user, actions.STATEMENT_DOORS),
        "action_url": reverse("finance:statement_action", args=[statement.pk]),
        "events": timeline(statement), "title": str(statement)})


class StatementTransitionView(TransitionView):
    doors = actions.STATEMENT_DOORS
    detail_url_name = "finance:statement_detail"
    selector = selectors.statement_get

    def get_object(self):
        _statement_reader(self.request.user)
        return super().get_object()


statement_action = StatementTransitionView.as_view()


@login_required
@require_POST
def payment_create(request, pk):
    _writer(request.user)
    statement = _statement_or_404(request.user, pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        _run(request, lambda: services.payment_record(actor=request.user, contract=statement.contract,
                                                      statement=statement, **form.cleaned_data),
             _("Payment recorded."))
    else:
        messages.error(request, _("Check the payment form."))
    return redirect("finance:statement_detail", pk=pk)


@login_required
def statement_pdf(request, pk):
    statement = _statement_or_404(request.user, pk)
    return FileResponse(documents.statement_pdf(statement), filename=f"statement-{statement.pk}.pdf",
                        content_type="application/pdf")


# -- invoices --------------------------------------------------------------------------------------------
class InvoiceFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("invoice number"))

    class Meta:
        model = Invoice
        fields = ["number"]


class InvoiceListView(_StatementReaderList):
    template_name = "finance/invoice_list.html"
    filterset_class = InvoiceFilter
    selector = selectors.invoice_list_visible_to
    title = gettext_lazy("Invoices")


invoice_list = InvoiceListView.as_view()


@login_required
def invoice_upload(request):
    _require(request.user, "finance.upload_invoices")
    contracts = selectors.contracts_for_finance(user=request.user)
    form = InvoiceForm(request.POST or None, contracts=contracts,
                       counties=selectors.counties_with_due(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_upload(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Invoice uploaded."))
            return redirect("finance:invoice_list")
    return render(request, "finance/invoice_form.html", {"form": form, "title": _("Upload an invoice")})


# -- reconciliation ----------------------------------------------------------------------------------------
@login_required
def reconciliation(request):
    _reader(request.user)
    # A page of contracts at a time (in the rows' order), each with all its counties (issue 13).
    page = CappedPaginator(selectors.contracts_for_finance(user=request.user).order_by("institution__name", "reference")
                           .values_list("pk", flat=True), RECONCILIATION_CONTRACTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.reconciliation_rows(user=request.user, contract_ids=list(page.object_list))
    flagged = request.GET.get("flagged") == "1"
    if flagged:
        rows = [r for r in rows if r.flags]
    return render(request, "finance/reconciliation.html", {"rows": rows, "flagged": flagged, "page_obj": page,
                                                           "querystring": "flagged=1" if flagged else "",
                                                           "title": _("Reconciliation")})


# -- workbooks: background jobs (issue 13), each passes 10,000 rows at a province's size ---------------------
@login_required
@require_POST
def reconciliation_xlsx(request):
    """The reconciliation workbook, every contract × county the reader sees, written by a background job."""
    _reader(request.user)
    return start_export(request, kind="finance.reconciliation")


@login_required
@require_POST
def statement_export(request):
    """The statement list, with its filters, as a workbook written by a background job."""
    _statement_reader(request.user)
    params = {k: request.POST.get(k, "").strip() for k in ("status", "contract__reference")}
    return start_export(request, kind="finance.statements", params=params)


@login_required
@require_POST
def statement_pdfs(request):
    """The PDFs of the statements on the list (with its filters), one zip drawn by the workers in parallel."""
    _reader(request.user)
    params = {k: request.POST.get(k, "").strip() for k in ("status", "contract__reference")}
    return start_batch(request, kind="finance.statement_pdfs", params=params)


@login_required
@require_POST
def budget_export(request):
    """Budget execution of every project the reader sees, as a workbook written by a background job."""
    _reader(request.user)
    return start_export(request, kind="finance.budget")
