"""The fast deterministic emergency layer.

``detect(text)`` says whether a citizen's message describes an emergency happening *now* and
which emergency numbers to give (110/119/120/122/96110). It has no I/O and no model, so it can
run before anything slow; every regular expression is compiled at import.

How it reads a message:

1. Normalise: NFKC (full-width digits, letters and punctuation to half-width), lower case, a few
   traditional characters to simplified, spoken numbers (幺幺零, 妖妖灵) to digits, common typos
   and symbols (车获, 煤汽, 电体, 🔥, 🚑) to the words they stand for.
2. Mask idioms and routine uses that only look like emergencies (火烧眉毛, 上火, 急死了, 打不着火,
   跳楼价 ...), keeping character positions.
3. Split into sentences (。！？ and new lines) and clauses (commas, spaces, 然后/而且/但是 ...).
4. Find trigger phrases per kind in every clause, then decide per trigger whether the context
   says it is not happening now: a past, hearsay or habitual time frame (the nearest time marker
   wins, so 「去年着过火，今天又着了」 is read clause by clause), a hypothetical or a hazard
   (万一, 如果, 容易着火, 消防隐患), a negation (没有人受伤), a question or consultation about the
   services (120怎么收费), a reference to an event already handled (火已经灭了, 孩子找到了).
   A non-actual frame carries over to the next clauses of the same sentence only when the clause
   that set it talked about an emergency, and any present marker (现在, 正在, 刚才, 又) resets it.
5. Anything left is an emergency: the most serious kind leads, the numbers of the others are
   added after its own. A message that is only an emergency number (「119！」) counts too.

Safety first: when the context is unclear the trigger stands. A false alarm costs a little; a
missed emergency costs much more.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

__all__ = ["KINDS", "Emergency", "detect", "mentions_emergency_words", "normalize"]

KINDS: tuple[str, ...] = (
    "fire",
    "gas",
    "lift",
    "medical",
    "self_harm",
    "violence",
    "missing_person",
    "domestic_violence",
    "fraud",
    "traffic",
    "traffic_injury",
    "disaster",
)

# Numbers per kind, most important first. Single triggers may override (e.g. 煤气中毒 -> 120, 119).
DEFAULT_NUMBERS: dict[str, tuple[str, ...]] = {
    "fire": ("119",),
    "gas": ("119",),
    "lift": ("119",),
    "medical": ("120",),
    "self_harm": ("110", "120"),
    "violence": ("110",),
    "missing_person": ("110",),
    "domestic_violence": ("110",),
    "fraud": ("110", "96110"),
    "traffic": ("122",),
    "traffic_injury": ("122", "120"),
    "disaster": ("119", "110"),
}

# When several kinds are found in one message the first of these leads.
PRIORITY: tuple[str, ...] = (
    "fire",
    "gas",
    "self_harm",
    "lift",
    "disaster",
    "traffic_injury",
    "domestic_violence",
    "violence",
    "medical",
    "traffic",
    "missing_person",
    "fraud",
)

# Kinds where someone being hurt adds 120 to the numbers.
_ADD_120_ON_INJURY = {"fire", "gas", "lift", "disaster", "violence", "domestic_violence"}


@dataclass(frozen=True)
class Emergency:
    kind: str                 # one of KINDS
    numbers: tuple[str, ...]  # numbers to call, most important first
    matched: str              # the phrase that triggered it (for the agents' urgent record)


# --------------------------------------------------------------------------- normalisation

_TRAD = str.maketrans(
    "氣電車禍傷燒煙災殺搶綁騙轉錢醫暈護報門裡裏們著鬥毆槍體洩頭腦風癇說話喚聲響過這還現剛麼嗎樓層間兩發來見無沒斷腳滅場廠時個燈開關窗廳廚呼喚嚇從墜溺濃黑衝沖臉歪癱搶劫懷孕產壓砸撞屍",
    "气电车祸伤烧烟灾杀抢绑骗转钱医晕护报门里里们着斗殴枪体泄头脑风痫说话唤声响过这还现刚么吗楼层间两发来见无没断脚灭场厂时个灯开关窗厅厨呼唤吓从坠溺浓黑冲冲脸歪瘫抢劫怀孕产压砸撞尸",
)
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
# Common typos and symbols for emergency words, mapped before anything else reads the text.
_SPELLINGS = (
    (re.compile(r"车获"), "车祸"),
    (re.compile(r"煤汽"), "煤气"),
    (re.compile(r"燃汽"), "燃气"),
    (re.compile(r"天然汽"), "天然气"),
    (re.compile(r"液化汽"), "液化气"),
    (re.compile(r"电[体提题]"), "电梯"),
    (re.compile(r"留血"), "流血"),
    (re.compile(r"喘不(上|过)(来)?起"), r"喘不\1\2气"),
    (re.compile(r"(?<![a-z])(?:elevator|lift)(?![a-z])"), "电梯"),
    (re.compile(r"🔥"), "火"),
    (re.compile(r"🔪"), "刀"),
    (re.compile(r"🩸"), "血"),
    (re.compile(r"🚑"), "救护车"),
    (re.compile(r"🚒|🧯"), "消防车"),
    (re.compile(r"🚓|👮"), "警察"),
)
_SPOKEN_NUMBERS = (
    (re.compile(r"妖妖灵|幺幺[零〇0]|一一[零〇]"), "110"),
    (re.compile(r"幺幺九|一一九|妖妖九"), "119"),
    (re.compile(r"幺二[零〇0]|一二[零〇]"), "120"),
    (re.compile(r"幺二二|一二二"), "122"),
)


def normalize(text: str | None) -> str:
    """NFKC, lower case, zero-width characters removed, spoken emergency numbers as digits."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text)
    t = _ZERO_WIDTH.sub("", t).lower().translate(_TRAD)
    for rx, digits in _SPOKEN_NUMBERS:
        t = rx.sub(digits, t)
    for rx, spelling in _SPELLINGS:
        t = rx.sub(spelling, t)
    return t.strip()


# Idioms and routine phrases masked before matching (they are vocabulary the layer knows is not
# an emergency). Each is replaced by the same number of "□" so positions stay put.
_MASK = "□"
_IDIOMS = re.compile(
    "|".join(
        [
            # fire and smoke used figuratively or in routine matters
            r"火烧眉毛|火烧屁股|火上浇油|火冒三丈|心急如焚|十万火急|趁火打劫|隔岸观火|玩火自焚",
            r"引火烧身|水深火热|热火朝天|如火如荼|火急火燎|急火攻心|上火|发火|火气|恼火|窝火",
            r"(?:气|急)得?直?冒火|心里冒火|肝火|虚火|火爆|火热|火锅|火车|火腿|火候|火速|火箭",
            r"火龙果|火红|红火|烟火气|人间烟火|小心火烛|烟酒|香烟|抽烟|吸烟|烟民|烟花|烟草|烟瘾",
            r"烟盒|烟头|二手烟|电子烟|油烟|烟囱|炊烟|烟消云散|打不着火?|点不着火?|打着火|打火机",
            r"点火(?:器|针|困难|失败|开关)|着火点|火力发电|火葬|火化",
            # death, injury and violence used figuratively
            r"(?:吵|烦|气|急|累|笑|热|冷|饿|困|忙|臭|愁|馋|坑|吓|晒|冻|闷|挤|穷|懒|丑|麻烦)(?:得|的)?(?:要)?死(?:了|人|我|我了|啦|掉)?",
            r"(?:想)?死的心都有(?:了)?|想死(?:你|您|我了)(?:们)?|死心|死机|死磕|死缠烂打|死胡同|死角|死贵|死扣|死板|死活|死记",
            r"要命(?:的)?|要了我的?老命|人命关天",
            r"伤心|伤脑筋|伤感|伤和气|中伤|伤不起|心血|血汗钱|血本|血拼|血压|血糖|血脂|献血|验血|抽血|血型|血常规|血透|血管",
            r"打官司|打官腔|打交道|打电话|打车|打卡|打针|打疫苗|打折|打扫|打听|打算|打工|打包|打印|打游戏",
            r"打麻将|打牌|打球|打水|打井|打药|打扰|打开|打款|打钱|打点滴|打吊瓶|打招呼|打理|打分|打造|打通",
            r"打黑|打非|打击|打拐|扫黑|打假|打掉|打补丁|打听",
            r"跳楼价|跳楼(?:大)?甩卖|跳槽|跳舞|跳绳|跳广场舞|跳闸|跳电",
            r"杀价|杀毒|杀虫|秒杀|杀菌|消杀|灭杀|杀熟",
            r"炸鸡|油炸|炸酱|炸串|炸街|炸锅|炸毛|炸群|气炸|轰炸|炸裂|炸了锅|炸糕|炸丸子",
            r"爆满|爆料|爆款|爆红|爆雷|暴雷|爆单|爆胎|爆表|爆米花|爆发户|火山爆发|爆竹",
            r"捅娄子|捅马蜂窝|捅破|捅出去|捅到",
            r"困难|困扰|困惑|困境|犯困|贫困|困户|解困|纾困",
            r"抢购|抢票|抢红包|抢单|抢修|抢险|抢占|抢车位|抢跑",
            r"晕车|晕船|晕机|晕头转向|晕乎",
            r"撞衫|撞脸|撞见|撞期|撞单|撞色",
            r"偷懒|偷工减料|偷税|偷排|偷倒|偷拍|偷看|偷听|偷电|偷水|偷气",
            r"骗保|骗补|骗取补贴|诈骗电话|骗人的|骗子公司",
            r"(?:系统|网站|网页|网络|手机|电脑|软件|app|机器|信号)[^,，。]{0,2}(?:崩溃|瘫痪|抽风|卡死|挂了|死机)",
            r"(?:你们?|他们|是不是|是)吃错药|吃错药了[吧吗]",
            r"救命钱|救命稻草|救命恩人|救命之恩|救命药",
            r"出血点|血本无归",
        ]
    )
)


def _mask_idioms(t: str) -> tuple[str, bool]:
    found = False

    def repl(m: re.Match[str]) -> str:
        nonlocal found
        found = True
        return _MASK * len(m.group(0))

    return _IDIOMS.sub(repl, t), found


# --------------------------------------------------------------------------- triggers

