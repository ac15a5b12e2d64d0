"""Every text a citizen reads that Rasa's domain does not hold: emergencies, legal routes, the
work order's news, the channels' own notes (WeChat, uploads, limits).

Everything here is calm, plain Simplified Chinese in short sentences, the most important action
first. No number is ever made up: emergency numbers are national (110/119/120/122/96110 and the
legal and discipline lines 12348/12388), and a city's utility lines come from its profile; when
the profile does not know one, the citizen is told where to find it.
"""

from __future__ import annotations

from bot.language.emergency import Emergency
from bot.language.emergency.urgent import URGENT_LABELS
from bot.language.scope import ROUTE_NAMES as SCOPE_ROUTE_NAMES
from bot.language.scope import OutOfScope
from bot.profile import Profile

RECORDED = "我们已同步记录并通知热线值班人员。"
NOT_RECORDED = "在线留言不能代替紧急电话，请现在就拨打。"

# For the agents' screens.
EMERGENCY_KIND_NAMES: dict[str, str] = {
    "fire": "火情/爆炸",
    "gas": "燃气泄漏",
    "lift": "电梯困人",
    "medical": "急病/受伤",
    "self_harm": "自伤/轻生",
    "violence": "暴力/治安警情",
    "missing_person": "人员走失",
    "domestic_violence": "家庭暴力",
    "fraud": "诈骗",
    "traffic": "交通事故",
    "traffic_injury": "交通事故（有人受伤）",
    "disaster": "灾害/坍塌/被困",
}


# ------------------------------------------------------------------------ emergencies

_STEPS: dict[str, list[str]] = {
    "fire": [
        "马上离开，走楼梯，千万不要乘电梯。",
        "用湿毛巾捂住口鼻，弯腰低姿撤离，出门后随手关门。",
        "如果门把手发烫或楼道里全是烟，不要开门，用湿布堵住门缝，到窗口或阳台呼救。",
        "打电话时说清地址、什么东西着火、有没有人被困。",
    ],
    "lift": [
        "保持冷静，电梯里有通风，不会缺氧。",
        "按电梯里的警铃或对讲按钮，也可以拨打轿厢里张贴的救援电话。",
        "千万不要扒门，也不要从顶部爬出去，背靠轿厢壁站稳，等待救援。",
    ],
    "medical": [
        "摔伤、坠落或车祸的伤员不要随意搬动。",
        "昏迷但还有呼吸的，让他侧躺，清理口中异物，保持呼吸道通畅；没有呼吸的，按120调度员的指导做胸外按压。",
        "有出血的，用干净的布用力按住伤口。",
        "保持电话畅通，最好请人到楼下或路口接救护车。",
    ],
    "self_harm": [
        "如果是您自己有这样的念头：请现在就打电话，或马上告诉身边信任的人。您不是一个人，我们很在乎您。",
        "如果是别人：请尽量陪着他，不要让他一个人待着，语气平和，不要指责或刺激他。",
        "把药品、刀具、绳子等危险物品拿开；已经服药或受伤的，保留药瓶，告诉急救人员。",
    ],
    "violence": [
        "先离开危险的地方，到人多、安全的地方，或者锁好门待在屋里。",
        "不要和对方正面冲突，保护好自己最重要。",
        "不方便说话时，拨通110后可以小声说出地址，或保持通话让民警听到现场情况。",
        "尽量记住对方的样貌、衣着、车牌和离开的方向。",
    ],
    "domestic_violence": [
        "先到安全的地方：反锁房门，去邻居家，或到人多的地方。",
        "不方便说话时，拨通110后可以小声说出地址。",
        "有伤请及时就医，保留伤情照片、病历和聊天记录。之后可以申请人身安全保护令，也可以联系妇联12338。",
    ],
    "missing_person": [
        "马上报警，不用等24小时。",
        "告诉民警走失的时间、地点、穿着和长相特征，准备一张近照。",
        "同时请亲友在附近寻找，请商场、小区、车站的工作人员帮忙查监控、广播找人。",
        "留一个人在家里或原地等，手机保持畅通。",
    ],
    "fraud": [
        "马上联系银行（拨打银行卡背面的客服电话）冻结账户或紧急止付，越快越有可能追回。",
        "不要再转任何钱，不要再告诉对方验证码；关闭屏幕共享，卸载对方让您装的软件。",
        "保存好转账记录、聊天记录、对方的账号和电话，报警时交给民警。",
    ],
    "traffic": [
        "打开危险报警闪光灯，在车后方放置三角警告牌（普通道路50米以外，高速公路150米以外）。",
        "人员撤到路边护栏外等安全的地方，不要站在车道上。",
        "拍照留存现场，记下对方车牌；对方逃逸的，记住车牌、车型和逃跑方向。",
    ],
    "traffic_injury": [
        "打开危险报警闪光灯，在车后方放置三角警告牌，人员撤到护栏外等安全的地方。",
        "不要随意移动伤员（除非有起火等危险），有出血的用干净的布按住伤口。",
        "拍照留存现场，记下对方车牌；对方逃逸的，记住车牌、车型和逃跑方向。",
    ],
    "disaster": [
        "迅速离开危险区域，远离倒塌的房屋、陡坡、河道、深水和掉落的电线。",
        "被困时尽量待在高处，保存体力，用手机、敲击或颜色鲜艳的衣物发出求救信号。",
        "不要贸然涉水或进入倒塌的建筑救人，等待专业救援。",
    ],
}


