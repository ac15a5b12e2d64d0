"""The life of a work order after intake, as the regulations in ../shared/seeds/ describe it.

    待受理 pending --dispatch--> 已派单 dispatched --accept--> 办理中 in_progress --close--> 办结审核中 reviewing
                                                                  ^                          |  approve --> 已办结 closed
                                                                  \\--- send back (reasons) ---/
                                    |  \\--return (1 working day, 2 if complex)--> 退回 returned
                                    |        returned --review: approve -> dispatch to another unit
                                    |                           refuse  -> back to the same unit
                                    \\--terminate (citizen unreachable, with evidence, after review)--> 终止 terminated

- 鞍山条例第十七条: done within the profile's working days (5) from when the unit received it;
  an extension is asked for before the deadline, with a reason, approved by the hotline, and all
  of them together keep the order within ``max_extension_months`` (2) of the day the hotline
  received the request; the citizen is told the new date.
- 天津办法第十七条: a unit may return an order that is not its business within 1 working day of
  receiving it (2 for a complex one), with reasons; the hotline re-dispatches or refuses, and
  then the unit handles it.
- 鞍山条例第十八条: the hotline reviews a unit's 办结 (the process, the result, the contact with the
  citizen): it is closed (and the citizen is asked to rate it) only when it meets the standard;
  otherwise it goes back to the unit with reasons, its deadline running as before.
- 鞍山条例第十六条(四): an order may end without a result only when the citizen cannot be reached
  or does not cooperate, with evidence, after the hotline reviewed it.

Every change is appended to ``work_order_events`` (who, when, why) and never edited.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.profile import Profile, load_profile
from bot.store.db import session_scope
from bot.store.models import (
    OPEN_STATUSES,
    Agent,
    AuditEntry,
    OrderCoUnit,
    OrderStatus,
    WorkOrder,
    WorkOrderEvent,
    utcnow,
)
from bot.workdays import CHINA_TZ, add_working_days, is_workday


class LifecycleError(ValueError):
    """A change the rules do not allow; ``message`` says why in Chinese, for the unit or agent."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def china_today(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(CHINA_TZ).date()


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += is_workday(day)
    return days


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _order(s: Session, number: str) -> WorkOrder:
    order: WorkOrder | None = s.execute(select(WorkOrder).where(WorkOrder.number == number).with_for_update()).scalar_one_or_none()
    if order is None:
        raise LifecycleError("not_found", "没有这个工单。")
    return order


def _event(s: Session, order: WorkOrder, actor: str, to: str, note: str | None, kind: str = "status") -> None:
    s.add(WorkOrderEvent(order_id=order.id, actor=actor[:64], status_from=order.status, status_to=to,
                         note=note, kind=kind))
    if kind == "status":
        order.status = to


def _own(order: WorkOrder, unit: str | None) -> None:
    if unit is not None and order.unit != unit:
        raise LifecycleError("not_yours", "这个工单不是派给本单位的。")


def _reason(text: str | None, what: str) -> str:
    if not isinstance(text, str) or len(text.strip()) < 4:
        raise LifecycleError("reason_required", f"{what}需要写明理由（至少4个字）。")
    if len(text) > 2000:
        raise LifecycleError("too_long", f"{what}的说明不能超过2000字。")
    return text.strip()


def audit(actor: str, action: str, number: str | None, detail: str | None = None) -> None:
    with session_scope() as s:
        s.add(AuditEntry(actor=actor[:128], action=action[:32], order_number=number, detail=detail))


@dataclass(frozen=True)
class Change:
    number: str
    status: str
    deadline: dt.date
    unit: str | None


def _change(order: WorkOrder) -> Change:
    return Change(order.number, order.status, order.deadline, order.unit)


def time_limit(unit: str, profile: Profile, working_days: object = None) -> int:
    """Working days a unit has for an order: the dispatcher's, where the profile lets the hotline
    set it per order (通辽条例第十八条第二项); the catalogue's for the unit, where a law sets one
    (法律法规另有规定的从其规定); else the profile's."""
    if working_days is not None:
        if not profile.deadline_per_order:
            raise LifecycleError("fixed_deadline", f"本市办理时限按规定为{profile.working_days}个工作日，不能按工单设定。")
        if not isinstance(working_days, int) or isinstance(working_days, bool) or not 1 <= working_days <= 60:
            raise LifecycleError("bad_days", "办理时限应为1到60个工作日。")
        return working_days
    from bot.orders.suggest import load_catalogue  # the catalogue is the dispatcher's data

    own = next((u.working_days for u in load_catalogue(profile) if u.name == unit and u.working_days), None)
    return own or profile.working_days


