"""集中反映: many citizens raising the same matter in a short time.

A new order is compared with the open orders other citizens filed in the last ``WINDOW``: the
same place (the same district when both name one, and overlapping addresses when both give one)
and the same matter (e5 embeddings of the two descriptions close, or enough words in common).
Matching orders share a ``cluster`` (the number of the group's first order); a group with
``FLAG_AT`` or more different citizens is listed for the supervisor (``GET /api/orders/clusters``),
who can handle it as one matter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import func, select

from bot.language.sentences import Embedder
from bot.language.similarity import similarity
from bot.store.db import session_scope
from bot.store.models import OPEN_STATUSES, WorkOrder, WorkOrderEvent, utcnow

WINDOW = dt.timedelta(hours=72)
FLAG_AT = 3
# Two descriptions of one matter: this share of their words in common, or e5 embeddings this
# close AND the same suggested unit. The place words weigh a lot in an embedding: at one junction
# 「红绿灯坏了」 vs 「红绿灯不亮了」 scored 0.95-0.96, but vs 「井盖丢了」 0.93 and 「占道摆摊」 0.90.
COSINE = 0.94
JACCARD = 0.3


def _who(order: WorkOrder) -> str:
    who: str = order.phone or order.sender_id or order.number
    return who


def same_place(a: WorkOrder, b: WorkOrder) -> bool:
    if a.district and b.district and a.district != b.district:
        return False
    if a.address and b.address:
        return similarity(a.address, b.address) >= 0.3 or a.address in b.address or b.address in a.address
    return bool(a.district and a.district == b.district)


def same_matter(a: WorkOrder, b: WorkOrder, embedder: Embedder | None = None) -> bool:
    if similarity(a.content, b.content) >= JACCARD:
        return True
    if embedder is None or (a.suggested_unit and b.suggested_unit and a.suggested_unit != b.suggested_unit):
        return False
    # the orders' own map: an earlier order's text is not embedded again for each new order
    va, vb = embedder.order(a.content), embedder.order(b.content)
    cos = float(np.dot(va, vb) / ((np.linalg.norm(va) * np.linalg.norm(vb)) or 1.0))
    return cos >= COSINE


def link(number: str, embedder: Embedder | None = None) -> str | None:
    """Put a new order in the group of the same matter from other citizens, if there is one;
    returns the group's key (None when the order stands alone)."""
    with session_scope() as s:
        order = s.execute(select(WorkOrder).where(WorkOrder.number == number)).scalar_one()
        if embedder is not None:  # kept from its filing for later orders' comparisons (智能派单 has just embedded it)
            embedder.order(order.content)
        since = utcnow() - WINDOW
        q = select(WorkOrder).where(WorkOrder.id != order.id, WorkOrder.created_at >= since,
                                    WorkOrder.status.in_(OPEN_STATUSES))
        if order.district:  # same_place wants the same district: let the database say so
            q = q.where((WorkOrder.district == order.district) | WorkOrder.district.is_(None))
        others = s.execute(q.order_by(WorkOrder.id)).scalars().all()
        me = _who(order)
        matches = [o for o in others if _who(o) != me and same_place(order, o)
                   and same_matter(order, o, embedder)]
        if not matches:
            return None
        key: str = next((o.cluster for o in matches if o.cluster), None) or matches[0].number
        for o in [*matches, order]:
            if o.cluster is None:
                o.cluster = key
        size = len({_who(o) for o in s.execute(select(WorkOrder).where(WorkOrder.cluster == key)).scalars()})
        s.add(WorkOrderEvent(order_id=order.id, actor="集中反映", status_from=order.status, status_to=order.status,
                             note=f"与工单{key}等{size}位市民反映的同一事项关联", kind="cluster"))
        return key


def flagged(min_citizens: int = FLAG_AT) -> list[dict[str, Any]]:
    """Groups of the same matter raised by at least ``min_citizens`` citizens, for the supervisor."""
    with session_scope() as s:
        keys = s.execute(select(WorkOrder.cluster).where(WorkOrder.cluster.is_not(None))
                         .group_by(WorkOrder.cluster).having(func.count() >= min_citizens)).scalars().all()
        groups = []
        for key in keys:
            orders = s.execute(select(WorkOrder).where(WorkOrder.cluster == key).order_by(WorkOrder.id)).scalars().all()
            citizens = len({_who(o) for o in orders})
            if citizens >= min_citizens:
                groups.append({"cluster": key, "citizens": citizens, "orders": [o.number for o in orders],
                               "content": orders[0].content[:200], "address": orders[0].address,
                               "district": orders[0].district, "units": sorted({o.unit for o in orders if o.unit}),
                               "first_at": orders[0].created_at.isoformat() + "Z",
                               "last_at": orders[-1].created_at.isoformat() + "Z"})
        return sorted(groups, key=lambda g: -g["citizens"])
