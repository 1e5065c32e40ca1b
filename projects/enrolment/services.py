"""Writes on enrolment, exemptions, credit hours and certificates. Every state change goes through
backoffice.workflow.fire (lock, role/scope, guards, audit); set-based writes record one audit event per row."""
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from backoffice.audit import Entry, audit_record, audit_record_many
from backoffice.config import get_setting
from backoffice.exceptions import DomainError, ScopeError
from backoffice.jobs import job_queue_on_commit
from backoffice.scoping import scope_for
from backoffice.workflow import fire, fire_many
from projects.models import Project

from . import permissions as perms
from . import selectors
from .dates import add_working_days
from .eligibility import screen_project
from .models import (
    BANNING_OUTCOMES,
    PLACE_HOLDING,
    Certificate,
    CertificateSequence,
    CertificateStatus,
    CreditRecord,
    CreditStatus,
    Enrolment,
    EnrolmentStatus,
    CertificateJob,
    CertificateOutput,
    Exemption,
    ImportJob,
    ImportKind,
    Nominator,
)

S = EnrolmentStatus


def _require_dispatcher(actor, teacher):
    if not perms.dispatches_teacher.test(actor, teacher):
        raise ScopeError("not_dispatching_unit", _("Only the teacher's school or county may put them forward."))


# -- applications and selection (R32, R37) ---------------------------------------------------------------
def enrolment_apply(*, actor, project: Project, teacher, nominated_by: str = Nominator.SCHOOL) -> Enrolment:
    """A school or county enters an application; the eligibility rules are applied at recommendation."""
    _require_dispatcher(actor, teacher)
    with transaction.atomic():
        if Enrolment.objects.filter(project=project, teacher=teacher).exists():
            # R37: one enrolment per (project, teacher).
            raise DomainError("already_applied", _("%(name)s already has an application for this project.") % {
                "name": teacher.name})
        if project.status != "contracted":
            raise DomainError("project_not_open", _("The project is not open for applications (it must be contracted and not started)."))
        if project.category == "whole_staff":
            # R49: no applications or selection; the county enrols all its teachers at once.
            raise DomainError("whole_staff_no_applications", _(
                "A whole-staff project takes no applications; the county enrols all its teachers at once."))
        enrolment = Enrolment.objects.create(project=project, teacher=teacher, nominated_by=nominated_by,
                                             applied_by=actor)
        audit_record(obj=enrolment, actor=actor, action="create", to_state=enrolment.status)
    return enrolment


