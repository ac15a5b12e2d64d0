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

Matters are also recognised when told without the legal words: asking the hotline to push or
sway a case already filed (催法官, 让对方先给钱), to rule a labour, contract or land-contract
dispute itself (你们判他赔钱, 评评理判一下归谁), an official taking money, kickbacks, gambling on
duty or using a public car privately, a specific administrative decision the citizen wants
overturned (认定违建要拆，我不认), a matter in the 信访 channel for years.

Look-alikes stay in scope: 投诉法院门口违停, 举报商家卖假货, a complaint that mentions a lawyer,
unpaid wages (拖欠工资: 劳动监察 handles them), an official's rude attitude.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.language.emergency import normalize
from bot.language.request_types import Model
from bot.profile import Profile, load_profile

ROUTES: tuple[str, ...] = (
    "litigation",
    "arbitration",
    "discipline",
    "admin_review",
    "petition",
    "info_disclosure",
    "privacy",
    "secrets",
    "public_order",
    "outside_city",
)


# What each route is called where a person reads it (the console, /api/triage, the replies).
ROUTE_NAMES: dict[str, str] = {
    "litigation": "诉讼（法院）",
    "arbitration": "仲裁",
    "discipline": "纪检监察",
    "admin_review": "行政复议",
    "petition": "信访（已进入信访渠道）",
    "info_disclosure": "政府信息公开（依申请公开）",
    "privacy": "他人隐私/个人信息",
    "secrets": "国家秘密、工作秘密、商业秘密",
    "public_order": "违背公序良俗",
    "outside_city": "非本市管辖",
}


@dataclass(frozen=True)
class OutOfScope:
    route: str    # one of ROUTES
    matched: str  # the phrase (or, for outside_city, the place) that decided it
    private: bool = False  # a dispute between private persons (litigation: mediation first)


@dataclass(frozen=True)
class _Rule:
    route: str
    rx: re.Pattern[str]
    matter: bool = True                           # False: a route name, a how-to question is in scope
    needs: re.Pattern[str] | None = None          # context needed somewhere in the message
    unless: re.Pattern[str] | None = None         # context that keeps it in scope
    private: bool = False                         # a dispute between private persons


def _r(route: str, pattern: str, matter: bool = True, needs: str | None = None, unless: str | None = None,
       private: bool = False) -> _Rule:
    return _Rule(
        route,
        re.compile(pattern),
        matter,
        re.compile(needs) if needs else None,
        re.compile(unless) if unless else None,
        private,
    )


_NC = r"[^,，。;；!?！？]"  # inside one clause
_NS = r"[^。;；!?！？]"  # inside one sentence
_OFFICIAL = (
    r"官员|干部|村干部|村支书|支书|书记|村长|村主任|主任|局长|副局长|处长|科长|股长|镇长|乡长|县长|区长|市长|所长|站长"
    r"|院长|校长|领导|公务员|工作人员|公职人员|民警|警察|城管|执法人员|村委|居委|党员|委员|法官|检察官|(?<!保安)队长|会计|网格员"
    r"|街道办|镇政府|乡政府|政府|局里|部门"
)
_ADMIN_BODY = (
    r"交警|城管|执法|市场监管|市监|工商|税务|环保|生态环境|公安|派出所|交通|运管|住建|卫健|卫生|消防|自然资源|规划|局"
    r"|政府|街道|乡镇|镇|综合执法|行政|人社|社保|医保|民政|教育|应急|海关|车管所|治安"
)
_DECISION = (
    r"认定" + _NC + r"{0,8}(?:违建|违章|违法建筑|违法)|(?:违建|违章建筑|违法建筑)" + _NC + r"{0,3}(?:要拆|限期拆|拆除|强拆)|限期拆除|拆除通知|责令拆除"
    r"|不给(?:我|我们)?(?:办理|办|批|登记|发|审批)(?:证|照|手续|执照|许可)|行政处罚|处罚决定|罚款决定|罚单|罚款|处罚|处理决定|行政决定|决定书|吊销|暂扣|责令|行政拘留|拘留|强制拆除|拆除决定"
    r"|征收决定|补偿决定|不予(?:许可|登记|批准|受理|认定)|不(?:给)?认定|工伤认定|认定结论|行政强制|扣分|扣车|查封|扣押|没收|强拆"
    r"|扣(?:了)?(?:我(?:的)?)?(?:车|驾照|驾驶证|执照|营业执照)|罚(?:了)?(?:我|我们|我家|我们家)?(?:的)?(?:店|车|公司|超市|饭店)?[0-9一二两三四五六七八九十百千]+"
    r"|被罚|罚了?款|扣了?分|不给(?:我|我们)?认定"
)
_THIRD_PARTY = (
    r"别人|他人|某人|他|她|对方|这个人|那个人|此人|该人|老公|丈夫|老婆|妻子|前夫|前妻|男朋友|女朋友|男友|女友|邻居|欠款人"
    r"|欠钱的人|老赖|债务人|小三|情人|车主|业主|租户|房客|网友|同事|同学|老同学|亲戚|前对象|对象|前男友|前女友|楼上|楼下|隔壁|那家|这家"
    r"|他家|她家|女子|男子|女的|男的|这个号码|这个手机号|这个号|这个车|这辆车|这个车牌"
)
_PERSONAL_ITEM = (
    r"身份证(?:号码|号)?|身份信息|个人信息|住址|家庭住址|住哪|住在哪|家在哪|手机号(?:码)?|电话号码|电话|联系方式|开房记录|住宿记录"
    r"|酒店记录|行踪|定位|位置|户籍|户口|银行卡|流水|存款|通话记录|聊天记录|社保信息|工作单位|在哪上班|名字|姓名|车主信息|婚姻状况|病历"
    r"|犯罪记录|前科|违法记录|婚史|财产|房产信息"
)

