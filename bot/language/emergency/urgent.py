"""Urgent matters that are not for 110/119/120/122: outages of water, power, gas or heating that
affect many households now, and disasters (通辽条例第十二条: 涉及水电气热等重点民生领域或者自然灾害、
公共突发事件的诉求，应当立即转派至相关单位处理).

Such a request becomes an urgent work order: marked 紧急, dispatched at once to the catalogue's
unit, with a deadline in hours from the city profile (``urgent``), at the top of the
supervisor's lists. One household's cold radiator is an ordinary order; a whole building without
water in winter is not.

The reading is words and frames, like the lexicon: an outage word, a word for many households,
and nothing that makes it not happening now (past, resolved, a planned notice, a worry).
Disasters are read by the emergency reading (kind ``disaster``) or by their own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.language.emergency import lexicon

_OUTAGE: dict[str, re.Pattern[str]] = {
    "water": re.compile(r"停水|断水|没(?:有)?(?:自来)?水(?:了|用|喝)?|不来水|没来水|水(?:都)?停了|自来水(?:停|断)|"
                        r"水龙头(?:里)?(?:没|不出|一滴)|不出水|爆管|水管(?:爆|崩|裂)"),
    "power": re.compile(r"停电|断电|没(?:有)?电了|电(?:都)?停了|没电|来电了没|全黑|黑灯瞎火|一片漆黑"),
    "gas": re.compile(r"停气|(?:燃|煤|天然)气(?:都|全|也)?(?:停|断|没)了|没(?:有)?(?:燃|煤|天然)气|打不着火|点不着火"),
    "heating": re.compile(r"停暖|暖气[^。!?]{0,8}?(?:不热|停了|不来|没了|冰凉|凉|不通|断了|不供)|没(?:有)?暖气|不供暖|"
                          r"供暖(?:中断|停了|停止|没了)|暖气片(?:冰凉|凉)|家里(?:才|只有)?[0-9一二三四五六七八九十几]+度"),
}

# Many households: a building, a neighbourhood, a street, a village, numbers of households.
_MANY = re.compile(
    r"整(?:栋|幢|个|座|条|片|层)|全(?:楼|栋|单元|小区|村|屯|街|社区|部住户|体住户)|一(?:整)?(?:栋|幢)楼|"
    r"(?:好|几|十|二十|三十|多)(?:几)?(?:栋|幢|个小区|个单元|条街|个村)|一(?:大)?片|片区|大面积|"
    r"家家户户|各家各户|挨家挨户|所有(?:住户|居民|人家|楼)|"
    r"(?:好多|很多|不少|上百|上千|几百|几千|几十|千余|百余|多|[0-9]{2,})(?:个)?(?:户|家|住户|居民|人家|学生|人)|"
    r"(?:这|那|我们|俺们|咱们|我们这|俺们这)(?:栋|幢|座|个)?(?:楼|小区|单元|村|屯|片|条街|镇|学校)|(?:高|低)区|宿舍|学校|"
    r"[0-9一二三四五六七八九十]+(?:号)?(?:栋|幢|号楼)(?![0-9一二三四五六七八九十]*(?:单元)?[0-9]{3,4})|"
    r"(?:小区|楼里|楼上楼下|单元|村里|街上|附近|周边|周围|邻居|左邻右舍)(?:的)?(?:人)?(?:都|全|也都|全都)")

# Only one home: 「整栋楼就我家没电」 is a repair for one household.
# Since a time and still now (「从昨天就不热了」「到现在还没来水」): ongoing, whatever the time word says.
_SINCE = re.compile(r"从(?:昨天|前天|昨晚|昨儿|上周|今早|早上|上午|中午|下午|晚上|半夜|[0-9一二三四五六七八九十几两]+(?:天|个?小时)前)"
                    r"(?:开始|起)?(?:就|到现在|一直)|到现在(?:还|都)?(?:没|不)|一直(?:没|不)|至今(?:没|未|不)")
_ONE_HOME = re.compile(r"就我(?:们)?家|只有我(?:们)?家|只我家|就我一家|别人家都(?:有|好)")
# Not an outage now: announced maintenance (unless it outlasts the notice), over, or only a worry.
_NOTICE = re.compile(r"计划停|通知(?:说)?(?:明天|后天|下周|要|将)|检修停|公告|预计|将于|提前通知")
_OUTLASTS = re.compile(r"超过|过了|到现在|还没|仍然|依然|都[0-9一二三四五六七八九十几]+(?:个)?(?:小时|天)")
_OVER = re.compile(r"(?:已经?|现在(?:已经?)?|早就|后来)(?:来水|来电|恢复|通了|好了|修好)|恢复(?:了|供)|(?<![没不])(?:来水|来电|热)了")
_NOT_NOW = {"past", "hearsay", "knowledge"}   # unless something is happening now too
_NEVER_NOW = {"hypothetical", "worry"}         # 「万一…」 is never happening now

_DISASTER = re.compile(
    r"内涝|(?:水|洪水)(?:已经)?(?:淹|漫|灌|进)(?:了|到|进)?(?:屋|家|院|一楼|地下室|车库|小区|村)|淹(?:了|到)(?:膝盖|腰|半|车)|"
    r"(?:小区|村|屯|家|屋|一楼|地下室|车库|院子?|街|路|庄稼|地里)(?:里|都|全)?(?:被)?淹了|被淹|(?:一楼|家里|屋里|地下室|车库)(?:都|全)?进水|"
    r"洪水|山洪|决堤|溃坝|堤坝(?:裂|垮|漏)|山体滑坡|滑坡|泥石流|塌方|(?:路面|地面|马路)(?:塌陷|塌了|陷下去)|"
    r"(?:房子|楼|墙|屋顶|房顶|围墙)(?:倒|塌)了|倒塌|垮塌|暴雪(?:封|压)|大雪封|雪压塌|"
    r"地震[^。!?]{0,20}(?:塌|倒|裂|压|埋|困)|(?:塌|倒|裂|压|埋|困)[^。!?]{0,20}地震")


# What each kind of urgent matter is called (orders, the console, the citizen's reply).
URGENT_LABELS = {"water": "停水", "power": "停电", "gas": "停气", "heating": "供暖中断", "disaster": "灾害险情"}


@dataclass(frozen=True)
class Urgent:
    kind: str           # water | power | gas | heating | disaster

    @property
    def label(self) -> str:
        return URGENT_LABELS[self.kind]


def urgent_matter(text: str | None) -> Urgent | None:
    """The urgent matter in a request's words, or None for an ordinary one."""
    if not text or not text.strip():
        return None
    norm = lexicon.normalize(text[:4000])
    frames = set(lexicon.frame_markers(norm))
    present = bool({"present", "ongoing", "urgent"} & frames) or bool(_SINCE.search(norm))
    if _NEVER_NOW & frames or _NOT_NOW & frames and not present:
        return None
    if "habitual" in frames and not present:
        return None
    if _DISASTER.search(norm):
        return Urgent("disaster")
    if not _MANY.search(norm) or _OVER.search(norm) or _ONE_HOME.search(norm):
        return None
    if _NOTICE.search(norm) and not _OUTLASTS.search(norm):
        return None
    for kind, rx in _OUTAGE.items():
        if rx.search(norm):
            return Urgent(kind)
    return None


def urgent_for_filing(text: str | None) -> Urgent | None:
    """The urgency of a request being filed: its own words, or a disaster the emergency reading
    sees (a flood or collapse told in words the rule above does not know)."""
    found = urgent_matter(text)
    if found is not None:
        return found
    from bot.language.emergency import assess

    reading = assess(text)
    if reading.level == "confident" and reading.emergency is not None and reading.emergency.kind == "disaster":
        return Urgent("disaster")
    return None