def _number_list(numbers: tuple[str, ...]) -> str:
    if len(numbers) <= 1:
        return "".join(numbers)
    return "、".join(numbers[:-1]) + "和" + numbers[-1]


def _gas_steps(em: Emergency) -> list[str]:
    steps = [
        "不要开关电灯和电器，不要点火，也不要在屋里打电话。",
        "轻轻打开门窗通风，能做到的话关闭燃气总阀。",
        "马上离开到室外，在室外再打电话。",
    ]
    if "120" in em.numbers:
        steps.append("有人头晕、昏迷的，把他转移到空气新鲜的地方，不要自己再回到屋里。")
    return steps


def _gas_company_line(profile: Profile) -> str:
    """The gas company's line from the profile, or where to find it: never a made-up number."""
    gas_line = (profile.utility_lines or {}).get("gas")
    if gas_line:
        return f"到室外后，也请拨打燃气公司抢修电话{gas_line}。"
    return "到室外后，也请联系燃气公司的24小时抢修电话，号码印在燃气缴费单、燃气卡或燃气表上。"


def _medical_steps(em: Emergency) -> list[str]:
    matched = em.matched
    if any(w in matched for w in ("煤气", "燃气", "一氧化碳", "煤烟", "熏")):
        return [
            "马上打开门窗通风，不要开关电器，不要点火。",
            "把人转移到空气新鲜的地方，解开衣领，让他侧躺，保持呼吸道通畅。",
            "没有呼吸的，按120调度员的指导做胸外按压。",
        ]
    if any(w in matched for w in ("水", "河", "湖", "江", "海", "井", "池", "淹", "沟")):
        return [
            "不要贸然下水救人，可以向落水的人抛救生圈、绳子、木板或竹竿。",
            "救上来后清理口鼻异物；没有呼吸的，按120调度员的指导做心肺复苏。",
            "给他保暖，派人到路口接救援人员。",
        ]
    if any(w in matched for w in ("噎", "卡", "喉咙", "嗓子", "气管")):
        return [
            "还能咳嗽的，鼓励他用力咳嗽。",
            "不能说话、不能呼吸的，从背后抱住他，一手握拳放在肚脐上方，另一手包住拳头，快速向内向上冲击。",
            "一岁以下的婴儿，让他趴在您前臂上，头低一些，拍背五次。",
        ]
    if any(w in matched for w in ("电", "触")):
        return [
            "先断开电源（拉下电闸），或用干燥的木棍、塑料物品把电线挑开，千万不要直接用手拉人。",
            "没有呼吸的，按120调度员的指导做胸外按压。",
            "保持电话畅通，请人到路口接救护车。",
        ]
    return list(_STEPS["medical"])


