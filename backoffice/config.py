"""Registry of the adjustable numbers in RULES.md (*setting*): defaults in code, values in ProgrammeSetting."""
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: object
    label: str | Promise
    rule: str = ""
    cast: type = int


REGISTRY: dict[str, SettingSpec] = {}


def register_setting(key: str, *, default, label, rule: str = "", cast: type | None = None) -> SettingSpec:
    spec = SettingSpec(key=key, default=default, label=label, rule=rule, cast=cast or type(default))
    REGISTRY[key] = spec
    return spec


def _province_of(region):
    if region is None:
        return None
    return region.province_code if hasattr(region, "province_code") else str(region)[:2] + "0000"


def get_setting(key: str, *, region=None):
    """The value for the province containing `region`, else the national value, else the default."""
    from backoffice.models import ProgrammeSetting

    spec = REGISTRY[key]
    province_code = _province_of(region)
    rows = ProgrammeSetting.objects.filter(key=key).select_related("province")
    value, found = spec.default, False
    for row in rows:
        if row.province_id is None and not found:
            value = row.value
        elif province_code and row.province and row.province.code == province_code:
            value, found = row.value, True
    return Decimal(str(value)) if spec.cast is Decimal else spec.cast(value)


def setting_set(*, key: str, value, actor, province=None):
    """Change a setting; the history table and the audit trail record who and when."""
    from django.db import transaction

    from backoffice.audit import audit_record
    from backoffice.models import ProgrammeSetting

    spec = REGISTRY[key]
    stored = str(value) if spec.cast is Decimal else spec.cast(value)
    with transaction.atomic():
        row, created = ProgrammeSetting.objects.select_for_update().get_or_create(
            key=key, province=province, defaults={"value": stored, "updated_by": actor}
        )
        before = None if created else row.value
        if not created:
            row.value, row.updated_by = stored, actor
            row.save()
        audit_record(obj=row, actor=actor, action="update", changes={"value": (before, stored)})
    return row
