"""A registration round (年度注册工作) of a district: its phase windows, settings and announcement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tqr.rules.engine import RuleSettings
from tqr.rules.phases import PHASE_LABELS, Phase, PhaseStatus, Window, phase_status

PHASE_CHOICES = [(p.value, _(PHASE_LABELS[p])) for p in Phase]  # msgids marked in tqr.rules.phases


class Round(models.Model):
    """One district's registration round of one year. Settings default to the contract's [assumed] values."""

    district = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="rounds",
        limit_choices_to={"kind": "district"},
    )
    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    # Settings of the round (rules.md *setting*; README §6: thresholds differ by province and year).
    required_training_hours = models.PositiveIntegerField(_("5年内培训学时要求"), default=360)
    semester_days = models.PositiveIntegerField(
        _("一学期（天）"), default=140, help_text=_("未经批准中断教学超过此天数，暂缓注册")
    )
    include_private = models.BooleanField(_("民办学校纳入注册范围"), default=False)
    notice_workdays = models.PositiveIntegerField(
        _("公示期（工作日）"), default=5, validators=[MinValueValidator(5)], help_text=_("不少于5个工作日")
    )
    reminder_workdays = models.PositiveIntegerField(
        _("截止前提醒（工作日）"), default=3,
        help_text=_("网上报名和现场确认截止前多少个工作日，提醒尚未完成的人（每人每个环节一次）"),
    )
    sampling_rate = models.DecimalField(
        _("复审抽查比例"), max_digits=4, decimal_places=3, default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
    )
    sample_all_non_qualified = models.BooleanField(_("暂缓及不合格全部抽查"), default=True)
    discrepancy_threshold = models.DecimalField(
        _("扩大抽查的不符率"), max_digits=4, decimal_places=3, default=Decimal("0.200"),
        help_text=_("某层抽查发现的不符比例达到此值时，可扩大到该层全部"),
    )
    validity_years = models.PositiveIntegerField(_("注册有效期（年）"), default=5)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("注册年度")
        verbose_name_plural = _("注册年度")
        ordering = ["-year", "district_id"]
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="one_round_per_district_year")]

    def __str__(self) -> str:
        return self.title

    @property
    def rule_settings(self) -> RuleSettings:
        return RuleSettings(
            required_training_hours=self.required_training_hours,
            semester_days=self.semester_days,
            include_private=self.include_private,
        )

    def windows(self) -> list[Window]:
        cached = getattr(self, "_prefetched_objects_cache", {}).get("phase_windows")
        rows = cached if cached is not None else self.phase_windows.all()
        return [Window(Phase(w.phase), w.start_date, w.end_date) for w in rows]

    def status(self, day: date) -> PhaseStatus:
        return phase_status(self.windows(), day)

    def timeline(self) -> list[PhaseWindow]:
        """The windows in the order of the round: by start date, then by the phases' order on a shared day."""
        order = {p.value: i for i, p in enumerate(Phase)}
        return sorted(self.phase_windows.all(), key=lambda w: (w.start_date, order[w.phase]))

    def window(self, phase: Phase) -> PhaseWindow | None:
        return next((w for w in self.phase_windows.all() if w.phase == phase), None)

    @property
    def application_opens(self) -> date:
        w = self.window(Phase.APPLICATION)
        return w.start_date if w else date(self.year, 1, 1)


