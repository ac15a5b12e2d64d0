"""The fast deterministic emergency layer.

``detect(text)`` says whether a citizen's message describes an emergency happening *now* and
which emergency numbers to give (110/119/120/122/96110). It has no I/O and no model, so it can
run before anything slow; every regular expression is compiled at import.

How it reads a message:

1. Normalise: NFKC (full-width digits, letters and punctuation to half-width), lower case, a few
   traditional characters to simplified, spoken numbers (幺幺零, 妖妖灵) to digits, common typos
   and symbols (车获, 煤汽, 电体, 🔥, 🚑) to the words they stand for.
2. Mask idioms and routine uses that only look like emergencies (火烧眉毛, 上火, 急死了, 打不着火,
   跳楼价 ...), keeping character positions.
3. Split into sentences (。！？ and new lines) and clauses (commas, spaces, 然后/而且/但是 ...).
4. Find trigger phrases per kind in every clause, then decide per trigger whether the context
   says it is not happening now: a past, hearsay or habitual time frame (the nearest time marker
   wins, so 「去年着过火，今天又着了」 is read clause by clause), a hypothetical or a hazard
   (万一, 如果, 容易着火, 消防隐患), a negation (没有人受伤), a question or consultation about the
   services (120怎么收费), a reference to an event already handled (火已经灭了, 孩子找到了).
   A non-actual frame carries over to the next clauses of the same sentence only when the clause
   that set it talked about an emergency, and any present marker (现在, 正在, 刚才, 又) resets it.
   A worry about a crime (怕被抢, 担心有人偷) is not a crime happening, a safety device to buy or
   install (燃气泄漏报警器) is not a leak, and smoke a business makes every day (烧烤店天天冒烟)
   is a complaint, unless the message also says the fire is real (着火, 火苗, 突然冒出).
5. Anything left is an emergency: the most serious kind leads, the numbers of the others are
   added after its own. A request for a service (快报警, 叫救护车) never leads over the event it
   is about (肇事逃逸了，快报警 is 122 first), and a traffic accident where anyone is hurt
   (腿疼走不了, 起不来, 流血) gives 122 and 120; so does someone hurt in a crash told by what the
   vehicles did (挤到护栏上, 别翻了, 碰一块了) without any traffic word, and a person pulled out of
   the water adds 110 to the ambulance. A message that is only an emergency number (「119！」)
   counts too.
6. Some emergencies are told in two halves that each say little (session 19): gone and nobody can
   reach them (一夜没回 … 电话不接; 走散了), a farewell and then silence (对不起 照顾好爸妈 … 关机),
   someone going under in open water (沉下去没上来, 被浪卷走, 在水里扑腾), alone at a height or by the
   water in despair. Such a trigger asks for its other half in the message (``needs_message``).

Safety first: when the context is unclear the trigger stands. A false alarm costs a little; a
missed emergency costs much more.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from bot.language.emergency.frames import (
    AFTERMATH,
    CLAUSE_SPLIT,
    CLAUSE_SPLIT_NO_SPACE,
    CONSULT,
    EVENT_VOCAB,
    EXEMPT_HABITUAL,
    EXEMPT_HYPOTHETICAL,
    EXEMPT_POTENTIAL,
    FEAR_BEFORE,
    HABITUAL,
    HEARSAY,
    HYPO_AFTER,
    HYPOTHETICAL,
    INNER_SPACE,
    KNOWLEDGE,
    NEGATION_BEFORE,
    ONGOING,
    PAST,
    PAST_EVENT,
    POTENTIAL_BEFORE,
    PRESENT,
    PRESENT_WEAK,
    QUESTION,
    RECENT,
    RESOLVED,
    SENTENCE,
    SERVICE,
    SPACES,
    TOPIC_AFTER,
    URGENT,
)
from bot.language.emergency.normalize import (
    MASK,
    mask_idioms,
    normalize,
)
from bot.language.emergency.triggers import (
    GAS_SYMPTOMS,
    INJURY,
    INJURY_NEGATED,
    STRANGE_SMELL,
    TRIGGERS,
    Trigger,
)

__all__ = ["KINDS", "Emergency", "detect", "frame_markers", "normalize"]

KINDS: tuple[str, ...] = (
    "fire",
    "gas",
    "lift",
    "medical",
    "self_harm",
    "violence",
    "missing_person",
    "domestic_violence",
    "fraud",
    "traffic",
    "traffic_injury",
    "disaster",
)

# Numbers per kind, most important first. Single triggers may override (e.g. 煤气中毒 -> 120, 119).
DEFAULT_NUMBERS: dict[str, tuple[str, ...]] = {
    "fire": ("119",),
    "gas": ("119",),
    "lift": ("119",),
    "medical": ("120",),
    "self_harm": ("110", "120"),
    "violence": ("110",),
    "missing_person": ("110",),
    "domestic_violence": ("110",),
    "fraud": ("110", "96110"),
    "traffic": ("122",),
    "traffic_injury": ("122", "120"),
    "disaster": ("119", "110"),
}

# When several kinds are found in one message the first of these leads.
PRIORITY: tuple[str, ...] = (
    "fire",
    "gas",
    "self_harm",
    "lift",
    "disaster",
    "traffic_injury",
    "domestic_violence",
    "violence",
    "medical",
    "traffic",
    "missing_person",
    "fraud",
)

# Kinds where someone being hurt adds 120 to the numbers.
_ADD_120_ON_INJURY = {"fire", "gas", "lift", "disaster", "violence", "domestic_violence"}


@dataclass(frozen=True)
class Emergency:
    kind: str                 # one of KINDS
    numbers: tuple[str, ...]  # numbers to call, most important first
    matched: str              # the phrase that triggered it (for the agents' urgent record)


# --------------------------------------------------------------------------- analysis

@dataclass
class _Hit:
    trigger: Trigger
    matched: str
    clause: int            # index of its clause in the message
    present: bool          # a present marker in its clause
    urgent: bool           # an urgent or ongoing marker in its clause (a resolution cannot cancel it)
    suppressed: str = ""   # why not an emergency now ("" = it stands)


_FRAME_MARKERS = ((PAST, "past"), (PRESENT, "present"), (HEARSAY, "hearsay"), (HABITUAL, "habitual"))


def _markers(clause: str, kind: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for rx, name in _FRAME_MARKERS:
        for m in rx.finditer(clause):
            if name == "past" and kind == "fraud" and RECENT.fullmatch(m.group(0)):
                found.append((m.start(), "present"))  # yesterday's fraud: money can still be frozen
            else:
                found.append((m.start(), name))
    return found


def _last_frame(clause: str, end: int, kind: str) -> str:
    """The time frame for a trigger ending at ``end``: the nearest marker before it wins,
    otherwise the first one after it; "" when the clause has none."""
    markers = _markers(clause, kind)
    before = [pm for pm in markers if pm[0] < end]
    if before:
        return max(before, key=lambda pm: (pm[0], pm[1] == "present"))[1]
    if markers:
        return min(markers)[1]
    return ""


_END_FRAME_MARKERS = (
    (PAST, "past"),
    (PRESENT, "present"),
    (PRESENT_WEAK, "present"),
    (HEARSAY, "hearsay"),
    (HABITUAL, "habitual"),
    (HYPOTHETICAL, "hypothetical"),
    (KNOWLEDGE, "knowledge"),
)
_ANY_FRAME_MARKER = re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in _END_FRAME_MARKERS))


def _clause_end_frame(clause: str, current: str) -> str:
    """The frame a clause passes on to the next clauses of its sentence."""
    if not _ANY_FRAME_MARKER.search(clause):
        return current
    markers: list[tuple[int, str]] = []
    for rx, name in _END_FRAME_MARKERS:
        markers.extend((m.start(), name) for m in rx.finditer(clause))
    if not markers:
        return current
    _, last = max(markers, key=lambda pm: (pm[0], pm[1] == "present"))
    if last == "present":
        return "actual"
    # A past, hypothetical ... clause only sets the frame when it talks about an emergency.
    if EVENT_VOCAB.search(clause) or current != "actual":
        return last
    return current


MAX_CLAUSE = 80  # a run-on "clause" longer than this is read in pieces (the work per trigger stays bounded)


def _clauses(text: str, spaces_split: bool) -> list[tuple[int, int, int]]:
    """(sentence number, start, end) of every clause of ``text``."""
    sep = CLAUSE_SPLIT if spaces_split else CLAUSE_SPLIT_NO_SPACE
    spans: list[tuple[int, int, int]] = []
    si = 0

    def add(a: int, b: int) -> None:
        for piece in range(a, b, MAX_CLAUSE):
            spans.append((si, piece, min(b, piece + MAX_CLAUSE)))

    for sm in SENTENCE.finditer(text):
        start, end, had = sm.start(), sm.end(), False
        for cm in sep.finditer(text, sm.start(), end):
            if cm.start() > start and text[start: cm.start()].strip(MASK + " "):
                add(start, cm.start())
                had = True
            start = cm.end()
        if end > start and text[start:end].strip(MASK + " "):
            add(start, end)
            had = True
        si += had
    return spans


def _analyse(raw: str, text: str, spaces_split: bool) -> tuple[list[_Hit], list[str]]:
    """Every trigger found in ``text`` (the masked message) with the reason it does not count."""
    spans = _clauses(text, spaces_split)
    starts = [start for _, start, _ in spans]
    found: dict[int, list[tuple[Trigger, re.Match[str]]]] = {}
    for trig in TRIGGERS:
        for m in trig.rx.finditer(text):
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and m.start() < spans[i][2]:
                found.setdefault(i, []).append((trig, m))
    clauses = [text[start:end] for _, start, end in spans]
    if not found:
        return [], clauses
    hits: list[_Hit] = []
    aftermath = bool(AFTERMATH.search(raw))
    frame, sentence, question = "actual", -1, False
    for i, (si, cstart, cend) in enumerate(spans):
        if i > max(found):
            break
        clause = clauses[i]
        if si != sentence:  # a new sentence: the frame starts afresh
            sentence, frame = si, "actual"
            whole = "".join(c for (sj, _, _), c in zip(spans, clauses, strict=True) if sj == si)
            question = bool(QUESTION.search(whole) or CONSULT.search(whole))  # for topic nouns only
        if i in found:
            present = bool(PRESENT.search(clause))
            urgent = bool(URGENT.search(clause) or ONGOING.search(clause))
            knowledge = bool(KNOWLEDGE.search(clause))
            hypo = HYPOTHETICAL.search(clause)
            for trig, m in found[i]:
                matched = m.group(0)
                mstart, mend = m.start() - cstart, min(m.end(), cend) - cstart
                before, after = clause[:mstart], clause[mend:]
                if trig.needs_before:
                    subject = trig.needs_before.search(before)
                    if subject is None:
                        continue
                    matched = subject.group(0) + matched
                hit = _Hit(trig, matched, i, present, urgent)
                hits.append(hit)
                if trig.needs_message and not trig.needs_message.search(raw):
                    hit.suppressed = "no context"
                elif (
                    (trig.unless_clause and trig.unless_clause.search(clause))
                    or (trig.unless_message and trig.unless_message.search(raw))
                    or (trig.unless_before and trig.unless_before.search(before))
                    or (trig.unless_match and trig.unless_match.search(matched))
                ):
                    hit.suppressed = "excluded"
                elif MASK in matched:
                    hit.suppressed = "idiom"
                else:
                    hit.suppressed = _context(
                        trig, clause, mstart, mend, before, after, frame, present, urgent,
                        question, knowledge, hypo, aftermath,
                    )
        frame = _clause_end_frame(clause, frame)
    _apply_resolutions(clauses, hits)
    return hits, clauses


# Someone imagined seeing another's danger (要是我看到有人…, 如果遇到有人…).
_WITNESS = re.compile(r"(?:看到|看见|遇到|碰到|碰见|发现)(?:了)?(?:有)?(?:人|别人|陌生人|小孩|孩子|老人)")


def _context(
    trig: Trigger,
    clause: str,
    mstart: int,
    mend: int,
    before: str,
    after: str,
    frame: str,
    present: bool,
    urgent: bool,
    question: bool,
    knowledge: bool,
    hypo: re.Match[str] | None,
    aftermath: bool,
) -> str:
    kind = trig.kind
    if NEGATION_BEFORE.search(before) and not before.endswith(("是不是", "有没有", "是否")):
        return "negated"
    if knowledge and not (present or urgent):
        return "knowledge"
    if kind not in EXEMPT_HYPOTHETICAL and not (kind == "domestic_violence" and trig.strong):
        if (hypo and hypo.start() < mstart) or HYPO_AFTER.search(after):
            return "hypothetical"
    elif hypo and hypo.start() < mstart and _WITNESS.search(clause, hypo.end(), mstart):
        return "hypothetical"  # 要是我看到有人想不开要跳河 (a threat of one's own stays one: 要是…我就跳楼)
    if kind not in EXEMPT_POTENTIAL and POTENTIAL_BEFORE.search(before):
        return "potential"
    if trig.fearable and not (present or urgent) and (POTENTIAL_BEFORE.search(before) or FEAR_BEFORE.search(before)):
        return "feared"  # 怕被抢, 担心有人偷: a worry about a crime, not one happening
    local = _last_frame(clause, mend, kind)
    if local == "past" or (not local and frame == "past"):
        return "past"
    if local == "hearsay" or (not local and frame == "hearsay"):
        return "hearsay"
    if (local == "habitual" or (not local and frame == "habitual")) and kind not in EXEMPT_HABITUAL:
        return "habitual"
    if not local and frame in ("hypothetical", "knowledge") and kind not in EXEMPT_HYPOTHETICAL:
        return frame
    if urgent:
        return ""
    if question and not trig.strong:
        return "question"  # a topic noun in a question or consultation: 车祸理赔要多久, 今天地震了吗
    if local != "present" and TOPIC_AFTER.search(after):
        return "topic"
    if aftermath and not present:
        return "aftermath"
    return ""


def _apply_resolutions(clauses: list[str], hits: list[_Hit]) -> None:
    """「火已经灭了」「孩子找到了」: a resolution in the same or a later clause cancels a trigger
    of its kind, unless the trigger's own clause says it is still going on."""
    for hit in hits:
        if hit.suppressed or hit.urgent:
            continue
        rx = RESOLVED.get(hit.trigger.kind)
        if rx is not None and any(rx.search(c) for c in clauses[hit.clause:]):
            hit.suppressed = "resolved"
        elif hit.trigger.kind != "fraud" and not hit.present and any(
            PAST_EVENT.fullmatch(c) for c in clauses[hit.clause:]
        ):
            hit.suppressed = "past"  # 「他把我按在地上打了一顿，上个月的事」: dated afterwards


