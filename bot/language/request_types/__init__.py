"""The request type of a whole message: 咨询, 求助, 投诉, 举报 or 意见建议 (鞍山条例第九条, 潍坊条例第十条).

The NLU's intent reads a chat turn; this reads anything a citizen or an operator writes, from
「咋整啊停水三天了」 to a 900-character letter to the mayor with numbered points and a long
history, and always has an answer: its best type and how sure it is. Whoever asks decides what
to do with an unsure answer (the form asks the citizen; ``/api/triage`` shows the confidence).

What the citizen declares in so many words (「我要投诉」, 「实名举报…」, 「提个建议」) stands over
the model; a type word elsewhere (「投诉了三次没人管」, 「建议相关部门…」 in a complaint, 「想投诉
网店，先问问流程」) is only a word the model reads. It is a linear classifier over
TF-IDF weighted character 1-3-grams of the whole message and, apart, of its ending (where a
letter says what it wants: 「希望相关部门尽快处理」 / 「建议…」 / 「请问…」), trained by
``python -m scripts.train_request_types`` from the sources it names. No I/O after the weights
are loaded, no model download; a message costs about a millisecond.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeGuard

import numpy as np
import numpy.typing as npt

from bot.language.extract import NOT_NAMING, RENAMED_TYPE, REQUEST_TYPES, normalize

WEIGHTS = Path(__file__).with_name("model.npz")
Weights = npt.NDArray[np.float32]
# The NLU's request intents and the request type each names (chat turns; the classifier is
# trained on their examples too).
INTENT_TYPES = {"complain": "投诉", "consult": "咨询", "seek_help": "求助", "suggest": "意见建议", "report_violation": "举报"}
MAX_CHARS = 4000                    # a longer message is read from its first and last parts
ENDING_CHARS = 90                   # how much of the end is read apart
_MASK = re.compile(r"[*＊Xx×某]{2,}|\*")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
# The citizen's own act: 「我要投诉…」, 「现实名举报…」, 「投诉：…」 at the start, 「提个建议」.
_DECLARED = re.compile(
    r"(?:^|[，,。！!；;：:\s]|我们?|俺们?|本人|特此|现|来电人?|市民|群众)(?:要|想|想要|来|再次|现在|特此|现|必须|坚决|强烈)*(?:实名)?"
    r"(举报|检举|投诉|求助|咨询)|提(?:个|点|一点|几点|一些)?(?:建议|意见)|^(?:建议|意见建议)")
# …unless what follows asks how to do it: a question about the process is a 咨询 the model reads.
_ASKS_HOW = re.compile(r"^.{0,14}?(?:去哪|找谁|哪个部门|什么部门|哪个单位|怎么|咋|如何|流程|程序|需要|得提供|要提供|提供啥|"
                       r"电话|渠道|途径|有用吗|管用吗|能不能|可不可以|可以吗|行吗|吗|么|\?|？)")
_KINDS = {"举报": "举报", "检举": "举报", "投诉": "投诉", "求助": "求助", "咨询": "咨询"}


def prepared(text: str) -> str:
    """Normalised text: masks (***, 某某) one symbol, spaces gone, long text cut in its middle."""
    t = _SPACES.sub("", _MASK.sub("○", normalize(text)))
    if len(t) > MAX_CHARS:
        t = t[: MAX_CHARS // 2] + t[-MAX_CHARS // 2:]
    return t


def ending(t: str) -> str:
    """The last sentence or two of a prepared text (up to ENDING_CHARS characters)."""
    if len(t) <= ENDING_CHARS:
        return t
    tail = t[-ENDING_CHARS:]
    cut = _SENTENCE_END.search(tail[: ENDING_CHARS // 2])
    return tail[cut.end():] if cut else tail


def declared_type(text: str) -> str | None:
    """The type a citizen declares as their act (「我要投诉物业」), None for a mere mention or
    a question about how to (「投诉物业去哪个部门」, 「不是投诉」); a type corrected in the same
    message (「我想投诉一下 不对 算建议吧」) is the corrected one. In chat, a space ends a clause:
    「一点没通知 投诉自来水公司」 declares as 「…，投诉自来水公司」 would (but 「之前 投诉过」 does not)."""
    said = normalize(text)
    kind = _declared_in(NOT_NAMING.sub("，", _SPACES.sub("", said)))
    if kind is None and _SPACES.search(said.strip()):
        spaced = _SPACES.sub("，", _LEANS_ON_NEXT.sub(r"\1", said.strip()))
        kind = _declared_in(NOT_NAMING.sub("，", spaced), told_before=True)
    return kind


# Words that lean on the next one across a space (「不是 投诉」「我 要 投诉」).
_LEANS_ON_NEXT = re.compile(r"(不是|不算|不想|不要|别|要|想|我|俺|再次|强烈|坚决|实名)\s+")
# A type word followed by these tells what was done before, not the act (「之前 投诉过」「投诉了也没用」).
_DONE_BEFORE = re.compile(r"^(?:过|了|的|也|都|完|半天|好几|多少|几)")


def _declared_in(t: str, told_before: bool = False) -> str | None:
    renamed = [m for m in RENAMED_TYPE.finditer(t) if not _ASKS_HOW.search(t[m.end():m.end() + 20])]
    if renamed and _DECLARED.search(t[: renamed[-1].start()]):
        return _KINDS.get(renamed[-1].group(1), "意见建议")
    for m in _DECLARED.finditer(t):
        if t[m.end():m.end() + 1] not in ("：", ":") and _ASKS_HOW.search(t[m.end():m.end() + 20]):
            continue
        if told_before and _DONE_BEFORE.match(t[m.end():]):
            continue
        return _KINDS.get(m.group(1) or "", "意见建议")
    return None


def _grams(t: str, prefix: str) -> Counter[str]:
    s = "^" + t + "$"
    out: Counter[str] = Counter()
    for n in (1, 2, 3):
        out.update(prefix + s[i:i + n] for i in range(len(s) - n + 1))
    out.pop(prefix + "^", None)
    out.pop(prefix + "$", None)
    return out


def features(text: str) -> Counter[str]:
    """Counts of the whole message's n-grams and, marked ``E``, those of its ending."""
    t = prepared(text)
    if not t:
        return Counter()
    out = _grams(t, "")
    if len(t) > 12:
        out.update(_grams(ending(t), "E"))
    out["#len" + str(min(4, int(math.log2(max(1, len(t)) / 8 + 1))))] += 1
    return out


