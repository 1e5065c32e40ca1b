"""Loads the shipped GB/T 2260 codes (backoffice/data/regions, 2023) into Region, set-based."""
import csv
from pathlib import Path

from django.db import transaction

from backoffice.models import Region, RegionLevel, region_parent_code

DATA_DIR = Path(__file__).resolve().parent / "data" / "regions"
# Demo flags only: the real 国家乡村振兴重点帮扶县 list is maintained by the province in the admin.
DEMO_PRIORITY_COUNTIES = {"360321", "360423", "360726", "360730", "360733", "360735", "361030", "361128"}


def _rows(province_codes):
    keep = (lambda code: code[:2] in province_codes) if province_codes else (lambda code: True)
    with open(DATA_DIR / "provinces.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if keep(r["code"]):
                yield r["code"] + "0000", r["name"], RegionLevel.PROVINCE
    with open(DATA_DIR / "cities.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            # PP90 only groups province-administered counties (R1); it is not a region.
            if keep(r["code"]) and r["code"][2:] != "90":
                yield r["code"] + "00", r["name"], RegionLevel.CITY
    with open(DATA_DIR / "areas.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            # A city without counties (东莞市 441900) repeats itself in areas.csv.
            if keep(r["code"]) and not r["code"].endswith("00"):
                yield r["code"], r["name"], RegionLevel.COUNTY


def regions_load(*, province_codes: set[str] | None = None) -> int:
    """Create the missing regions of the given provinces (two-digit codes; all when empty). Idempotent."""
    rows = list(_rows(province_codes))
    existing = set(Region.objects.filter(code__in=[r[0] for r in rows]).values_list("code", flat=True))
    created = 0
    with transaction.atomic():
        # Parents first: provinces, then cities, then counties, each level in one insert.
        for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY):
            parent_ids = dict(Region.objects.values_list("code", "id"))
            batch = []
            for code, name, row_level in rows:
                if row_level != level or code in existing:
                    continue
                parent_code = region_parent_code(code)
                batch.append(Region(
                    code=code, name=name, level=level,
                    parent_id=parent_ids[parent_code] if parent_code else None,
                    is_priority_county=code in DEMO_PRIORITY_COUNTIES,
                ))
            Region.objects.bulk_create(batch, batch_size=1000)
            created += len(batch)
    return created