# Public officials and public employees (a private company's manager is not a matter for 纪检监察).
_PUBLIC_OFFICIAL = (
    r"科长|局长|处长|所长|镇长|乡长|县长|区长|市长|书记|支书|村长|村主任|村干部|村委|村官|社区主任|居委会?主任|街道主任|主任科员"
    r"|站长|股长|科员|民警|警察|辅警|交警|片警|城管|执法人员|执法队员|公务员|公职人员|干部|官员|校长|教导主任|院长|园长"
    r"|(?:政府|局|所|站|街道|镇|乡|社区|村委会?|居委会?|派出所|办事处)(?:里|里面)?(?:的)?(?:领导|工作人员|干部|人)"
)
# Misconduct told without 贪污/受贿: taking money or gifts, kickbacks, gambling or drinking on duty,
# a public car for private errands, favouritism.
_THIRD_PARTIES = r"人家|别人|他人|老板|商户|商家|摊贩|家长|学生家长|开发商|企业|对方|当事人|包工头|病人|患者|他|她"
_THIRD_PAYER = r"(?:" + _THIRD_PARTIES + r")"
_PAYER = r"(?:" + _THIRD_PARTIES + r"|群众|村民|居民|申请人|我们|我)"
_MISCONDUCT = (
    r"(?:收|拿|要|索要|收受|接受)(?:了)?" + _PAYER + r"?(?:送|给)?(?:的)?(?:现金|好处|礼品|礼物|礼(?!貌|拜|堂|让|节|仪|服)|烟酒|购物卡|红包|回扣|好处费"
    r"|感谢费|辛苦费|茶水费)(?!包|费标准)"
    r"|(?:收|拿)(?:了)?" + _THIRD_PAYER + r"(?:的)?(?:钱|[0-9一二两三四五六七八九十百千万几]+(?:块|元|万|千))"
    r"|(?:收|拿|要)(?:了)?" + _PAYER + r"?(?:的)?(?:钱|好处|[0-9一二两三四五六七八九十百千万几]+(?:块|元|万|千))(?:才|就|以后|后|之后)"
    r"(?:给|让|帮|办|批|盖章|签字|放行|通过|不管|不罚|不查)"
    r"|(?:私下|偷偷|私自|背地里)(?:里)?(?:收|拿|要)(?:了)?(?:钱|好处|礼)|(?:不给|不送|不塞)(?:钱|礼|好处|红包)(?:就)?不(?:给|办|批|盖章|签字|让)"
    r"|(?:给|送|塞)(?:了)?(?:钱|礼|红包|好处|烟酒|购物卡)(?:才|就)(?:给|办|批|盖章|签字|让|能)"
    r"|(?:吃|拿|收|要)回扣|回扣"
    r"|(?:上班|工作|值班|办公|执勤)(?:时间|时候|期间)?(?:在|跑去|去|就)?" + _NC + r"{0,6}(?:赌博|赌钱|打麻将|搓麻将|打牌|玩牌|斗地主|炸金花|喝酒|酗酒|玩游戏|炒股)"
    r"|(?:办公室|单位|村委会?|居委会?|所里|局里)(?:里)?" + _NC + r"{0,4}(?:赌博|赌钱|打麻将|搓麻将|打牌|炸金花)|聚众赌博|参与赌博|参赌|聚赌"
    r"|(?:开|坐|用|拿|开着)(?:着)?(?:单位|公家|政府|局里|所里|村里)?(?:的)?(?:公车|公务车|警车|执法车|单位的车|公家的车|单位车)"
    + _NC + r"{0,6}(?:接|送|去|回|办私事|旅游|钓鱼|买菜|拉货|婚|私用|自己用|跑私活)"
    r"|公车(?:接送|办私事|回老家|私用|钓鱼|旅游)"
    r"|照顾(?:关系户|亲戚|熟人|自家人|自己人)|关系户|走后门|开后门|暗箱操作|任人唯亲|徇私|包庇|偏袒(?:他|她|自己)?(?:的)?(?:亲戚|关系户|熟人|自家人|自己人|家里人)"
    r"|(?:把|给)(?:他|她)?(?:自己)?(?:的)?(?:亲戚|家人|儿子|女儿|老婆|小舅子|关系户|熟人)" + _NC + r"{0,6}(?:安排|办|批|评上|当上|进)"
    r"|安排(?:自己)?(?:的)?(?:亲戚|儿子|女儿|老婆|小舅子|家属)(?:进|到|当|上|去)"
)

# A court case already filed, and a request to push or sway it (催法官, 让对方先给钱, 帮我们判).
_PUSH_CASE = (
    r"(?:催|督促|催促|敦促|盯)(?:一下|一催|催|着)?(?:法官|法院|开庭|判决|审理|立案|结案)"
    r"|(?:跟|给|和|找|向|让)(?:法院|法官|审判长|承办法官)(?:打(?:个|声)?招呼|说(?:说|一下|一声|句话)?|讲(?:讲|一下)?|沟通|协调|施压|通融)"
    r"|(?:让|叫|要|要求|督促)(?:法院|法官)" + _NC + r"{0,4}(?:快点|尽快|早点|赶紧|抓紧)?(?:判|审|开庭|立案|结案)"
    r"|(?:法院|法官)(?:快点|尽快|早点|赶紧|抓紧)(?:判|审|开庭|立案|结案)"
    r"|(?:你们|热线|(?<!\d)12345(?!\d))(?:能|能不能|可以|给|帮)?(?:帮我|给我)?(?:催催|催一下|催一催|督促一下)"
    r"|(?:帮|替|给)(?:我|我们)(?:判|断)(?:一下|一判|个|了|赢)?|(?:你们|热线|(?<!\d)12345(?!\d))(?:来|给|帮)?(?:判|断)(?:一下|一判|个|了)|判(?:我|我们)(?:赢|胜诉)"
    r"|(?:先|提前)(?:让|叫|要|逼|催)(?:对方|他|她|被告|他们|那边|公司|老板)" + _NC + r"{0,8}(?:给|还|赔|付|退|把钱)"
    r"|(?:让|叫|要|逼|催)(?:对方|他|她|被告|他们|那边|公司|老板)(?:先|提前)" + _NC + r"{0,6}(?:给|还|赔|付|退|把钱)"
)
_CASE_PENDING = (
    r"(?:已经|已|都)?(?:立案|起诉|受理|开庭|排期|在审|审理中|等开庭|等判决|没判|还没判|未判|没开庭|还没开庭|等着判|打官司|诉到法院|告到法院)"
    r"|(?:法院|案子|官司)" + _NC + r"{0,4}(?:受理|在审|审着|还没判|没判|没开庭|拖着|等着)"
)