@dataclass(frozen=True)
class _Trigger:
    kind: str
    rx: re.Pattern[str]
    strong: bool = True                        # an event predicate; weak = a topic noun
    numbers: tuple[str, ...] | None = None     # overrides DEFAULT_NUMBERS[kind]
    injury: bool = False                       # implies a person is hurt
    unless_clause: re.Pattern[str] | None = None   # voids the trigger when found in the clause
    unless_message: re.Pattern[str] | None = None  # voids it when found in the message
    unless_before: re.Pattern[str] | None = None   # voids it when the text before it matches
    needs_message: re.Pattern[str] | None = None   # context needed somewhere in the message
    generic: bool = False                      # a cry for help that names no specific danger
    unless_match: re.Pattern[str] | None = None    # voids the trigger when the match itself has it
    needs_before: re.Pattern[str] | None = None    # must match the clause text just before it


def _t(kind: str, pattern: str, **kw: object) -> _Trigger:
    for key in ("unless_clause", "unless_message", "unless_before", "needs_message", "unless_match", "needs_before"):
        if isinstance(kw.get(key), str):
            kw[key] = re.compile(kw[key])  # type: ignore[arg-type]
    return _Trigger(kind, re.compile(pattern), **kw)  # type: ignore[arg-type]


# Building blocks (plain strings, joined into patterns below).
_NC = r"[^,，。;；!?！？]"  # any character inside a clause
PERSON = (
    r"(?:人|他|她|我|孩子|小孩|娃|宝宝|婴儿|儿子|女儿|闺女|孙子|孙女|外孙|老人|老头|老太|老爷子"
    r"|大爷|大妈|大娘|阿姨|叔叔|奶奶|爷爷|姥姥|姥爷|外婆|外公|爸|妈|父亲|母亲|老伴|老公|老婆|丈夫"
    r"|妻子|媳妇|哥|姐|弟|妹|邻居|同事|工人|师傅|学生|男的|女的|小伙|姑娘|路人|行人|病人|患者|家人"
    r"|朋友|室友|对象|男朋友|女朋友|先生|太太|司机|骑手|老师|同学|员工|大哥|大姐|小伙子|婆婆|公公)"
)
_RELATIVE = (
    r"(?:老公|丈夫|老婆|妻子|媳妇|男朋友|男友|女朋友|前夫|前妻|对象|爱人|孩子他爸|孩子爸|我爸|我妈"
    r"|爸爸|妈妈|父亲|母亲|儿子|女儿|公公|婆婆|继父|继母|后爸|后妈|哥哥|弟弟|家里人|那口子|酒鬼老公"
    r"|男人|我家那位|孩子他爹|他爹|他爸|亲戚|舅舅|叔叔|姐夫|妹夫|嫂子|女婿|儿媳)"
)
_GAS = r"(?:燃[气汽器]|煤[气汽]|天然[气汽]|然气|液化[气汽]|液化石油气|沼气|瓦斯|气罐|煤气罐|gas)"
_GAS_CONTEXT = _GAS + r"|灶|阀门|管道|热水器|壁挂炉|煤气|燃气|罐"
_NOT_GAS = r"轮胎|车胎|胎|气球|暖气|空调|冰箱|气垫|篮球|足球|皮球|充气|自行车|气门芯|打气|气泵"
_VEHICLE = (
    r"车|电动|摩托|三轮|自行车|单车|电瓶|公交|出租|货车|卡车|大车|小车|轿车|司机|骑手|外卖|渣土"
    r"|罐车|拖拉机|路口|马路|公路|高速|十字|红绿灯|斑马线|人行道|驾驶|开车|骑车|追尾"
)
_WEAPON = r"(?:刀|菜刀|砍刀|水果刀|匕首|尖刀|剪刀|棍子|棍|棒子|铁棍|钢管|斧头|斧子|锤子|榔头|枪|砖头|酒瓶|凶器|管制刀具|铁锹|镐)"
_POLLUTION = (
    r"烟囱|工厂|厂区|厂子|企业|排放|污染|烧烤|锅炉|秸秆|焚烧|烧垃圾|烧纸|烧荒|烧树叶|烧落叶|烧塑料"
    r"|尾气|柴油|下水道|井盖|热力|暖气|蒸汽|白气|热气|抽烟|吸烟|香烟|二手烟|油烟|扬尘|灰尘|雾霾"
)
_REAL_FIRE = r"着了?火|起火|失火|火苗|明火|火光|火势|烧起来|蔓延"
_FRAUD_CONTEXT = (
    r"骗|诈|冒充|陌生|客服|安全账户|刷单|兼职|投资|理财|贷款|验证码|屏幕|共享|拉黑|联系不上|不回"
    r"|删了|公检法|警察|公安|通缉|洗钱|冻结|杀猪盘|网恋|中奖|退款|理赔|征信|注销|不认识|链接|app"
    r"|会议|返利|充值|游戏币|代练|对方|自称|假冒|声称|新账户|陌生账户"
)
_MISSING_WHO = (
    r"孩子|小孩|儿子|女儿|闺女|娃|宝宝|宝贝|孙子|孙女|外孙|老人|老头|老太|老爷子|爸|妈|父亲|母亲|爷爷|奶奶|姥|外公|外婆"
    r"|老伴|小子|孩儿|丫头|崽|仔|伢|囡|老娘|老爹|娘|爹|弟弟|妹妹|学生"
)
_CONSUMER = (
    r"商家|店家|商场|超市|退货|质量|假货|缺斤少两|会员卡|预付卡|健身|培训|中介|房东|物业|装修"
    r"|开发商|网购|快递|外卖|淘宝|拼多多|京东|直播间|理发|美容|饭店|餐馆|4s店|车行|租房|押金"
)

