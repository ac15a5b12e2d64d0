"""One way to file a work order, whichever door the request came through: the bot's form
(``actions/intake.py``), an agent filing a chat taken over, or a phone call typed into 新来电
(``bot/console/web.py``).

Every door gets the same steps, in this order:

1. the repeat check: the same citizen's open order about the same matter is returned instead of
   a second order (a repeat from another conversation only where the door may tell it: an agent
   sees every order, the bot tells progress only to the conversation that filed it); a matter
   closed already and raised again with nothing new is returned too, for its result and the way
   to object (鞍山条例第十五条第四项); with a new fact or reason it is a new order linked to it;
2. the multi-matter split (天津办法第十五条): matters for different units become one order each;
3. an outage for many households or a disaster becomes an urgent order;
4. filing (idempotent: a retry with the same key gets the order it made) and the conversation's
   uploads attached;
5. 智能派单 and 集中反映 for each new order (a failure there never undoes the filing).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from typing import TypeGuard

from bot.language.emergency.urgent import urgent_for_filing
from bot.language.sentences import Embedder
from bot.orders import suggest
from bot.profile import Profile
from bot.store import attachments, repository
from bot.store.models import WorkOrder

log = logging.getLogger(__name__)

# What a request collects before it is filed: the intake form's slots, the console's filing form.
ORDER_FIELDS = ("request_type", "content", "address", "district", "name", "phone", "confidential", "wants_reply")


@dataclass(frozen=True)
class Filing:
    order: WorkOrder               # the order the request became, or the open order it repeats
    created: bool                  # a new order (False: a retry of the same filing, or a repeat)
    repeat: bool = False           # the same matter is already open (or closed, nothing new): nothing filed
    # the new order raises again a matter this earlier, closed order dealt with (new facts or reasons)
    follows: str | None = None
    # further matters for other units, one order each, with the unit the split suggested
    others: tuple[tuple[WorkOrder, str], ...] = ()
    attached: int = 0              # the conversation's uploads attached to ``order``


def file_request(request: repository.OrderRequest, profile: Profile, embedder: Embedder | None = None,
                 *, repeat_from_any_conversation: bool = False) -> Filing:
    """File ``request`` as the hotline files every request. ``embedder`` is the sentence model
    the caller has loaded (the dispatcher loads its own when None). Raises when the store fails:
    the door keeps what the citizen said and lets them retry."""
    def may_tell(order: WorkOrder | None) -> TypeGuard[WorkOrder]:
        return order is not None and (repeat_from_any_conversation or order.sender_id == request.sender_id) \
            and repository.get_order_by_key(request.idempotency_key) is None

    repeat = repository.find_open_repeat(request.sender_id, request.phone, request.content, request.address)
    if may_tell(repeat):
        return Filing(repeat, created=False, repeat=True)
    closed = repository.find_closed_repeat(request.sender_id, request.phone, request.content, request.address)
    if not may_tell(closed):
        closed = None
    elif not NEW_FACTS.search(request.content or ""):
        return Filing(closed, created=False, repeat=True)
    matters = _plan_matters(request.content, profile, embedder)
    if matters:
        request = dataclasses.replace(request, content=matters[0][0])
    request = dataclasses.replace(request, urgent=_urgent_kind(request.content))
    order, created = repository.file_order(request, profile)
    attached = attachments.link_attachments(request.sender_id, order.id)
    others = [repository.file_order(dataclasses.replace(
        request, content=text, idempotency_key=f"{request.idempotency_key}#{i}", urgent=_urgent_kind(text)), profile)
        for i, (text, _unit) in enumerate(matters[1:], 1)]
    if closed is not None and created:
        repository.link_orders(order.number, closed.number)
    for filed, new in [(order, created), *others]:
        if new:
            suggest.after_filing(filed.number, filed.content, profile, embedder)
    return Filing(_fresh(order), created, attached=attached, follows=closed.number if closed and created else None,
                  others=tuple((_fresh(o), unit) for (o, _new), (_text, unit) in zip(others, matters[1:], strict=True)))


# What makes a matter closed before worth a new order: it came back, is not solved, got worse, or
# the citizen brings a new fact or reason (鞍山条例第十五条第四项: 没有新情况、新理由 is told the result).
NEW_FACTS = re.compile(
    r"又|再次|重新|还是|仍然|仍旧|依然|依旧|照样|复发|反弹|死灰复燃|卷土重来|没(?:有)?解决|未解决|没(?:有)?效果|不管用|没用"
    r"|新情况|新问题|新的|更严重|加重|变本加厉|越来越|不满意|有异议|不认可|不同意")


def _fresh(order: WorkOrder) -> WorkOrder:
    """The order as 智能派单 left it (its unit and status)."""
    return repository.get_order(order.number) or order


def _plan_matters(content: str, profile: Profile, embedder: Embedder | None) -> list[tuple[str, str]]:
    try:
        return suggest.plan_matters(content, profile, embedder)
    except Exception:
        log.exception("could not split the request into matters; filing it as one")
        return []


def _urgent_kind(content: str) -> str | None:
    """An outage for many households or a disaster: an urgent order (bot/language/emergency/urgent.py)."""
    try:
        found = urgent_for_filing(content)
    except Exception:  # never lose a filing to the reading
        log.exception("urgency not read; filing as an ordinary order")
        return None
    return found.kind if found else None