# The hotline asked to rule on a dispute itself (你们判他赔钱, 给定个性, 评评理判一下归谁).
_RULING = (
    r"(?:你们|热线|(?<!\d)12345(?!\d)|政府|你)(?:来|给|帮|替)?(?:我|我们)?(?:判|断|裁|评判|判定|定性|裁决|定夺|做主判)(?:一下|一判|个|了)?"
    r"(?!决书|水|电|气|网|供|货|联系)"
    r"|(?:给|帮|替)(?:我|我们|他|她)?(?:作|做|下)?(?:个|一个)?(?:判|断|裁决|评判|判定|定个?性|定一下性|下个?结论|定个数|定个标准)(?:一下|一判|个|了)?"
    r"|到底(?:该|应该)(?:给|赔|补)多少|直接(?:裁定|裁决|认定|判定|判)(?!书)"
    r"|评评理|评个理|评理|(?:判|断|定|说)(?:一下)?(?:归谁|该归谁|谁对|谁有理|谁的责任|该谁赔|谁赔)"
    r"|(?:你们|热线)(?:说|评评|给说说|给评评|来说说)" + _NC + r"{0,8}(?:算不算|该不该|应不应该)"
)
# Words of an employment dispute (公司 or 老板 alone may be a shop: a consumer complaint).
_LABOUR = (
    r"辞退|辞了|开除|解雇|解除|劳动合同|劳动关系|劳动争议|工伤|加班|赔偿金|经济补偿|补偿金|试用期|用人单位|旷工|调岗|降薪"
    r"|工资|工钱|年假|雇主|包工头|把我开了|把我炒了|炒鱿鱼"
)
_LAND_CONTRACT = r"土地承包|承包地|承包合同|承包田|责任田|口粮田|土地流转|流转|地界|确权|承包经营|租地|包地|承包" + _NC + r"{0,6}地"
_CONTRACT = r"合同|违约"
# Only unpaid wages (欠薪, 拖欠工资): the hotline passes it to 劳动监察, so it stays in scope.
_WAGES_ONLY = (
    r"^(?=.*(?:欠薪|拖欠|欠(?:我|我们)?" + _NC + r"{0,6}(?:工资|工钱|薪)|(?:工资|工钱)" + _NC + r"{0,4}(?:没发|不发|不给|没给|要不回|拿不到)))"
    r"(?!.*(?:工伤|辞退|开除|解雇|解除|赔偿|补偿|加班费|双倍|违约|合同))"
)
# The employer made to pay compensation (after 工伤认定, a dismissal ...), not wages.
_MAKE_EMPLOYER_PAY = (
    r"(?:让|叫|(?<!以)要|逼|督促|强制)(?:老板|公司|单位|厂里|厂子|雇主|包工头|用人单位|东家)" + _NC + r"{0,10}"
    r"(?:按(?:标准|规定|法律|国家规定)?赔|赔(?!(?:我|我们)?(?:的)?(?:工资|工钱|薪))|补偿|给(?:我|我们)?(?:赔偿|补偿|赔偿金|双倍工资|工伤待遇|伤残补助))"
)

