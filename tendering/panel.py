"""R25 panel draw: candidates, conflict exclusion, and a reproducible random choice from a recorded seed."""
import datetime as dt
import random

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _


def conflict_reason(expert, *, bidder_ids: set, tender, since: dt.date) -> str:
    """Why `expert` may not score this tender's lot, or "" when there is no conflict."""
    if expert.employer_id in bidder_ids:
        return _("works for a bidder")
    for job in expert.employments.all():
        if job.organisation_id in bidder_ids and job.ended_on >= since:
            return _("worked for a bidder in the last 3 years")
    if any(o.pk in bidder_ids for o in expert.declared_relations.all()):
        return _("declared related to a bidder")
    if any(t.pk == tender.pk for t in expert.drafted_tenders.all()):
        return _("helped write the tender")
    return ""


def conflict_cutoff(today: dt.date, years: int) -> dt.date:
    return today - relativedelta(years=years)


def draw(candidates: list[int], *, seed: str, count: int) -> list[int]:
    """The same candidates and seed always give the same members (candidates are sorted first)."""
    return random.Random(seed).sample(sorted(candidates), count)
