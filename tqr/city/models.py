"""The city's part: the verifiable sample (复审), the final approval (终审), stickers (注册贴) and the archive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class Sample(models.Model):
    """One district batch's sample. The population and the seed's hash are recorded before the draw."""

    round = models.OneToOneField("campaigns.Round", on_delete=models.PROTECT, related_name="sample")
    population = models.JSONField(_("抽查总体"))  # [{"id", "stratum", "conclusion"}], frozen at the draw
    population_hash = models.CharField(_("总体哈希"), max_length=64)
    seed = models.CharField(_("随机种子"), max_length=64)
    seed_hash = models.CharField(_("种子哈希"), max_length=64)
    rate = models.DecimalField(_("抽查比例"), max_digits=4, decimal_places=3)
    by_qualification = models.BooleanField(_("按资格种类分层"), default=False)
    include_non_qualified = models.BooleanField(_("暂缓及不合格全部抽查"), default=True)
    chosen = models.JSONField(_("抽中名单"), default=list)
    widened = models.JSONField(_("扩大抽查的层"), default=list, blank=True)
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("复审抽查")
        verbose_name_plural = _("复审抽查")

    def __str__(self) -> str:
        n = len(self.chosen)
        return ngettext("%(round)s 抽查 %(n)s 份", "%(round)s 抽查 %(n)s 份", n) % {"round": self.round, "n": n}


class SampleItem(models.Model):
    class Result(models.TextChoices):
        CONFORMS = "conforms", _("相符")
        DISCREPANCY = "discrepancy", _("不符，退回区县核实")

    class Reason(models.TextChoices):
        RANDOM = "random", _("随机抽取")
        NON_QUALIFIED = "non_qualified", _("暂缓或不合格全部抽查")
        WIDENED = "widened", _("扩大抽查")

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="items")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, related_name="sample_item")
    stratum = models.CharField(_("层"), max_length=100)
    reason = models.CharField(_("抽取原因"), max_length=16, choices=Reason.choices)
    result = models.CharField(_("核查结果"), max_length=12, choices=Result.choices, blank=True)
    note = models.TextField(_("核查说明"), blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    answered_at = models.DateTimeField(_("区县答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查项")
        verbose_name_plural = _("抽查项")
        ordering = ["sample_id", "id"]

    def __str__(self) -> str:
        result = self.get_result_display() or gettext("待核查")
        return f"{self.application_id} {result}"


class FinalApproval(models.Model):
    """终审: the city approver confirms the district's batch; the conclusions take effect."""

    round = models.OneToOneField("campaigns.Round", on_delete=models.PROTECT, related_name="final_approval")
    approved_at = models.DateTimeField(_("终审时间"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("终审")
        verbose_name_plural = _("终审")

    def __str__(self) -> str:
        return gettext("%(round)s 终审 %(day)s") % {"round": self.round, "day": f"{self.approved_at:%Y-%m-%d}"}


class Sticker(models.Model):
    """注册贴: one per final registration, with a short code anyone can verify; who affixed it and when."""

    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, related_name="sticker")
    registration = models.OneToOneField("teachers.RegistrationRecord", on_delete=models.PROTECT, related_name="sticker")
    code = models.CharField(_("核验码"), max_length=16, unique=True)
    printed_at = models.DateTimeField(_("打印时间"), null=True, blank=True)
    affixed_at = models.DateTimeField(_("粘贴时间"), null=True, blank=True)
    affixed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    personnel_file_at = models.DateTimeField(_("一份存入人事档案"), null=True, blank=True)
    district_archive_at = models.DateTimeField(_("一份初审机构归档"), null=True, blank=True)
    archive_location = models.CharField(_("归档位置"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("注册贴与归档")
        verbose_name_plural = _("注册贴与归档")

    def __str__(self) -> str:
        return self.code
