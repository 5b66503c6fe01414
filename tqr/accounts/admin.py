from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from tqr.accounts.models import ApiToken, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "ownership", "parent", "is_active")
    list_filter = ("kind", "ownership", "is_active")
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)
    list_select_related = ("organisation",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("TQR", {"fields": ("display_name", "phone", "role", "organisation", "must_change_password")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("TQR", {"fields": ("display_name", "role", "organisation")}),
    )

    def save_model(self, request, obj, form, change):
        from tqr.audit.services import record

        old_role = User.objects.filter(pk=obj.pk).values_list("role", "organisation_id").first() if change else None
        super().save_model(request, obj, form, change)
        new_role = (obj.role, obj.organisation_id)
        if old_role != new_role:
            record("user.role_change", actor=request.user, obj=obj,
                   data={"before": list(old_role) if old_role else None, "after": list(new_role)})


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False
