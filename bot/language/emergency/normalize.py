"""Reading a message as the emergency layer sees it: NFKC, simplified characters, spoken numbers
and common typos to digits and words, and idioms that only look like emergencies masked (火烧眉毛,
上火, 跳楼价), keeping character positions (bot/language/emergency/lexicon.py explains the whole)."""

from __future__ import annotations

import re
import unicodedata

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
    (re.compile(r"(?:客|货|直|升降|观光|载人|载货)梯"), "电梯"),
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
MASK = "□"
_NC_IDIOM = r"[^,，。;；!?！？]"
_IDIOMS = re.compile(
    "|".join(
        [
            # fire and smoke used figuratively or in routine matters
            r"火烧眉毛|火烧屁股|火上浇油|火冒三丈|心急如焚|十万火急|趁火打劫|隔岸观火|玩火自焚",
            r"引火烧身|水深火热|热火朝天|如火如荼|火急火燎|急火攻心|上火|发火|火气|恼火|窝火",
            r"(?:气|急)得?直?冒火|心里冒火|肝火|虚火|火爆|火热|火锅|火车|火腿|火候|火速|火箭",
            r"火龙果|火红|红火|烟火气|人间烟火|小心火烛|烟酒|香烟|抽烟|吸烟|烟民|烟花|烟草|烟瘾",
            r"烟盒|烟头|二手烟|电子烟|油烟|烟囱(?!" + _NC_IDIOM + r"{0,3}(?:着|起火|失火|冒火|火苗))|炊烟|烟消云散|打不着火?|点不着火?|打着火|打火机",
            r"点火(?:器|针|困难|失败|开关)|着火点|火力发电|火葬|火化",
            r"(?:围|挨|靠|守|烤|对|朝|冲)着火(?:炉|盆|堆|塘|锅|边|炕|墙)",
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


def mask_idioms(t: str) -> tuple[str, bool]:
    found = False

    def repl(m: re.Match[str]) -> str:
        nonlocal found
        found = True
        return MASK * len(m.group(0))

    return _IDIOMS.sub(repl, t), found
