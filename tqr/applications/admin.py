from django.contrib import admin

from tqr.applications.models import Application, ApplicationEvent


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("ts", "actor", "action", "from_state", "to_state", "note", "changes")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only here: an application changes only through its services (the flow), never by hand."""

    list_display = ("number", "name", "round", "unit", "state", "submitted_at")
    list_filter = ("round", "state")
    search_fields = ("number", "name", "unit__name")
    list_select_related = ("round", "unit")
    inlines = [EventInline]
    exclude = ("id_number",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Application._meta.fields if f.name != "id_number"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
