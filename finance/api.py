"""API: settlement statements and payments (read, `finance:read`), through finance's scoped selectors (R2)."""
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from backoffice.api.filters import UpdatedSinceFilterSet, id_filter, year_filter
from backoffice.api.generics import SelectorListView
from backoffice.api.problems import problem_responses
from backoffice.api.scopes import FINANCE_READ
from finance import selectors
from finance.models import Payment, SettlementStatement


class StatementSerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.reference")
    institution = serializers.CharField(source="contract.institution.name")
    project = serializers.CharField(source="project.code")
    county = serializers.CharField(source="county.code")
    status_label = serializers.CharField(source="get_status_display")
    adjustment_total = serializers.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        model = SettlementStatement
        fields = ["id", "contract", "institution", "project", "county", "school_year", "basis", "unit_price",
                  "hours", "trainees", "amount", "adjustment_total", "status", "status_label", "confirmed_at",
                  "approved_at", "paid_at", "updated_at"]


class PaymentSerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.reference")
    institution = serializers.CharField(source="contract.institution.name")
    county = serializers.CharField(source="statement.county.code", allow_null=True, default=None)

    class Meta:
        model = Payment
        fields = ["id", "contract", "institution", "statement", "county", "tranche", "amount", "paid_on",
                  "payer", "updated_at"]


class StatementFilter(UpdatedSinceFilterSet):
    school_year = year_filter("school_year")

    class Meta:
        model = SettlementStatement
        fields = ["status", "school_year"]


class PaymentFilter(UpdatedSinceFilterSet):
    statement = id_filter("statement_id")

    class Meta:
        model = Payment
        fields = ["tranche", "statement"]


@extend_schema(tags=["finance"], responses={200: StatementSerializer, **problem_responses(401, 403)})
class StatementList(SelectorListView):
    """Settlement statements (R52, R53) the caller may read (R2)."""
    required_scope = FINANCE_READ
    model, selector = SettlementStatement, selectors.statement_list_visible_to
    serializer_class = StatementSerializer
    filterset_class = StatementFilter


@extend_schema(tags=["finance"], responses={200: PaymentSerializer, **problem_responses(401, 403)})
class PaymentList(SelectorListView):
    """Payments (R54) of the contracts the caller may read (R2)."""
    required_scope = FINANCE_READ
    model, selector = Payment, selectors.payment_list_visible_to
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter


urlpatterns = [
    path("statements/", StatementList.as_view(), name="statement-list"),
    path("payments/", PaymentList.as_view(), name="payment-list"),
]
