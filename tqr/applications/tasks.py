"""Background work of the applications: the school's batch of 考核鉴定表 (附件2), and the scheduled deadlines."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from tqr.applications.documents import assessment_form_data
from tqr.applications.models import Application
from tqr.core import jobs
from tqr.core.schedule import scheduled
from tqr.documents.assessment_form import build_assessment_batch
from tqr.rules.flow import State


def school_proof_applications(round_id: int, unit_id: int):
    return (Application.objects.filter(round_id=round_id, confirmation_point_id=unit_id,
                                       state__in=[State.SUBMITTED, State.CONFIRMED])
            .select_related("round", "teacher", "confirmation_point").order_by("name"))


@jobs.register("school_proofs")
def build_school_proofs(job, out, progress) -> None:
    apps = school_proof_applications(job.params["round"], job.params["unit"])
    total = apps.count()
    progress(0, total)
    build_assessment_batch((assessment_form_data(a) for a in apps.iterator(chunk_size=200)), progress=progress,
                           total=total, out=out)


@task()
def run_job(job_id: str) -> None:
    jobs.run(job_id)


@scheduled("deadlines", every_minutes=5)
def deadlines(now: datetime) -> str:
    """各环节截止处理（run_deadlines）"""
    from tqr.applications.school import process_deadlines

    done = process_deadlines(now=now)
    # Kept in the schedule's log for the operators: said in the system's language.
    with translation.override(settings.LANGUAGE_CODE):
        return "；".join(ngettext("%(round)s：%(count)s 份视为自动放弃", "%(round)s：%(count)s 份视为自动放弃", count)
                        % {"round": title, "count": count} for title, count in done.items()) or _("没有需要处理的截止事项")
