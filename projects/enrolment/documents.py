"""Certificate PDFs (R43) and admission notices (录取通知, R32): reportlab with the embedded CJK font.

Everything that is the same on every certificate page (translated labels, the verification address, the font) is
prepared once per batch in `CertificateTexts`; a page only formats its figures and draws. The body is wrapped word
by word (a Chinese character is a word), each distinct word measured once per batch, not one prefix per character."""
import io
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas

from backoffice.documents import register_font
from backoffice.identity import mask_id_number

PAGE = landscape(A4)
RED = colors.HexColor("#9a1b1b")
BODY_SIZE = 15
# A break unit: a run of Latin letters/digits (with what clings to it), or any other single character (CJK).
_UNITS = re.compile(r"[0-9A-Za-z*().,:;'\-/]+\s*|\s+|.", re.S)


@lru_cache(maxsize=32768)
def _width(unit: str, font: str, size: float) -> float:
    # A batch repeats the same words (project, institution, labels): each is measured once.
    return stringWidth(unit, font, size)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`, measured word by word; Latin words stay whole, Chinese breaks
    between characters."""
    lines, line, used = [], "", 0.0
    for unit in _UNITS.findall(text):
        w = _width(unit, font, size)
        if line and used + w > width and not unit.isspace():
            lines.append(line.rstrip())
            line, used = "", 0.0
        if line or not unit.isspace():
            line, used = line + unit, used + w
    lines.append(line.rstrip())
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


@dataclass(frozen=True)
class CertificateFacts:
    """What one certificate page shows (R43): read as plain values, a row per certificate, no model objects."""

    number: str
    code: str
    hours: int
    credits: object
    issued_on: object
    name: str
    id_number: str
    project: str
    start_date: object
    institution: str | None

    FIELDS = ("number", "verification_code", "hours", "credits", "issued_on", "enrolment__teacher__name",
              "enrolment__teacher__id_number", "enrolment__project__name", "enrolment__project__start_date",
              "enrolment__project__institution__name")

    @classmethod
    def of(cls, cert) -> "CertificateFacts":
        enrolment = cert.enrolment
        project = enrolment.project
        return cls(cert.number, cert.verification_code, cert.hours, cert.credits, cert.issued_on,
                   enrolment.teacher.name, enrolment.teacher.id_number, project.name, project.start_date,
                   project.institution.name if project.institution else None)


def certificate_facts(queryset) -> list[CertificateFacts]:
    """The certificates of a queryset as facts, in one query."""
    return [CertificateFacts(*row) for row in queryset.values_list(*CertificateFacts.FIELDS)]


def page_lines(facts: CertificateFacts, texts: CertificateTexts, font: str) -> dict:
    """The variable text of one certificate, wrapped: what `draw_page` puts on the page."""
    body = texts.body % {"name": facts.name, "id": mask_id_number(facts.id_number), "project": facts.project,
                         "year": facts.start_date.year, "hours": facts.hours, "credits": facts.credits}
    return {
        "body": wrap(body, font, BODY_SIZE, PAGE[0] - 70 * mm),
        "institution": texts.institution % {"inst": facts.institution or "—"},
        "number": texts.number % {"n": facts.number},
        "code": texts.code % {"c": facts.code},
        "issued": texts.issued % {"d": facts.issued_on.isoformat()},
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


def certificates_pdf(certs, *, out=None, progress=None, reports: int = 4, texts: CertificateTexts | None = None):
    """The certificates (models or `CertificateFacts`) as one PDF, written to `out` (a binary file) or returned as bytes. `progress(done)` is
    called `reports` times per batch, not per page, so a part's queries do not grow with its size."""
    import io

    font = register_font()
    texts = texts or CertificateTexts.current()
    target = out if out is not None else io.BytesIO()
    c = pdfcanvas.Canvas(target, pagesize=PAGE)
    c.setTitle(texts.pdf_title)
    certs = list(certs)
    # `reports` calls of progress whatever the size (fewer below that many pages)
    marks = {-(-len(certs) * k // reports) for k in range(1, reports + 1)}
    for index, cert in enumerate(certs, start=1):
        facts = cert if isinstance(cert, CertificateFacts) else CertificateFacts.of(cert)
        draw_page(c, page_lines(facts, texts, font), texts, font)
        c.showPage()
        if progress and index in marks:
            progress(index)
    c.save()
    return None if out is not None else target.getvalue()




# -- admission notices (录取通知, R32) ------------------------------------------------------------------------
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
    for text in wrap(body, font, 13, text_width):
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
    for text in wrap(closing, font, 12, text_width):
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
