"""Answers from the knowledge base (kb/), and what happens when they do not help."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel, latest_text, profile, since_last_turn
from bot import citizen_texts
from bot.language import extract, matter, questions
from bot.orders import suggest
from bot.store import answers
from kb.content import Article
from kb.index import Decision, Hit, LiveKnowledgeBase

log = logging.getLogger(__name__)
_live: LiveKnowledgeBase | None = None


def knowledge_base() -> LiveKnowledgeBase:
    global _live
    if _live is None:
        _live = LiveKnowledgeBase()
    return _live


# 智能派单's share for the unit it reads first, from which the citizen is told "this is usually
# theirs": on questions the right unit scores 0.4-0.99 and a question the catalogue does not cover
# (the weather, the hotline's hours) under 0.1.
NAME_UNIT_FROM = 0.4


def _likely_unit(question: str) -> str | None:
    """The unit the dispatch catalogue reads as handling what the question is about, when it is
    fairly sure (``NAME_UNIT_FROM``), or None."""
    try:  # the dispatcher warmed up with the knowledge base's embedder: the question is embedded once
        kb = knowledge_base().current()
        suggester = suggest.suggester_for(kb.profile, kb.embedder)
        reading = suggester.suggest(question) if suggester is not None else None
    except Exception:  # naming a unit is a help, never a reason to fail the answer
        log.exception("the dispatch catalogue could not read a question")
        return None
    return reading.unit if reading is not None and reading.confidence >= NAME_UNIT_FROM else None


def _say_unknown(dispatcher: CollectingDispatcher, question: str) -> None:
    """No answer: say so, and name the unit that handles it when the catalogue is sure."""
    unit = _likely_unit(question)
    if unit:
        dispatcher.utter_message(text=citizen_texts.KB_UNKNOWN_WITH_UNIT.format(
            unit=citizen_texts.unit_for_citizens(unit), working_days=profile().working_days))
    else:
        dispatcher.utter_message(response="utter_kb_unknown")


class ActionAnswerQuestion(Action):
    """Answer when the base is sure, offer a choice when two articles are close, otherwise say
    so and offer a 咨询 work order or a person: never a wrong confident answer."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = latest_text(tracker)
        if tracker.get_slot("content") and len(question.strip()) > 8 and not questions.asks(question) \
                and (kept := _kept_in_the_matter(tracker, question)) is not None:
            # 「车牌系辽CT5209 今日下昼两点几」 read as a question while the form runs: it asks nothing,
            # so it is more of the matter, not a question for the knowledge base
            dispatcher.utter_message(response="utter_content_added")
            return [SlotSet("content", kept)]
        parts = questions.several(question)
        if parts and (answered := _answer_each(dispatcher, tracker, question, parts)) is not None:
            return answered
        try:
            decision = knowledge_base().current().decide(question)
        except Exception:  # the base failing must not cost the citizen their question
            log.exception("knowledge base search failed")
            dispatcher.utter_message(response="utter_kb_unknown")
            return [SlotSet("kb_question", question)]
        decision = _read_with_the_question_before(tracker, question, decision)
        chosen = _narrowed(decision.hits, offered_before(tracker)) if decision.kind == "choose" else None
        if decision.kind == "answer" or chosen is not None:
            _say_answer(dispatcher, tracker, chosen or decision.hits[0].article)
            if not tracker.active_loop.get("name"):
                dispatcher.utter_message(response="utter_kb_helpful")
        elif decision.kind == "choose":
            dispatcher.utter_message(
                response="utter_kb_choose",
                options="\n".join(f"{i}. {h.article.title}" for i, h in enumerate(decision.hits, 1)),
                buttons=[{"title": h.article.title, "payload": h.article.title} for h in decision.hits],
            )
        elif (kept := _kept_in_the_matter(tracker, question)) is not None:
            # 「我就想问问 能不能给我们村通个小客车」 asked while the form runs: not lost, not a second order
            dispatcher.utter_message(text=citizen_texts.QUESTION_KEPT)
            return [SlotSet("kb_question", question), SlotSet("content", kept)]
        else:
            _say_unknown(dispatcher, question)
        return [SlotSet("kb_question", question)]


# A follow-up that leans on what was asked before (「那得带啥 结婚证户口本就行呗」).
_ELLIPTICAL = re.compile(r"^(?:那|那么|那得|那要|那我|还要|还得|还有|就是|这个|这样)")


def _read_with_the_question_before(tracker: Tracker, question: str, alone: Decision) -> Decision:
    """A follow-up to the question the base just answered is read together with it: 「结婚三年了 在鞍山有房
    房本上有我俩名」 after 「户口想迁到我老公那」 asks about moving the 户口, and says nothing alone."""
    before = tracker.get_slot("kb_question")
    if not before or before == question or not _answered_just_before(tracker):
        return alone
    if alone.kind == "answer" and not _ELLIPTICAL.match(question.strip()):
        return alone
    try:
        together = knowledge_base().current().decide(f"{before} {question}")
    except Exception:
        log.exception("knowledge base search failed")
        return alone
    if together.kind == "answer" or (together.kind == "choose" and alone.kind != "choose"):
        return together
    return alone