_TRIGGERS: tuple[_Trigger, ...] = (
    # ------------------------------------------------------------------ fire
    _t("fire", r"着了?大?火|着了火"),
    _t("fire", r"(?<![干做])着(?:活|伙|货|或)(?:了|啦|拉|咯|嘞|喽)"),
    _t("fire", r"失火|起火|自燃|走水了|火灾了|发生(?:了)?火灾|燃起(?:了)?(?:大)?火|烧起(?:来|了)|烧了起来|又着了|着起来"),
    _t("fire", r"火灾|火情|火警", strong=False),
    _t("fire", r"(?<!发)烧着了|火烧到|烧到" + _NC + r"{0,3}(?:楼|屋|房|家|门|窗|阳台|车|这边|隔壁|二楼|三楼)"),
    _t("fire", r"火(?:越来越|很|特别|好|太|老|贼|可|非常|挺|巨|超|那么|这么)大|火势|火苗|火光|火焰|火舌|[窜蹿]火|火海|火球"),
    _t("fire", r"冒火(?:花|星)?|打火花|火花四溅|(?:有|起|着)明火|大火"),
    _t(
        "fire",
        r"(?:房子|屋子|屋|房|楼|家|车|厨房|仓库|柴火垛|草垛|柴垛|草堆|秸秆垛|工厂|厂房|店|商铺|饭店|车库"
        r"|电动车|电瓶车|电车|阳台|电线|电箱|配电箱|电表箱|楼道|山|林子|树林|垃圾堆|沙发|被子|床|窗帘)"
        + _NC + r"{0,2}着(?:了|起来|啦)",
    ),
    _t(
        "fire",
        r"(?:电线|电箱|电表|电闸|电瓶|电动车|电瓶车|电池|充电器|充电宝|电器|电视|插座|插板|插排|线路|配电"
        r"|变压器|空调|冰箱|热水器|电暖气|电热毯|油烟机)" + _NC + r"{0,4}(?:冒烟|冒火|打火|火花|烧焦|短路起火|烧了|冒黑烟)",
    ),
    _t(
        "fire",
        r"冒(?:了|出|起)?(?:好多|很多|大量|一股|一阵|一大股|滚滚)?(?:的)?(?:黑|浓|白|青)?烟|冒大烟|烟(?:很|特别|好|太|贼|老|可|非常|挺|巨|超|越来越)大|好大的烟|浓烟"
        r"|烟雾(?:很|特别|好)?大|黑烟滚滚|浓烟滚滚|(?:全|都|满)是烟|满屋(?:子)?(?:都是|全是)?烟"
        r"|(?:屋|家|楼道|走廊|厨房|房间|楼)(?:里)?(?:有|全是|都是|进|冒|灌)(?:了)?烟"
        r"|烟(?:冲|往|窜|飘|灌|钻)" + _NC + r"{0,3}(?:上|进|过来|楼|屋)|呛得" + _NC + r"{0,4}(?:睁不开|出不去|喘不)",
        unless_message=r"(?:" + _POLLUTION + r")(?![^,，。]{0,20}(?:" + _REAL_FIRE + r"))",
    ),
    _t(
        "fire",
        r"烧(?:东西|什么东西|什么)(?:的)?(?:味|气味)|(?:有|一股|好大的|很浓的|很大的)烟味|烟味(?:很|特别|好|越来越)?(?:大|重|浓|呛)",
        unless_message=r"(?:" + _POLLUTION + r")(?![^,，。]{0,20}(?:" + _REAL_FIRE + r"))",
    ),
    _t("fire", r"烧焦(?:的)?(?:味|气味)|焦糊(?:的)?味|糊(?:的)?味|焦味|胶皮味|烧(?:塑料|电线|橡胶)(?:的)?味|塑料(?:烧)?焦|电线(?:烧)?焦|烧焦了", unless_clause=r"饭|菜|锅巴|烤"),
    _t(
        "fire",
        r"(?:烟感|烟雾报警器|火灾报警器|火警报警|消防报警)" + _NC + r"{0,4}(?:响|叫|鸣|报警)",
        strong=False,
        unless_clause=r"误报|坏|没电|电池|故障|乱响|维修|检修|测试",
    ),
    _t("fire", r"放火|纵火|(?:点着|点燃|引燃)了|泼(?:了)?汽油|浇(?:了)?汽油|要烧(?:房子|死)", numbers=("119", "110")),
    _t(
        "fire",
        r"爆炸|爆燃|闪爆|一声巨响|(?:罐|瓶|锅|炉|电池|充电宝|电瓶|手机|电动车|电车|变压器|燃气|煤气|管道|热水器|灶|锅炉|仓库|工厂|厂房)"
        + _NC + r"{0,3}(?:炸了|炸开|爆了|要炸|要爆)",
        unless_clause=r"暖气|水管|自来水|下水|轮胎|气球|爆管",
    ),
    _t("fire", r"(?<![a-z])(?:fire|smoke)(?![a-z])|火{3,}|(?:家|屋|房子|楼|厨房|楼道|车|仓库)里?(?:着|起|失)?火了"),
    _t("fire", r"(?:快|赶紧|马上|立刻|赶快|帮我|帮忙|麻烦|请)(?:帮我)?(?:打|拨|叫|喊|联系)(?:一下|个|一辆|辆)?(?:119|消防车|消防队|消防)"),
    _t("fire", r"(?:打|拨|叫)(?:一下|个)?(?:119|消防车)", strong=False),
    _t("fire", r"(?:119|消防车|消防员|消防队)" + _NC + r"{0,4}(?:还没|还不|怎么还|咋还|一直没|半天没)(?:来|到)"),
    # ------------------------------------------------------------------ gas
    _t("gas", _GAS + _NC + r"{0,4}(?:味|气味)"),
    _t("gas", _GAS + _NC + r"{0,6}(?:泄漏|泄露|漏气|漏了|跑气|呲气|滋滋|嘶嘶|漏|往外冒|冒气)"),
    _t(
        "gas",
        r"泄漏|泄露|漏气|跑气|呲气|喷气|往外喷|呲呲|嘶嘶|滋滋|阀门关不上|关不上阀门|(?<![a-z])leak(?![a-z])",
        needs_message=_GAS_CONTEXT,
        unless_clause=_NOT_GAS,
    ),
    _t("gas", r"臭鸡蛋味", unless_message=r"下水道|化粪池|污水|排水|厕所|马桶|地漏|垃圾|河|沟|池塘|坏鸡蛋|鸡蛋坏|养殖|粪"),
    _t("gas", r"(?:燃[气汽]|煤[气汽]|天然[气汽]|可燃气体|一氧化碳)报警器" + _NC + r"{0,4}(?:响|叫|鸣|报警)"),
    # ------------------------------------------------------------------ lift
    _t("lift", r"(?:困|关|卡|锁|夹)(?:在|住在)?" + _NC + r"{0,3}(?:电梯|轿厢|梯)(?:里|中|内|当中)"),
    _t("lift", r"(?:被困|困在|关在|卡在|困住)" + _NC + r"{0,2}(?:电梯|轿厢)"),
    _t(
        "lift",
        r"(?:电梯|扶梯|轿厢)" + _NC + r"{0,6}(?:困人|困住|困了|关人|关了人|关住|被困|卡人|夹人|夹住|夹到|坠落|下坠|掉下去|往下掉"
        r"|突然掉|下滑|溜车|冲顶|蹲底|失控|急坠|里有人出不来|(?:里面|里)出不[来去]|被关)",
    ),
    _t("lift", r"(?:电梯|轿厢)" + _NC + r"{0,6}(?:卡|停|悬|坏)在" + _NC + r"{0,6}(?:中间|之间|半空|半截|半道)"),
    _t(
        "lift",
        r"电梯" + _NC + r"{0,4}(?:卡住|停住|不动了|突然停|停了|坏了|门打不开)",
        needs_message=r"里面有人|人在里面|有人在里面|困在|关在|(?:里面|里)出不[来去]|被关|孩子在里|老人在里|在电梯里|我在里面|夹",
    ),
    _t("lift", r"困梯|梯内被困|电梯困人", strong=False),
    _t("lift", r"夹在(?:了)?(?:中间|门里|门缝|门中间)|被(?:电梯)?(?:门)?夹住", needs_message=r"电梯|扶梯|轿厢", injury=True),
    _t(
        "lift",
        r"(?:关|困|卡|锁)在(?:了)?(?:里面|里头|里边)|(?:里面|里头|里)(?:有人)?出不[来去]|(?:有人|孩子|老人|我|人)(?:还|都|也)?(?:被)?(?:关|困)?在(?:里面|里头)",
        needs_message=r"电梯|轿厢",
        unless_clause=r"家里|屋里|房间|车里|厕所|卫生间",
    ),
    # ------------------------------------------------------------------ medical
    _t("medical", r"(?:晕|昏|撅|厥)(?:倒|到|过去|了过去|厥|迷)|不省人事|人事不省|休克|背过气|抽过去|不醒人事"),
    _t("medical", r"晕了", needs_before=PERSON + _NC + r"{0,2}$"),
    _t(
        "medical",
        r"叫不醒|喊不醒|叫不应|喊不应|叫不答应|(?:叫|喊|推|拍|摇)" + _NC + r"{0,3}(?:没反应|不醒|不动)"
        r"|没(?:有)?(?:了)?意识|意识不清|神志不清|没知觉|醒不过来|还没醒|一直没醒|不醒了",
    ),
    _t("medical", r"没(?:有)?反应|不动了|一动不动|动不了了|没动静了", needs_before=PERSON + _NC + r"{0,3}$"),
    _t(
        "medical",
        r"没(?:有)?(?:了)?呼吸|不喘气|呼吸困难|喘不上(?:来)?气|喘不过(?:来)?气|上不来气|透不过气|呼吸不上来"
        r"|没(?:有)?心跳|心跳(?:停|没)了|没(?:有)?脉搏|窒息|憋得" + _NC + r"{0,3}(?:发紫|上不来|喘不)",
        unless_clause=r"(?:累|气|笑|压|跑|爬|急|烦|忙|堵|闷)得|令人窒息|窒息的操作",
    ),
    _t("medical", r"没(?:了)?气(?:了|儿)", needs_before=PERSON + _NC + r"{0,3}$"),
    _t("medical", r"咽气|断气"),
    _t(
        "medical",
        r"胸口(?:疼|痛|闷|憋|剧痛|压)|胸(?:痛|闷)|心口(?:疼|痛|窝疼)|心脏(?:疼|痛|难受|不舒服|骤停|停跳|病(?:犯|发作|又犯))"
        r"|心脏病(?:犯|发)|心(?:脏)?病突发|心梗了|中风了|脑梗了|突发(?:心梗|脑梗|中风|脑出血|脑溢血)",
    ),
    _t(
        "medical",
        r"心绞痛|心梗|心肌梗|中风|脑梗|脑溢血|脑出血|脑卒中|癫痫|骨折|烧伤|烫伤",
        strong=False,
        unless_before=r"(?:有|患|患有|得了|得过|查出)$",
    ),
    _t(
        "medical",
        r"半边(?:身子|身体|脸|手脚)" + _NC + r"{0,4}(?:动不了|麻|不能动|没知觉|没劲|不听使唤|不会动)"
        r"|半身(?:动不了|不能动|麻)|一边身子" + _NC + r"{0,4}(?:动不了|麻|不能动)|嘴(?:巴)?歪|口(?:角|眼)歪斜"
        r"|(?<!得)说不出话|说话(?:说)?不清|说不清话|吐字不清|口齿不清"
        r"|(?:一只|一边|半边|单侧|一侧)(?:手|胳膊|腿|脚|手脚|身体)" + _NC + r"{0,2}(?:没劲|没力气|动不了|发麻|麻了|抬不起来|不听使唤)|舌头(?:发硬|不听使唤|打结|发麻)|大舌头了",
    ),
    _t(
        "medical",
        r"疼得(?:打滚|直打滚|满地打滚|受不了|站不起来|动不了|晕|昏|直冒冷汗|冒冷汗|不行|要命)|剧痛|绞痛|疼晕"
        r"|(?:脸色|嘴唇|脸|嘴)(?:都)?(?:发紫|发青|煞白|惨白|发黑|青紫)",
        unless_clause=r"吵|噪音|装修|气得|烦得|头疼的问题|伤脑筋",
    ),
    _t("medical", r"抽搐|抽风|羊角风|羊癫疯|癫痫(?:发作|犯了|又犯)|口吐白沫|翻白眼|浑身抽|四肢抽|惊厥"),
    _t(
        "medical",
        r"(?:煤气|燃气|一氧化碳|煤烟|co)中毒|中了?煤烟|煤烟熏|熏着了|熏倒",
        numbers=("120", "119"),
    ),
    _t("medical", r"中毒了|中毒(?:昏迷|晕|呕吐|抽)|误服|误食|误喝|吃错(?:了)?药|药(?:吃|喝)多了|(?:吃|喝)多了药|过量服|服药过量"),
    _t("medical", r"(?:食物|农药|药物|酒精|蘑菇|菌子|化学品|亚硝酸盐)中毒|中毒", strong=False),
    _t(
        "medical",
        r"(?:喝|吃|吞|误服|误喝|舔)(?:了|下)?" + _NC + r"{0,4}(?:消毒液|84|洗洁精|洗衣液|漂白|清洁剂|硫酸|盐酸|敌敌畏|百草枯|老鼠药|耗子药"
        r"|农药|汽油|煤油|洗衣凝珠|干燥剂|杀虫剂|除草剂)",
        unless_before=r"(?:想|要|准备|打算|说要)$",
    ),
    _t(
        "medical",
        r"吞(?:了|下)(?:电池|硬币|异物|纽扣电池|磁铁|钉子|针)|误吞|把" + _NC + r"{0,6}(?:吞|咽)(?:下去|进去|到肚子里)",
    ),
    _t(
        "medical",
        r"(?:大)?出血|流(?:了)?(?:好多|很多|不少|一地|一身|满脸|满头|一大滩)?血|血流不止|止不住血|血止不住"
        r"|(?:满身|满脸|满头|一身|一地|浑身|一手)(?:是|都是)?血|头破血流|吐血|咯血|留血|血(?:哗哗|呼呼)",
        injury=True,
    ),
    _t(
        "medical",
        r"重伤|伤着了|伤到了|伤(?:得|的)(?:很|挺|不轻|厉害|严重|重)|伤势|摔伤|砸伤|炸伤|扎伤|刺伤|压伤|撞伤|骨折了|摔骨折"
        r"|(?:腿|胳膊|手|脚|手臂|肋骨|脖子|腰)" + _NC + r"{0,2}(?:断了|折了)|摔断|伤口很深|(?:头|脑袋)" + _NC
        + r"{0,3}(?:磕破|摔破|砸破|撞破|流血|出血|开了)",
        injury=True,
    ),
    _t("medical", r"受(?:了)?(?:重)?伤|伤者|伤员|受伤", strong=False, injury=True),
    _t(
        "medical",
        r"(?:摔|跌|坠)(?:下(?:来|去|楼)|到楼下|了下来|了下去)|坠楼|坠落|高空坠落",
        injury=True,
        unless_before=r"(?:手机|东西|花盆|杯子|碗|盘子|瓶子|钥匙)" + _NC + r"{0,2}$",
    ),
    _t("medical", r"掉(?:下|了下)(?:来|去)", injury=True, needs_before=PERSON + _NC + r"{0,8}$"),
    _t(
        "medical",
        r"(?:摔倒|跌倒|摔了一?跤|滑倒|绊倒)" + _NC + r"{0,4}(?:起不来|动不了|不能动|爬不起来|不醒|昏|晕|流血|骨折|没反应)",
        injury=True,
    ),
    _t(
        "medical",
        r"(?:老人|老太太|老太|老爷子|老头|大爷|大妈|奶奶|爷爷|姥姥|姥爷|外婆|外公|我爸|我妈|孩子|有人|一个人)"
        + _NC + r"{0,6}(?:摔倒|跌倒|摔了一?跤|滑倒)(?:了|在)",
        injury=True,
        unless_clause=r"结冰|路滑|太滑|好几|不少|很多|容易|经常|台阶|井盖|坑|不平|没有扶手|路灯",
    ),
    _t(
        "medical",
        r"(?:倒|躺|趴|晕|昏)(?:在)?(?:了)?(?:地上|地下|路边|路上|马路上|楼道里?|门口|卫生间|厕所里?)(?:了)?(?:不动|起不来|叫不醒|没反应)?"
        r"|倒地(?:不起)?",
        unless_before=r"(?:树|杆|牌子|牌|墙|柜子|架子|垃圾桶|井盖|广告牌|雕像)$",
    ),
    _t(
        "medical",
        r"溺水|落水|(?:掉|跌|摔|滑|落|栽)(?:进|到|入)?(?:了)?(?:水|河|湖|江|海|池塘|水塘|水库|水坑|井|下水道|化粪池|粪池|冰窟窿|窨井|沟)(?:里|中)?"
        r"|被水冲走|淹着了|淹死|呛水",
        numbers=("119", "120"),
        unless_before=r"(?:手机|钥匙|东西|钱包|鞋|帽子|球)" + _NC + r"{0,2}$",
    ),
    _t("medical", r"触电|被电(?:了|到|击|着)|电(?:到|着)(?:了)?(?:人|他|她|孩子)|漏电" + _NC + r"{0,4}(?:电到|电着|伤)"),
    _t(
        "medical",
        r"(?:机器|机床|设备|绞肉机|搅拌机|传送带|卷扬机|压力机|冲床|电锯|切割机)" + _NC + r"{0,4}(?:卡住|绞|夹|卷|压|轧|切|割)"
        r"|(?:夹|轧|切|砸|压|绞|割)(?:断|掉|烂)(?:了)?|(?:手|脚|手指|胳膊|腿)" + _NC + r"{0,3}被" + _NC + r"{0,4}(?:卡住|绞|夹|卷|压|轧|切)",
        injury=True,
    ),
    _t("medical", r"噎住|被" + _NC + r"{0,4}噎|卡(?:住)?(?:了)?(?:喉咙|嗓子|气管)|异物卡喉"),
    _t(
        "medical",
        r"过敏性休克|过敏" + _NC + r"{0,6}(?:喘不|呼吸|休克|晕|肿得)|哮喘(?:发作|犯了)|低血糖" + _NC + r"{0,3}(?:晕|昏|不醒|抽)"
        r"|(?:高烧|发烧)" + _NC + r"{0,4}(?:抽|惊厥|不醒)|中暑",
    ),
    _t("medical", r"(?:要|快)生了|羊水破了|早产|难产|生在" + _NC + r"{0,3}(?:路上|车上|家里)"),
    _t(
        "medical",
        r"(?<!得)快不行了|人不行了|没救了|人没了|死人了|(?:有)?人死了|死了人|出人命了",
        numbers=("120", "110"),
        injury=True,
        unless_before=r"(?:要|会|就|迟早|早晚|得|非|该)$",
    ),
    _t("medical", r"被(?:毒)?蛇咬|被" + _NC + r"{0,4}咬(?:伤|得)" + _NC + r"{0,4}(?:血|很深|肿)", injury=True),
    _t(
        "medical",
        r"砸(?:到|中|伤|倒)(?:了)?(?:一个|个|两个|几个)?(?:人|头|他|她|孩子|老人|路人|行人|脑袋|小孩)",
        injury=True,
    ),
    _t("medical", r"被" + _NC + r"{0,6}砸(?:了|到|中|伤)", injury=True, needs_before=PERSON + _NC + r"{0,3}$"),
    _t(
        "medical",
        r"(?:快|要)(?:不行|死)了",
        numbers=("120", "110"),
        injury=True,
        needs_before=PERSON + _NC + r"{0,3}$",
        unless_before=r"得$",
    ),
    _t("medical", r"(?:快|赶紧|马上|立刻|赶快|帮我|帮忙|麻烦|请)(?:帮我)?(?:打|拨|叫|喊|联系)(?:一下|个|一辆|辆)?(?:120|救护车|急救车|急救)"),
    _t("medical", r"叫(?:个|一辆|辆)?(?:救护车|急救车)|(?:打|拨)(?:一下|个)?120", strong=False),
    _t("medical", r"(?:120|救护车|急救车|急救)" + _NC + r"{0,4}(?:还没|还不|怎么还|咋还|一直没|半天没)(?:来|到)"),
    _t("medical", r"(?<![a-z])(?:ambulance|heart attack|unconscious|bleeding)(?![a-z])"),
    # ------------------------------------------------------------------ self-harm (done: 120 first)
    _t(
        "self_harm",
        r"割腕|割脉|割了?手腕|(?:吃|吞|喝)(?:了|下)(?:一|整|半|好几|几|大|好多|很多|一大|几十|十几|一堆)*(?:瓶|板|把|盒|大把|堆|片|粒|颗)" + _NC + r"{0,3}(?:安眠药|药片?|农药|药)"
        r"|喝(?:了|下)(?:农药|敌敌畏|百草枯|老鼠药|耗子药|84|消毒液|洗洁精|汽油|药)|吃(?:了|下)(?:老鼠药|耗子药|安眠药)"
        r"|服毒|上吊了|吊(?:起来|在)" + _NC + r"{0,3}了|烧炭|(?:跳|跳下)(?:了)?(?:楼|河|江|湖|海|桥)了|已经跳了|跳下去了|自杀了"
        r"|(?:割|划)(?:了)?自己|自残|自伤|喝农药了",
        numbers=("120", "110"),
        injury=True,
        unless_before=r"(?:想|要|准备|打算|都想|差点|误|不小心)$",
    ),
    # ------------------------------------------------------------------ self-harm (threat: 110 first)
    _t(
        "self_harm",
        r"(?<!不)想死|不想活|活着没(?:意思|意义|劲)|活够了|自杀|轻生|寻死|寻短见|想不开|了结(?:自己|生命)"
        r"|结束(?:自己的?)?生命|一了百了|不活了|死了算了|死给(?:你们|他们|你|他)看|(?<![你他她])去死(?!吧)"
        r"|(?:要|想|准备|打算|扬言|说要|闹着|我就|就)" + _NC + r"{0,6}(?:跳楼|跳河|跳江|跳桥|跳湖|跳海|喝药|喝农药|上吊|割腕|自杀|去死|寻死|跳下去)"
        r"|站在(?:楼顶|天台|窗台|窗户|桥|楼边|阳台外|护栏外|楼顶边)|(?:楼顶|天台|窗台|桥上|桥边|楼边)" + _NC + r"{0,6}(?:要跳|想跳|往下跳|准备跳)"
        r"|跳楼|跳河|跳江|跳桥",
        numbers=("110", "120"),
    ),
    _t(
        "self_harm",
        r"活不下去|没法活了|不让人活了",
        numbers=("110", "120"),
        unless_message=r"工资|欠薪|拖欠|生意|房贷|房租|补贴|低保|养老金|退休金|物价|噪音|吵|装修|物业|停水|停电|暖气",
    ),
    # ------------------------------------------------------------------ domestic violence
    _t("domestic_violence", r"被" + _NC + r"{0,3}家暴|家暴我|又家暴|在家暴"),
    _t("domestic_violence", r"家暴|家庭暴力", strong=False),
    _t(
        "domestic_violence",
        _RELATIVE + _NC + r"{0,4}(?:在|正在|又|一直|天天|经常|老是|总|喝醉了?|喝多了?)?(?:打|揍|踹|掐|殴打|砍|动手|用刀|拿刀|拿棍|拿皮带|抽)"
        r"(?:我|孩子|我们|我妈|我爸|人|她|他|了)",
    ),
    _t("domestic_violence", r"他(?:在|又|正在|一直|天天|老是|总是|还在|还)*(?:打|揍|踹|掐)(?:我|孩子|我们|我妈)(?!电话|手机)"),
    # ------------------------------------------------------------------ violence
    _t(
        "violence",
        r"打架|打群架|斗殴|群殴|互殴|殴打|打起来|干起来|干仗|掐(?:起来|架)|动(?:起)?手(?:了|打)|撕打|厮打|扭打|打成一团|围殴|打砸|医闹|寻衅滋事",
    ),
    _t("violence", r"打(?:伤|死|残)(?:了)?(?!的)|打(?:人|他|她)(?:了)?(?!电话|手机|的)", injury=False),
    _t(
        "violence",
        r"被" + _NC + r"{0,4}(?:砍|捅|扎|刺|勒|围攻)",
        unless_match=r"钢筋|钉|玻璃|机器|狗|猫|蛇|蜂|门|车|树|石头|东西|铁|针|刺|雨|冰雹|球",
    ),
    _t(
        "violence",
        r"被" + _NC + r"{0,4}(?:打|揍|踹|掐|殴)"
        r"(?!(?:了)?(?:一|个|几)?(?:电话|针|疫苗|卡|折|扰|包|印|车|招呼|听|开|理|扫|分|工|通|算|官司|回|款|钱|过来|进来|出来|败|动|湿|疫|击|掉))",
        strong=False,  # 「被老师打了一巴掌，我要投诉」 is a complaint; 「我被人打了」 alone stands
        unless_match=r"钢筋|钉|玻璃|机器|狗|猫|蛇|蜂|门|车|树|石头|东西|铁|针|刺|雨|冰雹|球",
    ),
    _t("violence", r"挨(?:打|揍|刀)|揍(?:我|人|他|她)|(?:打|踹|掐)我(?!电话|手机)"),
    _t(
        "violence",
        r"(?:拿|持|举|掏|拎|提|挥|带|亮|握|抄)(?:着|起|出)?(?:了)?(?:一)?(?:把|根|个)?" + _WEAPON + r"|持刀|动(?:了)?刀|砍人"
        r"|砍(?:了|伤|死)(?!树|价|柴|竹)|捅(?:了|伤|死)|被(?:人)?捅|拿刀捅|开枪|枪声|有枪|炸弹|爆炸物",
        numbers=("110", "120"),
    ),
    _t(
        "violence",
        r"(?:一直|使劲|拼命|不停地?)?(?:敲门|拍门|砸门|踹门|撬门)|要(?:闯|冲)进来",
        needs_message=r"害怕|要进来|不走|陌生|威胁|骂|不认识|喝醉|一个人在家|吓",
    ),
    _t("violence", r"不让(?:我|我们)?下车|把我(?:关|锁)(?:在|起来)|囚禁|非法拘禁|限制(?:我的?)?人身自由|被(?:人)?(?:绑|关)起来|被(?:人)?绑(?:了|走|架)|赎金|撕票"),
    _t("violence", r"(?:钱|手机|包|东西|财物)(?:都)?(?:交|拿|掏)出来|劫道|抢钱|敲诈勒索|勒索"),
    _t("violence", r"惨叫|呼救|喊救命|哭喊|撕心裂肺", needs_message=r"打|揍|虐|家暴|砍|刀"),
    _t("violence", r"打孩子|虐待(?:孩子|老人|儿童|小孩|妇女|我)|虐童"),
    _t("violence", r"有人(?:正在|在)?偷(?!偷|拍|看|听|排|倒|电|水|气|税|懒|工|菜|摘)|(?:偷|撬)(?:我|我家|我们)(?:家|的)?"),
    _t("violence", r"抢劫|打劫|被" + _NC + r"{0,4}抢(?!购|票|红包|单|修|险|占|跑|救|先|车位)|抢(?:了|走)(?:我|他|她)|抢(?:包|手机|钱|项链|金链子)|被抢|飞车抢"),
    _t("violence", r"绑架|劫持|挟持|人质|(?:孩子|小孩|婴儿|宝宝|女儿|儿子|闺女)" + _NC + r"{0,8}被" + _NC + r"{0,4}(?:抱走|拐|抢走|带走|偷走)|拐(?:走|卖)(?:了)?(?:孩子|小孩)"),
    _t("violence", r"强奸|性侵|猥亵|非礼|强行(?:拉|拽|拖|带|抱|亲)|耍流氓|咸猪手|摸我|扒我衣服"),
    _t(
        "violence",
        r"(?:拉|拽|拖|扯|推|塞|架|抱|拖拽)" + _NC + r"{0,4}(?:上车|进车|车里|车上|面包车)|一直跟(?:着|踪)(?:我|她|他)"
        r"|跟踪(?:我|她|他)|尾随|跟着我(?:走|不放|好久|一路|回家|好几条街)|(?:一直|总|老|偷偷)跟着我",
    ),
    _t(
        "violence",
        r"(?:撬|砸|踹)" + _NC + r"{0,4}(?:门|锁|窗)|砸(?:东西|车|店|门窗|玻璃)|入室|闯(?:进|入)(?:了)?(?:我|家|屋|房)"
        r"|(?:家里|屋里|房间|院里)" + _NC + r"{0,3}(?:进(?:了)?(?:人|贼|小偷)|有(?:人|贼|小偷))|(?:有|进)(?:了)?(?:小偷|贼)(?!心)"
        r"|小偷(?:在|正在|还在)|(?:正在|在)偷",
    ),
    _t(
        "violence",
        r"(?:威胁|扬言|说|放话|喊着)" + _NC + r"{0,6}(?:杀|砍|捅|弄死|打死|整死|捅死|砍死|烧死|报复|要我命|要我的命)"
        r"|(?:要|想)(?:杀|砍|捅|弄死|打死)(?:了)?(?:我|你|他|她|人|我们|全家)|杀人|杀了(?:我|人|他|她)"
        r"|(?:要|说要|扬言要|找人|叫人)(?:来)?(?:打|揍|砍|收拾|弄)(?:死)?(?:我|我们|我家)",
    ),
    _t(
        "violence",
        r"(?:快|赶紧|马上|立刻|帮我|帮忙|替我|我要|我想|我得|我需要|请|麻烦)(?:帮我)?报(?:个)?警(?!器)|报警(?:啊|呀|吧)"
        r"|(?:快|赶紧|马上|立刻|赶快|帮我|帮忙|麻烦|请)(?:帮我)?(?:打|拨|叫|喊|联系)(?:一下|个)?(?:110|警察|民警)",
    ),
    _t("violence", r"(?:打|拨)(?:一下|个)?110|报警", strong=False, unless_clause=r"报警器"),
    _t("violence", r"(?:110|警察|民警)" + _NC + r"{0,4}(?:还没|还不|怎么还|咋还|一直没|半天没)(?:来|到)"),
    _t("violence", r"(?<![a-z])(?:police)(?![a-z])"),
    # ------------------------------------------------------------------ missing person
    _t(
        "missing_person",
        r"(?:孩子|小孩|儿子|女儿|闺女|娃|宝宝|孙子|孙女|外孙|外孙女|老人|老头|老太太|老太|老爷子|老人家|我爸|我妈|父亲|母亲"
        r"|爷爷|奶奶|姥姥|姥爷|外公|外婆|老伴|家人|弟弟|妹妹|哥哥|姐姐|丈夫|老公|妻子|老婆|媳妇|学生|病人|患者|他|她"
        r"|小子|孩儿|丫头|崽|伢子|囡囡|宝贝|老娘|老爹|俺娘|俺爹)"
        r"[^,，。;；!?！？的]{0,8}?(?:找不到了|找不着了|找不见了|不见了|丢了(?!(?:一|个|些)?(?:工作|钱|东西|手机|饭碗|脸|面子|魂|分|书|作业|包|卡|钥匙|证|车))"
        r"|走丢|走失|失踪|失联|联系不上了|没回家|没回来|一夜未归|一宿没回|一晚上没回|离家出走|跑丢|没影了|跑出去了)",
        unless_clause=r"狗|猫|宠物|鹦鹉|鸟|鸡|羊|牛|快递|包裹",
    ),
    _t("missing_person", r"走丢|走失|失踪了|(?:被)?拐(?:走|卖)", unless_clause=r"狗|猫|宠物|鹦鹉|鸟|鸡|羊|牛"),
    _t("missing_person", r"失踪|走失人员", strong=False),
    _t("missing_person", r"(?:老人|老太太|老大爷|大爷|孩子|小孩|小朋友)" + _NC + r"{0,4}迷路|找不到家|说不清家在哪"),
    _t(
        "missing_person",
        r"(?:又|也|还是|都)?(?:找不到了|找不着了|找不见了|不见了|没影了)",
        needs_message=_MISSING_WHO,
        unless_clause=r"书包|手机|钱包|钥匙|东西|车|包|卡|证|快递|狗|猫|宠物|文件|作业|衣服|鞋|玩具|钱",
    ),
    _t(
        "missing_person",
        r"(?:到现在|一直|至今|一夜|一晚上|一宿|好几个小时|半天|大半天|一整天|几个小时)(?:都|也)?(?:还)?没(?:有)?(?:回来|回家|音信|消息|联系上|找到|找着)"
        r"|出(?:门|去)(?:后|以后|之后)?(?:就)?(?:一直)?没(?:有)?(?:回来|回家)|(?:人|孩子|老人)(?:还)?没找到",
        needs_message=_MISSING_WHO + r"|痴呆|智力|精神|自闭",
        unless_clause=r"快递|包裹|工资|钱|回复|回电",
    ),
    # ------------------------------------------------------------------ fraud
    _t(
        "fraud",
        r"(?:被|遭|让|给|叫)(?:人|骗子|对方|他|她|他们|网友|陌生人|客服|人家)?(?:电信|网络)?(?:诈)?骗(?:了|走|去|子骗|光)?",
        unless_message=r"(?:" + _CONSUMER + r")(?![^。]{0,30}(?:转账|转了|汇款|安全账户|冒充|验证码|屏幕共享|刷单|公检法|贷款|投资|理财|杀猪盘|网恋|银行卡))",
    ),
    _t("fraud", r"上当(?:受骗|了)|受骗了|冒充(?:我(?!们)|我儿子|我女儿|孩子|亲人|家人|熟人|领导|老板|老师|亲戚)"),
    _t(
        "fraud",
        r"把" + _NC + r"{0,6}(?:钱|款|存款|积蓄|养老钱|工资|[0-9一二两三四五六七八九十百千万几]+(?:万|千|元|块))" + _NC
        + r"{0,2}(?:转|汇|打)(?:给|到|进|出去|过去)",
        needs_message=_FRAUD_CONTEXT,
        unless_message=r"物业费|房租|学费|货款",
    ),
    _t(
        "fraud",
        r"(?:转|汇|打)(?:了|过去|出去|给)(?:对方|他|她|他们|骗子|陌生人|一个)?" + _NC + r"{0,10}(?:钱|万|千|元|块)",
        needs_message=_FRAUD_CONTEXT,
        unless_message=r"物业费|房租|学费|货款|工资",
    ),
    _t(
        "fraud",
        r"冒充(?:公检法|警察|公安|民警|检察院|检察官|法院|法官|客服|领导|老师|熟人|亲戚|银行|快递|医保|社保|客服)|安全账户|涉嫌洗钱"
        r"|通缉令|刷单返利|杀猪盘|共享屏幕|屏幕共享|(?:把|将)?验证码(?:告诉|给|发给)(?:了)?(?:对方|他|她|他们|客服|人家)",
    ),
    _t("fraud", r"(?:遇到|碰到|遭遇|遭到|中了)(?:了)?(?:电信|网络)?(?:诈骗|骗子|骗局)"),
    _t(
        "fraud",
        r"(?:让|叫|要|要求|逼)(?:我|我们|我妈|我爸|老人)" + _NC + r"{0,4}(?:转账|汇款|转钱|打钱|下载|开视频会议|共享屏幕)",
        needs_message=r"陌生|客服|警察|公安|冒充|安全账户|骗|贷款|屏幕|app|链接|验证码|会议|公检法|检察|法院|通缉|洗钱|不认识",
    ),
    # ------------------------------------------------------------------ traffic
    _t(
        "traffic",
        r"把" + _NC + r"{0,8}(?:人|老人|孩子|行人|学生|小孩|骑车的|骑三轮的|骑电动车的)(?:给)?(?:撞|轧|碾|压)(?:了|倒|飞|伤|死)",
        injury=True,
    ),
    _t("traffic", r"肇事(?:车|司机)?(?:跑|逃)|出(?:了)?车祸|车祸了|车(?:获|货)了|撞车了|追尾了|相撞|侧翻|翻车|车翻了|肇事逃逸|撞了人就跑|逃逸"),
    _t("traffic", r"车祸|交通事故|追尾|撞车|(?:剐|刮)蹭|把(?:我|我的|我家)?车(?:给)?(?:刮|撞|蹭|碰)(?:了|坏了)", strong=False),
    _t(
        "traffic",
        r"撞(?:上|到|倒|翻|飞|伤|死|坏)(?:了)?|撞了",
        strong=False,
        needs_message=_VEHICLE,
        unless_clause=r"头|墙上|门上|桌|柜|玻璃门",
    ),
    _t(
        "traffic",
        r"撞(?:了|倒|伤|死|飞)?(?:个|一个|了)?(?:人|行人|路人|老人|孩子|小孩|学生)(?!家)|(?:人|行人|老人|孩子|小孩|学生)" + _NC
        + r"{0,3}被(?:车)?撞|(?:被|让|给)" + _NC + r"{0,4}车" + _NC
        + r"{0,3}(?:撞|刮|碰|蹭|轧|碾|压|挂|带倒)|(?:碾|轧)(?:了|到|过|伤|死)?(?:人|腿|脚)|压(?:在|到)?车(?:底下|下面)|卡在车里",
        injury=True,
    ),
    _t("traffic", r"(?:快|赶紧|马上|帮我|帮忙|麻烦)(?:帮我)?(?:打|拨|叫|联系)(?:一下|个)?(?:122|交警)"),
    _t("traffic", r"(?:122|交警)" + _NC + r"{0,4}(?:还没|还不|怎么还|咋还|一直没|半天没)(?:来|到)"),
    _t("traffic", r"(?<![a-z])(?:car accident|car crash)(?![a-z])"),
    # ------------------------------------------------------------------ disaster
    _t(
        "disaster",
        r"(?:房子|房屋|楼|墙|围墙|屋顶|天花板|顶棚|棚|楼板|桥|隧道|工棚|脚手架|广告牌|塔吊|土坡|边坡|挡土墙|阳台|雨棚|路基|大棚|厂房|屋)"
        + _NC + r"{0,3}(?:塌了|倒塌|坍塌|垮了|塌下来|倒了|塌方|陷下去|塌陷|砸下来)",
    ),
    _t("disaster", r"坍塌|倒塌|塌方|(?:山体)?滑坡|泥石流|山洪|发大水|被埋|龙卷风|雪崩|地面塌陷|路面塌陷|天坑"),
    _t("disaster", r"决口|决堤|溃坝|垮坝|漫堤|(?:大)?水冲进|落石|滚石|(?:滚|掉|砸)下来(?:很多|好多|一堆)?(?:的)?(?:石头|石块)"),
    _t(
        "disaster",
        r"(?:里面|车里|车上|屋里)(?:还)?有人|人(?:还)?在(?:里面|车里)",
        needs_message=r"积水|淹|洪水|大水|水深|被困|熄火|涨水|塌",
        unless_message=r"电梯",
    ),
    _t("disaster", r"洪水|内涝|地震|塌陷", strong=False, unless_clause=r"地震局|地震台|抗震|防震"),
    _t("disaster", r"地震了|发生(?:了)?地震", strong=False, unless_clause=r"地震局|地震台|抗震|防震"),
    _t("disaster", r"(?:被|让)水(?:困|冲走|淹|围)|水" + _NC + r"{0,4}(?:淹|漫|没)(?:到|过)(?:了)?(?:腰|胸|脖子|膝盖|屋顶|车顶|窗户|一楼)"),
    _t(
        "disaster",
        r"埋(?:在|了)" + _NC + r"{0,3}(?:人|下面|底下|里面)|压在(?:下面|底下|里面|废墟)|(?:被)?困在(?:屋|家|楼|房|车|水|山|里面|下面|废墟|坑|井|洞|楼顶|树上|岛)"
        r"|困住了|被困(?!" + _NC + r"{0,3}电梯)|(?:反锁|锁)在(?:屋|家|车|房间|厕所|卫生间)(?:里|内)?",
        unless_clause=r"电梯",
    ),
    # ------------------------------------------------------------------ someone crying for help
    _t(
        "violence",
        r"救命|救救我(?!们)|快来人|来人(?:啊|呀|呐)|救人(?:啊|呀|了)|快救人|(?<![a-z])(?:help|sos)(?![a-z])|🆘|(?<!\d)911(?!\d)",
        numbers=("110", "120", "119"),
        generic=True,
    ),
)

