from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.forms import Form
from backoffice.models import Region
from projects.models import Project, ProjectStatus
from tendering.models import QualificationKind, SettlementBasis

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TenderForm(Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    projects = forms.ModelMultipleChoiceField(label=_("projects"), queryset=Project.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    required_qualifications = forms.MultipleChoiceField(label=_("required qualifications"),
                                                        choices=QualificationKind.choices, required=False,
                                                        widget=forms.CheckboxSelectMultiple)
    price_weight = forms.DecimalField(label=_("price weight (%)"), min_value=Decimal(0), max_value=Decimal(100),
                                      initial=Decimal(30))
    track_record_bonus = forms.DecimalField(label=_("track-record bonus (points)"), initial=Decimal(2),
                                            min_value=Decimal(0))
    clarification_deadline = forms.DateTimeField(label=_("clarifications close"), widget=DT)
    bid_deadline = forms.DateTimeField(label=_("bid deadline"), widget=DT)
    opening_at = forms.DateTimeField(label=_("opening time"), widget=DT)
    reason = forms.CharField(label=_("reason for the amendment"), required=False)

    def __init__(self, *args, province=None, with_projects=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_projects and province is not None:
            self.fields["projects"].queryset = Project.objects.filter(
                status=ProjectStatus.FILED, plan__province=province).order_by("code")
        else:
            del self.fields["projects"]


class LotForm(Form):
    name = forms.CharField(label=_("lot name"), max_length=128)
    regions = forms.ModelMultipleChoiceField(label=_("regions"), queryset=Region.objects.none(),
                                             widget=forms.SelectMultiple(attrs={"size": 10}))
    projects = forms.ModelMultipleChoiceField(label=_("projects"), queryset=Project.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    budget = forms.DecimalField(label=_("budget ceiling"), min_value=Decimal("0.01"), decimal_places=2)
    max_unit_price = forms.DecimalField(label=_("highest unit price per trainee-hour"), required=False,
                                        decimal_places=2)

    def __init__(self, *args, tender=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Cities and province-administered counties are what a lot is made of (R20).
        self.fields["regions"].queryset = Region.objects.filter(
            code__startswith=tender.province.prefix).exclude(level="province").filter(
            parent__level="province").order_by("code")
        self.fields["projects"].queryset = tender.projects.order_by("code")


class CriteriaForm(Form):
    lines = forms.CharField(label=_("criteria, one per line: name, weight in %"),
                            widget=forms.Textarea(attrs={"rows": 6}))

    def clean_lines(self):
        out = []
        for line in self.cleaned_data["lines"].splitlines():
            if not line.strip():
                continue
            name, _sep, weight = line.replace("，", ",").rpartition(",")
            try:
                out.append((name.strip(), (Decimal(weight.strip().rstrip("%")) / 100).quantize(Decimal("0.0001"))))
            except Exception as exc:
                raise forms.ValidationError(_("Write each line as: name, weight")) from exc
        return out


class BidForm(Form):
    # As Bid.price holds it (14 digits, 2 after the point); NaN and Infinity are refused by the field.
    price = forms.DecimalField(label=_("unit price per trainee-hour (yuan)"), min_value=Decimal("0.01"),
                               max_digits=14, decimal_places=2)
    chief_expert = forms.CharField(label=_("chief expert"), max_length=64)
    chief_own_staff = forms.BooleanField(label=_("the chief expert is our own staff"), required=False)
    team = forms.CharField(label=_("expert team: one per line, name, then 1 if own staff"),
                           widget=forms.Textarea(attrs={"rows": 5}))
    past_projects = forms.CharField(label=_("past national or provincial projects, one per line"),
                                    widget=forms.Textarea(attrs={"rows": 3}), required=False)
    document = forms.FileField(label=_("technical proposal (PDF)"))

    def clean_team(self):
        team = []
        for line in self.cleaned_data["team"].splitlines():
            if line.strip():
                name, _sep, flag = line.replace("，", ",").partition(",")
                team.append({"name": name.strip(), "own_staff": flag.strip() in ("1", "是", "yes", "y")})
        return team


class ProfileForm(Form):
    description = forms.CharField(label=_("introduction"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    contact_name = forms.CharField(label=_("contact person"), required=False)
    contact_phone = forms.CharField(label=_("contact phone"), required=False)
    staff_count = forms.IntegerField(label=_("training staff"), min_value=0, initial=0)
    track_record = forms.CharField(label=_("past national or provincial projects"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 4}))


class QualificationForm(Form):
    kind = forms.ChoiceField(label=_("qualification"), choices=QualificationKind.choices)
    number = forms.CharField(label=_("certificate number"), required=False)
    valid_until = forms.DateField(label=_("valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.FileField(label=_("document"))


class DrawForm(Form):
    size = forms.IntegerField(label=_("panel size"), min_value=1)
    seed = forms.CharField(label=_("random seed (empty: generated)"), required=False)


class RetenderForm(Form):
    clarification_deadline = forms.DateTimeField(label=_("clarifications close"), widget=DT)
    bid_deadline = forms.DateTimeField(label=_("bid deadline"), widget=DT)
    opening_at = forms.DateTimeField(label=_("opening time"), widget=DT)


class ContractSignForm(Form):
    reference = forms.CharField(label=_("contract number (empty: generated)"), max_length=64, required=False)
    settlement_basis = forms.ChoiceField(label=_("settlement basis"), choices=SettlementBasis.choices,
                                         initial=SettlementBasis.COMPLETED)


class SettlementBasisForm(Form):
    settlement_basis = forms.ChoiceField(label=_("settlement basis"), choices=SettlementBasis.choices)


class ScoreGridForm(Form):
    """An expert's grid: a score and a comment per bid × criterion (fields s-<bid>-<criterion>, c-<bid>-<criterion>).
    The form only reads the grid; scores_save parses every value once and names each refused cell (R26)."""

    def __init__(self, data=None, *, bids, criteria):
        super().__init__(data)
        self.keys = [(b.pk, c.pk) for b in bids for c in criteria]
        for b, c in self.keys:
            self.fields[f"s-{b}-{c}"] = forms.CharField(required=False, strip=True)
            self.fields[f"c-{b}-{c}"] = forms.CharField(required=False)

    def typed(self) -> dict:
        """{(bid id, criterion id): {"value", "comment"}} as typed, to show again next to a refusal."""
        get = self.data.get
        return {(b, c): {"value": (get(f"s-{b}-{c}") or "").strip(), "comment": get(f"c-{b}-{c}") or ""}
                for b, c in self.keys}

    def scores(self) -> dict:
        """The filled cells for scores_save: {(bid id, criterion id): (value as typed, comment)}."""
        return {key: (cell["value"], cell["comment"]) for key, cell in self.typed().items() if cell["value"]}