def dispatch(number: str, unit: str, actor: str, profile: Profile, note: str | None = None,
             now: dt.datetime | None = None, working_days: object = None, co_units: object = ()) -> Change:
    """Send the order to a handling unit (the lead, 主办) and any co-units (协办); its deadline
    counts from today (``time_limit``)."""
    if not unit or len(unit) > 64:
        raise LifecycleError("unit_required", "请指定承办单位。")
    days = time_limit(unit, profile, working_days)
    helpers = _unit_list(co_units, unit)
    with session_scope() as s:
        order = _order(s, number)
        if order.status not in (OrderStatus.PENDING, OrderStatus.RETURNED):
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能派单。")
        today = china_today(now)
        order.unit, order.dispatched_at = unit, now or utcnow()
        order.accepted_at = order.answered_at = None  # the new unit's own times
        order.deadline = order.first_deadline = add_working_days(today, days)
        limit = f"，办理时限{days}个工作日" if days != profile.working_days else ""
        _event(s, order, actor, OrderStatus.DISPATCHED, (note or f"派至{unit}") + limit)
        if helpers:
            _set_co_units(s, order, actor, helpers)
        return _change(order)


def set_topic(number: str, actor: str, topic: object, profile: Profile) -> Change:
    """An agent's or dispatcher's correction of an order's topic (研判), kept in its history."""
    from bot.orders import topics

    if not isinstance(topic, str) or not topics.valid(topic, profile):
        raise LifecycleError("bad_topic", "请从主题目录中选择主题。")
    with session_scope() as s:
        order = _order(s, number)
        before, order.topic = order.topic, topic
        _event(s, order, actor, order.status, f"主题：{before or '（无）'} → {topic}", kind="topic")
        return _change(order)


# ---------------------------------------------------------------- lead and co-units (主办、协办)

def _unit_list(value: object, lead: str | None) -> list[str]:
    if value is None or value == ():
        return []
    if not isinstance(value, (list, tuple)) or len(value) > 10 \
            or not all(isinstance(u, str) and 0 < len(u.strip()) <= 64 for u in value):
        raise LifecycleError("bad_units", "协办单位应为1到10个单位名称。")
    units = list(dict.fromkeys(u.strip() for u in value))
    if lead in units:
        raise LifecycleError("bad_units", "主办单位不能同时是协办单位。")
    return units


def _set_co_units(s: Session, order: WorkOrder, actor: str, units: list[str]) -> None:
    current = {c.unit: c for c in order.co_units}
    for unit, row in current.items():
        if unit not in units:
            if row.part:
                raise LifecycleError("bad_units", f"{unit}已经反馈了协办情况，不能取消。")
            s.delete(row)
    for unit in units:
        if unit not in current:
            s.add(OrderCoUnit(order_id=order.id, unit=unit, assigned_by=actor[:64]))
    _event(s, order, actor, order.status, "协办单位：" + ("、".join(units) if units else "（无）"), kind="co_units")


def set_co_units(number: str, actor: str, units: object) -> Change:
    """The hotline assigns or changes an order's co-units (鞍山条例第十四条: 协商确定主办单位和协办单位)."""
    with session_scope() as s:
        order = _order(s, number)
        if order.status not in OrderStatus.WORKED:
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能调整协办单位。")
        _set_co_units(s, order, actor, _unit_list(units, order.unit))
        return _change(order)


def change_lead(number: str, actor: str, unit: str, reason: str, profile: Profile,
                now: dt.datetime | None = None) -> Change:
    """The hotline changes the lead unit of an order in hand: the new lead receives it now and
    its time limit counts from today."""
    why = _reason(reason, "调整主办单位")
    if not unit or len(unit) > 64:
        raise LifecycleError("unit_required", "请指定新的主办单位。")
    days = time_limit(unit, profile)
    with session_scope() as s:
        order = _order(s, number)
        if order.status not in OrderStatus.WORKED:
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能调整主办单位。")
        if unit == order.unit:
            raise LifecycleError("unit_required", "新的主办单位与原主办单位相同。")
        if any(c.unit == unit for c in order.co_units):
            raise LifecycleError("bad_units", f"{unit}现在是协办单位，请先取消协办再设为主办。")
        previous = order.unit
        order.unit, order.dispatched_at = unit, now or utcnow()
        order.accepted_at = order.answered_at = None
        order.deadline = add_working_days(china_today(now), days)
        _event(s, order, actor, OrderStatus.DISPATCHED, f"主办单位由{previous}调整为{unit}：{why}")
        return _change(order)


def designate(number: str, actor: str, unit: str, record: str, profile: Profile,
              now: dt.datetime | None = None) -> Change:
    """指定承办 (天津办法第十七条第三款; 通辽条例第十六条第三项): after a consultation (会商: who took
    part and what was agreed, in ``record``) the hotline designates the unit, which can then no
    longer return the order."""
    record = _reason(record, "会商记录")
    if not unit or len(unit) > 64:
        raise LifecycleError("unit_required", "请指定承办单位。")
    with session_scope() as s:
        order = _order(s, number)
        status, current = order.status, order.unit
    if status in (OrderStatus.PENDING, OrderStatus.RETURNED):
        dispatch(number, unit, actor, profile, f"经会商指定{unit}承办", now)
    elif status in OrderStatus.WORKED:
        if unit != current:
            change_lead(number, actor, unit, "经会商指定承办单位", profile, now)
    else:
        raise LifecycleError("bad_state", "这个工单现在不能指定承办单位。")
    with session_scope() as s:
        order = _order(s, number)
        _event(s, order, actor, order.status, f"指定承办：{unit}。会商记录：{record}", kind="designated")
        return _change(order)