def _answered_just_before(tracker: Tracker) -> bool:
    """Whether the assistant's last turn, before the citizen's latest message, answered from the base."""
    action = next((e.get("name") for e in since_last_turn(tracker)
                   if e.get("event") == "action" and e.get("name") not in ("action_listen", None)), None)
    return action == "action_answer_question"


def _say_answer(dispatcher: CollectingDispatcher, tracker: Tracker, article: Article) -> None:
    """Give an article, and count it as answered directly (研判: which article, never who asked)."""
    contact = "；".join(x for x in (article.contact, article.hours) if x)
    dispatcher.utter_message(response="utter_kb_answer", title=article.title, answer=article.answer,
                             unit=article.unit, contact_line=f"\n联系方式：{contact}" if contact else "")
    answers.knowledge_base(channel(tracker), article.id, article.title, article.topic)


def _answer_each(dispatcher: CollectingDispatcher, tracker: Tracker, question: str,
                 parts: list[str]) -> list[EventType] | None:
    """Several questions in one message (「1.营业执照在哪办 2.新办企业能申请哪些扶持政策」): each the
    base answers is answered, in order; each it cannot is named, never dropped (kept in the matter
    while the form runs). None when the base answers none of them: the message is read whole."""
    try:
        base = knowledge_base().current()
        decisions = [base.decide(part) for part in parts]
    except Exception:
        log.exception("knowledge base search failed")
        return None
    if not any(d.kind == "answer" for d in decisions):
        return None
    events: list[EventType] = [SlotSet("kb_question", question)]
    given: set[str] = set()
    unanswered = []
    for part, decision in zip(parts, decisions, strict=True):
        if decision.kind != "answer":
            unanswered.append(part)
            continue
        article = decision.hits[0].article
        if article.id not in given:
            given.add(article.id)
            _say_answer(dispatcher, tracker, article)
    if unanswered and (kept := _kept_in_the_matter(tracker, "；".join(unanswered))) is not None:
        dispatcher.utter_message(text=citizen_texts.QUESTION_KEPT)
        events.append(SlotSet("content", kept))
    else:
        for part in unanswered:
            dispatcher.utter_message(text=citizen_texts.PART_UNKNOWN.format(question=part))
    if not tracker.active_loop.get("name"):
        dispatcher.utter_message(response="utter_kb_helpful")
    return events


_OPTION = re.compile(r"^\s*\d+[.、]\s*(.+?)\s*$", re.M)


def offered_before(tracker: Tracker) -> list[str]:
    """The titles of the choice the assistant offered just before the citizen's last message."""
    replies = (_OPTION.findall(e.get("text") or "") for e in since_last_turn(tracker) if e.get("event") == "bot")
    return next((titles for titles in replies if titles), [])


def _narrowed(hits: Sequence[Hit], offered: list[str]) -> Article | None:
    """The one article both the earlier choice and this one offer: the citizen, asked to choose,
    said more and pointed at it (「不是拖欠工资，是辞退赔偿的问题」)."""
    both = [h.article for h in hits if h.article.title in offered]
    return both[0] if len(both) == 1 else None


def _kept_in_the_matter(tracker: Tracker, question: str) -> str | None:
    """The request's content with the unanswered question added, when the intake form is running
    (None otherwise, or when the content already has it)."""
    if (tracker.active_loop or {}).get("name") != "intake_form":
        return None
    told = extract.content_of(question, profile())
    current = tracker.get_slot("content")
    if not told or (current and told in current):
        return None
    return matter.join(current, told)[: extract.MAX_CONTENT_CHARS]


class ActionKbNotHelpful(Action):
    """The answer did not help (or there was none): file the question as a 咨询 request."""

    def name(self) -> str:
        return "action_kb_not_helpful"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # (without a question answered before, what the citizen says now is the question:
        # 「社区说不清 物业也说不清 到底归谁管」)
        question = tracker.get_slot("kb_question") or extract.content_of(latest_text(tracker), profile())
        dispatcher.utter_message(response="utter_kb_to_order")
        events: list[EventType] = [SlotSet("request_type", "咨询")]
        if question and not tracker.get_slot("content"):
            events.append(SlotSet("content", question))
        return [*events, FollowupAction("intake_form")]


def _warm_up() -> None:
    try:
        kb = knowledge_base().current()
    except Exception:
        log.exception("knowledge base warm-up failed; it will be retried on the first question")
        return
    try:  # 智能派单 shares the knowledge base's embedder
        suggest.suggester_for(kb.profile, kb.embedder)
    except Exception:
        log.exception("dispatcher warm-up failed; it will be retried at the first filing")


if os.environ.get("HOTLINE_KB_WARMUP", "1") != "0":
    # Build the index (and embed new articles) when the action server starts, not on the
    # first citizen's question.
    threading.Thread(target=_warm_up, name="kb-warm-up", daemon=True).start()
