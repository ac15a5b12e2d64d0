"""The street (街道, or a town's 镇/乡) of an address within its district, for 研判's street hot
spots: 「铁东区胜利街道园林小区3号楼」 -> 「胜利街道」.

When the city profile lists its streets (``streets:``), an address is read against that list only
(official names and other spellings); otherwise by the shape of a street's name: two to eight
characters ending in 街道, 镇 or 乡, after the city, district or county.
"""

from __future__ import annotations

import re

from bot.profile import Profile

# Two to eight characters ending in 街道/镇/乡, not a road named after a town (镇江路), not a
# township's office standing for the place (胜利街道办 is still 胜利街道).
_SHAPE = re.compile(r"([\u4e00-\u9fa5]{2,8}?(?:街道|镇|乡))(?![\u4e00-\u9fa5]?(?:路|街|大街|大道|道|巷))")
# What ends the name of a place above a street: a province, city, district or county (or banner).
_ABOVE = "省市区县旗"
_NOT_STREETS = ("城乡", "乡镇", "城镇", "家乡", "老乡", "下乡", "返乡")


def street_of(address: str | None, district: str | None, profile: Profile) -> str | None:
    """The street of ``address`` (None when it names none; always None without a district)."""
    if not address or not district:
        return None
    listed = profile.streets.get(district)
    text = address.replace(district, " ")
    for alias in profile.district_names():
        if profile.district_names()[alias] == district:
            text = text.replace(alias, " ")
    if listed:
        spellings = sorted(((s, official) for official, others in listed.items() for s in (official, *others)),
                           key=lambda pair: -len(pair[0]))
        hits = [(text.find(s), official) for s, official in spellings if s and s in text]
        return min(hits)[1][:32] if hits else None
    for m in _SHAPE.finditer(text):
        name = _own_name(m.group(1))
        if len(name) >= 3 and not any(bad in name for bad in _NOT_STREETS):
            return name[:32]
    return None


def _own_name(name: str) -> str:
    """A street's own name without the places above it said before it (「鞍山市胜利街道」 -> 「胜利街道」):
    cut after the last of them that leaves a name of three characters or more, so that a street
    named with one of those characters keeps it (「红旗街道」, not 「街道」)."""
    for i in range(len(name) - 4, -1, -1):
        if name[i] in _ABOVE:
            return name[i + 1:]
    return name
