"""Certificate PDFs (R43): reportlab with the embedded CJK font; one A4 landscape page per certificate.

Everything that is the same on every page (translated labels, the verification address, the font) is prepared
once per batch in `CertificateTexts`; a page only formats its figures and draws. The body is wrapped by measuring
whole candidate lines (a binary search over break points), not one character at a time (issue 13)."""
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas

from backoffice.documents import register_font

PAGE = landscape(A4)
RED = colors.HexColor("#9a1b1b")
BODY_SIZE = 15
# A break unit: a run of Latin letters/digits (with what clings to it), or any other single character (CJK).
_UNITS = re.compile(r"[0-9A-Za-z*().,:;'\-/]+\s*|\s+|.", re.S)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`; Latin words stay whole, Chinese breaks between characters."""
    if stringWidth(text, font, size) <= width:
        return [text]
    units = _UNITS.findall(text)
    lines, start = [], 0
    while start < len(units):
        lo, hi = start + 1, len(units)  # the longest run units[start:k] that fits; at least one unit
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if stringWidth("".join(units[start:mid]), font, size) <= width:
                lo = mid
            else:
                hi = mid - 1
        lines.append("".join(units[start:lo]).rstrip())
        start = lo
    return lines


@dataclass(frozen=True)
class CertificateTexts:
    """The labels of a certificate in the active language, read once per batch."""

    title: str
    programme: str
    body: str
    institution: str
    number: str
    code: str
    issued: str
    verify: str
    pdf_title: str

    @classmethod
    def current(cls) -> "CertificateTexts":
        return cls(
            title=_("Certificate of completion"),
            programme=_("National Teacher Training Programme"),
            body=_("%(name)s (ID %(id)s) completed “%(project)s” (%(year)s), %(hours)s training hours, "
                   "%(credits)s credits."),
            institution=_("Training institution: %(inst)s"),
            number=_("Certificate number: %(n)s"),
            code=_("Verification code: %(c)s"),
            issued=_("Issued on %(d)s"),
            verify=_("Verify at %(url)s with the number and the code.") % {
                "url": getattr(settings, "PUBLIC_BASE_URL", "") + "/enrolment/verify/"},
            pdf_title=str(_("Certificates of completion")),
        )


def page_lines(cert, texts: CertificateTexts, font: str) -> dict:
    """The variable text of one certificate, wrapped: what `draw_page` puts on the page."""
    enrolment = cert.enrolment
    teacher, project = enrolment.teacher, enrolment.project
    body = texts.body % {"name": teacher.name, "id": teacher.masked_id_number, "project": project.name,
                         "year": project.start_date.year, "hours": cert.hours, "credits": cert.credits}
    return {
        "body": wrap(body, font, BODY_SIZE, PAGE[0] - 70 * mm),
        "institution": texts.institution % {"inst": project.institution.name if project.institution else "—"},
        "number": texts.number % {"n": cert.number},
        "code": texts.code % {"c": cert.verification_code},
        "issued": texts.issued % {"d": cert.issued_on.isoformat()},
    }


def draw_page(c, lines: dict, texts: CertificateTexts, font: str) -> None:
    """One certificate page from its prepared lines (the bench draws the same pages with bare reportlab)."""
    width, height = PAGE
    c.setStrokeColor(RED)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    c.setFillColor(RED)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 45 * mm, texts.title)
    c.setFont(font, 13)
    c.drawCentredString(width / 2, height - 55 * mm, texts.programme)
    c.setFillColor(colors.black)
    c.setFont(font, BODY_SIZE)
    y = height - 80 * mm
    for text in lines["body"]:
        c.drawString(35 * mm, y, text)
        y -= 9 * mm
    c.setFont(font, 12)
    c.drawString(35 * mm, y - 4 * mm, lines["institution"])
    c.drawString(35 * mm, 40 * mm, lines["number"])
    c.drawString(35 * mm, 32 * mm, lines["code"])
    c.drawRightString(width - 35 * mm, 40 * mm, lines["issued"])
    c.setFont(font, 9)
    c.setFillColor(colors.grey)
    c.drawRightString(width - 35 * mm, 32 * mm, texts.verify)


def certificates_pdf(certs, *, out=None, progress=None, texts: CertificateTexts | None = None):
    """The certificates as one PDF, written to `out` (a binary file) or returned as bytes. `progress(done)` is
    called a few times per batch, not per page, so a chunk's queries do not grow with its size."""
    import io

    font = register_font()
    texts = texts or CertificateTexts.current()
    target = out if out is not None else io.BytesIO()
    c = pdfcanvas.Canvas(target, pagesize=PAGE)
    c.setTitle(texts.pdf_title)
    certs = list(certs)
    marks = {-(-len(certs) * k // 4) for k in range(1, 5)}  # four reports, whatever the size (fewer below 4)
    for index, cert in enumerate(certs, start=1):
        draw_page(c, page_lines(cert, texts, font), texts, font)
        c.showPage()
        if progress and index in marks:
            progress(index)
    c.save()
    return None if out is not None else target.getvalue()
