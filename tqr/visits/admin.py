from django.contrib import admin

from tqr.visits.models import VisitBooking, VisitSlot


class BookingInline(admin.TabularInline):
    model = VisitBooking
    extra = 0
    fields = ("unit", "booked_by", "booked_at", "changed_at", "files_received_at", "files_received_by", "note")
    readonly_fields = ("unit", "booked_by", "booked_at", "changed_at", "files_received_at", "files_received_by")
    can_delete = False


@admin.register(VisitSlot)
class VisitSlotAdmin(admin.ModelAdmin):
    list_display = ("round", "date", "start_time", "end_time", "capacity", "place")
    list_filter = ("round", "date")
    inlines = [BookingInline]


@admin.register(VisitBooking)
class VisitBookingAdmin(admin.ModelAdmin):
    # Bookings are changed through the services (lock, rules, audit); the admin only shows them.
    list_display = ("unit", "slot", "round", "booked_at", "changed_at", "files_received_at")
    list_filter = ("round",)
    search_fields = ("unit__name", "unit__code")
    readonly_fields = ("slot", "round", "unit", "booked_by", "booked_at", "changed_at", "files_received_at",
                       "files_received_by")

    def has_add_permission(self, request):
        return False