def emergency_reply(em: Emergency, profile: Profile, recorded: bool = True) -> str:
    """The reply to an emergency: every number first, then what to do now, then, when the alert
    is on the duty desk (``recorded``), that the hotline's duty staff have it; otherwise only
    the plea to call now."""
    lines = [f"情况紧急，请立即拨打{_number_list(em.numbers)}。"]
    if em.kind == "gas":
        steps = _gas_steps(em)
    elif em.kind == "medical":
        steps = _medical_steps(em)
    elif em.kind == "fraud":
        steps = ["拨打110报警，也可以拨打96110反诈专线咨询。", *_STEPS["fraud"]]
    elif em.kind == "disaster" and "锁" in em.matched:
        steps = [
            "不要离开，一直守在旁边，和里面的人保持说话。",
            "天热时车里温度上升很快，情况危急、救援还没到时，可以砸开离人最远的一扇车窗。",
            "告诉119具体位置和被困的是谁（孩子、老人）。",
        ]
    else:
        steps = list(_STEPS.get(em.kind, _STEPS["violence"]))
        if "120" in em.numbers and em.kind in ("fire", "lift", "violence", "domestic_violence", "disaster"):
            steps = [*steps[:3], "有人受伤的，用干净的布按住出血的伤口，不要随意搬动伤员。"]
    lines.append("现在请这样做：")
    lines.extend(f"{i}. {step}" for i, step in enumerate(steps[:4], 1))
    if em.kind == "gas":
        lines.append(_gas_company_line(profile))
    lines.append(RECORDED if recorded else NOT_RECORDED)
    return "\n".join(lines)


_NUMBER_NAMES = {"110": "报警", "119": "火警和救援", "120": "急救", "122": "交通事故", "96110": "反诈专线"}


# The condition of the one-line answer to a possible emergency, per kind, with the one step that
# matters most before calling.
_POSSIBLE_IF: dict[str, str] = {
    "fire": "如果现在着火或冒烟，请马上离开，走楼梯不要乘电梯，并",
    "gas": "如果现在闻到燃气味，请不要开关电灯电器、不要点火，到室外后",
    "lift": "如果现在有人被困在电梯里，请按轿厢里的警铃，不要扒门，并",
    "medical": "如果现在有人昏迷、呼吸困难、剧烈疼痛或受伤，请",
    "violence": "如果您现在有危险，请先到安全的地方，再",
    "domestic_violence": "如果您现在有危险，请先到安全的地方，再",
    "missing_person": "如果现在有人走失或联系不上，不用等24小时，请",
    "fraud": "如果您刚刚给陌生人转了钱或告诉了验证码，请马上联系银行止付，并",
    "traffic": "如果现在发生了交通事故，请开启危险报警闪光灯、人员撤到安全处，并",
    "traffic_injury": "如果现在发生了交通事故、有人受伤，请不要随意搬动伤员，并",
    "disaster": "如果现在有人被困或有危险，请远离危险的地方，并",
}


# Telephone area codes of the places citizens name most (another city's 12345 from a mobile:
# the area code first).
AREA_CODES = {
    "沈阳": "024", "大连": "0411", "鞍山": "0412", "抚顺": "0413", "本溪": "0414", "丹东": "0415", "锦州": "0416",
    "营口": "0417", "阜新": "0418", "辽阳": "0419", "铁岭": "0410", "朝阳": "0421", "盘锦": "0427", "葫芦岛": "0429",
    "北京": "010", "上海": "021", "天津": "022", "重庆": "023", "长春": "0431", "哈尔滨": "0451", "石家庄": "0311",
    "济南": "0531", "青岛": "0532", "南京": "025", "杭州": "0571", "广州": "020", "深圳": "0755", "武汉": "027",
    "成都": "028", "西安": "029", "郑州": "0371", "长沙": "0731", "合肥": "0551", "福州": "0591", "厦门": "0592",
    "南昌": "0791", "太原": "0351", "呼和浩特": "0471", "南宁": "0771", "昆明": "0871", "贵阳": "0851", "兰州": "0931",
    "苏州": "0512", "无锡": "0510", "宁波": "0574", "唐山": "0315", "秦皇岛": "0335", "通辽": "0475", "赤峰": "0476",
    "潍坊": "0536", "烟台": "0535", "吉林": "0432", "四平": "0434", "通化": "0435", "齐齐哈尔": "0452", "大庆": "0459",
}


def possible_emergency_line(em: Emergency) -> str:
    """One conditional line, before the ordinary answer, when the message may be an emergency
    (the detectors disagree, or it is not clear that it is happening now). Never 「情况紧急」: that
    opening is for the full guidance."""
    numbers = [n for n in em.numbers if n in _NUMBER_NAMES] or ["110", "120"]
    named = "、".join(f"{n}（{_NUMBER_NAMES[n]}）" for n in numbers)
    condition = _POSSIBLE_IF.get(em.kind, "如果现在有人受伤或正处在危险中，请")
    return f"{condition}立即拨打{named}，不要等在线回复。"