_RULES: tuple[_Rule, ...] = (
    # ---------------------------------------------------------------- privacy (always a matter)
    _r("privacy", r"(?:举报|投诉|反映)(?:我|我们)的人(?:的)?(?:电话|名字|姓名|信息|身份|是谁|住哪|住址)|(?:举报|投诉|反映)(?:我|我们)?的(?:人)?是谁|谁(?:举报|投诉|反映)(?:的)?(?:我|我们)|(?:举报人|投诉人|反映人)(?:是谁|的(?:名字|姓名|电话|信息|身份))"),
    _r("privacy", r"人肉(?:搜索)?|开房记录|住宿记录|(?:查|定位|追踪)" + _NC + r"{0,6}(?:行踪|手机定位)"),
    _r(
        "privacy",
        r"(?:查|查询|查一下|查查|告诉我|提供|给我|帮我找|帮我查|调取|调出|要到|要一下|要个|想要|找到|获取|打听)" + _NC + r"{0,8}?(?:"
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
    _r("privacy", r"(?:帮我|帮忙|给我|你们)查(?:个|一个)人(?![\u4e00-\u9fff])|(?:帮我|帮忙|给我)(?:查|找)(?:个|一个)人(?:叫|名叫)"),
    _r(
        "privacy",
        r"(?:" + _THIRD_PARTY + r"|老[\u4e00-\u9fff])" + _NC + r"{0,12}(?:一个月|一年|每月)?(?:到底)?(?:挣|赚|拿)(?:多少|几)(?:钱|万|千)"
        r"|(?:" + _THIRD_PARTY + r"|老[\u4e00-\u9fff])" + _NC + r"{0,8}(?:的)?(?:工资|收入|存款|退休金)(?:到底)?(?:是)?多少",
        needs=r"查|告诉我|说说|透露|打听|给我",
    ),
    _r(
        "privacy",
        r"把" + _NC + r"{0,6}(?:" + _THIRD_PARTY + r")" + _NC + r"{0,4}?(?:的)?(?:" + _PERSONAL_ITEM + r")" + _NC
        + r"{0,4}(?:告诉我|给我|发给我|提供给我)",
    ),
    _r(
        "privacy",
        r"(?:找出|查出|查到|查一下|告诉我|帮我查|帮我找|提供)" + _NC + r"{0,16}的人的(?:" + _PERSONAL_ITEM + r")",
    ),
    _r(
        "privacy",
        r"(?:" + _THIRD_PARTY + r")" + _NC + r"{0,6}?(?:的)?(?:" + _PERSONAL_ITEM + r")" + _NC
        + r"{0,6}(?:能给我|给我|告诉我|发给我|提供给我|发我)(?!打|回|来)",
    ),
    # ---------------------------------------------------------------- secrets (鞍山条例第十五条第三项; 通辽第十一条;
    # 潍坊第十九条; 天津第十三条): asking the hotline to obtain, pass on or disclose one, or a leak
    _r("secrets", r"国家秘密|国家机密|泄密|泄露(?:了)?(?:国家|军事)?(?:秘密|机密)|(?:绝密|机密|秘密|涉密)(?:级)?(?:的)?(?:文件|材料|资料|信息|内容|档案|图纸)"
                  r"|军事(?:禁区|设施|基地)" + _NC + r"{0,6}(?:拍|照片|坐标|位置|图)"),
    _r("secrets", r"(?:工作秘密|内部文件|内部资料|内部材料|内部通知|内部讨论|会议纪要|领导批示)" + _NC + r"{0,8}(?:给我|发给我|发我|提供|透露|告诉我|拿到|看看|复印|拍给我)"
                  r"|(?:给我|发给我|发我|提供|透露|告诉我|拿到|看看|复印)" + _NC + r"{0,6}(?:工作秘密|内部文件|内部资料|内部材料|会议纪要|领导批示)",
       unless=r"政策|公开|公告|通知原文|政府网站"),
    _r("secrets", r"商业秘密|(?:竞争对手|同行|别的公司|别家|对方公司|那家公司|这家公司)(?:的)?(?:配方|客户名单|客户资料|客户信息|报价|底价|成本价|技术资料|图纸|工艺)"
                  r"|(?:招标|投标|标)(?:的)?(?:底价|标底|评分细则|评标结果)" + _NC + r"{0,6}(?:提前|透露|告诉|给我|发我)"
                  r"|(?:提前|透露|告诉|给我|发我)" + _NC + r"{0,6}(?:标底|招标底价|投标报价)"),
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
        r"|(?:找|买|卖|介绍)(?:个|一个|了|了个|俩|两个)?(?:小姐|孩子|婴儿)(?:来|的渠道|去哪)?|(?:买|卖)(?:个|一个)?孩子"
        r"|(?:找|叫)(?:几个)?人" + _NC + r"{0,8}(?:打一顿|揍一顿|教训|收拾|修理)",
        unless=r"举报|投诉|打击|查处|拐卖|人贩子|有人在|被拐",
    ),
    _r(
        "public_order",
        r"瞒(?:过去|下来)|糊弄过去|蒙混过关|蒙过去|混过去|别让(?:人|他们|上面|民政|社保)?" + _NC + r"{0,4}查出来"
        r"|(?:躲避|逃避|躲开|躲过|逃过|规避)" + _NC + r"{0,6}(?:兵役|执行|追讨|债主|还债|债务|检查|年检|审查|调查)"
        r"|(?:开|弄|办|做)(?:个|一个|张|一张)?(?:假的?|有病的|虚假的?)(?:证明|病历|诊断|材料|发票)"
        r"|其实(?:没|没有)(?:啥|什么)?(?:大)?(?:病|毛病)",
        needs=r"帮我|帮忙|帮帮|想个?办法|有没有办法|你们认识|认识" + _NC + r"{0,6}的人|给点钱|给钱也行|辛苦费",
        unless=r"举报|投诉|查处|有人(?:在|开|办|做|卖)",
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
        r"|(?:收|要|拿|索要)(?:了)?" + _NC + r"{0,8}?(?:红包|好处费|回扣|礼金|贿|好处)|违规(?:吃喝|收礼|发放|经商|办企业)|违纪|违法乱纪"
        r"|(?:以|用)(?:权|职权)(?:压人|谋私)|(?:吃空饷|在编不在岗)|保护费"
        r"|(?:进|装进|揣进|塞进)(?:了)?(?:自己|个人)?(?:的)?腰包|侵占(?:集体|村集体|公家)|私自(?:卖|变卖|出租|占用)(?:了)?(?:集体|村里|公家)"
        r"|上班(?:时间)?(?:打麻将|喝酒|玩游戏|打牌|炒股)|收受(?:了)?(?:财物|钱物|礼品|礼金|购物卡|现金)"
        r"|(?:用|拿|花)(?:了)?公款" + _NC + r"{0,8}(?:为自己|给自己|自己家|家里|私人|装修|旅游|吃喝|买房|买车)"
        # 「修路的钱 上面拨下来的 路就修了一半 剩下的钱不知道哪去了」: public money gone, said plainly
        r"|(?:拨下来的|上面拨的|专项|集体的?|村里的?|修路的?|扶贫的?)" + _NC + r"{0,16}(?:钱|款|资金|经费)" + _NC
        + r"{0,4}(?:不知道|不晓得|没人知道)(?:都)?(?:哪去了|去哪了|花哪了|哪儿去了|干啥了|哪里去了)|去向不明"
        r"|(?:低保|补贴|补助|名额|指标|扶贫|救济|困难补助)" + _NC + r"{0,8}(?:都)?(?:给|分给|留给|批给)(?:了)?(?:他|她|自己)?(?:的)?"
        r"(?:亲戚|家人|家里人|亲属|儿子|女儿|老婆|兄弟|关系户|朋友)",
        needs=_OFFICIAL,
        unless=r"劳动合同|辞退|开除了?我|解雇|解除(?:了)?(?:我的)?(?:劳动)?(?:合同|关系)",
    ),
    _r("discipline", _MISCONDUCT, needs=_PUBLIC_OFFICIAL, unless=r"私立|民办|私营|私人(?:学校|医院|诊所)"),
    # asking for money to do their job (「不给两千块钱就给卡着」「给了钱的都批下来了」) over a public benefit or approval
    _r("discipline", r"不给" + _NC + r"{0,8}?钱(?:就)?(?:给)?(?:卡着|卡住|压着|不给办|不办|不批|不给批|不盖章)"
                     r"|给了钱(?:的)?(?:都|才|就)(?:批|办|给办|给批|盖章)",
       needs=r"低保|补贴|补助|救济|审批|批下来|办证|盖章|街道|社区|村委|村里|乡里|镇里|政府|窗口|民政|" + _OFFICIAL,
       unless=r"物业|开发商|中介|老板|公司|商家|房东"),
    _r(
        "discipline",
        r"(?:实名)?举报" + _NC + r"{0,8}(?:书记|村长|村主任|局长|副局长|镇长|乡长|县长|区长|市长|处长|科长|所长|干部|官员|公务员|支书|领导)"
        r"|(?:书记|村长|村主任|局长|镇长|乡长|县长|区长|处长|科长|所长|干部|官员|支书)" + _NC + r"{0,12}(?:我要|我想)?(?:实名)?举报",
        matter=False,
        unless=r"乱停|违停|噪音|占道|卫生|垃圾|不作为|态度",
    ),
    _r("discipline", r"纪委|纪检|监委|监察委|(?<!\d)12388(?!\d)", matter=False),
    # ---------------------------------------------------------------- petition (already under way)
    _r(
        "petition",
        r"信访(?:局|办|部门|办公室|中心)?(?:已经|已|都)?(?:受理|立案|登记|答复|回复|在办|办理|处理|转办|交办)(?:了|过|中)?"
        r"|(?:已经|正在|一直在|一直|还在)(?:走)?(?:信访|上访)|信访(?:件|事项|答复|复查|复核|程序|渠道|案件|编号|回执)"
        r"|(?:去|到|找|在|向|跟)(?:了|过)?(?:省|市|区|县|镇)?(?:信访局|信访办|信访部门|信访)" + _NC + r"{0,6}(?:反映|上访|信访|登记|递(?:交)?(?:了)?材料)?(?:过|了)"
        r"|(?:多次|好几次|几次|好多次|多回)(?:到|去|找)" + _NC + r"{0,6}(?:信访|上访)|(?:开始|起)(?:信访|上访)|(?:信访|上访)" + _NC + r"{0,5}(?:都|已经)(?:半年|一年|两年|几年|多年|好几年)"
        r"|信访(?:局|办|部门)?(?:的|给的|给我的|对我的|作出的|出具的)?(?:处理|答复|回复|处理意见|意见)(?:结果)?" + _NC + r"{0,4}(?:不满意|不服|不认可|不接受)"
        r"|上访(?:了|过|多年|好几年|好多次|多次)|越级上访|进京上访|信访(?:了|过)"
        # in the petition channel for a while: 信访好几年了, 信访局一直在办
        r"|(?:信访|上访)(?:了|过)?(?:都|已经)?(?:多年|好几年|好多年|好些年|几年|好久|很久|好几次|多次|好多次|一年多|半年|大半年"
        r"|[0-9一二两三四五六七八九十]+(?:年|个月|次))"
        r"|信访(?:局|办|部门|办公室|中心)?(?:一直|还|正|也)(?:说)?(?:在)?(?:办|处理|协调|调查|调解|跟进|督办|受理)",
    ),
    # ---------------------------------------------------------------- information disclosure
    _r(
        "info_disclosure",
        r"(?:申请|要求|请求|依申请)" + _NC + r"{0,12}公开" + _NC + r"{0,14}(?:文件|信息|资料|会议纪要|批文|批复|规划|红头文件|审批"
        r"|方案|补偿标准|补偿款|明细|发放|使用情况|征收|拆迁|预算|决算|合同|名单|依据|标准|账目|经费|报告|审计|环评|许可)|(?:公开|提供|调取|查阅|给我看|看一下|看看|查看|想要|拿到|索取|获取|弄到)" + _NC + r"{0,14}"
        r"(?:红头文件|会议纪要|批文|批复|审批材料|审批文件|征收方案|征收决定|补偿方案|征地(?:批复|文件)|规划(?:文件|许可)|立项文件|内部文件"
        r"|(?:政府|区政府|市政府|县政府|街道|镇政府)(?:的)?(?:正式)?文件"
        r"|(?:改造|工程|项目)?(?:的)?(?:预算|决算)(?:明细|报告)?|(?:改造|工程|项目)(?:资金|经费)(?:明细|使用情况))",
        matter=False,
        unless=r"村务|物业|业委会|账目公开|财务公开",
    ),
    _r("info_disclosure", r"申请(?:政府)?信息公开|依申请公开|政府信息公开(?:申请)?|走(?:个|什么|一下)?(?:政府)?信息公开"
       r"|信息公开(?:申请|程序|的程序|的手续)", matter=False),
    # A formal request (依据《政府信息公开条例》申请公开…, 请依法公开…) is a request, not a question.
    _r(
        "info_disclosure",
        r"依据" + _NC + r"{0,12}政府信息公开条例|(?:请|特|现|正式|依法)(?:依法)?(?:申请)?公开(?:以下|下列)|请依法公开"
        r"|申请公开(?:以下|下列)|(?:以|作为)公民(?:的)?身份申请",
    ),
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
        + r"{0,20}(?:不服|不认可|有异议|不合理|不公|冤|要撤销|想撤销|申请撤销|不接受|不同意|处罚错了|罚错了|乱罚"
        r"|撤销|推翻|不认(?!识|真|得)|不承认|复查|复核|重新(?:认定|审查|审核|决定|处理)|纠正|作废|撤回|收回(?:决定|处罚|成命)"
        r"|撤(?:了|掉)|免(?:了|掉)|取消(?:了|掉))"
        r"|(?:把|将)(?:这个?|该|那个?)?(?:决定|处罚|罚款|罚单|认定)(?:书)?(?:给)?(?:撤|撤销|取消|免|作废)(?:了|掉|销)?"
        r"|撤销" + _NS + r"{0,16}(?:处罚|罚款|决定|罚单)|(?:罚|处罚)(?:得)?(?:不对|错了|不合理)|不服(?:这个|该|此|这一)(?:决定|认定)",
        needs=_ADMIN_BODY + r"|违建|违章建筑|违法建筑|行政处罚|处罚决定|决定书|罚单|行政拘留|工伤认定|征收决定|补偿决定|不予|登记机关|不动产|房管",
    ),
    _r("admin_review", r"行政复议|复议|行政诉讼|告(?:政府|局|城管|交警|派出所)|民告官", matter=False),
    # ---------------------------------------------------------------- civil: disputes between private persons
    # (鞍山条例第十五条: 依法应当通过诉讼解决的事项) — a private landlord's deposit, money lent between
    # people, support within a family: mediation, legal aid and the court, never a work order that a
    # unit cannot act on. A company, an agency or wages owed stay with the hotline.
    _r("litigation", r"房东" + _NC + r"{0,16}?(?:不退|不给退|拒退|不肯退|要扣|扣了?|扣下|扣我|吞了?)(?:我的?|全部|一半)?(?:的)?押金"
                r"|押金" + _NC + r"{0,10}?(?:不退|不给退|不肯退|全扣|都扣|扣光|扣完)|(?:要|就)?扣(?:了|下|掉)?(?:我的?|全部|一半|所有)(?:的)?押金",
       private=True, needs=r"房东", unless=r"(?<!不是)(?:中介|公司|公寓|自如|平台|物业|开发商|商家|健身|驾校|学校|幼儿园|培训)"),
    _r("litigation", r"(?:借|欠)(?:了)?(?:我|俺|我们)(?:的)?" + _NC + r"{0,8}?(?:钱|块|万)" + _NC + r"{0,8}?(?:不还|赖账|不认账|不给)"
                r"|借钱不还|欠钱不还|欠债不还",
       private=True, unless=r"公司|单位|老板|工资|工钱|包工头|工头|网贷|平台|银行|政府|村里|村委|拆迁|补偿"),
    _r("litigation", r"(?:儿子|儿女|子女|闺女|女儿|孩子|仨儿子|俩儿子|几个孩子)(?:们)?" + _NC + r"{0,8}?(?:谁也|都|也)?(?:不管我|不养我|不赡养|"
                r"不给(?:我)?(?:钱|生活费|养老钱|赡养费)|不尽赡养)|赡养费|不尽赡养义务|不履行赡养",
       private=True, unless=r"低保|养老院|敬老院|社区不管|政府"),
    # ---------------------------------------------------------------- litigation (a filed case pushed)
    _r("litigation", _PUSH_CASE, needs=_CASE_PENDING, unless=r"仲裁"),
    # ---------------------------------------------------------------- arbitration
    _r(
        "arbitration",
        r"仲裁(?:裁决|结果|书|决定|庭|员|委(?:员会)?(?:已经|已)?(?:裁|判|裁决|受理|开庭|立案))|(?:已经|正在|在)(?:申请|走|打)?(?:了)?(?:劳动)?仲裁"
        r"|(?:仲裁|裁决)" + _NC + r"{0,10}(?:不服|不公|不执行|不履行|不给|不认|输了|赢了)|不服" + _NC + r"{0,6}仲裁|仲裁(?:后|之后|以后|完)",
    ),
    _r("arbitration", r"劳动仲裁|商事仲裁|人事仲裁|申请仲裁|仲裁", matter=False),
    _r("arbitration", _RULING, needs=_LABOUR + "|" + _LAND_CONTRACT + "|" + _CONTRACT, unless=_WAGES_ONLY),
    _r("arbitration", _MAKE_EMPLOYER_PAY, needs=r"工伤|辞退|开除|解雇|解除|赔偿|补偿|伤残|双倍", unless=_WAGES_ONLY),
    # Compensation for a dismissal wanted or refused (「一分钱补偿不给 … 我想要N+1 该找谁」): the
    # employer's dispute goes to 劳动仲裁 first, not to a unit of the city.
    _r("arbitration", r"(?:想要|要|拿到|争取|主张|索要|讨)(?:个|到|回)?(?:n\+1|2n|n\+|经济补偿(?:金)?|赔偿金|补偿金|双倍(?:工资|赔偿))"
                      r"|(?:补偿|赔偿)(?:金)?" + _NC + r"{0,6}(?:不给|不赔|不肯给|拒绝|没给|一分(?:钱)?(?:都|也)?(?:不|没)给)",
       needs=r"辞退|辞了|开除|解雇|解除|把我开了|把我炒了|炒鱿鱼|裁员|劝退", unless=_WAGES_ONLY),
    # ---------------------------------------------------------------- litigation
    _r(
        "litigation",
        r"(?:强制|督促|让|要求|逼|叫)" + _NC + r"{0,8}(?:执行|履行)(?:法院)?(?:的)?(?:判决|裁定|调解书|调解协议)",
    ),
    _r(
        "litigation",
        _RULING + r"|(?:到底|究竟)?(?:该|应该)?(?:归谁|分给谁)|(?:到底|究竟|该|应该)(?:咋|怎么)分(?![配派摊流担工])|(?:应|该|应该)(?:分得|分到|得)(?:多少|的)(?:钱|利润|份额|数额)?",
        matter=False,
        needs=r"遗产|继承|房子|房产|财产|离婚|分家|去世|走了|留了|赡养|抚养|彩礼|股东|分红|合伙|出资|利润",
        unless=_LABOUR + "|" + _LAND_CONTRACT + r"|物业|开发商|公摊|车位|维修基金",
    ),
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
        r"(?:借|欠)(?:了)?(?:我)?(?:的)?" + _NC + r"{0,8}(?:钱|款)" + _NC + r"{0,6}不还|借款不还|欠款不还|欠钱不还|赖账",
        unless=r"工资|工钱|薪|劳务费|农民工|包工头|押金|预付|退费|退款|会员|物业|商家|开发商|培训|政府|单位",
    ),
    _r(
        "litigation",
        r"起诉|告(?:他|她|他们|它|对方|公司|单位|物业|开发商|房东|老板|医院|学校|邻居)|去法院|到法院告|法院告|打官司|官司|上诉|再审|申诉"
        r"|申请(?:强制)?执行"
        r"|诉讼|(?:财产|遗产|房产|抚养权|继承|合同|借贷|民事|经济)(?:分割)?纠纷|离婚" + _NC + r"{0,4}(?:财产|抚养权|彩礼)",
        matter=False,
        unless=r"法院门口|法院附近|法院旁边|法院路|公益诉讼|诉讼服务",
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
    r"帮我(?!解答|答|问|咨询|了解|说明|解释|看看|介绍)|替我|给我(?:改|判|处理|解决|查|办|撤销|做主)"
    r"|(?:你们|热线|(?<!\d)12345(?!\d))(?:能不能|能否|可不可以|可以|能)?(?:帮|给|去|来|出面)?(?:我)?(?:处理|解决|管|改|判|查|督促|催|撤销|做主"
    r"|主持公道|评评?理|评判|定夺|施压|打招呼)|(?:你们|热线|(?<!\d)12345(?!\d)|政府)(?:能不能|能否|可不可以|可以|能)?出面"
    # a formal request, not a question (依据《政府信息公开条例》申请公开以下信息；申请人：…)
    r"|申请人[:：]|(?:特|现|正式|依法)申请|申请公开(?:以下|下列)|请依法公开"
    r"|要求(?:热线|你们|政府)|请热线|(?<!\d)12345(?!\d)(?:帮|给|处理)|你们必须|我要求"
)
_NEGATED = re.compile(r"(?:不是|不想|不太想|不大想|不要|不用|没有|没|不打算|不愿意|不需要|不准备|不会|不打|不走|不去|能不|尽量不)(?:选择|考虑|想过)?(?:要|去|想)?(?:去|到|上)?(?:法院|仲裁委?)?$")
# A route named and set aside (说可以走诉讼，但我们只想把房子修好): what the citizen asks is the other thing.
_SET_ASIDE = re.compile(_NS + r"{0,12}?但(?:是)?(?:我们?|俺们?|咱)?(?:只想|不想|还是想|就想|先想|希望|想先)")
# A threat as emphasis inside an ordinary complaint (再不修我就去纪委告他们, 不然就去法院): not the request.
_THREAT = re.compile(r"(?:再不|要不|要是再不|不然|要不然|否则|实在不行|大不了|逼急了)" + _NC + r"{0,10}$")
# A case or a petition told as settled (这事已经了结, 那事儿早结了, 已经办结): what follows is the matter.
_SETTLED = re.compile(
    r"(?:这|那)(?:个)?事(?:儿|情)?(?:已经|早就?|早|都)?(?:了结|结了|过去了|解决了|完了)|已(?:经)?了结|早就?结了|已(?:经)?办结"
    r"|调解结案|已(?:经)?执行完毕|按(?:判决|调解书?)" + _NC + r"{0,12}(?:退|给|赔|付|砌|修|拆)"
)
# 法院, 纪委, 仲裁委 as a building or an office to reach (纪委旁边的公厕, 执行局的电话打不通).
_INSTITUTION_AS_PLACE = re.compile(
    r"(?P<office>委员会|委|局|院|庭|办|室|中心)?(?:的)?(?:办公楼|大楼|大院|门口|门前|旁边|附近|对面|楼下|院里|院内|停车场|大厅|厕所|公厕|电话|地址|上班时间|几点|办公时间|在哪)"
)
# 「…那件事我不再提。今天写信是因为另一件事：…」: what comes before is told as background.
_NEW_MATTER = re.compile(r"另(?:外)?一(?:件|个)(?:事|问题)|另外(?:有)?(?:件|个)(?:事|问题)|今天(?:写信|来电|打电话)(?:是)?(?:因为|是为了|想反映)")

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
    r"异地|户口|户籍|老家|(?<![要拿讨追找])回来|返乡|转回|迁回|迁到|迁入|转入|转移|转出|迁出|调档|备案|报销|公积金|上学|上大学|读书|念书|助学贷款"
    r"|学费|落户|学籍|档案|就医|垫(?:付|了)?(?:的)?钱|怎么报|咋报|能报|报多少|票子"
)
# Services the own city provides for something elsewhere (社保转移, 异地报销): in scope even when the
# other place is named with its district.
_CROSS_SERVICE = re.compile(r"异地|户口|户籍|迁回|迁到|迁入|转入|转移|转出|迁出|调档|备案|报销|落户|学籍|档案|助学贷款")