def injury_mentioned(raw: str) -> bool:
    """Someone hurt anywhere in the message (idioms such as 心血, 血压 masked, negations skipped)."""
    text, _ = mask_idioms(raw)
    for m in INJURY.finditer(text):
        clause_start = max(text.rfind(ch, 0, m.start()) for ch in ",，。;；!?") + 1
        before = text[clause_start: m.start()]
        if before.endswith(("是不是", "有没有")) or not (NEGATION_BEFORE.search(before) or INJURY_NEGATED.search(before)):
            return True
    return False


# A crash told by what the vehicles did (挤到护栏上, 翻沟里, 刮倒, 甩出去, 跟前车亲上了), in the
# sentence of the hurt person or the one before it; read only beside a medical reading that stands.
_CRASH_VEHICLE = (
    r"车|电动|摩托|三轮|三蹦子|自行车|单车|电瓶|公交|大巴|出租|的士|网约车|货车|卡车|大货|小车|轿车|面包车|渣土|罐车|拖拉机|司机|骑手|外卖"
)
_CRASH = re.compile(
    r"(?:" + _CRASH_VEHICLE + r")[^。!?]{0,12}?(?:撞|刮倒|剐倒|蹭倒|碰倒|带倒|别倒|挤倒|挂倒|顶飞|怼|追尾|侧翻|翻(?:了|到|进|下|沟)|冲(?:上|进|下)"
    r"|甩(?:出|飞|下)|飞出去|压(?:在|到|住)|卡在|轧|碾|挤到|挤在|拱(?:一块|一起|到)|碰(?:一块|一起|上)|撞一块|亲上|打滑|失控)"
    r"|(?:被|让|叫|给)[^。!?]{0,6}?(?:" + _CRASH_VEHICLE + r")[^。!?]{0,4}?(?:撞|刮|剐|蹭|碰|带|别|挤|挂|顶|怼|轧|碾|压)"
)
_OUT_OF_WATER = re.compile(
    r"(?:捞|拉|拖|救|抱|拽)(?:了)?(?:上来|起来|出来)[^。!?]{0,12}(?:没气|不喘|没呼吸|不动|没反应|叫不醒|脸(?:色)?(?:是)?(?:青|紫|白)|嘴唇(?:发)?紫|按|人工呼吸|心肺复苏)"
    r"|(?:从|在)(?:水|河|江|湖|海|池塘|水库|泳池|游泳池|鱼塘|水塘|坑塘)(?:里|中|边|底)?[^。!?]{0,8}(?:捞|拉|拖|救|抱|拽)(?:上来|出来|起来)|溺水|呛(?:了)?(?:好多|几口|一肚子)?水"
)
_CRASH_NOT_NOW = re.compile(r"上个月|去年|前年|以前|之前|那次|上次|认定|理赔|保险|赔偿|定损|工伤|住院|井盖|窨井|井里|下水道")


