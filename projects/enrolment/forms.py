from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from backoffice.forms import Form
from backoffice.spreadsheets import upload_within_limit

from .models import ExemptionGround, Nominator


class ImportForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        return upload_within_limit(self.cleaned_data["file"])


EVIDENCE_TYPES = ["pdf", "jpg", "jpeg", "png"]
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class ExemptionForm(Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=ExemptionGround.choices)
    explanation = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    # R35 evidence: a scan or a PDF, not any file a browser can be made to upload.
    evidence = forms.FileField(label=_("Evidence document"), validators=[FileExtensionValidator(EVIDENCE_TYPES)],
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))

    def clean_evidence(self):
        evidence = self.cleaned_data["evidence"]
        if evidence.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The evidence file is larger than %(mb)s MB."),
                                        params={"mb": EVIDENCE_MAX_BYTES // (1024 * 1024)})
        return evidence


class ApplyForm(Form):
    id_number = forms.CharField(label=_("Full ID number of a teacher in the registry"), max_length=32)
    nominated_by = forms.ChoiceField(label=_("Nominated by"), choices=Nominator.choices)
