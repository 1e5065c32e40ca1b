"""The evaluation reports of a year as one zip (issue 13): every graded evaluation of the year's plans the reader
sees, drawn as a Celery group of parts by backoffice.batches, one PDF per evaluation."""
from django.utils.translation import gettext as _

from backoffice.batches import Batch
from backoffice.exceptions import DomainError, ScopeError

from . import documents, selectors


def year_reports(*, user, params) -> Batch:
    if not user.has_perm("evaluation.view_evaluation_outputs"):
        raise ScopeError("forbidden", _("Your role does not allow this export."))
    year = str(params.get("year") or "")
    if not year.isdecimal():
        raise DomainError("bad_year", _("Choose a year."))
    graded = selectors.evaluation_list_visible_to(user=user).filter(
        project__plan__year=int(year), total__isnull=False)

    def draw(ids):
        evaluations = selectors.evaluation_list_visible_to(user=user).filter(pk__in=ids).in_bulk()
        for pk in ids:
            evaluation = evaluations.get(pk)
            if evaluation is not None:
                yield (f"evaluation-{evaluation.project.code}.pdf",
                       documents.evaluation_report_pdf(evaluation=evaluation))

    return Batch(title=_("Evaluation reports of %(year)s") % {"year": year}, filename=f"evaluations-{year}.zip",
                 items=lambda: list(graded.order_by("project__code", "pk").values_list("pk", flat=True)),
                 draw=draw, audited=user)