def _crash_told(raw: str) -> bool:
    crash = _CRASH.search(raw)
    return bool(crash) and not _CRASH_NOT_NOW.search(raw)


def _decide(hits: list[_Hit], raw: str) -> Emergency | None:
    live = [h for h in hits if not h.suppressed]
    if not live:
        return None
    specific = [h for h in live if not h.trigger.generic]
    if specific:  # a cry for help adds nothing when the danger itself is named
        live = specific
    events = [h for h in live if not h.trigger.call]
    kinds = {h.trigger.kind for h in events or live}  # the event leads: 肇事逃逸了，快报警 is 122 first
    injured = any(h.trigger.injury for h in live) or "medical" in kinds
    if "traffic" in kinds and (injured or injury_mentioned(raw)):
        kinds.add("traffic_injury")
        kinds.discard("traffic")
    elif "medical" in kinds and _crash_told(raw):
        # Someone hurt in a crash told without the traffic words (大货车把小车挤到护栏上了 司机满脸是血):
        # the traffic police too (122 and 120).
        kinds.add("traffic_injury")
    primary = next(k for k in PRIORITY if k in kinds)
    leading = events or live
    lead = next((h for h in leading if h.trigger.kind == primary), None)
    if lead is None:  # traffic upgraded to traffic_injury, or someone hurt in a crash told without its words
        lead = next(h for h in leading if h.trigger.kind in ("traffic", "medical"))
    numbers: list[str] = list(lead.trigger.numbers or DEFAULT_NUMBERS[primary])
    if primary == "traffic_injury":
        numbers = list(DEFAULT_NUMBERS["traffic_injury"])
    if primary == "medical" and _OUT_OF_WATER.search(raw):
        numbers.append("110")  # a person pulled out of the water: the police too, as for a person in it
    if primary == "gas" and (GAS_SYMPTOMS.search(raw) or injured):
        numbers.append("120")
    if primary in _ADD_120_ON_INJURY and injured:
        numbers.append("120")
    for h in live:
        kind = "traffic_injury" if h.trigger.kind == "traffic" and primary == "traffic_injury" else h.trigger.kind
        numbers.extend(h.trigger.numbers or DEFAULT_NUMBERS[kind])
    ordered = tuple(dict.fromkeys(numbers))
    return Emergency(kind=primary, numbers=ordered, matched=lead.matched)


