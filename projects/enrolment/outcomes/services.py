"""Writes on completion schemes (R46), computed outcomes and their confirmation and audit (R48, R41).

Schemes move through backoffice.workflow.fire; outcomes of a whole project move through
backoffice.workflow.fire_many (one UPDATE, one audit INSERT, each trainee its own audit row)."""
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.bulk import analyze
from backoffice.config import get_setting
from backoffice.exceptions import DomainError, ScopeError
from backoffice.workflow import fire

from . import permissions as perms
from .config import PASS_LINE, default_indicators
from .models import (
    CompletionScheme,
    IndicatorKind,
    Outcome,
    OutcomeStatus,
    Proposed,
    SchemeIndicator,
    SchemeStatus,
)
from .selectors import scheme_in_force


# -- completion schemes (R46) -----------------------------------------------------------------------------------
def scheme_draft(*, actor, project) -> CompletionScheme:
    """The editable version of the project's scheme: the open draft, or a new version copied from the one in
    force (or, for the first version, from the province's default scheme)."""
    if not perms.scheme_editor.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the project's institution sets its completion scheme."))
    if project.mode not in ("online", "blended"):
        raise DomainError("no_online_part", _("Only a project with an online part declares a completion scheme."))
    with transaction.atomic():
        versions = CompletionScheme.objects.select_for_update().filter(project=project)
        open_ = versions.filter(status__in=[SchemeStatus.DRAFT, SchemeStatus.RETURNED, SchemeStatus.SUBMITTED]).first()
        if open_ is not None:
            return open_
        current = scheme_in_force(project)
        last = versions.order_by("-version").values_list("version", flat=True).first() or 0
        if current is not None:
            pass_line = current.pass_line
            rows = [{"kind": i.kind, "target": i.target, "weight": i.weight, "minimum_percent": i.minimum_percent}
                    for i in current.indicators.all()]
        else:
            pass_line = get_setting(PASS_LINE, region=project.plan.province)
            rows = default_indicators(project)
        scheme = CompletionScheme.objects.create(project=project, version=last + 1, pass_line=pass_line,
                                                 created_by=actor)
        SchemeIndicator.objects.bulk_create([SchemeIndicator(scheme=scheme, **row) for row in rows])
        audit_record(obj=scheme, actor=actor, action="create", to_state=scheme.status,
                     changes={"version": (None, scheme.version)})
    return scheme


def _decimal(value, *, label, low=Decimal(0), high=None) -> Decimal | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise DomainError("not_a_number", _("%(label)s: “%(value)s” is not a number.") % {
            "label": label, "value": text}) from None
    if not number.is_finite() or number < low or (high is not None and number > high):
        raise DomainError("out_of_range", _("%(label)s: %(value)s is out of range.") % {"label": label, "value": text})
    return number


def scheme_update(*, actor, scheme: CompletionScheme, pass_line, indicators: dict) -> CompletionScheme:
    """Set the pass line and the indicators ({kind: {"target", "weight", "minimum_percent"}}; an indicator
    without a weight is left out). Only a draft or returned version is edited; the change is audited (R3)."""
    if not perms.scheme_editor.test(actor, scheme.project):
        raise ScopeError("transition_forbidden", _("Only the project's institution sets its completion scheme."))
    labels = dict(IndicatorKind.choices)
    with transaction.atomic():
        scheme = CompletionScheme.objects.select_for_update().get(pk=scheme.pk)
        if not scheme.editable:
            raise DomainError("scheme_not_editable", _("Only a draft or a returned version can be changed; an approved "
                                                     "version is never edited."))
        new_pass = _decimal(pass_line, label=_("Pass line"), high=Decimal(100))
        if new_pass is None:
            raise DomainError("pass_line_required", _("Enter the pass line."))
        rows = []
        for kind, values in indicators.items():
            label = str(labels.get(kind, kind))
            if kind not in labels:
                raise DomainError("unknown_indicator", _("Unknown indicator “%(kind)s”.") % {"kind": kind})
            weight = _decimal(values.get("weight"), label=label, high=Decimal(100))
            if not weight:
                continue
            target = _decimal(values.get("target"), label=label)
            if not target:
                raise DomainError("target_required", _("%(label)s: enter a full-marks target above 0.") % {
                    "label": label})
            minimum = _decimal(values.get("minimum_percent"), label=label, high=Decimal(100))
            rows.append(SchemeIndicator(scheme=scheme, kind=kind, target=target, weight=weight,
                                        minimum_percent=minimum))
        before = {i.kind: f"{i.weight}/{i.target}/{i.minimum_percent or ''}" for i in scheme.indicators.all()}
        after = {r.kind: f"{r.weight}/{r.target}/{r.minimum_percent or ''}" for r in rows}
        scheme.indicators.all().delete()
        SchemeIndicator.objects.bulk_create(rows)
        old_pass, scheme.pass_line = scheme.pass_line, new_pass
        scheme.save(update_fields=["pass_line"])
        changes = {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}
        if old_pass != new_pass:
            changes["pass_line"] = (old_pass, new_pass)
        audit_record(obj=scheme, actor=actor, action="update", changes=changes)
    return scheme


