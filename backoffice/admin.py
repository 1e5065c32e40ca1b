from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import ManyToManyField
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from backoffice.audit import Entry, audit_record_many, audit_region_code
from backoffice.models import AuditAction, AuditEvent, Organisation, ProgrammeSetting, Region, Teacher, User
from backoffice.scoping import scope_for
from backoffice.spreadsheets import NumberInTextColumn, SpreadsheetRefused
from backoffice.spreadsheets.admin_formats import SpreadsheetFormat, SpreadsheetImportForm

admin.site.site_header = _("Guopei back-office administration")
admin.site.site_title = _("Guopei back-office")


class ScopedAdminMixin:
    """Admin lists go through the same scope as every other read (R2)."""

    scope_region_path: str | None = None
    scope_organisation_path: str | None = None
    selector = None  # the app's list selector (user=) -> queryset; when set, it is the whole scope

    def get_queryset(self, request):
        if type(self).selector is not None:
            return type(self).selector(user=request.user)
        qs = super().get_queryset(request)
        return scope_for(request.user).filter(
            qs, region=self.scope_region_path, organisation=self.scope_organisation_path
        )


def _admin_snapshot(obj, names) -> dict:
    """Field values as the audit trail stores them: related rows by name, many-to-many as a sorted list."""
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        if isinstance(field, ManyToManyField):
            values[name] = sorted(str(o) for o in getattr(obj, name).all()) if obj.pk else []
        else:
            values[name] = getattr(obj, name)
    return values


class AuditedAdminMixin:
    """R3: a change saved or deleted in the admin writes an audit event (who, when, IP, each changed field's old
    and new value) in the admin's own transaction, like a change made through a service."""

    # Dotted path to the Region the events are filed under ("" = the object itself), when the model's own
    # `audit_region` does not say.
    audit_region_path: str | None = None
    audit_exclude = ("password", "last_login")

    def _audited_fields(self, form) -> list[str]:
        model_fields = {f.name for f in self.model._meta.get_fields() if f.concrete or f.many_to_many}
        return [n for n in form.changed_data if n in model_fields and n not in self.audit_exclude]

    def _entry(self, obj, changes: dict) -> Entry:
        if self.audit_region_path is None:
            region = audit_region_code(obj)
        else:
            target = obj
            for part in filter(None, self.audit_region_path.split(".")):
                target = getattr(target, part, None)
            region = getattr(target, "code", "") or ""
        return Entry(pk=obj.pk, repr=str(obj), region_code=region, changes=changes)

    def _record(self, request, entries, action):
        audit_record_many(entries, model=self.model, actor=request.user, action=action)

    def save_model(self, request, obj, form, change):
        before = type(obj)._default_manager.get(pk=obj.pk) if change else None
        # Read before save_related writes the many-to-many rows.
        obj._audit_before = _admin_snapshot(before, self._audited_fields(form)) if before else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_audit_before", {})
        after = _admin_snapshot(obj, self._audited_fields(form))
        changes = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
        if changes or not change:
            self._record(request, [self._entry(obj, changes)], AuditAction.UPDATE if change else AuditAction.CREATE)

    def _deleted(self, obj) -> Entry:
        names = [f.name for f in obj._meta.concrete_fields if f.name not in self.audit_exclude and not f.primary_key]
        return self._entry(obj, {k: (v, None) for k, v in _admin_snapshot(obj, names).items()})

    def delete_model(self, request, obj):
        entry = self._deleted(obj)
        super().delete_model(request, obj)
        self._record(request, [entry], AuditAction.DELETE)

    def delete_queryset(self, request, queryset):
        related = [f.name for f in self.model._meta.concrete_fields if f.is_relation]
        entries = [self._deleted(obj) for obj in queryset.select_related(*related)]
        super().delete_queryset(request, queryset)
        self._record(request, entries, AuditAction.DELETE)


class SpreadsheetImportExportMixin(ImportExportMixin):
    """django-import-export in the admin, reading and writing through backoffice.spreadsheets: .xlsx only, an
    upload over the limits refused in Chinese before it is read, every exported text safe (never a formula)."""

    formats = [SpreadsheetFormat]
    import_form_class = SpreadsheetImportForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, (SpreadsheetRefused, NumberInTextColumn)):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Workflow rows and the audit trail change through services only (R3); the admin looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_priority_county")
    list_filter = ("level", "is_priority_county")
    search_fields = ("code", "name")
    readonly_fields = ("level", "parent")
    scope_region_path = "self"
    audit_region_path = ""

    def get_queryset(self, request):
        return scope_for(request.user).regions(admin.ModelAdmin.get_queryset(self, request).select_related("parent"))


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "region", "code", "is_active")
    list_filter = ("kind", "stage", "is_rural", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)

    def get_queryset(self, request):
        return scope_for(request.user).organisations(admin.ModelAdmin.get_queryset(self, request))


@admin.register(User)
class UserAdmin(AuditedAdminMixin, ScopedAdminMixin, BaseUserAdmin):
    list_display = ("username", "full_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "organisation__name")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role"), {"fields": ("full_name", "organisation", "role", "phone")}),)
    scope_region_path = "organisation__region"
    scope_organisation_path = "organisation"


@admin.register(Teacher)
class TeacherAdmin(AuditedAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "masked_id", "school", "region", "stage", "subject", "is_rural")
    list_filter = ("stage", "subject", "is_rural", "is_priority_county")
    search_fields = ("name", "=id_number")
    list_select_related = ("school", "region")
    raw_id_fields = ("school", "region")

    def get_queryset(self, request):
        return scope_for(request.user).teachers(admin.ModelAdmin.get_queryset(self, request))

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.masked_id_number


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """R3: read-only; nobody edits or deletes the trail through the product."""

    list_display = ("at", "actor_name", "ip_address", "content_type", "object_repr", "action", "from_state", "to_state")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "actor_name", "reason")
    date_hierarchy = "at"

    def get_queryset(self, request):
        from backoffice.selectors import audit_list_visible_to

        return audit_list_visible_to(user=request.user)


@admin.register(ProgrammeSetting)
class ProgrammeSettingAdmin(SimpleHistoryAdmin):
    list_display = ("key", "province", "value", "updated_by", "updated_at")
    list_filter = ("key",)
    readonly_fields = ("updated_by",)

    def save_model(self, request, obj, form, change):
        from backoffice.config import setting_set

        setting_set(key=obj.key, value=obj.value, actor=request.user, province=obj.province)
