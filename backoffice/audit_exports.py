"""The audit trail as a workbook (issue 13): the audit page's rows with its filters, written by a background job
(backoffice.exports) because a province's trail holds millions of events. Rows are read as plain values with a
server-side cursor in the page's index order (audit_list_region); object types and state names come from the
small content-type table and the models' declarations, once per type, never a query per row."""
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import selectors
from backoffice.audit import _workflow_labels
from backoffice.exceptions import DomainError, ScopeError
from backoffice.exports import Export
from backoffice.models import AuditAction
from backoffice.spreadsheets import Col

CHUNK = 5000
FIELDS = ("at", "actor_name", "ip_address", "content_type_id", "object_repr", "action", "transition", "from_state",
          "to_state", "reason")


def _rows(qs):
    actions = {value: str(label) for value, label in AuditAction.choices}
    types: dict[int, tuple] = {}
    for at, actor, ip, type_id, obj, action, transition, before, after, reason in (
            qs.values_list(*FIELDS).iterator(chunk_size=CHUNK)):
        if type_id not in types:
            content_type = ContentType.objects.get_for_id(type_id)  # cached by Django after the first read
            types[type_id] = (str(content_type.name), *_workflow_labels(content_type.model_class()))
        name, states, transitions = types[type_id]
        yield [at, actor, ip or "", name, obj, actions.get(action, action), transitions.get(transition, ""),
               states.get(before, before), states.get(after, after), reason]


def audit_trail(*, user, params) -> Export:
    """Every event the audit page shows the reader (R2: their region), narrowed by its filters."""
    from backoffice.filters import AuditFilter

    if not user.has_perm("backoffice.view_audit"):
        raise ScopeError("forbidden", _("Your role does not allow this export."))
    filtered = AuditFilter({k: v for k, v in params.items() if v},
                           queryset=selectors.audit_list_visible_to(user=user).select_related(None))
    if not filtered.is_valid():
        raise DomainError("bad_filter", _("The filter is not valid; correct it on the list and export again."))
    qs = filtered.qs.order_by("-at", "-id")
    columns = [Col(_("Time"), 17, "datetime"), Col(_("By"), 14), Col(_("IP address"), 15), Col(_("object type"), 14),
               Col(_("Object"), 36), Col(_("Action"), 10), Col(_("State change"), 14), Col(_("From"), 12),
               Col(_("To"), 12), Col(_("Reason"), 40)]
    return Export(title=_("Audit trail"), filename=f"audit-{timezone.localdate():%Y%m%d}.xlsx", columns=columns,
                  rows=_rows(qs), total=qs.count, audited=user,
                  changes={"filter": (None, ", ".join(f"{k}={v}" for k, v in sorted(params.items()) if v))})
