"""OCDS 1.1 through the whole process of a tender (issue 15): planning (the projects and their budget), tender
(with lots, the lots extension), amendments (changes after the announcement), bids (the bids extension, only after
the opening: R23), awards (after the notice, with the ranking), contracts and implementation (payments as
transactions, which finance contributes through `register_implementation`, and the projects' milestones).

`releases(tender)` gives one dated release per stage; `record_package(tender)` compiles them per ocid with
ocdsmerge; `release(tender)` is the current snapshot as one release; `yearly_package(year)` bundles a year."""
from django.conf import settings
from django.utils import timezone

from backoffice.audit import timeline_for
from tendering.models import Bid, BidStatus, LotResult, LotStatus, Tender, TenderStatus

TENDER_STATUS = {
    TenderStatus.DRAFT: "planning", TenderStatus.ANNOUNCED: "active", TenderStatus.BIDDING_CLOSED: "active",
    TenderStatus.OPENED: "active", TenderStatus.COMPLETED: "complete", TenderStatus.FAILED: "unsuccessful",
    TenderStatus.CANCELLED: "cancelled",
}
LOT_STATUS = {LotStatus.OPEN: "active", LotStatus.FAILED: "unsuccessful", LotStatus.EVALUATION: "active",
              LotStatus.RECOMMENDED: "active", LotStatus.NOTICE: "complete", LotStatus.CONTRACTED: "complete"}
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
]
DONE_PROJECT_STATES = {"completed", "evaluated", "closed"}

# Finance (and any later app) adds to a contract's implementation through this hook: tendering never imports it.
_IMPLEMENTATION = []


def register_implementation(func):
    """`func(contracts) -> {contract id: [transaction dict]}` (OCDS `implementation.transactions`, set-based)."""
    if func not in _IMPLEMENTATION:
        _IMPLEMENTATION.append(func)
    return func


def ocid_prefix() -> str:
    return settings.OCDS_OCID_PREFIX


def ocid(tender) -> str:
    return f"{ocid_prefix()}-{tender.reference}"


def is_public(tender) -> bool:
    """Published once announced (a draft is the office's working copy)."""
    return tender.status != TenderStatus.DRAFT and tender.announced_at is not None


def _iso(dt):
    return timezone.localtime(dt).isoformat() if dt else None


def _day(d):
    return _iso(timezone.make_aware(timezone.datetime(d.year, d.month, d.day))) if d else None


def _money(amount):
    return {"amount": float(amount), "currency": "CNY"}


def _org_ref(org):
    return {"id": f"CN-ORG-{org.pk}", "name": org.name}


class _Parties:
    def __init__(self):
        self.rows = {}

    def add(self, org, role, **extra):
        party = self.rows.setdefault(org.pk, {"id": f"CN-ORG-{org.pk}", "name": org.name, "roles": [], **extra})
        if role not in party["roles"]:
            party["roles"].append(role)
        return _org_ref(org)

    def list(self):
        return [{**p, "roles": sorted(p["roles"])} for p in self.rows.values()]


class _Data:
    """Everything about the tender, fetched once."""

    def __init__(self, tender):
        self.tender = tender
        self.lots = list(tender.lots.select_related("recommended_bid__institution", "contract__institution")
                         .prefetch_related("projects__plan", "regions").order_by("number"))
        self.projects = list(tender.projects.select_related("plan").order_by("code"))
        self.sealed = tender.is_sealed
        self.bids = [] if self.sealed else list(
            Bid.objects.filter(
                lot__tender=tender, status__in=[BidStatus.QUALIFIED, BidStatus.DISQUALIFIED])
            .select_related("institution", "lot").order_by("lot__number", "pk"))
        self.ranks = {} if self.sealed else dict(
            LotResult.objects.filter(lot__tender=tender).values_list("bid_id", "rank"))
        self.contracts = [lot.contract for lot in self.lots if _has_contract(lot)]
        self.transactions = {}
        for func in _IMPLEMENTATION:
            for contract_id, rows in func(self.contracts).items():
                self.transactions.setdefault(contract_id, []).extend(rows)


