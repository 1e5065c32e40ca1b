"""Reads, always scoped to the user (R2)."""
import inspect

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.translation import gettext as _

from backoffice import scoping
from backoffice.models import AuditEvent, Organisation, Teacher
from backoffice.models.teachers import TEACHER_LIST_ORDER
from backoffice.permissions import can_read_audit
from backoffice.scoping import scope_for


def visible_or_404(selector, *, user, pk):
    """The row `pk` through an app's scoped selector: `selector(user=, pk=)` returns it, or `selector(user=)`
    returns the visible queryset. A row out of scope answers 404, as one that does not exist (R2)."""
    try:
        if "pk" in inspect.signature(selector).parameters:
            return selector(user=user, pk=pk)
        return selector(user=user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404 from exc


def organisation_list_visible_to(*, user):
    # Three levels of regions: a county's full name reads its city and province (no query per row).
    return scope_for(user).organisations(Organisation.objects.select_related("region__parent__parent"))


def teacher_list_visible_to(*, user):
    """In TEACHER_LIST_ORDER, which the registry's indexes serve with or without the stage filter (issue 13)."""
    scope = scope_for(user)
    qs = Teacher.objects.select_related("school", "region").order_by(*TEACHER_LIST_ORDER)
    if scope.kind == scoping.REGION and len(scope.region_prefix) == 6:
        # A county's own id: the planner then walks teacher_list_order instead of sorting the county's teachers.
        return qs.filter(region_id=user.organisation.region_id)
    return scope.teachers(qs)


def audit_list_visible_to(*, user):
    """Auditors and province/ministry staff read the trail of their region; nobody reads outside it."""
    scope = scope_for(user)
    qs = AuditEvent.objects.select_related("content_type", "actor")
    if scope.kind == scoping.ALL:
        return qs
    if scope.kind == scoping.REGION and can_read_audit.test(user):
        return qs.filter(region_code__startswith=scope.region_prefix)
    return qs.none()


# What the audit page shows (templates/backoffice/audit_list.html): not the actor's row nor the changes (issue 13).
AUDIT_LIST_COLUMNS = ("at", "actor_name", "ip_address", "content_type", "object_repr", "action", "transition",
                      "from_state", "to_state", "reason")


def audit_page_visible_to(*, user):
    return audit_list_visible_to(user=user).select_related(None).select_related("content_type").only(
        *AUDIT_LIST_COLUMNS)


def audit_object_types():
    """The product's own kinds of objects, from the small content-type table (never a DISTINCT over the trail,
    which grows by millions of rows; issue 13); row histories and the libraries' tables are left out."""
    from django.apps import apps
    from django.conf import settings

    base = str(settings.BASE_DIR)
    models = [m for config in apps.get_app_configs()
              if config.path.startswith(base) and "site-packages" not in config.path
              for m in config.get_models() if not m._meta.model_name.startswith("historical")]
    types = ContentType.objects.get_for_models(*models, for_concrete_models=False).values()
    return ContentType.objects.filter(pk__in=[t.pk for t in types]).order_by("app_label", "model")


def scope_summary(*, user) -> dict:
    scope = scope_for(user)
    org = getattr(user, "organisation", None)
    role = user.get_role_display() if getattr(user, "role", "") else _("Administrator")
    if scope.kind == scoping.ALL:
        label = _("Nationwide")
    elif scope.kind == scoping.REGION:
        label = org.region.full_name
    elif scope.kind == scoping.ORGANISATION:
        label = org.name
    elif scope.kind == scoping.ASSIGNED:
        label = _("Items assigned to me")
    else:
        label = _("Nothing")
    note = f"{role} · {org.name}" if org else role
    if scope.read_only:
        note += " · " + _("read only")
    return {"label": label, "note": note}


def batch_jobs_visible_to(*, user):
    """A document batch holds what its author's scope showed them, so only its author reads it."""
    from backoffice.models import DocumentBatchJob

    if not user.is_authenticated:
        return DocumentBatchJob.objects.none()
    return DocumentBatchJob.objects.filter(created_by=user)


def export_jobs_visible_to(*, user):
    """An export holds what its author's scope showed them, so only its author reads it."""
    from backoffice.models import ExportJob

    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(created_by=user)
