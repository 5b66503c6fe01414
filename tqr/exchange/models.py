"""Data exchange (数据交换): where outside data comes from, each import of it, and the export layout.

A `DataSource` is one outside system a district receives files from — the provincial continuing-education
platform (培训学时) or HR (年度考核) — with the column mapping of its files, which differ by province.
An `ImportRun` records each upload of a file for a source (who, when, digest, counts, result).
An `ExportLayout` is the district's column layout for the conclusions sent to the national system; a
district without one uses `tqr.exchange.fields.DEFAULT_LAYOUT` (documented in docs/exchange.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DataSource(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("培训学时（继续教育平台）")
        ASSESSMENT = "assessment", _("年度考核（人事部门）")

    class FileFormat(models.TextChoices):
        AUTO = "auto", _("自动识别（CSV 或 Excel）")
        CSV = "csv", _("CSV 文本文件")
        XLSX = "xlsx", _("Excel 工作簿（.xlsx）")

    district = models.ForeignKey("accounts.Organisation", verbose_name=_("所属区县"), on_delete=models.PROTECT,
                                 related_name="data_sources")
    name = models.CharField(_("名称"), max_length=60, help_text=_("如：重庆市中小学教师继续教育平台"))
    kind = models.CharField(_("数据类别"), max_length=16, choices=Kind.choices)
    file_format = models.CharField(_("文件格式"), max_length=8, choices=FileFormat.choices, default=FileFormat.AUTO)
    sheet_name = models.CharField(_("工作表名称"), max_length=31, blank=True,
                                  help_text=_("Excel 文件读取的工作表；留空读取第一个工作表"))
    header_row = models.PositiveSmallIntegerField(_("表头所在行"), default=1,
                                                  help_text=_("表头在文件的第几行（其上方的标题行被跳过）"))
    id_column = models.CharField(_("身份证号码列"), max_length=40, default="身份证号码")  # i18n: data (the column's heading in the source's files)
    name_column = models.CharField(_("姓名列"), max_length=40, blank=True, default="姓名",  # i18n: data (the column's heading in the source's files)
                                   help_text=_("用于与系统中的教师姓名核对；留空则不核对"))
    year_column = models.CharField(_("年度列"), max_length=40, default="年度")  # i18n: data (the column's heading in the source's files)
    value_column = models.CharField(_("学时或考核等次列"), max_length=40,
                                    help_text=_("培训学时来源填学时列，年度考核来源填考核等次列"))
    # Extra spellings of the grades in this source's files → AssessmentGrade value, on top of the defaults.
    grade_values = models.JSONField(_("考核等次对照"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("数据来源")
        verbose_name_plural = _("数据来源")
        ordering = ["district_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="one_source_name_per_district")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def value_label(self) -> str:
        return gettext("学时") if self.kind == self.Kind.TRAINING else gettext("考核等次")


class ImportRun(models.Model):
    class Result(models.TextChoices):
        PREVIEWED = "previewed", _("已检查，待确认")
        PROBLEMS = "problems", _("有问题，未导入")
        REFUSED = "refused", _("文件被拒绝")
        QUEUED = "queued", _("后台导入中")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("导入失败")

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="runs")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    sha256 = models.CharField(_("文件摘要（SHA-256）"), max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    changed = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    problems = models.PositiveIntegerField(_("问题数"), default=0)
    result = models.CharField(_("结果"), max_length=12, choices=Result.choices)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source.name} {self.created_at:%Y-%m-%d %H:%M} {self.get_result_display()}"


class ExportLayout(models.Model):
    class DateFormat(models.TextChoices):
        ISO = "%Y-%m-%d", "2024-12-31"
        COMPACT = "%Y%m%d", "20241231"
        SLASH = "%Y/%m/%d", "2024/12/31"
        CHINESE = "%Y年%m月%d日", "2024年12月31日"  # i18n: data (the stored format and what it writes)

    class Encoding(models.TextChoices):
        UTF8 = "utf-8-sig", _("UTF-8（带 BOM，Excel 可直接打开）")
        GB18030 = "gb18030", _("GB18030（GBK 兼容）")

    district = models.OneToOneField("accounts.Organisation", verbose_name=_("所属区县"), on_delete=models.CASCADE,
                                    related_name="export_layout")
    # [{"header": "证件号码", "field": "id_number"}, …] in column order; fields from tqr.exchange.fields.FIELDS
    columns = models.JSONField(_("列"), default=list)
    date_format = models.CharField(_("日期格式"), max_length=16, choices=DateFormat.choices, default=DateFormat.ISO)
    csv_encoding = models.CharField(_("CSV 编码"), max_length=10, choices=Encoding.choices, default=Encoding.UTF8)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("导出列设置")
        verbose_name_plural = _("导出列设置")

    def __str__(self) -> str:
        return gettext("%(district)s 导出列设置") % {"district": self.district}