_OUTSIDE_CACHE: dict[tuple[object, ...], re.Pattern[str] | None] = {}


def _outside_pattern(profile: Profile) -> re.Pattern[str] | None:
    key = (profile.city, profile.province, profile.neighbours, tuple(sorted(profile.district_names())))
    if key not in _OUTSIDE_CACHE:
        _OUTSIDE_CACHE[key] = _build_outside_pattern(profile)
    return _OUTSIDE_CACHE[key]


def _build_outside_pattern(profile: Profile) -> re.Pattern[str] | None:
    province = re.sub(r"(?:省|市|自治区|(?:壮族|回族|维吾尔)自治区)$", "", profile.province)  # 内蒙古自治区 -> 内蒙古
    own = {profile.city, profile.city_short, profile.province, province}
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
        r"(?:(?P<p3>" + alt + r")(?:(?:省|市)[\u4e00-\u9fff*＊]{1,5}(?:区|县|市|镇|乡|街道)|(?!" + _NOT_A_PLACE_AFTER + r")[\u4e00-\u9fff]{1,4}?[区县](?![\u4e00-\u9fff]{0,2}(?:路|街)))"
        r"|(?P<before>" + _LOCATIVE_BEFORE + r")(?P<p1>" + alt + r")(?:省|市|自治区|地区)?(?!" + _NOT_A_PLACE_AFTER + r")"
        r"|(?P<p2>" + alt + r")(?:省|市|自治区)?(?!" + _NOT_A_PLACE_AFTER + r")[\u4e00-\u9fff]{0,3}?(?:的|那边|那里|这边|当地|本地)(?!人)"
        r"|(?P<p4>" + alt + r")(?:省|市)(?!" + _NOT_A_PLACE_AFTER + r"))"
    )


