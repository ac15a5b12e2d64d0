"""Topics (研判, issue 23): every order's 「大类 › 小类」 from the topic catalogue
(``bot/profiles/topics/<name>.yml``), read when it is filed with 智能派单's unit as a hint, and
correctable by agents and dispatchers. Statistics, hot spots and the units' evaluation are read
by topic (``bot/analytics``).

A topic is kept as one string, 「城乡建设/物业管理」; ``OTHER`` when nothing fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.profile import Profile

TOPIC_DIR = Path(__file__).resolve().parent.parent / "profiles" / "topics"
OTHER = "其他/其他"
SEP = "/"


@dataclass(frozen=True)
class Topic:
    key: str            # 城乡建设/物业管理
    keywords: tuple[str, ...]
    units: tuple[str, ...]

    @property
    def major(self) -> str:
        return self.key.split(SEP, 1)[0]

    @property
    def minor(self) -> str:
        return self.key.split(SEP, 1)[-1]


def catalogue(profile: Profile | None = None) -> tuple[Topic, ...]:
    name = (profile.topics if profile is not None else "") or "default"
    path = TOPIC_DIR / f"{name}.yml"
    if not path.exists():
        path = TOPIC_DIR / "default.yml"
    return _read(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _read(path: Path, _mtime: int) -> tuple[Topic, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for major, minors in (data.get("topics") or {}).items():
        for minor, entry in (minors or {}).items():
            entry = entry or {}
            out.append(Topic(f"{major}{SEP}{minor}", tuple(str(k) for k in entry.get("keywords") or ()),
                             tuple(str(u) for u in entry.get("units") or ())))
    return tuple(out)


def keys(profile: Profile | None = None) -> list[str]:
    return [t.key for t in catalogue(profile)]


def classify(text: str, unit: str | None = None, profile: Profile | None = None) -> str:
    """The order's topic: the catalogue entry whose keywords cover most of the text (longer words
    weigh more); on a tie, or with no keyword, the one whose units match 智能派单's unit."""
    text = text or ""
    best, best_score = OTHER, 0.0
    for topic in catalogue(profile):
        score = float(sum(len(k) for k in topic.keywords if k and k in text))
        if unit and any(u and u in unit for u in topic.units):
            score += 0.5  # the unit's usual topic wins a tie, and stands alone when no word is found
        if score > best_score:
            best, best_score = topic.key, score
    return best


def valid(topic: str, profile: Profile | None = None) -> bool:
    return topic in keys(profile)