class PhaseWindow(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="phase_windows")
    phase = models.CharField(_("环节"), max_length=20, choices=PHASE_CHOICES)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("含当日；留空表示开始后持续"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("环节时间")
        verbose_name_plural = _("环节时间")
        ordering = ["round_id", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["round", "phase"], name="one_window_per_phase"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="window_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.start_date}—{self.end_date or ''}"

    @property
    def label(self) -> str:
        return PHASE_LABELS[Phase(self.phase)]


class Announcement(models.Model):
    """The round's notice to schools and teachers (通知 with 附件1 公告), published by the district."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="announcement")
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    addressees = models.CharField(_("主送"), max_length=300, blank=True)
    body = models.TextField(_("正文"))
    issuing_body = models.CharField(_("发文机关"), max_length=100)
    training_starts_at = models.DateTimeField(_("注册管理员培训时间"), null=True, blank=True)
    training_place = models.CharField(_("培训地点"), max_length=200, blank=True)
    group_info = models.CharField(_("工作交流群"), max_length=200, blank=True)
    materials_address = models.CharField(_("材料报送地点"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作通知")
        verbose_name_plural = _("工作通知")

    def __str__(self) -> str:
        return self.title


class AnnouncementContact(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("联系人"), max_length=30)
    organisation = models.CharField(_("单位"), max_length=60)
    phone = models.CharField(_("电话"), max_length=20)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"


class AnnouncementAttachment(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="attachments")
    number = models.PositiveSmallIntegerField(_("附件序号"))
    title = models.CharField(_("附件名称"), max_length=200)
    text = models.TextField(_("内容（文本）"), blank=True)
    file = models.FileField(_("文件"), upload_to="announcements/", blank=True)
    original_name = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["announcement_id", "number"]

    def __str__(self) -> str:
        return gettext("附件%(number)s %(title)s") % {"number": self.number, "title": self.title}


class RegistrationAdministrator(models.Model):
    """注册管理员: the one person a unit names for the round (黔江教办〔2023〕155号 三（一）)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="administrators")
    unit = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="round_admins")
    name = models.CharField(_("姓名"), max_length=30)
    phone = models.CharField(_("手机号码"), max_length=20)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    named_at = models.DateTimeField(_("报送时间"), auto_now=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("注册管理员")
        verbose_name_plural = _("注册管理员")
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="one_administrator_per_unit")]

    def __str__(self) -> str:
        return gettext("%(unit)s 注册管理员 %(name)s") % {"unit": self.unit, "name": self.name}


class TeacherEvaluation(models.Model):
    """What the rules engine says about one teacher in one round, kept with its reasons.

    Recomputed by `tqr.campaigns.services.evaluate_teacher` whenever its inputs change (input_digest).
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="evaluations")
    teacher = models.ForeignKey("teachers.TeacherProfile", on_delete=models.CASCADE, related_name="evaluations")
    valid = models.BooleanField(_("信息有效"))
    in_scope = models.BooleanField(_("本年度应注册"), null=True)
    scope_reason = models.CharField(_("不在范围原因"), max_length=32, blank=True)
    kind = models.CharField(_("注册类型"), max_length=12, blank=True)
    register_at = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.CharField(_("规则建议"), max_length=16, blank=True)
    result = models.JSONField(_("完整结果"))
    input_digest = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("规则评估")
        verbose_name_plural = _("规则评估")
        constraints = [models.UniqueConstraint(fields=["round", "teacher"], name="one_evaluation_per_round")]
        indexes = [
            models.Index(fields=["round", "in_scope", "proposal"]),
            # 附件3 (tqr.applications.statistics): who is in scope where, read by an index-only scan.
            models.Index(fields=["round", "in_scope", "register_at"], include=["teacher", "id"],
                         name="evaluation_statistics"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.teacher_id} · {self.proposal or self.scope_reason}"


class CalendarYear(models.Model):
    """A year whose holiday arrangement the administrator entered (the library knows up to 2026)."""

    year = models.PositiveIntegerField(_("年份"), unique=True)
    note = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("如：国务院办公厅关于××年部分节假日安排的通知"))

    class Meta:
        verbose_name = _("节假日安排年份")
        verbose_name_plural = _("节假日安排年份")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class Holiday(models.Model):
    """A day that differs from the plain week: a holiday on a weekday, or a 调休 working weekend day."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否上班"), help_text=_("调休上班的周末勾选；放假的工作日不勾选"))
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日/调休")
        verbose_name_plural = _("节假日/调休")
        ordering = ["date"]

    def __str__(self) -> str:
        text = gettext("%(date)s 上班 %(name)s") if self.is_workday else gettext("%(date)s 放假 %(name)s")
        return text % {"date": self.date, "name": self.name}
