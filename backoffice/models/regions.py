from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


def region_level_of(code: str) -> str:
    """R1: the level follows from the six digits."""
    if not (len(code) == 6 and code.isdigit()):
        raise ValidationError(_("A region code has six digits."), code="region_code_format")
    if code[2:] == "0000":
        return RegionLevel.PROVINCE
    if code[4:] == "00":
        if code[2:4] == "90":
            raise ValidationError(
                _("Code %(code)s is a grouping of province-administered counties, not a region.") % {"code": code},
                code="region_code_grouping",
            )
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def region_parent_code(code: str) -> str | None:
    """R1: a county's parent is its city, or the province when the city digits are 90."""
    level = region_level_of(code)
    if level == RegionLevel.PROVINCE:
        return None
    if level == RegionLevel.CITY or code[2:4] == "90":
        return code[:2] + "0000"
    return code[:4] + "00"


def region_prefix(code: str) -> str:
    """The significant leading digits: every code under a region starts with them."""
    level = region_level_of(code)
    return {RegionLevel.PROVINCE: code[:2], RegionLevel.CITY: code[:4]}.get(level, code)


class Region(models.Model):
    code = models.CharField(_("region code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_priority_county = models.BooleanField(
        _("national key county for rural revitalisation"), default=False,
        help_text=_("National key county for rural revitalisation: projects reserve quota for its rural teachers."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["code"], name="region_code_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        return region_prefix(self.code)

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed([n for n in names if n != "市辖区"]))

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def province(self) -> "Region":
        """The province this region lies in (itself for a province); one query at most, then cached."""
        if self.level == RegionLevel.PROVINCE:
            return self
        if not hasattr(self, "_province"):
            self._province = Region.objects.get(code=self.province_code)
        return self._province

    def is_within(self, other: "Region") -> bool:
        return self.code.startswith(other.prefix)

    def clean(self):
        self.level = region_level_of(self.code)
        parent_code = region_parent_code(self.code)
        if parent_code is None:
            self.parent = None
        else:
            parent = Region.objects.filter(code=parent_code).first()
            if parent is None:
                raise ValidationError(
                    _("Parent region %(code)s does not exist.") % {"code": parent_code}, code="region_parent_missing"
                )
            self.parent = parent
