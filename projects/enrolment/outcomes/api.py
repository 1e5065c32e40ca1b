"""API (issue 15): an institution's platform sends learning records in batches (R47, the records service) and
reads its project's computed outcomes (R48), through the same service and selectors as the pages."""
from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.filters import UpdatedSinceFilterSet, UtcIsoDateTimeFilter
from backoffice.api.generics import SelectorListView, check_id
from backoffice.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from backoffice.api.pagination import IdCursorPagination
from backoffice.api.permissions import request_key
from backoffice.api.problems import problem, problem_responses
from backoffice.api.scopes import LEARNING_RECORDS_WRITE, OUTCOMES_READ
from backoffice.identity import mask_id_number
from projects.enrolment import selectors as enrolment_selectors

from . import selectors
from .ingest import ingest_learning_records
from .models import Outcome

MAX_ROWS = 20_000


def _project(request, pk):
    check_id(pk)
    project = enrolment_selectors.project_list_for_enrolment(user=request.user).filter(pk=pk).first()
    if project is None:
        raise NotFound
    return project


class LearningRecordRowSerializer(serializers.Serializer):
    """One trainee's figures for one period (R47), as the learning-records template's row."""
    id_number = serializers.CharField(max_length=32)
    period_start = serializers.CharField(max_length=10, help_text="2026-03-01")
    period_end = serializers.CharField(max_length=10, help_text="2026-03-01")
    minutes = serializers.IntegerField(min_value=0, max_value=10**6)
    assignments_submitted = serializers.IntegerField(min_value=0, max_value=10**6, required=False, default=0)
    assignments_passed = serializers.IntegerField(min_value=0, max_value=10**6, required=False, default=0)
    achievements = serializers.IntegerField(min_value=0, max_value=10**6, required=False, default=0)
    activities = serializers.IntegerField(min_value=0, max_value=10**6, required=False, default=0)
    assessment_score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100,
                                                required=False, allow_null=True)


class LearningRecordBatchSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=64, help_text="The platform the records come from.")
    valid_only = serializers.BooleanField(default=False, help_text="Write the valid rows and report the refused "
                                                                     "ones; otherwise any refused row writes nothing.")
    rows = LearningRecordRowSerializer(many=True, allow_empty=False, max_length=MAX_ROWS)


IngestResultSerializer = inline_serializer("LearningRecordResult", {
    "rows_total": serializers.IntegerField(), "written": serializers.IntegerField(),
    "unchanged": serializers.IntegerField(), "refused": serializers.IntegerField(),
    "batch_id": serializers.IntegerField(allow_null=True), "replayed": serializers.BooleanField(),
    "errors": serializers.ListField(child=serializers.DictField()),
})


@extend_schema(tags=["learning records"], request=LearningRecordBatchSerializer, parameters=[IDEMPOTENCY_PARAMETER],
               responses={200: IngestResultSerializer, **problem_responses(400, 401, 403, 404, 422)})
class LearningRecordBatchView(APIView):
    """R47: a delivery of learning records for the project, keyed (project, teacher, period, source); a re-sent
    record replaces the current figure and both are kept. Refused rows come back with their reasons (`errors`,
    row = position in `rows` from 1); without `valid_only` nothing is written when any row is refused (422).
    The same `Idempotency-Key` again answers the first delivery's result and writes nothing."""
    required_scope = LEARNING_RECORDS_WRITE

    def post(self, request, pk):
        project = _project(request, pk)
        data = LearningRecordBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = [{**row, "row": i, "assessment_score": "" if row.get("assessment_score") is None
                 else str(row["assessment_score"])} for i, row in enumerate(data.validated_data["rows"], start=1)]
        result = ingest_learning_records(
            actor=request.user, project=project, rows=rows, source=data.validated_data["source"],
            valid_only=data.validated_data["valid_only"],
            idempotency_key=(request.headers.get("Idempotency-Key") or "").strip()[:128], api_key=request_key(request))
        body = {"rows_total": result.rows_total, "written": result.written, "unchanged": result.unchanged,
                "refused": result.refused, "batch_id": result.batch_id, "replayed": result.replayed,
                "errors": result.errors}
        if result.errors and not result.valid_only:
            return problem(status_code=422, code="learning_records_refused", title="业务规则不允许",
                           detail=_("%(n)s rows were refused; nothing was written.") % {"n": result.refused},
                           errors=result.errors)
        return Response(body)


class OutcomeSerializer(serializers.ModelSerializer):
    teacher_name = serializers.CharField(source="enrolment.teacher.name")
    id_number = serializers.SerializerMethodField()
    county = serializers.CharField(source="enrolment.teacher.region.code")
    final = serializers.CharField()
    scheme_version = serializers.IntegerField(source="scheme.version")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Outcome
        fields = ["id", "enrolment", "teacher_name", "id_number", "county", "records", "minutes",
                  "assignments_submitted", "assignments_passed", "achievements", "assessment_score", "activities",
                  "score", "minimums_failed", "proposed", "override", "override_reason", "final", "scheme_version",
                  "status", "status_label", "computed_at", "confirmed_at", "audited_at"]

    def get_id_number(self, obj) -> str:
        return mask_id_number(obj.enrolment.teacher.id_number)  # R30: a platform needs no full number back


class OutcomeFilter(UpdatedSinceFilterSet):
    updated_since = UtcIsoDateTimeFilter(method="changed_since", help_text="Only outcomes computed, confirmed or "
                                                                        "audited at or after this time (ISO 8601).")

    class Meta:
        model = Outcome
        fields = ["status", "proposed"]

    def changed_since(self, qs, name, value):
        return qs.filter(Q(computed_at__gte=value) | Q(confirmed_at__gte=value) | Q(audited_at__gte=value))


@extend_schema(tags=["learning records"], responses={200: OutcomeSerializer, **problem_responses(401, 403, 404)})
class OutcomeList(SelectorListView):
    """R48: the project's computed outcomes the caller may read (R2): learning score, proposed outcome, the
    institution's override and the confirmation and audit states."""
    required_scope = OUTCOMES_READ
    model = Outcome
    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Outcome.objects.none()
        return selectors.outcome_list_visible_to(user=self.request.user,
                                                 project=_project(self.request, self.kwargs["pk"]))


urlpatterns = [
    path("projects/<int:pk>/learning-records/", LearningRecordBatchView.as_view(), name="learning-record-batch"),
    path("projects/<int:pk>/outcomes/", OutcomeList.as_view(), name="outcome-list"),
]
