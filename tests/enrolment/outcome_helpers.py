"""Shared set-up for the R46-R48 tests: an online project in training with an approved scheme."""
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from projects.enrolment.outcomes import services as outcome_services
from projects.enrolment.outcomes.models import CompletionScheme, SchemeIndicator

TODAY = timezone.localdate


def approved_scheme(project, personas, *, indicators=None, pass_line="60"):
    """An approved scheme put straight in force (the approval flow has its own tests)."""
    last = CompletionScheme.objects.filter(project=project).count()
    CompletionScheme.objects.filter(project=project, status="approved").update(status="superseded")
    scheme = CompletionScheme.objects.create(project=project, version=last + 1, pass_line=Decimal(pass_line),
                                             created_by=personas.institution)
    CompletionScheme.objects.filter(pk=scheme.pk).update(status="approved", approved_at=timezone.now())
    for kind, target, weight, minimum in indicators or [("learning_minutes", 2880, 60, 80),
                                                        ("assignments_passed", 2, 20, None),
                                                        ("assessment", 100, 20, None)]:
        SchemeIndicator.objects.create(scheme=scheme, kind=kind, target=Decimal(target), weight=Decimal(weight),
                                       minimum_percent=None if minimum is None else Decimal(minimum))
    scheme.refresh_from_db()
    return scheme


def record(id_number, *, minutes, start=None, end=None, passed=0, score=None, **extra):
    start = start or TODAY() - dt.timedelta(days=5)
    end = end or start + dt.timedelta(days=2)
    row = {"id_number": id_number, "period_start": start, "period_end": end, "minutes": minutes,
           "assignments_passed": passed, "assessment_score": score}
    row.update(extra)
    return row


def ingest(actor, project, rows, *, source="研修网", valid_only=False, key=""):
    from projects.enrolment.outcomes.ingest import ingest_learning_records

    return ingest_learning_records(actor=actor, project=project, rows=rows, source=source, valid_only=valid_only,
                                   idempotency_key=key)


def compute(actor, project):
    return outcome_services.outcomes_compute(actor=actor, project=project)
