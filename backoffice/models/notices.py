from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeStage(models.TextChoices):
    BEFORE = "before", _("Due soon")
    DUE = "due", _("Due today")


class Notice(models.Model):
    """A reminder of one deadline for one person (R4): shown in the product and sent by e-mail, once per stage.

    The unique key makes the reminder run idempotent; `emailed_at` is the outbox flag the e-mail sender claims."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
                             related_name="notices")
    kind = models.CharField(_("deadline kind"), max_length=64)
    object_key = models.CharField(_("object"), max_length=64)
    stage = models.CharField(_("reminder"), max_length=8, choices=NoticeStage.choices)
    due_at = models.DateTimeField(_("due"))
    subject = models.CharField(_("subject"), max_length=255)
    url = models.CharField(_("link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_wanted = models.BooleanField(_("send by e-mail"), default=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # R4: each reminder is sent once; a moved deadline (R22) is a new one.
            models.UniqueConstraint(fields=["user", "kind", "object_key", "stage", "due_at"], name="notice_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at"]),
                   models.Index(fields=["emailed_at"], condition=models.Q(emailed_at__isnull=True),
                                name="notice_email_outbox")]

    def __str__(self):
        return f"{self.user} · {self.kind} · {self.subject}"
