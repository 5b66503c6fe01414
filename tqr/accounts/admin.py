from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tqr.accounts.models import ApiToken, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "ownership", "parent", "is_active")
    list_filter = ("kind", "ownership", "is_active")
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


class LockedFilter(admin.SimpleListFilter):
    title = _("锁定状态")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("已锁定")), ("failing", _("有连续登录失败"))]

    def queryset(self, request, queryset):
        from django.utils import timezone

        if self.value() == "yes":
            return queryset.filter(locked_until__gt=timezone.now())
        if self.value() == "failing":
            return queryset.filter(failed_logins__gt=0)
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "is_active", "locked", "last_login")
    list_filter = ("role", "is_active", "is_staff", LockedFilter)
    actions = ["unlock_accounts"]
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

    @admin.display(description=_("锁定"), boolean=True)
    def locked(self, obj) -> bool:
        from tqr.accounts.lockout import is_locked

        return is_locked(obj)

    @admin.action(description=_("解除所选账号的登录锁定"))
    def unlock_accounts(self, request, queryset):
        from tqr.accounts.lockout import unlock

        count = sum(unlock(user, actor=request.user, request=request) for user in queryset)
        if count:
            self.message_user(request, ngettext("已解除 %(count)s 个账号的登录锁定（已记入审计日志）。",
                                               "已解除 %(count)s 个账号的登录锁定（已记入审计日志）。", count)
                              % {"count": count}, messages.SUCCESS)
        else:
            self.message_user(request, _("所选账号没有被锁定，也没有连续登录失败记录。"), messages.INFO)

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
