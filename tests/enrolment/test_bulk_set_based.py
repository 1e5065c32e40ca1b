"""Whole-project work written set-based (issue 12): each trainee still gets its own audit row with who, when, from,
to and reason (R3), and the number of statements does not grow with the trainees, nor with how many of them carry
their own reason (overrides, R48)."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.models import AuditEvent
from backoffice.workflow import fire_many
from projects.enrolment.models import CreditRecord, Enrolment
from projects.enrolment.outcomes import services
from projects.enrolment.outcomes.models import Outcome
from projects.enrolment.whole_staff import whole_staff_enrol
from tests.factories import region

from .outcome_helpers import TODAY, approved_scheme, compute, ingest, record

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="one statement per reason kind needs PostgreSQL arrays; SQLite groups by reason")


@pytest.fixture
def online_project(make_project, personas):
    def _make():
        start = TODAY() - dt.timedelta(days=20)
        project = make_project(status="in_progress", start=start, end=start + dt.timedelta(days=60), mode="online",
                               hours=48)
        approved_scheme(project, personas)
        return project

    return _make


@pytest.fixture
def computed(online_project, make_teacher, enrol, personas):
    """A project of `size` in-training trainees of the county: every third without records (no-show), the rest
    alternately passing and below the learning-time minimum; outcomes computed."""

    def _make(size):
        project = online_project()
        rows = []
        for i in range(size):
            e = enrol(project, make_teacher(name=f"学员{i}"), "in_training")
            if i % 3:
                rows.append(record(e.teacher.id_number, minutes=2880 if i % 3 == 1 else 100, passed=2, score="90"))
        ingest(personas.institution, project, rows)
        compute(personas.institution, project)
        return project

    return _make


def _override_each(project, personas):
    """Every trainee overridden to completed with a reason of its own (the worst case for grouping by reason)."""
    for outcome in Outcome.objects.filter(project=project).order_by("pk"):
        services.outcome_override(actor=personas.institution, outcome=outcome, value="completed",
                                  reason=f"线下补学已核实 {outcome.pk}")


def test_r48_r3_confirm_writes_each_trainees_row_with_its_own_override_reason(computed, personas):
    project = computed(4)
    first = Outcome.objects.filter(project=project).order_by("pk").first()
    services.outcome_override(actor=personas.institution, outcome=first, value="not_completed", reason="作业抄袭")
    result = services.outcomes_confirm(actor=personas.institution, project=project)
    assert len(result.done) == 4
    events = {e.object_id: e for e in AuditEvent.objects.filter(transition="confirm")}
    assert len(events) == 4
    assert events[str(first.pk)].reason == "作业抄袭"
    assert {e.reason for k, e in events.items() if k != str(first.pk)} == {""}
    event = events[str(first.pk)]
    assert (event.from_state, event.to_state, event.actor_id) == ("proposed", "confirmed", personas.institution.pk)
    assert event.object_repr == first.enrolment.teacher.name and event.region_code == "360121"
    assert Outcome.objects.filter(project=project, status="confirmed", confirmed_by=personas.institution).count() == 4


def test_r48_r41_county_audit_one_row_per_enrolment_outcome_and_hours(computed, personas):
    project = computed(6)
    services.outcomes_confirm(actor=personas.institution, project=project)
    result = services.outcomes_audit(actor=personas.county, project=project)
    assert len(result.done) == 6
    enrolments = {str(pk): status for pk, status in Enrolment.objects.filter(project=project).values_list("pk", "status")}
    moves = AuditEvent.objects.filter(object_id__in=list(enrolments), transition__startswith="confirm_")
    assert sorted(moves.values_list("object_id", flat=True)) == sorted(enrolments)  # one each
    assert all(e.to_state == enrolments[e.object_id] and e.from_state == "in_training" for e in moves)
    assert sorted(enrolments.values()) == ["completed"] * 2 + ["no_show"] * 2 + ["not_completed"] * 2
    credits = CreditRecord.objects.filter(enrolment__project=project)
    assert credits.count() == 2 and set(credits.values_list("status", "hours", "audited_by")) == {
        ("approved", 48, personas.county.pk)}
    credit_events = AuditEvent.objects.filter(action="create", object_id__in=[str(c.pk) for c in credits],
                                              to_state="approved")
    assert credit_events.count() == 2
    assert {tuple(e.changes["counted_hours"]) for e in credit_events} == {(0, 48)}
    assert all(e.object_repr.endswith(" · 48") for e in credit_events)


@on_postgresql
def test_r48_confirm_and_audit_take_as_many_statements_for_12_trainees_as_for_3(computed, personas):
    counts = {}
    for size in (3, 12):
        project = computed(size)
        _override_each(project, personas)
        with CaptureQueriesContext(connection) as confirm:
            services.outcomes_confirm(actor=personas.institution, project=project)
        with CaptureQueriesContext(connection) as audit:
            services.outcomes_audit(actor=personas.county, project=project)
        counts[size] = (len(confirm), len(audit))
        assert AuditEvent.objects.filter(transition="confirm", reason__startswith="线下补学已核实").count() >= size
    assert counts[3] == counts[12]


@on_postgresql
def test_r13_reject_with_a_reason_per_trainee_takes_the_same_statements_at_two_sizes(make_project, make_teacher,
                                                                                     enrol, personas):
    counts = []
    for size in (2, 9):
        project = make_project(quota=100)
        rows = [enrol(project, make_teacher()) for _i in range(size)]
        reasons = {e.pk: f"不符合条件 {i}" for i, e in enumerate(rows)}
        with CaptureQueriesContext(connection) as ctx:
            result = fire_many(Enrolment, Enrolment.objects.filter(project=project), name="reject",
                               actor=personas.county, reason="名额已满", reasons=reasons)
        assert len(result.done) == size
        counts.append(len(ctx))
        stored = dict(Enrolment.objects.filter(project=project).values_list("pk", "reject_reason"))
        assert stored == reasons
        events = dict(AuditEvent.objects.filter(transition="reject", object_id__in=[str(e.pk) for e in rows])
                      .values_list("object_id", "reason"))
        assert events == {str(pk): text for pk, text in reasons.items()}
    assert counts[0] == counts[1]


def test_r13_rows_without_their_own_reason_take_the_common_one(make_project, make_teacher, enrol, personas):
    project = make_project(quota=100)
    a, b, c = (enrol(project, make_teacher()) for _i in range(3))
    fire_many(Enrolment, Enrolment.objects.filter(project=project), name="reject", actor=personas.county,
              reason="名额已满", reasons={b.pk: "学段不符", c.pk: "名额已满"}, rule="R32")
    stored = dict(Enrolment.objects.filter(project=project).values_list("pk", "reject_reason"))
    assert stored == {a.pk: "名额已满", b.pk: "学段不符", c.pk: "名额已满"}
    assert set(Enrolment.objects.filter(project=project).values_list("reject_rule", flat=True)) == {"R32"}
    assert AuditEvent.objects.get(transition="reject", object_id=str(b.pk)).reason == "学段不符"
    assert AuditEvent.objects.get(transition="reject", object_id=str(a.pk)).reason == "名额已满"


def test_r49_whole_staff_audit_rows_and_statements_do_not_grow_with_teachers(make_project, make_teacher, personas):
    counts = []
    for size in (2, 7):
        project = make_project(category="whole_staff", quota=1, name=f"全员培训{size}")
        project.regions.set([region("360121")])
        made = [make_teacher(name=f"全员{size}-{i}") for i in range(size)]
        with CaptureQueriesContext(connection) as ctx:
            added = whole_staff_enrol(actor=personas.county, project=project)
        counts.append(len(ctx))
        rows = dict(Enrolment.objects.filter(project=project).values_list("pk", "teacher__name"))
        assert added == len(rows) >= size
        events = AuditEvent.objects.filter(action="create", object_id__in=[str(pk) for pk in rows],
                                           content_type__model="enrolment")
        assert sorted(events.values_list("object_repr", flat=True)) == sorted(
            f"{name} · {project.name}" for name in rows.values())
        assert {(e.to_state, e.region_code, e.actor_id) for e in events} == {
            ("enrolled", "360121", personas.county.pk)}
        assert {t.name for t in made} <= set(rows.values())
    assert counts[0] == counts[1]
