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

import re
from dataclasses import dataclass

from bot.language.emergency import lexicon
from bot.language.emergency import model as learned
from bot.language.emergency.lexicon import (
    DEFAULT_NUMBERS,
    KINDS,
    PRIORITY,
    Emergency,
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
    "normalize",
]

CONFIDENT = "confident"
POSSIBLE = "possible"

# Thresholds on the learned layer's probability (learned.Thresholds) are chosen with its weights,
# on out-of-fold scores of the training sources (``python -m scripts.train_emergency``), never on
# the sealed half, and stored beside the weights.

# Kinds the model may not demote from full guidance: a false alarm costs a call, a missed one a
# life, and a person follows up (self-harm, a missing child or elder, violence at home).
NEVER_DEMOTED = {"self_harm", "missing_person", "domestic_violence"}
# People trapped by a fire or a collapse: the ambulance too (the fire brigade brings them out).
_TRAPPED = re.compile(r"困|出不去|出不来|下不去|下不来|逃不出|跑不出|埋|压在")
TRAPPED_ADD_120 = {"fire", "disaster"}
# People trapped by it now (「现在…我们在五楼下不去」): never demoted, whatever else the message tells.
_NOW = re.compile(r"现在|正在|还在|此刻|这会儿?|快来|救命|赶紧|马上")


# The model disputes a lexicon reading more readily where the words give it a reason: a frame
# that can make an emergency not one happening now (past, hearsay, a question, resolved …). A
# plain report (「着火了」「一进门就闻到一股很冲的燃气味」) is demoted only on a strong veto.
_DISPUTING_FRAMES = {"past", "hearsay", "habitual", "hypothetical", "knowledge", "question", "consult", "aftermath",
                     "resolved", "worry", "unhurt"}


def _framed(norm: str) -> bool:
    return bool(_DISPUTING_FRAMES & set(lexicon.frame_markers(norm)))


def _plus(numbers: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*numbers, *more)))


# Nothing but greetings, calling the agent and fillers (the lexicon's cries such as 救命 are read before).
_SMALL_TALK = re.compile(
    r"(?:[\s,，.。!！?？~～、…]|闺女|姑娘|小姑娘|丫头|孩子|同志|领导|师傅|大姐|小妹|妹子|老师|喂|你好|您好|哈喽|嗨|hello|hi"
    r"|在吗|在不在|有人吗|有人没|能听见吗|听得见吗|我跟你说|跟你说个事儿?|问一下|问个事儿?|请问|麻烦(?:你|您)?|谢谢|好的|好|行|嗯|哦|对|是"
    r"|啊|呀|呢|吧|嘛|哈|哎|唉|哎呀|诶)+"
)


@dataclass(frozen=True)
class Reading:
    level: str | None                # CONFIDENT, POSSIBLE or None
    emergency: Emergency | None      # kind (for the guidance), numbers (most important first), matched

    @property
    def confident(self) -> Emergency | None:
        return self.emergency if self.level == CONFIDENT else None

    @property
    def possible(self) -> Emergency | None:
        return self.emergency if self.level == POSSIBLE else None


NOTHING = Reading(None, None)


def _from_model(text: str, scored: learned.Scored, level: str, t: learned.Thresholds) -> Emergency:
    kind, numbers = learned.SITUATIONS[scored.situation]
    threshold = t.number if level == CONFIDENT else t.number_possible
    if level == POSSIBLE and scored.runner_up:
        numbers = _plus(numbers, learned.SITUATIONS[scored.runner_up][1])
    if kind == "traffic" and (scored.numbers.get("120", 0.0) >= threshold or lexicon.injury_mentioned(normalize(text))):
        kind = "traffic_injury"  # a crash with someone hurt: 122 and 120, whichever layer read the hurt
        numbers = _plus(numbers, learned.SITUATIONS["traffic_injury"][1])
    return Emergency(kind, _plus(numbers, scored.needed(threshold)), scored.segment[:60])


def combine(text: str, found: Emergency | None, scored: learned.Scored,
            t: learned.Thresholds | None = None) -> Reading:
    """The reading from the two layers' answers (separate so that the thresholds can be chosen
    and the benchmark can score each layer). Combined answers come from the model's number
    heads: a crash with someone hurt gets 122 and 120, a fire with people trapped 119 and 120,
    a person in the water 110 and 120."""
    t = t or learned.model().thresholds
    p = scored.probability
    if found is not None:
        norm = normalize(text)
        if found.matched == "".join(ch for ch in norm if ch.isalnum()):
            return Reading(CONFIDENT, found)  # nothing but the emergency words (「119！」「救命」): taken at their word
        numbers = _plus(found.numbers, scored.needed(t.number))
        if found.kind in TRAPPED_ADD_120 and _TRAPPED.search(norm):
            numbers = _plus(numbers, ("120",))
        kind = "traffic_injury" if found.kind == "traffic" and "120" in numbers else found.kind
        trapped_now = found.kind in TRAPPED_ADD_120 and _TRAPPED.search(norm) and _NOW.search(norm)
        if p >= (t.lexicon_doubt if _framed(norm) else t.lexicon_veto) or found.kind in NEVER_DEMOTED or trapped_now:
            return Reading(CONFIDENT, Emergency(kind, numbers, found.matched))
        # The model disputes it: the numbers, not the alarm.
        return Reading(POSSIBLE, Emergency(kind, _plus(numbers, scored.needed(t.number_possible)), found.matched))
    if _SMALL_TALK.fullmatch(normalize(text)):
        return NOTHING  # 「闺女 在不在啊」: a greeting tells nothing the model could weigh
    if p >= t.model_sure:
        return Reading(CONFIDENT, _from_model(text, scored, CONFIDENT, t))
    if p >= t.model_possible and (scored.kind_probability >= t.model_kind or p >= t.model_plain):
        return Reading(POSSIBLE, _from_model(text, scored, POSSIBLE, t))
    return NOTHING


def assess(text: str | None) -> Reading:
    """The reading of one message (empty or blank text: nothing)."""
    if not text or not text.strip():
        return NOTHING
    return combine(text, lexicon.detect(text), learned.model().score(text))


def detect(text: str | None) -> Emergency | None:
    """The emergency to give full guidance for, or None (possible emergencies are not included)."""
    return assess(text).confident
