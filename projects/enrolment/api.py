"""API: applicant rosters batch (the Excel import's checks and refusals, per-row errors), credits and certificates
for a teacher and for a year (read), public certificate verification (R44: never the full ID number)."""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import path
from django_filters import CharFilter, NumberFilter
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.filters import UpdatedSinceFilterSet
from backoffice.api.generics import SelectorListView, check_id
from backoffice.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from backoffice.api.idempotency import idempotent
from backoffice.api.problems import problem, problem_responses
from backoffice.api.scopes import CREDITS_READ, ROSTERS_WRITE
from backoffice.identity import mask_id_number, normalise_id_number
from projects.enrolment import imports, selectors
from projects.enrolment.models import Certificate, CreditRecord, ImportKind, Nominator

MAX_ROWS = getattr(settings, "API_ROSTER_MAX_ROWS", 20_000)


def _id_number(obj, context) -> str:
    """R30: masked unless the caller's role needs the full number (the same permission as the credit export)."""
    number = obj.enrolment.teacher.id_number
    return number if context["full_ids"] else mask_id_number(number)


class _MaskingMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["full_ids"] = bool(user.is_authenticated and user.has_perm("enrolment.export_full_id_numbers"))
        return context


class CreditSerializer(serializers.ModelSerializer):
    teacher_name = serializers.CharField(source="enrolment.teacher.name")
    id_number = serializers.SerializerMethodField()
    project = serializers.CharField(source="enrolment.project.code")
    project_name = serializers.CharField(source="enrolment.project.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = CreditRecord
        fields = ["id", "teacher_name", "id_number", "project", "project_name", "year", "hours", "status",
                  "status_label", "audited_at", "updated_at"]

    def get_id_number(self, obj) -> str:
        return _id_number(obj, self.context)


class CertificateSerializer(serializers.ModelSerializer):
    teacher_name = serializers.CharField(source="enrolment.teacher.name")
    id_number = serializers.SerializerMethodField()
    project = serializers.CharField(source="enrolment.project.code")
    project_name = serializers.CharField(source="enrolment.project.name")
    institution = serializers.CharField(source="enrolment.project.institution.name", allow_null=True, default=None)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Certificate
        fields = ["id", "number", "teacher_name", "id_number", "project", "project_name", "institution", "hours",
                  "credits", "issued_on", "status", "status_label", "updated_at"]

    def get_id_number(self, obj) -> str:
        return _id_number(obj, self.context)


class _TeacherYearFilter(UpdatedSinceFilterSet):
    teacher = CharFilter(method="by_teacher", help_text="The teacher's full ID number (18 characters).")
    year = NumberFilter(method="by_year", min_value=1900, max_value=2999,
                        help_text="The year the hours were credited / the certificate issued.")

    def by_teacher(self, qs, name, value):
        return qs.filter(enrolment__teacher__id_number=normalise_id_number(value))


class CreditFilter(_TeacherYearFilter):
    class Meta:
        model = CreditRecord
        fields = ["status"]

    def by_year(self, qs, name, value):
        return qs.filter(year=value)


class CertificateFilter(_TeacherYearFilter):
    class Meta:
        model = Certificate
        fields = ["status"]

    def by_year(self, qs, name, value):
        return qs.filter(issued_on__year=value)


@extend_schema(tags=["credits"], responses={200: CreditSerializer, **problem_responses(401, 403)})
class CreditList(_MaskingMixin, SelectorListView):
    """Credited hours (R40-R42) the caller may read (R2), by teacher (`teacher`) and/or `year`."""
    required_scope = CREDITS_READ
    model, selector = CreditRecord, selectors.credit_list_visible_to
    serializer_class = CreditSerializer
    filterset_class = CreditFilter


@extend_schema(tags=["credits"], responses={200: CertificateSerializer, **problem_responses(401, 403)})
class CertificateList(_MaskingMixin, SelectorListView):
    """Certificates (R43) the caller may read (R2), by teacher (`teacher`) and/or `year`."""
    required_scope = CREDITS_READ
    model, selector = Certificate, selectors.certificate_list_visible_to
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter


VerifiedSerializer = inline_serializer("VerifiedCertificate", {
    "number": serializers.CharField(), "teacher_name": serializers.CharField(),
    "project_name": serializers.CharField(), "institution": serializers.CharField(allow_null=True),
    "hours": serializers.IntegerField(), "credits": serializers.DecimalField(max_digits=6, decimal_places=1),
    "issued_on": serializers.DateField(), "valid": serializers.BooleanField(), "status": serializers.CharField(),
})


@extend_schema(tags=["credits"], parameters=[
    OpenApiParameter("number", str, required=True), OpenApiParameter("code", str, required=True)],
    responses={200: VerifiedSerializer, **problem_responses(404)})
class CertificateVerify(APIView):
    """R44: public check by number AND verification code; name, project, hours and validity — never an ID
    number. A withdrawn certificate answers `valid: false` (R45)."""
    permission_classes = [AllowAny]

    def get(self, request):
        cert = selectors.certificate_verify(number=request.query_params.get("number", "")[:64],
                                            code=request.query_params.get("code", "")[:32])
        if cert is None:
            return problem(status_code=404, code="certificate_not_found", title="未找到",
                           detail=_("No certificate with this number and verification code."))
        project = cert.enrolment.project
        return Response({
            "number": cert.number, "teacher_name": cert.enrolment.teacher.name, "project_name": project.name,
            "institution": project.institution.name if project.institution_id else None, "hours": cert.hours,
            "credits": str(cert.credits), "issued_on": cert.issued_on.isoformat(),
            "valid": cert.status == "valid", "status": str(cert.get_status_display())})


# -- rosters -----------------------------------------------------------------------------------------------
class RosterRowSerializer(serializers.Serializer):
    """One applicant, as one row of the Excel template (codes, or their Chinese or English labels)."""
    name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=32)
    school_code = serializers.CharField(max_length=32)
    region_code = serializers.CharField(max_length=6)
    stage = serializers.CharField(max_length=32)
    subject = serializers.CharField(max_length=32)
    post = serializers.CharField(max_length=32, required=False, allow_blank=True)
    title = serializers.CharField(max_length=32, required=False, allow_blank=True)
    started_on = serializers.CharField(max_length=16, help_text="2010-09-01")
    is_rural = serializers.BooleanField()
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)