def scheme_move(*, actor, scheme: CompletionScheme, name: str, reason: str = "") -> CompletionScheme:
    """Submit, approve (the office before the start; the province a change after it, with a reason) or return.
    Approving a new version replaces the one in force, in the same transaction."""
    if name not in {"submit", "approve", "approve_change", "return_"}:
        raise DomainError("transition_not_allowed", _("This action is not available here."))
    with transaction.atomic():
        if name in {"approve", "approve_change"}:
            current = CompletionScheme.objects.select_for_update().filter(
                project_id=scheme.project_id, status=SchemeStatus.APPROVED).exclude(pk=scheme.pk).first()
            # Check the move first, so a refusal leaves the version in force untouched.
            from backoffice.workflow import refusals

            found = refusals(CompletionScheme.objects.get(pk=scheme.pk), name, actor)
            if found:
                raise DomainError(found[0][0], found[0][1], errors=found)
            if current is not None:
                fire(CompletionScheme, current.pk, name="supersede", actor=actor,
                     reason=_("Replaced by version %(v)s.") % {"v": scheme.version})
        return fire(CompletionScheme, scheme.pk, name=name, actor=actor, reason=reason)


# -- computed outcomes (R48) -------------------------------------------------------------------------------------
# Which aggregate of the current records each indicator reads.
_AGGREGATE = {
    "learning_minutes": "SUM(minutes)", "assignments_submitted": "SUM(assignments_submitted)",
    "assignments_passed": "SUM(assignments_passed)", "achievements": "SUM(achievements)",
    "assessment": "MAX(assessment_score)", "activities": "SUM(activities)",
}
_COLUMN = {"learning_minutes": "minutes", "assessment": "assessment_score"}


def _least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if connection.vendor == "postgresql" else f"MIN({a}, {b})"


def _aggregate_in_memory(cursor):
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL work_mem = '64MB'")  # 200,000 trainees' sums aggregated in memory


