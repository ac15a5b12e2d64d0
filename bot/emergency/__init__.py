"""Emergency detection: one reading of a citizen's words, the same in every part of the product.

Two layers read every message:
- the lexicon (``lexicon.py``): trigger phrases per kind and the context rules that tell an
  emergency now from a past, hearsay, hypothetical or habitual one; fast, exact, explainable;
- the learned layer (``model.py``): a classifier trained on emergency and look-alike descriptions
  written by many hands, read clause by clause, which holds on wording nobody wrote a rule for.

``assess(text)`` combines them into a ``Reading``:
- ``confident``: the full emergency guidance (「情况紧急，请立即拨打…」) — both layers agree, or one
  of them is sure;
- ``possible``: the layers disagree or the score is in between — the citizen hears the numbers in
  one short conditional line before the normal reply (never 「情况紧急」), and the message is
  recorded as a possible emergency;
- ``None``: nothing here.

The gateway's own check (Rasa down or slow), the NLU layer, ``/api/triage`` and the agents'
phone intake all call ``assess`` (or ``detect``, its confident part), so the same words get the
same reading everywhere. Safety first: when the layers disagree the numbers are still given.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.emergency import lexicon
from bot.emergency import model as learned
from bot.emergency.lexicon import (
    DEFAULT_NUMBERS,
    KINDS,
    PRIORITY,
    Emergency,
    mentions_emergency_words,
    normalize,
)

__all__ = [
    "CONFIDENT",
    "DEFAULT_NUMBERS",
    "KINDS",
    "POSSIBLE",
    "PRIORITY",
    "Emergency",
    "Reading",
    "assess",
    "combine",
    "detect",
    "mentions_emergency_words",
    "normalize",
]

CONFIDENT = "confident"
POSSIBLE = "possible"

# Thresholds on the learned layer's probability, chosen on out-of-fold scores of the training
# sources (``python -m scripts.train_emergency --report``), never on the sealed half.
MODEL_SURE = 0.85      # the model alone gives the full guidance
MODEL_POSSIBLE = 0.30  # the model alone gives the conditional line
LEXICON_DOUBT = 0.10   # below this the model disputes a lexicon reading: conditional line instead
HURT = 0.5             # someone is hurt: 120 is added
HURT_POSSIBLE = 0.35   # for the conditional line, where a missing 120 costs more than an extra one

# Kinds where someone hurt adds 120 (medical, self-harm and injured traffic have it already).
_ADD_120 = {"fire", "gas", "lift", "disaster", "violence", "domestic_violence", "missing_person", "traffic"}


@dataclass(frozen=True)
class Reading:
    level: str | None                # CONFIDENT, POSSIBLE or None
    emergency: Emergency | None      # kind (for the guidance), numbers (most important first), matched
    probability: float               # the learned layer's score of the most alarming part
    by_lexicon: bool                 # the lexicon found an emergency now

    @property
    def confident(self) -> Emergency | None:
        return self.emergency if self.level == CONFIDENT else None

    @property
    def possible(self) -> Emergency | None:
        return self.emergency if self.level == POSSIBLE else None


NOTHING = Reading(None, None, 0.0, False)


def _with_hurt(kind: str, numbers: tuple[str, ...], hurt: float, threshold: float) -> tuple[str, ...]:
    if kind == "traffic" and hurt >= threshold:
        return tuple(dict.fromkeys((*DEFAULT_NUMBERS["traffic_injury"], *numbers)))
    if kind in _ADD_120 and hurt >= threshold and "120" not in numbers:
        return (*numbers, "120")
    return numbers


def _from_model(scored: learned.Scored, level: str) -> Emergency:
    kind, numbers = learned.SITUATIONS[scored.situation]
    if level == POSSIBLE and scored.runner_up:
        numbers = tuple(dict.fromkeys((*numbers, *learned.SITUATIONS[scored.runner_up][1])))
    if kind == "traffic" and scored.hurt >= (HURT if level == CONFIDENT else HURT_POSSIBLE):
        kind = "traffic_injury"
    numbers = _with_hurt(kind, numbers, scored.hurt, HURT if level == CONFIDENT else HURT_POSSIBLE)
    return Emergency(kind, numbers, scored.segment[:60])


def combine(text: str, found: Emergency | None, scored: learned.Scored) -> Reading:
    """The reading from the two layers' answers (separate so that benchmarks can score each)."""
    p = scored.probability
    if found is not None:
        bare = found.matched == "".join(ch for ch in normalize(text) if ch.isalnum())
        numbers = _with_hurt(found.kind, found.numbers, scored.hurt if p >= 0.5 else 0.0, HURT)
        if p >= 0.5:  # the model reads another situation too (a crash where the lexicon saw only the hurt)
            numbers = tuple(dict.fromkeys((*numbers, *learned.SITUATIONS[scored.situation][1])))
        em = Emergency(found.kind, numbers, found.matched)
        if bare or p >= LEXICON_DOUBT:
            return Reading(CONFIDENT, em, p, True)
        return Reading(POSSIBLE, em, p, True)
    if p >= MODEL_SURE:
        return Reading(CONFIDENT, _from_model(scored, CONFIDENT), p, False)
    if p >= MODEL_POSSIBLE:
        return Reading(POSSIBLE, _from_model(scored, POSSIBLE), p, False)
    return Reading(None, None, p, False)


def assess(text: str | None) -> Reading:
    """The reading of one message (empty or blank text: nothing)."""
    if not text or not text.strip():
        return NOTHING
    return combine(text, lexicon.detect(text), learned.model().score(text))


def detect(text: str | None) -> Emergency | None:
    """The emergency to give full guidance for, or None (possible emergencies are not included)."""
    return assess(text).confident
