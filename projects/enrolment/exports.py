"""Excel exports through backoffice.spreadsheets. ID numbers are masked unless the role needs them (R30)."""
from django.utils.translation import gettext as _

from backoffice.spreadsheets import Col, table_xlsx


def enrolments_xlsx(qs) -> bytes:
    columns = [Col(_("Full name"), 12), Col(_("ID number"), 22), Col(_("School"), 28), Col(_("County"), 14),
               Col(_("Project"), 30), Col(_("Status"), 10), Col(_("Submitted at"), 17, "datetime"), Col(_("Reason"), 40)]
    rows = (
        [e.teacher.name, e.teacher.masked_id_number, e.teacher.school.name, e.teacher.region.name, e.project.name,
         e.get_status_display(), e.submitted_at, e.reject_reason or e.withdraw_reason or e.outcome_reason]
        for e in qs.iterator(chunk_size=2000)
    )
    return table_xlsx(_("Trainees"), columns, rows)


def credits_xlsx(qs, *, full_id_numbers: bool, per_credit: int) -> bytes:
    full = full_id_numbers
    columns = [Col(_("ID number"), 22), Col(_("Full name"), 12), Col(_("School"), 28), Col(_("County code"), 10),
               Col(_("Project code"), 14), Col(_("Project"), 30), Col(_("Year")), Col(_("Hours")),
               Col(_("Credits")), Col(_("Audited at"), 12, "date")]
    rows = (
        [c.enrolment.teacher.id_number if full else c.enrolment.teacher.masked_id_number, c.enrolment.teacher.name,
         c.enrolment.teacher.school.name, c.enrolment.teacher.region.code, c.enrolment.project.code,
         c.enrolment.project.name, c.year, c.hours, round(c.hours / per_credit, 1),
         c.audited_at]
        for c in qs.iterator(chunk_size=2000)
    )
    return table_xlsx(_("Credit hours"), columns, rows)
