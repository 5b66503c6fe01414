"""Organisations (city → district → unit) and user accounts with one role and one scope each."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A node of the tree: a city (直辖市), a district (区县), or a unit (学校/机构) of a district."""

    class Kind(models.TextChoices):
        CITY = "city", _("市")
        DISTRICT = "district", _("区县")
        KINDERGARTEN = "kindergarten", _("幼儿园")
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初级中学")
        SENIOR = "senior", _("高级中学")
        COMPLETE_SECONDARY = "complete_secondary", _("完全中学")
        NINE_YEAR = "nine_year", _("九年一贯制学校")
        VOCATIONAL = "vocational", _("中等职业学校（职教中心）")
        SPECIAL = "special", _("特殊教育学校")
        TV_UNIVERSITY = "tv_university", _("电大")
        TEACHER_DEVELOPMENT_CENTER = "teacher_development_center", _("教师发展中心（继教中心）")
        INSPECTORATE = "inspectorate", _("督学责任区")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("公办")
        PRIVATE = "private", _("民办")
        INDUSTRY = "industry", _("行业办")

    UNIT_KINDS = frozenset(k for k in Kind.values if k not in ("city", "district"))

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("机构代码"), max_length=20, unique=True)
    name = models.CharField(_("法人机构全称"), max_length=100, help_text=_("教师填报时须与此全称一致"))
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    ownership = models.CharField(_("办学性质"), max_length=16, choices=Ownership.choices, default=Ownership.PUBLIC)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_unit(self) -> bool:
        return self.kind in self.UNIT_KINDS

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def district(self) -> Organisation | None:
        """The district this node belongs to (itself for a district, None for a city)."""
        if self.kind == self.Kind.DISTRICT:
            return self
        if self.is_unit:
            return self.parent
        return None

    @property
    def rules_kind(self) -> str:
        """The unit kind as the rules engine knows it (rules.md input `unit.kind`)."""
        return {
            self.Kind.VOCATIONAL: "vocational_center",
            self.Kind.TV_UNIVERSITY: "tv_university",
            self.Kind.TEACHER_DEVELOPMENT_CENTER: "teacher_development_center",
            self.Kind.INSPECTORATE: "inspectorate",
        }.get(self.kind, "school")


class Role(models.TextChoices):
    TEACHER = "teacher", _("教师（申请人）")
    SCHOOL_ADMIN = "school_admin", _("学校注册管理员")
    DISTRICT_REVIEWER = "district_reviewer", _("区县审核人员")
    CITY_REVIEWER = "city_reviewer", _("市级复审人员")
    CITY_APPROVER = "city_approver", _("市级终审人员")
    AUDITOR = "auditor", _("审计管理员")
    SYSADMIN = "sysadmin", _("系统管理员")


# Which organisation kind each role's scope is anchored at.
ROLE_SCOPE_KIND = {
    Role.TEACHER: "unit",
    Role.SCHOOL_ADMIN: "unit",
    Role.DISTRICT_REVIEWER: "district",
    Role.CITY_REVIEWER: "city",
    Role.CITY_APPROVER: "city",
    Role.AUDITOR: None,
    Role.SYSADMIN: None,
}

# 等保 8.1.4.1 d: roles that decide or administer verify a TOTP code after the password (两种以上鉴别技术).
TWO_FACTOR_ROLES = frozenset({Role.DISTRICT_REVIEWER, Role.CITY_REVIEWER, Role.CITY_APPROVER, Role.SYSADMIN,
                              Role.AUDITOR})


class User(AbstractUser):
    """An account. The role and the organisation together are the scope of everything it may see."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.TEACHER)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("邮箱验证时间"), null=True, blank=True)
    # 登录失败处理 (tqr/accounts/lockout.py): consecutive wrong passwords, and the end of the lock they caused.
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        # Case-insensitive: "T001" and "t001" would be the same login for a person typing it.
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_unique_ci_when_set"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password):
        # Every way a password is set (sign-up, change, reset, the admin, imports) dates it: the initial
        # password's 7-day life and the maximum password age are counted from here.
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def needs_two_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES


class PasswordHistory(models.Model):
    """A password hash the user had before (the current one is on the user): none of them may come back."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.replaced_at:%Y-%m-%d}"  # never the hash


class ApiToken(models.Model):
    """A personal API token: shown once at creation, stored only as a SHA-256 digest."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
