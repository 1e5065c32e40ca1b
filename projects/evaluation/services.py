"""Writes on evaluations. State changes go through backoffice.workflow.fire; score changes are audited with
audit_record in the same transaction (R3). Survey answers are the one deliberate exception: they are never
audited or logged, so nothing ties an answer to a person, a device or a moment (R61)."""
import hashlib
import hmac
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.config import get_setting
from backoffice.exceptions import DomainError, ScopeError
from backoffice.numbers import finite_decimal
from backoffice.workflow import fire
from projects.models import ProjectStatus
from projects.services import project_mark_evaluated

from . import config, scoring
from .permissions import may_be_assigned
from .models import (
    ASSESSED_SOURCES, DIMENSIONS, PLATFORM_SOURCES, Assessment, Assignment, AssessorKind, Evaluation, EvaluationResult,
    EvaluationStatus as E, Indicator, IndicatorSystem, Source, SurveyResponse, SurveyToken,
)

SCORING_STATES = (E.COLLECTING, E.SCORING)


def _check(perm: str, actor, obj, *, what: str):
    if not actor.has_perm(perm, obj):
        raise ScopeError("forbidden", _("Your role or region does not allow you to %(what)s.") % {"what": what})


# -- indicator systems (R60, R64) --------------------------------------------------------------------------
def default_weights(*, region) -> dict[str, Decimal]:
    """R64 default weights (settings) for the province of `region`."""
    return {s: get_setting(config.WEIGHT_KEY.format(s), region=region) for s in config.DEFAULT_WEIGHTS}


def indicator_system_create(*, actor, province, project_type: str, weights: dict | None = None,
                            note: str = "") -> IndicatorSystem:
    """A new version of the province's indicator system for a project type. R60: weights sum to exactly 100."""
    _check("evaluation.add_indicator_system", actor, None, what=_("define indicator systems"))
    from backoffice.scoping import scope_for

    if not scope_for(actor).covers_region(province):
        raise ScopeError("forbidden", _("You may define indicator systems only for your own province."))
    return _system_create(actor=actor, province=province, project_type=project_type, weights=weights, note=note)


def _system_create(*, actor, province, project_type, weights, note) -> IndicatorSystem:
    weights = default_weights(region=province) if weights is None else weights
    clean: dict[str, Decimal] = {}
    for source, value in weights.items():
        if source not in Source.values:
            raise DomainError("invalid", _("Unknown indicator source %(source)s.") % {"source": source})
        w = finite_decimal(value)
        if w is None:
            raise DomainError("invalid", _("A weight must be a number."))
        if w < 0 or w > 100 or w != w.quantize(Decimal("0.01")):
            raise DomainError("invalid", _("Each weight lies between 0 and 100, with at most two decimals."))
        clean[source] = w
    total = sum(clean.values(), Decimal("0"))
    if total != 100:  # R60
        raise DomainError("r60_weights_not_100", _("The weights add up to %(total)s; they must add up to exactly "
                                                   "100.") % {"total": total.normalize()})
    with transaction.atomic():
        latest = (IndicatorSystem.objects.select_for_update().filter(province=province, project_type=project_type)
                  .aggregate(v=Max("version"))["v"] or 0)
        system = IndicatorSystem.objects.create(province=province, project_type=project_type, version=latest + 1,
                                                note=note.strip()[:200], created_by=actor)
        order = list(Source.values)
        # A platform figure (R63) takes part only when weighted: at 0 (its default) it is left out of the system.
        Indicator.objects.bulk_create([Indicator(system=system, source=s, weight=w, position=order.index(s))
                                       for s, w in clean.items() if w or s not in PLATFORM_SOURCES])
        audit_record(obj=system, actor=actor, action="create",
                     changes={s: (None, w) for s, w in clean.items()})
    return system


def indicator_system_current(*, province, project_type: str):
    return (IndicatorSystem.objects.filter(province=province, project_type=project_type)
            .order_by("-version").first())


# -- opening -----------------------------------------------------------------------------------------------
def evaluation_open(*, actor, project) -> Evaluation:
    """Open the evaluation of a completed project with the current indicator system of its type (R60); the
    province's first evaluation of a type creates version 1 from the default weights (R64)."""
    from projects.models import Project

    with transaction.atomic():
        project = Project.objects.select_for_update(of=("self",)).select_related("plan__province", "institution").get(pk=project.pk)
        _check("evaluation.open_evaluation", actor, project, what=_("open an evaluation of this project"))
        if project.status != ProjectStatus.COMPLETED:
            raise DomainError("project_not_completed", _("Only a completed project can be evaluated."))
        if Evaluation.objects.filter(project=project).exists():
            raise DomainError("evaluation_exists", _("This project already has an evaluation."))
        province = project.plan.province
        system = indicator_system_current(province=province, project_type=project.project_type)
        if system is None:
            system = _system_create(actor=actor, province=province, project_type=project.project_type,
                                    weights=None, note=_("Default weights"))
        evaluation = Evaluation.objects.create(project=project, system=system, opened_by=actor)
        audit_record(obj=evaluation, actor=actor, action="create", to_state=E.OPENED,
                     changes={"indicator_system": (None, f"{system} #{system.pk}")})
    return evaluation


