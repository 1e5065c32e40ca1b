import django_filters
from django.utils.translation import gettext_lazy

from finance.models import SettlementStatement, StatementStatus


class StatementFilter(django_filters.FilterSet):
    """The statement list's filters; its export takes the same ones."""

    status = django_filters.ChoiceFilter(choices=StatementStatus.choices, label=gettext_lazy("status"))
    contract__reference = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("contract number"))

    class Meta:
        model = SettlementStatement
        fields = ["status", "contract__reference"]