def designated(order: WorkOrder) -> bool:
    """The current unit was designated after a consultation: it may not return the order."""
    return any(e.kind == "designated" and (e.note or "").startswith(f"指定承办：{order.unit}。") for e in order.events)


def report_part(number: str, unit: str, part: str) -> Change:
    """A co-unit records what it did (its part); it may correct it until the lead closes."""
    part = _reason(part, "协办情况")
    with session_scope() as s:
        order = _order(s, number)
        row = next((c for c in order.co_units if c.unit == unit), None)
        if row is None:
            raise LifecycleError("not_yours", "本单位不是这个工单的协办单位。")
        if order.status not in OrderStatus.WORKED:
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能再反馈协办情况。")
        row.part, row.reported_at = part, utcnow()
        _event(s, order, unit, order.status, f"协办情况：{part}", kind="co_unit_part")
        return _change(order)


def co_units_view(order: WorkOrder) -> list[dict[str, Any]]:
    return [{"unit": c.unit, "part": c.part, "reported_at": c.reported_at.isoformat() + "Z" if c.reported_at else None}
            for c in order.co_units]


def accept(number: str, unit: str) -> Change:
    with session_scope() as s:
        order = _order(s, number)
        _own(order, unit)
        if order.status != OrderStatus.DISPATCHED:
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能签收。")
        _event(s, order, unit, OrderStatus.IN_PROGRESS, "承办单位已签收")
        order.accepted_at = order.accepted_at or utcnow()
        return _change(order)


def return_order(number: str, unit: str, reason: str, complex_matter: bool = False,
                 profile: Profile | None = None, now: dt.datetime | None = None) -> Change:
    """A unit sends back an order that is not its business, within the profile's window."""
    reason = _reason(reason, "退回")
    with session_scope() as s:
        order = _order(s, number)
        _own(order, unit)
        if order.status not in OrderStatus.WORKED:
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能退回。")
        if designated(order):
            raise LifecycleError("designated", "这个工单是经会商指定本单位承办的，不能退回，请按规定期限办理。")
        received = (order.dispatched_at or order.created_at).replace(tzinfo=dt.timezone.utc)
        allowed = (profile or load_profile()).return_working_days[1 if complex_matter else 0]
        if working_days_between(china_today(received), china_today(now)) > allowed:
            raise LifecycleError("too_late", f"收到派单已超过{allowed}个工作日，不能再退回，应当按规定期限办理。")
        _event(s, order, unit, OrderStatus.RETURNED, reason)
        return _change(order)


def review_return(number: str, actor: str, approve: bool, profile: Profile, new_unit: str | None = None,
                  reason: str | None = None, now: dt.datetime | None = None) -> Change:
    """The hotline's decision on a returned order: to another unit, or back to the same one."""
    with session_scope() as s:
        order = _order(s, number)
        if order.status != OrderStatus.RETURNED:
            raise LifecycleError("bad_state", "这个工单没有在等待退回审核。")
        previous = order.unit
    if approve:
        if not new_unit or new_unit == previous:
            raise LifecycleError("unit_required", "同意退回时请指定新的承办单位。")
        return dispatch(number, new_unit, actor, profile, f"同意{previous}退回，改派{new_unit}", now)
    why = _reason(reason, "不同意退回")
    with session_scope() as s:
        order = _order(s, number)
        # The unit goes on with it, with the deadline it had: the return did not stop the clock.
        _event(s, order, actor, OrderStatus.DISPATCHED, f"不同意退回，由{previous}继续办理：{why}")
        return _change(order)


def _cap(order: WorkOrder, profile: Profile) -> dt.date:
    """鞍山条例第十七条: all extensions together end within ``max_extension_months`` of the day the
    hotline received the request."""
    received = china_today(order.created_at.replace(tzinfo=dt.timezone.utc))
    return _add_months(received, profile.max_extension_months)


_ASKED = re.compile(r"^申请延期至(\d{4}-\d{2}-\d{2})（\d+个工作日）：(.*)$", re.S)


def extension_requested(order: WorkOrder) -> bool:
    """A unit asked for more time and the hotline has not decided yet."""
    return order.status in OPEN_STATUSES and _latest_kind(
        order, ("extension_requested", "extension", "extension_refused")) == "extension_requested"


