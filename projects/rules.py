"""Guards (R10-R14) and role-and-scope permissions (R15) for plans and projects.

Guards are pure functions of the instance with a coded, translatable reason; permissions are `rules`
predicates on (user, object). projects/models.py attaches them to the declared transitions. This module
must not import projects.models (the models import it), so states are compared by their string values.
"""
import datetime as dt
from decimal import Decimal

import rules
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.config import get_setting, register_setting
from backoffice.models import Role
from backoffice.permissions import can_write, has_role, in_region_of, is_superuser, owned_by
from backoffice.workflow import guard, permission
from backoffice.money import yuan

# -- settings (RULES.md *setting*) -----------------------------------------------------------------
TEAM_RESEARCH_MIN_DAYS = "projects.team_research_min_days"
TEAM_RESEARCH_MIN_SHADOWING_SHARE = "projects.team_research_min_shadowing_share"
ONLINE_RESEARCH_MIN_HOURS = "projects.online_research_min_hours"
SUSPENSION_START = "projects.offline_suspension_start"
SUSPENSION_END = "projects.offline_suspension_end"


def register_settings():
    register_setting(TEAM_RESEARCH_MIN_DAYS, default=90, rule="R11",
                     label=gettext_lazy("Team research: minimum days"))
    register_setting(TEAM_RESEARCH_MIN_SHADOWING_SHARE, default=Decimal("0.3333"), rule="R11",
                     label=gettext_lazy("Team research: minimum share of shadowing days (0-1)"))
    register_setting(ONLINE_RESEARCH_MIN_HOURS, default=80, rule="R11",
                     label=gettext_lazy("Online research: minimum hours"))
    register_setting(SUSPENSION_START, default="", cast=str, rule="R14",
                     label=gettext_lazy("Emergency suspension of offline training: first day (YYYY-MM-DD, empty for none)"))
    register_setting(SUSPENSION_END, default="", cast=str, rule="R14",
                     label=gettext_lazy("Emergency suspension of offline training: last day (YYYY-MM-DD, empty for none)"))


register_settings()

ACTIVE_EXCLUDED = ("cancelled",)


# -- R11: hours, quota, dates and category minimums ---------------------------------------------------
def category_minimum_errors(*, category, mode=None, hours, start_date, end_date, shadowing_days, region) -> list[str]:
    """R11 category minimums (settings). Used by the forms, the import and the submit/approve guards."""
    errors = []
    if category == "team_research" and start_date and end_date:
        days = (end_date - start_date).days + 1
        min_days = get_setting(TEAM_RESEARCH_MIN_DAYS, region=region)
        share = get_setting(TEAM_RESEARCH_MIN_SHADOWING_SHARE, region=region)
        if days < min_days:
            errors.append(_("Team research lasts at least %(min)s days; this project lasts %(days)s.") % {
                "min": min_days, "days": days})
        if Decimal(shadowing_days or 0) < Decimal(days) * share:
            errors.append(_("Team research needs at least %(share)s%% of its days as shadowing; %(have)s of %(days)s days "
                            "is not enough.") % {"share": (share * 100).quantize(Decimal("0.1")),
                                                 "have": shadowing_days or 0, "days": days})
    if category == "online_research" and hours is not None:
        min_hours = get_setting(ONLINE_RESEARCH_MIN_HOURS, region=region)
        if hours < min_hours:
            errors.append(_("Online research needs at least %(min)s hours; this project has %(hours)s.") % {
                "min": min_hours, "hours": hours})
    return errors


def basic_errors(*, hours, quota, start_date, end_date, priority_quota=0) -> list[str]:
    errors = []
    if hours is None or hours <= 0:
        errors.append(_("Training hours must be greater than zero."))
    if quota is None or quota <= 0:
        errors.append(_("The quota must be greater than zero."))
    if start_date and end_date and start_date > end_date:
        errors.append(_("The start date must not be after the end date."))
    if quota and priority_quota and priority_quota > quota:
        errors.append(_("The quota reserved for key counties cannot exceed the quota."))
    return errors


