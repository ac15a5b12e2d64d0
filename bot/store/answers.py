"""研判's 直接答复: citizens answered without a work order (table ``direct_answers``).

Two doors record one: the knowledge-base action when it gives an article (``knowledge_base``) and
the console when an agent ends or hands back a conversation in which no order was filed since it
came to a person (``agent_answered``). A row holds when, the channel, the kind and what was
answered (the article; for an agent, why the conversation came to a person), never who: no
name, phone, conversation or words.

Counting is a figure, never a reason to fail the answer: both return False and log when the
store cannot take the row.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from bot.store.db import session_scope
from bot.store.models import DirectAnswer, Handoff, HandoffStatus, WorkOrder

log = logging.getLogger(__name__)
KB, AGENT = "kb", "agent"
KINDS = (KB, AGENT)


def knowledge_base(channel: str, article: str, title: str | None = None, topic: str | None = None) -> bool:
    """The knowledge base gave ``article`` to a citizen in ``channel``."""
    try:
        with session_scope() as s:
            s.add(DirectAnswer(kind=KB, channel=(channel or "rest")[:16], article=article[:64],
                               title=title[:120] if title else None, topic=topic[:48] if topic else None))
        return True
    except Exception:
        log.exception("a knowledge-base answer not counted")
        return False


def agent_answered(handoff_id: int) -> bool:
    """An agent ended or handed back the conversation of ``handoff_id``: counted as answered by the
    agent when an agent held it and no order was filed in the conversation since it came to a
    person (by the agent or by the bot meanwhile). True when counted."""
    try:
        with session_scope() as s:
            handoff = s.get(Handoff, handoff_id)
            if handoff is None or handoff.agent_id is None \
                    or handoff.status not in (HandoffStatus.RETURNED, HandoffStatus.CLOSED):
                return False
            filed = s.execute(select(func.count()).select_from(WorkOrder).where(
                WorkOrder.sender_id == handoff.sender_id, WorkOrder.created_at >= handoff.created_at)).scalar_one()
            if filed:
                return False
            s.add(DirectAnswer(kind=AGENT, channel=(handoff.channel or "rest")[:16], reason=handoff.reason[:32]))
        return True
    except Exception:
        log.exception("an agent's answer not counted")
        return False