# Injury cues that turn a traffic accident into traffic_injury (and add 120 elsewhere).
_INJURY = re.compile(
    r"受伤|伤了|伤者|伤员|流血|出血|骨折|断了|晕|昏迷|叫不醒|不动了|动不了|起不来|躺在地上|倒在地上|倒地|压在|卡在车里"
    r"|被困车里|头破|重伤|死了|撞飞|撞人|撞了(?:个|一个)?人|被车撞|满身是血|没反应|没呼吸|喘不上气|烧伤|烫伤|砸伤|夹伤|摔伤|疼得"
)
_GAS_SYMPTOMS = re.compile(r"头晕|头疼|头痛|恶心|想吐|晕倒|昏迷|叫不醒|中毒|晕过去|喘不上")
_STRANGE_SMELL = re.compile(r"(?:怪味|异味|刺鼻的?味|臭鸡蛋味|煤气味|燃气味|一股味)")

# --------------------------------------------------------------------------- context

_PAST = re.compile(
    r"去年|前年|大前年|上上(?:个)?月|上(?:个)?月|上(?:个)?(?:周|星期|礼拜)|上次|上回|那次|那回|那天|那年|当年|当时|那时候?"
    r"|前几天|前些天|前段时间|前一段(?:时间)?|前阵子|前些日子|前些年|前几年|几(?:天|个月|年|周)(?:之|以)?前"
    r"|[0-9一二两三四五六七八九十半]+(?:天|个月|年|周|个星期|个礼拜)(?:之|以)?前|小时候|(?<![来到走下班学睡饭钟时])(?:以前|之前)"
    r"|曾经|早些年|早年|以往|从前|[12][0-9]{3}年|昨天|昨晚|昨儿|昨日|前天|前晚|前两天"
    r"|(?:好|几|[0-9一二两三四五六七八九十]+)(?:个)?(?:年|月)(?:了|多)|多年|常年|长期|病史|患有|得过|后遗症"
    r"|今年(?:夏天|冬天|春天|秋天|以来|上半年|下半年)"
    r"|(?:着|起|失|发生|出|遇到|碰到|遇|闹|晕|昏|撞|骗|砍|偷|抢|打|摔|伤|困|跳|中)过(?![来去马路街桥道年节期敏瘾夜头分度量滤关户境程目问渡河江])"
)
_RECENT = re.compile(r"昨天|昨晚|昨儿|昨日|前天|前晚|前两天")
_PRESENT = re.compile(
    r"现在|此刻|这会儿?|这次|这回|眼下|目前|正在|还在|刚刚|刚才|刚(?!开始|搬|入住|来的时候|上班|买|好)|今天|今晚|今早|今儿|这时候|马上|赶紧|赶快"
    r"|快来|快点|快救|快帮|快过来|救命|救救|[0-9一二两三四五六七八九十几半]+(?:分钟|个?小时)(?:之|以)?前|一会儿前|还没(?:来|到|出来|回|找到|醒|救出)"
    r"|到现在|至今还|再不(?:来|管|救)|[正还一直]?在(?:打|砸|撬|偷|抢|砍|追|烧|冒|漏|跳|闹|拿|拽|拉|拖|掐|踹|流|着)|着呢"
)
_PRESENT_WEAK = re.compile(r"又(?!是)|再次|再一次")
_URGENT = re.compile(r"快来|快点|快救|快帮|赶紧|赶快|马上|立刻|救命|还没(?:找到|回来|出来|救出|来)|求求")
_ONGOING = re.compile(
    r"现在|此刻|这会儿?|正在|还在|一直在|还没(?:来|到|出来|救出|找到)|到现在|着呢|[正还一直]?在(?:打|砸|撬|偷|抢|砍|追|烧|冒|漏|跳|闹|拿|拽|拉|拖|掐|踹|流)"
)
_HEARSAY = re.compile(
    r"听说|据说|听人说|听别人说|传言|谣言|传闻|新闻|报道|报纸|网上(?:说|看到|看|传|流传|有人说)|网传|朋友圈"
    r"|(?:微博|抖音|快手)(?:上|里)?(?:看到|说|刷到|传)|视频里|视频上|的视频|网上有|电视上|电视里|电视剧|电影"
    r"|小说|游戏里|梦见|梦到|做梦|故事|段子"
)
_HABITUAL = re.compile(
    r"经常|老是|总是|时常|常常|(?<!一)动不动(?!了)|好几起|多起|几起|每年都|年年|三天两头|隔三差五|好几次|多次|屡次|每次|每天|天天|每晚|每年|频繁|反复|一到(?:冬天|夏天|晚上|下雨)"
)
# A condition or prevention before the trigger in its clause (万一着火, 如何预防火灾) ...
_HYPOTHETICAL = re.compile(
    r"万一|如果|假如|假设|(?<!主)要是|一旦|倘若|若是|如若|以防|防止|预防|防范|避免|怎么预防|如何预防|怎么逃生|如何逃生|逃生|自救"
)
# ... or a hazard or condition right after it (火灾隐患, 爆炸的风险, 着火的话).
_HYPO_AFTER = re.compile(r"^(?:的)?(?:隐患|风险|危险性|可能性|话)")
_KNOWLEDGE = re.compile(r"演练|演习|培训|宣传|科普|讲座|知识|常识|注意事项|预案|模拟|安全课|标语|标识|指示牌|警示牌")
# A hazard, not an event: 容易着火, 会爆炸, 担心漏气, 防止溺水.
_POTENTIAL_BEFORE = re.compile(
    r"(?:(?<![一开学聚晚早大年例工协机体社不])会(?!不会)|容易|可能会)" + _NC + r"{0,3}$"
    r"|(?<![吓恐])怕(?!是|不是)" + _NC + r"{0,4}$"
    r"|(?:担心|害怕|生怕|防止|避免|以防|预防|禁止|严禁|小心|谨防|提防|以免|免得)" + _NC + r"{0,6}$"
    r"|(?:差点|差一点|险些|几乎)(?:儿)?" + _NC + r"{0,3}$"
)
_NEGATION_BEFORE = re.compile(
    r"(?<!有)(?<!是)(?:没有|没|未|无|并未|不是|并非|并没有|不算|不像)(?:任何|什么|人员|人|明显|发现|闻到|看到|看见|出现|发生|造成|人员|听到)?(?:的)?$"
)
_SERVICE = re.compile(r"110|119|120|122|96110|12110|急救|救护车|消防(?:车|队|员|站|部门)?|警察|民警|交警|派出所|公安|报警|火警")
_QUESTION = re.compile(
    r"怎么(?!办)|怎样|如何|多少|收费|费用|价格|要钱|花钱|免费|罚|吗|嘛|(?<![怎什])么|呢|能不能|能否|可不可以|可以不|是否|会不会|有没有|哪里|哪个|什么"
    r"|咨询|请问|问一下|问下|问问|想问|想了解|了解一下|打错|误拨|号码|电话|标准|规定|流程|程序|手续|\?"
)
_CONSULT = re.compile(
    r"赔偿|赔钱|理赔|保险|索赔|起诉|律师|法院|判决|仲裁|鉴定|认定|流程|手续|政策|补贴|补助|报销|医药费|医疗费|工伤|责任|调解|维权"
    r"|处罚|怎么处理|如何处理|怎么申请|如何申请|怎么办理|咨询|请问|投诉|反映|举报|申请|离婚|保护令|统计|数据|新闻|案例|起因|原因"
    r"|办理|残疾|慢病|医保|低保|证明|住院|出院|康复|护理|挂号|复查|体检|药费|怎么操作|需要什么|要多久|多长时间|哪个部门|归谁管"
    r"|不管|没人管|不负责|不作为"
)
_TOPIC_AFTER = re.compile(
    r"^(?:的)?(?:事|事情|事件|这件事|那件事|一事|的案子|案件|问题|情况处理)|^(?:的)?(?:时候|时|后)(?:应该|该|要|怎么|如何|注意|怎样|咋)"
)
_AFTERMATH = re.compile(
    r"[0-9一二两三四五六七八九十几半]+(?:多)?(?:分钟|个?小时|天)才(?:来|到)|半天才(?:来|到)|(?:来|到)得?(?:太|很|特别|非常)?(?:慢|晚)"
    r"|出警(?:太|很)?慢|不作为|已经结案|处理结果|事后"
)
_RESOLVED: dict[str, re.Pattern[str]] = {
    "fire": re.compile(r"(?:已经|已|都|早就?)(?:被)?(?:扑灭|灭了|熄灭|浇灭|灭掉了|拔掉|断电|拉闸|关掉)|火(?:已经)?灭了|没有明火了|扑灭了"),
    "gas": re.compile(r"(?:已经|已)(?:修好|处理好|处理完)|不漏了|没(?:有)?味(?:道)?了|味(?:道)?散了|燃气公司(?:的人)?(?:已经)?(?:来|修|处理)(?:了|过)"),
    "medical": re.compile(
        r"(?:已经|已|都)(?:被)?(?:送|送到|送去|送进|拉到|住进|住)(?:了)?(?:医院|急诊|icu)|(?:已经|已)(?:抢救过来|脱离危险|出院|醒了|醒过来了|没事了|好了|缓过来了)"
        r"|(?<!有)(?<!没)(?:人)?没事了|缓过来了|(?:120|救护车|急救车|医生)(?:已经|已)(?:来|到)了|(?:已经)?(?:出院|痊愈|康复)了"
    ),
    "missing_person": re.compile(r"(?<![没不])(?:已经|已|都)?(?:找到了|找着了|找回来了|回来了|回家了|被找到|接回来了)"),
    "violence": re.compile(r"(?:已经|已)(?:被)?(?:抓|抓到|抓住|控制|带走|拘留)(?:了)?|派出所(?:已经)?(?:处理|调解|立案|介入|受理)(?:了)?|警察(?:已经)?(?:来|到)了|人已经走了"),
    "fraud": re.compile(r"钱(?:已经)?(?:追回|退回|要回)(?:来)?了|已经(?:冻结|止付)了|(?:已经|已)(?:立案|报案)"),
    "traffic": re.compile(r"(?:交警|警察)(?:已经)?(?:来|到)了|已经(?:处理完|定责|私了|协商好|处理好)|保险(?:公司)?已经(?:来|到)"),
    "lift": re.compile(r"(?:已经|已)(?:被)?(?:救出来|出来了|放出来)|人(?:已经)?出来了|(?:维保|物业)(?:的人)?(?:已经)?(?:把人)?救出来"),
    "disaster": re.compile(r"(?:已经|已)(?:被)?(?:救出来|转移|撤离)(?:了)?"),
    "self_harm": re.compile(r"(?:已经|已)?(?:被)?(?:救下来|劝下来|抢救过来|脱离危险)了?"),
}
_RESOLVED["domestic_violence"] = _RESOLVED["violence"]
_RESOLVED["traffic_injury"] = _RESOLVED["traffic"]