# -- assessors ---------------------------------------------------------------------------------------------
def evaluation_assign(*, actor, evaluation: Evaluation, user, kind: str) -> Assignment:
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update(of=("self",)).select_related("project__plan__province").get(
            pk=evaluation.pk)
        _check("evaluation.manage_evaluation", actor, evaluation, what=_("assign assessors to this evaluation"))
        if evaluation.status not in (E.OPENED, E.COLLECTING):
            raise DomainError("evaluation_not_open", _("Assessors are assigned before the survey closes."))
        if kind not in AssessorKind.values or not may_be_assigned(user, kind):
            raise DomainError("assessor_invalid", _(
                "Only experts can be assigned; a third-party evaluator must be an expert of an evaluator "
                "organisation."))
        if user.organisation_id and user.organisation_id == evaluation.project.institution_id:
            raise DomainError("assessor_conflict", _("An assessor may not work for the institution evaluated."))
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(evaluation=evaluation, user=user, kind=kind, assigned_by=actor)
        except IntegrityError as exc:
            raise DomainError("assessor_already_assigned", _("This person is already assigned.")) from exc
        audit_record(obj=evaluation, actor=actor, action="update",
                     changes={f"assignment:{kind}": (None, str(user))})
    return assignment


# -- scores (R63) --------------------------------------------------------------------------------------------
def assessment_record(*, actor, evaluation: Evaluation, source: str, score, comment: str = "") -> Assessment:
    """An assigned expert's spot check, an assigned third-party evaluator's score, or the institution's
    self-assessment (one per evaluation, the latest entry replaces it). Audited as a score change (R3)."""
    score = finite_decimal(score)
    if score is None or not (0 <= score <= 100) or score != score.quantize(Decimal("0.01")):
        raise DomainError("score_invalid", _("A score is a number from 0 to 100."))
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update(of=("self",)).select_related(
            "project__plan__province", "project__institution").get(pk=evaluation.pk)
        perm = {Source.EXPERT: "evaluation.score_expert", Source.THIRD_PARTY: "evaluation.score_third_party",
                Source.SELF: "evaluation.score_self"}.get(source)
        if source not in ASSESSED_SOURCES or perm is None:
            raise DomainError("invalid", _("Scores are entered only for the expert, third-party and self "
                                           "assessments."))
        _check(perm, actor, evaluation, what=_("enter this score"))
        if evaluation.status not in SCORING_STATES:
            raise DomainError("evaluation_not_scoring", _("Scores are entered while the evaluation is collecting "
                                                          "or scoring."))
        if source == Source.SELF:
            existing = Assessment.objects.filter(evaluation=evaluation, source=source).first()
        else:
            existing = Assessment.objects.filter(evaluation=evaluation, source=source, assessor=actor).first()
        before = existing.score if existing else None
        if existing:
            existing.score, existing.comment, existing.assessor = score, comment.strip(), actor
            existing.save(update_fields=["score", "comment", "assessor"])
            assessment = existing
        else:
            assessment = Assessment.objects.create(evaluation=evaluation, source=source, assessor=actor,
                                                   score=score, comment=comment.strip())
        audit_record(obj=evaluation, actor=actor, action="update",
                     changes={f"score:{source}": (before, score)})
    return assessment


# -- anonymous survey (R61) ----------------------------------------------------------------------------------
def token_digest(token: str) -> str:
    """Keyed hash: a leaked table of digests cannot be turned back into working links."""
    return hmac.new(settings.SECRET_KEY.encode(), token.strip().encode(), hashlib.sha256).hexdigest()


def survey_tokens_issue(*, actor, evaluation: Evaluation) -> list[str]:
    """Issue one one-time token per trainee who attended (R61) and return them; they are shown only now.

    Tokens are anonymous: nothing records which trainee receives which token. Issuing again replaces every
    unused token, so answered + unused never exceeds the number of trainees (a spent token is deleted: the
    responses count them)."""
    from projects.models import Project

    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update(of=("self",)).select_related("project__plan__province").get(
            pk=evaluation.pk)
        _check("evaluation.manage_evaluation", actor, evaluation, what=_("issue survey tokens for this evaluation"))
        if evaluation.status not in (E.OPENED, E.COLLECTING):
            raise DomainError("evaluation_not_open", _("Survey tokens are issued before the survey closes."))
        project = Project.objects.get(pk=evaluation.project_id)
        trainees = scoring.enrolment_counts(project)["reported"]
        used = SurveyResponse.objects.filter(evaluation=evaluation).count()
        SurveyToken.objects.filter(evaluation=evaluation).delete()
        tokens = [secrets.token_urlsafe(18) for _ in range(max(trainees - used, 0))]
        SurveyToken.objects.bulk_create([SurveyToken(evaluation=evaluation, digest=token_digest(t)) for t in tokens])
        before = evaluation.tokens_issued
        evaluation.tokens_issued = trainees
        evaluation.save(update_fields=["tokens_issued"])
        audit_record(obj=evaluation, actor=actor, action="update",
                     changes={"tokens_issued": (before, trainees), "tokens_unused": (None, len(tokens))})
    return tokens