def extend(number: str, unit: str, reason: str, working_days: int, profile: Profile,
           now: dt.datetime | None = None) -> Change:
    """A unit asks for more time, before the deadline and with a reason, never beyond the cap;
    the hotline approves it (``review_extension``) before the deadline moves."""
    reason = _reason(reason, "延期")
    if not isinstance(working_days, int) or isinstance(working_days, bool) or not 1 <= working_days <= 60:
        raise LifecycleError("bad_days", "延期天数应为1到60个工作日。")
    with session_scope() as s:
        order = _order(s, number)
        _own(order, unit)
        if order.status not in OrderStatus.WORKED:
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能延期。")
        if extension_requested(order):
            raise LifecycleError("bad_state", "已有延期申请在等待热线审核。")
        if china_today(now) > order.deadline:
            raise LifecycleError("too_late", "已经超过办理时限，延期须在时限内申请。")
        cap = _cap(order, profile)
        new_deadline = add_working_days(order.deadline, working_days)
        if new_deadline > cap:
            raise LifecycleError("over_cap", f"延期后累计不能超过{profile.max_extension_months}个月"
                                             f"（从热线受理之日起算，最晚{cap.isoformat()}）。")
        _event(s, order, unit, order.status, f"申请延期至{new_deadline.isoformat()}（{working_days}个工作日）：{reason}",
               kind="extension_requested")
        return _change(order)


def review_extension(number: str, actor: str, approve: bool, profile: Profile, reason: str | None = None) -> Change:
    """The hotline's decision on a unit's request for more time. Approved: the deadline moves
    and the citizen is told the new date; refused (with a reason): the deadline stands."""
    with session_scope() as s:
        order = _order(s, number)
        if not extension_requested(order):
            raise LifecycleError("bad_state", "这个工单没有待审核的延期申请。")
        asked = _latest(order, "extension_requested")
        m = _ASKED.match(asked.note or "") if asked else None
        if m is None:
            raise LifecycleError("bad_state", "延期申请的内容无法识别，请承办单位重新申请。")
        if not approve:
            why = _reason(reason, "不同意延期")
            _event(s, order, actor, order.status, f"不同意延期，仍须在{order.deadline:%Y年%m月%d日}前办结：{why}",
                   kind="extension_refused")
            return _change(order)
        new_deadline, why = dt.date.fromisoformat(m.group(1)), m.group(2)
        cap = _cap(order, profile)
        if new_deadline > cap:
            raise LifecycleError("over_cap", f"延期后累计不能超过{profile.max_extension_months}个月（最晚{cap.isoformat()}）。")
        # The citizen reads this note (bot/gateway/order_updates.py): the new date and why.
        _event(s, order, actor, order.status, f"办理时限延长至{new_deadline:%Y年%m月%d日}：{why}", kind="extension")
        order.deadline = new_deadline
        return _change(order)


def close(number: str, unit: str, result: str) -> Change:
    """The unit's 办结: the result as the citizen will hear it. The order waits for the
    hotline's review (鞍山条例第十八条) before it is closed and the citizen asked to rate it."""
    result = _reason(result, "办结")
    with session_scope() as s:
        order = _order(s, number)
        _own(order, unit)
        if order.status not in OrderStatus.WORKED:
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能办结。")
        waiting = [c.unit for c in order.co_units if not c.part]
        if waiting:
            raise LifecycleError("co_units_pending", f"协办单位{'、'.join(waiting)}还没有反馈办理情况，暂不能办结。")
        order.result = result
        order.answered_at = order.answered_at or utcnow()
        _event(s, order, unit, OrderStatus.REVIEWING, result)
        return _change(order)


def review_close(number: str, actor: str, approve: bool, reason: str | None = None) -> Change:
    """The hotline's review of a unit's 办结 (鞍山条例第十八条): closed when it meets the standard
    (then the 回访 goes out), or back to the unit with reasons; the deadline is not reset, and
    every send-back is counted (``sent_back``)."""
    with session_scope() as s:
        order = _order(s, number)
        if order.status != OrderStatus.REVIEWING:
            raise LifecycleError("bad_state", "这个工单没有在等待办结审核。")
        if approve:
            note = (reason or "").strip()[:2000]
            _event(s, order, actor, OrderStatus.CLOSED, f"办结审核通过：{note}" if note else "办结审核通过")
            return _change(order)
        why = _reason(reason, "退回重办")
        _event(s, order, actor, OrderStatus.IN_PROGRESS, f"办结审核未通过，退回{order.unit}继续办理：{why}")
        order.result = None
        return _change(order)


def sent_back(order: WorkOrder) -> int:
    """How many times the hotline's review sent the unit's 办结 back."""
    return sum(1 for e in order.events
               if e.kind == "status" and e.status_from == OrderStatus.REVIEWING and e.status_to == OrderStatus.IN_PROGRESS)


def request_termination(number: str, unit: str, evidence: str) -> Change:
    """The citizen cannot be reached or does not cooperate: the unit says how it tried; the
    order stays open until the hotline reviews it."""
    evidence = _reason(evidence, "申请终止")
    with session_scope() as s:
        order = _order(s, number)
        _own(order, unit)
        if order.status not in OrderStatus.WORKED:
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能申请终止。")
        _event(s, order, unit, order.status, evidence, kind="termination_requested")
        return _change(order)