def _smell_with_symptoms(raw: str) -> Emergency | None:
    """A strange smell plus dizziness or nausea: treat as a gas leak (or carbon monoxide)."""
    smell = STRANGE_SMELL.search(raw)
    if smell and GAS_SYMPTOMS.search(raw) and not re.search(r"下水道|化粪池|垃圾|污水|厕所|粪|养殖|工厂|企业|排放", raw):
        return Emergency("gas", ("119", "120"), smell.group(0))
    return None


_BARE_NUMBER = re.compile(r"(?:快|赶紧|马上|帮我|请)?(?:打|拨|叫|报)?(110|119|120|122)(?:啊|呀|吧)?")
_BARE_KIND = {"110": "violence", "119": "fire", "120": "medical", "122": "traffic"}


def detect(text: str) -> Emergency | None:
    """The emergency happening now in ``text``, or None."""
    raw = normalize(text)
    if not raw:
        return None
    bare = _BARE_NUMBER.fullmatch(re.sub(r"[\W_]+", "", raw))
    if bare:  # 「119！」「快打120」 and nothing else: take it at its word
        number = bare.group(1)
        return Emergency(_BARE_KIND[number], (number,), bare.group(0))
    masked, _ = mask_idioms(raw)
    hits, _ = _analyse(raw, masked, spaces_split=True)
    found = _decide(hits, raw)
    if found is None and INNER_SPACE.search(masked):
        # A phrase broken by spaces (「着 火 了」「电梯 困人」): read it again without them.
        hits, _ = _analyse(raw, SPACES.sub("", masked), spaces_split=False)
        found = _decide(hits, raw)
    if found is None:
        found = _smell_with_symptoms(raw)
    if found is None:
        found = _organ_pain_now(raw)
    return found


