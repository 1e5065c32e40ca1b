"""Rows the audit trail speaks of (R3): where their events are filed, so auditors read their region (R2), and for
rows someone records, who recorded them and when.

`audit_region` names the dotted path from the row to the Region its events are filed under; a tuple gives
fallbacks, the first that resolves wins. A system check refuses a path that does not lead to a Region.
"""
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def audit_region_paths(model_or_obj) -> tuple[str, ...]:
    """The dotted paths to the Region, first choice first; a model that names none is filed by its `region`."""
    paths = getattr(model_or_obj, "audit_region", None) or ("region",)
    return (paths,) if isinstance(paths, str) else tuple(paths)


def audit_region_code(obj) -> str:
    """The code of the Region `obj`'s events are filed under ("" when no path resolves)."""
    for path in audit_region_paths(obj):
        target = obj
        for part in path.split("."):
            target = getattr(target, part, None)
            if target is None:
                break
        if target is not None:
            return getattr(target, "code", "") or ""
    return ""


def audit_region_lookup(model) -> str:
    """The first path as a query lookup to the region's code (set-based work reads it with the rows)."""
    return audit_region_paths(model)[0].replace(".", "__") + "__code"


class Audited(models.Model):
    """A row whose changes the audit trail records, filed under the Region at `audit_region`."""

    audit_region: str | tuple[str, ...] = "region"

    class Meta:
        abstract = True

    @classmethod
    def check(cls, **kwargs):
        return [*super().check(**kwargs), *cls._check_audit_region()]

    @classmethod
    def _check_audit_region(cls) -> list:
        errors = []
        for path in audit_region_paths(cls):
            model = cls
            for part in path.split("."):
                try:
                    field = model._meta.get_field(part)
                except FieldDoesNotExist:
                    model = None
                else:
                    model = field.related_model if field.is_relation and not field.many_to_many else None
                if model is None:
                    break
            if model is None or model._meta.label != "backoffice.Region":
                errors.append(checks.Error(f"audit_region path {path!r} does not lead to a Region.", obj=cls,
                                           id="backoffice.E010"))
        return errors


def _created_by(label, **options):
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=label, on_delete=models.PROTECT,
                             related_name="+", **options)


class Recorded(Audited):
    """A row someone creates (a plan, a project, a tender, a scheme): who and when."""

    created_by = _created_by(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        abstract = True


class Logged(Audited):
    """An entry someone records in a register (an inspection visit, a fee, a commitment): who and when."""

    created_by = _created_by(_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        abstract = True

    @staticmethod
    def optional_recorder():
        """For entries the system may make alone (an automatic adjustment): the recorder may be empty."""
        return _created_by(_("recorded by"), null=True, blank=True)