def _has_contract(lot) -> bool:
    try:
        return lot.contract is not None
    except lot._meta.get_field("contract").related_model.DoesNotExist:
        return False


def _planning(d: _Data) -> dict:
    plans = {p.plan_id: p.plan for p in d.projects}
    budget = sum((p.budget for p in d.projects), 0)
    plan = next(iter(plans.values()), None)
    out = {"rationale": "国培计划年度项目实施方案",
           "budget": {"description": "；".join(f"{p.code} {p.name}" for p in d.projects) or d.tender.title,
                      "amount": _money(budget)}}
    if plan is not None:
        out["budget"].update({"project": plan.title, "projectID": f"PLAN-{plan.pk}"})
    return out


def _items(d: _Data, lot=None):
    lots = [lot] if lot else d.lots
    return [{"id": p.code, "description": p.name, "quantity": p.quota * p.hours, "unit": {"name": "人·学时"},
             "relatedLot": f"lot-{lt.number}"} for lt in lots for p in lt.projects.all()]


def _tender(d: _Data, parties: _Parties) -> dict:
    t = d.tender
    buyer = parties.add(t.office, "procuringEntity")
    return {
        "id": t.reference, "title": t.title, "description": t.description or t.title,
        "status": TENDER_STATUS[t.status], "procurementMethod": "open", "procurementMethodDetails": "公开招标",
        "awardCriteria": "ratedCriteria", "awardCriteriaDetails": "综合评分法",
        "mainProcurementCategory": "services", "procuringEntity": buyer,
        "value": _money(sum((lot.budget for lot in d.lots), 0)),
        "tenderPeriod": {"startDate": _iso(t.announced_at), "endDate": _iso(t.bid_deadline)},
        "enquiryPeriod": {"startDate": _iso(t.announced_at), "endDate": _iso(t.clarification_deadline)},
        "awardPeriod": {"startDate": _iso(t.opened_at)} if t.opened_at else {},
        "items": _items(d),
        "lots": [{"id": f"lot-{lot.number}", "title": lot.name, "status": LOT_STATUS[lot.status],
                  "value": _money(lot.budget), "description": "、".join(r.name for r in lot.regions.all())}
                 for lot in d.lots],
    }


def _amendments(d: _Data) -> list:
    t = d.tender
    if not t.announced_at:
        return []
    events = timeline_for(t).filter(action="update", at__gt=t.announced_at)
    return [{"id": f"amendment-{e.pk}", "date": _iso(e.at), "rationale": e.reason or "招标文件变更",
             "description": "、".join(sorted(e.changes)) or "变更"} for e in events]


def _bids(d: _Data, parties: _Parties) -> dict | None:
    if d.sealed:  # R23: nothing of a bid before the opening
        return None
    details = []
    for bid in d.bids:
        parties.add(bid.institution, "tenderer")
        details.append({"id": str(bid.pk), "date": _iso(bid.received_at),
                        "status": "valid" if bid.status == BidStatus.QUALIFIED else "disqualified",
                        "tenderers": [_org_ref(bid.institution)], "value": _money(bid.price),
                        "relatedLots": [f"lot-{bid.lot.number}"]})
    return {"statistics": [{"id": "tenderers", "measure": "bids", "value": len(details)}], "details": details}


def _awards(d: _Data, parties: _Parties) -> list:
    awards = []
    for lot in d.lots:
        if lot.status in (LotStatus.NOTICE, LotStatus.CONTRACTED) and lot.recommended_bid:
            bid = lot.recommended_bid
            rank = d.ranks.get(bid.pk)
            awards.append({"id": f"award-{lot.number}", "title": lot.name, "status": "active",
                           "description": f"综合评分法，排名第{rank}" if rank else "综合评分法",
                           "date": _iso(lot.notice_published_at),
                           "suppliers": [parties.add(bid.institution, "supplier")],
                           "relatedLots": [f"lot-{lot.number}"], "relatedBid": str(bid.pk),
                           "value": _money(bid.price * sum(p.quota * p.hours for p in lot.projects.all())),
                           "items": _items(d, lot)})
    return awards


