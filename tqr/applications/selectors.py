"""Reads for the teacher's application: the status page's facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tqr.applications.models import Application
from tqr.rules.flow import State
from tqr.rules.materials import materials_for
from tqr.rules.phases import PHASE_LABELS, Phase

STEPS: tuple[tuple[int, str, str], ...] = (
    (1, "readme", gettext_lazy("阅读须知")),
    (2, "terms", gettext_lazy("承诺事项")),
    (3, "identity", gettext_lazy("身份信息")),
    (4, "certificate", gettext_lazy("证书与注册机构")),
    (5, "notices", gettext_lazy("注意事项")),
    (6, "data", gettext_lazy("申请信息")),
    (7, "done", gettext_lazy("核对并提交")),
)


@dataclass(frozen=True)
class NextStep:
    text: str
    when: str = ""


def _day(d: date) -> str:
    return date_format(d, _("Y年n月j日"))


def _span(w) -> str:
    if w is None:
        return ""
    if w.end_date and w.end_date != w.start_date:
        return f"{date_format(w.start_date, _('n月j日'))}—{date_format(w.end_date, _('n月j日'))}"
    return _day(w.start_date)


def _phase(phase: Phase, w) -> str:
    """「现场确认：11月3日—11月14日」: the phase's name (a rules label, translated here) and its days."""
    return _("%(phase)s：%(days)s") % {"phase": _(PHASE_LABELS[phase]), "days": _span(w)}


def next_step(app: Application, day: date) -> NextStep:
    """What the teacher has to do next, and by when (said in plain words, in the user's language)."""
    r = app.round
    application, confirmation, review = r.window(Phase.APPLICATION), r.window(Phase.CONFIRMATION), r.window(
        Phase.INITIAL_REVIEW)
    state = State(app.state)
    if state == State.DRAFT:
        end = application.end_date if application else None
        until = _("网上报名截止：%(day)s") % {"day": _day(end)} if end else ""
        return NextStep(_("完成各步填报，核对无误后提交申请。"), until)
    if state == State.SUBMITTED:
        return NextStep(_("打印《申请表》一式2份，携带证书、聘用合同、培训证明等材料到学校注册管理员处现场确认。"),
                        _phase(Phase.CONFIRMATION, confirmation) if confirmation else "")
    if state == State.RETURNED:
        return NextStep(_("学校退回了申请：%(reason)s。请按要求修改后重新提交。") % {"reason": app.return_reason},
                        _("最迟在%(phase)s结束前：%(days)s") % {"phase": _(PHASE_LABELS[Phase.CONFIRMATION]),
                                                          "days": _span(confirmation)} if confirmation else "")
    if state == State.CONFIRMED:
        return NextStep(_("学校已现场确认。等待区县初审，结论将在公示后告知。"),
                        _phase(Phase.INITIAL_REVIEW, review) if review else "")
    if state == State.ABANDONED:
        return NextStep(_("未在规定时间内完成现场确认，视为自动放弃本年度注册。可在下一年度再次申请。"))
    if state in (State.REVIEWED, State.PUBLISHED):
        notice = r.window(Phase.NOTICE)
        return NextStep(_("区县已完成初审，初审结论将在公示期内公开。"), _phase(Phase.NOTICE, notice) if notice else "")
    if state in (State.REPORTED, State.CITY_RETURNED):
        final = r.window(Phase.FINAL_REVIEW)
        return NextStep(_("初审结论已上报市级，等待复审和终审。"), _phase(Phase.FINAL_REVIEW, final) if final else "")
    if state == State.FINAL:
        registration = app.teacher.registrations.filter(year=r.year).first()
        if app.conclusion == "qualified" and registration and registration.valid_until:
            return NextStep(_("注册结论：合格。注册有效期至 %(day)s。区教委将在证书注册页粘贴注册贴并盖章。")
                            % {"day": _day(registration.valid_until)})
        if app.conclusion == "deferred":
            return NextStep(_("注册结论：暂缓注册（%(reason)s）。达到注册条件后，可在以后年度重新申请注册，"
                              "届时按“暂缓后再次申请”办理。") % {"reason": app.conclusion_reason})
        return NextStep(_("注册结论：%(conclusion)s（%(reason)s）。") % {"conclusion": app.get_conclusion_display(),
                                                                     "reason": app.conclusion_reason})
    return NextStep("")


def status_context(app: Application, day: date) -> dict:
    evaluation = app.evaluation or {}
    return {
        "next": next_step(app, day),
        "materials": materials_for(evaluation.get("kind"), new_teacher=app.teacher.new_teacher),
        "events": list(app.events.select_related("actor").order_by("-ts", "-id")[:50]),
        "evaluation": evaluation,
    }
