"""Teachers, their qualification certificates, registration history and the facts of their period."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tqr.core.fields import EncryptedTextField


class PostLevel(models.TextChoices):
    """学段: the level of the post, and the qualification type of a certificate (its 10th digit)."""

    KINDERGARTEN = "kindergarten", _("幼儿园")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初级中学")
    SENIOR = "senior", _("高级中学")
    VOCATIONAL = "vocational", _("中等职业学校")
    VOCATIONAL_PRACTICE = "vocational_practice", _("中职实习指导")


class CertificateType(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("幼儿园教师资格")
    PRIMARY = "primary", _("小学教师资格")
    JUNIOR = "junior", _("初级中学教师资格")
    SENIOR = "senior", _("高级中学教师资格")
    VOCATIONAL = "vocational", _("中等职业学校教师资格")
    VOCATIONAL_PRACTICE = "vocational_practice", _("中等职业学校实习指导教师资格")
    HIGHER = "higher", _("高等学校教师资格")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class SpecialPost(models.TextChoices):
    NONE = "none", _("否")
    UNCONVERTED = "unconverted", _("特岗教师（未转正）")
    CONVERTED = "converted", _("特岗教师（已转正）")


class Ethics(models.TextChoices):
    GOOD = "good", _("良好")
    VIOLATION = "violation", _("有违反师德行为")
    SERIOUS_VIOLATION = "serious_violation", _("严重违反师德，影响恶劣")


class Health(models.TextChoices):
    FIT = "fit", _("身心健康，能胜任教育教学工作")
    UNFIT = "unfit", _("不能胜任")


class QualificationStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("被撤销")
    LOST = "lost", _("已丧失")


class AssessmentGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class Conclusion(models.TextChoices):
    QUALIFIED = "qualified", _("合格")
    DEFERRED = "deferred", _("暂缓注册")
    UNQUALIFIED = "unqualified", _("不合格")


class RegistrationKind(models.TextChoices):
    FIRST = "first", _("首次注册")
    PERIODIC = "periodic", _("定期注册")
    REAPPLY = "reapply", _("暂缓后再次申请")


class TeacherProfile(models.Model):
    """An in-service teacher known to a unit, with or without an account yet."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="teacher"
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")  # i18n: data (the stored default value)
    birth_date = models.DateField(_("出生日期"))
    # The resident ID is stored encrypted; `id_digest` (keyed HMAC) finds it, `id_masked` shows it.
    id_number = EncryptedTextField(_("身份证号码"))
    id_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_masked = models.CharField(_("身份证号码（脱敏）"), max_length=18, editable=False)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("任教单位"), on_delete=models.PROTECT, related_name="teachers"
    )
    post_level = models.CharField(_("任教学段"), max_length=24, choices=PostLevel.choices)
    subject = models.CharField(_("任教学科"), max_length=30)
    title = models.CharField(_("职称"), max_length=30, blank=True)
    teacher_post_title = models.BooleanField(_("聘任教师专业技术职务"), default=True)
    on_payroll = models.BooleanField(_("在编"), default=True)
    in_post = models.BooleanField(_("在岗"), default=True)
    hire_date = models.DateField(_("参加工作（入职）日期"), null=True, blank=True)
    new_teacher = models.BooleanField(_("新入职教师（首次注册前）"), default=False)
    probation_passed = models.BooleanField(_("试用期满考核合格"), default=False)
    pre_service_training_done = models.BooleanField(_("已完成岗前培训"), default=False)
    special_post = models.CharField(_("特岗教师"), max_length=16, choices=SpecialPost.choices, default="none")
    seconded_from = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("借出单位（借调教师）"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="seconded_teachers",
    )
    ethics = models.CharField(_("师德表现"), max_length=24, choices=Ethics.choices, default=Ethics.GOOD)
    health = models.CharField(_("身心健康"), max_length=8, choices=Health.choices, default=Health.FIT)
    qualification_status = models.CharField(
        _("教师资格状态"), max_length=8, choices=QualificationStatus.choices, default=QualificationStatus.VALID
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        ordering = ["unit_id", "name"]
        indexes = [models.Index(fields=["unit", "name"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    def set_id_number(self, value: str) -> None:
        """Store a validated, normalised resident ID with its lookup digest and masked form."""
        from tqr.core.fields import digest
        from tqr.rules.identifiers import mask_resident_id, normalise

        value = normalise(value)
        self.id_number = value
        self.id_digest = digest(value)
        self.id_masked = mask_resident_id(value)


class Certificate(models.Model):
    """教师资格证书."""

    teacher = models.ForeignKey(TeacherProfile, on_delete=models.CASCADE, related_name="certificates")
    number = models.CharField(_("证书号码"), max_length=17, unique=True)
    cert_type = models.CharField(_("资格种类"), max_length=24, choices=CertificateType.choices)
    subject = models.CharField(_("任教学科"), max_length=30)
    certifying_body = models.CharField(_("认定机构"), max_length=60)
    issue_date = models.DateField(_("签发日期"))

    class Meta:
        verbose_name = _("教师资格证书")
        verbose_name_plural = _("教师资格证书")
        ordering = ["teacher_id", "issue_date"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_cert_type_display()}"


class RegistrationRecord(models.Model):
    """One past registration of a teacher: kind, conclusion and validity (注册记录)."""

    teacher = models.ForeignKey(TeacherProfile, on_delete=models.CASCADE, related_name="registrations")
    certificate = models.ForeignKey(Certificate, null=True, blank=True, on_delete=models.SET_NULL)
    round = models.ForeignKey(
        "campaigns.Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    year = models.PositiveIntegerField(_("注册年度"))
    kind = models.CharField(_("注册类型"), max_length=12, choices=RegistrationKind.choices)
    conclusion = models.CharField(_("注册结论"), max_length=12, choices=Conclusion.choices)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期止"), null=True, blank=True)

    class Meta:
        verbose_name = _("注册记录")
        verbose_name_plural = _("注册记录")
        ordering = ["teacher_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["teacher", "year"], name="one_registration_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.get_conclusion_display()}"


class AnnualAssessment(models.Model):
    """年度考核: one grade per teacher and year."""

    teacher = models.ForeignKey(TeacherProfile, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveIntegerField(_("年度"))
    grade = models.CharField(_("考核等次"), max_length=12, choices=AssessmentGrade.choices)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["teacher_id", "year"]
        constraints = [models.UniqueConstraint(fields=["teacher", "year"], name="one_assessment_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_grade_display()}"


class TrainingRecord(models.Model):
    """培训学时 of one year (from the continuing-education platform or the school)."""

    teacher = models.ForeignKey(TeacherProfile, on_delete=models.CASCADE, related_name="training")
    year = models.PositiveIntegerField(_("年度"))
    hours = models.PositiveIntegerField(_("学时"))

    class Meta:
        verbose_name = _("培训学时")
        verbose_name_plural = _("培训学时")
        ordering = ["teacher_id", "year"]
        constraints = [models.UniqueConstraint(fields=["teacher", "year"], name="one_training_row_per_year")]

    def __str__(self) -> str:
        return gettext("%(year)s %(hours)s学时") % {"year": self.year, "hours": self.hours}


class Interruption(models.Model):
    """中断教育教学工作: a period away from teaching, approved (and why) or not."""

    class Approved(models.TextChoices):
        STUDY = "study", _("批准进修")
        TRAINING = "training", _("批准培训")
        EXCHANGE = "exchange", _("学术交流")
        SICK = "sick", _("病假")
        MATERNITY = "maternity", _("产假")
        OTHER_APPROVED = "other_approved", _("其他经批准的情形")

    teacher = models.ForeignKey(TeacherProfile, on_delete=models.CASCADE, related_name="interruptions")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    approved = models.CharField(
        _("批准事由"), max_length=16, choices=Approved.choices, blank=True, help_text=_("未经批准请留空")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("中断教学")
        verbose_name_plural = _("中断教学")
        ordering = ["teacher_id", "start_date"]

    def __str__(self) -> str:
        return f"{self.start_date}—{self.end_date} {self.get_approved_display() or gettext('未经批准')}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1
