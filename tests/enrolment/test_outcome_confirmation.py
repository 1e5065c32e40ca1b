"""R48 bulk confirmation by the institution, R41/R48 audit by the county, and R46 scheme approval."""
import datetime as dt

import pytest

from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from projects.enrolment.models import CreditRecord
from projects.enrolment.outcomes import selectors as outcome_selectors
from projects.enrolment.outcomes import services
from projects.enrolment.outcomes.models import CompletionScheme, Outcome

from .outcome_helpers import TODAY, compute, ingest, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainees(online, make_teacher, enrol, orgs, personas):
    """Three trainees of the county (passing, failing, no record) and one of another county (passing)."""
    made = {name: enrol(online, make_teacher(name=name), "in_training") for name in ("甲", "乙", "丙")}
    made["丁"] = enrol(online, make_teacher(name="丁", school=orgs.other_school), "in_training")
    day = TODAY() - dt.timedelta(days=5)
    full = [record(made[n].teacher.id_number, minutes=1440, start=day - dt.timedelta(days=i),
                   end=day - dt.timedelta(days=i), passed=1, score="90") for n in ("甲", "丁") for i in range(2)]
    ingest(personas.institution, online, full + [record(made["乙"].teacher.id_number, minutes=100)])
    compute(personas.institution, online)
    return made


def _status(enrolment):
    enrolment.refresh_from_db()
    return enrolment.status


def test_r48_institution_confirms_all_in_one_action_with_one_audit_row_each(online, trainees, personas):
    before = AuditEvent.objects.count()
    result = services.outcomes_confirm(actor=personas.institution, project=online)
    assert len(result.done) == 4 and not result.refused
    assert set(Outcome.objects.values_list("status", flat=True)) == {"confirmed"}
    assert AuditEvent.objects.filter(transition="confirm").count() == 4
    assert AuditEvent.objects.count() - before == 4
    # the enrolment keeps training until the county's audit (谁主办谁审核)
    assert _status(trainees["甲"]) == "in_training"


def test_r48_override_needs_a_reason_and_the_county_sees_it(online, trainees, personas):
    outcome = Outcome.objects.get(enrolment=trainees["乙"])
    with pytest.raises(DomainError) as exc:
        services.outcome_override(actor=personas.institution, outcome=outcome, value="completed", reason="")
    assert exc.value.code == "reason_required"
    services.outcome_override(actor=personas.institution, outcome=outcome, value="completed",
                              reason="平台故障，线下补学已核实")
    services.outcomes_confirm(actor=personas.institution, project=online)
    sample = outcome_selectors.audit_sample(user=personas.county, project=online, size=1)
    assert sample[0].enrolment_id == trainees["乙"].pk  # overrides first
    assert sample[0].override_reason == "平台故障，线下补学已核实"
    assert AuditEvent.objects.filter(transition="confirm", object_id=str(sample[0].pk),
                                     reason="平台故障，线下补学已核实").exists()


def test_r48_county_audit_sets_outcomes_and_counts_hours_of_its_own_trainees(online, trainees, personas):
    services.outcomes_confirm(actor=personas.institution, project=online)
    result = services.outcomes_audit(actor=personas.county, project=online)
    assert len(result.done) == 3  # not the other county's trainee
    assert [_status(trainees[n]) for n in ("甲", "乙", "丙", "丁")] == [
        "completed", "not_completed", "no_show", "in_training"]
    credit = CreditRecord.objects.get(enrolment=trainees["甲"])
    assert (credit.status, credit.hours) == ("approved", 48)  # R40: the project's hours, counted (R41)
    assert not CreditRecord.objects.filter(enrolment=trainees["乙"]).exists()
    assert AuditEvent.objects.filter(transition="audit").count() == 3
    assert AuditEvent.objects.filter(transition="confirm_completed", object_id=str(trainees["甲"].pk)).exists()


def test_r48_county_return_goes_back_to_the_institution(online, trainees, personas):
    services.outcomes_confirm(actor=personas.institution, project=online)
    from backoffice.workflow import fire

    outcome = Outcome.objects.get(enrolment=trainees["乙"])
    fire(Outcome, outcome.pk, name="return_", actor=personas.county, reason="学时记录不全")
    outcome.refresh_from_db()
    assert outcome.status == "returned" and outcome.return_reason == "学时记录不全"
    assert len(services.outcomes_confirm(actor=personas.institution, project=online).done) == 1


@pytest.mark.parametrize("who", ["other_institution", "county", "office", "province"])
def test_r48_refused_roles_cannot_confirm(who, online, trainees, personas):
    with pytest.raises(DomainError) as exc:
        services.outcomes_confirm(actor=getattr(personas, who), project=online)
    assert exc.value.code == "transition_forbidden"


@pytest.mark.parametrize("who", ["institution", "school", "office", "auditor"])
def test_r48_refused_roles_cannot_audit(who, online, trainees, personas):
    services.outcomes_confirm(actor=personas.institution, project=online)
    with pytest.raises(DomainError) as exc:
        services.outcomes_audit(actor=getattr(personas, who), project=online)
    assert exc.value.code == "transition_forbidden"