def enrolment_recommend(*, actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    return fire(Enrolment, enrolment.pk, name="recommend", actor=actor, reason=reason)


def enrolment_reject(*, actor, enrolment: Enrolment, reason: str, rule: str = "") -> Enrolment:
    return fire(Enrolment, enrolment.pk, name="reject", actor=actor, reason=reason, rule=rule)


def enrolment_select(*, actor, enrolment: Enrolment) -> Enrolment:
    """R32: within the quota the applicant is selected; beyond it they go on the reserve list."""
    with transaction.atomic():
        # Serialise selections in one project so two clicks cannot both take the last place.
        project = Project.objects.select_for_update().get(pk=enrolment.project_id)
        taken = Enrolment.objects.filter(project=project, status__in=PLACE_HOLDING).count()
        name = "select" if taken < project.quota else "reserve"
        return fire(Enrolment, enrolment.pk, name=name, actor=actor)


def _first_refusal_if_none_done(result):
    """A project-wide move that moved nobody says why (the first refusal), as `fire` would for one row."""
    if not result.done and result.refused:
        code, message = next(iter(result.refused.values()))[0]
        raise DomainError(code, message)


RANKING_ORDER = (F("ranking_score").desc(nulls_last=True), "submitted_at", "pk")
SUBMISSION_ORDER = ("submitted_at", "pk")


def project_select_in_order(*, actor, project: Project, by_ranking: bool = False) -> dict:
    """Select every recommended applicant in order of submission (or by the institution's ranking score) until
    the quota is full; the rest go on the reserve list in that same order (R32). Set-based (fire_many)."""
    with transaction.atomic():
        result = _select_then_reserve(actor=actor, queryset=Enrolment.objects.filter(project=project, status=S.RECOMMENDED),
                                      by_ranking=by_ranking)
    _first_refusal_if_none_done(result)
    return {"selected": len(result.done) - len(result.reserved), "reserve": len(result.reserved)}


def _select_then_reserve(*, actor, queryset, by_ranking: bool):
    # Serialise selections in the projects concerned so two runs cannot both take the last places.
    list(Project.objects.select_for_update().filter(pk__in=queryset.values("project_id")).values_list("pk", flat=True))
    order = RANKING_ORDER if by_ranking else SUBMISSION_ORDER
    result = fire_many(Enrolment, queryset, name="select", actor=actor, order_by=order)
    beyond = [pk for pk, found in result.refused.items() if [c for c, _m in found] == ["quota_full"]]
    result.reserved = []
    if beyond:
        reserved = fire_many(Enrolment, Enrolment.objects.filter(pk__in=beyond), name="reserve", actor=actor,
                             order_by=order)
        for pk in reserved.done:
            result.refused.pop(pk, None)
        result.done += reserved.done
        result.reserved = reserved.done
    return result


def project_publicise(*, actor, project: Project) -> int:
    """R32: the selection list is publicised for N working days (*setting*); enrolment only after that."""
    days = get_setting("enrolment.publicity_working_days", region=project.plan.province)
    ends_on = add_working_days(timezone.localdate(), days)
    with transaction.atomic():
        result = fire_many(Enrolment, Enrolment.objects.filter(project=project, status=S.SELECTED), name="publicise",
                           actor=actor, ends_on=ends_on)
    _first_refusal_if_none_done(result)
    if not result.done:
        raise DomainError("nothing_to_publicise", _("No selected applicants are waiting to be publicised."))
    return len(result.done)


def project_enrol_publicised(*, actor, project: Project) -> int:
    """Enrol everyone whose publicity window has ended (R32)."""
    with transaction.atomic():
        result = fire_many(Enrolment, Enrolment.objects.filter(project=project, status=S.PUBLICISED,
                                                               publicity_ends_on__lt=timezone.localdate()),
                           name="enrol", actor=actor)
    _first_refusal_if_none_done(result)
    if not result.done:
        raise DomainError("publicity_running", _("Nobody's publicity period has ended yet; nobody is enrolled before it ends."))
    return len(result.done)


# -- bulk work on a trainee list (the selection is the filter) ------------------------------------------
BULK_MOVES = ("recommend", "reject", "select", "reserve", "withdraw")
REJECT_RULES = {
    "R31": _lazy("Does not meet the project's target criteria."),
    "R33": _lazy("Has reached the cap of programme projects in the cycle, or repeats a category."),
    "R34": _lazy("Barred from programme training for 3 years after a no-show, dismissal or non-completion."),
}


def _bulk_checked(name: str, reason: str, rule: str) -> tuple[str, dict]:
    """The bulk move's reason and extra arguments, or a DomainError for an unknown move or rule."""
    if name not in BULK_MOVES:
        raise DomainError("transition_not_allowed", _("This action is not available here."))
    reason = (reason or "").strip()
    extra = {}
    if name == "reject":
        if rule and rule not in REJECT_RULES:
            raise DomainError("unknown_rule", _("Choose one of the listed rules."))
        if rule:
            extra["rule"] = rule
            reason = reason or f"{rule}：{REJECT_RULES[rule]}"
    return reason, extra


BULK_JOB_THRESHOLD = "enrolment.bulk_job_threshold"


def bulk_runs_as_job(*, actor, queryset) -> bool:
    """A bulk move on more trainees than the setting runs as a background job (counted up to the threshold
    only: the question is "more than N?", never the exact size of a huge list)."""
    threshold = get_setting(BULK_JOB_THRESHOLD, region=getattr(actor, "region", None))
    return queryset.order_by()[: threshold + 1].count() > threshold


def enrolments_bulk_job_start(*, actor, name: str, filter_query: str, reason: str = "", rule: str = "",
                              by_ranking: bool = False):
    """Queue the bulk move on every trainee the list's filter matches (`filter_query`, re-applied by the worker
    in the actor's scope): the same checks as in the request, a progress bar and a report per trainee."""
    from .models import BulkActionJob

    if not actor.has_perm(f"enrolment.bulk_{name}_enrolment"):
        raise ScopeError("forbidden", _("Your role does not allow this action."))
    _bulk_checked(name, reason, rule)
    with transaction.atomic():
        job = BulkActionJob.objects.create(action=name, filter=filter_query, reason=(reason or "").strip(),
                                           rule=rule or "", by_ranking=by_ranking, created_by=actor)
        audit_record(obj=job, actor=actor, action="create", reason=job.reason,
                     changes={"action": (None, name), "filter": (None, filter_query)})
        job_queue_on_commit(job)
    return job


def enrolments_bulk(*, actor, queryset, name: str, reason: str = "", rule: str = "", by_ranking: bool = False):
    """Fire `name` on every row of `queryset` (already the actor's scope narrowed by the list's filter) that
    may move; the others are refused one by one with their Chinese reason (fire_many's BulkResult). Rejection
    takes a rule (its sentence is the reason) or a reason; a withdrawal frees places for the first reserves (R36)."""
    reason, extra = _bulk_checked(name, reason, rule)
    with transaction.atomic():
        if name == "select":
            return _select_then_reserve(actor=actor, queryset=queryset, by_ranking=by_ranking)
        order = RANKING_ORDER if by_ranking else SUBMISSION_ORDER
        if name == "withdraw":
            held = dict(queryset.filter(status__in=PLACE_HOLDING).values("project_id").annotate(n=Count("pk"))
                        .values_list("project_id", "n").order_by())
            result = fire_many(Enrolment, queryset, name=name, actor=actor, reason=reason, order_by=order)
            freed = set(Enrolment.objects.filter(pk__in=result.done, project_id__in=list(held))
                        .values_list("project_id", flat=True)) if result.done else set()
            if freed:
                # R36: the first reserves take the freed places, in order of submission.
                fire_many(Enrolment, Enrolment.objects.filter(project_id__in=freed, status=S.RESERVE), name="promote",
                          actor=actor, reason=_("Takes a place freed by a withdrawal."), order_by=SUBMISSION_ORDER)
            return result
        return fire_many(Enrolment, queryset, name=name, actor=actor, reason=reason, order_by=order, **extra)


def enrolment_withdraw(*, actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """R36: before the start, with a reason; the first reserve takes a freed place."""
    with transaction.atomic():
        held_place = Enrolment.objects.select_for_update().get(pk=enrolment.pk).status in PLACE_HOLDING
        withdrawn = fire(Enrolment, enrolment.pk, name="withdraw", actor=actor, reason=reason)
        if held_place:
            reserve_promote_first(actor=actor, project=withdrawn.project, replaced=withdrawn)
    return withdrawn


def reserve_promote_first(*, actor, project: Project, replaced: Enrolment | None = None) -> Enrolment | None:
    first = (Enrolment.objects.filter(project=project, status=S.RESERVE).order_by("submitted_at", "pk")
             .values_list("pk", flat=True).first())
    if first is None:
        return None
    return fire(Enrolment, first, name="promote", actor=actor, replaced=replaced,
                reason=_("Takes the place freed by %(name)s.") % {"name": replaced.teacher.name} if replaced else "")


# -- training and outcomes --------------------------------------------------------------------------------
def enrolment_move(*, actor, enrolment: Enrolment, name: str, reason: str = "") -> Enrolment:
    """A single move from the enrolment page; moves with side effects go through their own service."""
    if name == "withdraw":
        return enrolment_withdraw(actor=actor, enrolment=enrolment, reason=reason)
    if name == "select" or name == "reserve":
        with transaction.atomic():
            Project.objects.select_for_update().get(pk=enrolment.project_id)
            return fire(Enrolment, enrolment.pk, name=name, actor=actor, reason=reason)
    if name == "complete":
        return enrolment_complete(actor=actor, enrolment=enrolment, reason=reason)
    if name == "correct_outcome":
        return enrolment_correct_outcome(actor=actor, enrolment=enrolment, reason=reason)
    if name == "reject":
        return enrolment_reject(actor=actor, enrolment=enrolment, reason=reason)
    if name in {"recommend", "publicise", "enrol", "check_in", "no_show", "fail", "dismiss"}:
        extra = {}
        if name == "publicise":
            days = get_setting("enrolment.publicity_working_days", region=enrolment.project.plan.province)
            extra["ends_on"] = add_working_days(timezone.localdate(), days)
        return fire(Enrolment, enrolment.pk, name=name, actor=actor, reason=reason, **extra)
    raise DomainError("transition_not_allowed", _("This action is not available here."))


def enrolment_complete(*, actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """结业: the hours are registered at once, pending the organiser's audit (R40, R41)."""
    with transaction.atomic():
        done = fire(Enrolment, enrolment.pk, name="complete", actor=actor, reason=reason)
        credit_register(actor=actor, enrolment=done)
    return done


def enrolment_correct_outcome(*, actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """A completion found wrong: the outcome becomes not completed, hours are cancelled and any certificate
    withdrawn (R45) - the certificate keeps its number, which is never reused."""
    with transaction.atomic():
        corrected = fire(Enrolment, enrolment.pk, name="correct_outcome", actor=actor, reason=reason)
        credit = CreditRecord.objects.filter(enrolment=corrected).exclude(status=CreditStatus.CANCELLED).first()
        if credit:
            fire(CreditRecord, credit.pk, name="cancel", actor=actor, reason=reason)
        for cert in Certificate.objects.filter(enrolment=corrected, status=CertificateStatus.VALID):
            fire(Certificate, cert.pk, name="withdraw", actor=actor, reason=reason)
    return corrected


# -- set-based screening (R31-R35) -------------------------------------------------------------------------
def applicants_reject_ineligible(*, actor, project: Project) -> int:
    """Reject every pending applicant (in the actor's region) whom the rules refuse, each with the first
    failing rule and its sentence. Set-based: one screening, one locked read, one update per distinct reason (per 5,000 rows)
    and one insert of audit events (R3) - the query count does not grow with the number of applicants."""
    from .models import PENDING

    if not perms.screener.test(actor, project):
        raise ScopeError("transition_forbidden", _("Your role or region does not allow rejecting applicants."))
    scope = scope_for(actor)
    with transaction.atomic():
        refused = {pk: r[0] for pk, r in screen_project(project).items() if r}
        pending = scope.filter(Enrolment.objects.filter(project=project, status__in=PENDING), region="teacher__region")
        rows = [row for row in pending.select_for_update().values_list("pk", "status", "teacher__region__code",
                                                                        "teacher__name")
                if row[0] in refused]
        if not rows:
            return 0
        by_reason: dict[tuple, list] = {}
        events = []
        for pk, status, region_code, teacher_name in rows:
            refusal = refused[pk]
            by_reason.setdefault((refusal.rule, refusal.message), []).append(pk)
            # The row names the teacher (audit search by name finds it); users read the rule's meaning, the
            # rule number stays in the event's changes.
            events.append(Entry(pk, f"{teacher_name} · {project.name}", region_code, from_state=status,
                                to_state=S.REJECTED, reason=refusal.message,
                                changes={"reject_rule": (None, refusal.rule)}))
        # FSM fields are protected against assignment; a queryset update is the set-based form of `reject`.
        for (rule, message), pks in by_reason.items():
            for i in range(0, len(pks), 5000):  # bind-parameter limits
                Enrolment.objects.filter(pk__in=pks[i:i + 5000]).update(
                    status=S.REJECTED, reject_rule=rule, reject_reason=message)
        audit_record_many(events, model=Enrolment, actor=actor, action="transition", transition="reject")
    return len(rows)


# -- exemptions (R35) --------------------------------------------------------------------------------------
def exemption_apply(*, actor, enrolment: Enrolment, ground: str, explanation: str, evidence) -> Exemption:
    enrolment = Enrolment.objects.select_related("teacher").get(pk=enrolment.pk)
    _require_dispatcher(actor, enrolment.teacher)
    if enrolment.status not in BANNING_OUTCOMES:
        raise DomainError("exemption_not_needed", _("Only a no-show, dismissal or non-completion can be exempted."))
    if not evidence:
        raise DomainError("evidence_required", _("Attach the evidence document."))
    with transaction.atomic():
        if Exemption.objects.filter(enrolment=enrolment).exclude(status="refused").exists():
            raise DomainError("exemption_exists", _("An exemption for this outcome is already under way or approved."))
        exemption = Exemption.objects.create(enrolment=enrolment, ground=ground, explanation=explanation,
                                             evidence=evidence, evidence_name=(evidence.name or "")[-255:],
                                             applied_by=actor)
        audit_record(obj=exemption, actor=actor, action="create", to_state=exemption.status)
    return exemption


def exemption_move(*, actor, exemption: Exemption, name: str, reason: str = "") -> Exemption:
    if name not in {"recommend", "approve", "refuse"}:
        raise DomainError("transition_not_allowed", _("This action is not available here."))
    changes = None
    if name == "approve":
        # R35: the ban of that outcome is lifted; the outcome stays on the record.
        changes = {"ban_lifted": (False, True)}
    return fire(Exemption, exemption.pk, name=name, actor=actor, reason=reason, changes=changes)


# -- credit hours (R40-R42) --------------------------------------------------------------------------------
def credit_register(*, actor, enrolment: Enrolment, hours: int | None = None) -> CreditRecord:
    project = enrolment.project
    hours = project.hours if hours is None else hours
    if enrolment.status != S.COMPLETED:
        raise DomainError("not_completed", _("Only completed trainees are credited hours."))
    if hours > project.hours:
        raise DomainError("hours_exceed_project", _("Credited hours (%(hours)s) cannot exceed the project's %(max)s hours.") % {
            "hours": hours, "max": project.hours})
    with transaction.atomic():
        credit, created = CreditRecord.objects.get_or_create(
            enrolment=enrolment, defaults={"hours": hours, "year": project.end_date.year})
        if created:
            audit_record(obj=credit, actor=actor, action="create", to_state=credit.status,
                         changes={"hours": (None, hours)})
    return credit


def credit_move(*, actor, credit: CreditRecord, name: str, reason: str = "", hours: int | None = None) -> CreditRecord:
    if name not in {"approve", "return_", "resubmit"}:
        raise DomainError("transition_not_allowed", _("This action is not available here."))
    extra, changes = {}, None
    if name == "resubmit" and hours is not None:
        extra["hours"] = hours
        changes = {"hours": (credit.hours, hours)}
    if name == "approve":
        changes = {"counted_hours": (0, credit.hours)}
    return fire(CreditRecord, credit.pk, name=name, actor=actor, reason=reason, changes=changes, **extra)


def credits_of(hours: int, *, region=None, per: int | None = None) -> Decimal:
    """R42: hours ÷ hours per credit (*setting*); a batch passes `per`, read once, instead of a query per row."""
    per = per or get_setting("credit.hours_per_credit", region=region)
    return (Decimal(hours) / Decimal(per)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# -- certificates (R43-R45) --------------------------------------------------------------------------------
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _next_numbers(year: int, count: int) -> list[str]:
    seq, _created = CertificateSequence.objects.select_for_update().get_or_create(year=year)
    first = seq.last + 1
    seq.last += count
    seq.save(update_fields=["last"])
    return [f"GP{year}{n:06d}" for n in range(first, first + count)]


def certificates_issue(*, actor, project: Project, progress=None) -> list[Certificate]:
    """R43: one certificate per completed trainee without a valid one; numbers from a sequence that only grows."""
    if not perms.certifier.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the project's institution or the province issues its certificates."))
    region = project.plan.province
    with transaction.atomic():
        todo = list(Enrolment.objects.filter(project=project, status=S.COMPLETED)
                    .exclude(certificates__status=CertificateStatus.VALID)
                    .select_related("credit").order_by("teacher__region__code", "teacher__name", "pk"))
        if not todo:
            return []
        numbers = _next_numbers(project.end_date.year, len(todo))
        today = timezone.localdate()
        per = get_setting("credit.hours_per_credit", region=region)  # once per batch (issue 13)
        certs = []
        for enrolment, number in zip(todo, numbers):
            credit = getattr(enrolment, "credit", None)
            hours = min(credit.hours if credit and credit.status != CreditStatus.CANCELLED else project.hours,
                        project.hours)
            certs.append(Certificate(
                enrolment=enrolment, number=number, hours=hours, credits=credits_of(hours, per=per),
                verification_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(8)), issued_on=today))
        Certificate.objects.bulk_create(certs)
        created = list(Certificate.objects.filter(number__in=numbers).select_related("enrolment__teacher__region"))
        audit_record_many([Entry(c.pk, f"{c.number} · {c.enrolment.teacher.name}", c.enrolment.teacher.region.code, to_state=c.status) for c in created],
                          model=Certificate, actor=actor, action="create")
    return created


def certificate_withdraw(*, actor, certificate: Certificate, reason: str) -> Certificate:
    return fire(Certificate, certificate.pk, name="withdraw", actor=actor, reason=reason)


# -- jobs and exports (issue 11 #6: the job is queued after commit and survives a broker outage) ------------
def import_job_start(*, actor, kind: str, upload, project: Project | None = None) -> ImportJob:
    """Save the uploaded workbook as a job and queue it once saved; `job.queued` is False when the broker was
    unreachable (the job waits, with a message, for the sweep to queue it again)."""
    allowed = perms.dispatcher if kind == ImportKind.APPLICANTS else perms.teacher_importer
    if not allowed.test(actor, project):
        raise ScopeError("forbidden", _("Your role does not allow this import."))
    if kind == ImportKind.APPLICANTS and project is not None and project.category == "whole_staff":
        # R49: refused at the upload, before a job runs (the importer refuses it again on its own).
        raise DomainError("whole_staff_no_applications", _(
            "A whole-staff project takes no applications; the county enrols all its teachers at once."))
    with transaction.atomic():
        job = ImportJob.objects.create(kind=kind, project=project, file=upload, original_name=upload.name,
                                       created_by=actor)
        job_queue_on_commit(job)
    return job


def certificate_job_start(*, actor, project: Project, output: str = CertificateOutput.PDF) -> CertificateJob:
    """R43: a batch of the project's certificates, generated in the background as one PDF or a zip of PDFs."""
    if not perms.certifier.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the project's institution or the province issues its certificates."))
    if output not in CertificateOutput.values:
        raise DomainError("bad_output", _("Choose one PDF file or a zip of PDF files."))
    with transaction.atomic():
        job = CertificateJob.objects.create(project=project, created_by=actor, output=output)
        job_queue_on_commit(job)
    return job
