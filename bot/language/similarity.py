"""How alike two citizens' descriptions are, by their meaningful words (the repeat check, 集中反映)."""

from __future__ import annotations

import functools
import re

import jieba

_SAYS_NOTHING = {"我", "的", "了", "是", "在", "有", "要", "投诉", "举报", "反映", "问题", "一下", "，", "。"}


def _tokens(text: str) -> frozenset[str]:
    # 集中反映 compares a new order with every open order of its place in the last 72 hours: each
    # text is cut into words once, not once per comparison (jieba's dictionary size is part of the
    # key: a word added to it since, e.g. the city's place names, cuts the text anew)
    return _cut(text or "", jieba.dt.total)


@functools.lru_cache(maxsize=16384)
def _cut(text: str, _dictionary: object) -> frozenset[str]:
    return frozenset(w for w in jieba.lcut(text) if len(w.strip()) > 1 or re.match(r"[\u4e00-\u9fa5]", w)) - _SAYS_NOTHING


def similarity(a: str, b: str) -> float:
    """Jaccard overlap of the meaningful words of two descriptions (0..1)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)
