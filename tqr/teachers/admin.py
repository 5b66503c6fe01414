from django import forms
from django.contrib import admin

from tqr.core.rules_text import rule_text
from tqr.rules.identifiers import normalise, validate_resident_id
from tqr.teachers.models import (
    AnnualAssessment,
    Certificate,
    Interruption,
    RegistrationRecord,
    TeacherProfile,
    TrainingRecord,
)


class TeacherProfileForm(forms.ModelForm):
    class Meta:
        model = TeacherProfile
        fields = "__all__"  # noqa: DJ007 - the system administrator edits every field

    def clean_id_number(self):
        value = normalise(self.cleaned_data["id_number"])
        issues = validate_resident_id(value)
        if issues:
            raise forms.ValidationError([rule_text(i) for i in issues])
        return value


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


class RegistrationInline(admin.TabularInline):
    model = RegistrationRecord
    extra = 0


class AssessmentInline(admin.TabularInline):
    model = AnnualAssessment
    extra = 0


class TrainingInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0


class InterruptionInline(admin.TabularInline):
    model = Interruption
    extra = 0


@admin.register(TeacherProfile)
class TeacherProfileAdmin(admin.ModelAdmin):
    form = TeacherProfileForm
    list_display = ("name", "id_masked", "unit", "post_level", "subject", "on_payroll", "in_post")
    list_filter = ("post_level", "special_post", "new_teacher")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("user", "unit", "seconded_from")
    list_select_related = ("unit",)
    inlines = [CertificateInline, RegistrationInline, AssessmentInline, TrainingInline, InterruptionInline]

    def save_model(self, request, obj, form, change):
        obj.set_id_number(form.cleaned_data["id_number"])
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        from tqr.audit.services import record
        from tqr.campaigns.evaluation import reevaluate_teacher

        super().save_related(request, form, formsets, change)
        record("teacher.change" if change else "teacher.create", actor=request.user, obj=form.instance,
               data={"fields": form.changed_data})
        reevaluate_teacher(form.instance)
