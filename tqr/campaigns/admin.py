from django.contrib import admin

from tqr.campaigns.models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementContact,
    CalendarYear,
    Holiday,
    PhaseWindow,
    RegistrationAdministrator,
    Round,
    TeacherEvaluation,
)


class PhaseWindowInline(admin.TabularInline):
    model = PhaseWindow
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("title", "district", "year", "required_training_hours", "notice_workdays", "sampling_rate")
    list_filter = ("year",)
    inlines = [PhaseWindowInline]
    autocomplete_fields = ("district",)

    def save_related(self, request, form, formsets, change):
        from tqr.audit.services import record
        from tqr.campaigns.evaluation import evaluate_round

        super().save_related(request, form, formsets, change)
        record("round.change" if change else "round.create", actor=request.user, obj=form.instance,
               data={"fields": form.changed_data})
        evaluate_round(form.instance)  # thresholds or dates may have changed: the proposals follow


class ContactInline(admin.TabularInline):
    model = AnnouncementContact
    extra = 0


class AttachmentInline(admin.StackedInline):
    model = AnnouncementAttachment
    extra = 0


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("title", "document_number", "issuing_body", "published_at")
    inlines = [ContactInline, AttachmentInline]


@admin.register(RegistrationAdministrator)
class RegistrationAdministratorAdmin(admin.ModelAdmin):
    list_display = ("round", "unit", "name", "phone", "named_at")
    list_filter = ("round",)
    search_fields = ("unit__name", "name")
    autocomplete_fields = ("unit", "user", "named_by")


@admin.register(TeacherEvaluation)
class TeacherEvaluationAdmin(admin.ModelAdmin):
    list_display = ("teacher", "round", "valid", "in_scope", "scope_reason", "kind", "proposal", "computed_at")
    list_filter = ("round", "in_scope", "kind", "proposal")
    readonly_fields = [f.name for f in TeacherEvaluation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "note")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