# Urgent orders (bot/language/emergency/urgent.py): what each kind is called, and what the citizen is told.


def urgent_filed(kind: str, hours: int, unit: str | None) -> str:
    """After an urgent order is filed: it is not waiting in the ordinary queue."""
    label = URGENT_LABELS.get(kind, "紧急")
    to = f"已立即转派给{unit}" if unit else "已立即转交值班人员派单"
    safety = "如果有人被困、受伤或有危险，请马上拨打119或120。" if kind == "disaster" else ""
    return f"这件事按紧急诉求办理（{label}）：{to}，要求{hours}小时内处置。{safety}"


# What the desk records when the emergency action runs without an emergency in the words.
GENERIC_EMERGENCY = Emergency("unknown", ("110", "119", "120", "122"), "")


def emergency_generic_reply(profile: Profile, recorded: bool = True) -> str:
    """When the emergency action runs but the words name no emergency (a button, a story)."""
    return "\n".join(
        [
            "如果您或身边的人正面临危险，请马上拨打紧急电话：",
            "110 报警：人身安全受到威胁、打架、抢劫、诈骗、有人走失；",
            "119 火警和救援：着火、燃气泄漏、有人被困（电梯、洪水、倒塌）；",
            "120 急救：有人受伤、昏迷、呼吸困难、胸痛、中毒；",
            "122 交通事故报警。",
            RECORDED if recorded else NOT_RECORDED,
            f"如果不是紧急情况，请告诉我具体是什么事，我来帮您登记转办（{profile.hotline_name}）。",
        ]
    )


# ------------------------------------------------------------------------ out of scope

