"""The learned emergency layer: a linear classifier over character n-grams, read clause by clause.

The lexicon (``lexicon.py``) knows the words and the context rules it was written for; this layer
has learned from a bank of emergency and look-alike descriptions written by many hands (symptoms
rather than names, crashes told without 车祸, fraud told as a story) and so holds on wording nobody
wrote a rule for. It reads the whole message, every sentence, every clause and every pair of
neighbouring clauses, so an emergency in the middle of a long complaint is still found, and says
for the most alarming of them how likely it is an emergency now, which kind (``SITUATIONS``) and
whether someone is hurt (120 is then added to the numbers).

No I/O after the weights are loaded, no model download: the weights are a small ``.npz`` file in
this folder written by ``python -m scripts.train_emergency`` from the training sources it names.
A message costs well under a millisecond, so it runs wherever the lexicon runs (the gateway, the
NLU, ``/api/triage``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.language.emergency.lexicon import frame_markers, normalize

WEIGHTS = Path(__file__).with_name("model.npz")
Weights = npt.NDArray[np.float32]

# What the classifier tells apart: a situation -> (the kind whose guidance the citizen reads, the
# numbers to call). Drowning and carbon monoxide have numbers of their own.
SITUATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "fire": ("fire", ("119",)),
    "gas": ("gas", ("119",)),
    "co_poisoning": ("gas", ("120", "119")),
    "lift": ("lift", ("119",)),
    "medical": ("medical", ("120",)),
    "drowning": ("medical", ("110", "120")),
    "self_harm": ("self_harm", ("110", "120")),
    "violence": ("violence", ("110",)),
    "domestic_violence": ("domestic_violence", ("110",)),
    "fraud": ("fraud", ("110", "96110")),
    "missing_person": ("missing_person", ("110",)),
    "traffic": ("traffic", ("122",)),
    "traffic_injury": ("traffic_injury", ("122", "120")),
    "disaster": ("disaster", ("119",)),
}
NONE = "none"
CLASSES: tuple[str, ...] = (NONE, *SITUATIONS)

_SENTENCE = re.compile(r"[^。！？!?\n\r]+")
_CLAUSE = re.compile(r"[^,，;；:：、…~～\s]+")
_SPACES = re.compile(r"\s+")
PART_FULL = 12          # a part of a message shorter than this counts for less (叫个人出来)
MAX_SEGMENT = 80        # longer sentences are read through their clauses only
MAX_SEGMENTS = 400      # a very long message: the first ones (the gateway caps a message's length anyway)


def grams(text: str) -> set[str]:
    """Character 1- to 3-grams of a normalised, space-free segment, with its edges marked."""
    t = "^" + _SPACES.sub("", text) + "$"
    out: set[str] = set()
    for n in (1, 2, 3):
        out.update(t[i:i + n] for i in range(len(t) - n + 1))
    out.discard("^")
    out.discard("$")
    return out


def context(text: str) -> frozenset[str]:
    """What the whole message says around any one part: its frame words (past, hearsay …). The
    lexicon's verdict is not a feature: the model must be able to dispute it."""
    return frozenset(f"@m_{m}" for m in frame_markers(text))


def features(segment: str, ctx: frozenset[str]) -> set[str]:
    """A segment's n-grams, its own frame words, and the message's context."""
    return grams(segment) | {f"@s_{m}" for m in frame_markers(segment)} | ctx


def segments(text: str) -> list[str]:
    """The parts of a message that are read: the whole (when short), each sentence, each clause
    and each pair of neighbouring clauses of a sentence. ``text`` is already normalised."""
    out: list[str] = []
    whole = text.strip()
    if not whole:
        return out
    if len(whole) <= MAX_SEGMENT:
        out.append(whole)
    for sm in _SENTENCE.finditer(whole):
        sentence = sm.group(0).strip()
        if not sentence:
            continue
        if len(sentence) <= MAX_SEGMENT:
            out.append(sentence)
        clauses = _CLAUSE.findall(sentence)
        if len(clauses) > 1:
            out.extend(clauses)
            out.extend(a + "，" + b for a, b in zip(clauses, clauses[1:], strict=False))
            out.extend("，".join(clauses[i:i + 3]) for i in range(len(clauses) - 2))
        if len(out) >= MAX_SEGMENTS:
            break
    return list(dict.fromkeys(s for s in out if s))[:MAX_SEGMENTS]


NUMBERS: tuple[str, ...] = ("110", "119", "120", "122")


@dataclass(frozen=True)
class Thresholds:
    """How the learned layer's probabilities are read with the lexicon (bot/language/emergency/__init__.py)."""

    model_sure: float = 0.9        # the model alone gives the full guidance
    model_possible: float = 0.3    # the model alone gives the conditional line
    lexicon_doubt: float = 0.1     # below this the model disputes a lexicon reading in a frame (听说, 去年 …)
    number: float = 0.5            # a number the model says is needed is added to the full guidance
    number_possible: float = 0.35  # the same for the conditional line (a missing number costs more there)
    lexicon_veto: float = 0.1      # below this the model disputes a plain lexicon reading
    # The model alone gives the conditional line only when it also knows which emergency it reads
    # (the situation's probability at least ``model_kind``) or is nearly sure of one (``model_plain``):
    # an ordinary turn the detector likes (「屋里十五度 孩子在家都得穿羽绒服」) reads as no kind in
    # particular (a missing person? a medical case? a disaster?). 0.0 / 1.01: no such demand.
    model_kind: float = 0.0
    model_plain: float = 1.01

    def as_array(self) -> npt.NDArray[np.float64]:
        return np.array([self.model_sure, self.model_possible, self.lexicon_doubt, self.number, self.number_possible,
                         self.lexicon_veto, self.model_kind, self.model_plain], dtype=np.float64)

    @classmethod
    def from_array(cls, values: npt.NDArray[np.floating[Any]]) -> Thresholds:
        return cls(*(float(v) for v in values))


