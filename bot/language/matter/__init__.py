"""What of a citizen's message is the matter (诉求内容), as a careful agent writes the order.

A message is cut into segments where the citizen pauses (punctuation, or the spaces of voice input
and unpunctuated typing), and each segment is read as one of:

- ``matter``: what the handling unit needs: what is wrong or wanted, where and since when, who is
  responsible, what was tried, what it causes, what is asked for;
- ``place``: a place and nothing else (kept beside the matter it belongs to);
- ``form``: about the order rather than the matter: the name, the phone, 保密, submitting,
  who is typing (「我替我奶奶发的」);
- ``aside``: greetings, forms of address, the citizen's life story, feelings and abuse without a
  fact, announcements without content (「我跟你说个事儿」「我想提个建议啊」).

The rules below decide what they are sure of (a phone, a greeting, a bare address); a linear
classifier over character n-grams (``model.npz``, trained by ``python -m scripts.train_matter``
on segments written and labelled for it) reads the rest, and a segment is dropped only when the
classifier gives the matter little chance: a fact lost from an order costs more than a word too many.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

import numpy as np

from bot.language import extract
from bot.language.request_types import Model, Weights

WEIGHTS = Path(__file__).with_name("model.npz")
LABELS = ("matter", "place", "form", "aside")
KEPT = ("matter", "place")
# A segment is kept when the model gives matter and place together at least this much: a fact lost
# from an order costs more than a word too many.
KEEP_FROM = 0.3

# A segment this long (unpunctuated speech) tells more than an aside: never dropped whole.
LONG_SEGMENT = 30

_PUNCT = "，,。.!！？?；;、：:\n…~～"
# A segment ends after punctuation, or at a space between words (not inside a phone number).
_SEGMENT = re.compile(r"[^" + _PUNCT + r"\s]+(?:\s+(?=\d)(?<=\d\s)[^" + _PUNCT + r"\s]+)*[" + _PUNCT + r"\s]*")

_PROXY = re.compile(
    r"(?:替|帮|给)(?:我|俺)?(?:家)?(?:奶奶|爷爷|姥姥|姥爷|外婆|外公|妈妈?|爸爸?|老妈|老爸|母亲|父亲|婆婆|公公|老人家?|老公|媳妇|爱人|"
    r"邻居|朋友|亲戚|大爷|大妈|阿姨|叔叔)[^，,。]{0,6}?(?:发|打字|打的|写|问|反映|登记|说)"
    r"|(?:她|他)(?:说|讲)(?:我|俺)(?:打|写|发)|(?:我|俺)(?:孙女|孙子|闺女|女儿|儿子|外孙女?|外孙子?)(?:帮|替|给)(?:我|俺)(?:打|发|写)")
# 「我奶奶说：」 — only the words that introduce what follows.
_SPEECH_INTRO = re.compile(r"^(?:我|俺)?(?:家)?(?:奶奶|爷爷|姥姥|姥爷|外婆|外公|妈妈?|爸爸?|老妈|老爸|母亲|父亲|老人家?|老伴)?(?:说|讲)(?:了)?$")
_SUBMIT = re.compile(
    r"^(?:那|那就|就|你|您|麻烦)?(?:给我|帮我|给俺|帮俺)?(?:提交|登上|登记上|记上|报上去|登记|报上|记一下|登一下)(?:吧|了吧|就行|就行了|就好|呗)?$"
    r"|^(?:就)?(?:这么|这样)(?:写|说|办|的|吧)+(?:吧|了)?$|^(?:写|就写)(?:我|俺)(?:的|儿子的|闺女的|女儿的|奶奶的|妈的)(?:吧)?$"
    r"|^(?:名字|电话|手机)(?:就)?写(?:我|俺)?(?:的|奶奶的|儿子的|闺女的|女儿的|妈的)?(?:吧)?$"
    r"|^(?:(?:奶奶|爷爷|我妈|我爸)说)?(?:行|中|好|对|可以)(?:了)?$"
    r"|^(?:我|俺)?的?(?:电话|手机|手机号|联系电话|电话号码|联系方式|号码|名字|姓名|称呼)(?:号码)?(?:是|为)?$"
    r"|^(?:哦|噢|啊|嗯|哦哦)*(?:问|要|留)(?:我的?)?(?:名字|姓名|电话|称呼|手机号?)(?:啊|呀|是吧|吗|呢)?$")
# A bare name (「王桂兰」) beside the phone or another answer to the form.
_BARE_NAME = re.compile(extract._SURNAME_RX + r"[\u4e00-\u9fa5]{1,2}")


# The party a matter is about, named (「鞍山鑫达商贸有限公司」「金嗓子KTV」): the unit needs it.
_ORGANISATION = re.compile(r"[\u4e00-\u9fa5A-Za-z]{2,}(?:有限公司|有限责任公司|股份公司|公司|集团|商贸|商行|工厂|厂|KTV|ktv|门诊|诊所|药店|驾校|"
                           r"培训(?:学校|机构|班|中心)|健身房|美容院|物业|开发商)")
# 「我要投诉广场舞扰民」: the act said with its object is the matter, not an announcement.
_ACT_WITH_OBJECT = re.compile(r"^(?:我|俺|我们)?(?:要|想|来|必须|坚决)?(?:实名)?(?:投诉|举报|反映|检举)(?:一下|下)?(?P<object>(?![人者])(?!的人).+)$")


# What the citizen asks the government to do (「赶紧给撒点融雪剂」「请尽快派人修一下」) is the matter.
_ASKS_ACTION = re.compile(r"^(?:那|就)?(?:请|麻烦|希望|恳请|赶紧|尽快|快点?|抓紧|能不能|能否|可不可以|可否|想让|想请)+"
                          r"(?:你们|有关部门|相关部门|政府|园林|城管|物业)?(?:给|帮|找人|派人|来人|安排人?)*(?:给|帮)?(?:来)?"
                          r"[\u4e00-\u9fa5]{0,4}?"  # 「能不能中午再加一班」: when, where, how much before the act
                          r"(?:撒|修剪|修|维修|清理|清|拉走|抓走|抓|处理|解决|查处|整治|安装|装|换|补|铲|扫|疏通|通|拆|恢复|协调|督促|管管"
                          r"|加开|加|增加|增设|多开|开通|设置|设|修建|建|派|缩短|延长|调整|改善|改|配|铺|划|画)")
_ASKS_ACTION_INSIDE = re.compile(_ASKS_ACTION.pattern[1:])
_UNPAUSED = 16
# What the matter does to the citizen's own life, in its classic words: a migrant worker's New Year.
_NEW_YEAR_AWAY = r"(?:今年)?过年(?:都|也)?回不(?:了|去)家"
# Who the citizen is, not what is wrong: an age (「我今年七十八了」「年逾八旬」), living nearby (「我家就住附近」).
_WHO_I_AM = re.compile(r"^(?:我|俺|我们|俺们|我家|俺家)?(?:家)?(?:老人|老伴儿?|老头子?|老太太|婆婆|公公|我妈|我爸|老母亲|老父亲)?(?:今年|都|已经|已)*"
                       r"(?:[六七八九]十[一二三四五六七八九]?(?:多|几|来)?(?:岁)?(?:了|啦|的人了)?|年(?:逾|过|近)[六七八九]旬(?:了)?)$"
                       r"|^(?:我|俺)(?:家|们家)?(?:就)?住(?:在)?(?:这)?(?:附近|旁边|对面|边上|跟前)(?:的)?$"
                       # what the matter does to the citizen's own life: a migrant worker's New Year, a
                       # commute, a child's school day, a night shift
                       r"|^(?:我们|俺们|我|俺)?" + _NEW_YEAR_AWAY + r"(?:了|啊)?$"
                       r"|^(?:我|俺)?(?:上班)?(?:天天|总|老|经常)?(?:上班)?迟到(?:了|好几回了)?$"
                       r"|^(?:我家|俺家)?(?:孩子|儿子|闺女|女儿|孙子|孙女)(?:明天|第二天)(?:还|还得|还要|要)?上学(?:呢|啊)?$"
                       r"|^(?:我|俺)(?:是)?上夜班(?:的)?$")
# The same said at the end of a segment that tells a fact (「俺们十几个人过年回不了家了」): the fact stays.
_MY_LIFE_TAIL = re.compile(r"(?:" + _NEW_YEAR_AWAY + r"|(?:眼瞅|眼看|马上)?(?:就要?)?过年了?(?:让我们|我们|俺们)?(?:(?:咋|怎么)(?:回家|过)|回家(?:咋整|怎么办|咋办|都难))(?:啊|呀)?"
                           r"|上班(?:天天|总|老)?迟到|我?(?:明天|明早|早上)?还(?:得|要)(?:早起)?(?:上班|上学)(?:呢)?)"
                           r"(?:了|啊|呀)*(?=[\s，,。！!…]*$)")
# The citizen's own circumstances and remarks, as a careful agent leaves them out of the order: who they
# are and their family (「我本人」「我今年…」「老伴」「孩子都在外地」「我们是四川过来的」), their own body
# (「我腿脚不好」「我有高血压」), how long they have done what they do (「我在这摆摊十来年了」), what they can
# afford, what the matter does to their own feelings, talk about the request's type (「其实也不算投诉」), and
# exaggerations (「夏天热死冬天冻死」). A segment with such words is kept only when the model is sure of
# the matter (``KEEP_MINE_FROM``): the same words also tell a fact (「楼里老人多」, 「老人摔了」).
_MINE = r"(?:我|俺|本人|咱|我们|俺们|我家|俺家|我们家|俺们家)"
_MY_CIRCUMSTANCES = re.compile(
    r"^" + _MINE + r"?(?:今年|都|已经|也)?(?:[五六七八九]十|年(?:逾|过|近)[六七八九]|[五六七八]十年代)"
    r"|本人(?:系|是|今年|年|患|身体|一直|从)|我本人|我是一(?:名|个|位)|(?:一名|一个)普通(?:的)?(?:居民|市民|老百姓|群众|党员)"
    r"|" + _MINE + r"(?:家)?(?:老伴儿?|老头子?|老太婆|那口子|男人|媳妇|爱人|老公|孩子|儿子|闺女|女儿|儿女|子女|孙子|孙女|爸妈|老两口|一家)"
    r"(?:都|也|还|又|就)?(?:在外地|在南方|在国外|不在身边|不在家|身体|有病|病|瘫|走得早|没了|去世|住院|上学|上大学|工作|上班|指着|靠|等着)"
    r"|(?:孩子|儿女|子女)(?:都|也)?(?:在外地|在南方|在国外|不在身边|顾不上)|(?:一个人|独自|自己)(?:住|过|生活|带)|独居|老两口"
    r"|" + _MINE + r"(?:是|都是)?(?:从)?[\u4e00-\u9fa5]{2,3}(?:过来的|来的|来哩|人)(?:[，,]|$)|老家|(?:车票|路费|房租|生活费|饭钱)(?:钱)?(?:都|也)?(?:买不起|交不上|没了|不够)|买不起|交不上|攒了|养家|一家老小"
    r"|就指着|就靠"
    r"|" + _MINE + r"?(?:的)?(?:腿|腰|膝盖|心脏|血压|眼睛|眼神|身体|胳膊|关节)(?:脚)?(?:也|还|一直|本来就)?(?:不好|疼|有病|不行|不灵)"
    r"|(?:患有|得了|有)[^，,]{0,4}?(?:高血压|心脏病|糖尿病|冠心病|关节炎|腰间盘|脑梗|癌)"
    r"|(?:摆摊|摆|干|开|跑|做|住)[^，,]{0,3}?(?:[一二三四五六七八九十几]+|\d+)(?:来|多)?年"
    r"|老(?:主顾|顾客|客户|客人)|回头客|常客|街坊|从来没|守法经营|按时纳税|为荣|立过|从教|服役"
    r"|(?:其实|也)?(?:不算|不是|算不上)(?:什么)?(?:投诉|举报)|没(?:谁|人)(?:做错|有错)|不怪(?:谁|他们|你们)|不是(?:爱|那种爱)?(?:找事|闹事)"
    # what it does to the citizen's own day: 「吵得我孩子作业都写不了」「熏得俺家窗户都不敢开」
    r"|[吵熏冻晒闹弄搞害折腾]得" + _MINE + r"(?:孩子|娃儿?|老人|老伴|媳妇|一家)?"
    r"|" + _MINE + r"(?:孩子|娃儿?|老人|老伴|媳妇)?[^，,]{0,6}(?:睡不着|睡不好|写不成|写不了|学不进|没法学习|没法休息|休息不好|不敢开窗)"
    r"|[热冻累烦急吓气愁饿困臭吵熏晒]死(?:了|人|我)?|要(?:了)?(?:老)?命|受罪|遭罪|提心吊胆|心急如焚|夜不能寐|睡不着觉|神经衰弱|崩溃|心态崩|"
    r"没法过|活不了|跑断腿|一把老骨头|老胳膊老腿|人生地不熟|不容易|辛苦钱|造孽|命苦")
# Signs a segment tells a fact the unit needs beside such words: a number, a place, a time, others affected.
_FACT_BESIDE = re.compile(r"\d|[两三四五六七八九十几]+(?:户|家|个人|位|栋|号楼|单元|层|楼)|楼里|小区|单元|全(?:楼|小区|村)|大家|邻居|居民"
                          r"|(?:昨|前|今)天|上(?:周|礼拜|个月)|(?:月|号|日)(?:起|开始)|补贴|低保|养老金|退休金|认证")
KEEP_MINE_FROM = 0.6


# Ages decide these matters: an age there is the matter.
_AGE_MATTERS = re.compile(r"高龄|补贴|津贴|养老金|养老保险|退休金|办退休|退休手续|低保|优待|认证|老年证|敬老|特困|五保")
# Matters the citizen's circumstances decide (who may have a benefit, a card, a service): there the
# words of one's own circumstances are the matter, not the gate above.
_MINE_MATTERS = re.compile(_AGE_MATTERS.pattern + r"|老年卡|老年证|公积金|残疾|残疾人|丧葬|抚恤|医保|社保|救助|困难|入学|落户|户口|代办|工伤|失业"
                           r"|廉租|公租房|保障房|优待证|独生子女|计生|护理|养老院|托养|申请|能不能办|咋办|怎么办|能领|能办|符合|条件")
# Fear of the reported person finding out explains 保密; it is not the matter (「老板知道了我就得卷铺盖走人」).
_FEAR = re.compile(r"(?:知道|发现|晓得|认出|听说)(?:了|是我)?.{0,8}(?:报复|找我|找茬|麻烦|卷铺盖|走人|开除|辞退|穿小鞋|打我|骂我|没法处|不好相处|饶不了)"
                   r"|(?:别|不要|不能|千万别)让.{0,10}知道|(?:怕|担心|害怕).{0,8}(?:报复|知道是我|找我麻烦|穿小鞋)")


# A vehicle's plate (辽C T2875, 辽CT5209) is what the unit looks the vehicle up by.
# What the citizen thinks of calling the hotline at all (not the matter).
_ABOUT_THE_HOTLINE = re.compile(r"(?:反映|打|说|投诉|找)了?(?:也|都)(?:是)?白(?:反映|打|说|投诉|找|搭)|(?:反映|打电话|打了)(?:了)?(?:也|都)?没(?:用|人管)"
                                r"|(?:就|再)?试(?:最后|这最后)?一(?:次|回)|最后(?:再)?(?:信|相信)你们一(?:次|回)|死马当活马医")
_PLATE = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Za-z]\s?[A-Za-z0-9]{4,6}")
# 「我们是1202 对门是1201」: the room numbers beside an address are places.
_ROOM = re.compile(r"(?:我们|我家|俺家|对门|楼上|楼下|隔壁|他家|她家|他们家)?(?:是|在|住)?\d{3,4}(?:室|号|户)?")


# 「我是开出租的」「我是外卖员」「我是大屯村的」: what the citizen does or where they are from, not a name.
_WHAT_I_DO = re.compile(r"^(?:我是|本人)(?:.*的.*|.*[区县市镇乡村屯].*|(?!" + extract._SURNAME_RX + r").+(?:员|工|生|户|人|手|军|客|东|主|师|商|农|民)"
                        r"|.{3,}(?:员|工|户|人|手|客|师|商)|.*(?:学生|军人|房东|业主|农民|居民|骑手|司机|租户|职工|党员))$")


def segments(text: str) -> list[str]:
    """The message cut where the citizen pauses; joined they give the message back."""
    return _SEGMENT.findall(text) or ([text] if text else [])


def _bare(segment: str) -> str:
    return re.sub(r"[\W_]+", "", extract.normalize(segment))


def rule_label(segment: str, profile) -> str | None:  # type: ignore[no-untyped-def]
    """The label the rules are sure of, or None (the model reads it)."""
    t = extract.normalize(segment)
    bare = _bare(segment)
    if not bare:
        return "aside"
    if extract.is_filler(bare) or extract._OUTBURST.match(t.strip(" ，,。")) or extract.is_abuse_only(t):
        return "aside"
    if not extract.without_courtesies(t).strip(" ，,。!！：:") or extract._TYPE_ONLY.match(t.strip()):
        return "aside"
    if _PROXY.search(bare) or _SPEECH_INTRO.match(bare) or _SUBMIT.match(bare):
        return "form"
    if _ABOUT_THE_HOTLINE.search(bare) and len(bare) <= 16:
        return "aside"  # 「反映了也白反映」「我就试最后一次」: about the hotline, not the matter
    if _PLATE.search(extract.normalize(segment)):
        return "matter"
    if _ROOM.fullmatch(bare):
        return "place"
    if _FEAR.search(bare) and len(bare) <= 30:
        return "form"
    if _ASKS_ACTION.match(bare):
        return "matter"
    act = _ACT_WITH_OBJECT.match(bare)
    if act and len(re.sub(r"[^\u4e00-\u9fa5]", "", act.group("object"))) >= 3:
        return "matter"
    if _ORGANISATION.search(bare) and not extract._ABUSE.search(bare):
        return "matter"
    phone = extract.find_phone(t)
    if phone is not None and len(_bare(t[: phone.span[0]] + t[phone.span[1]:])) <= 4:
        return "form"
    if (extract._ONLY_NAME_OR_PHONE.match(bare) and not _WHAT_I_DO.match(bare)) or extract._SPELLS_NAME.match(bare):
        return "form"
    if len(bare) <= 24 and (extract.parse_confidential(t) is not None or extract.parse_wants_reply(t) is not None
                           or extract.declined_fields(t)) and not extract.describes_matter(
            re.sub(r"保密|匿名|回复|回电|电话|名字|姓名", "", t)):
        return "form"
    address = extract.find_address(t, profile)
    if address is not None:
        rest = t[: address.span[0]] + t[address.span[1]:]
        rest = re.sub(r"^(?:我|俺)?(?:家)?(?:地址|住址|地点|位置)?(?:是|在|就在|住在|住)?", "", rest.strip())
        if len(re.sub(r"[^\u4e00-\u9fa5]", "", rest)) <= 1:
            return "place"
    return None


_CONTEXT = "\u241e"  # between the segment before, the segment and the segment after, as the model reads them


def in_context(segment: str, before: str = "", after: str = "") -> str:
    return f"{before}{_CONTEXT}{segment}{_CONTEXT}{after}"


def _grams(t: str) -> Counter[str]:
    s = "^" + t + "$"
    out: Counter[str] = Counter()
    for n in (1, 2, 3):
        out.update(s[i:i + n] for i in range(len(s) - n + 1))
    out.pop("^", None)
    out.pop("$", None)
    return out


def features(text: str) -> Counter[str]:
    """Character 1-3-grams of the segment (spaces and punctuation gone), its length, and
    the 2-3-grams of the segments before (``P``) and after (``N``) it."""
    before, segment, after = text.split(_CONTEXT) if text.count(_CONTEXT) == 2 else ("", text, "")
    t = _bare(segment)
    out: Counter[str] = Counter()
    if not t:
        return out
    out.update(_grams(t))
    out["#len" + str(min(5, int(math.log2(len(t) + 1))))] += 1
    if re.search(r"\d", t):
        out["#digit"] += 1
    for mark, side in (("P", before), ("N", after)):
        out["#" + mark + ("-" if not side.strip() else "+")] += 1
        for g, n in _grams(_bare(side)).items():
            if len(g) >= 2:
                out[mark + g] += n
    return out


class SegmentModel(Model):
    """request_types' arithmetic over this module's features."""

    featurize = staticmethod(features)


@lru_cache(maxsize=1)
def model() -> SegmentModel | None:
    if not WEIGHTS.exists():
        return None
    return cast(SegmentModel, SegmentModel.load(WEIGHTS))


@dataclass(frozen=True)
class Segment:
    text: str
    label: str
    sure: bool          # decided by a rule, or dropped by the model (below KEEP_FROM)


# The citizen taking back what they just began to tell: 「哎算了那个不重要」「这个先不说了」.
_RETRACTED = re.compile(r"^(?:哎|唉|嗨|哎呀)?(?:算了(?:吧)?)?(?:那个|这个|这事儿?|那事儿?)?(?:不重要|先?不说了|先不说|不提了|就不说了|回头再说)(?:了|吧|啊)?$"
                        r"|^(?:哎|唉|嗨|哎呀)?算了(?:吧)?(?:那个|这个)?$")


def read(text: str, profile) -> list[Segment]:  # type: ignore[no-untyped-def]
    """Every segment of ``text`` with its label."""
    m = model()
    return read_parts(segments(text), profile, m.probabilities if m is not None else None)


def read_parts(parts: list[str], profile, probabilities: Callable[[str], Weights] | None,  # type: ignore[no-untyped-def]
               keep_from: float | None = None) -> list[Segment]:
    """The segments of one message read in turn (``probabilities``: the model's reading of a segment
    in its context, in ``LABELS`` order; None keeps what the rules leave open; ``keep_from``: another
    threshold than ``KEEP_FROM``, for the training report)."""
    keep_from = KEEP_FROM if keep_from is None else keep_from
    out = []
    text = "".join(parts)
    ages_matter = bool(_AGE_MATTERS.search(text))
    mine_matters = bool(_MINE_MATTERS.search(text))
    for i, seg in enumerate(parts):
        label = rule_label(seg, profile)
        if label is None and _WHO_I_AM.match(_bare(seg)):
            # 「我今年七十八了」: an aside beside a matter an age does not decide, the matter beside 高龄补贴
            label = "matter" if ages_matter else "aside"
        if label is not None:
            out.append(Segment(seg, label, True))
            continue
        if probabilities is None:
            out.append(Segment(seg, "matter", False))
            continue
        p = probabilities(in_context(seg, parts[i - 1] if i else "", parts[i + 1] if i + 1 < len(parts) else ""))
        label = LABELS[int(np.argmax(p))]
        keep = float(sum(p[LABELS.index(k)] for k in KEPT))
        if keep >= (max(keep_from, KEEP_MINE_FROM) if not mine_matters and tells_mine(seg) else keep_from) \
                or len(_bare(seg)) >= LONG_SEGMENT:
            if label == "place" and _tells_more_than_a_place(seg, profile):
                label = "matter"  # 「铁东区胜利路那个洗浴中心的锅炉房天天半夜轰隆隆响」: a place, and what happens there
            out.append(Segment(seg, label if label in KEPT else "matter", False))
        else:
            out.append(Segment(seg, label, True))
    for i, read_seg in enumerate(out):
        if _RETRACTED.match(_bare(read_seg.text)):  # 「…那个垃圾桶 哎算了那个不重要」: what came before is taken back
            out[:i + 1] = [Segment(s.text, "aside", True) for s in out[:i + 1]]
    return [_without_my_life(seg) for seg in _names_beside_the_form(out)]


def tells_mine(segment: str) -> bool:
    """Whether a segment has the words of the citizen's own circumstances (「我老伴腿脚也不好」「我们是四川
    过来的」「其实也不算投诉」) and no sign of a fact beside them (a number, others affected, a time, a place:
    「我在…服装市场开档口十来年了」 names where the matter is)."""
    bare = _bare(segment)
    return bool(_MY_CIRCUMSTANCES.search(bare)) and not _FACT_BESIDE.search(bare) and not extract._PLACE_RX.search(bare)


def asks_action(text: str) -> bool:
    """Whether ``text`` asks the government to do something (「赶紧给撒点融雪剂」)."""
    # (in speech typed without a pause, 「…救护车都进不来能不能派个铲车来推一推」, anywhere in it)
    return any(_ASKS_ACTION.match(bare) or (len(bare) >= _UNPAUSED and _ASKS_ACTION_INSIDE.search(bare))
               for bare in map(_bare, segments(text)))


def _tells_more_than_a_place(segment: str, profile) -> bool:  # type: ignore[no-untyped-def]
    """Whether a segment the model reads as a place tells more than the place (four characters or
    more besides the address and the words that point at it)."""
    t = extract.normalize(segment)
    address = extract.find_address(t, profile)
    rest = t[: address.span[0]] + t[address.span[1]:] if address else t
    rest = extract._PLACE_RX.sub("", re.sub(r"那个|这个|那边|这边|旁边|附近|对面|的|在|是|住|就", "", rest))
    return len(re.sub(r"[^\u4e00-\u9fa5]", "", rest)) >= 4


def _without_my_life(seg: Segment) -> Segment:
    if seg.label != "matter" or not (tail := _MY_LIFE_TAIL.search(seg.text)):
        return seg
    rest = seg.text[: tail.start()] + seg.text[tail.end():]
    if not _bare(rest).strip():
        return Segment(seg.text, "aside", True)  # 「眼瞅过年了回家咋整啊」 alone: all of it about the citizen's life
    return Segment(rest, seg.label, seg.sure) if len(_bare(rest)) >= 3 else seg


def _names_beside_the_form(read_: list[Segment]) -> list[Segment]:
    out = list(read_)
    for i, seg in enumerate(read_):
        if seg.sure or not _BARE_NAME.fullmatch(_bare(seg.text)):
            continue
        near = [read_[j] for j in (i - 1, i + 1) if 0 <= j < len(read_)]
        if any(n.label == "form" for n in near) or len(read_) == 1:
            out[i] = Segment(seg.text, "form", True)
    return out


def matter_text(text: str, profile) -> str:  # type: ignore[no-untyped-def]
    """The matter of one message in the citizen's own words and punctuation ('' when none):
    its matter segments and the places beside them."""
    read_ = read(text, profile)
    if not any(s.label == "matter" for s in read_):
        return ""
    kept = "".join(s.text for s in read_ if s.label in KEPT)
    return kept.strip(" ，,。、；;：:\n")


def _overlap(a: str, b: str) -> float:
    a, b = _bare(a), _bare(b)
    if not a or not b or not 0.5 <= len(a) / len(b) <= 2:
        return 0.0
    return len(set(a) & set(b)) / min(len(set(a)), len(set(b)))


_CORRECTION_WORDS = re.compile(r"^(?:(?:不对|不是|错了|说错了|我?刚才说错了|我说错了|更正(?:一下)?|纠正(?:一下)?|应该是|是)[\s，,。!！]*)+")


def corrected(current: str, correction: str, said: str | None = None) -> str | None:
    """``current`` with the segment the citizen corrects replaced (「两天没人拉了」 … 「不对 是三天没拉了」),
    or None when no segment of it is what the correction is about. ``said``: the whole message, when
    ``correction`` is only its matter."""
    said_wrong = re.search(r"不是(?:那个|说)?([^，,。！!\s]{2,12})[\s，,]+是", said or correction)
    if said_wrong and said_wrong.group(1) not in current:
        return None  # 「不是小区大门 是我们单元那个铁门」: what was misheard is not in the matter; nothing to replace
    new = _CORRECTION_WORDS.sub("", correction.strip())
    new_segments = [seg for seg in segments(new) if _bare(seg)]
    if not new_segments:
        return None
    old = segments(current)
    best, at = 0.0, -1
    for i, seg in enumerate(old):
        score = _overlap(seg, new_segments[0])
        if score > best:
            best, at = score, i
    if best < 0.6:
        return None
    pause = re.search(r"[" + _PUNCT + r"\s]*$", old[at])
    tail = pause.group(0) if pause else ""
    kept_head = ""
    for n in range(min(len(new), 8), 1, -1):  # 「楼下烧烤店营业到凌晨两点」 + 「营业到凌晨三点」: keep what comes before
        pos = old[at].find(new[:n])
        if pos > 0:
            kept_head = old[at][:pos]
            break
    old[at] = kept_head + new.rstrip(" ，,。、；;") + tail
    return "".join(old)


# 「一是…；二是…」「第一…第二…」「1.… 2.…」「另外…」: where a second matter begins.
_NEXT_ITEM = re.compile(r"(?:^|(?<=[\s，,。；;！!？?：:]))(?:[一二三四五]是|第[一二三四五](?:个|件|点)?(?:是|事)?[，,：:]?|[1-9][\.、．]|(?:另外|还有)(?:一个|一件)?(?:事|个事)?[，,：:]?"
                        r"|(?:另)?一(?:个|件)(?:事)?是)")  # 「俩事儿 一个是… 另一个是…」
# 「那就先把路灯的登记上」「只登记噪音那个」: which of several matters the citizen files now.
_FILES_ONE = re.compile(r"(?:先|只|就)(?:把|给我|帮我)?(?P<what>[\u4e00-\u9fa5A-Za-z0-9]{1,8}?)(?:的|那个|这个|那件|这件)?(?:事儿?)?"
                        r"(?:登记|报上|记上|提交|报一下|登上)|(?:只|先)(?:登记|报|反映|整|弄|办|处理|管|说)(?P<what2>[\u4e00-\u9fa5A-Za-z0-9]{1,8}?)(?:的|那个|这个)?(?:事儿?)?"
                        r"(?:吧|就行|$|[\s，,。])")


def items(text: str) -> list[str]:
    """The matters of a message that tells several one after another (the words before the first
    one are left out: 「您好，反映两个事。」); [text] when it tells one."""
    starts = [m.start() for m in _NEXT_ITEM.finditer(text)]
    if len(starts) < 2:
        return [text]
    return [text[a:b].strip(" ，,。；;") for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


# An item that asks something rather than tells a matter (「还有一个就是想问问 公租房怎么申请」).
_ASKS_ITEM = re.compile(r"想问|问问|问一下|问下|咨询一下|打听|[？?]|吗|怎么|咋|如何|哪|啥|什么|能不能|可不可以")


def without_questions_beside(text: str) -> str:
    """Of several items told one after another, the matters without the questions asked beside them
    (a question is answered by the knowledge base, not filed in the matter's order); ``text`` as it
    is when it tells one item, or only questions, or only matters."""
    starts = [m.start() for m in _NEXT_ITEM.finditer(text)]
    # (「问一下今年暖气费啥时候截止交啊？另外我们单元楼道灯全坏了」: a question, then the next item)
    parts = [text[: starts[0]], text[starts[0]:]] if len(starts) == 1 and starts[0] >= 6 else items(text)
    if len(parts) < 2:
        return text
    asks = [bool(_ASKS_ITEM.search(part)) for part in parts]
    if all(asks) or not any(asks):
        return text
    kept = [part for part, asked in zip(parts, asks, strict=True) if not asked]
    return _NEXT_ITEM.sub("", kept[0], count=1).strip(" ，,。；;") if len(kept) == 1 else " ".join(kept)


def only_the_one(current: str, said: str) -> str | None:
    """The one matter of several the citizen chose to file now (「那就先把路灯的登记上」), without its
    enumerator; None when they chose none, or the choice does not pick exactly one."""
    chosen = _FILES_ONE.search(said)
    parts = items(current)
    if chosen is None or len(parts) < 2:
        return None
    what = re.sub(r"^(?:先|只|把|给我|帮我|那个|这个)+", "", chosen.group("what") or chosen.group("what2") or "")
    if not what:
        return None
    picked = [p for p in parts if what in p]
    if len(picked) != 1:
        return None
    return _NEXT_ITEM.sub("", picked[0], count=1).strip(" ，,。；;")


# 「不是小区大门 是我们单元那个铁门」: what the citizen says was misheard is not the matter.
_MISHEARD = re.compile(r"(?:^|(?<=[\s，,。！!]))不是(?:那个|说)?[^，,。！!\s]{1,12}[\s，,]+是(?:那个|说)?")


_WORD = r"[\u4e00-\u9fa5A-Za-z0-9]{1,8}?"
_SLIP = r"(?:(?:语音|打字|输入法?|手机)?(?:打|写|说|识别|输入)错(?:字)?了[\s，,。]*)?"
_WORD_FIXES = (
    # 「对是井盖 语音打错了 不是景盖」
    re.compile(r"(?:^|[\s，,。！!])(?:对|嗯|哦|噢)?[\s，,]*(?:是|应该是)(?P<right>" + _WORD + r")[\s，,。]+" + _SLIP
               + r"不是(?P<wrong>" + _WORD + r")[\s，,。！!]*$"),
    # 「不是景盖 是井盖」「打错了 不是景盖是井盖」
    re.compile(r"^[\s，,。]*" + _SLIP + r"不是(?P<wrong>" + _WORD + r")[\s，,]*(?:是|应该是)(?P<right>" + _WORD
               + r")[\s，,。！!]*" + _SLIP + r"$"),
    # 「不是尽该是井盖 语音打错了 就下水道那个井盖没了…」: the fix first, the matter told again after it
    re.compile(r"^[\s，,。]*不是(?P<wrong>" + _WORD + r")[\s，,]*(?:是|应该是)(?P<right>" + _WORD
               + r")[\s，,。]+(?:语音|打字|输入法?|手机)?(?:打|写|说|识别|输入)错(?:字)?了"),
)


def word_fixed(current: str, said: str) -> str | None:
    """``current`` with a word the citizen says was wrong replaced (「…马路中间景盖没了…」 then
    「对是井盖 语音打错了 不是景盖」), or None when ``said`` fixes no word of it."""
    for rx in _WORD_FIXES:
        m = rx.search(said.strip())
        if m and m.group("wrong") in current and m.group("wrong") != m.group("right"):
            return current.replace(m.group("wrong"), m.group("right"))
    return None


def without_misheard(correction: str) -> str:
    """A correction's matter without the part the citizen says was wrong."""
    return _MISHEARD.sub("", correction).strip(" ，,。")


def join(current: str | None, more: str) -> str:
    """A later message's matter after what was kept, with the citizen's kind of pause between."""
    if not current:
        return more
    if not more:
        return current
    if current[-1] in "。！？!?；;…":
        return current + more
    spoken = not re.search(r"[，。！？；]", current + more) and " " in current + more
    return current + (" " if spoken else "。") + more


__all__ = ["LABELS", "Segment", "asks_action", "corrected", "items", "join", "matter_text", "only_the_one", "read", "segments",
           "without_misheard", "word_fixed"]