def _route_text(oos: OutOfScope, profile: Profile) -> tuple[str, str]:
    """(why the hotline cannot handle it, where to go instead) for one route."""
    route = oos.route
    if route == "litigation" and oos.private:
        return (
            "您说的是个人之间的民事纠纷，热线不能替一方追讨或裁断对错，派给政府部门也没法强制对方。",
            "可以先找社区（村）人民调解委员会或当地司法所免费调解，调解达成的协议有法律效力；"
            "经济困难或想问问怎么维权，可以拨打12348公共法律服务热线，符合条件的可以申请法律援助；"
            "调解不成，可以向人民法院起诉，金额不大的可以走小额诉讼程序。"
            "家庭赡养的事，也可以请社区、村委会或妇联出面调解。",
        )
    if route == "litigation":
        return (
            "您说的事需要通过诉讼途径解决，热线不能改变法院的判决、裁定，也不能代替法院处理。",
            "对判决、裁定不服的，可以在法定期限内向上一级人民法院上诉：判决一般是收到判决书之日起15日内，裁定是10日内。"
            "判决已经生效的，可以依法申请再审。要起诉的，请向有管辖权的人民法院起诉；执行方面的问题，请联系负责执行的人民法院。"
            "已经立案的案件，查进度、催开庭或反映审判执行中的问题，可以拨打12368诉讼服务热线。"
            "建议先咨询律师；经济困难的，可以拨打12348公共法律服务热线申请法律援助。",
        )
    if route == "arbitration":
        return (
            "您说的是需要通过仲裁解决的纠纷，热线不能代替仲裁机构作出裁决。",
            "劳动人事争议，向劳动合同履行地或用人单位所在地的劳动人事争议仲裁委员会申请仲裁，"
            "一般应在知道权利被侵害之日起一年内提出，劳动人事争议仲裁不收费；合同约定了仲裁的其他纠纷，向约定的仲裁机构申请。"
            "劳动者对仲裁裁决不服的，可以在收到裁决书之日起15日内向人民法院起诉。"
            "经济困难、需要人帮着写申请或出庭的，可以拨打12348公共法律服务热线申请法律援助。",
        )
    if route == "discipline":
        area = f"（手机请拨{profile.area_code}-12388）" if profile.area_code else ""
        return (
            "您反映的是公职人员涉嫌违纪违法的问题，应当由纪检监察机关调查处理。",
            f"请向纪检监察机关反映：可以登录12388举报网站，拨打12388举报电话{area}，"
            "也可以到当地纪委监委信访室当面反映或写信举报。实名举报受法律保护，举报人的信息会严格保密。",
        )
    if route == "admin_review":
        return (
            "您对行政机关作出的处罚或决定有异议，热线不能撤销或改变这个决定。",
            "您可以自知道这个决定之日起60日内申请行政复议，一般向作出决定的部门所属的本级人民政府提出；"
            "也可以依法向人民法院提起行政诉讼（一般在知道之日起6个月内）。处罚决定书上通常写明了复议机关和期限，请对照查看。",
        )
    if route == "petition":
        return (
            "您说的事已经进入信访渠道，按规定热线不再重复受理，以免两头办理、互相等待。",
            "请继续通过原来的信访渠道跟进：可以向受理您信访事项的信访部门或办理机关查询进度和答复；"
            "对处理意见不服的，可以按《信访工作条例》在规定期限内请求复查、复核。",
        )
    if route == "info_disclosure":
        return (
            "您要的是政府信息公开，需要走依申请公开的程序，热线不能代为公开。",
            "请向制作或保存这份信息的行政机关提出政府信息公开申请：可以在这个机关的政府网站在线申请，也可以书面申请，"
            "写明您的姓名、身份证件、联系方式和所需信息的名称或内容描述。行政机关一般在收到申请后20个工作日内答复。",
        )
    if route == "privacy":
        return (
            "他人的身份证号、住址、电话、行踪、住宿记录等个人信息受法律保护，热线不能查询，也不能提供。",
            "这类信息只能由有关机关依法调取。如果您的合法权益受到侵害（比如需要找到对方维权、追讨欠款），"
            "可以向公安机关报案，或者向人民法院起诉，由法院依法调查。",
        )
    if route == "secrets":
        return (
            "您说的涉及国家秘密、工作秘密或商业秘密，热线依法不能查询、提供或转递这类内容。",
            "涉及国家秘密的泄密线索，请向国家安全机关（举报电话12339）或保密行政管理部门反映；"
            "商业秘密被侵犯的，可以向市场监督管理部门举报，也可以向人民法院起诉；"
            "需要行政机关的信息的，可以向制作机关依法申请政府信息公开，属于秘密的依法不予公开。",
        )
    if route == "public_order":
        return (
            "很抱歉，这个请求违背公序良俗，热线不能帮忙办理。",
            "这类事项不受法律保护，有的还可能违法，请您慎重。如果您遇到了感情、债务上的难处，"
            "可以通过合法途径解决，比如拨打12348公共法律服务热线咨询，或请社区、人民调解组织帮忙调解。",
        )
    if route == "outside_city":
        place = oos.matched or "外地"
        line = _other_city_line(place)
        return (
            f"您反映的事在{place}，不在{profile.city}的管辖范围内，{profile.city}热线没办法派给当地部门办理。",
            f"{line}，也可以通过国家政务服务平台（国务院客户端或www.gov.cn）反映。",
        )
    return ("这类事项热线不能直接受理。", "请通过相应的法定途径解决。")


_RULES: dict[str, str] = {
    "litigation": "依法应当通过诉讼解决的事项，热线不直接受理，会告诉您相应渠道",
    "arbitration": "依法应当通过仲裁解决的事项，热线不直接受理，会告诉您相应渠道",
    "discipline": "依法应当由纪检监察机关处理的事项，热线不直接受理，会告诉您相应渠道",
    "admin_review": "依法应当通过行政复议或行政诉讼解决的事项，热线不直接受理，会告诉您相应渠道",
    "petition": "已经进入信访渠道的事项，热线不重复受理，会告诉您相应渠道",
    "info_disclosure": "依法应当通过政府信息公开程序办理的事项，热线不直接受理，会告诉您相应渠道",
    "privacy": "涉及他人隐私和个人信息的事项，热线依法保密，不予查询和提供",
    "secrets": "涉及国家秘密、工作秘密、商业秘密的事项，热线不予受理，会告诉您相应渠道",
    "public_order": "违背公序良俗的事项，热线不予受理",
    "outside_city": "不属于本市管辖范围的事项，热线不予受理，会告诉您相应渠道",
}


