"""Who may bid (R21) and what an institution's record changes (R29). The evaluation issue feeds this through
`projects.selectors.institution_latest_grade`; nothing else here needs to change when it does."""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.config import get_setting
from backoffice.punctuation import enum
from projects.selectors import institution_latest_grade, institutions_latest_grades


def r29_barred_until(*, institution, region=None) -> dt.datetime | None:
    """R29: the end of the bar when the institution's most recent evaluated project was graded 不合格, else None."""
    latest = institution_latest_grade(institution=institution)
    if latest is None or latest.grade != "fail" or latest.evaluated_at is None:
        return None
    months = get_setting("tender_fail_bar_months", region=region)
    return latest.evaluated_at + relativedelta(months=months)


def r29_is_barred(*, institution, announced_at: dt.datetime, region=None) -> bool:
    """Barred from tenders announced within the bar (from the fail grade up to N months after it)."""
    until = r29_barred_until(institution=institution, region=region)
    return until is not None and announced_at < until


def r29_track_record_bonus(*, institution, tender) -> Decimal:
    """R29: an institution whose most recent grade is 优秀 gets the tender's track-record bonus."""
    latest = institution_latest_grade(institution=institution)
    if latest is not None and latest.grade == "excellent":
        return tender.track_record_bonus
    return Decimal("0")


def r29_track_record_bonuses(*, institution_ids, tender) -> dict:
    """R29 for many bidders in one query: {institution id: bonus}."""
    grades = institutions_latest_grades(institution_ids=institution_ids)
    return {i: tender.track_record_bonus if grades.get(i) == "excellent" else Decimal("0") for i in institution_ids}


def bid_eligibility_problems(*, tender, institution, content: dict, on=None) -> list[tuple[str, str]]:
    """R21 and R29 for one bid; empty when the institution may bid. `content` is the bid being submitted."""
    from tendering.models import QualificationKind

    problems = []
    day = (on or timezone.now()).date()
    held = {q.kind for q in institution.qualifications.all() if q.is_valid_on(day)}
    missing = [k for k in tender.required_qualifications if k not in held]
    if missing:
        labels = enum(str(QualificationKind(k).label) for k in missing)
        problems.append(("r21_qualification_missing", _("Missing qualifications: %(list)s.") % {"list": labels}))
    profile = getattr(institution, "tender_profile", None)
    past = [p for p in content.get("past_projects", []) if p.strip()]
    if not past and not (profile and profile.track_record_lines):
        problems.append(("r21_no_track_record",
                         _("Name at least one national or provincial training project you have delivered.")))
    if not content.get("chief_expert", "").strip():
        problems.append(("r21_no_chief_expert", _("Name the chief expert.")))
    elif not content.get("chief_own_staff"):
        problems.append(("r21_chief_not_own_staff", _("The chief expert must be the institution's own staff.")))
    team = content.get("team", [])
    own = sum(1 for m in team if m.get("own_staff"))
    if not team or own * 3 < len(team):
        problems.append(("r21_team_own_staff", _("At least one third of the expert team must be own staff.")))
    if tender.announced_at and r29_is_barred(institution=institution, announced_at=tender.announced_at,
                                             region=tender.province):
        problems.append(("r29_barred", _(
            "The institution's most recent evaluated project was graded fail; it cannot bid in this tender.")))
    return problems
