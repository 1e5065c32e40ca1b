"""fire_many, the set-based door: the same sources, permissions and guards as one-by-one transitions (R32, R3),
one UPDATE and one audit row per enrolment, refusals per trainee."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from backoffice.workflow import fire_many
from projects.enrolment.models import Enrolment

pytestmark = pytest.mark.django_db


def statuses(qs):
    return dict(Enrolment.objects.filter(pk__in=[e.pk for e in qs]).values_list("pk", "status"))


def test_county_recommends_its_own_and_is_refused_the_other_county(project, make_teacher, enrol, personas, orgs):
    mine = [enrol(project, make_teacher(name=f"本县{i}")) for i in range(3)]
    other = enrol(project, make_teacher(school=orgs.other_school, name="外县教师"))
    result = fire_many(Enrolment, Enrolment.objects.filter(project=project), name="recommend", actor=personas.county)
    assert result.done == [e.pk for e in mine]
    assert [code for code, _m in result.refused[other.pk]] == ["transition_forbidden"]
    after = statuses(mine + [other])
    assert [after[e.pk] for e in mine] == ["recommended"] * 3 and after[other.pk] == "applied"
    assert Enrolment.objects.filter(pk=mine[0].pk, recommended_at__isnull=False).exists()
    events = AuditEvent.objects.filter(transition="recommend", object_id__in=[str(e.pk) for e in mine])
    assert events.count() == 3  # R3: one row per trainee, naming the teacher
    assert sorted(events.values_list("object_repr", flat=True))[0].startswith("本县0")
    assert set(events.values_list("from_state", "to_state")) == {("applied", "recommended")}
    assert set(events.values_list("actor_name", flat=True)) == {str(personas.county)}


def test_r32_select_fills_the_quota_in_the_given_order_and_refuses_the_rest(project, make_teacher, enrol,
                                                                             personas):
    now = timezone.now()
    rows = [enrol(project, make_teacher(), status="recommended", submitted_at=now - dt.timedelta(hours=i))
            for i in range(3)]  # rows[2] applied first
    result = fire_many(Enrolment, Enrolment.objects.filter(project=project), name="select",
                       actor=personas.institution, order_by=("submitted_at", "pk"))
    assert result.done == [rows[2].pk, rows[1].pk]  # quota 2, by submission
    assert result.refused[rows[0].pk][0][0] == "quota_full"
    assert "2" in result.refused[rows[0].pk][0][1]


def test_a_state_the_transition_does_not_start_from_is_refused_per_trainee(project, make_teacher, enrol, personas):
    applied, selected = enrol(project, make_teacher()), enrol(project, make_teacher(), status="selected")
    result = fire_many(Enrolment, Enrolment.objects.filter(project=project), name="recommend", actor=personas.county)
    assert result.done == [applied.pk]
    assert result.refused[selected.pk][0][0] == "transition_not_allowed"


def test_r13_reject_needs_a_reason_and_takes_one_per_trainee(project, make_teacher, enrol, personas):
    a, b = enrol(project, make_teacher()), enrol(project, make_teacher())
    qs = Enrolment.objects.filter(project=project)
    assert set(fire_many(Enrolment, qs, name="reject", actor=personas.county).refused) == {a.pk, b.pk}
    assert statuses([a, b]) == {a.pk: "applied", b.pk: "applied"}
    result = fire_many(Enrolment, qs, name="reject", actor=personas.county, reason="名额已满",
                       reasons={b.pk: "不符合学段要求"})
    assert result.done == [a.pk, b.pk]
    reasons = dict(Enrolment.objects.filter(project=project).values_list("pk", "reject_reason"))
    assert reasons == {a.pk: "名额已满", b.pk: "不符合学段要求"}
    assert AuditEvent.objects.get(transition="reject", object_id=str(b.pk)).reason == "不符合学段要求"


def test_all_or_nothing_writes_nothing_when_one_is_refused(project, make_teacher, enrol, personas, orgs):
    ok, other = enrol(project, make_teacher()), enrol(project, make_teacher(school=orgs.other_school))
    with pytest.raises(DomainError) as exc:
        fire_many(Enrolment, Enrolment.objects.filter(project=project), name="recommend", actor=personas.county,
                  all_or_nothing=True)
    assert exc.value.code == "bulk_refused"
    assert statuses([ok, other]) == {ok.pk: "applied", other.pk: "applied"}
    assert not AuditEvent.objects.filter(transition="recommend").exists()


def test_dry_run_reports_without_writing(project, make_teacher, enrol, personas):
    e = enrol(project, make_teacher())
    result = fire_many(Enrolment, Enrolment.objects.filter(project=project), name="recommend",
                       actor=personas.county, dry_run=True)
    assert result.done == [e.pk] and statuses([e]) == {e.pk: "applied"}


def test_r32_enrol_only_those_whose_publicity_ended(project, make_teacher, enrol, personas):
    today = timezone.localdate()
    over = enrol(project, make_teacher(), status="publicised", publicity_ends_on=today - dt.timedelta(days=1))
    running = enrol(project, make_teacher(), status="publicised", publicity_ends_on=today + dt.timedelta(days=2))
    result = fire_many(Enrolment, Enrolment.objects.filter(project=project), name="enrol", actor=personas.province)
    assert result.done == [over.pk]
    assert result.refused[running.pk][0][0] == "publicity_running"


@pytest.mark.parametrize("transition,status,actor", [("recommend", "applied", "county"),
                                                     ("select", "recommended", "institution")])
def test_query_count_does_not_grow_with_the_rows(make_project, make_teacher, enrol, personas, transition, status,
                                                 actor):
    counts = []
    for size in (3, 40):
        project = make_project(quota=1000)
        for _i in range(size):
            enrol(project, make_teacher(), status=status)
        with CaptureQueriesContext(connection) as ctx:
            result = fire_many(Enrolment, Enrolment.objects.filter(project=project), name=transition,
                               actor=personas[actor])
        assert len(result.done) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