def survey_token_lookup(*, token: str) -> SurveyToken | None:
    return (SurveyToken.objects.select_related("evaluation__project").filter(digest=token_digest(token or ""))
            .first())


def survey_submit(*, token: str, answers: dict, comment: str = "") -> None:
    """Record one anonymous answer and spend the token (one response per token, R61).

    Stores the ratings only: no token, no trainee, no IP, no time; no audit row and no log line. The token row
    is deleted, not marked: a marked row would share the answer's transaction id and order (R61)."""
    ratings = {}
    for d in DIMENSIONS:
        try:
            value = int(answers.get(d))
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise DomainError("survey_incomplete", _("Please rate every aspect from 1 to 5."))
        ratings[d] = value
    with transaction.atomic():
        row = SurveyToken.objects.select_for_update().filter(digest=token_digest(token or "")).first()
        if row is None:
            raise DomainError("r61_token_invalid", _("This survey link is not valid or has already been used."))
        evaluation = Evaluation.objects.only("status").get(pk=row.evaluation_id)
        if evaluation.status != E.COLLECTING:
            raise DomainError("survey_closed", _("The survey is not open."))
        row.delete()
        SurveyResponse.objects.create(evaluation_id=row.evaluation_id, comment=comment.strip()[:1000], **ratings)


# -- transitions ---------------------------------------------------------------------------------------------
def evaluation_start_collecting(*, actor, evaluation: Evaluation, reason: str = "") -> Evaluation:
    return fire(Evaluation, evaluation.pk, name="start_collecting", actor=actor, reason=reason)


def evaluation_close_collection(*, actor, evaluation: Evaluation, reason: str = "") -> Evaluation:
    return fire(Evaluation, evaluation.pk, name="close_collection", actor=actor, reason=reason)


def evaluation_grade(*, actor, evaluation: Evaluation, reason: str = "") -> Evaluation:
    """Snapshot every indicator's value and compute the weighted total and the grade (R62, R63)."""
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update(of=("self",)).select_related("project__plan__province", "system").get(
            pk=evaluation.pk)
        rows = scoring.breakdown(locked)
        total = scoring.weighted_total(rows)
        if total is None:
            raise DomainError("no_indicator_available", _("No indicator has a value yet."))
        grade = scoring.grade_for(total)
        return fire(Evaluation, evaluation.pk, name="grade_", actor=actor, reason=reason, total=total, grade=grade,
                    breakdown=rows, changes={"total": (None, total), "grade": (None, grade)})


def evaluation_back_to_scoring(*, actor, evaluation: Evaluation, reason: str) -> Evaluation:
    return fire(Evaluation, evaluation.pk, name="back_to_scoring", actor=actor, reason=reason)


def evaluation_publish(*, actor, evaluation: Evaluation, reason: str = "") -> Evaluation:
    """R65: publishing writes the grade onto the project through the projects service, where tendering (R29)
    and finance (R54) read it, and keeps the result (R66)."""
    with transaction.atomic():
        evaluation = fire(Evaluation, evaluation.pk, name="publish", actor=actor, reason=reason)
        EvaluationResult.objects.create(evaluation=evaluation, system_id=evaluation.system_id, total=evaluation.total,
                                        grade=evaluation.grade, breakdown=evaluation.breakdown, published_by=actor,
                                        published_at=evaluation.published_at)
        project_mark_evaluated(project=evaluation.project, actor=actor, grade=evaluation.grade)
    return evaluation


def evaluation_reopen(*, actor, evaluation: Evaluation, reason: str) -> Evaluation:
    """R66: only the province, with a reason. The published result is kept (marked superseded) and the project
    keeps its published grade until a new result is published."""
    from django.utils import timezone

    with transaction.atomic():
        evaluation = fire(Evaluation, evaluation.pk, name="reopen", actor=actor, reason=reason)
        current = evaluation.results.filter(superseded_at__isnull=True).order_by("-published_at").first()
        if current is not None:
            current.superseded_at, current.reopen_reason = timezone.now(), evaluation.reopen_reason
            current.save(update_fields=["superseded_at", "reopen_reason"])
    return evaluation

