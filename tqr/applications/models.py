"""The teacher's application (网上报名) of one round: what the teacher entered, and where it stands."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KT
from django.utils.translation import gettext_lazy as _

from tqr.core.fields import EncryptedTextField
from tqr.rules.flow import STATE_LABELS, State
from tqr.teachers.models import CertificateType, Conclusion, Gender, PostLevel

STATE_CHOICES = [(s.value, _(STATE_LABELS[s])) for s in State]  # msgids marked in tqr.rules.flow


def photo_path(instance, filename: str) -> str:
    # Never the uploaded name: a server-generated path (ASVS 5.3.2).
    return f"photos/{instance.round_id}/{uuid.uuid4().hex}.jpg"


class Application(models.Model):
    """One application per teacher per round. State changes only through services.application_transition."""

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("居民身份证")

    round = models.ForeignKey("campaigns.Round", on_delete=models.PROTECT, related_name="applications")
    teacher = models.ForeignKey("teachers.TeacherProfile", on_delete=models.PROTECT, related_name="applications")
    number = models.CharField(_("申请编号"), max_length=24, unique=True)
    state = models.CharField(_("状态"), max_length=16, choices=STATE_CHOICES, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text=_("每次修改加一，用于发现并发修改"))
    step = models.PositiveSmallIntegerField(_("已完成步骤"), default=0)
    terms_accepted_at = models.DateTimeField(_("同意承诺时间"), null=True, blank=True)

    # 第三步 身份信息 — exactly as on the certificate
    id_type = models.CharField(_("证件类型"), max_length=16, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = EncryptedTextField(_("证件号码"), blank=True)
    certificate_number = models.CharField(_("教师资格证书号码"), max_length=17, blank=True)

    # 第四步 证书信息与注册机构
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    cert_type = models.CharField(_("资格种类"), max_length=24, choices=CertificateType.choices, blank=True)
    cert_subject = models.CharField(_("任教学科（证书）"), max_length=30, blank=True)
    certifying_body = models.CharField(_("认定机构"), max_length=60, blank=True)
    cert_issue_date = models.DateField(_("证书签发日期"), null=True, blank=True)
    registration_body = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("注册机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    confirmation_point = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("现场确认点"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="confirmation_applications",
    )

    # 第六步 申请信息
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("任教学校（法人机构全称）"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="unit_applications",
    )
    post_level = models.CharField(_("任教学段"), max_length=24, choices=PostLevel.choices, blank=True)
    subject = models.CharField(_("任教学科"), max_length=30, blank=True)
    title = models.CharField(_("职称"), max_length=30, blank=True)
    hire_date = models.DateField(_("参加工作时间"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    assessments = models.JSONField(_("年度考核"), default=dict, blank=True)  # {"2021": "qualified", …}
    training_hours = models.PositiveIntegerField(_("培训学时"), null=True, blank=True)
    interruptions = models.JSONField(_("中断教学"), default=list, blank=True)  # [{start, end, approved, note}]
    photo = models.FileField(_("照片"), upload_to=photo_path, blank=True)

    # The school's on-site confirmation (现场确认): the seven items ticked, a note, and the facts the school
    # confirms where they differ from what the teacher entered — those are what the rules and reviewers use.
    checklist = models.JSONField(_("材料核验"), default=dict, blank=True)  # {"1": true, …}
    school_note = models.TextField(_("学校备注"), blank=True)
    confirmed_facts = models.JSONField(_("学校确认的信息"), default=dict, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    abandoned_at = models.DateTimeField(_("视为放弃时间"), null=True, blank=True)

    # The district's initial review (初审): the conclusion, its reason and the rule codes behind it.
    conclusion = models.CharField(_("初审结论"), max_length=12, choices=Conclusion.choices, blank=True)
    conclusion_reason = models.TextField(_("结论理由"), blank=True)
    conclusion_codes = models.JSONField(_("依据规则"), default=list, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("初审人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("初审时间"), null=True, blank=True)
    notice_note = models.CharField(_("公示情况"), max_length=300, blank=True,
                                   help_text=_("公示无异议，或异议处理情况"))

    # Where it stands
    evaluation = models.JSONField(_("规则评估"), default=dict, blank=True)
    # The evaluation's registration kind as a plain column the database keeps in step with `evaluation`, so that
    # 附件3's GROUP BY reads it from the covering index below instead of every row's JSON (bench finding 4).
    evaluation_kind = models.GeneratedField(expression=KT("evaluation__kind"), output_field=models.TextField(),
                                            db_persist=True, verbose_name=_("注册类型（规则评估）"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("注册申请")
        verbose_name_plural = _("注册申请")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["round", "teacher"], name="one_application_per_round")]
        indexes = [
            models.Index(fields=["round", "state"]), models.Index(fields=["confirmation_point", "state"]),
            # 附件3 (tqr.applications.statistics): every column its queries read, for an index-only scan.
            models.Index(fields=["round", "confirmation_point", "state", "cert_type", "conclusion", "evaluation_kind"],
                         include=["teacher"], name="application_statistics"),
            # …and its reasons: the rule codes of the few deferred and unqualified applications.
            models.Index(fields=["round", "confirmation_point"], include=["state", "conclusion_codes"],
                         condition=models.Q(conclusion__in=["deferred", "unqualified"]), name="application_reasons"),
            # The district's review queue (tqr.reviews.queue): its page's keys sorted by unit and name, and its
            # counts, read from this index alone (an index-only scan) instead of 10,000 wide rows (finding 2b).
            models.Index(fields=["round", "confirmation_point", "name", "id", "state", "conclusion"],
                         name="application_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.state)]


class ApplicationEvent(models.Model):
    """The application's history: every edit and every transition, with who and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    ts = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(_("操作"), max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("说明"), blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("申请记录")
        verbose_name_plural = _("申请记录")
        ordering = ["ts", "id"]

    def __str__(self) -> str:
        return f"{self.ts:%Y-%m-%d %H:%M} {self.action}"


class HandOver(models.Model):
    """A school's batch handed over to the district after on-site confirmation (报送区继教中心)."""

    round = models.ForeignKey("campaigns.Round", on_delete=models.PROTECT, related_name="handovers")
    unit = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="handovers")
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    statistics = models.JSONField(_("统计表（报送时）"), default=dict)
    filled_by = models.CharField(_("填表人"), max_length=30)
    phone = models.CharField(_("联系电话"), max_length=20)
    received_at = models.DateTimeField(_("区县接收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学校报送")
        verbose_name_plural = _("学校报送")
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="one_handover_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} {self.submitted_at:%Y-%m-%d}"


class Reminder(models.Model):
    """A reminder e-mail sent to a teacher (never twice within a day)."""

    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="reminders")
    teacher = models.ForeignKey("teachers.TeacherProfile", on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")

    def __str__(self) -> str:
        return f"{self.teacher_id} {self.sent_at:%Y-%m-%d %H:%M}"