# A known heart or chest condition in one clause and the pain starting or getting worse now in
# another (「心脏不好……刚才又开始疼，这回比哪回都厉害」): the clause reading misses it, the
# sentence does not.
_ORGAN = re.compile(r"心脏|胸口|心口|心梗|冠心病|心绞痛")
_PAIN_NOW = re.compile(
    r"(?:刚才|刚刚|现在|这会儿|又|突然)[^。!?]{0,6}(?:疼|痛|憋|喘不上)|(?:疼|痛)得(?:厉害|受不了|不行|要命|直冒汗)|比哪回都"
)


def _organ_pain_now(raw: str) -> Emergency | None:
    compact = SPACES.sub("", raw)
    organ = _ORGAN.search(compact)
    if organ and _PAIN_NOW.search(compact, organ.end()) and not _PAST_ONLY_PAIN.search(compact):
        return Emergency("medical", ("120",), organ.group(0))
    return None


_PAST_ONLY_PAIN = re.compile(r"(?:去年|上个月|以前|之前|曾经)[^。!?]{0,10}(?:疼|痛)[^。!?]{0,12}(?:现在|已经)(?:好了|没事|不疼)")


_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("past", PAST), ("present", PRESENT), ("again", PRESENT_WEAK), ("urgent", URGENT), ("ongoing", ONGOING),
    ("hearsay", HEARSAY), ("habitual", HABITUAL), ("hypothetical", HYPOTHETICAL), ("knowledge", KNOWLEDGE),
    ("question", QUESTION), ("consult", CONSULT), ("aftermath", AFTERMATH), ("service", SERVICE),
    ("resolved", re.compile("|".join(f"(?:{rx.pattern})" for rx in RESOLVED.values()))),
    ("worry", re.compile(r"容易|可能会|担心|害怕|生怕|就怕|万一|隐患|风险")),
    ("unhurt", re.compile(r"没(?:有)?(?:人)?(?:受伤|伤着|事)|人没事|无人(?:受伤|伤亡)")),
)


def frame_markers(text: str) -> list[str]:
    """The time and frame words in a normalised text (past, hearsay, question, resolved …):
    what the learned layer reads beside the words themselves."""
    return [name for name, rx in _MARKERS if rx.search(text)]


