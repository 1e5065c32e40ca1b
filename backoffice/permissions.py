"""Role and scope predicates (rules). Transitions combine them: role AND region/organisation scope."""
import rules

from backoffice.models import Role
from backoffice.scoping import scope_for


def has_role(*roles):
    names = {str(r) for r in roles}

    @rules.predicate(name=f"has_role({','.join(sorted(names))})")
    def check(user, obj=None):
        return bool(user and user.is_authenticated and user.is_active and (user.role in names))

    return check


@rules.predicate
def is_superuser(user, obj=None):
    return bool(user and user.is_superuser)


@rules.predicate
def can_write(user, obj=None):
    return scope_for(user).can_write


def in_region_of(path: str):
    """True when the object's region (found at dotted `path`) lies within the user's region scope."""

    @rules.predicate(name=f"in_region_of({path})")
    def check(user, obj):
        target = obj
        for part in path.split("."):
            target = getattr(target, part, None) if target is not None else None
        return scope_for(user).covers_region(target)

    return check


def owned_by(path: str):
    """True when the object's organisation (at dotted `path`) is the user's own organisation."""

    @rules.predicate(name=f"owned_by({path})")
    def check(user, obj):
        target = obj
        for part in path.split("."):
            target = getattr(target, part, None) if target is not None else None
        return target is not None and user.organisation_id is not None and target.pk == user.organisation_id

    return check


is_government = has_role(
    Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.CITY_STAFF, Role.COUNTY_STAFF
)
is_auditor = has_role(Role.AUDITOR)
can_read_audit = is_superuser | has_role(
    Role.AUDITOR, Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.FINANCE_OFFICER
)

rules.add_perm("backoffice.view_audit", can_read_audit)
rules.add_perm("backoffice.view_teacher_registry", is_superuser | is_government | is_auditor | has_role(Role.SCHOOL_ADMIN))
# Finance officers settle with institutions and counties: they read the organisation register, not the teachers'.
rules.add_perm("backoffice.view_organisations",
               is_superuser | is_government | is_auditor | has_role(Role.SCHOOL_ADMIN, Role.FINANCE_OFFICER))
# R4: the province (and the ministry, and auditors reading) sees everything overdue in its region.
rules.add_perm("backoffice.view_overdue",
               is_superuser | has_role(Role.PROVINCE_STAFF, Role.MINISTRY_STAFF, Role.AUDITOR))



# R5: auditors read only (R2) and experts act on assigned items only: neither issues API keys.
issues_api_keys = is_superuser | ~has_role(Role.AUDITOR, Role.EXPERT)


@rules.predicate
def may_issue_api_keys(user, obj=None):
    """R5: the staff of an organisation (or of the level above) issue its API keys; auditors and experts do not."""
    from backoffice.api.keys import may_issue_for

    return bool(user and user.is_authenticated) and may_issue_for(user, obj or user.organisation)


rules.add_perm("backoffice.issue_api_key", may_issue_api_keys)