def review_termination(number: str, actor: str, approve: bool, reason: str) -> Change:
    reason = _reason(reason, "终止审核")
    with session_scope() as s:
        order = _order(s, number)
        if not termination_requested(order):  # none asked, or the last request was refused already
            raise LifecycleError("bad_state", "这个工单没有待审核的终止申请。")
        if approve:
            _event(s, order, actor, OrderStatus.TERMINATED, f"审核同意终止：{reason}")
        else:
            _event(s, order, actor, order.status, f"不同意终止：{reason}", kind="termination_refused")
        return _change(order)


def overdue(today: dt.date | None = None, within_working_days: int = 1) -> list[dict[str, Any]]:
    """Open orders past their deadline, and those due within ``within_working_days`` (督办)."""
    today = today or china_today()
    soon = add_working_days(today, within_working_days)
    with session_scope() as s:
        rows = s.execute(select(WorkOrder).where(WorkOrder.status.in_(OrderStatus.RUNNING), WorkOrder.deadline <= soon)
                         .order_by(WorkOrder.deadline, WorkOrder.id)).scalars()
        return [{"number": o.number, "status": o.status, "status_label": o.status_label, "unit": o.unit,
                 "deadline": o.deadline.isoformat(), "overdue": o.deadline < today,
                 "working_days_over": working_days_between(o.deadline, today) if o.deadline < today else 0,
                 "type": o.request_type, "content": o.content[:120]} for o in rows]


def history(number: str) -> list[dict[str, Any]]:
    """The order's events, oldest first; ``actor_name`` names a console user as people read it
    (「热线 赵班长」) while ``actor`` keeps the account (``console:<username>``)."""
    with session_scope() as s:
        order = _order(s, number)
        users = {e.actor.removeprefix("console:") for e in order.events if (e.actor or "").startswith("console:")}
        names = dict(s.execute(select(Agent.username, Agent.display_name).where(Agent.username.in_(users))).all()) \
            if users else {}

        def name(actor: str | None) -> str | None:
            user = (actor or "").removeprefix("console:")
            return f"热线 {names[user]}" if actor != user and user in names else None

        return [{"at": e.at.isoformat() + "Z", "actor": e.actor, "actor_name": name(e.actor), "kind": e.kind,
                 "from": e.status_from, "to": e.status_to, "note": e.note} for e in order.events]


# ---------------------------------------------------------------- asking the citizen (补充材料, 转达)

ASK_DAYS = (1, 15)
_ASKED_CITIZEN = re.compile(r"（请于(\d{4}-\d{2}-\d{2})前答复）$")


def ask_citizen(number: str, actor: str, question: str, days: object, profile: Profile, unit: str | None = None,
                now: dt.datetime | None = None) -> Change:
    """The hotline or the order's unit asks the citizen, in the citizen's own channel, for more
    information by a date (鞍山条例第十五条第二项: 通知诉求人在规定期限内补齐相关材料), or passes on a
    unit's message to a citizen it must not identify (a 举报 or a confidential order): the unit
    never sees the name or number, the citizen's answer comes back into the order."""
    question = _reason(question, "需要市民补充或转达的内容")
    if not isinstance(days, int) or isinstance(days, bool) or not ASK_DAYS[0] <= days <= ASK_DAYS[1]:
        raise LifecycleError("bad_days", f"答复期限应为{ASK_DAYS[0]}到{ASK_DAYS[1]}个工作日。")
    with session_scope() as s:
        order = _order(s, number)
        if unit is not None:
            _own(order, unit)
        if order.status not in OPEN_STATUSES:
            raise LifecycleError("bad_state", f"工单现在是“{order.status_label}”，不能再联系市民补充。")
        if not order.sender_id or order.channel == "phone":
            raise LifecycleError("no_channel", "这个工单是电话受理的，没有线上渠道可以转达，请由热线坐席电话联系市民。")
        if awaiting_citizen(order, china_today(now)):
            raise LifecycleError("bad_state", "已经在等待市民答复，请等市民答复或期限过后再问。")
        due = add_working_days(china_today(now), days)
        who = "承办单位" if unit is not None else "热线"
        _event(s, order, actor, order.status, f"{who}请市民补充或答复：{question}（请于{due.isoformat()}前答复）",
               kind="citizen_asked")
        return _change(order)


def awaiting_citizen(order: WorkOrder, today: dt.date | None = None) -> bool:
    """A question to the citizen is open: not answered and not past its date."""
    asked = _latest(order, "citizen_asked")
    if asked is None or _latest_kind(order, ("citizen_asked", "citizen_answered")) != "citizen_asked":
        return False
    m = _ASKED_CITIZEN.search(asked.note or "")
    return m is None or dt.date.fromisoformat(m.group(1)) >= (today or china_today())


