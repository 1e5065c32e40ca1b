from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ProgrammeSetting(models.Model):
    """A rule's adjustable number (*setting* in the rules): one value per province, with history."""

    key = models.CharField(_("setting"), max_length=64)
    province = models.ForeignKey(
        "backoffice.Region", verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True,
        limit_choices_to={"level": "province"}, help_text=_("Empty: applies to every province without its own value."),
    )
    value = models.JSONField(_("value"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme setting")
        verbose_name_plural = _("programme settings")
        constraints = [
            models.UniqueConstraint(fields=["key", "province"], name="setting_unique_per_province"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(province__isnull=True), name="setting_unique_default"
            ),
        ]

    def __str__(self):
        return self.key