def route_answer(route: str, profile: Profile) -> str:
    """A question about how to use a legal route (劳动仲裁要交钱吗): its procedure, as an answer."""
    _, where = _route_text(OutOfScope(route, ""), profile)
    name = SCOPE_ROUTE_NAMES.get(route, "这个途径")
    return "\n".join([
        f"关于{name}：{where}",
        "还有其他需要反映或咨询的事，随时告诉我；想找工作人员，请回复“转人工”。",
    ])


def _other_city_line(place: str) -> str:
    code = AREA_CODES.get(place.removesuffix("市"))
    return (f"请联系{place}的12345政务服务便民热线：用手机拨打{code}-12345（{place}当地座机直接拨12345）"
            if code else "建议您联系当地的12345政务服务便民热线（用手机拨打时，在12345前面加拨当地区号）")


def scope_reply(oos: OutOfScope, profile: Profile, elsewhere: str | None = None) -> str:
    """Politely decline, cite the regulation, name the legal route, offer further help; a matter
    that happens in another city (``elsewhere``) also hears that city's hotline."""
    why, where = _route_text(oos, profile)
    if elsewhere and oos.route != "outside_city":
        where += f"\n事情发生在{elsewhere}，需要当地部门出面的，{_other_city_line(elsewhere)}。"
    cite = profile.cite("classify")
    rule = _RULES.get(oos.route, "这类事项热线不直接受理")
    basis = f"根据{cite}，{rule}。" if cite else f"按照热线的有关规定，{rule}。"
    return "\n".join(
        [
            why,
            basis,
            where,
            f"如果您在{profile.city_short}还有其他需要反映或咨询的事，随时告诉我，我来帮您办。"
            "如果我理解错了，您的事需要热线受理，请回复“转人工”，由工作人员为您判断和登记。",
        ]
    )


# ------------------------------------------------------------------------ gateway

def busy_reply(profile: Profile) -> str:
    """When Rasa or the action server is down or slow: the message is kept and will be handled."""
    return (
        "系统繁忙，您的消息已经保存，不会丢失。系统恢复后会按顺序继续处理，回复会显示在这里，请稍候。"
        f"如果情况紧急，请直接拨打110、119、120或122；也可以拨打{profile.hotline_number}热线电话。"
    )


def failed_reply(profile: Profile) -> str:
    """When Rasa took the message but broke down on it: it may or may not have been handled,
    so it is not sent again by itself (that could file a work order twice)."""
    return (
        "抱歉，系统处理您这条消息时出了错，没能给出回复。您的消息已经记录，请再发一次。"
        f"如果情况紧急，请直接拨打110、119、120或122；也可以拨打{profile.hotline_number}热线电话。"
    )


def too_long_reply(limit: int) -> str:
    return f"您这条消息太长了（超过{limit}个字），系统没法一次处理。请分成几条发送，每条不超过{limit}个字，先说最重要的事。"


def too_fast_reply(profile: Profile, seconds: int) -> str:
    """A citizen (or an address) sending faster than a person types: the message is kept."""
    wait = "半分钟" if seconds <= 30 else "一分钟"
    return (f"您发送消息太频繁了，请稍等{wait}再发。刚才这条消息已经记录，但这次没有处理，需要的话请稍后重新发送。"
            f"如果情况紧急，请直接拨打110、119、120或122，或拨打{profile.hotline_number}热线电话。")


EMPTY_MESSAGE = "没有收到文字内容，请直接输入您要反映的问题。"
# A question in the middle of the form that the knowledge base cannot answer is part of the matter.
QUESTION_KEPT = "这个问题我暂时没有现成的答案，已经把它记到您这次的诉求内容里，承办单位会一并答复您。"
# The citizen told several matters and chose one to file now (「那就先把路灯的登记上」).
ONE_OF_SEVERAL = "好的，这次先登记您选的这一件，另一件您可以之后再单独反映。"
# One of several questions in a message that the knowledge base cannot answer (the others were).
KB_UNKNOWN_WITH_UNIT = ("这个问题我暂时没有找到准确的答案，不想给您说错。这类事一般由{unit}负责，您也可以直接向他们咨询。"
                        "需要的话，我可以为您登记一个咨询工单，由相关部门在{working_days}个工作日内答复您；也可以转人工服务。")


def unit_for_citizens(unit: str) -> str:
    """A dispatch catalogue's unit as a citizen reads it (「供热企业；市供热主管部门」 -> 「供热企业或市供热主管部门」)."""
    return unit.replace("；", "或").replace("所在街道办事处", "您所在的街道办事处")


