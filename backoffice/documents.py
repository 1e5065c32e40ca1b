"""PDF helpers: a TrueType CJK font embedded in every document, page numbers, Chinese table styles."""
from functools import lru_cache
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, TableStyle

FONT = "WenQuanYiMicroHei"


@lru_cache(maxsize=1)
def register_font() -> str:
    """WenQuanYi Micro Hei (Apache-2.0) ships in static/fonts; its TrueType outlines embed cleanly."""
    pdfmetrics.registerFont(TTFont(FONT, str(settings.PDF_FONT_PATH), subfontIndex=0))
    return FONT


@lru_cache(maxsize=1)
def styles() -> dict:
    register_font()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("zh-title", parent=base["Title"], fontName=FONT, fontSize=18, leading=24),
        "h2": ParagraphStyle("zh-h2", parent=base["Heading2"], fontName=FONT, fontSize=13, leading=18),
        "body": ParagraphStyle("zh-body", parent=base["BodyText"], fontName=FONT, fontSize=10.5, leading=16,
                               wordWrap="CJK"),
        "small": ParagraphStyle("zh-small", parent=base["BodyText"], fontName=FONT, fontSize=8.5, leading=12,
                                wordWrap="CJK"),
        "cell": ParagraphStyle("zh-cell", parent=base["BodyText"], fontName=FONT, fontSize=9, leading=12,
                               wordWrap="CJK"),
    }


def para(text, style) -> Paragraph:
    """A Paragraph of plain text: reportlab parses its input as markup, so a name with '<' or '&' must be escaped."""
    return Paragraph(escape(str(text)), style)


def table_style(*, header_rows: int = 1) -> TableStyle:
    register_font()
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#f1f5f9")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ])


def page_number_footer(text: str = ""):
    """onPage callback drawing '第 N 页' (and a footer text) at the bottom of each page."""

    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(register_font(), 8)
        canvas.drawCentredString(doc.pagesize[0] / 2, 20, f"{text}  第 {doc.page} 页".strip())
        canvas.restoreState()

    return draw
