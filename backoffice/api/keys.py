"""Issuing, revoking and using API keys (R5)."""
import copy
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError
from backoffice.models import ApiKey, Organisation, OrganisationKind, Role
from backoffice.scoping import scope_for

from .scopes import SCOPES

TOKEN_PREFIX = "gp"
MAX_DAYS = 366

# The role a key acts with when it is issued for an organisation below the issuer's own (R5: "acts as one
# organisation"); an evaluator's platform has no role that reads through the API.
KIND_ROLES = {
    OrganisationKind.MINISTRY: Role.MINISTRY_STAFF, OrganisationKind.PROVINCE_DEPARTMENT: Role.PROVINCE_STAFF,
    OrganisationKind.PROJECT_OFFICE: Role.PROJECT_OFFICE_STAFF, OrganisationKind.CITY_BUREAU: Role.CITY_STAFF,
    OrganisationKind.COUNTY_BUREAU: Role.COUNTY_STAFF, OrganisationKind.SCHOOL: Role.SCHOOL_ADMIN,
    OrganisationKind.INSTITUTION: Role.INSTITUTION_STAFF,
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_issue_for(user, organisation) -> bool:
    """R5: the organisation's own staff or the level above (a government scope that covers it); never an
    auditor (reads only, R2) or an expert (acts on assigned items only)."""
    from backoffice.permissions import issues_api_keys

    if not user.is_authenticated or not issues_api_keys.test(user):
        return False
    scope = scope_for(user)
    if not scope.can_write or organisation is None:
        return False
    if organisation.pk == user.organisation_id:
        return True
    return organisation.kind in KIND_ROLES and scope.kind in ("all", "region") and \
        scope.covers_organisation(organisation)


def issuable_organisations(user):
    """The organisations the user may issue keys for, for the form."""
    scope = scope_for(user)
    if not may_issue_for(user, user.organisation) and not user.is_superuser:
        return Organisation.objects.none()
    own = Organisation.objects.filter(pk=user.organisation_id)
    if scope.kind in ("all", "region"):
        return (scope.organisations(Organisation.objects.filter(kind__in=list(KIND_ROLES))) | own).distinct()
    return own


def api_key_issue(*, actor, organisation, label: str, scopes: list[str], days: int) -> tuple[ApiKey, str]:
    """Issue a key; returns it and the full token, which is never stored or shown again."""
    if not may_issue_for(actor, organisation):
        raise DomainError("api_key_issue_refused", _("You may issue keys only for your own organisation or one "
                                                     "under your area."))
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise DomainError("api_key_scopes", _("Choose at least one known scope."))
    if not 1 <= days <= MAX_DAYS:
        raise DomainError("api_key_expiry", _("A key is valid for 1 to %(days)s days.") % {"days": MAX_DAYS})
    label = (label or "").strip()
    if not label:
        raise DomainError("api_key_label", _("Give the key a label."))
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(label=label[:100], organisation=organisation, issued_by=actor, prefix=prefix,
                                    key_hash=_hash(token), scopes=sorted(set(scopes)),
                                    expires_at=timezone.now() + timedelta(days=days))
        audit_record(obj=key, actor=actor, action="create", changes={
            "scopes": (None, ",".join(key.scopes)), "expires_at": (None, key.expires_at),
            "organisation": (None, organisation.name)})
    return key, token


def api_key_revoke(*, actor, key: ApiKey) -> ApiKey:
    """Revoked at once: the next call with it is refused."""
    if not may_issue_for(actor, key.organisation):
        raise DomainError("api_key_revoke_refused", _("You may not revoke this key."))
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is not None:
            raise DomainError("api_key_revoked", _("This key is already revoked."))
        key.revoked_at, key.revoked_by = timezone.now(), actor
        key.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(obj=key, actor=actor, action="update", changes={"revoked_at": (None, key.revoked_at)})
    return key


def api_key_list_visible_to(*, user):
    """Keys of the organisations the user may issue for (R2)."""
    if not user.is_authenticated:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(organisation__in=issuable_organisations(user)).select_related(
        "organisation", "issued_by", "revoked_by")


def key_from_token(token: str) -> ApiKey | None:
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    key = ApiKey.objects.select_related("organisation__region", "issued_by__organisation__region").filter(
        prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(token)):
        return None
    return key


def _never_saved(*args, **kwargs):
    raise RuntimeError("an API key's principal is never saved")


def principal_for(key: ApiKey):
    """The user the key acts as: its issuer's person (so the audit trail names the issuer and the key, R3), with
    the issuer's role when the key is for the issuer's own organisation, else the role of the organisation's staff.
    Either way the organisation is within the issuer's reach, so the key never reaches further than the issuer
    (R5)."""
    issuer = key.issued_by
    user = copy.copy(issuer)
    user._state = copy.copy(issuer._state)
    user._state.fields_cache = dict(issuer._state.fields_cache)  # the issuer's own cache stays as it was
    user.full_name = f"{issuer} · API密钥「{key.label}」"[:128]
    user.save = _never_saved
    if key.organisation_id != issuer.organisation_id:
        user.role = KIND_ROLES.get(key.organisation.kind, "")
        user.organisation = key.organisation
        user.is_superuser = False
    user.api_key = key
    return user


def key_usable(key: ApiKey) -> bool:
    """A revoked or expired key, or one whose issuer left or may no longer issue for it, is refused."""
    return key.is_active and key.issued_by.is_active and may_issue_for(key.issued_by, key.organisation)