# Kinds whose triggers stand even in a habitual or hypothetical frame (a threat is a threat).
_EXEMPT_HABITUAL = {"domestic_violence", "self_harm"}
_EXEMPT_HYPOTHETICAL = {"self_harm"}
_EXEMPT_POTENTIAL = {"violence", "domestic_violence", "self_harm"}

# Broad emergency vocabulary: used to decide whether a non-actual frame carries over, and by
# mentions_emergency_words() together with the triggers.
_EVENT_VOCAB = re.compile(
    r"火|烟|爆|炸|血|伤|晕|昏|撞|车祸|打架|打人|骗|困|塌|淹|毒|死|杀|刀|抢|偷|跳楼|走丢|走失|失踪|漏气|泄漏|泄露|煤气|燃气|天然气"
    r"|电梯|救护|急救|报警|抽搐|中风|摔|溺水|家暴|捅|砍"
)
_EMERGENCY_VOCAB = re.compile(
    r"110|119|120|122|96110|12110|急救|救护车|消防|警察|民警|交警|报警|火警|火灾|着火|失火|起火|爆炸|燃气|煤气|天然气|液化气"
    r"|电梯|车祸|交通事故|打架|斗殴|诈骗|被骗|家暴|自杀|跳楼|走失|走丢|失踪|溺水|中毒|受伤|流血|昏迷|晕倒|救命|紧急|危险"
)

