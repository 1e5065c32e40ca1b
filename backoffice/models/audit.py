from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.exceptions import DomainError


class AuditAction(models.TextChoices):
    TRANSITION = "transition", _("State change")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")


class AuditEvent(models.Model):
    """R3: one row per state change or change to money, eligibility or scores. Append-only."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("by (name)"), max_length=128, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    content_type = models.ForeignKey(ContentType, verbose_name=_("object type"), on_delete=models.PROTECT)
    object_id = models.CharField(_("object id"), max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=255)
    # The region the object belongs to, so auditors can search their region without joining every table.
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    transition = models.CharField(_("transition"), max_length=64, blank=True)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"]),
            # The trail's order, alone (a province, date ranges) and within one county's or city's code (issue 13).
            models.Index(fields=["-at", "-id"], name="audit_list_order"),
            models.Index(fields=["region_code", "-at", "-id"], name="audit_list_region",
                         opclasses=["varchar_pattern_ops", "", ""]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise DomainError("audit_immutable", _("Audit records cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError("audit_immutable", _("Audit records cannot be deleted."))
