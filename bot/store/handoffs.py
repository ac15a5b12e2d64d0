"""Conversations handed to people: the queue of handoffs (waiting, held, ended) and the agents' notes."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.store.db import session_scope
from bot.store.models import (
    Agent,
    AgentNote,
    Handoff,
    HandoffStatus,
    utcnow,
)


def request_handoff(sender_id: str, channel: str, reason: str) -> Handoff:
    """Mark a conversation as waiting for an agent (one open request per conversation)."""
    with session_scope() as s:
        existing = s.execute(
            select(Handoff).where(Handoff.sender_id == sender_id, Handoff.status.in_(HANDOFF_OPEN))
            .order_by(Handoff.id.desc()).limit(1)
        ).scalar_one_or_none()
        if existing:
            return existing
        handoff = Handoff(sender_id=sender_id, channel=channel, reason=reason)
        s.add(handoff)
        s.flush()
        return handoff


HANDOFF_OPEN = HandoffStatus.OPEN


def open_handoff(sender_id: str) -> Handoff | None:
    """The conversation's handoff that is waiting for or held by an agent, if any."""
    with session_scope() as s:
        return s.execute(
            select(Handoff).where(Handoff.sender_id == sender_id, Handoff.status.in_(HANDOFF_OPEN))
            .order_by(Handoff.id.desc()).limit(1)
        ).scalar_one_or_none()


def get_handoff(handoff_id: int) -> Handoff | None:
    with session_scope() as s:
        return s.get(Handoff, handoff_id)


def claim_handoff(handoff_id: int, agent_id: int) -> bool:
    """Take a waiting conversation; atomic, so two agents can never hold the same one."""
    with session_scope() as s:
        result = s.execute(
            update(Handoff).where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.WAITING)
            .values(status=HandoffStatus.HELD, agent_id=agent_id, claimed_at=utcnow())
        )
        return result.rowcount == 1


def requeue_handoff(handoff_id: int, reason: str) -> bool:
    """A held conversation goes back to the queue for someone else (an expert seat)."""
    with session_scope() as s:
        return s.execute(
            update(Handoff).where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.HELD)
            .values(status=HandoffStatus.WAITING, agent_id=None, claimed_at=None, reason=reason)
        ).rowcount == 1


def end_handoff(handoff_id: int, status: str, agent_id: int | None = None) -> bool:
    """Hand a conversation back to the bot (``returned``) or close it; only its holder can (or
    anyone, for a conversation still waiting, e.g. when nobody is online)."""
    with session_scope() as s:
        q = update(Handoff).where(Handoff.id == handoff_id, Handoff.status.in_(HANDOFF_OPEN))
        if agent_id is not None:
            q = q.where(Handoff.agent_id == agent_id)
        return s.execute(q.values(status=status, closed_at=utcnow())).rowcount == 1


def handoff_queue() -> list[dict]:
    """Waiting and held conversations for the console, oldest first."""
    with session_scope() as s:
        rows = s.execute(
            select(Handoff, Agent.display_name).outerjoin(Agent, Agent.id == Handoff.agent_id)
            .where(Handoff.status.in_(HANDOFF_OPEN)).order_by(Handoff.id)
        ).all()
        return [{"id": h.id, "sender_id": h.sender_id, "channel": h.channel, "reason": h.reason,
                 "status": h.status, "created_at": h.created_at, "agent_id": h.agent_id, "agent": name}
                for h, name in rows]


def add_note(sender_id: str, agent_id: int, text: str) -> AgentNote:
    with session_scope() as s:
        note = AgentNote(sender_id=sender_id, agent_id=agent_id, text=text)
        s.add(note)
        s.flush()
        return note


def notes_for(sender_id: str) -> list[dict]:
    with session_scope() as s:
        rows = s.execute(
            select(AgentNote, Agent.display_name).join(Agent, Agent.id == AgentNote.agent_id)
            .where(AgentNote.sender_id == sender_id).order_by(AgentNote.id)
        ).all()
        return [{"text": n.text, "agent": name, "created_at": n.created_at} for n, name in rows]


def waiting_handoffs() -> list[Handoff]:
    with session_scope() as s:
        return list(s.execute(select(Handoff).where(Handoff.status == HandoffStatus.WAITING).order_by(Handoff.id)).scalars())
