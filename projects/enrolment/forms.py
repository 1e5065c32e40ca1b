from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExemptionGround, Nominator


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class ExemptionForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=ExemptionGround.choices)
    explanation = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence document"))


class ApplyForm(forms.Form):
    id_number = forms.CharField(label=_("Full ID number of a teacher in the registry"), max_length=32)
    nominated_by = forms.ChoiceField(label=_("Nominated by"), choices=Nominator.choices)