PART_UNKNOWN = "关于“{question}”，我暂时没有找到准确的答案，不想给您说错。需要的话可以回复“没解决”，我帮您登记咨询工单，由相关部门答复您。"
UPLOAD_RECEIVED = "图片已收到，提交工单时会作为证据一并附上。"
UPLOAD_ATTACHED = "图片已收到，已作为证据附在工单 {number} 上。"
UPLOAD_TOO_LARGE = "图片太大了，请上传不超过{mb}MB的图片（可以先截图或压缩后再发）。"
UPLOAD_BAD_TYPE = "只能上传 JPG、PNG、GIF 或 WEBP 格式的图片。"
UPLOAD_EMPTY = "没有收到图片文件，请重新选择图片上传。"
UPLOAD_NO_SESSION = "对话已失效，请刷新页面后重新上传。"


# ------------------------------------------------------------------------ WeChat

WECHAT_CHOICES_HINT = "请回复序号或文字选择："
WECHAT_AGENT_PREFIX = "【人工客服】"
WECHAT_VOICE_NOT_UNDERSTOOD = "抱歉，这条语音没能识别成文字。请您改用文字输入，说清楚想反映的问题和地点。"
WECHAT_VIDEO = "视频暂时不能作为工单附件。请用文字描述情况，如有现场照片可以直接发图片，会作为证据附在工单上。"
WECHAT_IMAGE_FAILED = "图片没能收下（可能太大或已过期），请重新发送，或用文字描述情况。"
WECHAT_UNSUPPORTED = "抱歉，这类消息暂时无法处理。请直接用文字告诉我您想反映或咨询的事情，也可以发送图片或位置。"
WECHAT_LINK = "链接：{title}{description} {url}"
WECHAT_LOCATION_TEXT = "我的位置：{label}"


def wechat_welcome(profile: Profile) -> str:
    return (
        f"您好，欢迎关注{profile.hotline_name}！这里{profile.service_hours}受理咨询、求助、投诉、举报和意见建议。\n"
        "您可以直接发文字、语音、图片或位置说明情况，我来帮您登记；也可以点下方菜单查询工单进度、看常见问题或转人工。\n"
        "遇到火灾、急病、治安、交通事故等紧急情况，请立即拨打110、119、120、122。"
    )


RATING_BUTTONS = [{"title": t, "payload": t} for t in ("满意", "基本满意", "不满意")]
RATING_THANKS = "感谢您的评价！如果还有其他需要反映的问题，随时告诉我。"
RATING_ASK_REASON = "很抱歉没能让您满意。能说说哪里不满意吗？您的意见会转给承办单位重新办理或由热线复核。"
RATING_REVIEW = "已记录您的不满意评价和意见，热线将进行复核，并由工作人员与您联系。"


def order_closed_text(number: str, result: str | None) -> str:
    text = f"您的工单 {number} 已办结。"
    if result:
        text += f"\n办理结果：{result}"
    return text + "\n请您对这次的办理过程和办理结果进行评价：满意、基本满意还是不满意？不满意的话可以直接说明原因。"


def rating_reopened(number: str, unit: str | None, deadline: object) -> str:
    who = unit or "承办单位"
    when = f"，{deadline:%Y年%m月%d日}前再次答复您" if deadline else ""
    return f"很抱歉没能让您满意。已将工单 {number} 和您的意见重新交给{who}办理{when}。"


def citizen_asked_text(number: str, note: str | None) -> str:
    """The hotline or the unit asks the citizen (补充材料, or a unit's message passed on)."""
    asked = (note or "").split("：", 1)[-1]
    return (f"关于您的工单 {number}，{asked}\n请直接回复这条消息（可以发文字，也可以发照片）。"
            "如果现在有危险，请立即拨打110、119或120。")


CITIZEN_ANSWER_TAKEN = "已收到您的补充，已记入工单并转交承办单位。有照片的话，现在发给我，也会一并记入工单。"


def order_update_text(number: str, status_label: str, note: str | None) -> str:
    text = f"您的工单 {number} 有新进展：当前状态为“{status_label}”。"
    if note:
        text += f"\n说明：{note}"
    return text + f"\n回复“查询工单 {number}”可以查看详情。"


# ------------------------------------------------------------------------ agents (console)