@dataclass(frozen=True)
class Reading:
    type: str                      # one of REQUEST_TYPES
    confidence: float              # the model's probability of it (1.0 when the citizen named it)
    scores: dict[str, float]       # every type's probability
    named: bool = False            # the citizen named the type in so many words


class Model:
    """TF-IDF (sublinear tf, L2) -> softmax over ``classes``; the arithmetic of scikit-learn's
    TfidfVectorizer + LogisticRegression without either at run time."""

    featurize = staticmethod(features)   # a subclass reads other features with the same arithmetic

    def __init__(self, vocab: list[str], idf: Weights, weights: Weights, bias: Weights,
                 classes: tuple[str, ...], ask_below: float) -> None:
        self.index = {g: i for i, g in enumerate(vocab)}
        self.idf = idf
        self.weights = weights          # (len(vocab), len(classes))
        self.bias = bias
        self.classes = classes
        self.ask_below = ask_below      # below this the form asks the citizen

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Model:
        data = np.load(path, allow_pickle=False)
        return cls([str(g) for g in data["vocab"]], data["idf"].astype(np.float32),
                   data["weights"].astype(np.float32), data["bias"].astype(np.float32),
                   tuple(str(c) for c in data["classes"]), float(data["ask_below"]))

    def vector(self, text: str) -> tuple[npt.NDArray[np.int64], Weights]:
        counts = [(self.index[g], n) for g, n in self.featurize(text).items() if g in self.index]
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.array([i for i, _ in counts], dtype=np.int64)
        values = (1.0 + np.log(np.array([n for _, n in counts], dtype=np.float32))) * self.idf[idx]
        return idx, values / np.linalg.norm(values)

    def probabilities(self, text: str) -> Weights:
        idx, values = self.vector(text)
        logits: Weights = self.bias + (values @ self.weights[idx] if len(idx) else 0.0)
        logits = logits - logits.max()
        p: Weights = np.exp(logits)
        p /= p.sum()
        return p


@lru_cache(maxsize=1)
def model() -> Model:
    return Model.load()


def classify(text: str | None) -> Reading | None:
    """The request type of ``text``; None only for a message with nothing in it."""
    t = normalize(text)
    if not t:
        return None
    named = declared_type(t)
    m = model()
    scores = {c: round(float(v), 4) for c, v in zip(m.classes, m.probabilities(t), strict=True)}
    if named:
        return Reading(named, 1.0, scores, named=True)
    best = max(scores, key=lambda c: scores[c])
    return Reading(best, scores[best], scores)


def sure(reading: Reading | None) -> TypeGuard[Reading]:
    """Whether a reading is sure enough to file without asking the citizen."""
    return reading is not None and (reading.named or reading.confidence >= model().ask_below)


__all__ = ["REQUEST_TYPES", "Reading", "classify", "sure", "model"]
