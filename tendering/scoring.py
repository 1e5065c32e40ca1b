"""R26 综合评分法 in Decimal arithmetic; nothing is rounded before the total.

price score = base price / bid price × price points (price points = price weight × 100)
technical   = Σ over criteria of mean(expert scores) × criterion weight   (scores 0-100, weights fractions)
total       = technical + bonus + price score, rounded half-up to 2 decimals at the end
rank by total; ties: lower price, then higher technical score, then earlier submission.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from backoffice.money import CENT



@dataclass
class Entry:
    key: object
    price: Decimal
    submitted_at: object
    scores: dict = field(default_factory=dict)  # criterion key -> list of expert scores
    bonus: Decimal = Decimal("0")


@dataclass
class Result:
    key: object
    price: Decimal
    price_score: Decimal
    technical: Decimal
    bonus: Decimal
    total: Decimal
    rank: int = 0


def price_score(*, base: Decimal, price: Decimal, price_points: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return base / price * price_points


def technical_score(scores: dict, weights: dict) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        total = Decimal("0")
        for key, weight in weights.items():
            values = scores.get(key) or []
            if values:
                total += sum(values, Decimal("0")) / len(values) * weight
        return total


def show(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rank(entries: list[Entry], *, price_weight: Decimal, weights: dict) -> list[Result]:
    if not entries:
        return []
    points = price_weight * 100
    base = min(e.price for e in entries)
    results = []
    for e in entries:
        ps = price_score(base=base, price=e.price, price_points=points)
        tech = technical_score(e.scores, weights)
        results.append(Result(key=e.key, price=e.price, price_score=ps, technical=tech, bonus=e.bonus,
                              total=show(tech + e.bonus + ps)))
    order = {id(r): e.submitted_at for r, e in zip(results, entries)}
    results.sort(key=lambda r: (-r.total, r.price, -(r.technical + r.bonus), order[id(r)]))
    for i, r in enumerate(results, start=1):
        r.rank = i
    return results


def outliers(values_by_member: dict, *, threshold: Decimal) -> list:
    """Members whose score is further than `threshold` from the mean of the others' — flagged, never dropped."""
    flagged = []
    if len(values_by_member) < 3:
        return flagged
    for member, value in values_by_member.items():
        others = [v for m, v in values_by_member.items() if m != member]
        mean = sum(others, Decimal("0")) / len(others)
        if abs(value - mean) > threshold:
            flagged.append((member, value, mean))
    return flagged
