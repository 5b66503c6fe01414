"""Forms of the data-exchange pages: a source's mapping, the upload, the export layout."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tqr.exchange import exporting
from tqr.exchange.models import DataSource, ExportLayout
from tqr.teachers import imports
from tqr.teachers.models import AssessmentGrade


def grade_by_label() -> dict[str, str]:
    """What may stand right of "=" in a grade_text line → the stored grade: the grade's label in every language
    of the site (the form shows the labels in the reader's language, the API and older pages wrote Chinese)
    and the stored value itself (excellent, qualified, …); compared folded and case-insensitively."""
    mapping = {}
    for value, label in AssessmentGrade.choices:
        mapping[_grade_key(value)] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                mapping[_grade_key(str(label))] = value
    return mapping


def _grade_key(text: str) -> str:
    return imports.fold(text).casefold()


class SourceForm(forms.ModelForm):
    grade_text = forms.CharField(
        label=_("考核等次对照"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("仅年度考核来源需要：该来源文件中的其他写法，每行一条“写法 = 等次”，等次为 优秀、合格、基本合格、不合格 之一，"
                    "如“称职 = 合格”。系统已能识别 优秀/优、合格/称职、基本合格/基本称职、不合格/不称职"),
    )

    class Meta:
        model = DataSource
        fields = ("name", "kind", "file_format", "sheet_name", "header_row", "id_column", "name_column",
                  "year_column", "value_column")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.grade_values:  # the labels in the reader's language: clean_grade_text accepts them all
            self.initial["grade_text"] = "\n".join(
                f"{k} = {AssessmentGrade(v).label}" for k, v in self.instance.grade_values.items())

    def clean_header_row(self):
        row = self.cleaned_data["header_row"]
        if not 1 <= row <= 50:
            raise ValidationError(_("表头所在行应在 1–50 之间"))
        return row

    def clean_grade_text(self):
        mapping, errors, grades = {}, [], grade_by_label()
        for number, line in enumerate(self.cleaned_data["grade_text"].splitlines(), start=1):
            if not line.strip():
                continue
            spelling, _sep, label = line.partition("=")
            spelling, label = imports.fold(spelling), _grade_key(label)
            if not spelling or label not in grades:
                errors.append(gettext("第%(line)s行应写作“写法 = 等次”，等次为 优秀、合格、基本合格、不合格 之一")
                              % {"line": number})
                continue
            mapping[spelling[:20]] = grades[label]
        if errors:
            raise ValidationError(errors)
        return mapping

    def save(self, commit=True):
        self.instance.grade_values = self.cleaned_data.get("grade_text") or {}
        return super().save(commit=commit)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件（CSV 或 .xlsx）"),
                           help_text=_("不超过 10 MB；CSV 可为 UTF-8 或 GB18030（GBK）编码"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}))


class LayoutForm(forms.Form):
    columns = forms.CharField(label=_("导出列（按顺序，每行一列：表头 = 字段代码）"),
                              widget=forms.Textarea(attrs={"rows": 16, "class": "mono"}))
    date_format = forms.ChoiceField(label=_("日期格式"), choices=ExportLayout.DateFormat.choices)
    csv_encoding = forms.ChoiceField(label=_("CSV 编码"), choices=ExportLayout.Encoding.choices)

    def clean_columns(self):
        return exporting.parse_columns(self.cleaned_data["columns"])

