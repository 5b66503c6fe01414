"""Every code the engine can emit, with its Chinese title and the clause behind it.

One table serves the engine (clauses in the output), the pages (labels for scope reasons) and the tests
that keep ``docs/rules.md`` complete.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import gettext_noop

NATIONAL = "《中小学教师资格定期注册暂行办法》（教师〔2013〕9号）"  # i18n: data (legal citation, quoted as published)
SEED = "《关于开展2023年中小学教师资格定期注册工作的通知》（黔江教办〔2023〕155号）"  # i18n: data (legal citation, quoted as published)
REGULATION = "《教师资格条例》"  # i18n: data (legal citation, quoted as published)
GB11643 = "《公民身份号码》（GB 11643—1999）"  # i18n: data (legal citation, quoted as published)


@dataclass(frozen=True)
class Code:
    code: str
    title: str  # short Chinese label, for lists and filters
    clause: str
    outcome: str | None = None  # for reasons: the conclusion the code proposes


ERRORS: dict[str, Code] = {
    c.code: c
    for c in (
        Code("ID_FORMAT", gettext_noop("身份证号码格式错误"), f"{GB11643}5.1（号码的结构）"),  # i18n: data (legal citation, quoted as published)
        Code("ID_CHECKSUM", gettext_noop("身份证号码校验位错误"), f"{GB11643}5.5（校验码，ISO 7064 MOD 11-2）"),  # i18n: data (legal citation, quoted as published)
        Code("ID_BIRTHDATE", gettext_noop("身份证号码出生日期错误"), f"{GB11643}5.3（出生日期码）"),  # i18n: data (legal citation, quoted as published)
        Code("CERT_FORMAT", gettext_noop("教师资格证书号码格式错误"), "教师资格证书编号规则（17 位；旧版 15 位）"),  # i18n: data (legal citation, quoted as published)
        Code("CERT_TYPE", gettext_noop("教师资格证书种类代码错误"), "教师资格证书编号规则（第 10 位为资格种类 1–7）"),  # i18n: data (legal citation, quoted as published)
        Code("CERT_YEAR", gettext_noop("教师资格证书认定年度错误"), "教师资格证书编号规则（前 4 位为认定年度）"),  # i18n: data (legal citation, quoted as published)
    )
}

WARNINGS: dict[str, Code] = {
    "GENDER_MISMATCH": Code(
        "GENDER_MISMATCH",
        gettext_noop("身份证与证书性别不一致"),
        f"{GB11643}5.4（顺序码奇数为男性）；教师资格证书编号规则（第 11 位 1 男 0 女）",  # i18n: data (legal citation, quoted as published)
    ),
}

SCOPE_REASONS: dict[str, Code] = {
    c.code: c
    for c in (
        Code("OUT_HIGHER_ED_CERT", gettext_noop("高等学校教师资格不在本次注册范围"), f"{SEED}一、注册对象（一）"),  # i18n: data (legal citation, quoted as published)
        Code("OUT_OWNERSHIP", gettext_noop("行业办学校或未纳入的民办学校教师暂不注册"), f"{SEED}一、注册对象（一）"),  # i18n: data (legal citation, quoted as published)
        Code("OUT_NOT_IN_POST", gettext_noop("非在编在岗人员不参加注册"), f"{SEED}一、注册对象（一）（二）；{NATIONAL}第七条第（二）项"),  # i18n: data (legal citation, quoted as published)
        Code("OUT_NO_TEACHER_TITLE", gettext_noop("教育机构人员未聘任教师专业技术职务"), f"{SEED}一、注册对象（二）"),  # i18n: data (legal citation, quoted as published)
        Code("OUT_SPECIAL_POST", gettext_noop("未转正的特岗教师暂不注册"), f"{SEED}一、注册对象（一）"),  # i18n: data (legal citation, quoted as published)
        Code("OUT_NEW_TEACHER", gettext_noop("新入职教师试用期未满或岗前培训未完成"), f"{SEED}一、注册对象（一）；{NATIONAL}第七条"),  # i18n: data (legal citation, quoted as published)
        Code("OUT_LAST_UNQUALIFIED", gettext_noop("上次注册结论为不合格"), f"{SEED}一、注册对象（一）（三）；{NATIONAL}第十条"),  # i18n: data (legal citation, quoted as published)
        Code("OUT_NOT_DUE", gettext_noop("注册有效期未届满，本轮无需注册"), f"{SEED}一、注册对象（一）；{NATIONAL}第三条（每 5 年一周期）"),  # i18n: data (legal citation, quoted as published)
    )
}

REASONS: dict[str, Code] = {
    c.code: c
    for c in (
        Code("U1", gettext_noop("严重违反师德"), f"{NATIONAL}第十条第（一）项", "unqualified"),  # i18n: data (legal citation, quoted as published)
        Code("U2", gettext_noop("连续两年以上年度考核不合格"), f"{NATIONAL}第十条第（二）项", "unqualified"),  # i18n: data (legal citation, quoted as published)
        Code("U3", gettext_noop("教师资格被撤销或丧失"), f"{NATIONAL}第十条第（三）项", "unqualified"),  # i18n: data (legal citation, quoted as published)
        Code("D1", gettext_noop("培训学时不足"), f"{NATIONAL}第九条第（一）项；{SEED}三（三）4", "deferred"),  # i18n: data (legal citation, quoted as published)
        Code("D2", gettext_noop("未经批准中断教育教学工作超过一个学期"), f"{NATIONAL}第九条第（二）项", "deferred"),  # i18n: data (legal citation, quoted as published)
        Code("D3", gettext_noop("有一年年度考核不合格"), f"{NATIONAL}第九条第（三）项", "deferred"),  # i18n: data (legal citation, quoted as published)
        Code("R1", gettext_noop("师德有违规记录（非严重）"), f"{NATIONAL}第八条第（一）项", "needs_review"),  # i18n: data (legal citation, quoted as published)
        Code("R2", gettext_noop("年度考核为基本合格"), f"{NATIONAL}第八条第（二）项", "needs_review"),  # i18n: data (legal citation, quoted as published)
        Code("R3", gettext_noop("身心健康不能胜任"), f"{NATIONAL}第八条第（四）项", "needs_review"),  # i18n: data (legal citation, quoted as published)
        Code("R4", gettext_noop("缺少年度考核结果"), f"{NATIONAL}第八条第（二）项；{SEED}三（三）5", "needs_review"),  # i18n: data (legal citation, quoted as published)
        Code("R5", gettext_noop("教师资格与任教学段不符"), f"{NATIONAL}第七条第（一）项；{REGULATION}第五条", "needs_review"),  # i18n: data (legal citation, quoted as published)
    )
}

# Most severe first: the proposal is the most severe outcome among the reasons (qualified when none).
OUTCOME_ORDER = ("unqualified", "deferred", "needs_review", "qualified")
OUTCOME_LABELS = {
    "qualified": gettext_noop("合格"),
    "deferred": gettext_noop("暂缓注册"),
    "unqualified": gettext_noop("不合格"),
    "needs_review": gettext_noop("需人工审核"),
}
KIND_LABELS = {"first": gettext_noop("首次注册"), "periodic": gettext_noop("定期注册"), "reapply": gettext_noop("暂缓后重新申请")}


def severity(proposal: str) -> int:
    """0 for qualified up to 3 for unqualified; handy to compare proposals."""
    return len(OUTCOME_ORDER) - 1 - OUTCOME_ORDER.index(proposal)
