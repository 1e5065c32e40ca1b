"""Certificate PDFs (R43) and admission notices (录取通知, R32): reportlab with the embedded CJK font; one page
per certificate or notice."""
import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas

from backoffice.documents import register_font


def _draw(c, cert, width, height, font):
    enrolment = cert.enrolment
    teacher, project = enrolment.teacher, enrolment.project
    c.setStrokeColor(colors.HexColor("#9a1b1b"))
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    c.setFillColor(colors.HexColor("#9a1b1b"))
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 45 * mm, _("Certificate of completion"))
    c.setFont(font, 13)
    c.drawCentredString(width / 2, height - 55 * mm, _("National Teacher Training Programme"))
    c.setFillColor(colors.black)
    c.setFont(font, 15)
    body = _("%(name)s (ID %(id)s) completed “%(project)s” (%(year)s), %(hours)s training hours, %(credits)s credits.") % {
        "name": teacher.name, "id": teacher.masked_id_number, "project": project.name,
        "year": project.start_date.year, "hours": cert.hours, "credits": cert.credits}
    y = height - 80 * mm
    line, lines = "", []
    for ch in body:  # wrap by width; Chinese has no spaces to break on
        if c.stringWidth(line + ch, font, 15) > width - 70 * mm:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    for text in lines:
        c.drawString(35 * mm, y, text)
        y -= 9 * mm
    c.setFont(font, 12)
    c.drawString(35 * mm, y - 4 * mm, _("Training institution: %(inst)s") % {
        "inst": project.institution.name if project.institution else "—"})
    c.drawString(35 * mm, 40 * mm, _("Certificate number: %(n)s") % {"n": cert.number})
    c.drawString(35 * mm, 32 * mm, _("Verification code: %(c)s") % {"c": cert.verification_code})
    c.drawRightString(width - 35 * mm, 40 * mm, _("Issued on %(d)s") % {"d": cert.issued_on.isoformat()})
    c.setFont(font, 9)
    c.setFillColor(colors.grey)
    c.drawRightString(width - 35 * mm, 32 * mm, _("Verify at %(url)s with the number and the code.") % {
        "url": getattr(settings, "PUBLIC_BASE_URL", "") + "/enrolment/verify/"})


def certificates_pdf(certs, *, progress=None) -> bytes:
    font = register_font()
    out = io.BytesIO()
    width, height = landscape(A4)
    c = pdfcanvas.Canvas(out, pagesize=(width, height))
    c.setTitle(str(_("Certificates of completion")))
    for index, cert in enumerate(certs, start=1):
        _draw(c, cert, width, height, font)
        c.showPage()
        if progress and (index % 20 == 0 or index == len(certs)):
            progress(index)
    c.save()
    return out.getvalue()


# -- admission notices (录取通知, R32) ------------------------------------------------------------------------
def _wrap(c, text, font, size, width):
    """Lines of `text` that fit `width`; Chinese has no spaces to break on, so wrap by character."""
    line, lines = "", []
    for ch in text:
        if c.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line]


def _draw_admission(c, enrolment, width, height, font):
    teacher, project = enrolment.teacher, enrolment.project
    issuer = project.office.name if project.office else ""
    c.setFillColor(colors.HexColor("#9a1b1b"))
    c.setFont(font, 24)
    c.drawCentredString(width / 2, height - 35 * mm, _("Admission notice"))
    c.setFont(font, 11)
    c.drawCentredString(width / 2, height - 43 * mm, _("National Teacher Training Programme"))
    c.setFillColor(colors.black)
    c.setFont(font, 13)
    left, text_width, y = 25 * mm, width - 50 * mm, height - 62 * mm
    c.drawString(left, y, _("Dear %(name)s (ID %(id)s),") % {"name": teacher.name, "id": teacher.masked_id_number})
    y -= 11 * mm
    body = _("Recommended by your school and county, selected by the training institution and publicised without "
             "objection, you are admitted to the project “%(project)s” (%(code)s).") % {
        "project": project.name, "code": project.code}
    for text in _wrap(c, body, font, 13, text_width):
        c.drawString(left, y, text)
        y -= 8 * mm
    y -= 4 * mm
    c.setFont(font, 12)
    facts = [
        (_("Dates"), f"{project.start_date:%Y-%m-%d} – {project.end_date:%Y-%m-%d}"),
        (_("Mode"), str(project.get_mode_display())),
        (_("Training hours"), str(project.hours)),
        (_("Training institution"), project.institution.name if project.institution else "—"),
        (_("School"), teacher.school.name if teacher.school else "—"),
    ]
    for label, value in facts:
        c.drawString(left + 8 * mm, y, _("%(label)s: %(value)s") % {"label": label, "value": value})
        y -= 8 * mm
    y -= 4 * mm
    closing = _("Please report on time as the training institution arranges; training is free of charge to you. "
                "If you cannot take part, tell your school and county before the training starts.")
    for text in _wrap(c, closing, font, 12, text_width):
        c.drawString(left, y, text)
        y -= 7 * mm
    c.drawRightString(width - 25 * mm, 50 * mm, issuer)
    issued = enrolment.enrolled_at or timezone.now()
    c.drawRightString(width - 25 * mm, 42 * mm, timezone.localtime(issued).strftime("%Y-%m-%d"))


def admission_notices_pdf(enrolments) -> bytes:
    """One A4 page per admitted trainee, merged into one PDF (a project's batch, or a single notice)."""
    font = register_font()
    out = io.BytesIO()
    width, height = A4
    c = pdfcanvas.Canvas(out, pagesize=A4)
    c.setTitle(str(_("Admission notices")))
    for enrolment in enrolments:
        _draw_admission(c, enrolment, width, height, font)
        c.showPage()
    c.save()
    return out.getvalue()
