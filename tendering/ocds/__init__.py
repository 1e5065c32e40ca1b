"""OCDS 1.1 release package for one tender. Bids appear only after the opening (R23), using the bid extension's
`bids.details` shape; lots follow the lots extension (`tender.lots`, `relatedLot`)."""
from django.utils import timezone

from tendering.models import BidStatus, LotStatus, TenderStatus

OCID_PREFIX = "ocds-gp2026"
TENDER_STATUS = {
    TenderStatus.DRAFT: "planning", TenderStatus.ANNOUNCED: "active", TenderStatus.BIDDING_CLOSED: "active",
    TenderStatus.OPENED: "active", TenderStatus.COMPLETED: "complete", TenderStatus.FAILED: "unsuccessful",
    TenderStatus.CANCELLED: "cancelled",
}
LOT_STATUS = {LotStatus.OPEN: "active", LotStatus.FAILED: "unsuccessful", LotStatus.EVALUATION: "active",
              LotStatus.RECOMMENDED: "active", LotStatus.NOTICE: "complete", LotStatus.CONTRACTED: "complete"}


def _iso(dt):
    return timezone.localtime(dt).isoformat() if dt else None


def _money(amount):
    return {"amount": float(amount), "currency": "CNY"}


def _org_ref(org):
    return {"id": f"CN-ORG-{org.pk}", "name": org.name}


def release(tender) -> dict:
    buyer = tender.office
    parties = {buyer.pk: {"id": f"CN-ORG-{buyer.pk}", "name": buyer.name, "roles": ["buyer", "procuringEntity"],
                          "address": {"region": tender.province.name, "countryName": "中国"}}}
    lots = list(tender.lots.prefetch_related("projects", "regions"))
    ocds_tender = {
        "id": tender.reference, "title": tender.title, "description": tender.description or tender.title,
        "status": TENDER_STATUS[tender.status], "procurementMethod": "open", "procurementMethodDetails": "公开招标",
        "awardCriteria": "ratedCriteria", "awardCriteriaDetails": "综合评分法",
        "mainProcurementCategory": "services",
        "procuringEntity": _org_ref(buyer),
        "value": _money(sum((lot.budget for lot in lots), 0)),
        "tenderPeriod": {"startDate": _iso(tender.announced_at), "endDate": _iso(tender.bid_deadline)},
        "enquiryPeriod": {"startDate": _iso(tender.announced_at), "endDate": _iso(tender.clarification_deadline)},
        "items": [{"id": p.code, "description": p.name, "quantity": p.quota * p.hours,
                   "unit": {"name": "人·学时"}, "relatedLot": f"lot-{lot.number}"}
                  for lot in lots for p in lot.projects.all()],
        "lots": [{"id": f"lot-{lot.number}", "title": lot.name, "status": LOT_STATUS[lot.status],
                  "value": _money(lot.budget),
                  "description": "、".join(r.name for r in lot.regions.all())} for lot in lots],
    }
    data = {
        "ocid": f"{OCID_PREFIX}-{tender.reference}", "id": f"{tender.reference}-{tender.status}",
        "date": _iso(timezone.now()), "tag": ["tender"], "initiationType": "tender", "language": "zh",
        "buyer": _org_ref(buyer), "tender": ocds_tender,
    }
    if not tender.is_sealed:
        bids = []
        for lot in lots:
            for bid in lot.bids.filter(status__in=[BidStatus.QUALIFIED, BidStatus.DISQUALIFIED]).select_related(
                    "institution"):
                parties.setdefault(bid.institution_id, {"id": f"CN-ORG-{bid.institution_id}",
                                                        "name": bid.institution.name, "roles": []})
                parties[bid.institution_id]["roles"].append("tenderer")
                bids.append({"id": str(bid.pk), "date": _iso(bid.received_at),
                             "status": "valid" if bid.status == BidStatus.QUALIFIED else "disqualified",
                             "tenderers": [_org_ref(bid.institution)], "value": _money(bid.price),
                             "relatedLots": [f"lot-{lot.number}"]})
        data["bids"] = {"details": bids}
        ocds_tender["numberOfTenderers"] = len({b["tenderers"][0]["id"] for b in bids})
        data["tag"] = ["tender", "tenderUpdate"]
    awards, contracts = [], []
    for lot in lots:
        if lot.status in (LotStatus.NOTICE, LotStatus.CONTRACTED) and lot.recommended_bid:
            bid = lot.recommended_bid
            parties.setdefault(bid.institution_id, {"id": f"CN-ORG-{bid.institution_id}",
                                                    "name": bid.institution.name, "roles": []})
            parties[bid.institution_id]["roles"].append("supplier")
            awards.append({"id": f"award-{lot.number}", "title": lot.name, "status": "active",
                           "date": _iso(lot.notice_published_at), "suppliers": [_org_ref(bid.institution)],
                           "relatedLots": [f"lot-{lot.number}"], "relatedBid": str(bid.pk),
                           "value": _money(bid.price * sum(p.quota * p.hours for p in lot.projects.all()))})
            contract = getattr(lot, "contract", None)
            if contract is not None:
                contracts.append({"id": contract.reference, "awardID": f"award-{lot.number}", "status": "active",
                                  "dateSigned": _iso(contract.signed_at), "value": _money(contract.amount),
                                  "items": [{"id": p.code, "description": p.name, "quantity": p.quota * p.hours,
                                             "unit": {"name": "人·学时", "value": _money(contract.unit_price)}}
                                            for p in lot.projects.all()]})
    if awards:
        data["awards"] = awards
        data["tag"].append("award")
    if contracts:
        data["contracts"] = contracts
        data["tag"].append("contract")
    for party in parties.values():
        party["roles"] = sorted(set(party["roles"]))
    data["parties"] = list(parties.values())
    return data


def release_package(tender) -> dict:
    now = _iso(timezone.now())
    return {
        "uri": f"https://guopei.example.cn/tendering/{tender.pk}/ocds.json", "version": "1.1",
        "publishedDate": now, "publisher": {"name": str(tender.office)},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://guopei.example.cn/ocds-policy",
        "extensions": ["https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
                       "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"],
        "releases": [release(tender)],
    }
