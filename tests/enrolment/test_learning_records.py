"""R47 learning records and R48 computed outcomes, on the database the suite runs on (PostgreSQL in CI)."""
import datetime as dt
from decimal import Decimal

import pytest

from backoffice.exceptions import DomainError
from projects.enrolment.outcomes.models import LearningRecord, Outcome

from .outcome_helpers import TODAY, approved_scheme, compute, ingest, record

pytestmark = pytest.mark.django_db


# -- R47 ----------------------------------------------------------------------------------------------------------
def test_r47_resend_replaces_current_figure_and_keeps_the_earlier(online, trainee, personas):
    number = trainee.teacher.id_number
    first = ingest(personas.institution, online, [record(number, minutes=600)])
    assert first.ok and first.written == 1
    again = ingest(personas.institution, online, [record(number, minutes=900)])
    assert again.written == 1
    rows = list(LearningRecord.objects.filter(enrolment=trainee).order_by("received_at", "pk")
                .values_list("minutes", "is_current"))
    assert rows == [(600, False), (900, True)]


def test_r47_identical_resend_changes_nothing(online, trainee, personas):
    rows = [record(trainee.teacher.id_number, minutes=600, passed=1, score="75.5")]
    ingest(personas.institution, online, rows)
    again = ingest(personas.institution, online, rows)
    assert (again.written, again.unchanged) == (0, 1)
    assert LearningRecord.objects.filter(enrolment=trainee).count() == 1


def test_r47_same_idempotency_key_answers_the_first_result(online, trainee, personas):
    first = ingest(personas.institution, online, [record(trainee.teacher.id_number, minutes=600)], key="k-1")
    replay = ingest(personas.institution, online, [record(trainee.teacher.id_number, minutes=999)], key="k-1")
    assert replay.replayed and replay.batch_id == first.batch_id
    assert list(LearningRecord.objects.values_list("minutes", flat=True)) == [600]


@pytest.mark.parametrize("kind", ["not_enrolled", "period_outside", "too_many_minutes", "repeated", "bad_number",
                                  "numeric_id", "bad_score"])
def test_r47_each_refused_row_kind_is_reported_and_nothing_written(kind, online, trainee, personas, make_teacher):
    number = trainee.teacher.id_number
    good = record(number, minutes=100, start=TODAY() - dt.timedelta(days=10), end=TODAY() - dt.timedelta(days=10))
    bad = {
        "not_enrolled": record(make_teacher().id_number, minutes=10),
        "period_outside": record(number, minutes=10, start=online.start_date - dt.timedelta(days=1)),
        # one day holds 1,440 minutes
        "too_many_minutes": record(number, minutes=1441, start=TODAY() - dt.timedelta(days=3),
                                   end=TODAY() - dt.timedelta(days=3)),
        "repeated": dict(good),
        "bad_number": record(number, minutes="十"),
        "numeric_id": record(int(number[:17]), minutes=10),
        "bad_score": record(number, minutes=10, score="101"),
    }[kind]
    result = ingest(personas.institution, online, [good, bad])
    assert not result.ok and result.written == 0
    assert [e["row"] for e in result.errors] == [2]
    assert result.errors[0]["message"]
    assert LearningRecord.objects.count() == 0


def test_r47_minutes_equal_to_the_period_are_accepted(online, trainee, personas):
    day = TODAY() - dt.timedelta(days=3)
    assert ingest(personas.institution, online, [record(trainee.teacher.id_number, minutes=1440, start=day,
                                                        end=day)]).ok


def test_r47_valid_only_writes_the_valid_rows_and_reports_the_rest(online, trainee, personas, make_teacher):
    result = ingest(personas.institution, online, [record(trainee.teacher.id_number, minutes=100),
                                                   record(make_teacher().id_number, minutes=10)], valid_only=True)
    assert (result.written, result.refused) == (1, 1)
    assert result.errors[0]["row"] == 2
    assert LearningRecord.objects.count() == 1


@pytest.mark.parametrize("who", ["other_institution", "county", "office", "school"])
def test_r47_refused_roles_cannot_send_records(who, online, trainee, personas):
    with pytest.raises(DomainError) as exc:
        ingest(getattr(personas, who), online, [record(trainee.teacher.id_number, minutes=10)])
    assert exc.value.code == "transition_forbidden"


