"""Finance workbooks as background jobs (issue 13): at a province's size each passes 10,000 rows (contract ×
county, statements, projects), so none is built in a web request. Registered with backoffice.exports; the worker
writes them write-only through backoffice.spreadsheets. Rows come from the reader's scoped selectors (R2) in a
number of queries that does not grow with the counties or rows: values with a server-side cursor for the
statements, fixed-size chunks of projects for the budget, the reconciliation's constant set of queries."""
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError, ScopeError
from backoffice.exports import Export
from backoffice.money import money
from backoffice.spreadsheets import Col
from finance import selectors
from finance.models import StatementStatus

CHUNK = 2000


def _require(user, perm):
    if not user.has_perm(perm):
        raise ScopeError("forbidden", _("Your role does not allow this export."))


def reconciliation(*, user, params) -> Export:
    """Due vs invoiced vs paid of every contract × county the reader sees: a sheet per institution, footing."""
    from finance.documents import reconciliation_write

    _require(user, "finance.view_finance")

    found = []  # read once, by the worker: the count for the progress bar, then the sheets

    def rows():
        if not found:
            found.append(selectors.reconciliation_rows(user=user))
        return found[0]

    return Export(title=_("Reconciliation"), filename="reconciliation.xlsx", columns=[], rows=(), audited=user,
                  total=lambda: len(rows()), write=lambda target, progress: reconciliation_write(target, rows(),
                                                                                                 progress))


STATEMENT_FIELDS = ("contract__reference", "contract__institution__name", "project__code", "project__name",
                    "county__name", "school_year", "hours", "trainees", "amount", "adjustment_total", "status")


def _statement_rows(qs):
    labels = {value: str(label) for value, label in StatementStatus.choices}
    for reference, institution, code, project, county, year, hours, trainees, amount, adjusted, status in (
            qs.values_list(*STATEMENT_FIELDS).iterator(chunk_size=CHUNK)):
        yield [reference, institution, code, project, county, f"{year}-{year + 1}", hours, trainees, money(amount),
               money(adjusted), labels.get(status, status)]


def statements(*, user, params) -> Export:
    """The settlement statements on the list, with the list's filters (status, contract number)."""
    from finance.filters import StatementFilter

    _require(user, "finance.view_statements")
    filtered = StatementFilter({k: v for k, v in params.items() if v},
                               queryset=selectors.statement_list_visible_to(user=user))
    if not filtered.is_valid():
        raise DomainError("bad_filter", _("The filter is not valid; correct it on the list and export again."))
    qs = filtered.qs.order_by("contract__reference", "county__code", "project__code", "pk")
    columns = [Col(_("contract number"), 22), Col(_("institution"), 28), Col(_("project code"), 14),
               Col(_("project"), 30), Col(_("county"), 14), Col(_("school year"), 11), Col(_("hours"), 8, "int"),
               Col(_("trainees settled"), 10, "int"), Col(_("amount due"), 16, "money"),
               Col(_("adjustments"), 14, "money"), Col(_("status"), 10)]
    return Export(title=_("Settlement statements"), filename=f"statements-{timezone.localdate():%Y%m%d}.xlsx",
                  columns=columns, rows=_statement_rows(qs), total=qs.count, audited=user,
                  changes={"filter": (None, ", ".join(f"{k}={v}" for k, v in sorted(params.items()) if v))})


def _budget_rows(user):
    ids = list(selectors.execution_projects(user=user).values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):  # a chunk of projects: the same few queries per chunk
        for r in selectors.execution_rows(user=user, project_ids=ids[start:start + CHUNK]):
            yield [r.project.code, r.project.name, money(r.allocated), money(r.lines), money(r.committed),
                   money(r.due), money(r.spent), r.percent, _("below target") if r.flagged else ""]


def budget(*, user, params) -> Export:
    """Budget execution per project (R56), in the budget page's order."""
    _require(user, "finance.view_finance")
    columns = [Col(_("project code"), 14), Col(_("project name"), 30), Col(_("budget"), 16, "money"),
               Col(_("budget lines"), 16, "money"), Col(_("committed"), 16, "money"),
               Col(_("amount due"), 16, "money"), Col(_("spent"), 16, "money"),
               Col(_("execution rate"), 10, "number"), Col(_("flag"), 10)]
    return Export(title=_("Budget execution"), filename=f"budget-{timezone.localdate():%Y%m%d}.xlsx",
                  columns=columns, rows=_budget_rows(user), total=selectors.execution_projects(user=user).count,
                  audited=user)
