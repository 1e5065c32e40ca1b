from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from backoffice.models import AuditEvent, Organisation, ProgrammeSetting, Region, Teacher, User
from backoffice.scoping import scope_for

admin.site.site_header = _("Guopei back-office administration")
admin.site.site_title = _("Guopei back-office")


class ScopedAdminMixin:
    """Admin lists go through the same scope as every other read (R2)."""

    scope_region_path: str | None = None
    scope_organisation_path: str | None = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return scope_for(request.user).filter(
            qs, region=self.scope_region_path, organisation=self.scope_organisation_path
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Workflow rows and the audit trail change through services only (R3); the admin looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_priority_county")
    list_filter = ("level", "is_priority_county")
    search_fields = ("code", "name")
    readonly_fields = ("level", "parent")
    scope_region_path = "self"

    def get_queryset(self, request):
        return scope_for(request.user).regions(admin.ModelAdmin.get_queryset(self, request).select_related("parent"))


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "region", "code", "is_active")
    list_filter = ("kind", "stage", "is_rural", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)

    def get_queryset(self, request):
        return scope_for(request.user).organisations(admin.ModelAdmin.get_queryset(self, request))


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = ("username", "full_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "organisation__name")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role"), {"fields": ("full_name", "organisation", "role", "phone")}),)
    scope_region_path = "organisation__region"
    scope_organisation_path = "organisation"


@admin.register(Teacher)
class TeacherAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
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