_SPACES = re.compile(r"\s+")
_INNER_SPACE = re.compile(r"\S\s+\S")
_ROUTINE_VOCAB = re.compile(r"消防通道|灭火器|消防栓|消防设施|烟感|燃气费|燃气灶|燃气表|燃气公司|暖气|停水|停电|安全隐患")
_SENTENCE = re.compile(r"[^。!?\n\r]+")
_CLAUSE_SEPARATORS = (
    r"[,，;；:：、…~～()\[\]【】\"'“”‘’《》<>|/\\]+|\.(?!\d)|然后|而且|并且|但是|可是|不过|结果|所以|另外|接着|同时|后来"
)
_CLAUSE_SPLIT = re.compile(_CLAUSE_SEPARATORS + r"|\s+")
_CLAUSE_SPLIT_NO_SPACE = re.compile(_CLAUSE_SEPARATORS)


# --------------------------------------------------------------------------- analysis

@dataclass
class _Hit:
    trigger: _Trigger
    matched: str
    clause: int            # index of its clause in the message
    present: bool          # a present marker in its clause
    urgent: bool           # an urgent or ongoing marker in its clause (a resolution cannot cancel it)
    suppressed: str = ""   # why not an emergency now ("" = it stands)


_FRAME_MARKERS = ((_PAST, "past"), (_PRESENT, "present"), (_HEARSAY, "hearsay"), (_HABITUAL, "habitual"))