@dataclass(frozen=True)
class Scored:
    probability: float     # that some part of the message is an emergency happening now
    situation: str         # the most likely situation of that part (a key of SITUATIONS)
    numbers: dict[str, float]  # for each of NUMBERS, how likely it is needed (someone hurt: 120 …)
    segment: str           # the part that scored highest
    runner_up: str | None  # the second most likely situation when it is close, else None
    kind_probability: float = 1.0  # how sure the situation classifier is of ``situation`` for that part

    def needed(self, threshold: float) -> tuple[str, ...]:
        return tuple(n for n in sorted(self.numbers, key=lambda n: -self.numbers[n]) if self.numbers[n] >= threshold)


class Model:
    """Weights and the arithmetic of three linear parts on the same L2-normalised binary
    features: an emergency-or-not detector, a classifier of the situation (softmax over
    ``classes``, trained on emergencies) and one head per emergency number (is it needed)."""

    def __init__(self, vocab: list[str], detector: Weights, detector_bias: float,
                 weights: Weights, bias: Weights,
                 number_weights: Weights, number_bias: Weights, classes: tuple[str, ...],
                 thresholds: Thresholds | None = None) -> None:
        self.index = {g: i for i, g in enumerate(vocab)}
        self.detector = detector              # (len(vocab),)
        self.detector_bias = detector_bias
        self.weights = weights                # (len(vocab), len(classes))
        self.bias = bias                      # (len(classes),)
        self.number_weights = number_weights  # (len(vocab), len(NUMBERS))
        self.number_bias = number_bias        # (len(NUMBERS),)
        self.classes = classes
        self.thresholds = thresholds or Thresholds()

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Model:
        data = np.load(path, allow_pickle=False)
        return cls(
            [str(g) for g in data["vocab"]],
            data["detector"].astype(np.float32),
            float(data["detector_bias"]),
            data["weights"].astype(np.float32),
            data["bias"].astype(np.float32),
            data["number_weights"].astype(np.float32),
            data["number_bias"].astype(np.float32),
            tuple(str(c) for c in data["classes"]),
            Thresholds.from_array(data["thresholds"]) if "thresholds" in data.files else None,
        )

    def vector(self, segment: str, ctx: frozenset[str]) -> tuple[list[int], float]:
        idx = sorted({self.index[g] for g in features(segment, ctx) if g in self.index})
        return idx, (1.0 / math.sqrt(len(idx)) if idx else 0.0)

    def probabilities(self, segment: str, ctx: frozenset[str] = frozenset()) -> tuple[float, Weights, Weights]:
        """(probability of an emergency now, softmax over ``classes``, probability that each of
        NUMBERS is needed) for one segment."""
        idx, value = self.vector(segment, ctx)
        det = self.detector_bias + (float(self.detector[idx].sum()) * value if idx else 0.0)
        em = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, det))))
        logits = self.bias + (self.weights[idx].sum(axis=0) * value if idx else 0.0)
        logits = logits - logits.max()
        p = np.exp(logits)
        p /= p.sum()
        number_logits = self.number_bias + (self.number_weights[idx].sum(axis=0) * value if idx else 0.0)
        return em, p, 1.0 / (1.0 + np.exp(-np.clip(number_logits, -30.0, 30.0)))

    def score(self, text: str) -> Scored:
        """The most alarming part of a raw message; the numbers are read over every part nearly
        as alarming as it."""
        norm = normalize(text)
        ctx = context(norm)
        none = self.classes.index(NONE)
        read = []
        whole = norm.strip()
        for seg in segments(norm):
            em, p, numbers = self.probabilities(seg, ctx)
            if seg != whole:  # a short part of a message says less than it seems to on its own
                em *= min(1.0, len(seg) / PART_FULL)
            read.append((em, p, numbers, seg))
        if not read:
            return Scored(0.0, "medical", {n: 0.0 for n in NUMBERS}, "", None)
        em, p, _, seg = max(read, key=lambda r: r[0])
        alarming = [r[2] for r in read if r[0] >= 0.5 * em]
        needed = {n: float(max(v[i] for v in alarming)) for i, n in enumerate(NUMBERS)}
        order = [i for i in np.argsort(-p) if i != none]
        first, second = order[0], order[1]
        runner = self.classes[second] if p[second] >= 0.5 * p[first] else None
        return Scored(em, self.classes[first], needed, seg, runner, float(p[first]))


@lru_cache(maxsize=1)
def model() -> Model:
    return Model.load()
