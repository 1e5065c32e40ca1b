"""Excel exports (openpyxl write-only). ID numbers are masked unless the role needs them (R30)."""
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from backoffice.models import Role

# The provincial credit platform matches teachers by their full ID number; only the province department and
# its project offices, who send the file, get it unmasked.
FULL_ID_ROLES = {Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF}


def _book(title, header, rows) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def enrolments_xlsx(qs) -> bytes:
    header = [_("Full name"), _("ID number"), _("School"), _("County"), _("Project"), _("Status"), _("Submitted at"),
              _("Reason")]
    rows = (
        [e.teacher.name, e.teacher.masked_id_number, e.teacher.school.name, e.teacher.region.name, e.project.name,
         e.get_status_display(), timezone.localtime(e.submitted_at).strftime("%Y-%m-%d %H:%M"),
         e.reject_reason or e.withdraw_reason or e.outcome_reason]
        for e in qs.iterator(chunk_size=2000)
    )
    return _book(str(_("Trainees")), header, rows)


def credits_xlsx(qs, *, user, per_credit: int) -> bytes:
    full = user.is_superuser or user.role in FULL_ID_ROLES
    header = [_("ID number"), _("Full name"), _("School"), _("County code"), _("Project code"), _("Project"), _("Year"),
              _("Hours"), _("Credits"), _("Audited at")]
    rows = (
        [c.enrolment.teacher.id_number if full else c.enrolment.teacher.masked_id_number, c.enrolment.teacher.name,
         c.enrolment.teacher.school.name, c.enrolment.teacher.region.code, c.enrolment.project.code,
         c.enrolment.project.name, c.year, c.hours, round(c.hours / per_credit, 1),
         timezone.localtime(c.audited_at).strftime("%Y-%m-%d") if c.audited_at else ""]
        for c in qs.iterator(chunk_size=2000)
    )
    return _book(str(_("Credit hours")), header, rows)