def _markers(clause: str, kind: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for rx, name in _FRAME_MARKERS:
        for m in rx.finditer(clause):
            if name == "past" and kind == "fraud" and _RECENT.fullmatch(m.group(0)):
                found.append((m.start(), "present"))  # yesterday's fraud: money can still be frozen
            else:
                found.append((m.start(), name))
    return found


def _last_frame(clause: str, end: int, kind: str) -> str:
    """The time frame for a trigger ending at ``end``: the nearest marker before it wins,
    otherwise the first one after it; "" when the clause has none."""
    markers = _markers(clause, kind)
    before = [pm for pm in markers if pm[0] < end]
    if before:
        return max(before, key=lambda pm: (pm[0], pm[1] == "present"))[1]
    if markers:
        return min(markers)[1]
    return ""


_END_FRAME_MARKERS = (
    (_PAST, "past"),
    (_PRESENT, "present"),
    (_PRESENT_WEAK, "present"),
    (_HEARSAY, "hearsay"),
    (_HABITUAL, "habitual"),
    (_HYPOTHETICAL, "hypothetical"),
    (_KNOWLEDGE, "knowledge"),
)
_ANY_FRAME_MARKER = re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in _END_FRAME_MARKERS))


def _clause_end_frame(clause: str, current: str) -> str:
    """The frame a clause passes on to the next clauses of its sentence."""
    if not _ANY_FRAME_MARKER.search(clause):
        return current
    markers: list[tuple[int, str]] = []
    for rx, name in _END_FRAME_MARKERS:
        markers.extend((m.start(), name) for m in rx.finditer(clause))
    if not markers:
        return current
    _, last = max(markers, key=lambda pm: (pm[0], pm[1] == "present"))
    if last == "present":
        return "actual"
    # A past, hypothetical ... clause only sets the frame when it talks about an emergency.
    if _EVENT_VOCAB.search(clause) or current != "actual":
        return last
    return current