# -- R48 computation ----------------------------------------------------------------------------------------------
def _outcome(enrolment):
    return Outcome.objects.get(enrolment=enrolment)


def test_r48_score_is_the_weighted_sum_rounded_half_up_at_the_end(online, trainee, personas):
    # learning 2,500/2,880 min × 60 = 52.0833…; assignments 1/2 × 20 = 10; assessment 80.35 × 20% = 16.07
    ingest(personas.institution, online, [record(trainee.teacher.id_number, minutes=2500, passed=1, score="80.35")])
    assert compute(personas.institution, online) == 1
    outcome = _outcome(trainee)
    assert outcome.score == Decimal("78.15")  # 78.1533… → 78.15
    assert outcome.proposed == "completed"
    assert outcome.scheme.version == 1


def test_r48_indicator_is_capped_at_full_marks(online, trainee, personas):
    days = [TODAY() - dt.timedelta(days=n) for n in (9, 8)]
    ingest(personas.institution, online, [
        record(trainee.teacher.id_number, minutes=1440, start=days[0], end=days[0]),
        record(trainee.teacher.id_number, minutes=1440, start=days[1], end=days[1]),
        record(trainee.teacher.id_number, minutes=1440, passed=5, score="100")])
    compute(personas.institution, online)
    assert _outcome(trainee).score == Decimal("100.00")


@pytest.mark.parametrize("score,expected", [("60", "completed"), ("59.99", "not_completed")])
def test_r46_pass_line_is_inclusive(score, expected, online, personas, trainee):
    # Only the assessment counts here, so the learning score equals the assessment score.
    approved_scheme(online, personas, indicators=[("assessment", 100, 100, None)])
    ingest(personas.institution, online, [record(trainee.teacher.id_number, minutes=10, score=score)])
    compute(personas.institution, online)
    assert _outcome(trainee).proposed == expected


@pytest.mark.parametrize("minutes,met", [(2304, True), (2303, False)])
def test_r46_learning_time_hard_minimum_at_its_boundary(minutes, met, online, trainee, personas):
    # 80% of 48 hours = 2,304 minutes; full marks elsewhere, so only the minimum decides.
    rows, left = [], minutes
    for day in range(2):
        chunk = min(left, 1440)
        when = TODAY() - dt.timedelta(days=10 + day)
        rows.append(record(trainee.teacher.id_number, minutes=chunk, start=when, end=when,
                           passed=2 if day == 0 else 0, score="100" if day == 0 else None))
        left -= chunk
    ingest(personas.institution, online, rows)
    compute(personas.institution, online)
    outcome = _outcome(trainee)
    assert outcome.score >= Decimal("60")
    assert outcome.proposed == ("completed" if met else "not_completed")
    assert (outcome.minimums_failed == "") is met


def test_r48_no_record_at_all_is_a_no_show(online, trainee, personas):
    compute(personas.institution, online)
    outcome = _outcome(trainee)
    assert outcome.proposed == "no_show" and outcome.records == 0


def test_r46_setting_changes_the_default_pass_line(online, personas):
    from backoffice.config import setting_set
    from projects.enrolment.outcomes.services import scheme_draft

    setting_set(key="outcomes.pass_line", value="70", actor=personas.province)
    online.completion_schemes.all().delete()
    scheme = scheme_draft(actor=personas.institution, project=online)
    assert scheme.pass_line == Decimal("70")
    minimum = scheme.indicators.get(kind="learning_minutes")
    assert minimum.target == Decimal(48 * 60) and minimum.minimum_percent == Decimal("80")


def test_r48_compute_refused_without_an_approved_scheme(online, trainee, personas):
    online.completion_schemes.all().delete()
    with pytest.raises(DomainError) as exc:
        compute(personas.institution, online)
    assert exc.value.code == "no_scheme"


@pytest.mark.parametrize("who", ["other_institution", "county", "office"])
def test_r48_refused_roles_cannot_compute(who, online, personas):
    with pytest.raises(DomainError) as exc:
        compute(getattr(personas, who), online)
    assert exc.value.code == "transition_forbidden"
