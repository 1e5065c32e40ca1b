"""Pagination for lists over big tables (issue 13): the count stops at a cap, so a page never counts a million
rows; past the cap the page says roughly how many there are, from PostgreSQL's own estimate."""
import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


def estimated_rows(qs: QuerySet) -> int | None:
    """The planner's row estimate for the query (one EXPLAIN, no rows read); None off PostgreSQL."""
    if connections[qs.db].vendor != "postgresql":
        return None
    try:
        plan = json.loads(qs.order_by().explain(format="json"))
    except (ValueError, TypeError):
        return None
    return int(plan[0]["Plan"]["Plan Rows"])


def _round_roughly(n: int) -> int:
    """Two significant figures: an estimate should not look exact."""
    if n < 100:
        return n
    scale = 10 ** (len(str(n)) - 2)
    return round(n / scale) * scale


class CappedPaginator(Paginator):
    """Counts at most `cap` matching rows (a LIMIT inside the COUNT, so the work is bounded whatever the table's
    size); beyond that the pages stop at the cap, `approximate` is true and `estimate` holds roughly how many rows
    match. Narrowing the filter brings the exact count back."""

    def __init__(self, *args, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap or settings.LIST_COUNT_CAP
        self.approximate = False
        self.estimate = None

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return super().count
        counted = qs.order_by().values("pk")[: self.cap + 1].count()
        if counted <= self.cap:
            return counted
        self.approximate = True
        self.estimate = _round_roughly(max(estimated_rows(qs) or 0, self.cap))
        return self.cap