def _clauses(text: str, spaces_split: bool) -> list[tuple[int, int, int]]:
    """(sentence number, start, end) of every clause of ``text``."""
    sep = _CLAUSE_SPLIT if spaces_split else _CLAUSE_SPLIT_NO_SPACE
    spans: list[tuple[int, int, int]] = []
    si = 0
    for sm in _SENTENCE.finditer(text):
        start, end, had = sm.start(), sm.end(), False
        for cm in sep.finditer(text, sm.start(), end):
            if cm.start() > start and text[start: cm.start()].strip(_MASK + " "):
                spans.append((si, start, cm.start()))
                had = True
            start = cm.end()
        if end > start and text[start:end].strip(_MASK + " "):
            spans.append((si, start, end))
            had = True
        si += had
    return spans


def _analyse(raw: str, text: str, spaces_split: bool) -> tuple[list[_Hit], list[str]]:
    """Every trigger found in ``text`` (the masked message) with the reason it does not count."""
    spans = _clauses(text, spaces_split)
    starts = [start for _, start, _ in spans]
    found: dict[int, list[tuple[_Trigger, re.Match[str]]]] = {}
    for trig in _TRIGGERS:
        for m in trig.rx.finditer(text):
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and m.start() < spans[i][2]:
                found.setdefault(i, []).append((trig, m))
    clauses = [text[start:end] for _, start, end in spans]
    if not found:
        return [], clauses
    hits: list[_Hit] = []
    aftermath = bool(_AFTERMATH.search(raw))
    frame, sentence, question = "actual", -1, False
    for i, (si, cstart, cend) in enumerate(spans):
        if i > max(found):
            break
        clause = clauses[i]
        if si != sentence:  # a new sentence: the frame starts afresh
            sentence, frame = si, "actual"
            whole = "".join(c for (sj, _, _), c in zip(spans, clauses, strict=True) if sj == si)
            question = bool(_QUESTION.search(whole) or _CONSULT.search(whole))  # for topic nouns only
        if i in found:
            present = bool(_PRESENT.search(clause))
            urgent = bool(_URGENT.search(clause) or _ONGOING.search(clause))
            knowledge = bool(_KNOWLEDGE.search(clause))
            hypo = _HYPOTHETICAL.search(clause)
            for trig, m in found[i]:
                matched = m.group(0)
                mstart, mend = m.start() - cstart, min(m.end(), cend) - cstart
                before, after = clause[:mstart], clause[mend:]
                if trig.needs_before:
                    subject = trig.needs_before.search(before)
                    if subject is None:
                        continue
                    matched = subject.group(0) + matched
                hit = _Hit(trig, matched, i, present, urgent)
                hits.append(hit)
                if trig.needs_message and not trig.needs_message.search(raw):
                    hit.suppressed = "no context"
                elif (
                    (trig.unless_clause and trig.unless_clause.search(clause))
                    or (trig.unless_message and trig.unless_message.search(raw))
                    or (trig.unless_before and trig.unless_before.search(before))
                    or (trig.unless_match and trig.unless_match.search(matched))
                ):
                    hit.suppressed = "excluded"
                elif _MASK in matched:
                    hit.suppressed = "idiom"
                else:
                    hit.suppressed = _context(
                        trig, clause, mstart, mend, before, after, frame, present, urgent,
                        question, knowledge, hypo, aftermath,
                    )
        frame = _clause_end_frame(clause, frame)
    _apply_resolutions(clauses, hits)
    return hits, clauses


def _context(
    trig: _Trigger,
    clause: str,
    mstart: int,
    mend: int,
    before: str,
    after: str,
    frame: str,
    present: bool,
    urgent: bool,
    question: bool,
    knowledge: bool,
    hypo: re.Match[str] | None,
    aftermath: bool,
) -> str:
    kind = trig.kind
    if _NEGATION_BEFORE.search(before) and not before.endswith(("是不是", "有没有", "是否")):
        return "negated"
    if knowledge and not (present or urgent):
        return "knowledge"
    if kind not in _EXEMPT_HYPOTHETICAL and not (kind == "domestic_violence" and trig.strong):
        if (hypo and hypo.start() < mstart) or _HYPO_AFTER.search(after):
            return "hypothetical"
    if kind not in _EXEMPT_POTENTIAL and _POTENTIAL_BEFORE.search(before):
        return "potential"
    local = _last_frame(clause, mend, kind)
    if local == "past" or (not local and frame == "past"):
        return "past"
    if local == "hearsay" or (not local and frame == "hearsay"):
        return "hearsay"
    if (local == "habitual" or (not local and frame == "habitual")) and kind not in _EXEMPT_HABITUAL:
        return "habitual"
    if not local and frame in ("hypothetical", "knowledge") and kind not in _EXEMPT_HYPOTHETICAL:
        return frame
    if urgent:
        return ""
    if question and not trig.strong:
        return "question"  # a topic noun in a question or consultation: 车祸理赔要多久, 今天地震了吗
    if local != "present" and _TOPIC_AFTER.search(after):
        return "topic"
    if aftermath and not present:
        return "aftermath"
    return ""


def _apply_resolutions(clauses: list[str], hits: list[_Hit]) -> None:
    """「火已经灭了」「孩子找到了」: a resolution in the same or a later clause cancels a trigger
    of its kind, unless the trigger's own clause says it is still going on."""
    for hit in hits:
        if hit.suppressed or hit.urgent:
            continue
        rx = _RESOLVED.get(hit.trigger.kind)
        if rx is not None and any(rx.search(c) for c in clauses[hit.clause:]):
            hit.suppressed = "resolved"


def _injury_mentioned(raw: str) -> bool:
    for m in _INJURY.finditer(raw):
        clause_start = max(raw.rfind(ch, 0, m.start()) for ch in ",，。;；!?") + 1
        before = raw[clause_start: m.start()]
        if not (_NEGATION_BEFORE.search(before) and not before.endswith(("是不是", "有没有"))):
            return True
    return False


def _decide(hits: list[_Hit], raw: str) -> Emergency | None:
    live = [h for h in hits if not h.suppressed]
    if not live:
        return None
    specific = [h for h in live if not h.trigger.generic]
    if specific:  # a cry for help adds nothing when the danger itself is named
        live = specific
    kinds = {h.trigger.kind for h in live}
    injured = any(h.trigger.injury for h in live) or "medical" in kinds
    if "traffic" in kinds and (injured or _injury_mentioned(raw)):
        kinds.add("traffic_injury")
        kinds.discard("traffic")
    primary = next(k for k in PRIORITY if k in kinds)
    lead = next((h for h in live if h.trigger.kind == primary), None)
    if lead is None:  # traffic upgraded to traffic_injury
        lead = next(h for h in live if h.trigger.kind == "traffic")
    numbers: list[str] = list(lead.trigger.numbers or DEFAULT_NUMBERS[primary])
    if primary == "traffic_injury":
        numbers = list(DEFAULT_NUMBERS["traffic_injury"])
    if primary == "gas" and (_GAS_SYMPTOMS.search(raw) or injured):
        numbers.append("120")
    if primary in _ADD_120_ON_INJURY and injured:
        numbers.append("120")
    for h in live:
        kind = "traffic_injury" if h.trigger.kind == "traffic" and primary == "traffic_injury" else h.trigger.kind
        numbers.extend(h.trigger.numbers or DEFAULT_NUMBERS[kind])
    ordered = tuple(dict.fromkeys(numbers))
    return Emergency(kind=primary, numbers=ordered, matched=lead.matched)


def _smell_with_symptoms(raw: str) -> Emergency | None:
    """A strange smell plus dizziness or nausea: treat as a gas leak (or carbon monoxide)."""
    smell = _STRANGE_SMELL.search(raw)
    if smell and _GAS_SYMPTOMS.search(raw) and not re.search(r"下水道|化粪池|垃圾|污水|厕所|粪|养殖|工厂|企业|排放", raw):
        return Emergency("gas", ("119", "120"), smell.group(0))
    return None


_BARE_NUMBER = re.compile(r"(?:快|赶紧|马上|帮我|请)?(?:打|拨|叫|报)?(110|119|120|122)(?:啊|呀|吧)?")
_BARE_KIND = {"110": "violence", "119": "fire", "120": "medical", "122": "traffic"}


def detect(text: str) -> Emergency | None:
    """The emergency happening now in ``text``, or None."""
    raw = normalize(text)
    if not raw:
        return None
    bare = _BARE_NUMBER.fullmatch(re.sub(r"[\W_]+", "", raw))
    if bare:  # 「119！」「快打120」 and nothing else: take it at its word
        number = bare.group(1)
        return Emergency(_BARE_KIND[number], (number,), bare.group(0))
    masked, _ = _mask_idioms(raw)
    hits, _ = _analyse(raw, masked, spaces_split=True)
    found = _decide(hits, raw)
    if found is None and _INNER_SPACE.search(masked):
        # A phrase broken by spaces (「着 火 了」「电梯 困人」): read it again without them.
        hits, _ = _analyse(raw, _SPACES.sub("", masked), spaces_split=False)
        found = _decide(hits, raw)
    if found is None:
        found = _smell_with_symptoms(raw)
    return found


def mentions_emergency_words(text: str) -> bool:
    """True if the text uses vocabulary this layer knows, whether or not it is an emergency now.

    That covers trigger phrases in any context (去年着过火, 万一着火), the emergency numbers and
    services (110打错了会被罚吗), idioms recognised as not an emergency (火烧眉毛, 急死了) and
    routine fire-safety and utility matters (消防通道, 燃气费). The NLU layer uses it to overrule an
    over-eager classifier; when it is False the layer has no opinion and the classifier stands.
    """
    raw = normalize(text)
    if not raw:
        return False
    masked, had_idiom = _mask_idioms(raw)
    if had_idiom or _EMERGENCY_VOCAB.search(raw) or _ROUTINE_VOCAB.search(raw):
        return True
    compact = _SPACES.sub("", masked)
    if any(t.rx.search(compact) for t in _TRIGGERS):
        return True
    return bool(_PAST.search(compact) and _EVENT_VOCAB.search(compact))
