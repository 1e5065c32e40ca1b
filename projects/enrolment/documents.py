"""Certificate PDFs (R43): reportlab with the embedded CJK font; one A4 landscape page per certificate."""
import io

from django.conf import settings
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
