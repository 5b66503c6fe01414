"""Every code the engine can emit, with its Chinese title and the clause behind it.

One table serves the engine (clauses in the output), the pages (labels for scope reasons) and the tests
that keep ``docs/rules.md`` complete.
"""

from __future__ import annotations

from dataclasses import dataclass

NATIONAL = "《中小学教师资格定期注册暂行办法》（教师〔2013〕9号）"
SEED = "《关于开展2023年中小学教师资格定期注册工作的通知》（黔江教办〔2023〕155号）"
REGULATION = "《教师资格条例》"
GB11643 = "《公民身份号码》（GB 11643—1999）"


@dataclass(frozen=True)
class Code:
    code: str
    title: str  # short Chinese label, for lists and filters
    clause: str
    outcome: str | None = None  # for reasons: the conclusion the code proposes


ERRORS: dict[str, Code] = {
    c.code: c
    for c in (
        Code("ID_FORMAT", "身份证号码格式错误", f"{GB11643}5.1（号码的结构）"),
        Code("ID_CHECKSUM", "身份证号码校验位错误", f"{GB11643}5.5（校验码，ISO 7064 MOD 11-2）"),
        Code("ID_BIRTHDATE", "身份证号码出生日期错误", f"{GB11643}5.3（出生日期码）"),
        Code("CERT_FORMAT", "教师资格证书号码格式错误", "教师资格证书编号规则（17 位；旧版 15 位）"),
        Code("CERT_TYPE", "教师资格证书种类代码错误", "教师资格证书编号规则（第 10 位为资格种类 1–7）"),
        Code("CERT_YEAR", "教师资格证书认定年度错误", "教师资格证书编号规则（前 4 位为认定年度）"),
    )
}

WARNINGS: dict[str, Code] = {
    "GENDER_MISMATCH": Code(
        "GENDER_MISMATCH",
        "身份证与证书性别不一致",
        f"{GB11643}5.4（顺序码奇数为男性）；教师资格证书编号规则（第 11 位 1 男 0 女）",
    ),
}

SCOPE_REASONS: dict[str, Code] = {
    c.code: c
    for c in (
        Code("OUT_HIGHER_ED_CERT", "高等学校教师资格不在本次注册范围", f"{SEED}一、注册对象（一）"),
        Code("OUT_OWNERSHIP", "行业办学校或未纳入的民办学校教师暂不注册", f"{SEED}一、注册对象（一）"),
        Code("OUT_NOT_IN_POST", "非在编在岗人员不参加注册", f"{SEED}一、注册对象（一）（二）；{NATIONAL}第七条第（二）项"),
        Code("OUT_NO_TEACHER_TITLE", "教育机构人员未聘任教师专业技术职务", f"{SEED}一、注册对象（二）"),
        Code("OUT_SPECIAL_POST", "未转正的特岗教师暂不注册", f"{SEED}一、注册对象（一）"),
        Code("OUT_NEW_TEACHER", "新入职教师试用期未满或岗前培训未完成", f"{SEED}一、注册对象（一）；{NATIONAL}第七条"),
        Code("OUT_LAST_UNQUALIFIED", "上次注册结论为不合格", f"{SEED}一、注册对象（一）（三）；{NATIONAL}第十条"),
        Code("OUT_NOT_DUE", "注册有效期未届满，本轮无需注册", f"{SEED}一、注册对象（一）；{NATIONAL}第三条（每 5 年一周期）"),
    )
}

REASONS: dict[str, Code] = {
    c.code: c
    for c in (
        Code("U1", "严重违反师德", f"{NATIONAL}第十条第（一）项", "unqualified"),
        Code("U2", "连续两年以上年度考核不合格", f"{NATIONAL}第十条第（二）项", "unqualified"),
        Code("U3", "教师资格被撤销或丧失", f"{NATIONAL}第十条第（三）项", "unqualified"),
        Code("D1", "培训学时不足", f"{NATIONAL}第九条第（一）项；{SEED}三（三）4", "deferred"),
        Code("D2", "未经批准中断教育教学工作超过一个学期", f"{NATIONAL}第九条第（二）项", "deferred"),
        Code("D3", "有一年年度考核不合格", f"{NATIONAL}第九条第（三）项", "deferred"),
        Code("R1", "师德有违规记录（非严重）", f"{NATIONAL}第八条第（一）项", "needs_review"),
        Code("R2", "年度考核为基本合格", f"{NATIONAL}第八条第（二）项", "needs_review"),
        Code("R3", "身心健康不能胜任", f"{NATIONAL}第八条第（四）项", "needs_review"),
        Code("R4", "缺少年度考核结果", f"{NATIONAL}第八条第（二）项；{SEED}三（三）5", "needs_review"),
        Code("R5", "教师资格与任教学段不符", f"{NATIONAL}第七条第（一）项；{REGULATION}第五条", "needs_review"),
    )
}

# Most severe first: the proposal is the most severe outcome among the reasons (qualified when none).
OUTCOME_ORDER = ("unqualified", "deferred", "needs_review", "qualified")
OUTCOME_LABELS = {
    "qualified": "合格",
    "deferred": "暂缓注册",
    "unqualified": "不合格",
    "needs_review": "需人工审核",
}
KIND_LABELS = {"first": "首次注册", "periodic": "定期注册", "reapply": "暂缓后重新申请"}


def severity(proposal: str) -> int:
    """0 for qualified up to 3 for unqualified; handy to compare proposals."""
    return len(OUTCOME_ORDER) - 1 - OUTCOME_ORDER.index(proposal)