def citizen_answered(number: str, sender_id: str, text: str, profile: Profile, now: dt.datetime | None = None) -> Change:
    """The citizen's answer, appended to the order. Where the profile stops the clock while the
    citizen is asked (``supplement_stops_clock``), the deadline moves by the working days waited."""
    text = (text or "").strip()
    if not text:
        raise LifecycleError("empty", "答复是空的。")
    with session_scope() as s:
        order = _order(s, number)
        if order.sender_id != sender_id or not awaiting_citizen(order, china_today(now)):
            raise LifecycleError("bad_state", "这个工单没有在等待您的答复。")
        asked = _latest(order, "citizen_asked")
        _event(s, order, "citizen", order.status, text[:2000], kind="citizen_answered")
        if profile.supplement_stops_clock and asked is not None:
            waited = working_days_between(china_today(asked.at.replace(tzinfo=dt.timezone.utc)), china_today(now))
            if waited:
                order.deadline = add_working_days(order.deadline, waited)
                _event(s, order, "热线", order.status, f"等待市民补充{waited}个工作日，办理时限顺延至"
                                                      f"{order.deadline:%Y年%m月%d日}", kind="extension")
        return _change(order)


# ---------------------------------------------------------------- 催办 by the citizen

URGE_AGAIN_AFTER = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Urged:
    """What a citizen's 催办 came to: ``urged`` (recorded now), ``already`` (recorded within the
    last day: once is enough) or ``not_open`` (the order is finished or ended)."""

    outcome: str
    number: str
    status_label: str
    deadline: dt.date


def urge(number: str, actor: str = "市民", now: dt.datetime | None = None) -> Urged:
    """The citizen asks that an open order be hurried: an event on the order that its unit and
    the hotline see in the order's history (kind ``urged``), once a day at most."""
    moment = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(tzinfo=None)
    with session_scope() as s:
        order = _order(s, number)
        outcome = "not_open"
        if order.status in OPEN_STATUSES:
            last = _latest(order, "urged")
            outcome = "already" if last is not None and moment - last.at < URGE_AGAIN_AFTER else "urged"
            if outcome == "urged":
                s.add(WorkOrderEvent(order_id=order.id, actor=actor[:64], at=moment, status_from=order.status,
                                     status_to=order.status, note="市民催办", kind="urged"))
        return Urged(outcome, order.number, order.status_label, order.deadline)


# ---------------------------------------------------------------- satisfaction follow-up (回访)

RATINGS = ("满意", "基本满意", "不满意")
_STARS = {"1": "不满意", "2": "不满意", "3": "基本满意", "4": "满意", "5": "满意"}
_RATING_RX = re.compile(
    r"^\s*(?:我)?(?:觉得|感觉|评价)?[：:\s]*(非常满意|很满意|满意|基本满意|还算满意|一般|不太满意|不满意|很不满意|非常不满意"
    r"|[1-5]\s*(?:星|颗星|分)?|[一二三四五]\s*(?:星|颗星|分))(?P<rest>.*)$", re.S)
_CN_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}


def parse_rating(text: str) -> tuple[str, str | None] | None:
    """(rating, reason) from a citizen's answer to the follow-up, or None when it is not one:
    「满意」, 「不满意，油烟还是很大」, 「4星」, 「一般」 (基本满意)."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    if not t or len(t) > 500:
        return None
    m = _RATING_RX.match(t)
    if m is None:
        return None
    word, rest = m.group(1).replace(" ", ""), m.group("rest").strip()
    if re.match(r"^(?:度|率|吗|么|不|没|的话|调查|评价)", rest) or rest.endswith(("吗", "？", "?")):
        return None  # 满意度是什么 / 满意吗: a question, not a rating
    if word[0] in _CN_DIGITS and word != "一般":
        word = _CN_DIGITS[word[0]] + word[1:]
    if word[0].isdigit():
        rating = _STARS[word[0]]
    elif "不" in word:
        rating = "不满意"
    elif word in ("基本满意", "还算满意", "一般"):
        rating = "基本满意"
    else:
        rating = "满意"
    rest = rest.strip(" ，,。.!！、；;：:")
    return rating, (rest[:1000] or None)


@dataclass(frozen=True)
class Rated:
    number: str
    rating: str
    reopened: bool  # back to the unit (不满意 with a reason, the first time)
    to_supervisor: bool  # 不满意 again, or without a reason: the hotline reviews it


def rate(number: str, rating: str, reason: str | None, profile: Profile, now: dt.datetime | None = None) -> Rated:
    """The citizen's rating of a closed order. 通辽条例第二十条: 不满意 with a reason reopens it
    for the unit once; any other 不满意 goes to the supervisor."""
    if rating not in RATINGS:
        raise LifecycleError("bad_rating", "评价只能是满意、基本满意或不满意。")
    with session_scope() as s:
        order = _order(s, number)
        if order.status != OrderStatus.CLOSED:
            raise LifecycleError("bad_state", "这个工单还没有办结，办结后再请您评价。")
        order.rating, order.rating_reason = rating, reason
        _event(s, order, "citizen", order.status, f"{rating}：{reason}" if reason else rating, kind="rating")
        if rating != "不满意":
            return Rated(number, rating, False, False)
        if reason and not order.reopened:
            order.reopened += 1
            order.deadline = add_working_days(china_today(now), profile.working_days)
            _event(s, order, "citizen", OrderStatus.DISPATCHED, f"市民不满意，重新交办：{reason}")
            return Rated(number, rating, True, False)
        _event(s, order, "citizen", order.status, "不满意，请热线审核", kind="dissatisfied_review")
        return Rated(number, rating, False, True)


def review_rating(number: str, actor: str, reopen: bool, profile: Profile, unit: str | None = None,
                  reason: str | None = None, now: dt.datetime | None = None) -> Change:
    """The hotline's decision on a 不满意 the rules did not send back to the unit by themselves
    (a second one, or one without a reason): hand it to a unit again with a new deadline, or
    keep it closed, with the reason either way."""
    why = _reason(reason, "回访审核")
    with session_scope() as s:
        order = _order(s, number)
        if order.status != OrderStatus.CLOSED or _latest_kind(order, ("dissatisfied_review", "rating_reviewed")) \
                != "dissatisfied_review":
            raise LifecycleError("bad_state", "这个工单没有待审核的不满意评价。")
        if not reopen:
            _event(s, order, actor, OrderStatus.CLOSED, f"维持办结：{why}", kind="rating_reviewed")
            return _change(order)
        unit = unit or order.unit
        if not unit or len(unit) > 64:
            raise LifecycleError("unit_required", "请指定重新办理的承办单位。")
        _event(s, order, actor, OrderStatus.CLOSED, f"重新交办{unit}：{why}", kind="rating_reviewed")
        order.unit, order.dispatched_at = unit, now or utcnow()
        order.deadline = add_working_days(china_today(now), profile.working_days)
        _event(s, order, actor, OrderStatus.DISPATCHED, f"市民不满意，热线审核后重新交办{unit}：{why}")
        return _change(order)


def appealable(order: WorkOrder) -> bool:
    """The citizen's latest rating is 不满意 and the unit has not asked for it to be reviewed yet."""
    return order.rating == "不满意" and _latest_kind(order, ("rating", "rating_appeal")) == "rating"


