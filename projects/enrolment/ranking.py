"""The institution's own ranking of a project's applicants (R32: it selects within the quota by its ranking or
by submission order): a score per trainee, imported from Excel or entered on the list. Validated as a whole,
written set-based, every change audited (R3)."""
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from backoffice.audit import Entry, audit_record_many
from backoffice.exceptions import DomainError, ScopeError
from backoffice.identity import normalise_id_number
from backoffice.spreadsheets import NumberInTextColumn, cell_text, read_sheet

from . import permissions as perms
from .models import Enrolment

ID_HEADERS = {"身份证号", "身份证号码", "ID number"}
SCORE_HEADERS = {"评分", "排序评分", "分数", "Score", "Ranking score"}
MAX_SCORE = Decimal("9999.99")


def _score(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0 or value > MAX_SCORE:
        return None
    return value.quantize(Decimal("0.01"))


def parse_score(text) -> Decimal | None:
    """A score typed on the page: empty clears it; anything else must be a number from 0 to 9999.99."""
    text = (text or "").strip()
    if not text:
        return None
    score = _score(text)
    if score is None:
        raise DomainError("invalid_score", _("The score must be a number from 0 to 9999.99."))
    return score


def ranking_scores_set(*, actor, project, scores: dict) -> int:
    """`scores` {ID number: score or None}; every trainee must be in the project. All or nothing."""
    if not perms.selector_of_project.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the project's institution ranks its applicants."))
    with transaction.atomic():
        rows = {e.teacher.id_number: e for e in Enrolment.objects.select_for_update(of=("self",))
                .filter(project=project, teacher__id_number__in=list(scores)).select_related("teacher__region")}
        missing = [n for n in scores if n not in rows]
        if missing:
            raise DomainError("not_in_project", _("Not applicants of this project: %(ids)s") % {
                "ids": "、".join(n[:6] + "********" + n[-4:] for n in missing[:20])})
        changed, entries = [], []
        for number, score in scores.items():
            e = rows[number]
            if e.ranking_score != score:
                entries.append(Entry(e.pk, f"{e.teacher.name} · {project.name}", e.teacher.region.code,
                                     changes={"ranking_score": (e.ranking_score, score)}))
                e.ranking_score = score
                changed.append(e)
        Enrolment.objects.bulk_update(changed, ["ranking_score"], batch_size=2000)
        audit_record_many(entries, model=Enrolment, actor=actor, action="update")
    return len(changed)


def ranking_scores_import(*, actor, project, data: bytes) -> int:
    """An Excel sheet with the columns 身份证号 and 评分; every row is checked first and each error reported by
    row (Chinese), then all rows are written at once, or none."""
    if not perms.selector_of_project.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the project's institution ranks its applicants."))
    sheet = read_sheet(data)
    if not sheet.rows:
        raise DomainError("empty_file", _("The file has no rows."))
    header = [cell_text(c) for c in sheet.rows[0]]
    try:
        id_col = next(i for i, h in enumerate(header) if h in ID_HEADERS)
        score_col = next(i for i, h in enumerate(header) if h in SCORE_HEADERS)
    except StopIteration:
        raise DomainError("missing_columns", _("The first row must name the columns 身份证号 and 评分.")) from None
    scores, errors = {}, []
    for n, row in enumerate(sheet.rows[1:], start=2):
        cells = list(row) + [None] * (max(id_col, score_col) + 1 - len(row))
        if all(c in (None, "") for c in cells):
            continue
        try:
            number = normalise_id_number(cell_text(cells[id_col], text_only=True))
        except NumberInTextColumn:
            errors.append(_("Row %(n)s: the ID number must be stored as text (R30).") % {"n": n})
            continue
        raw = cells[score_col]
        score = None if raw in (None, "") else _score(raw)
        if raw not in (None, "") and score is None:
            errors.append(_("Row %(n)s: the score must be a number from 0 to 9999.99.") % {"n": n})
        elif number in scores:
            errors.append(_("Row %(n)s: the ID number appears twice.") % {"n": n})
        else:
            scores[number] = score
    if errors:
        raise DomainError("invalid_rows", "；".join(errors[:50]), errors=errors)
    return ranking_scores_set(actor=actor, project=project, scores=scores)
