from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.forms import Form
from finance.models import CostCategory, LecturerLevel, Tranche


class BudgetLineForm(Form):
    category = forms.ChoiceField(label=_("cost category"), choices=CostCategory.choices)
    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class LectureFeeForm(Form):
    lecturer = forms.CharField(label=_("lecturer"), max_length=64)
    level = forms.ChoiceField(label=_("level"), choices=LecturerLevel.choices)
    hours = forms.IntegerField(label=_("hours"), min_value=1)
    half_days = forms.IntegerField(label=_("half days"), min_value=1)
    rate = forms.DecimalField(label=_("fee per hour"), max_digits=14, decimal_places=2, min_value=0)


class ExpenditureForm(Form):
    category = forms.ChoiceField(label=_("cost category"), choices=CostCategory.choices)
    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2, min_value=0)
    spent_on = forms.DateField(label=_("date"), initial=timezone.localdate,
                               widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    description = forms.CharField(label=_("description"), max_length=200)


class PaymentForm(Form):
    """Interim and final payments, against an approved statement (R54)."""

    tranche = forms.ChoiceField(label=_("tranche"), choices=[c for c in Tranche.choices if c[0] != Tranche.ADVANCE])
    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label=_("payment date"), initial=timezone.localdate,
                              widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    reference = forms.CharField(label=_("bank reference"), max_length=64, required=False)


class AdvanceForm(Form):
    """The advance, against the signed contract before training (R54)."""

    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label=_("payment date"), initial=timezone.localdate,
                              widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    reference = forms.CharField(label=_("bank reference"), max_length=64, required=False)


class InvoiceForm(Form):
    contract = forms.ModelChoiceField(label=_("contract"), queryset=None)
    county = forms.ModelChoiceField(label=_("county"), queryset=None)
    number = forms.CharField(label=_("invoice number"), max_length=64)
    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2, min_value=0)
    issued_on = forms.DateField(label=_("invoice date"), initial=timezone.localdate,
                                widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, contracts, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["county"].queryset = counties