def appeal_rating(number: str, unit: str, explanation: str, evidence: str | None = None) -> Change:
    """天津办法第二十三条: a unit that did its duty may ask the hotline to review a 不满意, with a
    written explanation and its evidence (what it did, when, with whom)."""
    explanation = _reason(explanation, "评价复核申请")
    evidence = (evidence or "").strip()[:2000] or None
    with session_scope() as s:
        order = _order(s, number)
        _own(order, unit)
        if not appealable(order):
            raise LifecycleError("bad_state", "这个工单没有可以申请复核的不满意评价（或已经申请过）。")
        _event(s, order, unit, order.status, f"{explanation}（佐证：{evidence}）" if evidence else explanation,
               kind="rating_appeal")
        return _change(order)


def review_appeal(number: str, actor: str, upheld: bool, reason: str) -> Change:
    """The hotline's decision on a unit's request: 确已尽责 (the 不满意 does not count against the
    unit in its evaluation) or not, with the reason either way."""
    why = _reason(reason, "评价复核")
    with session_scope() as s:
        order = _order(s, number)
        if _latest_kind(order, ("rating_appeal", "appeal_upheld", "appeal_refused")) != "rating_appeal":
            raise LifecycleError("bad_state", "这个工单没有待审核的评价复核申请。")
        if upheld:
            _event(s, order, actor, order.status, f"经审核承办单位确已尽责，该不满意评价不计入考核：{why}", kind="appeal_upheld")
        else:
            _event(s, order, actor, order.status, f"复核不予支持，维持不满意评价：{why}", kind="appeal_refused")
        return _change(order)


# ---------------------------------------------------------------- the supervisor's queues (督办)

def _latest_kind(order: WorkOrder, kinds: tuple[str, ...]) -> str | None:
    return next((e.kind for e in reversed(order.events) if e.kind in kinds), None)


def _latest(order: WorkOrder, kind: str, to: str | None = None) -> WorkOrderEvent | None:
    return next((e for e in reversed(order.events) if e.kind == kind and (to is None or e.status_to == to)), None)


def termination_requested(order: WorkOrder) -> bool:
    """A unit asked to end the order and the hotline has not decided yet."""
    return order.status in OPEN_STATUSES and _latest_kind(
        order, ("termination_requested", "termination_refused")) == "termination_requested"


def _row(order: WorkOrder, event: WorkOrderEvent | None) -> dict[str, Any]:
    return {"number": order.number, "unit": order.unit, "type": order.request_type, "content": order.content[:200],
            "status": order.status, "status_label": order.status_label, "deadline": order.deadline.isoformat(),
            "at": event.at.isoformat() + "Z" if event else None, "actor": event.actor if event else None}


def _review_queue(where: list[Any], event_of: Callable[[WorkOrder], WorkOrderEvent | None],
                  extra: Callable[[WorkOrder, WorkOrderEvent | None], dict[str, Any]],
                  waiting: Callable[[WorkOrder], bool] = lambda _o: True) -> list[dict[str, Any]]:
    """One of the hotline's review queues: the orders ``where`` selects (at most 500, oldest
    first) that are still ``waiting`` for its decision, each as its row, the event that asked
    (``event_of``) and what this queue shows besides (``extra``)."""
    with session_scope() as s:
        orders = s.execute(select(WorkOrder).where(*where).order_by(WorkOrder.id).limit(500)).scalars().all()
        out = []
        for o in orders:
            if waiting(o):
                event = event_of(o)
                out.append({**_row(o, event), **extra(o, event)})
        return out


