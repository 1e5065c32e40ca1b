"""Statement PDFs of a province as one zip (issue 13): the statements on the list (with its filters), drawn as a
Celery group of parts by backoffice.batches, one PDF per statement."""
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.batches import Batch
from backoffice.exceptions import DomainError, ScopeError
from finance import selectors


def _safe(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "x"


def statement_pdfs(*, user, params) -> Batch:
    from finance.documents import statement_pdf
    from finance.filters import StatementFilter

    if not user.has_perm("finance.view_finance"):
        raise ScopeError("forbidden", _("Your role does not allow this export."))
    filtered = StatementFilter({k: v for k, v in params.items() if v},
                               queryset=selectors.statement_list_visible_to(user=user))
    if not filtered.is_valid():
        raise DomainError("bad_filter", _("The filter is not valid; correct it on the list and export again."))
    qs = filtered.qs.order_by("contract__reference", "county__code", "project__code", "pk")

    def draw(ids):
        # The part's statements in one read; each PDF reads its own adjustments and payments.
        statements = selectors.statement_list_visible_to(user=user).filter(pk__in=ids).in_bulk()
        for pk in ids:
            s = statements.get(pk)
            if s is not None:  # gone from the reader's scope since the batch was listed
                yield (f"{_safe(s.contract.reference)}-{s.county.code}-{s.school_year}-{s.pk}.pdf",
                       statement_pdf(s).getvalue())

    return Batch(title=_("Settlement statement PDFs"), filename=f"statements-{timezone.localdate():%Y%m%d}.zip",
                 items=lambda: list(qs.values_list("pk", flat=True)), draw=draw, audited=user)
