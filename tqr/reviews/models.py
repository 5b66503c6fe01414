"""The district's public notice (公示) of the initial conclusions, objections to it, and the report up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """The public notice of a round's initial conclusions, for at least 5 working days (三（四）2)."""

    round = models.OneToOneField("campaigns.Round", on_delete=models.PROTECT, related_name="notice")
    title = models.CharField(_("标题"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    issuing_body = models.CharField(_("发布单位"), max_length=100)
    start_date = models.DateField(_("公示开始日期"))
    workdays = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    end_date = models.DateField(_("公示结束日期"), help_text=_("按工作日历（含调休）计算"))
    objection_contact = models.TextField(_("异议受理方式"), help_text=_("联系人、电话、地址"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    closed_at = models.DateTimeField(_("结束处理时间"), null=True, blank=True)
    slug = models.SlugField(_("公开地址"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")

    def __str__(self) -> str:
        return self.title


class NoticeEntry(models.Model):
    """One published line: exactly what the public may see (PIPL 去标识化), frozen at publication."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="entries")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="notice_entry")
    number = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("任教学校"), max_length=100)
    qualification_type = models.CharField(_("资格种类"), max_length=30)
    registration_kind = models.CharField(_("注册类型"), max_length=20)
    conclusion = models.CharField(_("初审结论"), max_length=12)
    distinguisher = models.CharField(_("备注"), max_length=20, blank=True, help_text=_("同名同校时显示脱敏身份证号"))

    class Meta:
        verbose_name = _("公示名单")
        verbose_name_plural = _("公示名单")
        ordering = ["notice_id", "number"]
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="one_number_per_notice")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Objection(models.Model):
    """异议: filed by anyone during the notice period about one entry; the district records the handling."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("异议成立，已修改结论")
        REJECTED = "rejected", _("异议不成立，维持结论")

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    entry = models.ForeignKey(NoticeEntry, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(_("异议人"), max_length=50)
    contact = models.CharField(_("联系方式"), max_length=100)
    content = models.TextField(_("异议内容"), max_length=2000)
    ip = models.CharField(max_length=45, blank=True)
    filed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    outcome = models.CharField(_("处理结果"), max_length=12, choices=Outcome.choices, blank=True)
    handling = models.TextField(_("处理情况"), blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"{self.entry} · {self.filed_at:%Y-%m-%d}"


class CityReport(models.Model):
    """The district's initial conclusions reported to the city (上报初审数据); locked for the district after."""

    round = models.OneToOneField("campaigns.Round", on_delete=models.PROTECT, related_name="city_report")
    submitted_at = models.DateTimeField(_("上报时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    counts = models.JSONField(_("上报时统计"), default=dict)

    class Meta:
        verbose_name = _("上报市级")
        verbose_name_plural = _("上报市级")

    def __str__(self) -> str:
        return f"{self.round} {self.submitted_at:%Y-%m-%d}"
