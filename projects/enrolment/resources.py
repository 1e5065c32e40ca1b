"""django-import-export resources: the admin's import with preview and per-row errors (row by row, so for
small files; large files take the set-based path in imports.py). Same Chinese headers as the template."""
from import_export import fields, resources, widgets
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backoffice.identity import mask_id_number, normalise_id_number, validate_id_number
from backoffice.models import Organisation, Teacher


class ChoiceLabelWidget(widgets.Widget):
    def __init__(self, choices, **kwargs):
        from .imports import _lookup

        super().__init__(**kwargs)
        self.table = _lookup(choices)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return ""
        if text not in self.table:
            raise ValueError(_("Not one of the allowed values: %(values)s.") % {"values": text})
        return self.table[text]

    def render(self, value, obj=None, **kwargs):
        return value


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return str(value).strip() in {"是", "Yes", "yes", "Y", "1", "True", "TRUE"}

    def render(self, value, obj=None, **kwargs):
        return _("Yes") if value else _("No")


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if hasattr(value, "year"):
            return value.year
        return int(str(value).replace("/", "-").split("-")[0])


class MaskedIdWidget(widgets.CharWidget):
    def render(self, value, obj=None, **kwargs):
        # R30: exports from the admin never show the full ID number.
        return mask_id_number(value)


class TeacherResource(resources.ModelResource):
    def __init__(self, **kwargs):
        from backoffice.models import SchoolStage, Subject, TeacherPost, TeacherTitle

        super().__init__(**kwargs)
        self.fields["stage"].widget = ChoiceLabelWidget(SchoolStage.choices)
        self.fields["subject"].widget = ChoiceLabelWidget(Subject.choices)
        self.fields["post"].widget = ChoiceLabelWidget(TeacherPost.choices)
        self.fields["title"].widget = ChoiceLabelWidget(TeacherTitle.choices)

    name = fields.Field(attribute="name", column_name="姓名")
    id_number = fields.Field(attribute="id_number", column_name="身份证号", widget=MaskedIdWidget())
    school = fields.Field(attribute="school", column_name="学校代码",
                          widget=widgets.ForeignKeyWidget(Organisation, field="code"))
    stage = fields.Field(attribute="stage", column_name="学段")
    subject = fields.Field(attribute="subject", column_name="学科")
    post = fields.Field(attribute="post", column_name="岗位")
    title = fields.Field(attribute="title", column_name="职称")
    teaching_since = fields.Field(attribute="teaching_since", column_name="参加工作日期", widget=YearWidget())
    is_rural = fields.Field(attribute="is_rural", column_name="乡村教师", widget=YesNoWidget())
    phone = fields.Field(attribute="phone", column_name="联系电话")

    class Meta:
        model = Teacher
        import_id_fields = ["id_number"]
        fields = ["name", "id_number", "school", "stage", "subject", "post", "title", "teaching_since", "is_rural",
                  "phone"]
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        row["身份证号"] = normalise_id_number(row.get("身份证号"))
        try:
            validate_id_number(row["身份证号"])
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from exc
        for key in ("岗位", "职称"):
            if not row.get(key):
                row[key] = {"岗位": "teacher", "职称": "none"}[key]
        if not row.get("联系电话"):
            row["联系电话"] = ""

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.school_id:
            instance.region_id = instance.school.region_id
            instance.is_priority_county = instance.school.region.is_priority_county
