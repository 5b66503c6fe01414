"""The background commit of a large exchange import (more than TQR_IMPORT_SYNC_ROWS rows)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tqr.core import jobs
from tqr.exchange.importing import exchange_commit
from tqr.exchange.models import DataSource, ImportRun
from tqr.teachers import imports


@jobs.register("exchange_import")
def commit_import(job, out, progress) -> None:
    """Commit the upload behind the job's token as its owner; the result file is a short summary. Its texts are
    kept (the import run's message, the job's error, its summary file): in the system's language, as a worker
    without a request writes them."""
    with translation.override(settings.LANGUAGE_CODE):
        _commit_import(job, out, progress)


def _commit_import(job, out, progress) -> None:
    source = DataSource.objects.get(pk=job.params["source"])
    run = ImportRun.objects.filter(pk=job.params.get("run")).first()
    progress(0, 1)
    try:
        data = imports.load_upload(job.params["token"], user=job.owner)
    except imports.UploadNotFound as exc:
        if run is not None:
            ImportRun.objects.filter(pk=run.pk).update(result=ImportRun.Result.FAILED, message=_("上传的文件已过期"))
        raise RuntimeError(_("上传的文件已过期或已导入，请重新上传")) from exc
    try:
        run = exchange_commit(data=data, source=source, actor=job.owner, filename=run.filename if run else "", run=run)
    finally:
        imports.discard_upload(job.params["token"])
    summary = _("数据来源：%(source)s\n数据行：%(rows)s\n新增：%(created)s\n更新：%(changed)s\n未变化：%(unchanged)s\n") % {
        "source": source.name, "rows": run.rows, "created": run.created, "changed": run.changed,
        "unchanged": run.unchanged}
    out.write(summary.encode())
    progress(1, 1)
