"""Who may do what with evaluations (R2, R61, R65, R66): `rules` predicates on (user, object) — role AND
scope — and the permissions pages, services and templates ask. This module must not import
evaluation.models at load time (the models use these predicates on their transitions)."""
import rules

from backoffice.models import OrganisationKind, Role
from backoffice.models.users import REGION_ROLES
from backoffice.permissions import can_write, has_role, in_region_of, is_superuser, owned_by
from backoffice.scoping import scope_for

# Government, finance and audit staff read evaluations of the projects in their region (R2).
is_staff_reader = has_role(*REGION_ROLES)
is_province_staff = has_role(Role.PROVINCE_STAFF)
is_office_staff = has_role(Role.PROJECT_OFFICE_STAFF)
is_institution_staff = has_role(Role.INSTITUTION_STAFF)
is_expert = has_role(Role.EXPERT)
in_evaluation_province = in_region_of("project.plan.province")

# Province department and project offices run evaluations of their province's projects (R2).
can_open_any = is_superuser | (can_write & (is_province_staff | is_office_staff))
can_open = is_superuser | (can_write & (is_province_staff | is_office_staff) & in_region_of("plan.province"))
can_manage = is_superuser | (can_write & (is_province_staff | is_office_staff) & in_evaluation_province)
# R66: only the province publishes and reopens.
can_publish = is_superuser | (can_write & is_province_staff & in_evaluation_province)
can_define_systems = is_superuser | (can_write & is_province_staff)


@rules.predicate
def _assigned_as_expert(user, evaluation):
    return evaluation.assignments.filter(user=user, kind="expert").exists()


@rules.predicate
def _assigned_as_third_party(user, evaluation):
    return evaluation.assignments.filter(user=user, kind="third_party").exists()


@rules.predicate
def _is_published(user, evaluation):
    return evaluation.status == "published"


is_assigned_expert = is_expert & _assigned_as_expert
is_assigned_third_party = is_expert & _assigned_as_third_party
is_project_institution = is_institution_staff & owned_by("project.institution")

can_read = is_superuser | is_staff_reader | is_institution_staff | is_expert
can_read_staff_outputs = is_superuser | is_staff_reader
# Assessors see their own entry and the institution its self-assessment; everyone else every score.
sees_every_assessment = is_superuser | ~(is_expert | is_institution_staff)
# The institution sees its grade only once the evaluation is published ("fed back").
can_see_grade = ~is_institution_staff | _is_published


@rules.predicate
def _has_visible_evaluation_of(user, institution):
    from .selectors import evaluation_list_visible_to

    return evaluation_list_visible_to(user=user).filter(project__institution=institution).exists()


@rules.predicate
def _institution_in_scope(user, institution):
    return scope_for(user).covers_organisation(institution)


@rules.predicate
def _is_own_organisation(user, organisation):
    return user.organisation_id is not None and organisation.pk == user.organisation_id


@rules.predicate
def _is_institution(user, organisation):
    return organisation is not None and organisation.kind == OrganisationKind.INSTITUTION


# R2: an institution's record opens for its own staff and for staff of the region it sits in or whose
# projects it trained; never for another province's government.
can_read_record = _is_institution & (
    is_superuser | (is_institution_staff & _is_own_organisation)
    | (is_staff_reader & (_institution_in_scope | _has_visible_evaluation_of)))
# The same test from a page that already shows one of the institution's evaluations to the user.
can_link_record = is_superuser | is_staff_reader | is_project_institution


def may_be_assigned(user, kind: str) -> bool:
    """Experts are users with the expert role; third-party evaluators are experts of an evaluator organisation."""
    if not is_expert.test(user):
        return False
    if kind == "third_party":
        return bool(user.organisation and user.organisation.kind == OrganisationKind.EVALUATOR)
    return True


rules.add_perm("evaluation.view_evaluations", can_read)
rules.add_perm("evaluation.view_evaluation_outputs", can_read_staff_outputs)
# The home page panel: province-level readers (city and county staff have the dashboard page only).
rules.add_perm("evaluation.view_evaluation_panel", is_superuser | has_role(
    Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.FINANCE_OFFICER, Role.AUDITOR))
rules.add_perm("evaluation.view_survey_answers", can_read_staff_outputs)
rules.add_perm("evaluation.view_evaluation_history", can_read_staff_outputs)
rules.add_perm("evaluation.view_every_assessment", sees_every_assessment)
rules.add_perm("evaluation.view_grade", can_see_grade)
rules.add_perm("evaluation.view_institution_records", is_superuser | is_staff_reader | is_institution_staff)
rules.add_perm("evaluation.view_institution_record", can_read_record)
rules.add_perm("evaluation.link_institution_record", can_link_record)
rules.add_perm("evaluation.add_indicator_system", can_define_systems)
rules.add_perm("evaluation.open_evaluations", can_open_any)
rules.add_perm("evaluation.open_evaluation", can_open)
rules.add_perm("evaluation.manage_evaluation", can_manage)
rules.add_perm("evaluation.publish_evaluation", can_publish)
rules.add_perm("evaluation.score_expert", is_assigned_expert)
rules.add_perm("evaluation.score_third_party", is_assigned_third_party)
rules.add_perm("evaluation.score_self", is_project_institution)
