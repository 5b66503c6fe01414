"""What the help pages say (帮助), per role: the steps of a round, the materials, the rules, the photo, the FAQ.

Plain data with Chinese msgids, so the pages and the API read the same text and the English catalogue can
translate it. Numbers that a round may change (360 hours, one semester, the notice period) are placeholders
filled from the round (`%(hours)s` …) by `tqr.help.selectors`; the defaults are those of docs/rules.md.
The rules are retold from docs/rules.md in plain words; the materials follow tqr.rules.materials (the names
the rest of the product uses), the photo limits follow tqr.documents.photos.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tqr.rules.phases import Phase

# --- Roles -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    short: str  # for the switcher between the pages
    intro: str


GUIDES: dict[str, Guide] = {g.slug: g for g in (
    Guide("teacher", _("教师（申请人）帮助"), _("教师（申请人）"),
          _("本页写给参加教师资格定期注册的教师：什么时候做什么、要准备哪些材料、照片怎么拍、结论是怎么来的。")),
    Guide("school", _("学校注册管理员帮助"), _("学校注册管理员"),
          _("本页写给各学校的注册管理员：组织本校教师报名、现场确认、出具证明、报送材料和统计表。")),
    Guide("district", _("区县审核人员帮助"), _("区县审核人员"),
          _("本页写给区县（区教委、区继教中心）的工作人员：发布通知、初审、公示、上报、登记结论和归档。")),
    Guide("city", _("市级复审、终审人员帮助"), _("市级复审、终审人员"),
          _("本页写给市教师资格认定指导中心（复审）和市教委（终审）的工作人员：随机抽查和终审。")),
    Guide("public", _("教师资格定期注册帮助"), _("公众"),
          _("中小学、幼儿园等学校的在编在岗教师，每5年要对教师资格进行一次定期注册。"
            "本页介绍注册的流程、材料和规则；公示和注册状态查询不需要登录。")),
)}
ROLE_SLUGS = tuple(GUIDES)

# --- The nine steps --------------------------------------------------------------------------------------

# Marked copies of tqr.rules.phases.PHASE_LABELS (the rules package imports no Django).
PHASE_NAMES: dict[Phase, str] = {
    Phase.TRAINING: _("注册管理员培训"),
    Phase.APPLICATION: _("网上报名"),
    Phase.CONFIRMATION: _("现场确认"),
    Phase.INITIAL_REVIEW: _("初审"),
    Phase.NOTICE: _("公示"),
    Phase.SECONDARY_REVIEW: _("复审（随机抽查）"),
    Phase.FINAL_REVIEW: _("终审"),
    Phase.RECORDING: _("登记注册结论"),
    Phase.ARCHIVING: _("资料归档"),
}
PHASE_WHO: dict[Phase, str] = {
    Phase.TRAINING: _("区县、学校"),
    Phase.APPLICATION: _("教师"),
    Phase.CONFIRMATION: _("学校"),
    Phase.INITIAL_REVIEW: _("区县"),
    Phase.NOTICE: _("区县"),
    Phase.SECONDARY_REVIEW: _("市级"),
    Phase.FINAL_REVIEW: _("市级"),
    Phase.RECORDING: _("区县"),
    Phase.ARCHIVING: _("区县"),
}

NOTHING_TO_DO = _("您无需操作。")

# What each role does in each step; "public" says what happens. Missing = NOTHING_TO_DO.
DUTIES: dict[Phase, dict[str, str]] = {
    Phase.TRAINING: {
        "public": _("区县组织培训；每所学校安排1名注册管理员参加，并加入工作交流群。"),
        "teacher": _("您无需操作。学校的注册管理员参加培训后，会通知并组织本校教师报名。"),
        "school": _("在系统中报送本校注册管理员（每校1名，姓名和手机号码），按通知的时间地点参加培训，加入工作交流群。"),
        "district": _("发布工作通知（文号、各环节时间、联系人、附件）；组织培训；在“注册管理员报送情况”中催促未报送的单位。"),
        "city": _("您无需操作；可查看各区县的工作通知和进度。"),
    },
    Phase.APPLICATION: {
        "public": _("教师登录系统网上报名：填写身份和证书信息、选择注册机构和现场确认点、上传照片，提交后打印《申请表》一式2份。"),
        "teacher": _("登录系统，按向导填写：阅读须知、承诺事项、身份信息、证书信息（与证书完全一致）、申请信息、照片，"
                     "核对后提交。提交后下载《教师资格定期注册申请表》，用A4纸打印一式2份。每一步都自动保存。"),
        "school": _("核对本校应注册名单（可导入教师信息），提醒还没报名的教师；报名期间就可以同时开始现场确认。"),
        "district": _("关注报名进度；在“数据交换”中导入继续教育学时和年度考核，供规则核对。"),
        "city": _("您无需操作。"),
    },
    Phase.CONFIRMATION: {
        "public": _("学校核对每位教师的材料原件，在复印件上加盖“与原件相符”章和学校公章，并在系统中确认；"
                    "逾期未现场确认的，视为自动放弃本次注册。"),
        "teacher": _("带齐下面的七项材料（原件和复印件），在截止日前交到学校（现场确认点）。"
                     "学校退回修改的，请按提示修改后重新提交。逾期未确认的，视为自动放弃本次注册。"),
        "school": _("逐人核对材料原件与复印件，在复印件上加盖“与原件相符”章和学校公章，在系统中点“现场确认通过”或“退回修改”；"
                    "出具考核鉴定表（附件2，第5、6、7项）；生成本校统计表（附件3），把材料报送区县。"
                    "截止日还没确认的申请，系统会按规定视为自动放弃。"),
        "district": _("查看各学校材料报送情况；安排各学校初审送审的时间。"),
        "city": _("您无需操作。"),
    },
    Phase.INITIAL_REVIEW: {
        "public": _("学校把材料和统计表送到区县；区县逐人审核，记录初审结论（合格、暂缓注册或不合格）。"),
        "teacher": _("您无需操作。可在“我的申请”查看进度。"),
        "school": _("按预约的时间，带本校全部注册材料和统计表（附件3）到区县送审；区县提出的问题及时补正。"),
        "district": _("对照原件和系统的规则建议，逐人记录初审结论和理由；系统只提建议，结论由您决定。生成全区统计表。"),
        "city": _("您无需操作；可阅读各区县的初审情况。"),
    },
    Phase.NOTICE: {
        "public": _("区县公示初审结论，不少于%(notice_days)s个工作日；公示中身份证号码只显示前6位和后4位。"
                    "对公示有异议的，可在公示期内通过公示页面提出。"),
        "teacher": _("在公示页面核对本人的初审结论；有异议的，在公示期内通过公示页面提出。"),
        "school": _("通知本校教师查看公示；配合区县核实异议。"),
        "district": _("发布公示（不少于%(notice_days)s个工作日）；逐条处理异议，必要时修改结论；公示期满后上报市级。"),
        "city": _("您无需操作；可查看各区县的公示。"),
    },
    Phase.SECONDARY_REVIEW: {
        "public": _("市教师资格认定指导中心随机抽查一部分申请人，审查其佐证材料。"),
        "teacher": _("您无需操作。如被抽中且材料需要核实，学校会通知您。"),
        "school": _("本校教师被抽中且需要补充材料的，按区县通知及时提供。"),
        "district": _("配合抽查；在“复审退回核实”中处理市级退回的申请，核实后重新上报。"),
        "city": _("复审人员：按设定的比例随机抽取样本（暂缓注册和不合格的默认全部抽查），逐人核对佐证材料，"
                  "记录是否相符；不相符的退回区县核实。不符比例高的，可扩大到该层全部。"),
    },
    Phase.FINAL_REVIEW: {
        "public": _("市教委对注册结论进行终审，终审通过后结论生效。"),
        "teacher": _("您无需操作。"),
        "school": _("您无需操作。"),
        "district": _("等待终审；终审通过后进入登记。"),
        "city": _("终审人员：确认复审已完成后，对各区县上报的注册结论进行终审。"),
    },
    Phase.RECORDING: {
        "public": _("区县在教师资格证书的注册页粘贴“注册贴”或直接标注注册结论，并加盖区教委公章。"),
        "teacher": _("按学校通知交回或领取教师资格证书；注册结果也可以在“注册状态查询”中查到。"),
        "school": _("收集、送交本校教师的证书，登记后领回发给教师。"),
        "district": _("打印注册贴，在证书注册页粘贴或标注结论，加盖区教委公章，在系统中标记完成。"),
        "city": _("您无需操作。"),
    },
    Phase.ARCHIVING: {
        "public": _("《申请表》注册机构意见栏加盖结论章，一份存入教师人事档案，一份由区县归档。"),
        "teacher": _("您无需操作。"),
        "school": _("把退回学校的一份《申请表》放入教师人事档案。"),
        "district": _("在两份《申请表》上加盖注册结论章，一份转入教师人事档案，一份归档；按全国系统的格式导出注册结论。"),
        "city": _("您无需操作。"),
    },
}

# --- The seven materials (黔江教办〔2023〕155号 三（三）; names as in tqr.rules.materials) ------------------


@dataclass(frozen=True)
class MaterialHelp:
    number: int
    title: str
    detail: str
    issued_by_school: bool = False


MATERIALS: tuple[MaterialHelp, ...] = (
    MaterialHelp(1, _("《教师资格定期注册申请表》"), _("一式2份。网上报名提交后在系统中下载，用A4纸打印。")),
    MaterialHelp(2, _("教师资格证书"), _("原件及复印件1份。")),
    MaterialHelp(3, _("聘用合同"), _("任教学校或主管部门的聘用合同，原件及复印件1份。")),
    MaterialHelp(4, _("培训证明"), _("定期注册：5年注册有效期内不少于%(hours)s培训学时的教师培训学分证明，或等量学分的参训证明；"
                                   "新入职教师首次注册：新任教师培训合格证明。")),
    MaterialHelp(5, _("考核证明"), _("定期注册：5年有效期内每年的年度考核证明；首次注册：上一年的年度考核证明；"
                                   "新入职教师：学校出具的试用期满考核证明。"), issued_by_school=True),
    MaterialHelp(6, _("师德表现证明"), _("由学校统一出具。"), issued_by_school=True),
    MaterialHelp(7, _("身心健康证明"), _("不要求统一体检，由学校根据近年体检情况出具能够胜任教育教学工作的证明。"),
                 issued_by_school=True),
)
MATERIALS_NOTE = _("第5、6、7项由学校为每位教师各出具一份，使用考核鉴定表（附件2）。复印件由学校核对原件后加盖“与原件相符”章和学校公章。")

# --- The rules in plain words (docs/rules.md) --------------------------------------------------------------


@dataclass(frozen=True)
class RuleSection:
    key: str
    title: str
    intro: str
    points: tuple[str, ...]


RULES: tuple[RuleSection, ...] = (
    RuleSection("who", _("谁要参加本轮注册"), _("下列人员在本轮注册："), (
        _("公办幼儿园、中小学、中等职业学校、特殊教育学校的在编在岗教师，从未注册过（首次注册）或5年注册有效期届满（定期注册）。"),
        _("新入职教师：试用期满、完成岗前培训且考核合格后注册。"),
        _("电大、教师发展中心、督学责任区等单位从事教育教学工作、并聘任了教师专业技术职务的在编在岗人员。"),
        _("上次结论为“暂缓注册”、现在已达到注册条件的人员。"),
        _("借调教师在借出单位（原单位）注册。"),
    )),
    RuleSection("not_now", _("谁这一轮不用（或暂不）注册"), _("系统按下面的顺序检查，符合任意一条就不在本轮注册范围，并显示原因："), (
        _("持高等学校教师资格证书的。"),
        _("行业办学校的教师；民办学校教师（本轮设置为包含民办学校的除外）。"),
        _("不在编或不在岗的。"),
        _("电大、教师发展中心、督学责任区的人员，没有聘任教师专业技术职务的。"),
        _("特岗教师还没有转正的。"),
        _("新入职教师试用期考核未通过，或岗前培训未完成的。"),
        _("上次注册结论为“不合格”的。"),
        _("上次注册“合格”，到本轮网上报名开始日一年后的同一天仍在有效期内的（下一轮再注册）。"),
    )),
    RuleSection("kinds", _("注册类型和注册单位"), "", (
        _("首次注册：从来没有注册过。"),
        _("定期注册：上次注册结论为“合格”，有效期即将届满。"),
        _("暂缓后重新申请：上次结论为“暂缓注册”，本轮重新申请。"),
        _("一般在本人任教的单位注册；借调教师在借出单位注册。持有多本证书的，注册与现任岗位（学段、学科）相符的一本。"),
    )),
    RuleSection("qualified", _("合格的条件"), _("同时满足下列条件，结论为“合格”："), (
        _("遵守法律和教师职业道德规范，师德考核合格。"),
        _("注册有效期内每年的年度考核都在“合格”及以上。"),
        _("5年内培训累计不少于%(hours)s学时（或等量学分）。首次注册不看学时。"),
        _("身体和心理健康，能胜任教育教学工作。"),
        _("所持资格证书与任教学段相符：证书可以在本级及以下学段任教（幼儿园＜小学＜初中＜高中），"
          "中等职业学校与高级中学资格相互通用，中职实习指导资格只能担任实习指导教师。"),
    )),
    RuleSection("deferred", _("什么情况下“暂缓注册”"), _("有下列情况之一的，结论为“暂缓注册”："), (
        _("5年内培训学时不足%(hours)s学时（定期注册和重新申请时）。"),
        _("中断教育教学工作超过一个学期（%(semester_days)s天），且未经批准。经批准的进修、培训、学术交流、病假、产假等不算中断。"),
        _("有效期内有一年年度考核“不合格”。"),
        _("暂缓注册不是不合格：补足条件（如补够学时）后，可以在以后的注册年度重新申请。"),
    )),
    RuleSection("unqualified", _("什么情况下“不合格”"), _("有下列情况之一的，结论为“不合格”："), (
        _("严重违反教师职业道德规范、影响恶劣的。"),
        _("有效期内连续两年或以上年度考核“不合格”的。"),
        _("教师资格已被依法撤销或丧失的。"),
        _("三种结论中，“不合格”最重，其次“暂缓注册”，再次“合格”；有几条原因时取最重的一种。"),
    )),
    RuleSection("years", _("看哪几年的年度考核"), "", (
        _("定期注册、暂缓后重新申请：看注册年度之前的5个自然年（如%(year)s年看%(first_year)s—%(last_year)s年）。"),
        _("首次注册：看注册年度的上一年。新入职教师以试用期满考核代替。"),
        _("应看的年份缺少考核结果的，由审核人员核实后决定。"),
    )),
    RuleSection("system", _("系统怎样帮助审核"), "", (
        _("系统会按规定对每份申请“过一遍规则”，给出建议结论，并写明依据的条款和具体数字。"),
        _("系统只提建议，结论由区县审核人员对照原件决定，理由会被记录。"),
        _("公示期不少于%(notice_days)s个工作日，按国务院公布的放假安排计算，调休上班的周末算工作日。"),
        _("公示和所有对外材料中，身份证号码只显示前6位和后4位，例如 500114********123X。"),
    )),
)

# Reviewers see the rule codes the system shows beside its suggestion.
RULE_CODES: tuple[tuple[str, str], ...] = (
    ("U1", _("师德严重违规 → 不合格")),
    ("U2", _("连续两年或以上年度考核不合格 → 不合格")),
    ("U3", _("资格已撤销或丧失 → 不合格")),
    ("D1", _("培训学时不足 → 暂缓注册")),
    ("D2", _("未经批准中断教学超过一学期 → 暂缓注册")),
    ("D3", _("有一年年度考核不合格 → 暂缓注册")),
    ("R1", _("师德有违规记录但未认定为严重 → 需人工审核")),
    ("R2", _("有“基本合格”的年度 → 需人工审核")),
    ("R3", _("身心健康证明显示不能胜任 → 需人工审核")),
    ("R4", _("应看的年份缺少考核结果 → 需人工审核")),
    ("R5", _("资格种类与任教学段不符 → 需人工审核")),
)

# --- The photo (tqr.documents.photos: the limits below are the code's) ------------------------------------


@dataclass(frozen=True)
class PhotoExample:
    file: str  # under static/help/
    good: bool
    title: str
    why: str


PHOTO_RULES: tuple[str, ...] = (
    _("近6个月内的正面免冠彩色照片，白色背景，头部居中、端正，露出双耳和眉毛。"),
    _("JPG 或 PNG 格式，手机拍摄即可，文件不超过 %(max_mb)s MB。苹果手机的 HEIC 格式不能上传：请在相机设置中选择“兼容性最佳”，或截图后上传。"),
    _("清晰度至少 %(min_w)s×%(min_h)s 像素。系统会自动裁剪为 5:7 竖版（%(out_w)s×%(out_h)s 像素），压缩到 %(max_kb)s KB 以内；上传时可以拖动方框选择头像范围。"),
    _("背景不是白色时，系统会提示“照片背景应为白色”，请换一张重新上传。"),
)

PHOTO_EXAMPLES: tuple[PhotoExample, ...] = (
    PhotoExample("photo-good.png", True, _("合格"), _("白色背景，正面端正，头部完整居中，肩部露出，光线均匀。")),
    PhotoExample("photo-bad-dark.png", False, _("背景太暗"), _("背景须为白色；深色或彩色背景会被提示，打印后也不清楚。")),
    PhotoExample("photo-bad-tilted.png", False, _("头部歪斜"), _("须正面端正，不要侧脸、歪头或把手机拿斜。")),
    PhotoExample("photo-bad-small.png", False, _("分辨率太低"), _("照片太小或太模糊；小于 %(min_w)s×%(min_h)s 像素的照片会被拒绝。")),
    PhotoExample("photo-bad-cropped.png", False, _("头部被裁掉"), _("头顶和下巴都要完整，上方留一点空白；裁剪框不要切到头部。")),
    PhotoExample("photo-bad-far.png", False, _("人离得太远"), _("头部太小，看不清面部；请靠近一些，让头部占照片高度的一半左右。")),
)

# --- FAQ ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    question: str
    answer: str
    roles: frozenset[str]


ALL = frozenset(ROLE_SLUGS)
APPLICANT_SIDE = frozenset({"teacher", "school", "public"})
REVIEWERS = frozenset({"district", "city"})

FAQ: tuple[Question, ...] = (
    Question("password", _("忘记密码怎么办？"),
             _("在登录页点“忘记密码？”，填写注册时的电子邮箱，按邮件中的链接设置新密码（链接有时效，同一邮箱每分钟最多发一封）。"
               "邮箱已不能使用的，请联系本校注册管理员或区县工作人员。所以注册账号时一定要填写真实、常用的邮箱。"),
             ALL),
    Question("id_checksum", _("身份证号码提示“校验码不对”？"),
             _("身份证号码最后一位是按前17位算出来的校验码，提示不对，多半是某一位抄错或顺序颠倒了，请对照身份证逐位核对。"
               "最后一位是 X 的，大写小写都可以；全角数字、空格和连字符系统会自动去掉。出生日期（第7—14位）不存在的也会被提示。"),
             APPLICANT_SIDE),
    Question("certificate", _("证书号码怎么填？只有15位怎么办？"),
             _("照证书内页填写，新版证书17位：认定年度4位＋省份代码2位（重庆50）＋认定机构3位＋资格种类1位＋性别1位＋流水号6位。"
               "2001年前后的旧版证书是15位，系统只检查位数，资格种类需要另外选择。"
               "如果提示证书上的性别与身份证不一致，只是提醒核对，不影响提交。"),
             APPLICANT_SIDE),
    Question("photo_rejected", _("照片上传不了或被拒绝？"),
             _("看页面上的提示：不是 JPG 或 PNG 格式（如 HEIC、PDF、Word 文件）、文件超过 %(max_mb)s MB、"
               "分辨率低于 %(min_w)s×%(min_h)s 像素、文件损坏，都会被拒绝。用手机重新拍一张白色背景的正面照最简单；"
               "苹果手机请在相机设置“格式”中选择“兼容性最佳”。"),
             APPLICANT_SIDE),
    Question("missed", _("错过了报名或现场确认时间怎么办？"),
             _("按通知规定，逾期未进行现场确认的学校或教师，视为自动放弃本次注册，系统在截止日后自动处理，不能补报。"
               "请等下一个注册年度再申请；有特殊情况的，请及时联系区县工作人员。"),
             ALL),
    Question("deferred", _("结论是“暂缓注册”，接下来怎么办？"),
             _("暂缓注册说明有条件暂时不满足，例如培训学时不够、未经批准中断教学超过一学期、有一年年度考核不合格。"
               "把条件补足（如参加培训补够学时）后，可以在以后的注册年度重新申请（“暂缓后重新申请”）。"
               "具体安排请听从学校和区县的通知。"),
             ALL),
    Question("seconded", _("我是借调教师，在哪里注册？"),
             _("借调教师在借出单位（人事关系所在的原单位）注册：现场确认点选择借出单位，材料交给借出单位的注册管理员。"),
             APPLICANT_SIDE | {"district"}),
    Question("several", _("我有几本教师资格证书，注册哪一本？"),
             _("每人每轮只注册一本：选择与现在任教岗位（学段、学科）相符的那一本。"),
             APPLICANT_SIDE),
    Question("not_due", _("我的有效期还没到，这一轮要注册吗？"),
             _("上次注册合格、到本轮网上报名开始日一年后的同一天仍在有效期内的，这一轮不用注册，下一轮再注册。"
               "登录后首页会显示系统对您这一轮的判断和原因。"),
             APPLICANT_SIDE),
    Question("training", _("培训学时不够%(hours)s学时怎么办？"),
             _("定期注册时5年内培训学时不足%(hours)s学时，结论为暂缓注册。请尽快参加继续教育补足学时；学时以继续教育学分证明为准。"),
             APPLICANT_SIDE),
    Question("school_name", _("任教学校名称怎么填？"),
             _("填写法人机构全称，即学校公章上的名称，例如“重庆市黔江区城东街道中心小学校”，不要写“城东小学”这样的简称。"
               "系统中请从列表里选择。"),
             APPLICANT_SIDE),
    Question("returned", _("申请被学校“退回修改”了？"),
             _("登录后在“我的申请”查看退回原因，修改后点“修改后重新提交”。须在现场确认截止前重新提交并由学校确认。"),
             frozenset({"teacher", "school"})),
    Question("objection", _("对公示的结论有异议怎么办？"),
             _("公示期内打开公示页面，按页面说明提出异议（写明理由和联系方式）。区县会逐条核实处理，必要时修改结论。"),
             ALL),
    Question("lookup", _("怎样查询注册结果？"),
             _("打开“注册状态查询”页面，输入教师资格证书号码和持证人姓名即可查询，不需要登录。"),
             ALL),
    Question("proofs", _("考核鉴定表（附件2）和统计表（附件3）在哪里出具？"),
             _("在“本校名单与现场确认”中逐人或批量出具考核鉴定表；在“统计表与报送”中生成本校统计表，可下载 PDF 和 Excel。"),
             frozenset({"school"})),
    Question("suggestion", _("系统的建议和我的判断不一致怎么办？"),
             _("以您核实原件后的判断为准。系统列出了依据的条款和数字，方便核对；记录结论时写明理由，理由会被保存。"),
             REVIEWERS),
    Question("workdays", _("公示期的工作日怎么算？"),
             _("从公示开始日算起，开始日是工作日就算第1天；法定节假日不算，调休上班的周末算。"
               "还没有录入放假安排的年份，系统会提示先由系统管理员录入。"),
             frozenset({"district"})),
    Question("sample", _("复审抽查多少人？"),
             _("按本轮设置的抽查比例（默认10%%）在各层中随机抽取，暂缓注册和不合格的默认全部抽查；抽样记录了随机数种子，可以复核。"
               "某层发现的不符比例达到设定值时，可以扩大到该层全部。"),
             frozenset({"city", "district"})),
)