def _contracts(d: _Data, *, implementation: bool) -> list:
    out = []
    for lot in d.lots:
        if not _has_contract(lot):
            continue
        contract = lot.contract
        row = {"id": contract.reference, "awardID": f"award-{lot.number}", "status": "active",
               "title": lot.name, "dateSigned": _iso(contract.signed_at), "value": _money(contract.amount),
               "period": {"startDate": _day(min((p.start_date for p in lot.projects.all()), default=None)),
                          "endDate": _day(max((p.end_date for p in lot.projects.all()), default=None))},
               "items": [{"id": p.code, "description": p.name, "quantity": p.quota * p.hours,
                          "unit": {"name": "人·学时", "value": _money(contract.unit_price)}}
                         for p in lot.projects.all()]}
        if implementation:
            payer, payee = _org_ref(d.tender.office), _org_ref(contract.institution)
            row["implementation"] = {
                "transactions": [{**t, "payer": payer, "payee": payee}
                                 for t in d.transactions.get(contract.pk, [])],
                "milestones": [{"id": f"{p.code}-delivery", "title": f"{p.name} 培训实施",
                                "type": "delivery", "dueDate": _day(p.end_date),
                                "status": "met" if p.status in DONE_PROJECT_STATES else "scheduled"}
                               for p in lot.projects.all()],
            }
            if all(p.status in DONE_PROJECT_STATES for p in lot.projects.all()) and lot.projects.all():
                row["status"] = "terminated"  # delivered in full: the contract has run its course
        out.append(row)
    return out


def _base(d: _Data, *, release_id: str, date, tags: list) -> dict:
    date = date if isinstance(date, str) else _iso(date or timezone.now())
    return {"ocid": ocid(d.tender), "id": f"{d.tender.reference}-{release_id}", "date": date,
            "tag": tags, "initiationType": "tender", "language": "zh", "buyer": _org_ref(d.tender.office)}


def release(tender) -> dict:
    """The current state of the tender as one release (every stage reached so far)."""
    d = _Data(tender)
    parties = _Parties()
    parties.add(tender.office, "buyer", address={"region": tender.province.name, "countryName": "中国"})
    data = _base(d, release_id=f"{tender.status}", date=timezone.now(), tags=["planning", "tender"])
    data["planning"] = _planning(d)
    data["tender"] = _tender(d, parties)
    amendments = _amendments(d)
    if amendments:
        data["tender"]["amendments"] = amendments
        data["tag"].append("tenderAmendment")
    bids = _bids(d, parties)
    if bids is not None:
        data["bids"] = bids
        data["tender"]["numberOfTenderers"] = len({b["tenderers"][0]["id"] for b in bids["details"]})
        data["tag"].append("tenderUpdate")
    awards = _awards(d, parties)
    if awards:
        data["awards"] = awards
        data["tag"].append("award")
    contracts = _contracts(d, implementation=True)
    if contracts:
        data["contracts"] = contracts
        data["tag"].append("contract")
        if any(c["implementation"]["transactions"] for c in contracts):
            data["tag"].append("implementation")
    data["parties"] = parties.list()
    return data


