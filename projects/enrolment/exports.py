"""Excel exports of trainees and credit hours, run as background jobs (issue 13) through backoffice.exports.

Rows are read as plain values from the user's scoped selector (R2) with a server-side cursor, so a
1,000,000-row export holds neither the rows nor the workbook in memory. ID numbers are masked unless the
role needs them (R30)."""
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError, ScopeError
from backoffice.exports import Export
from backoffice.identity import mask_id_number
from backoffice.spreadsheets import Col

from . import selectors
from .filters import EnrolmentFilter
from .models import EnrolmentStatus

CHUNK = 5000
VIEW = "enrolment.view_enrolment"
TRAINEE_FIELDS = ("teacher__name", "teacher__id_number", "teacher__school__name", "teacher__region__name",
                  "project__name", "status", "submitted_at", "reject_reason", "withdraw_reason", "outcome_reason")


def _trainee_columns():
    return [Col(_("Full name"), 12), Col(_("ID number"), 22), Col(_("School"), 28), Col(_("County"), 14),
            Col(_("Project"), 30), Col(_("Status"), 10), Col(_("Submitted at"), 17, "datetime"),
            Col(_("Reason"), 40)]


def _credit_columns():
    return [Col(_("ID number"), 22), Col(_("Full name"), 12), Col(_("School"), 28), Col(_("County code"), 10),
            Col(_("Project code"), 14), Col(_("Project"), 30), Col(_("Year")), Col(_("Hours")),
            Col(_("Credits")), Col(_("Audited at"), 12, "date")]


def _trainee_rows(qs):
    labels = {value: str(label) for value, label in EnrolmentStatus.choices}
    for name, id_number, school, county, project, status, submitted, rejected, withdrawn, outcome in (
            qs.values_list(*TRAINEE_FIELDS).iterator(chunk_size=CHUNK)):
        yield [name, mask_id_number(id_number), school, county, project, labels.get(status, status), submitted,
               rejected or withdrawn or outcome]


def _credit_rows(qs, *, full: bool, per_credit: int):
    for id_number, name, school, county, code, project, year, hours, audited in qs.values_list(
            "enrolment__teacher__id_number", "enrolment__teacher__name", "enrolment__teacher__school__name",
            "enrolment__teacher__region__code", "enrolment__project__code", "enrolment__project__name", "year",
            "hours", "audited_at").iterator(chunk_size=CHUNK):
        yield [id_number if full else mask_id_number(id_number), name, school, county, code, project, year, hours,
               round(hours / per_credit, 1), audited]


def _require(user, perm):
    if not user.has_perm(perm):
        raise ScopeError("forbidden", _("Your role does not allow this export."))


def project_trainees(*, user, params) -> Export:
    """One project's trainees, in submission order."""
    _require(user, VIEW)
    project = selectors.project_list_for_enrolment(user=user).filter(pk=params.get("project")).first()
    if project is None:
        raise ScopeError("not_found", _("The project does not exist or is outside your area."))
    qs = (selectors.enrolment_list_visible_to(user=user).filter(project=project).order_by("submitted_at", "pk"))
    return Export(title=_("Trainees"), filename=f"trainees-{project.code}.xlsx", columns=_trainee_columns(),
                  rows=_trainee_rows(qs), total=qs.count, audited=project)


def trainee_list(*, user, params) -> Export:
    """Every trainee the user sees, narrowed by the trainee list's filters (status, project, name or ID)."""
    _require(user, VIEW)
    filtered = EnrolmentFilter({k: v for k, v in params.items() if v},
                               queryset=selectors.enrolment_list_visible_to(user=user))
    if not filtered.is_valid():
        raise DomainError("bad_filter", _("The filter is not valid; correct it on the list and export again."))
    qs = filtered.qs.order_by("project_id", "submitted_at", "pk")
    return Export(title=_("Trainees"), filename=f"trainees-{timezone.localdate():%Y%m%d}.xlsx",
                  columns=_trainee_columns(), rows=_trainee_rows(qs), total=qs.count, audited=user,
                  changes={"filter": (None, ", ".join(f"{k}={v}" for k, v in sorted(params.items()) if v))})


def credits(*, user, params) -> Export:
    """Audited hours for the provincial credit platform (R42)."""
    from backoffice.config import get_setting

    _require(user, VIEW)
    year = params.get("year")
    year = int(year) if str(year or "").isdecimal() else None
    qs = selectors.credit_export_rows(user=user, year=year)
    per_credit = get_setting("credit.hours_per_credit", region=getattr(user.organisation, "region", None))
    # R30: the credit platform matches by the full ID number; only those who send it the file see it unmasked.
    full = user.has_perm("enrolment.export_full_id_numbers")
    columns = _credit_columns()

    return Export(title=_("Credit hours"), filename=f"credit-hours-{year or 'all'}.xlsx", columns=columns,
                  rows=_credit_rows(qs, full=full, per_credit=per_credit), total=qs.count, audited=user,
                  changes={"year": (None, str(year or "")), "full_id_numbers": (None, full)})
