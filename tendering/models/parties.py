"""Institutions (profile, qualifications, R21) and the expert pool (R25), and the holiday calendar."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.files import UploadTo


class Holiday(models.Model):
    """Public holidays that are not working days (weekends are skipped anyway); working Saturdays (调休) too."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=64)
    is_working_day = models.BooleanField(_("working day (make-up day)"), default=False)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"



# -- institutions and experts ------------------------------------------------------------------------
class QualificationKind(models.TextChoices):
    LEGAL_ENTITY = "legal_entity", _("Legal entity certificate")
    TRAINING_LICENCE = "training_licence", _("Training licence")
    TAX_CREDIT = "tax_credit", _("Tax credit certificate")
    QUALITY_SYSTEM = "quality_system", _("Quality management certification")
    NO_VIOLATION = "no_violation", _("Statement of no serious violation")



class InstitutionProfile(models.Model):
    institution = models.OneToOneField(
        "backoffice.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="tender_profile",
        limit_choices_to={"kind": "institution"},
    )
    description = models.TextField(_("introduction"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    staff_count = models.PositiveIntegerField(_("training staff"), default=0)
    # R21 track record: past national or provincial projects, one per line ("2024 国培 … (national)").
    track_record = models.TextField(_("past national or provincial projects"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("institution profile")
        verbose_name_plural = _("institution profiles")

    def __str__(self):
        return str(self.institution)

    @property
    def track_record_lines(self) -> list[str]:
        return [line.strip() for line in self.track_record.splitlines() if line.strip()]



def qualification_path(instance, filename):
    """Only migration 0001 still names this; new files go through UploadTo (issue 11 #3)."""
    return UploadTo("qualifications")(instance, filename)



class Qualification(models.Model):
    institution = models.ForeignKey(
        "backoffice.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="qualifications",
    )
    kind = models.CharField(_("qualification"), max_length=32, choices=QualificationKind.choices)
    number = models.CharField(_("certificate number"), max_length=64, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to=UploadTo("qualifications"))
    document_name = models.CharField(_("document file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["institution", "kind"]

    def __str__(self):
        return f"{self.institution} · {self.get_kind_display()}"

    def is_valid_on(self, day) -> bool:
        return self.valid_until is None or self.valid_until >= day



class ExpertProfile(models.Model):
    """A member of the expert pool (评审专家库) and what R25 needs to exclude conflicts."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("expert"), on_delete=models.PROTECT,
                                related_name="expert_profile")
    employer = models.ForeignKey("backoffice.Organisation", verbose_name=_("current employer"), on_delete=models.PROTECT,
                                 related_name="+", null=True, blank=True)
    speciality = models.CharField(_("speciality"), max_length=128, blank=True)
    declared_relations = models.ManyToManyField(
        "backoffice.Organisation", verbose_name=_("declared relations"), blank=True, related_name="related_experts",
        help_text=_("Organisations the expert declares a relation with (family, shares, consulting)."),
    )
    is_active = models.BooleanField(_("in the pool"), default=True)

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")
        ordering = ["user__username"]

    def __str__(self):
        return str(self.user)



class ExpertEmployment(models.Model):
    """Past employers: R25 excludes anyone who worked for a bidder in the last 3 years."""

    expert = models.ForeignKey(ExpertProfile, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="employments")
    organisation = models.ForeignKey("backoffice.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="+")
    ended_on = models.DateField(_("left on"))

    class Meta:
        verbose_name = _("past employment")
        verbose_name_plural = _("past employments")