HANDOFF_REASONS = {
    "citizen_request": "市民要求人工",
    "not_understood": "连续两次没听懂",
    "field_failed": "信息多次填写不成功",
    "angry": "市民情绪激动/投诉服务",
    "sensitive": "敏感情况需人工跟进",
    "expert": "需要专家坐席",  # 通辽条例第十五条: with the citizen's consent
    "emergency": "紧急警情（值班台接入）",
}
HANDOFF_FOLLOW_UP = "我已请热线工作人员马上跟进您的情况，接入后会在这里和您联系。"
EXPERT_CONSENT_QUESTION = ("您反映的问题专业性比较强，我可以为您转接相关单位的专家坐席，由专家直接解答。"
                           "您同意转接吗？")
EXPERT_CONSENT_CHOICES = ("同意转接", "不用了")
EXPERT_TRANSFER = "好的，正在为您转接专家坐席，请稍候，专家接入后会在这里直接回复您。"
AGENT_JOINED = "您好，我是热线工作人员{agent}，接下来由我为您服务。"
AGENT_HANDBACK = "人工服务已结束，接下来由智能助手继续为您服务。"
AGENT_CLOSED = "本次服务已结束，感谢您的耐心。如还有其他问题，可以随时在这里留言。"
AGENT_FILED = "已为您登记工单，工单号：{number}，承办单位会在{deadline}前办理答复。"
AGENT_REPEAT = "您反映的这个问题此前已经登记过，正在办理中，不重复立单。工单号：{number}，当前状态：{status}，办理时限：{deadline}前。有新情况我会补充记录。"


def repeat_closed(number: str, result: str | None) -> str:
    """鞍山条例第十五条第四项: a matter closed already, raised again with no new fact or reason, is
    told its result and how to object instead of being filed again."""
    return (f"您反映的这个问题此前已经办结，我们不重复立单：\n工单号：{number}\n办理结果：{result or '已办结'}\n"
            "如果您对办理结果有异议，请告诉我哪里不满意，或回复“转人工”由工作人员为您申请复核；"
            "如果问题又出现了，或者有新情况、新理由，请把新的情况告诉我，我会重新登记并和原工单关联。")


FOLLOWS_CLOSED = "这件事此前的工单 {number} 已办结，您这次说了新的情况，已重新登记并与原工单关联。"


def handoff_waiting(ahead: int, minutes: int, first: bool = False) -> str:
    """Where a citizen waiting for a person is; ``first``: the one message at the handoff."""
    place = "您是下一位" if ahead == 0 else f"您前面还有{ahead}位市民在等待"
    if first:
        return (f"好的，正在为您转接人工服务，{place}，预计约{minutes}分钟内接入。您已经说过的情况会一并转给"
                "工作人员，不用再说一遍；等待时也可以继续在这里补充。如遇紧急情况，请直接拨打110、119、120、122。")
    return (f"正在为您转接人工服务，{place}，预计约{minutes}分钟内接入。请稍候，您可以继续在这里补充情况，"
            "工作人员接入后都能看到。如遇紧急情况，请直接拨打110、119、120、122。")


def handoff_off_hours(profile: Profile, hours: str) -> str:
    return (f"现在不在网上人工服务时间（每天{hours}），暂时转接不了人工。您可以继续告诉我要反映的问题，"
            f"我帮您登记成工单，承办单位会按时限办理并答复您；也可以拨打{profile.hotline_number}热线电话，"
            f"{profile.service_hours}有人接听。")


def handoff_nobody(profile: Profile) -> str:
    return (f"抱歉，现在没有工作人员在线，暂时转接不了人工。您可以继续告诉我要反映的问题，我帮您登记成工单，"
            f"承办单位会按时限办理并答复您；也可以拨打{profile.hotline_number}热线电话，{profile.service_hours}有人接听。")


def several_orders(orders: list[tuple[str, str, str | None]]) -> str:
    """Extra orders for the other matters of one request (天津办法第十五条)."""
    lines = [f"您反映的事情里还有{len(orders)}件归其他单位办理，已分别登记，各有工单号："]
    for number, content, unit in orders:
        preview = content if len(content) <= 30 else content[:30] + "…"
        lines.append(f"工单 {number}：{preview}" + (f"（{unit}）" if unit else ""))
    return "\n".join(lines) + "\n查询进度时说工单号就可以。"
