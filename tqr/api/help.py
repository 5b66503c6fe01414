"""帮助 as JSON: the same content as the help pages (tqr.help.selectors), public like them."""

from __future__ import annotations

from datetime import date

from django.templatetags.static import static
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tqr.api.schemas import ErrorOut
from tqr.help import content
from tqr.help.selectors import help_context

router = Router(tags=["帮助（公开）"])


class HelpStepOut(Schema):
    number: int
    phase: str
    label: str
    who: str = Field(description="负责的一方")
    duty: str = Field(description="该角色在这一环节要做的事（public：这一环节做什么）")
    start: date | None
    end: date | None = Field(description="含当日；null 且有 start 表示开始后持续")
    place: str
    state: str = Field(description="now 进行中 / done 已结束 / 空")


class HelpMaterialOut(Schema):
    number: int
    title: str
    detail: str
    issued_by_school: bool


class HelpRuleOut(Schema):
    key: str
    title: str
    intro: str
    points: list[str]


class HelpRuleCodeOut(Schema):
    code: str
    text: str


class HelpPhotoOut(Schema):
    url: str
    good: bool
    title: str
    why: str


class HelpQuestionOut(Schema):
    key: str
    question: str
    answer: str


class HelpOut(Schema):
    role: str
    title: str
    intro: str
    round_id: int | None = Field(description="日期所属的注册年度：登录用户的本年度，其他人为最近的年度")
    round_title: str | None
    has_dates: bool
    steps: list[HelpStepOut]
    materials: list[HelpMaterialOut]
    materials_note: str
    rules: list[HelpRuleOut]
    rule_codes: list[HelpRuleCodeOut]
    photo_rules: list[str]
    photo_examples: list[HelpPhotoOut]
    faq: list[HelpQuestionOut]


@router.get("/help/{role}", auth=None, response={200: HelpOut, 404: ErrorOut}, url_name="help",
            summary="某一角色的帮助：流程和日期、七项材料、注册规则、照片要求、常见问题（公开，无需登录）",
            description="role：teacher 教师、school 学校注册管理员、district 区县、city 市级、public 公众。")
def help_for_role(request, role: str):
    if role not in content.GUIDES:
        return Status(404, {"detail": _("没有这个角色的帮助")})
    c = help_context(request.user, role)
    guide, round_ = c["guide"], c["round"]
    return {
        "role": guide.slug, "title": str(guide.title), "intro": str(guide.intro),
        "round_id": round_.pk if round_ else None, "round_title": round_.title if round_ else None,
        "has_dates": c["has_dates"],
        "steps": [{"number": s.number, "phase": s.phase.value, "label": s.label, "who": s.who, "duty": s.duty,
                   "start": s.start, "end": s.end, "place": s.place, "state": s.state} for s in c["steps"]],
        "materials": c["materials"], "materials_note": c["materials_note"], "rules": c["rules"],
        "rule_codes": [{"code": code, "text": text} for code, text in c["rule_codes"]],
        "photo_rules": c["photo_rules"],
        "photo_examples": [{"url": static(f"help/{e['file']}"), "good": e["good"], "title": e["title"],
                            "why": e["why"]} for e in c["photo_examples"]],
        "faq": c["faq"],
    }