def _own_place_named(text: str, profile: Profile) -> bool:
    """The own city or one of its districts named as where something is, not as the hotline
    being asked (你们鞍山12345) or where the citizen came back to (回鞍山了)."""
    short = profile.city_short
    if short:
        own = re.escape(short) + r"(?:市)?"
        text = re.sub(r"你们" + own + r"(?:的)?(?:(?<!\d)12345(?!\d)|热线)?|" + own + r"(?:的)?(?:(?<!\d)12345(?!\d)|政务服务便民热线|便民热线|热线)"
                      r"|(?:回|回到|调回|搬回|来|来到)(?:了)?" + own + r"(?:老家)?"
                      r"|我(?:家|们家)?(?:人)?(?:现在)?(?:住|在)(?:在)?" + own +
                      r"|我是(?:" + own + r")?[\u4e00-\u9fff]{0,6}?(?:的)?(?:居民|市民|村民|业主|人)", "", text)
    if profile.find_district(text):
        return True
    return bool(short and re.search(re.escape(short) + r"(?:市)?(?!人|口音|户口|户籍|籍)", text))


_FAMILY_AWAY = re.compile(r"(?:儿子|闺女|女儿|孩子|老伴|爱人|老公|媳妇|孙子|孙女|外孙女?|儿媳|女婿|哥|姐|弟|妹|亲戚|家里人)(?:们)?(?:都|也|现在|一直)?(?:在|去了?|到)$")
_LIVES_THERE = re.compile(r"(?:省|市)?(?:上班|工作|打工|上学|念书|读书|上大学|读大学|当兵|做生意|成家|安家|定居|生活|住)")