def outcomes_compute(*, actor, project) -> int:
    """R48: every trainee's learning score, hard minimums and proposed outcome for the whole project, in one
    INSERT … SELECT (aggregation and upsert in SQL; no query per trainee). Each indicator scores
    min(actual ÷ target, 1) × 100; the score is the weighted sum, rounded half-up to 0.01 only at the end
    (R46). A trainee below a hard minimum is not completed whatever the score; without any record, no-show.
    Outcomes already confirmed or audited are left as they are. Returns the number of trainees computed."""
    from ..models import Enrolment
    from ..models import EnrolmentStatus as S

    if not perms.outcome_confirmer.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the project's institution computes its outcomes."))
    scheme = scheme_in_force(project)
    if scheme is None:
        raise DomainError("no_scheme", _("The project has no approved completion scheme; it must be approved "
                                         "before the outcomes are computed."))
    indicators = list(scheme.indicators.all())
    params: list = []
    score_terms, minimum_terms = [], []
    for ind in indicators:
        col = f"r.{_COLUMN.get(ind.kind, ind.kind)}"
        # weight × min(actual ÷ target, 1): the weights sum to 100, so the sum is the score out of 100.
        score_terms.append(f"%s * {_least(f'COALESCE({col}, 0) * 1.0 / %s', '1')}")
        params += [ind.weight, ind.target]
    for ind in indicators:
        if ind.minimum_percent:
            col = f"r.{_COLUMN.get(ind.kind, ind.kind)}"
            # actual ≥ target × share, compared without dividing (exact at the boundary).
            minimum_terms.append(f"CASE WHEN COALESCE({col}, 0) * 100 < %s * %s THEN '{ind.kind},' ELSE '' END")
            params += [ind.target, ind.minimum_percent]
    score_sql = " + ".join(score_terms) or "0"
    minimum_sql = " || ".join(minimum_terms) or "''"
    e, o, lr = Enrolment._meta.db_table, Outcome._meta.db_table, "enrolment_learningrecord"
    aggregates = ", ".join(f"{agg} AS {_COLUMN.get(kind, kind)}" for kind, agg in _AGGREGATE.items())
    figures = ("minutes", "assignments_submitted", "assignments_passed", "achievements", "assessment_score",
               "activities")
    now = timezone.now()
    sql = f"""
        INSERT INTO {o} (enrolment_id, project_id, scheme_id, records, {", ".join(figures)}, score,
                         minimums_failed, proposed, override, override_reason, computed_at, status, return_reason)
        SELECT s.enrolment_id, %s, %s, s.n, {", ".join("s." + f for f in figures)}, s.score, s.failed,
               CASE WHEN s.n = 0 THEN 'no_show'
                    WHEN s.failed <> '' OR s.score < %s THEN 'not_completed'
                    ELSE 'completed' END,
               '', '', %s, 'proposed', ''
        FROM (
            SELECT e.id AS enrolment_id, COALESCE(r.n, 0) AS n,
                   COALESCE(r.minutes, 0) AS minutes, COALESCE(r.assignments_submitted, 0) AS assignments_submitted,
                   COALESCE(r.assignments_passed, 0) AS assignments_passed,
                   COALESCE(r.achievements, 0) AS achievements, r.assessment_score AS assessment_score,
                   COALESCE(r.activities, 0) AS activities,
                   ROUND({score_sql}, 2) AS score,
                   RTRIM({minimum_sql}, ',') AS failed
            FROM {e} e
            LEFT JOIN (SELECT enrolment_id, COUNT(*) AS n, {aggregates}
                       FROM {lr} WHERE project_id = %s AND is_current GROUP BY enrolment_id) r
                   ON r.enrolment_id = e.id
            WHERE e.project_id = %s AND e.status IN (%s, %s)
        ) s
        WHERE true
        ON CONFLICT (enrolment_id) DO UPDATE SET
            scheme_id = EXCLUDED.scheme_id, records = EXCLUDED.records,
            {", ".join(f"{f} = EXCLUDED.{f}" for f in figures)},
            score = EXCLUDED.score, minimums_failed = EXCLUDED.minimums_failed, proposed = EXCLUDED.proposed,
            computed_at = EXCLUDED.computed_at
        WHERE {o}.status IN ('proposed', 'returned')
    """
    head, tail = [project.pk, scheme.pk, scheme.pass_line, now], [project.pk, project.pk, S.ENROLLED, S.IN_TRAINING]
    # The parameters run in the order they appear: project, scheme, pass line, now; then the score's and the
    # minimums' inside the sub-select; then the sub-select's filters.
    values = head + params + tail
    if connection.vendor != "postgresql":  # SQLite compares a bound Decimal (sent as text) as text
        values = [float(v) if isinstance(v, Decimal) else v for v in values]
    with transaction.atomic(), connection.cursor() as cursor:
        _aggregate_in_memory(cursor)
        cursor.execute(sql, values)
        count = cursor.rowcount
        analyze(Outcome)  # the confirmation and audit that follow plan on these rows
        audit_record(obj=project, actor=actor, action="update",
                     changes={"outcomes_computed": (None, count), "scheme_version": (None, scheme.version)})
    return count


def _started(project) -> bool:
    return project.status == "in_progress" or timezone.localdate() >= project.start_date


def outcome_override(*, actor, outcome: Outcome, value: str, reason: str) -> Outcome:
    """R48: the institution sets one trainee's outcome against the computation, with a reason the county sees.
    An empty `value` goes back to the computed outcome."""
    if not perms.outcome_institution(outcome, actor):
        raise ScopeError("transition_forbidden", _("Only the project's institution confirms its outcomes."))
    reason = (reason or "").strip()
    if value and value not in Proposed.values:
        raise DomainError("unknown_outcome", _("Choose completed, not completed or no-show."))
    if value and not reason:
        raise DomainError("reason_required", _("An overridden outcome needs a reason."))
    with transaction.atomic():
        row = Outcome.objects.select_for_update().get(pk=outcome.pk)
        if row.status not in (OutcomeStatus.PROPOSED, OutcomeStatus.RETURNED):
            raise DomainError("outcome_confirmed", _("The outcome is already confirmed; it can no longer be "
                                                     "overridden."))
        before = (row.override, row.override_reason)
        Outcome.objects.filter(pk=row.pk).update(override=value, override_reason=reason if value else "")
        row.refresh_from_db()
        audit_record(obj=row, actor=actor, action="update", reason=reason,
                     changes={"override": (before[0], value), "override_reason": (before[1], row.override_reason)})
    return row


