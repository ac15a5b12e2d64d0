"""The plain word lists of ``bot/lexicon/words.yml``, read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

WORDS_FILE = Path(__file__).resolve().parent.parent / "lexicon" / "words.yml"


@cache
def _all() -> dict[str, frozenset[str]]:
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")) or {}
    return {name: frozenset(str(w) for w in words or ()) for name, words in data.items()}


def words(name: str) -> frozenset[str]:
    """One list by its name in the file (a KeyError names a list that is not there)."""
    return _all()[name]
