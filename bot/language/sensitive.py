"""Sensitive words in an order's content (研判's early warnings): signs of a group incident (群体性,
集体, 拉横幅, 静坐), a petition beyond the hotline (上访), a threat to a life (跳楼, 自焚) or the press
(媒体曝光). The list is the city profile's (``warnings.sensitive_words``); this module knows how
such a word is *not* meant:

- inside another word: 「跳楼价」「集体土地」「网上访问」 (the compounds below, each holding its word);
- denied in the same clause: 「没有上访」「并未拉横幅」「不会再去上访」 (a denial just before the
  word, with at most two small words between: 「问题未解决就上访」 is not denied). A threat to a life is never read as denied: 「别跳楼」
  「不想活了要跳楼」 are for a person to read, and so is 「他说不会跳楼」.

A person reads every warning; the list errs towards raising one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words that hold a sensitive word and mean something else (the word inside another word).
COMPOUNDS: dict[str, tuple[str, ...]] = {
    "跳楼": ("跳楼价", "跳楼甩卖", "跳楼大甩卖", "跳楼清仓", "跳楼大促"),
    "集体": ("集体土地", "集体经济", "集体所有", "集体资产", "集体产权", "村集体", "集体户", "集体宿舍", "集体企业",
           "集体林", "集体用地", "集体组织", "集体合同", "集体供暖", "集体婚礼", "集体舞", "集体照", "集体荣誉",
           "集体主义", "集体备课", "集体学习", "集体活动", "集体生活", "集体用餐", "集体就餐"),
    "上访": ("网上访", "线上访"),
    "静坐": ("静坐冥想", "打坐静坐"),
}
# Never read as denied: a life may be at stake.
LIFE = ("跳楼", "自焚", "自杀", "轻生")
# A denial of what follows (没有上访, 并未拉横幅, 不会再去上访, 不是要上访); between the denial
# and the word only such small words (「问题未解决上访」 is not a denial of 上访).
_DENIAL = re.compile(r"(?:没有|没|未曾|未|并未|从未|从没|从来没有?|不会|不是|并非|无意|不打算)"
                     r"(?:再|去|要|想|曾|人|有人|参与|参加|组织|打算|搞|来){0,2}$")
# Not a denial: 不得不, 要不然 (they mean the opposite, or an ultimatum).
_NOT_DENIAL = re.compile(r"(?:不得不|要不然|不会不)(?:再|去|要|想|曾|人|有人|参与|参加|组织|打算|搞|来){0,2}$")
_CLAUSE_END = re.compile(r"[，,。.；;！!？?、\s]")


def _inside_compound(text: str, word: str, at: int) -> bool:
    for compound in COMPOUNDS.get(word, ()):
        offset = compound.find(word)
        start = at - offset
        if start >= 0 and text[start:start + len(compound)] == compound:
            return True
    return False


def _denied(text: str, word: str, at: int) -> bool:
    if word in LIFE:
        return False
    before = text[max(0, at - 6):at]
    cut = max((m.end() for m in _CLAUSE_END.finditer(before)), default=0)
    before = before[cut:]  # the same clause only
    return bool(_DENIAL.search(before)) and not _NOT_DENIAL.search(before)


def find_sensitive(text: str | None, words: Iterable[str]) -> str | None:
    """The first word of ``words`` meant in ``text`` (by position; the longest at one place), or None."""
    if not text:
        return None
    found: list[tuple[int, int, str]] = []
    for word in {w for w in words if w}:
        at = text.find(word)
        while at >= 0:
            if not _inside_compound(text, word, at) and not _denied(text, word, at):
                found.append((at, -len(word), word))
                break
            at = text.find(word, at + 1)
    return min(found)[2] if found else None
