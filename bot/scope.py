"""Matters the hotline does not handle itself, and the legal route to name instead.

The regulations (鞍山 2026 第十五条, 通辽 第十一条, 潍坊 第十九条, 天津 第十三条) list them:
matters for litigation, arbitration, discipline inspection (纪检监察), administrative review,
matters already in the petition (信访) channel, government information disclosure requests,
other people's private information, requests against public order and good morals (公序良俗)
and matters outside the city's jurisdiction.

Two kinds of wording are told apart:

* a *matter* (法院判了我不服, 书记贪污扶贫款, 查一下他的开房记录) is out of scope whatever the
  sentence form;
* a *route name* alone (起诉, 劳动仲裁, 行政复议, 信息公开, 信访) is out of scope when the citizen
  wants to use it or asks the hotline to act, but a plain question about how to use the route
  (劳动仲裁去哪申请, 怎么申请行政复议) is a consultation the hotline answers: None.

Look-alikes stay in scope: 投诉法院门口违停, 举报商家卖假货, a complaint that mentions a lawyer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.emergency import normalize
from bot.profile import Profile, load_profile

ROUTES: tuple[str, ...] = (
    "litigation",
    "arbitration",
    "discipline",
    "admin_review",
    "petition",
    "info_disclosure",
    "privacy",
    "public_order",
    "outside_city",
)


@dataclass(frozen=True)
class OutOfScope:
    route: str    # one of ROUTES
    matched: str  # the phrase (or, for outside_city, the place) that decided it


@dataclass(frozen=True)
class _Rule:
    route: str
    rx: re.Pattern[str]
    matter: bool = True                           # False: a route name, a how-to question is in scope
    needs: re.Pattern[str] | None = None          # context needed somewhere in the message
    unless: re.Pattern[str] | None = None         # context that keeps it in scope


def _r(route: str, pattern: str, matter: bool = True, needs: str | None = None, unless: str | None = None) -> _Rule:
    return _Rule(
        route,
        re.compile(pattern),
        matter,
        re.compile(needs) if needs else None,
        re.compile(unless) if unless else None,
    )


_NC = r"[^,，。;；!?！？]"  # inside one clause
_NS = r"[^。;；!?！？]"  # inside one sentence
_OFFICIAL = (
    r"官员|干部|村干部|村支书|支书|书记|村长|村主任|主任|局长|副局长|处长|科长|股长|镇长|乡长|县长|区长|市长|所长|站长"
    r"|院长|校长|领导|公务员|工作人员|公职人员|民警|警察|城管|执法人员|村委|居委|党员|委员|法官|检察官|队长|会计|网格员"
    r"|街道办|镇政府|乡政府|政府|局里|部门"
)
_ADMIN_BODY = (
    r"交警|城管|执法|市场监管|市监|工商|税务|环保|生态环境|公安|派出所|交通|运管|住建|卫健|卫生|消防|自然资源|规划|局"
    r"|政府|街道|乡镇|镇|综合执法|行政|人社|社保|医保|民政|教育|应急|海关|车管所|治安"
)
_DECISION = (
    r"行政处罚|处罚决定|罚款决定|罚单|罚款|处罚|处理决定|行政决定|决定书|吊销|暂扣|责令|行政拘留|拘留|强制拆除|拆除决定"
    r"|征收决定|补偿决定|不予(?:许可|登记|批准|受理|认定)|不(?:给)?认定|工伤认定|认定结论|行政强制|扣分|扣车|查封|扣押|没收|强拆"
    r"|扣(?:了)?(?:我(?:的)?)?(?:车|驾照|驾驶证|执照|营业执照)|罚(?:了)?(?:我)?[0-9一二两三四五六七八九十百千]+|被罚|罚了?款|扣了?分"
)
_THIRD_PARTY = (
    r"别人|他人|某人|他|她|对方|这个人|那个人|此人|该人|老公|丈夫|老婆|妻子|前夫|前妻|男朋友|女朋友|男友|女友|邻居|欠款人"
    r"|欠钱的人|老赖|债务人|小三|情人|车主|业主|租户|房客|网友|同事|同学|亲戚|这个号码|这个手机号|这个号|这个车|这辆车|这个车牌"
)
_PERSONAL_ITEM = (
    r"身份证(?:号码|号)?|身份信息|个人信息|住址|家庭住址|住哪|住在哪|家在哪|手机号(?:码)?|电话号码|电话|联系方式|开房记录|住宿记录"
    r"|酒店记录|行踪|定位|位置|户籍|户口|银行卡|流水|存款|通话记录|聊天记录|社保信息|工作单位|在哪上班|名字|姓名|车主信息|婚姻状况|病历"
    r"|犯罪记录|前科|违法记录|婚史|财产|房产信息"
)

_RULES: tuple[_Rule, ...] = (
    # ---------------------------------------------------------------- privacy (always a matter)
    _r("privacy", r"(?:举报|投诉|反映)(?:我|我们)的人(?:的)?(?:电话|名字|姓名|信息|身份|是谁|住哪|住址)|(?:举报|投诉|反映)(?:我|我们)?的(?:人)?是谁|谁(?:举报|投诉|反映)(?:的)?(?:我|我们)|(?:举报人|投诉人|反映人)(?:是谁|的(?:名字|姓名|电话|信息|身份))"),
    _r("privacy", r"人肉(?:搜索)?|开房记录|住宿记录|(?:查|定位|追踪)" + _NC + r"{0,6}(?:行踪|手机定位)"),
    _r(
        "privacy",
        r"(?:查|查询|查一下|查查|告诉我|提供|给我|帮我找|帮我查|调取|调出|要到|找到|获取|打听)" + _NC + r"{0,8}?(?:"
        + _THIRD_PARTY + r")" + _NC + r"{0,6}?(?:的)?(?:" + _PERSONAL_ITEM + r")",
    ),
    _r(
        "privacy",
        r"(?:知道|找出|查到|问到|打听到)" + _NC + r"{0,4}(?:" + _THIRD_PARTY + r")" + _NC
        + r"{0,6}(?:现在)?(?:住在哪|住哪|家在哪|在哪上班|的住址|的手机号|的电话|的身份证|每天去哪|去哪了|去了哪|跟谁在一起)",
    ),
    _r(
        "privacy",
        r"(?:查|查询|查一下|查查|告诉我|提供|给我|帮我查|调取)" + _NC + r"{0,4}?(?!我|本人|自己|我们|公司|单位|部门|物业|商家|饭店|医院|学校|银行|政府|社区)"
        r"[\u4e00-\u9fff]{2,3}的(?:身份证(?:号码|号)?|住址|家庭住址|手机号(?:码)?|电话号码|开房记录|行踪|户籍|银行卡|通话记录)",
    ),
    _r("privacy", r"(?:这个|那个)(?:手机号|号码|车牌|车)" + _NC + r"{0,4}是谁(?:的)?"),
    _r(
        "privacy",
        r"把" + _NC + r"{0,6}(?:" + _THIRD_PARTY + r")" + _NC + r"{0,4}?(?:的)?(?:" + _PERSONAL_ITEM + r")" + _NC
        + r"{0,4}(?:告诉我|给我|发给我|提供给我)",
    ),
    _r(
        "privacy",
        r"(?:找出|查出|查到|查一下|告诉我|帮我查|帮我找|提供)" + _NC + r"{0,16}的人的(?:" + _PERSONAL_ITEM + r")",
    ),
    # ---------------------------------------------------------------- public order
    _r(
        "public_order",
        r"(?:找|查|抓|捉|揪|曝光|教训|收拾|整治|打|帮我|帮忙)" + _NC
        + r"{0,8}(?:小三|二奶|情妇|第三者|情人|外面(?:的|那个)(?:女的|女人|男的|男人)|外遇对象|出轨对象)|捉奸|抓奸"
        r"|(?:小三|二奶|情妇|第三者)" + _NC + r"{0,4}(?:抓起来|曝光|赶走|教训|收拾|处理掉|撵走)",
        unless=r"举报|投诉",
    ),
    _r(
        "public_order",
        r"(?:讨|要|追|催|收)" + _NC + r"{0,4}赌债|欠我" + _NC + r"{0,4}赌债|赌债" + _NC + r"{0,6}(?:不还|要回|讨回|追回|要不回)"
        r"|(?:讨|要|追|催|收)" + _NC + r"{0,4}高利贷|高利贷" + _NC + r"{0,6}(?:不还|要回|讨回|追回|要不回)",
    ),
    _r(
        "public_order",
        r"(?:找|做|想|要|哪里|哪有|哪儿|怎么|介绍|联系|帮我|办)" + _NC + r"{0,6}(?:代孕|卖卵|买卵|卖肾|买肾|办假证|做假证|假证|买枪|假结婚)"
        r"|(?:代孕|卖卵|借腹生子)(?:机构|中介|多少钱|妈妈|怎么)",
        unless=r"举报|投诉|打击|查处|取缔|非法|违法|有人在|有人做|小广告",
    ),
    _r(
        "public_order",
        r"帮我" + _NC + r"{0,6}(?:报复|骂他|骂她|打他|打她|教训|收拾|整他|整她|弄他|搞臭|曝光他|曝光她)"
        r"|(?:找|买|卖|介绍)" + _NC + r"{0,3}(?:小姐|孩子|婴儿)(?:来|的渠道|去哪)?|(?:买|卖)(?:个|一个)?孩子"
        r"|(?:找|叫)(?:几个)?人" + _NC + r"{0,8}(?:打一顿|揍一顿|教训|收拾|修理)",
        unless=r"举报|投诉|打击|查处|拐卖|人贩子|有人在|被拐",
    ),
    # ---------------------------------------------------------------- discipline
    _r(
        "discipline",
        r"贪污|受贿|行贿|索贿|收受贿赂|贿赂|挪用公款|侵吞|贪腐|腐败|以权谋私|滥用职权|权钱交易|中饱私囊|公款吃喝|公车私用"
        r"|买官卖官|跑官要官|利用职务(?:之便)?|职务便利|失职渎职|渎职",
    ),
    _r(
        "discipline",
        r"吃拿卡要|优亲厚友|虚报冒领|(?:截留|克扣|挪用|冒领|贪占|私分)" + _NC + r"{0,6}(?:扶贫|补贴|补助|救灾|救济|低保|补偿款|资金|款)"
        r"|(?:收|要|拿|索要)(?:了)?" + _NC + r"{0,4}(?:红包|好处费|回扣|礼金|贿|好处)|违规(?:吃喝|收礼|发放|经商|办企业)|违纪|违法乱纪"
        r"|(?:以|用)(?:权|职权)(?:压人|谋私)|(?:吃空饷|在编不在岗)|保护费"
        r"|(?:进|装进|揣进|塞进)(?:了)?(?:自己|个人)?(?:的)?腰包|侵占(?:集体|村集体|公家)|私自(?:卖|变卖|出租|占用)(?:了)?(?:集体|村里|公家)"
        r"|上班(?:时间)?(?:打麻将|喝酒|玩游戏|打牌|炒股)"
        r"|(?:低保|补贴|补助|名额|指标|扶贫|救济|困难补助)" + _NC + r"{0,8}(?:都)?(?:给|分给|留给|批给)(?:了)?(?:他|她|自己)?(?:的)?"
        r"(?:亲戚|家人|家里人|亲属|儿子|女儿|老婆|兄弟|关系户|朋友)",
        needs=_OFFICIAL,
    ),
    _r(
        "discipline",
        r"(?:实名)?举报" + _NC + r"{0,8}(?:书记|村长|村主任|局长|副局长|镇长|乡长|县长|区长|市长|处长|科长|所长|干部|官员|公务员|支书|领导)"
        r"|(?:书记|村长|村主任|局长|镇长|乡长|县长|区长|处长|科长|所长|干部|官员|支书)" + _NC + r"{0,12}(?:我要|我想)?(?:实名)?举报",
        matter=False,
        unless=r"乱停|违停|噪音|占道|卫生|垃圾|不作为|态度",
    ),
    _r("discipline", r"纪委|纪检|监委|监察委|12388", matter=False),
    # ---------------------------------------------------------------- petition (already under way)
    _r(
        "petition",
        r"信访(?:局|办|部门|办公室|中心)?(?:已经|已|都)?(?:受理|立案|登记|答复|回复|在办|办理|处理|转办|交办)(?:了|过|中)?"
        r"|(?:已经|正在|一直在|一直|还在)(?:走)?(?:信访|上访)|信访(?:件|事项|答复|复查|复核|程序|渠道|案件|编号|回执)"
        r"|(?:去|到|找)(?:了|过)?(?:信访局|信访办|信访部门)" + _NC + r"{0,6}(?:反映|上访|信访)?(?:过|了)"
        r"|上访(?:了|过|多年|好几年|好多次|多次)|越级上访|进京上访|信访(?:了|过)",
    ),
    # ---------------------------------------------------------------- information disclosure
    _r(
        "info_disclosure",
        r"(?:申请|要求|请求|依申请)" + _NC + r"{0,12}公开" + _NC + r"{0,14}(?:文件|信息|资料|会议纪要|批文|批复|规划|红头文件|审批"
        r"|方案|补偿标准|补偿款|明细|发放|使用情况|征收|拆迁|预算|决算|合同|名单|依据|标准|账目)|(?:公开|提供|调取|查阅|给我看|看一下|看看|查看)" + _NC + r"{0,14}"
        r"(?:红头文件|会议纪要|批文|批复|审批材料|审批文件|征收方案|补偿方案|征地(?:批复|文件)|规划(?:文件|许可)|立项文件|内部文件)",
        matter=False,
        unless=r"村务|物业|业委会|账目公开|财务公开",
    ),
    _r("info_disclosure", r"申请(?:政府)?信息公开|依申请公开|政府信息公开(?:申请)?", matter=False),
    _r(
        "info_disclosure",
        r"(?:批复|红头文件|会议纪要|批文|审批材料|审批文件|规划许可|征收方案|补偿方案|征地文件|立项文件|文件)" + _NC
        + r"{0,6}(?:给我看|给我们看|公开|拿出来|提供给我)",
        matter=False,
        needs=r"局|政府|委|街道|镇|乡|规划|批复|征收|征地|拆迁|审批",
        unless=r"村务|物业|业委会|公司|单位|学校",
    ),
    # ---------------------------------------------------------------- administrative review
    _r(
        "admin_review",
        r"不服" + _NC + r"{0,12}(?:" + _DECISION + r")|(?:" + _DECISION + r")" + _NS
        + r"{0,14}(?:不服|不认可|有异议|不合理|不公|冤|要撤销|想撤销|申请撤销|不接受|不同意|处罚错了|罚错了|乱罚)"
        r"|撤销" + _NC + r"{0,4}(?:处罚|罚款|决定|罚单)|(?:罚|处罚)(?:得)?(?:不对|错了|不合理)",
        needs=_ADMIN_BODY + r"|行政处罚|处罚决定|决定书|罚单|行政拘留|工伤认定|征收决定|补偿决定",
    ),
    _r("admin_review", r"行政复议|复议|行政诉讼|告(?:政府|局|城管|交警|派出所)|民告官", matter=False),
    # ---------------------------------------------------------------- arbitration
    _r(
        "arbitration",
        r"仲裁(?:裁决|结果|书|决定|庭|员|委(?:员会)?(?:已经|已)?(?:裁|判|裁决|受理|开庭|立案))|(?:已经|正在|在)(?:申请|走|打)?(?:了)?(?:劳动)?仲裁"
        r"|(?:仲裁|裁决)" + _NC + r"{0,10}(?:不服|不公|不执行|不履行|不给|不认|输了|赢了)|不服" + _NC + r"{0,6}仲裁|仲裁(?:后|之后|以后|完)",
    ),
    _r("arbitration", r"劳动仲裁|商事仲裁|人事仲裁|申请仲裁|仲裁", matter=False),
    # ---------------------------------------------------------------- litigation
    _r(
        "litigation",
        r"不服" + _NC + r"{0,10}(?:判决|裁定|判的|判了|一审|二审|终审|法院|法官)|(?:判决|裁定|判的|判了|法院判|一审|二审|终审|法官)"
        + _NS + r"{0,14}(?:不服|不公|不公平|不合理|有问题|判错|冤|不认|不接受|偏袒)|改判|重新判|重审|翻案|判错了",
    ),
    _r(
        "litigation",
        r"执行款|执行不了|执行不到位|执行难|迟迟不执行|(?:法院|法官)" + _NC + r"{0,4}(?:不执行|不立案|不受理|不给立案|拖着|拖延|不作为)"
        r"|法院" + _NS + r"{0,6}(?:判|判决|调解)" + _NS + r"{0,18}(?:没|不|未|拒不)(?:有)?(?:执行|履行|给|还|赔|退)"
        r"|(?:判决|调解书|判了)" + _NS + r"{0,10}(?:不执行|不履行|不给|不还|拒不|不赔)|终结本次执行|强制执行|执行局|执行庭|失信被执行人"
        r"|官司(?:打)?输了|输了官司|老赖",
    ),
    _r(
        "litigation",
        r"(?:借|欠)(?:了)?(?:我)?(?:的)?" + _NC + r"{0,6}(?:钱|款)" + _NC + r"{0,4}不还|借款不还|欠款不还|欠钱不还|赖账",
        unless=r"工资|工钱|薪|劳务费|农民工|包工头|押金|预付|退费|退款|会员|物业|商家|开发商|培训|政府|单位",
    ),
    _r(
        "litigation",
        r"起诉|告(?:他|她|他们|它|对方|公司|单位|物业|开发商|房东|老板|医院|学校|邻居)|去法院|到法院告|法院告|打官司|官司|上诉|再审|申诉"
        r"|诉讼|(?:财产|遗产|房产|抚养权|继承|合同|借贷|民事|经济)(?:分割)?纠纷|离婚" + _NC + r"{0,4}(?:财产|抚养权|彩礼)",
        matter=False,
        unless=r"法院门口|法院附近|法院旁边|法院路|公益诉讼",
    ),
)

# A question about how to use a route (咨询/怎么申请/去哪): the hotline answers it.
_HOW_TO = re.compile(
    r"怎么|怎样|如何|咋|去哪|到哪|在哪|哪里|哪个部门|找谁|流程|程序|手续|需要什么|要什么|需要哪些|材料|条件|期限|时效|多久|多长时间"
    r"|多少钱|费用|收费|能不能|可不可以|可以吗|是否|吗|么|\?|咨询|请问|问一下|问问|想了解|了解一下|有什么规定"
    r"|电话是多少|电话多少|号码是多少|是多少|地址|网址|网站是|在什么地方"
)
# ... unless the citizen asks the hotline itself to act.
_DEMAND = re.compile(
    r"帮我|替我|给我(?:改|判|处理|解决|查|办|撤销|做主)|你们(?:帮|给|去|来)?(?:处理|解决|管|改|判|查|督促|催|撤销|做主|主持公道)"
    r"|要求(?:热线|你们|政府)|请热线|12345(?:帮|给|处理)|你们必须|我要求"
)
_NEGATED = re.compile(r"(?:不是|不想|不要|不用|没有|没|不打算|不愿意|不需要|不准备|不会)(?:要|去|想)?$")

# ---------------------------------------------------------------- outside the city

_PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏",
    "新疆", "香港", "澳门", "台湾",
)
_CITIES = (
    "广州", "深圳", "杭州", "南京", "武汉", "成都", "西安", "郑州", "济南", "青岛", "沈阳", "大连", "长春", "哈尔滨", "石家庄",
    "太原", "呼和浩特", "南昌", "合肥", "福州", "厦门", "长沙", "南宁", "海口", "三亚", "贵阳", "昆明", "拉萨", "兰州", "西宁",
    "银川", "乌鲁木齐", "苏州", "无锡", "宁波", "温州", "东莞", "佛山", "珠海", "烟台", "唐山", "保定", "廊坊", "沧州", "徐州",
    "常州", "南通", "扬州", "绍兴", "嘉兴", "金华", "台州", "泉州", "漳州", "洛阳", "开封", "宜昌", "襄阳", "株洲", "岳阳",
    "桂林", "柳州", "绵阳", "遵义", "大理", "丽江", "包头", "鄂尔多斯", "赤峰", "通辽", "呼伦贝尔", "秦皇岛", "邯郸", "邢台",
    "张家口", "承德", "大同", "吉林市", "四平", "延边", "延吉", "牡丹江", "齐齐哈尔", "大庆", "佳木斯",
    "淄博", "潍坊", "临沂", "济宁", "泰安", "威海", "日照", "东营", "聊城", "德州", "滨州", "菏泽", "枣庄",
    "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "阜新", "辽阳", "盘锦", "铁岭", "葫芦岛",
)
# A place name followed by one of these is a street, a shop or a person, not where the matter is.
_NOT_A_PLACE_AFTER = (
    r"路|街|大街|道|巷|胡同|里|村|庄|屯|园|苑|区|小区|社区|广场|大厦|商场|公园|宾馆|酒店|饭店|医院|学校|中学|小学|大学|桥|门|站"
    r"|人|口音|户口|户籍|籍|老家|话|菜|烧烤|小吃|特产|牌|银行|分公司|总部|卫视|电视台|来的|过来|回来|到这|到本|号"
)
_LOCATIVE_BEFORE = r"(?:在|位于|住|住在|于)"
_CROSS_REGION = re.compile(
    r"异地|户口|户籍|老家|回来|返乡|转回|迁回|迁到|迁入|转入|转移|转出|迁出|调档|备案|看病|就医|住院|报销|上学|上大学|读书|念书|助学贷款|学费|落户"
)


_OUTSIDE_CACHE: dict[tuple[object, ...], re.Pattern[str] | None] = {}


def _outside_pattern(profile: Profile) -> re.Pattern[str] | None:
    key = (profile.city, profile.province, profile.neighbours, tuple(sorted(profile.district_names())))
    if key not in _OUTSIDE_CACHE:
        _OUTSIDE_CACHE[key] = _build_outside_pattern(profile)
    return _OUTSIDE_CACHE[key]


def _build_outside_pattern(profile: Profile) -> re.Pattern[str] | None:
    own = {profile.city, profile.city_short, profile.province, profile.province.rstrip("省市")}
    own_names = set(profile.district_names())
    names = []
    for name in (*profile.neighbours, *_PROVINCES, *_CITIES):
        if not name or name in own or name in own_names:
            continue
        if profile.city_short and (name in profile.city_short or profile.city_short in name):
            continue
        names.append(re.escape(name))
    if not names:
        return None
    names.sort(key=len, reverse=True)
    alt = "|".join(dict.fromkeys(names))
    return re.compile(
        r"(?:(?P<before>" + _LOCATIVE_BEFORE + r")(?P<p1>" + alt + r")(?:省|市|自治区|地区)?(?!" + _NOT_A_PLACE_AFTER + r")"
        r"|(?P<p2>" + alt + r")(?:省|市|自治区)?(?!" + _NOT_A_PLACE_AFTER + r")[\u4e00-\u9fff]{0,3}?(?:的|那边|那里|这边|当地|本地)(?!人)"
        r"|(?P<p3>" + alt + r")(?:省|市)[\u4e00-\u9fff]{1,5}(?:区|县|市|镇|乡|街道)"
        r"|(?P<p4>" + alt + r")(?:省|市)(?!" + _NOT_A_PLACE_AFTER + r"))"
    )


def _own_place_named(text: str, profile: Profile) -> bool:
    if profile.find_district(text):
        return True
    short = profile.city_short
    return bool(short and re.search(re.escape(short) + r"(?:市)?(?!人|口音|户口|户籍|籍)", text))


def _outside_city(text: str, profile: Profile) -> OutOfScope | None:
    rx = _outside_pattern(profile)
    if rx is None:
        return None
    m = rx.search(text)
    if m is None or _own_place_named(text, profile) or _CROSS_REGION.search(text):
        return None
    place = m.group("p1") or m.group("p2") or m.group("p3") or m.group("p4")
    return OutOfScope("outside_city", place)


# ---------------------------------------------------------------- detection

def detect(text: str, profile: Profile | None = None) -> OutOfScope | None:
    """The out-of-scope route for ``text``, or None when the hotline handles it."""
    t = re.sub(r"\s+", "", normalize(text))
    if not t:
        return None
    p = profile or load_profile()
    how_to = bool(_HOW_TO.search(t)) and not _DEMAND.search(t)
    for rule in _RULES:
        for m in rule.rx.finditer(t):
            if rule.needs and not rule.needs.search(t):
                continue
            if rule.unless and rule.unless.search(t):
                continue
            if _NEGATED.search(t[max(0, m.start() - 6): m.start()]):
                continue
            if not rule.matter and how_to:
                continue
            return OutOfScope(rule.route, m.group(0))
    return _outside_city(t, p)