def elsewhere(text: str, profile: Profile) -> str | None:
    """The other city a message says its matter happens in, or None."""
    found = _outside_city(prepared(text), profile)
    return found.matched if found else None


def _outside_city(text: str, profile: Profile) -> OutOfScope | None:
    rx = _outside_pattern(profile)
    if rx is None:
        return None
    m = rx.search(text)
    if m is None:
        return None
    if m.group("p1"):  # 在沈阳市和平区: read from the place on, it may be named with its district
        m = rx.match(text, m.start("p1")) or m
    if m.group("p3"):  # 沈阳市和平区…: named with its district, the matter is there
        if _CROSS_SERVICE.search(text):
            return None
    elif _own_place_named(text, profile) or _CROSS_REGION.search(text):
        return None
    if re.match(r"(?:的)?(?:游客|人(?!民)|居民|市民|户籍|籍)", text[m.end():]):
        return None  # where the citizen is from (吉林省四平市游客), not where the matter is
    named_at = next(m.start(g) for g in ("p1", "p2", "p3", "p4") if m.group(g))
    if _FAMILY_AWAY.search(text[max(0, named_at - 6): named_at]) and _LIVES_THERE.match(text, m.end()):
        return None  # 「儿子在大连上班」: the family's life story, not where the matter is
    place = m.group("p1") or m.group("p2") or m.group("p3") or m.group("p4")
    return OutOfScope("outside_city", place)


# ---------------------------------------------------------------- detection

def prepared(text: str) -> str:
    t = re.sub(r"\s+", "", normalize(text))
    new = _NEW_MATTER.search(t)
    if new:
        return t[new.end():]
    settled = [m for m in _SETTLED.finditer(t)]
    if settled:
        # the settled case is background: read from the end of its sentence on, if anything follows
        end = re.search(r"[。；;！!？?]", t[settled[-1].end():])
        rest = t[settled[-1].end() + end.end():] if end else t[settled[-1].end():]
        if len(rest) >= 8:
            return rest
    return t


def _asked_about(t: str) -> str | None:
    if not _HOW_TO.search(t) or _DEMAND.search(t):
        return None
    return next((r.route for r in _RULES if not r.matter and _applies(r, t)), None)


def asked_about(text: str) -> str | None:
    """The route a question asks how to use (劳动仲裁要交钱吗, 我对罚款不服，行政复议在哪申请):
    the hotline answers it with the route's procedure; it is not sent away."""
    return read(text)[1]


def detect(text: str, profile: Profile | None = None) -> OutOfScope | None:
    """The out-of-scope route for ``text``, or None when the hotline handles it."""
    return read(text, profile)[0]


def read(text: str, profile: Profile | None = None) -> tuple[OutOfScope | None, str | None]:
    """Both readings of ``text`` at once: (the route it is sent to, the route it asks how to use).
    A question about how to use a route is answered, even when the matter behind it is told too,
    so at most one of the two is set. The rules decide first; the learned reader (below) only
    names a route for a message they send nowhere."""
    found, asked, t = _rules(text, profile or load_profile())
    if asked or not t:
        return found, asked
    if found:
        return (None if _kept_in_scope(text, t) else found), None
    return _learned(text, t, profile or load_profile()), None