def outcomes_confirm(*, actor, project):
    """R48: the institution confirms every proposed (or returned) outcome of the project in one action: one UPDATE
    and one audit row per trainee (through fire_many); an overridden trainee's audit row carries its reason.
    Answers fire_many's result (done pks, refusals per pk)."""
    from backoffice.workflow import fire_many

    if not perms.outcome_confirmer.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the project's institution confirms its outcomes."))
    if not _started(project):
        raise DomainError("project_not_started", _("The project has not started yet."))
    qs = Outcome.objects.filter(project=project, status__in=[OutcomeStatus.PROPOSED, OutcomeStatus.RETURNED])
    reasons = dict(qs.exclude(override="").values_list("pk", "override_reason"))
    with transaction.atomic():
        result = fire_many(Outcome, qs, name="confirm", actor=actor, reasons=reasons)
    if not result.done and not result.refused:
        raise DomainError("nothing_to_confirm", _("No computed outcome is waiting for confirmation."))
    return result


def outcomes_audit(*, actor, project):
    """R48, R41 谁主办谁审核: the county audits the confirmed outcomes of its trainees in the project in one
    action. Each trainee's enrolment takes its outcome through the declared transition (fire_many: one UPDATE
    per outcome kind, one audit row each), the outcome becomes audited, and a completed trainee's hours are
    registered as audited (R40: never above the project's hours), all in one transaction."""
    from django.db.models import Q

    from backoffice.audit import audit_record_query
    from backoffice.bulk import insert_select
    from backoffice.workflow import fire_many

    from ..models import CreditRecord, CreditStatus, Enrolment
    from ..models import EnrolmentStatus as S
    from .selectors import outcome_list_visible_to

    if not perms.outcome_auditor.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the trainees' county audits their outcomes and hours."))
    with transaction.atomic():
        confirmed = outcome_list_visible_to(user=actor, project=project).filter(status=OutcomeStatus.CONFIRMED)
        refused = {}
        moved = 0
        for final, name in (("completed", "confirm_completed"), ("not_completed", "confirm_not_completed"),
                            ("no_show", "confirm_no_show")):
            mine = confirmed.filter(Q(override=final) | (Q(override="") & Q(proposed=final)))
            enrolments = Enrolment.objects.filter(pk__in=mine.values("enrolment_id"))
            reasons = dict(mine.exclude(override="").values_list("enrolment_id", "override_reason"))
            result = fire_many(Enrolment, enrolments, name=name, actor=actor, reasons=reasons)
            refused.update(result.refused)
            moved += len(result.done)
        # The outcomes whose enrolment took its outcome are audited; the others stay confirmed and are reported.
        audited = confirmed.filter(enrolment__status__in=[S.COMPLETED, S.NOT_COMPLETED, S.NO_SHOW])
        result = fire_many(Outcome, audited, name="audit", actor=actor)
        result.refused.update(refused)
        hours = project.hours  # R40: credited hours never exceed the project's hours
        now = timezone.now()
        # Every audited completer without hours yet (this audit's, as earlier audits registered theirs): the
        # unique key on the enrolment skips those that have them, without a join against every credit record.
        completers = Enrolment.objects.filter(project=project, status=S.COMPLETED,
                                              computed_outcome__status=OutcomeStatus.AUDITED)
        insert_select(CreditRecord, key="enrolment", select=completers, now=now, skip_existing=True, given={
            "hours": hours, "year": project.end_date.year, "status": CreditStatus.APPROVED, "registered_at": now,
            "audited_at": now, "audited_by": actor.pk})
        audit_record_query(CreditRecord.objects.filter(enrolment__project=project, audited_at=now), actor=actor,
                           action="create", to_state=CreditStatus.APPROVED, changes={"counted_hours": (0, hours)},
                           repr_fields=("enrolment__teacher__name", "hours"))
    if not result.done and not result.refused:
        raise DomainError("nothing_to_audit", _("No confirmed outcome of your trainees is waiting for the audit."))
    return result


def learning_record_job_start(*, actor, project, upload, source: str, valid_only: bool):
    """R47: save the uploaded CSV/xlsx as a job and queue it once saved (big files run in the background)."""
    from backoffice.jobs import job_queue_on_commit

    from .models import LearningRecordJob

    if not perms.records_uploader.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the project's institution sends its learning records."))
    name = (upload.name or "")[-255:]
    if not name.lower().endswith((".csv", ".xlsx")):
        raise DomainError("not_csv_or_xlsx", _("Only .csv and .xlsx files can be imported."))
    source = (source or "").strip()
    if not source:
        raise DomainError("source_required", _("Name the platform the records come from."))
    with transaction.atomic():
        job = LearningRecordJob.objects.create(project=project, file=upload, original_name=name, source=source[:64],
                                               valid_only=valid_only, created_by=actor)
        job_queue_on_commit(job)
    return job


def certificates_for_audited(*, actor, project):
    """Certificates for the confirmed and audited completers, as the existing batch job (R43)."""
    from ..services import certificate_job_start

    return certificate_job_start(actor=actor, project=project)
