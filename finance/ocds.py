"""Finance's part of a tender's OCDS record (issue 15): each contract's payments as implementation transactions,
given to tendering through its hook (tendering never imports finance)."""
from django.utils import timezone

from finance.models import Payment


def contract_transactions(contracts) -> dict:
    """{contract id: [OCDS transaction]} for the contracts, in one query."""
    out = {}
    rows = Payment.objects.filter(contract__in=[c.pk for c in contracts]).order_by("contract_id", "paid_on", "pk")
    for p in rows.values("pk", "contract_id", "tranche", "amount", "paid_on"):
        day = p["paid_on"]
        out.setdefault(p["contract_id"], []).append({
            "id": f"PAY-{p['pk']}", "source": "国库集中支付",
            "date": timezone.make_aware(timezone.datetime(day.year, day.month, day.day)).isoformat(),
            "value": {"amount": float(p["amount"]), "currency": "CNY"},
        })
    return out
