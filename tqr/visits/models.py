"""Visits to the district office for the initial review (初审送审预约).

黔江教办〔2023〕155号 三（四）1: 各学校携带本校教师注册材料及统计表（附件3）到区继教中心办公室进行初审.
The district offers time slots over the initial-review window; each school books one and may change it up
to the day before; the district registers the files as received when the school comes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitSlot(models.Model):
    """A time at the district office when a few schools may bring their files (送审时段)."""

    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="visit_slots")
    date = models.DateField(_("日期"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约学校数"), default=3, validators=[MinValueValidator(1)])
    place = models.CharField(_("地点"), max_length=200, blank=True, help_text=_("默认为初审环节的地点"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("送审时段")
        verbose_name_plural = _("送审时段")
        ordering = ["round_id", "date", "start_time"]
        constraints = [
            # Generating the slots twice must not double them.
            models.UniqueConstraint(fields=["round", "date", "start_time"], name="one_visit_slot_per_start"),
            models.CheckConstraint(condition=models.Q(end_time__gt=models.F("start_time")),
                                   name="visit_slot_ends_after_start"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="visit_slot_has_room"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.start_time:%H:%M}—{self.end_time:%H:%M}"


class VisitBooking(models.Model):
    """A school's one booking in a round; booking another slot moves it (改约)."""

    slot = models.ForeignKey(VisitSlot, on_delete=models.PROTECT, related_name="bookings")
    # Denormalised from the slot so that the database itself allows one booking per school and round.
    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="visit_bookings")
    unit = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="visit_bookings")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    booked_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    changed_at = models.DateTimeField(_("改约时间"), null=True, blank=True)
    files_received_at = models.DateTimeField(_("收到材料时间"), null=True, blank=True)
    files_received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("送审预约")
        verbose_name_plural = _("送审预约")
        ordering = ["slot__date", "slot__start_time", "booked_at"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="one_visit_booking_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} {self.slot}"
