"""Deadlines the enrolment workflow sets (R4), each beside the transition it guards: enrolment once the publicity
window ends (R32), the institution's outcomes after the project's end (R48) and the audit of registered hours (R41)."""
from django.db.models import CharField, Count, F, IntegerField, Min, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.config import register_setting
from backoffice.deadlines import After, Deadline, register_deadline
from backoffice.models import Role

OUTCOME_DAYS = "deadlines.outcome_working_days"
HOURS_AUDIT_DAYS = "deadlines.hours_audit_working_days"


def _publicised():
    from .models import Enrolment, EnrolmentStatus

    # Enrolment.enrol (R32): possible from the day after the window; one item per project.
    return (Enrolment.objects.filter(status=EnrolmentStatus.PUBLICISED, publicity_ends_on__isnull=False)
            .values(key=F("project_id")).annotate(
                ends_on=Min("publicity_ends_on"), n=Count("pk"), region_code=F("project__plan__province__code"),
                org_id=Value(None, output_field=IntegerField()), code=F("project__code"), name=F("project__name")))


_publicity_due = After("ends_on", 1)  # enrolment opens the working day after the window

def _outcomes_waiting():
    from .models import Enrolment, EnrolmentStatus

    # Enrolment.complete / fail / no_show (R48): the institution records every trainee's outcome after the end.
    # Trainees with a computed outcome (R48 online part) wait on its confirmation instead (below).
    return (Enrolment.objects.filter(status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.IN_TRAINING],
                                     project__end_date__lt=timezone.localdate(),
                                     project__institution__isnull=False, computed_outcome__isnull=True)
            .values(key=F("project_id")).annotate(
                ended=F("project__end_date"), n=Count("pk"), region_code=F("project__plan__province__code"),
                org_id=F("project__institution_id"), code=F("project__code"), name=F("project__name")))


_outcomes_due = After("ended", OUTCOME_DAYS)

def _outcomes_to_confirm():
    from .outcomes.models import Outcome, OutcomeStatus

    # Outcome.confirm (R48): the institution confirms the computed outcomes after the project's end.
    return (Outcome.objects.filter(status__in=[OutcomeStatus.PROPOSED, OutcomeStatus.RETURNED],
                                   project__end_date__lt=timezone.localdate())
            .values(key=F("project_id")).annotate(
                ended=F("project__end_date"), n=Count("pk"), region_code=F("project__plan__province__code"),
                org_id=F("project__institution_id"), code=F("project__code"), name=F("project__name")))


def _outcomes_to_audit():
    from .outcomes.models import Outcome, OutcomeStatus

    # Outcome.audit / return_ (R48, R41 谁主办谁审核): the trainees' county audits; one item per project and county.
    return (Outcome.objects.filter(status=OutcomeStatus.CONFIRMED)
            .values(key=Concat(Cast("project_id", CharField()), Value("-"), F("enrolment__teacher__region__code"),
                               output_field=CharField())).annotate(
                project_pk=F("project_id"), confirmed=Min("confirmed_at"), n=Count("pk"),
                region_code=F("enrolment__teacher__region__code"), org_id=Value(None, output_field=IntegerField()),
                code=F("project__code"), name=F("project__name")))


_audit_due = After("confirmed", HOURS_AUDIT_DAYS)

def _hours_waiting():
    from .models import CreditRecord, CreditStatus

    # CreditRecord.approve / return_ (R41): the organiser audits registered hours (谁主办谁审核).
    return (CreditRecord.objects.filter(status=CreditStatus.REGISTERED)
            .values(key=F("enrolment__project_id")).annotate(
                registered=Min("registered_at"), n=Count("pk"), region_code=F("enrolment__project__plan__province__code"),
                org_id=F("enrolment__project__office_id"), code=F("enrolment__project__code"),
                name=F("enrolment__project__name")))


_hours_due = After("registered", HOURS_AUDIT_DAYS)

def _project_subject(row) -> str:
    return f"{row['code']} {row['name']}"


def register():
    register_setting(OUTCOME_DAYS, default=10, rule="R48",
                     label=_("Deadlines: working days after a project's end to record every trainee's outcome"))
    register_setting(HOURS_AUDIT_DAYS, default=10, rule="R41",
                     label=_("Deadlines: working days to audit registered training hours"))
    register_deadline(Deadline(
        key="enrolment.publicity_end", label=_("Enrol the publicised trainees"), rule="R32",
        transition="enrolment.Enrolment.enrol", rows=_publicised, due=_publicity_due, all_day=True,
        subject=_project_subject, url=lambda row: reverse("enrolment:project_detail", args=[row["key"]]),
        region_roles=(Role.PROVINCE_STAFF,)))
    register_deadline(Deadline(
        key="enrolment.outcomes", label=_("Record the trainees' outcomes"), rule="R48",
        transition="enrolment.Enrolment.complete", rows=_outcomes_waiting, due=_outcomes_due, all_day=True,
        subject=_project_subject, url=lambda row: reverse("enrolment:project_detail", args=[row["key"]]),
        org_roles=(Role.INSTITUTION_STAFF,)))
    register_deadline(Deadline(
        key="enrolment.outcome_confirm", label=_("Confirm the computed outcomes"), rule="R48",
        transition="enrolment.Outcome.confirm", rows=_outcomes_to_confirm, due=_outcomes_due, all_day=True,
        subject=_project_subject, url=lambda row: reverse("enrolment:outcomes", args=[row["key"]]),
        org_roles=(Role.INSTITUTION_STAFF,)))
    register_deadline(Deadline(
        key="enrolment.outcome_audit", label=_("Audit the confirmed outcomes and hours"), rule="R48",
        transition="enrolment.Outcome.audit", rows=_outcomes_to_audit, due=_audit_due,
        subject=_project_subject, url=lambda row: reverse("enrolment:outcomes", args=[row["project_pk"]]),
        region_roles=(Role.COUNTY_STAFF, Role.CITY_STAFF)))
    register_deadline(Deadline(
        key="enrolment.hours_audit", label=_("Audit the registered training hours"), rule="R41",
        transition="enrolment.CreditRecord.approve", rows=_hours_waiting, due=_hours_due,
        subject=_project_subject, url=lambda row: reverse("enrolment:credit_list") + "?status=registered",
        org_roles=(Role.PROJECT_OFFICE_STAFF,), region_roles=(Role.PROVINCE_STAFF,)))
