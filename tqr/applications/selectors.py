"""Reads for the teacher's application: the status page's facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tqr.applications.models import Application
from tqr.rules.flow import State
from tqr.rules.materials import materials_for
from tqr.rules.phases import PHASE_LABELS, Phase

STEPS: tuple[tuple[int, str, str], ...] = (
    (1, "readme", "阅读须知"),
    (2, "terms", "承诺事项"),
    (3, "identity", "身份信息"),
    (4, "certificate", "证书与注册机构"),
    (5, "notices", "注意事项"),
    (6, "data", "申请信息"),
    (7, "done", "核对并提交"),
)


@dataclass(frozen=True)
class NextStep:
    text: str
    when: str = ""


def _span(w) -> str:
    if w is None:
        return ""
    if w.end_date and w.end_date != w.start_date:
        return f"{w.start_date.month}月{w.start_date.day}日—{w.end_date.month}月{w.end_date.day}日"
    return f"{w.start_date.year}年{w.start_date.month}月{w.start_date.day}日"


def next_step(app: Application, day: date) -> NextStep:
    """What the teacher has to do next, and by when (said in plain Chinese)."""
    r = app.round
    application, confirmation, review = r.window(Phase.APPLICATION), r.window(Phase.CONFIRMATION), r.window(
        Phase.INITIAL_REVIEW)
    state = State(app.state)
    if state == State.DRAFT:
        end = application.end_date if application else None
        until = f"网上报名截止：{end.year}年{end.month}月{end.day}日" if end else ""
        return NextStep("完成各步填报，核对无误后提交申请。", until)
    if state == State.SUBMITTED:
        return NextStep("打印《申请表》一式2份，携带证书、聘用合同、培训证明等材料到学校注册管理员处现场确认。",
                        f"{PHASE_LABELS[Phase.CONFIRMATION]}：{_span(confirmation)}" if confirmation else "")
    if state == State.RETURNED:
        return NextStep(f"学校退回了申请：{app.return_reason}。请按要求修改后重新提交。",
                        f"最迟在{PHASE_LABELS[Phase.CONFIRMATION]}结束前：{_span(confirmation)}" if confirmation else "")
    if state == State.CONFIRMED:
        return NextStep("学校已现场确认。等待区县初审，结论将在公示后告知。",
                        f"{PHASE_LABELS[Phase.INITIAL_REVIEW]}：{_span(review)}" if review else "")
    if state == State.ABANDONED:
        return NextStep("未在规定时间内完成现场确认，视为自动放弃本年度注册。可在下一年度再次申请。")
    if state in (State.REVIEWED, State.PUBLISHED):
        notice = r.window(Phase.NOTICE)
        return NextStep("区县已完成初审，初审结论将在公示期内公开。",
                        f"{PHASE_LABELS[Phase.NOTICE]}：{_span(notice)}" if notice else "")
    if state in (State.REPORTED, State.CITY_RETURNED):
        final = r.window(Phase.FINAL_REVIEW)
        return NextStep("初审结论已上报市级，等待复审和终审。",
                        f"{PHASE_LABELS[Phase.FINAL_REVIEW]}：{_span(final)}" if final else "")
    if state == State.FINAL:
        registration = app.teacher.registrations.filter(year=r.year).first()
        if app.conclusion == "qualified" and registration and registration.valid_until:
            return NextStep(f"注册结论：合格。注册有效期至 {registration.valid_until.year}年{registration.valid_until.month}月"
                            f"{registration.valid_until.day}日。区教委将在证书注册页粘贴注册贴并盖章。")
        if app.conclusion == "deferred":
            return NextStep(f"注册结论：暂缓注册（{app.conclusion_reason}）。达到注册条件后，可在以后年度重新申请注册，"
                            "届时按“暂缓后再次申请”办理。")
        return NextStep(f"注册结论：{app.get_conclusion_display()}（{app.conclusion_reason}）。")
    return NextStep("")


def status_context(app: Application, day: date) -> dict:
    evaluation = app.evaluation or {}
    return {
        "next": next_step(app, day),
        "materials": materials_for(evaluation.get("kind"), new_teacher=app.teacher.new_teacher),
        "events": list(app.events.select_related("actor").order_by("-ts", "-id")[:50]),
        "evaluation": evaluation,
    }