def test_r48_other_county_audits_nothing_of_ours(online, trainees, personas):
    services.outcomes_confirm(actor=personas.institution, project=online)
    result = services.outcomes_audit(actor=personas.other_county, project=online)
    assert len(result.done) == 1
    assert _status(trainees["甲"]) == "in_training"


def test_r48_override_refused_for_other_roles(online, trainees, personas):
    outcome = Outcome.objects.get(enrolment=trainees["乙"])
    with pytest.raises(DomainError) as exc:
        services.outcome_override(actor=personas.county, outcome=outcome, value="completed", reason="x")
    assert exc.value.code == "transition_forbidden"


# -- R46 scheme approval --------------------------------------------------------------------------------------------
@pytest.fixture
def upcoming(make_project):
    return make_project(mode="online", hours=48)


def _draft(project, personas, weights=(60, 20, 20)):
    scheme = services.scheme_draft(actor=personas.institution, project=project)
    kinds = ("learning_minutes", "assignments_passed", "assessment")
    return services.scheme_update(actor=personas.institution, scheme=scheme, pass_line="60", indicators={
        k: {"weight": w, "target": {"learning_minutes": 2880, "assignments_passed": 2, "assessment": 100}[k],
            "minimum_percent": 80 if k == "learning_minutes" else ""} for k, w in zip(kinds, weights)})


def test_r46_weights_must_sum_to_exactly_100(upcoming, personas):
    scheme = _draft(upcoming, personas, weights=(60, 20, "19.99"))
    with pytest.raises(DomainError) as exc:
        services.scheme_move(actor=personas.institution, scheme=scheme, name="submit")
    assert exc.value.code == "weights_not_100"
    scheme = _draft(upcoming, personas, weights=(60, 20, 20))
    assert services.scheme_move(actor=personas.institution, scheme=scheme, name="submit").status == "submitted"


def test_r46_office_approves_before_the_start_and_a_new_version_replaces_it(upcoming, personas):
    first = _draft(upcoming, personas)
    services.scheme_move(actor=personas.institution, scheme=first, name="submit")
    services.scheme_move(actor=personas.office, scheme=first, name="approve")
    assert outcome_selectors.scheme_in_force(upcoming).pk == first.pk
    second = _draft(upcoming, personas, weights=(50, 30, 20))
    assert second.version == 2 and second.pk != first.pk
    services.scheme_move(actor=personas.institution, scheme=second, name="submit")
    services.scheme_move(actor=personas.office, scheme=second, name="approve")
    first.refresh_from_db()
    assert first.status == "superseded" and outcome_selectors.scheme_in_force(upcoming).pk == second.pk


def test_r46_change_after_the_start_needs_the_province_with_a_reason(upcoming, personas):
    scheme = _draft(upcoming, personas)
    services.scheme_move(actor=personas.institution, scheme=scheme, name="submit")
    type(upcoming).objects.filter(pk=upcoming.pk).update(start_date=TODAY() - dt.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        services.scheme_move(actor=personas.office, scheme=scheme, name="approve")
    assert exc.value.code == "project_started"
    with pytest.raises(DomainError) as exc:
        services.scheme_move(actor=personas.province, scheme=scheme, name="approve_change", reason="")
    assert exc.value.code == "reason_required"
    done = services.scheme_move(actor=personas.province, scheme=scheme, name="approve_change", reason="平台调整")
    assert done.status == "approved" and done.change_reason == "平台调整"
    assert AuditEvent.objects.filter(transition="approve_change", reason="平台调整").exists()


def test_r46_approved_version_is_never_edited(upcoming, personas):
    scheme = _draft(upcoming, personas)
    services.scheme_move(actor=personas.institution, scheme=scheme, name="submit")
    services.scheme_move(actor=personas.office, scheme=scheme, name="approve")
    with pytest.raises(DomainError) as exc:
        services.scheme_update(actor=personas.institution, scheme=CompletionScheme.objects.get(pk=scheme.pk),
                               pass_line="50", indicators={})
    assert exc.value.code == "scheme_not_editable"


@pytest.mark.parametrize("who,name", [("other_institution", "submit"), ("county", "submit"), ("institution", "approve"),
                                      ("province", "approve"), ("county", "approve")])
def test_r46_refused_roles_on_the_scheme(who, name, upcoming, personas):
    scheme = _draft(upcoming, personas)
    if name == "approve":
        services.scheme_move(actor=personas.institution, scheme=scheme, name="submit")
    with pytest.raises(DomainError) as exc:
        services.scheme_move(actor=getattr(personas, who), scheme=scheme, name=name)
    assert exc.value.code == "transition_forbidden"


def test_r46_refused_roles_cannot_draft(upcoming, personas):
    with pytest.raises(DomainError) as exc:
        services.scheme_draft(actor=personas.county, project=upcoming)
    assert exc.value.code == "transition_forbidden"
