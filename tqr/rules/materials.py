"""The seven materials of on-site confirmation (黔江教办〔2023〕155号 三（三）), by registration kind."""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import gettext_noop


@dataclass(frozen=True)
class Material:
    number: int
    title: str
    detail: str
    issued_by_school: bool = False  # items 5–7 come from the school on the form of 附件2


def materials_for(kind: str | None, *, new_teacher: bool = False) -> list[Material]:
    """What the teacher brings (or the school issues) for this kind of registration."""
    if kind == "first":
        training = gettext_noop("新任教师培训合格证明") if new_teacher else gettext_noop("教师培训学分证明")
        assessment = (
            gettext_noop("任教学校出具的试用期满考核证明") if new_teacher else gettext_noop("上一年年度考核证明")
        )
    else:
        training = gettext_noop("5年注册有效期内不少于360培训学时的教师培训学分证明，或等量学分的参训证明")
        assessment = gettext_noop("5年注册有效期内的年度考核证明材料")
    return [
        Material(1, gettext_noop("《教师资格定期注册申请表》"), gettext_noop("一式2份，网上报名完成后下载，用A4纸打印")),
        Material(2, gettext_noop("教师资格证书"), gettext_noop("原件及复印件1份")),
        Material(3, gettext_noop("聘用合同"), gettext_noop("任教学校或主管部门聘用合同原件及复印件1份")),
        Material(4, gettext_noop("培训证明"), training),
        Material(5, gettext_noop("考核证明"), assessment, issued_by_school=True),
        Material(
            6, gettext_noop("师德表现证明"), gettext_noop("由学校统一出具（考核鉴定表，附件2）"), issued_by_school=True
        ),
        Material(
            7,
            gettext_noop("身心健康证明"),
            gettext_noop("暂不要求统一体检，由学校根据近年体检情况出具能够胜任教育教学工作的证明"),
            issued_by_school=True,
        ),
    ]
