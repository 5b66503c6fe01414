"""The background commit of a large exchange import (more than TQR_IMPORT_SYNC_ROWS rows)."""

from __future__ import annotations

from tqr.core import jobs
from tqr.exchange.importing import exchange_commit
from tqr.exchange.models import DataSource, ImportRun
from tqr.teachers import imports


@jobs.register("exchange_import")
def commit_import(job, out, progress) -> None:
    """Commit the upload behind the job's token as its owner; the result file is a short summary."""
    source = DataSource.objects.get(pk=job.params["source"])
    run = ImportRun.objects.filter(pk=job.params.get("run")).first()
    progress(0, 1)
    try:
        data = imports.load_upload(job.params["token"], user=job.owner)
    except imports.UploadNotFound as exc:
        if run is not None:
            ImportRun.objects.filter(pk=run.pk).update(result=ImportRun.Result.FAILED, message="上传的文件已过期")
        raise RuntimeError("上传的文件已过期或已导入，请重新上传") from exc
    try:
        run = exchange_commit(data=data, source=source, actor=job.owner, filename=run.filename if run else "", run=run)
    finally:
        imports.discard_upload(job.params["token"])
    out.write((f"数据来源：{source.name}\n数据行：{run.rows}\n新增：{run.created}\n更新：{run.changed}\n"
               f"未变化：{run.unchanged}\n").encode())
    progress(1, 1)
