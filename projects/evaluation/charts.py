"""Inline SVG charts (no script, no CDN): grade distribution, satisfaction by dimension, institution ranking and
an institution's trend. Each builder returns safe markup; every label is escaped."""
from decimal import Decimal

from django.db.models import Avg, Count
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from backoffice.config import get_setting
from projects.models import Grade

from . import config
from .models import DIMENSIONS, SurveyResponse

GRADE_COLOURS = {Grade.EXCELLENT: "#15803d", Grade.GOOD: "#2563eb", Grade.PASS: "#ca8a04", Grade.FAIL: "#dc2626"}
DIMENSION_LABELS = {
    "design": gettext_lazy("Training design"), "resources": gettext_lazy("Training resources"),
    "implementation": gettext_lazy("Training implementation"), "platform": gettext_lazy("Training platform"),
    "effect": gettext_lazy("Training effect"),
}


def dimension_label(d: str) -> str:
    return str(DIMENSION_LABELS[d])


def grade_distribution(results) -> list[tuple[str, str, int]]:
    counts = {g: 0 for g in Grade.values}
    for res in results:
        counts[res.grade] = counts.get(res.grade, 0) + 1
    return [(g, str(Grade(g).label), counts[g]) for g in Grade.values]


def _bars(rows, *, max_value, width=420, bar=22, label_width=110, unit="", colours=None, testid=""):
    """Horizontal bars: rows = [(key, label, value)]."""
    height = max(len(rows), 1) * (bar + 8) + 8
    scale = (width - label_width - 60) / float(max_value or 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" data-testid="{escape(testid)}" class="chart">']
    for i, (key, label, value) in enumerate(rows):
        y = 8 + i * (bar + 8)
        w = max(float(value or 0) * scale, 0)
        colour = (colours or {}).get(key, "#2563eb")
        shown = value if isinstance(value, int) else f"{Decimal(value):.2f}"
        parts.append(f'<text x="0" y="{y + bar * 0.7:.0f}" font-size="12">{escape(label)}</text>'
                     f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}">'
                     f'<title>{escape(label)}: {shown}{unit}</title></rect>'
                     f'<text x="{label_width + w + 4:.1f}" y="{y + bar * 0.7:.0f}" font-size="12">{shown}{unit}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def grade_distribution_svg(dist, *, small=False):
    rows = [(g, label, n) for g, label, n in dist]
    return _bars(rows, max_value=max([n for _, _, n in rows] + [1]), width=300 if small else 420,
                 bar=16 if small else 22, label_width=70, colours=GRADE_COLOURS, testid="chart-grades")


def satisfaction_by_dimension(*, evaluations, region) -> list[tuple[str, str, Decimal]]:
    """Mean rating per dimension over the surveys whose results may be shown (R61 threshold per evaluation)."""
    min_n = get_setting(config.SURVEY_MIN_RESPONSES, region=region)
    min_share = get_setting(config.SURVEY_MIN_SHARE, region=region)
    per = (SurveyResponse.objects.filter(evaluation__in=evaluations).values("evaluation", "evaluation__tokens_issued")
           .annotate(n=Count("pk"), **{d: Avg(d) for d in DIMENSIONS}))
    sums = {d: Decimal("0") for d in DIMENSIONS}
    count = 0
    for row in per:
        n, expected = row["n"], row["evaluation__tokens_issued"]
        if not (n >= min_n or (expected and n * 100 >= min_share * expected)):
            continue
        count += n
        for d in DIMENSIONS:
            sums[d] += Decimal(str(row[d])) * n
    if not count:
        return []
    return [(d, dimension_label(d), sums[d] / count) for d in DIMENSIONS]


def satisfaction_svg(rows):
    return _bars(rows, max_value=5, label_width=110, testid="chart-satisfaction")


def institution_ranking(results) -> list[tuple[int, str, Decimal]]:
    by: dict[int, list] = {}
    names = {}
    for res in results:
        inst = res.evaluation.project.institution
        if inst is None:
            continue
        by.setdefault(inst.pk, []).append(res.total)
        names[inst.pk] = inst.name
    rows = [(pk, names[pk], sum(v) / len(v)) for pk, v in by.items()]
    rows.sort(key=lambda x: (-x[2], x[1]))
    return rows


def ranking_svg(rows):
    return _bars(rows[:15], max_value=100, width=520, label_width=190, testid="chart-ranking")


def trend_svg(points: list[tuple[str, Decimal]], *, width=520, height=200):
    """An institution's totals over time, oldest first, with the 60/80/90 grade lines."""
    pad, n = 30, len(points)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" data-testid="chart-trend" class="chart">']

    def y(v):
        return height - pad - float(v) / 100 * (height - 2 * pad)

    for line in (60, 80, 90):
        parts.append(f'<line x1="{pad}" x2="{width - 10}" y1="{y(line):.1f}" y2="{y(line):.1f}" stroke="#cbd5e1" '
                     f'stroke-dasharray="4 3"/><text x="2" y="{y(line) + 4:.1f}" font-size="10">{line}</text>')
    step = (width - pad - 20) / max(n - 1, 1)
    coords = [(pad + i * step, y(v)) for i, (_, v) in enumerate(points)]
    if len(coords) > 1:
        parts.append('<polyline fill="none" stroke="#2563eb" stroke-width="2" points="'
                     + " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coords) + '"/>')
    for (x, yy), (label, v) in zip(coords, points):
        parts.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="4" fill="#2563eb"><title>{escape(label)}: {v}</title>'
                     f'</circle><text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">'
                     f'{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
