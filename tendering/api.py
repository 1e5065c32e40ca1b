"""API: tenders, lots and award notices (public reads), and the OCDS data of every announced tender: its release
package, its compiled record (ocdsmerge) and a yearly bulk package. Sealed bids never appear (R23)."""
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.filters import UpdatedSinceFilterSet
from backoffice.api.problems import problem_responses
from tendering import ocds, selectors
from tendering.models import Lot, Tender


class LotSerializer(serializers.ModelSerializer):
    regions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Lot
        fields = ["id", "number", "name", "budget", "max_unit_price", "regions", "status", "status_label",
                  "notice_published_at", "notice_ends_at", "updated_at"]


class TenderSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")
    office = serializers.CharField(source="office.name")
    status_label = serializers.CharField(source="get_status_display")
    ocid = serializers.SerializerMethodField()
    lots = LotSerializer(many=True, read_only=True)

    class Meta:
        model = Tender
        fields = ["id", "reference", "ocid", "title", "description", "province", "office", "status", "status_label",
                  "announced_at", "clarification_deadline", "bid_deadline", "opening_at", "opened_at", "lots",
                  "updated_at"]

    def get_ocid(self, obj) -> str:
        return ocds.ocid(obj)


class NoticeSerializer(serializers.ModelSerializer):
    tender = serializers.CharField(source="tender.reference")
    tender_title = serializers.CharField(source="tender.title")
    winner = serializers.CharField(source="recommended_bid.institution.name", allow_null=True, default=None)
    unit_price = serializers.DecimalField(source="recommended_bid.price", max_digits=14, decimal_places=2,
                                          allow_null=True, default=None)

    class Meta:
        model = Lot
        fields = ["id", "tender", "tender_title", "number", "name", "winner", "unit_price", "notice_published_at",
                  "notice_ends_at", "updated_at"]


class TenderFilter(UpdatedSinceFilterSet):
    class Meta:
        model = Tender
        fields = ["status"]


class NoticeFilter(UpdatedSinceFilterSet):
    class Meta:
        model = Lot
        fields = []


class _Public:
    permission_classes = [AllowAny]


@extend_schema(tags=["tenders"], responses={200: TenderSerializer})
class TenderList(_Public, generics.ListAPIView):
    """Announced tenders with their lots (public)."""
    serializer_class = TenderSerializer
    filterset_class = TenderFilter

    def get_queryset(self):
        return selectors.public_tenders()


@extend_schema(tags=["tenders"], responses={200: TenderSerializer, **problem_responses(404)})
class TenderDetail(_Public, generics.RetrieveAPIView):
    serializer_class = TenderSerializer
    lookup_field = "reference"

    def get_queryset(self):
        return selectors.public_tenders()


@extend_schema(tags=["tenders"], responses={200: NoticeSerializer})
class NoticeList(_Public, generics.ListAPIView):
    """Award notices (公示, R27): the winner and unit price of each lot once published."""
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter

    def get_queryset(self):
        return selectors.public_notices()


class _OcdsView(_Public, APIView):
    def tender(self, reference):
        return selectors.public_tender_get(reference=reference)


@extend_schema(tags=["ocds"], responses={200: OpenApiTypes.OBJECT, **problem_responses(404)})
class OcdsReleases(_OcdsView):
    """The tender's OCDS release package: one dated release per stage (planning → implementation)."""

    def get(self, request, reference):
        return Response(ocds.stage_release_package(self.tender(reference)))


@extend_schema(tags=["ocds"], responses={200: OpenApiTypes.OBJECT, **problem_responses(404)})
class OcdsRecord(_OcdsView):
    """The tender's OCDS record package: its releases and the compiled release (ocdsmerge)."""

    def get(self, request, reference):
        return Response(ocds.record_package(self.tender(reference)))


@extend_schema(tags=["ocds"], responses={200: OpenApiTypes.OBJECT})
class OcdsYear(_Public, APIView):
    """Every tender announced in the year as one release package (bulk download)."""

    def get(self, request, year):
        if not 2000 <= year <= 2100:
            raise NotFound
        return Response(ocds.yearly_package(year))


urlpatterns = [
    path("tenders/", TenderList.as_view(), name="tender-list"),
    path("tenders/<str:reference>/", TenderDetail.as_view(), name="tender-detail"),
    path("award-notices/", NoticeList.as_view(), name="notice-list"),
    path("ocds/tenders/<str:reference>/releases/", OcdsReleases.as_view(), name="ocds-releases"),
    path("ocds/tenders/<str:reference>/record/", OcdsRecord.as_view(), name="ocds-record"),
    path("ocds/years/<int:year>/", OcdsYear.as_view(), name="ocds-year"),
]
