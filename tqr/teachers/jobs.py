"""The background commit of a large teacher-data import (more than TQR_IMPORT_SYNC_ROWS rows)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tqr.accounts.permissions import can
from tqr.core import jobs
from tqr.teachers import imports


@jobs.register("teacher_import")
def commit_import(job, out, progress) -> None:
    """Commit the upload behind the job's token as its owner, with the owner's scope as it is now; the result
    file is a short summary. All or nothing, as on the page: a file that became wrong fails the job with why.
    Its texts are kept (the job's error, its summary file, the audit log): in the system's language, as a
    worker without a request writes them."""
    with translation.override(settings.LANGUAGE_CODE):
        _commit_import(job, out, progress)


def _commit_import(job, out, progress) -> None:
    if not can(job.owner, "teacher.import"):
        raise PermissionError(_("您已无权导入教师数据"))
    progress(0, 1)
    try:
        result = imports.import_commit_upload(token=job.params["token"], actor=job.owner)
    except imports.UploadNotFound as exc:
        raise RuntimeError(_("上传的文件已过期或已导入，请重新上传")) from exc
    except imports.ImportRefused as exc:  # rejected rows or a conflict: nothing was written, the job says why
        raise RuntimeError(exc.message) from exc
    counts = result.as_dict()
    summary = _("教师数据导入完成（全部导入）\n新增：%(created)s\n更新：%(changed)s\n未变化：%(unchanged)s\n") % counts
    out.write(summary.encode())
    progress(1, 1)