def _r11_errors(project) -> list[str]:
    return basic_errors(hours=project.hours, quota=project.quota, start_date=project.start_date,
                        end_date=project.end_date, priority_quota=project.priority_quota) + category_minimum_errors(
        category=project.category, hours=project.hours, start_date=project.start_date, end_date=project.end_date,
        shadowing_days=project.shadowing_days, region=project.plan.province)


@guard("r11_project_requirements", lambda p: " ".join(_r11_errors(p)))
def project_meets_requirements(project) -> bool:
    return not _r11_errors(project)


# -- R12: the plan's budgets stay within the central subsidy -------------------------------------------
def plan_budget_total(plan, *, exclude_pk=None, extra=Decimal("0")) -> Decimal:
    qs = plan.projects.exclude(status__in=ACTIVE_EXCLUDED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return (qs.aggregate(total=Sum("budget"))["total"] or Decimal("0")) + extra


def _r12_message(plan):
    return _("The projects' budgets total %(total)s, more than the central subsidy of %(subsidy)s.") % {
        "total": yuan(plan_budget_total(plan)), "subsidy": yuan(plan.central_subsidy)}


@guard("r12_budget_over_subsidy", _r12_message)
def plan_within_subsidy(plan) -> bool:
    return plan_budget_total(plan) <= plan.central_subsidy  # R12


@guard("r12_budget_over_subsidy", lambda p: _r12_message(p.plan))
def project_within_subsidy(project) -> bool:
    return plan_budget_total(project.plan) <= project.plan.central_subsidy  # R12


# -- R14: emergency suspension of offline training ----------------------------------------------------
def _parse(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def suspension_window(region) -> tuple[dt.date, dt.date] | None:
    start, end = _parse(get_setting(SUSPENSION_START, region=region)), _parse(get_setting(SUSPENSION_END, region=region))
    if start is None and end is None:
        return None
    return (start or dt.date.min, end or dt.date.max)


def _overlaps(a_start, a_end, window) -> bool:
    return a_start <= window[1] and window[0] <= a_end


def suspension_conflict(project, *, starting: bool = False) -> bool:
    """R14: offline training overlapping the window (or started inside it) is refused; online never is;
    blended only when its offline part overlaps the window."""
    window = suspension_window(project.plan.province)
    if window is None or project.mode == "online":
        return False
    if project.mode == "blended":
        first = project.offline_start or project.start_date
        last = project.offline_end or project.end_date
    else:
        first, last = project.start_date, project.end_date
    if _overlaps(first, last, window):
        return True
    return starting and project.mode == "offline" and window[0] <= timezone.localdate() <= window[1]


def _r14_message(project):
    window = suspension_window(project.plan.province)
    return _("Offline training is suspended from %(start)s to %(end)s; move the offline part outside this window "
             "or deliver it online.") % {"start": window[0] if window else "", "end": window[1] if window else ""}


@guard("r14_offline_suspended", _r14_message)
def project_outside_suspension(project) -> bool:
    return not suspension_conflict(project)


@guard("r14_offline_suspended", _r14_message)
def project_may_start_now(project) -> bool:
    return not suspension_conflict(project, starting=True)


# -- plan <-> project -----------------------------------------------------------------------------------
@guard("plan_has_no_projects", gettext_lazy("The plan has no projects yet."))
def plan_has_projects(plan) -> bool:
    return plan.projects.exclude(status__in=ACTIVE_EXCLUDED).exists()


def _unapproved_message(plan):
    names = list(plan.projects.exclude(status__in=ACTIVE_EXCLUDED + ("approved", "filed"))
                 .values_list("name", flat=True)[:5])
    return _("Every project must be approved first; not yet approved: %(names)s.") % {"names": "、".join(names)}


@guard("plan_projects_not_approved", _unapproved_message)
def plan_projects_all_approved(plan) -> bool:
    active = plan.projects.exclude(status__in=ACTIVE_EXCLUDED)
    return active.exists() and not active.exclude(status__in=("approved", "filed")).exists()


@guard("r10_plan_not_filed", gettext_lazy("Projects may be tendered only after their plan is filed with the ministry."))
def project_plan_filed(project) -> bool:
    """R10: a project is filed (and so may be tendered) only through its plan's filing."""
    return project.plan.status == "filed"


@guard("plan_not_open", gettext_lazy("Projects can be changed only while their plan is a draft or returned."))
def project_plan_open(project) -> bool:
    return project.plan.status in ("draft", "returned")


# -- permissions (R2 scope, R15 levels) --------------------------------------------------------------------
@rules.predicate
def status_is_submitted(user, obj):
    return obj.status == "submitted"


@rules.predicate
def status_is_reviewed(user, obj):
    return obj.status == "reviewed"


@rules.predicate
def status_is_proposal(user, obj):
    return obj.status in ("draft", "returned")


is_province_staff = has_role(Role.PROVINCE_STAFF)
is_office_staff = has_role(Role.PROJECT_OFFICE_STAFF)
is_ministry_staff = has_role(Role.MINISTRY_STAFF)
is_institution_staff = has_role(Role.INSTITUTION_STAFF)
in_plan_province = in_region_of("province")
in_project_province = in_region_of("plan.province")
owns_project = owned_by("owner")
# R15: nobody approves their own organisation's proposal.
not_own_proposal = ~owned_by("owner")

# Plans: the province department drafts and submits; the ministry returns, approves and files (R15).
plan_can_edit = can_write & is_province_staff & in_plan_province
plan_can_submit = is_superuser | plan_can_edit
plan_can_decide = is_superuser | (is_ministry_staff & can_write)

# Projects: the owning office drafts and submits; the responsible project office reviews; the province
# department approves (never its own proposal); the ministry files with the plan.
project_can_edit = is_superuser | (can_write & owns_project)
project_can_submit = is_superuser | (can_write & owns_project)
project_can_review = is_superuser | (can_write & is_office_staff & owned_by("office"))
project_can_return = is_superuser | (status_is_submitted & project_can_review) | (
    status_is_reviewed & can_write & is_province_staff & in_project_province)
project_can_approve = is_superuser | (can_write & is_province_staff & in_project_province & not_own_proposal)
project_can_file = is_superuser | (can_write & is_ministry_staff)
# Fired by other apps' services (tendering, evaluation), never by a button.
project_can_manage = is_superuser | (can_write & (is_province_staff | is_office_staff) & in_project_province)
project_can_deliver = project_can_manage | (can_write & is_institution_staff & owned_by("institution"))
project_can_cancel = project_can_manage | (can_write & owns_project & status_is_proposal)
# Inspection visits (视导): province and project-office staff of the province.
project_can_inspect = project_can_manage


@rules.predicate
def in_same_province(user, plan):
    """City and county bureaus propose projects into their province's plan."""
    org = getattr(user, "organisation", None)
    region = getattr(org, "region", None)
    return bool(region is not None and plan is not None and plan.province.code[:2] == region.code[:2])


plan_can_add_project = is_superuser | (can_write & (is_province_staff | is_office_staff |
                                                     has_role(Role.CITY_STAFF, Role.COUNTY_STAFF)) & in_same_province)

rules.add_perm("projects.inspect_project", project_can_inspect)
rules.add_perm("projects.edit_project", project_can_edit)
rules.add_perm("projects.edit_plan", is_superuser | plan_can_edit)
rules.add_perm("projects.create_plan", is_superuser | (can_write & is_province_staff))
rules.add_perm("projects.add_project", plan_can_add_project)

P = permission  # short alias for the model declarations