class RosterBatchSerializer(serializers.Serializer):
    nominated_by = serializers.ChoiceField(choices=Nominator.choices, default=Nominator.SCHOOL)
    rows = RosterRowSerializer(many=True, allow_empty=False, max_length=MAX_ROWS)


RosterResultSerializer = inline_serializer("RosterResult", {
    "rows_total": serializers.IntegerField(), "teachers_created": serializers.IntegerField(),
    "teachers_updated": serializers.IntegerField(), "applications_created": serializers.IntegerField(),
    "already_applied": serializers.IntegerField(),
})

KEYS = [c.key for c in imports.COLUMNS]


def run_roster(*, actor, project, nominated_by: str, rows: list[dict]) -> tuple[int, dict]:
    """The Excel import's parse → resolve → write on rows sent as JSON: the same checks (R30, R31 school and
    county, R32, R37) and the same all-or-nothing write, audited to the caller (R3)."""
    result = imports.ImportResult()
    if imports._refused_actor(actor, ImportKind.APPLICANTS, project, result):
        return 422, _problem_body(result.refused_code or "roster_refused", result.errors[0]["message"])
    table = [KEYS] + [[("yes" if r["is_rural"] else "no") if k == "is_rural" else r.get(k) for k in KEYS]
                      for r in rows]
    parsed = imports.parse_rows(table, {k: i for i, k in enumerate(KEYS)}, result=result)
    plan = imports.resolve(parsed, actor=actor, project=project, result=result)
    if result.errors:
        errors = sorted(({**e, "row": e["row"] - 1} for e in result.errors), key=lambda e: (e["row"], e["column"]))
        return 422, _problem_body("roster_rows_refused", _("%(n)s rows were refused; nothing was written.") % {
            "n": len({e["row"] for e in errors})}, errors=errors)
    imports.registry_import_write(actor=actor, kind=ImportKind.APPLICANTS, project=project, plan=plan,
                                  nominated_by=nominated_by, result=result, progress=lambda pct: None)
    return 200, {"rows_total": result.rows_total, "teachers_created": result.created,
                 "teachers_updated": result.updated, "applications_created": result.applications_created,
                 "already_applied": result.unchanged}


def _problem_body(code, detail, errors=None):
    body = {"type": f"https://guopei.example.cn/problems/{code}", "title": "业务规则不允许", "status": 422,
            "detail": str(detail), "code": code}
    if errors:
        body["errors"] = errors
    return body


@extend_schema(tags=["rosters"], request=RosterBatchSerializer, parameters=[IDEMPOTENCY_PARAMETER],
               responses={200: RosterResultSerializer, **problem_responses(400, 401, 403, 404, 409, 422)})
class RosterBatch(APIView):
    """Applicants for a contracted project, as a batch: every row is checked like the Excel import; when any
    row fails nothing is written and every row's errors come back (`errors`: row = position in `rows`, from 1).
    Re-sending the same batch changes nothing; send an `Idempotency-Key` to have a retry answered from the first
    call."""
    required_scope = ROSTERS_WRITE

    def post(self, request, pk):
        check_id(pk)
        project = selectors.project_list_for_enrolment(user=request.user).filter(pk=pk).first()
        if project is None:
            return problem(status_code=404, code="not_found", title="未找到", detail=_("Not found."))
        if not request.user.has_perm("enrolment.apply_enrolment"):
            raise PermissionDenied
        data = RosterBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)

        def run():
            return run_roster(actor=request.user, project=project, nominated_by=data.validated_data["nominated_by"],
                              rows=data.validated_data["rows"])

        response = idempotent(request, f"rosters:{project.pk}", run)
        if response.status_code == 422:
            response.content_type = "application/problem+json"
        return response


urlpatterns = [
    path("credits/", CreditList.as_view(), name="credit-list"),
    path("certificates/", CertificateList.as_view(), name="certificate-list"),
    path("certificates/verify/", CertificateVerify.as_view(), name="certificate-verify"),
    path("projects/<int:pk>/applicants/", RosterBatch.as_view(), name="roster-batch"),
]