def rules_read(text: str, profile: Profile | None = None) -> str | None:
    """The route the rules alone send ``text`` to (None: in scope, or a question about a route)."""
    found, _, _ = _rules(text, profile or load_profile())
    return found.route if found else None


def _rules(text: str, profile: Profile) -> tuple[OutOfScope | None, str | None, str]:
    t = prepared(text)
    if not t:
        return None, None, t
    asked = _asked_about(t)
    if asked:
        # (a letter telling an official's misconduct that ends 「恳请纪检监察机关调查」 is answered with how to
        # reach that body too: sending such letters away outright found no more routes on the sealed half in
        # session 19 and refused one more in-scope letter, so it was taken back)
        return None, ("arbitration" if asked == "litigation" and employment_dispute(t) else asked), t
    for rule in _RULES:
        for m in rule.rx.finditer(t):
            if _context_allows(rule, t, m):
                if rule.route == "litigation" and employment_dispute(t):
                    # 「公司把我开了 一分钱补偿没有 … 我要告他们」: a dispute with an employer goes to 劳动仲裁
                    # before any court (劳动争议调解仲裁法 第五条)
                    return OutOfScope("arbitration", m.group(0)), None, t
                return OutOfScope(rule.route, m.group(0), rule.private), None, t
    return _outside_city(t, profile), None, t


def employment_dispute(text: str) -> bool:
    """A dispute with one's employer beyond unpaid wages (those the hotline takes: 劳动监察)."""
    t = prepared(text)
    return bool(_EMPLOYMENT_DISPUTE.search(t)) and not re.search(_WAGES_ONLY, t)


# A dispute with one's employer: the employer and what it did to the worker.
_EMPLOYMENT_DISPUTE = re.compile(
    r"(?=.*(?:公司|单位|厂里|厂子|工厂|老板|雇主|用人单位|东家|领导))"
    r"(?=.*(?:把我开了|把我炒了|开了我|辞退|辞了|开除|解雇|解除劳动|补偿|工伤|干活|上班|劳动合同|加班|试用期))"
)


# ---------------------------------------------------------------- the learned reader
# A linear reader over character n-grams (``routes.npz``, trained by ``python -m scripts.train_routes``
# on citizens' messages written and labelled for it) reads what no rule was written for: a dismissal
# argued point by point, an official's misconduct told as the story of an application, a matter in
# another city told as a life story. It sends a message away only from a threshold chosen out of fold
# so that at most 1.5% of the in-scope messages the rules leave alone are sent away.

ROUTES_WEIGHTS = Path(__file__).with_name("routes.npz")
IN_SCOPE = "none"
ROUTE_CLASSES: tuple[str, ...] = (IN_SCOPE, *(r for r in ROUTES if r != "secrets"))


class RouteModel(Model):
    """request_types' arithmetic; ``ask_below`` holds the threshold from which it sends away,
    ``veto_from`` the certainty of "in scope" from which it keeps what the rules send away."""

    veto_from = 1.01

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> RouteModel:
        m = cls([str(g) for g in params["vocab"]], params["idf"], params["weights"], params["bias"],
                tuple(str(c) for c in params["classes"]), float(params["ask_below"]))
        m.veto_from = float(params.get("veto_from", 1.01))
        return m


@lru_cache(maxsize=1)
def route_model() -> RouteModel | None:
    if not ROUTES_WEIGHTS.exists():
        return None
    return RouteModel.from_params(dict(np.load(ROUTES_WEIGHTS, allow_pickle=False)))


# The reader reads a matter told at some length; a short line (「我想去信访局反映」) is the rules' to read.
LEARNED_FROM_CHARS = 24


def _learned(text: str, t: str, profile: Profile) -> OutOfScope | None:
    m = route_model()
    return learned_route(m, m.ask_below, text, t, profile) if m is not None else None


def _kept_in_scope(text: str, t: str) -> bool:
    """Whether the reader is sure enough that a message the rules send away is the hotline's own
    (「立山区纪委监委大楼后面那条小道 冬天结冰了没人扫…」)."""
    m = route_model()
    if m is None or m.veto_from > 1.0 or len(t) < LEARNED_FROM_CHARS:
        return False
    return float(m.probabilities(text)[m.classes.index(IN_SCOPE)]) >= m.veto_from


def learned_route(m: Model, threshold: float, text: str, t: str, profile: Profile) -> OutOfScope | None:
    """The route the reader ``m`` sends ``text`` (``t``: as the rules read it) to from ``threshold``."""
    if len(t) < LEARNED_FROM_CHARS:
        return None
    p = m.probabilities(text)
    best = max((c for c in m.classes if c != IN_SCOPE), key=lambda c: float(p[m.classes.index(c)]))
    if float(p[m.classes.index(best)]) < threshold:
        return None
    if best in ("arbitration", "litigation") and re.search(_WAGES_ONLY, t):
        return None  # wages owed and nothing more: 劳动监察 acts on them, the hotline takes them
    if best == "outside_city":
        if _CROSS_SERVICE.search(t) or _own_place_named(t, profile):
            return None  # 「老家在辽阳，想把户口迁到鞍山」: a service between two places, or a place of the city named
        # the place, when the citizen names one the city profile knows is not its own
        rx = _outside_pattern(profile)
        named = rx.search(t) if rx is not None else None
        place = next((named.group(g) for g in ("p1", "p2", "p3", "p4") if named and named.group(g)), "")
        return OutOfScope("outside_city", place) if place else None  # no other place named: not sent away
    return OutOfScope(best, "", best == "litigation" and _PRIVATE_PARTIES.search(t) is not None)


_PRIVATE_PARTIES = re.compile(r"房东|借(?:了)?(?:我|给)|欠(?:我|俺)(?:的)?钱|合伙|亲戚|朋友|邻居|前夫|前妻|老公|媳妇|儿子|闺女|女儿|兄弟|姐妹")


def _context_allows(rule: _Rule, t: str, m: re.Match[str]) -> bool:
    if rule.needs and not rule.needs.search(t):
        return False
    if rule.unless and rule.unless.search(t):
        return False
    if _THREAT.search(t[max(0, m.start() - 14): m.start()]) or (not rule.matter and _SET_ASIDE.match(t, m.end())):
        return False
    place = _INSTITUTION_AS_PLACE.match(t, m.end())
    if place and (place.group("office") or re.search(r"(?:局|委|院|庭|办|室|中心)$", m.group(0))):
        return False
    return not _NEGATED.search(t[max(0, m.start() - 10): m.start()])


def _applies(rule: _Rule, t: str) -> bool:
    return any(_context_allows(rule, t, m) for m in rule.rx.finditer(t))