def releases(tender) -> list[dict]:
    """One release per stage, each dated when the stage happened, for the record's history."""
    d = _Data(tender)
    parties = _Parties()
    parties.add(tender.office, "buyer", address={"region": tender.province.name, "countryName": "中国"})
    tender_section = _tender(d, parties)
    first = min([p.plan.filed_at for p in d.projects if p.plan.filed_at] or [tender.created_at])
    out = [{**_base(d, release_id="planning", date=first, tags=["planning"]), "planning": _planning(d),
            "tender": {"id": tender.reference, "status": "planning", "title": tender.title, "items": _items(d)},
            "parties": parties.list()}]
    if tender.announced_at:
        out.append({**_base(d, release_id="tender", date=tender.announced_at, tags=["tender"]),
                    "tender": {k: v for k, v in tender_section.items() if k != "awardPeriod"},
                    "parties": parties.list()})
    for amendment in _amendments(d):
        out.append({**_base(d, release_id=amendment["id"], date=amendment["date"], tags=["tenderAmendment"]),
                    "tender": {"id": tender.reference, "tenderPeriod": tender_section["tenderPeriod"],
                               "amendments": [amendment]}})
    bids = _bids(d, parties)
    if bids is not None and tender.opened_at:
        out.append({**_base(d, release_id="opening", date=tender.opened_at, tags=["tenderUpdate"]),
                    "tender": {"id": tender.reference, "status": tender_section["status"],
                               "lots": tender_section["lots"], "numberOfTenderers": len(
                                   {b["tenderers"][0]["id"] for b in bids["details"]})},
                    "bids": bids, "parties": parties.list()})
    awards = _awards(d, parties)
    for award in awards:
        out.append({**_base(d, release_id=award["id"], date=award["date"], tags=["award"]),
                    "awards": [award], "parties": parties.list()})
    for contract in _contracts(d, implementation=False):
        out.append({**_base(d, release_id=contract["id"], date=contract["dateSigned"], tags=["contract"]),
                    "contracts": [contract]})
    for contract in _contracts(d, implementation=True):
        impl = contract["implementation"]
        dates = [t["date"] for t in impl["transactions"] if t.get("date")]
        if impl["transactions"] or contract["status"] == "terminated":
            out.append({**_base(d, release_id=f"{contract['id']}-implementation",
                                date=max(dates) if dates else None, tags=["implementation"]),
                        "contracts": [{"id": contract["id"], "awardID": contract["awardID"],
                                       "status": contract["status"], "implementation": impl}]})
    return out


def _package_meta(published) -> dict:
    base = settings.OCDS_PUBLISHER_URI
    return {"version": "1.1", "publishedDate": _iso(published), "publisher": {"name": "国培计划管理平台",
                                                                              "uri": base},
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "publicationPolicy": f"{base}/ocds-policy", "extensions": EXTENSIONS}


def release_package(tender) -> dict:
    return {"uri": f"{settings.OCDS_PUBLISHER_URI}/api/v1/ocds/tenders/{tender.reference}/releases/",
            **_package_meta(timezone.now()), "releases": [release(tender)]}


def stage_release_package(tender) -> dict:
    return {"uri": f"{settings.OCDS_PUBLISHER_URI}/api/v1/ocds/tenders/{tender.reference}/releases/",
            **_package_meta(timezone.now()), "releases": releases(tender)}


def compiled_record(tender) -> dict:
    """The record: every release (embedded) and the compiled release, merged by ocdsmerge."""
    import ocdsmerge

    history = releases(tender)
    merger = ocdsmerge.Merger(schema=_release_schema())
    return {"ocid": ocid(tender), "releases": history, "compiledRelease": merger.create_compiled_release(history)}


def record_package(tender) -> dict:
    return {"uri": f"{settings.OCDS_PUBLISHER_URI}/api/v1/ocds/tenders/{tender.reference}/record/",
            **{k: v for k, v in _package_meta(timezone.now()).items()}, "records": [compiled_record(tender)]}


def yearly_package(year: int) -> dict:
    """Every public tender announced in `year`, as one release package (bulk download)."""
    tenders = Tender.objects.filter(announced_at__year=year).exclude(status=TenderStatus.DRAFT).select_related(
        "office", "province").order_by("announced_at", "pk")
    return {"uri": f"{settings.OCDS_PUBLISHER_URI}/api/v1/ocds/years/{year}/",
            **_package_meta(timezone.now()), "releases": [r for t in tenders for r in releases(t)]}


_SCHEMA = None


def _release_schema() -> dict:
    global _SCHEMA
    if _SCHEMA is None:
        import json
        from pathlib import Path

        _SCHEMA = json.loads((Path(__file__).parent / "release-schema.json").read_text())
    return _SCHEMA