def _asked(kind: str) -> Any:
    return WorkOrder.id.in_(select(WorkOrderEvent.order_id).where(WorkOrderEvent.kind == kind))


def _note(event: WorkOrderEvent | None) -> str | None:
    return event.note if event else None


def returns_to_review() -> list[dict[str, Any]]:
    """Orders a unit sent back, waiting for the hotline's decision (天津办法第十七条)."""
    return _review_queue([WorkOrder.status == OrderStatus.RETURNED],
                         lambda o: _latest(o, "status", OrderStatus.RETURNED), lambda o, e: {"reason": _note(e)})


def closings_to_review() -> list[dict[str, Any]]:
    """Units' 办结 waiting for the hotline's review (鞍山条例第十八条), with the result and how
    many times this order's 办结 was sent back already."""
    return _review_queue([WorkOrder.status == OrderStatus.REVIEWING],
                         lambda o: _latest(o, "status", OrderStatus.REVIEWING),
                         lambda o, e: {"result": o.result, "sent_back": sent_back(o), "overdue": o.deadline < china_today()})


def terminations_to_review() -> list[dict[str, Any]]:
    """Units' requests to end an order without a result, with their evidence."""
    return _review_queue([_asked("termination_requested"), WorkOrder.status.in_(OPEN_STATUSES)],
                         lambda o: _latest(o, "termination_requested"), lambda o, e: {"evidence": _note(e)},
                         termination_requested)


def dissatisfied_to_review() -> list[dict[str, Any]]:
    """不满意 ratings the rules did not send back to the unit (a second one, or no reason)."""
    return _review_queue([_asked("dissatisfied_review"), WorkOrder.status == OrderStatus.CLOSED],
                         lambda o: _latest(o, "dissatisfied_review"),
                         lambda o, e: {"rating": o.rating, "rating_reason": o.rating_reason, "reopened": o.reopened},
                         lambda o: _latest_kind(o, ("dissatisfied_review", "rating_reviewed")) == "dissatisfied_review")


def extensions_to_review() -> list[dict[str, Any]]:
    """Units' requests for more time, waiting for the hotline (鞍山条例第十七条)."""
    def extra(o: WorkOrder, event: WorkOrderEvent | None) -> dict[str, Any]:
        m = _ASKED.match(event.note or "") if event else None
        return {"requested_deadline": m.group(1) if m else None, "reason": m.group(2) if m else _note(event),
                "extensions": sum(1 for e in o.events if e.kind == "extension")}
    return _review_queue([_asked("extension_requested"), WorkOrder.status.in_(OPEN_STATUSES)],
                         lambda o: _latest(o, "extension_requested"), extra, extension_requested)


def appeals_to_review() -> list[dict[str, Any]]:
    """Units' requests to review a 不满意 (天津办法第二十三条), with their explanation."""
    return _review_queue([_asked("rating_appeal")], lambda o: _latest(o, "rating_appeal"),
                         lambda o, e: {"explanation": _note(e), "rating": o.rating, "rating_reason": o.rating_reason},
                         lambda o: _latest_kind(o, ("rating_appeal", "appeal_upheld", "appeal_refused")) == "rating_appeal")


def audit_entries(number: str | None = None, actor: str | None = None, limit: int = 200,
                  citizen: str | None = None) -> list[dict[str, Any]]:
    """The audit log, newest first: who read which citizen's data or acted on which order.
    Filters as typed (blank: none); one with a NUL is in no entry (PostgreSQL refuses it).
    ``citizen`` (a phone number or a conversation as agents see it, e.g. ``web-…``): every entry
    about that citizen's orders and conversations — who read their data, by person."""
    number, actor = (number or "").strip() or None, (actor or "").strip() or None
    citizen = (citizen or "").strip()[:128] or None
    if "\x00" in (number or "") + (actor or "") + (citizen or ""):
        return []
    with session_scope() as s:
        q = select(AuditEntry)
        if number:
            q = q.where(AuditEntry.order_number == number)
        if actor:
            q = q.where(AuditEntry.actor.contains(actor))
        if citizen:
            theirs = s.execute(select(WorkOrder.number, WorkOrder.sender_id)
                               .where(or_(WorkOrder.phone == citizen, WorkOrder.sender_id == citizen))).all()
            numbers = {n for n, _ in theirs}
            conversations = {sid for _, sid in theirs if sid} | {citizen}
            q = q.where(or_(AuditEntry.order_number.in_(numbers),
                            and_(AuditEntry.order_number.is_(None), AuditEntry.detail.in_(conversations))))
        rows = s.execute(q.order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 1000)))).scalars()
        return [{"at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.action, "order_number": e.order_number,
                 "detail": e.detail} for e in rows]
