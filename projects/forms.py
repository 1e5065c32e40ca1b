from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.forms import Form, ModelForm
from backoffice.models import (
    Organisation,
    OrganisationKind,
    Region,
    SchoolStage,
    Subject,
    TeacherPost,
)
from backoffice.spreadsheets import upload_within_limit
from projects.models import AnnualPlan, InspectionVisit, Project, RectificationStatus
from projects.services import owner_choices, project_errors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


PLAN_YEARS = (2000, 2100)


class PlanForm(ModelForm):
    class Meta:
        model = AnnualPlan
        fields = ["year", "title", "central_subsidy"]

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update(min=PLAN_YEARS[0], max=PLAN_YEARS[1])
        if editing:
            self.fields["year"].disabled = True

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not PLAN_YEARS[0] <= year <= PLAN_YEARS[1]:
            raise forms.ValidationError(_("Enter a year between %(low)s and %(high)s."),
                                        params={"low": PLAN_YEARS[0], "high": PLAN_YEARS[1]})
        return year


class ProjectForm(ModelForm):
    """Shows every error at once: the field checks and the rules (R11, R12) from projects.services.project_errors."""

    target_stages = forms.MultipleChoiceField(label=_("target school stages"), choices=SchoolStage.choices,
                                              required=False, widget=forms.CheckboxSelectMultiple)
    target_subjects = forms.MultipleChoiceField(label=_("target subjects"), choices=Subject.choices, required=False,
                                                widget=forms.CheckboxSelectMultiple)
    target_posts = forms.MultipleChoiceField(label=_("target posts"), choices=TeacherPost.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    owner = forms.ModelChoiceField(label=_("owning office"), queryset=Organisation.objects.none(), required=False)

    class Meta:
        model = Project
        fields = ["code", "name", "project_type", "category", "mode", "hours", "quota", "priority_quota", "start_date",
                  "end_date", "shadowing_days", "offline_start", "offline_end", "budget", "office", "owner", "regions",
                  "target_stages", "target_subjects", "target_posts", "rural_only", "priority_counties_only",
                  "min_years_teaching", "max_age", "topics"]
        widgets = {"start_date": DATE, "end_date": DATE, "offline_start": DATE, "offline_end": DATE,
                   "topics": forms.Textarea(attrs={"rows": 3}), "regions": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, plan, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan, self.actor = plan, actor
        prefix = plan.province.prefix
        self.fields["office"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.PROJECT_OFFICE, region__code__startswith=prefix).order_by("name")
        self.fields["regions"].queryset = Region.objects.filter(code__startswith=prefix).order_by("code")
        self.fields["regions"].label_from_instance = lambda r: f"{r.code} {r.name}"
        chooses_owner = self.instance.pk is None and actor.has_perm("projects.choose_owner_project", plan)
        if chooses_owner:
            self.fields["owner"].queryset = owner_choices(actor=actor, plan=plan)
            self.fields["owner"].required = True
            self.fields["owner"].help_text = _("The office that proposes and edits this project. The department "
                                               "approves, so it cannot own a proposal.")
        else:
            del self.fields["owner"]
        for name in ("hours", "quota", "priority_quota", "shadowing_days", "min_years_teaching", "max_age"):
            self.fields[name].widget.attrs["min"] = 0

    def clean(self):
        data = super().clean()
        values = {k: v for k, v in data.items() if k not in ("owner", "regions")}
        regions = list(data.get("regions") or [])
        # Only check the rules on fields that passed their own validation, so no error is reported twice.
        errors = project_errors(plan=self.plan, data={**values, "regions": regions},
                                instance=self.instance if self.instance.pk else None)
        for field, messages in errors.items():
            target = field if field in self.fields and field not in self.errors else None
            for message in messages:
                self.add_error(target, message)
        return data

    def project_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("owner", "regions")}


class ImportForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xls", ".xlsm", ".ods")):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."))
        return upload_within_limit(f)


class InspectionVisitForm(ModelForm):
    class Meta:
        model = InspectionVisit
        fields = ["visit_date", "inspectors", "findings", "rectification_deadline", "rectification_status"]
        widgets = {"visit_date": DATE, "rectification_deadline": DATE, "findings": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("rectification_status") == RectificationStatus.PENDING and not data.get("rectification_deadline"):
            self.add_error("rectification_deadline", _("Give a deadline for the rectification."))
        deadline, visit = data.get("rectification_deadline"), data.get("visit_date")
        if deadline and visit and deadline < visit:
            self.add_error("rectification_deadline", _("The deadline cannot be before the visit."))
        return data
