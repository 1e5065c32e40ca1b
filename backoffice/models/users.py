from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY_STAFF = "ministry_staff", _("Ministry staff")
    PROVINCE_STAFF = "province_staff", _("Province staff")
    PROJECT_OFFICE_STAFF = "project_office_staff", _("Project office staff")
    CITY_STAFF = "city_staff", _("City staff")
    COUNTY_STAFF = "county_staff", _("County staff")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    INSTITUTION_STAFF = "institution_staff", _("Institution staff")
    EXPERT = "expert", _("Expert")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    AUDITOR = "auditor", _("Auditor")


# R2: these roles act on their organisation's region and everything under it.
REGION_ROLES = frozenset({
    Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.CITY_STAFF,
    Role.COUNTY_STAFF, Role.FINANCE_OFFICER, Role.AUDITOR,
})
# R2: these act on their own organisation only.
ORGANISATION_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.INSTITUTION_STAFF})
READ_ONLY_ROLES = frozenset({Role.AUDITOR})

# Which organisation kinds a role may belong to.
ROLE_ORGANISATION_KINDS = {
    Role.MINISTRY_STAFF: {"ministry"},
    Role.PROVINCE_STAFF: {"province_department"},
    Role.PROJECT_OFFICE_STAFF: {"project_office"},
    Role.CITY_STAFF: {"city_bureau"},
    Role.COUNTY_STAFF: {"county_bureau"},
    Role.SCHOOL_ADMIN: {"school"},
    Role.INSTITUTION_STAFF: {"institution"},
    Role.EXPERT: {"institution", "evaluator", "school", "province_department", "project_office", "ministry"},
    Role.FINANCE_OFFICER: {"province_department", "project_office", "city_bureau", "county_bureau"},
    Role.AUDITOR: {"ministry", "province_department", "city_bureau", "county_bureau", "evaluator"},
}


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        "backoffice.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    @property
    def region(self):
        return self.organisation.region if self.organisation_id else None

    @property
    def province(self):
        return self.organisation.province if self.organisation_id else None

    @property
    def is_read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES
