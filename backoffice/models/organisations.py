from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry of Education")
    PROVINCE_DEPARTMENT = "province_department", _("Province education department")
    PROJECT_OFFICE = "project_office", _("Provincial project office")
    CITY_BUREAU = "city_bureau", _("City education bureau")
    COUNTY_BUREAU = "county_bureau", _("County education bureau")
    SCHOOL = "school", _("School")
    INSTITUTION = "institution", _("Training institution")
    EVALUATOR = "evaluator", _("Third-party evaluator")


GOVERNMENT_KINDS = frozenset({
    OrganisationKind.MINISTRY, OrganisationKind.PROVINCE_DEPARTMENT, OrganisationKind.PROJECT_OFFICE,
    OrganisationKind.CITY_BUREAU, OrganisationKind.COUNTY_BUREAU,
})


class SchoolStage(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")
    VOCATIONAL = "vocational", _("Vocational")
    SPECIAL = "special", _("Special education")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices, db_index=True)
    # Only the ministry is national and has no region.
    region = models.ForeignKey(
        "backoffice.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations",
        null=True, blank=True,
    )
    code = models.CharField(
        _("organisation code"), max_length=32, unique=True, null=True, blank=True,
        help_text=_("Unified social credit code, or the school code for schools."),
    )
    stage = models.CharField(_("school stage"), max_length=16, choices=SchoolStage.choices, blank=True)
    is_rural = models.BooleanField(_("rural"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "region", "name"], name="organisation_unique_name"),
            models.CheckConstraint(
                condition=models.Q(kind="ministry") | models.Q(region__isnull=False), name="organisation_has_region"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def province(self):
        """The province the organisation belongs to; None for the ministry (national)."""
        return self.region.province if self.region_id else None

    @property
    def is_government(self) -> bool:
        return self.kind in GOVERNMENT_KINDS
