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

import numpy as np

from bot.emergency.lexicon import normalize

WEIGHTS = Path(__file__).with_name("model.npz")

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


@dataclass(frozen=True)
class Scored:
    probability: float     # that some part of the message is an emergency happening now
    situation: str         # the most likely situation of that part (a key of SITUATIONS)
    hurt: float            # that someone is hurt or unwell there (adds 120)
    segment: str           # the part that scored highest
    runner_up: str | None  # the second most likely situation when it is close, else None


class Model:
    """Weights and the arithmetic of one linear classifier (softmax over CLASSES) and one binary
    head (someone hurt), both on the same L2-normalised binary n-gram features."""

    def __init__(self, vocab: list[str], weights: np.ndarray, bias: np.ndarray,
                 hurt_weights: np.ndarray, hurt_bias: float, classes: tuple[str, ...]) -> None:
        self.index = {g: i for i, g in enumerate(vocab)}
        self.weights = weights          # (len(vocab), len(classes))
        self.bias = bias                # (len(classes),)
        self.hurt_weights = hurt_weights  # (len(vocab),)
        self.hurt_bias = hurt_bias
        self.classes = classes

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Model:
        data = np.load(path, allow_pickle=False)
        return cls(
            [str(g) for g in data["vocab"]],
            data["weights"].astype(np.float32),
            data["bias"].astype(np.float32),
            data["hurt_weights"].astype(np.float32),
            float(data["hurt_bias"]),
            tuple(str(c) for c in data["classes"]),
        )

    def features(self, segment: str) -> tuple[list[int], float]:
        idx = sorted({self.index[g] for g in grams(segment) if g in self.index})
        return idx, (1.0 / math.sqrt(len(idx)) if idx else 0.0)

    def probabilities(self, segment: str) -> tuple[np.ndarray, float]:
        """(softmax over ``classes``, probability that someone is hurt) for one segment."""
        idx, value = self.features(segment)
        logits = self.bias + (self.weights[idx].sum(axis=0) * value if idx else 0.0)
        logits = logits - logits.max()
        p = np.exp(logits)
        p /= p.sum()
        hurt_logit = self.hurt_bias + (float(self.hurt_weights[idx].sum()) * value if idx else 0.0)
        return p, 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, hurt_logit))))

    def score(self, text: str) -> Scored:
        """The most alarming part of a raw message."""
        norm = normalize(text)
        best: tuple[float, np.ndarray, float, str] | None = None
        none = self.classes.index(NONE)
        for seg in segments(norm):
            p, hurt = self.probabilities(seg)
            em = 1.0 - float(p[none])
            if best is None or em > best[0]:
                best = (em, p, hurt, seg)
        if best is None:
            return Scored(0.0, "medical", 0.0, "", None)
        em, p, hurt, seg = best
        order = [i for i in np.argsort(-p) if i != none]
        first, second = order[0], order[1]
        runner = self.classes[second] if p[second] >= 0.5 * p[first] else None
        return Scored(em, self.classes[first], hurt, seg, runner)


@lru_cache(maxsize=1)
def model() -> Model:
    return Model.load()
