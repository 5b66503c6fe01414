"""The append-only audit log. Rows are only ever inserted, through `tqr.audit.services.record`, each one
hash-chained to the row before it (tqr/audit/chain.py); PostgreSQL refuses UPDATE and DELETE on the table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能通过 record() 逐条写入（每条带链哈希）")


class AuditEvent(models.Model):
    class Result(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAIL = "fail", _("失败")
        DENIED = "denied", _("拒绝")
        CONFLICT = "conflict", _("冲突")

    # Set by record() before the hash is computed (auto_now_add would only set it inside save()).
    ts = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    # No database constraint: the log outlives whatever it refers to and is never rewritten.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("账号"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=32, blank=True)
    org_id = models.BigIntegerField(_("机构"), null=True, blank=True)
    ip = models.CharField(_("IP"), max_length=45, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    object_label = models.CharField(_("对象名称"), max_length=200, blank=True)
    result = models.CharField(_("结果"), max_length=12, choices=Result.choices, default=Result.SUCCESS)
    request_id = models.CharField(_("请求编号"), max_length=32, blank=True, db_index=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    # SHA-256 hex of the previous row's row_hash and of this row (tqr.audit.chain).
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, default="", editable=False)
    row_hash = models.CharField(_("本条哈希"), max_length=64, default="", editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.ts:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计日志只能追加，不能修改")
        if not self.row_hash:  # only record() computes the chain hash under the writers' lock
            raise AppendOnlyError("审计日志只能通过 record() 写入（每条带链哈希）")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除")
