"""The figures of 研判, counted in the database.

Days are China days (UTC+8): an order filed at 23:30 on 30 November Beijing time counts for the
30th. A period ``from``–``to`` includes both days. Every function works on SQLite and PostgreSQL
and groups in SQL over indexed columns (``created_at``, ``dispatched_at``, ``topic``,
``district``, ``unit``); Python only shapes the (small) grouped result.

Definitions, as the evaluation shows them (考核; 鞍山条例第二十一条, 天津办法第二十三条):

- 签收及时率: orders a unit received in the period that it signed for within 24 hours.
- 按期办结率: of those it answered (办结, 待审核 or after), the share answered by the deadline.
- 解决率: of its orders closed in the period, the share not rated 不满意 (a 不满意 the hotline
  found the unit not to blame for, after its request, counts as solved).
- 满意率: of the rated, the share rated 满意 or 基本满意. 满意度: the citizens' average score
  (满意 100, 基本满意 80, 不满意 0). 参评率: rated / closed. They are different figures.
- 回访未接通 / 未评价: closed orders nobody rated, never counted as satisfied.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, and_, case, func, or_, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from bot.analytics import rollup
from bot.store.crypto import pseudonym
from bot.store.db import session_scope
from bot.store.models import (
    DirectAnswer,
    EmergencyAlert,
    OrderDayCount,
    OrderStatus,
    WorkOrder,
    WorkOrderEvent,
)

CHINA = dt.timedelta(hours=8)
GROUPS = ("channel", "type", "district", "street", "topic", "subtopic", "unit")  # street: 「铁东区·胜利街道」
BYS = ("day", "week", "month")
UNKNOWN = "（未填）"
MAX_DAYS = 3 * 366
MIN_BASE = 30  # 同比/环比 against fewer orders are not given (the profile's statistics.min_base_orders)


class QueryError(ValueError):
    """A request the figures cannot answer; ``message`` says why in Chinese."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc(self) -> tuple[dt.datetime, dt.datetime]:
        """The period's bounds as the naive UTC the store keeps: [start 00:00 CST, end+1 00:00 CST)."""
        lo = dt.datetime.combine(self.start, dt.time()) - CHINA
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()) - CHINA
        return lo, hi

    def previous(self) -> Period:
        """环比: the period just before: as many whole months when the period is whole calendar
        months (November against October, not against the 30 days before), else as many days."""
        after = self.end + dt.timedelta(days=1)
        if self.start.day == 1 and after.day == 1:
            months = (after.year - self.start.year) * 12 + after.month - self.start.month
            back = self.start.year * 12 + self.start.month - 1 - months
            return Period(dt.date(back // 12, back % 12 + 1, 1), self.start - dt.timedelta(days=1))
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def year_ago(self) -> Period:
        """同比: the same days a year before."""
        return Period(_year_back(self.start), _year_back(self.end))

    def as_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def period(start: str | None, end: str | None, today: dt.date | None = None) -> Period:
    """The period asked for (YYYY-MM-DD, both days included); by default the last 30 days."""
    today = today or (dt.datetime.now(dt.timezone.utc) + CHINA).date()
    try:
        hi = dt.date.fromisoformat(end) if end else today
        lo = dt.date.fromisoformat(start) if start else hi - dt.timedelta(days=29)
    except ValueError:
        raise QueryError("日期应为 YYYY-MM-DD。") from None
    if lo > hi:
        raise QueryError("开始日期不能晚于结束日期。")
    if (hi - lo).days + 1 > MAX_DAYS:
        raise QueryError("一次最多统计三年。")
    return Period(lo, hi)


# ---------------------------------------------------------------- dialect-aware SQL pieces

def _dialect(s) -> str:
    return s.get_bind().dialect.name


def _local(col: ColumnElement, dialect: str) -> ColumnElement:
    """A UTC timestamp as China time (still a timestamp on PostgreSQL, a string on SQLite)."""
    if dialect == "sqlite":
        return func.datetime(col, "+8 hours")
    return col + CHINA


def _bucket(col: ColumnElement, by: str, dialect: str) -> ColumnElement:
    """The period label of a UTC timestamp: YYYY-MM-DD (day; week: its Monday) or YYYY-MM."""
    if dialect == "sqlite":
        if by == "month":
            return func.strftime("%Y-%m", col, "+8 hours")
        if by == "week":
            return func.date(col, "+8 hours", "weekday 0", "-6 days")
        return func.date(col, "+8 hours")
    local = col + CHINA
    if by == "month":
        return func.to_char(local, "YYYY-MM")
    if by == "week":
        return func.to_char(func.date_trunc("week", local), "YYYY-MM-DD")
    return func.to_char(local, "YYYY-MM-DD")


def _local_day(col: ColumnElement, dialect: str) -> ColumnElement:
    """The China day of a UTC timestamp, comparable with a Date column."""
    if dialect == "sqlite":
        return func.date(col, "+8 hours")
    return func.date(col + CHINA)


def _hours(later: ColumnElement, earlier: ColumnElement, dialect: str) -> ColumnElement:
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return func.extract("epoch", later - earlier) / 3600.0


def _group_col(group: str) -> ColumnElement:
    if group == "street":
        return rollup.DISTRICT_STREET
    return {"channel": WorkOrder.channel, "type": WorkOrder.request_type, "district": WorkOrder.district,
            "topic": WorkOrder.topic, "subtopic": WorkOrder.topic, "unit": WorkOrder.unit}[group]


def _label(group: str, value: str | None) -> str:
    if not value:
        return UNKNOWN
    if group == "topic":
        return value.split("/", 1)[0]
    return value


# ---------------------------------------------------------------- volume (summary)

def summary(p: Period, by: str = "day", group: str | None = None, min_base: int = MIN_BASE) -> dict[str, Any]:
    """Orders filed in the period, by day/week/month and by one dimension, with 环比 (the period
    before) and 同比 (a year before), how many were dispatched, the citizens answered directly
    (``answered``: by the knowledge base and by agents, without an order; ``handling``: those and
    the dispatched orders by period), and the emergencies given numbers. Days the roll-up holds
    are read from it (``rollup.py``), the others counted live.

    A change is given only against a base worth comparing (``compare``): a base period the store's
    orders cover from its first day, with at least ``min_base`` orders (the profile's
    ``statistics.min_base_orders``). Otherwise it is None and ``mom_reason``/``yoy_reason`` (and each
    group's) say why in Chinese: a year compared with the few orders filed on the day the store's
    history begins is not a rise of 27,000%."""
    if by not in BYS:
        raise QueryError(f"by 只能是 {'、'.join(BYS)}。")
    if group is not None and group not in GROUPS:
        raise QueryError(f"group 只能是 {'、'.join(GROUPS)}。")
    lo, hi = p.utc()
    with session_scope() as s:
        rows = _volume(s, p, by, group)
        before = _totals(_volume(s, p.previous(), by, group))
        year = _totals(_volume(s, p.year_ago(), by, group))
        unit_rows = _volume(s, p, by, "unit")
        answered = _answers(s, p, by, "answer")
        first = s.execute(select(func.min(WorkOrder.created_at))).scalar()
        alerts = s.execute(select(EmergencyAlert.numbers, func.count()).where(
            EmergencyAlert.created_at >= lo, EmergencyAlert.created_at < hi).group_by(EmergencyAlert.numbers)).all()
    series: dict[str, dict[str, int]] = {}
    for (period_label, name), n in rows.items():
        series.setdefault(period_label, {})
        series[period_label][name] = series[period_label].get(name, 0) + n
    totals = _totals(rows)
    total = sum(totals.values())
    units = _totals(unit_rows)
    dispatched = total - units.get(UNKNOWN, 0)
    handling: dict[str, dict[str, int]] = {}
    for (period_label, unit), n in unit_rows.items():
        if unit != UNKNOWN:
            row = handling.setdefault(period_label, {"kb": 0, "agent": 0, "dispatched": 0})
            row["dispatched"] += n
    for (period_label, kind), n in answered.items():
        if kind in ANSWER_KINDS:
            handling.setdefault(period_label, {"kb": 0, "agent": 0, "dispatched": 0})[kind] += n
    direct = {kind: sum(n for (_p, k), n in answered.items() if k == kind) for kind in ANSWER_KINDS}
    since = (first + CHINA).date() if first else None
    numbers: dict[str, int] = {}
    for joined, n in alerts:
        for number in str(joined or "").replace("、", ",").split(","):
            if number.strip():
                numbers[number.strip()] = numbers.get(number.strip(), 0) + n
    return {
        **p.as_dict(), "by": by, "group": group, "total": total,
        "series": [{"period": k, "total": sum(v.values()), "groups": v} for k, v in sorted(series.items())],
        "totals": dict(sorted(totals.items(), key=lambda kv: -kv[1])),
        "previous": {**p.previous().as_dict(), "total": sum(before.values()), "totals": before},
        "year_ago": {**p.year_ago().as_dict(), "total": sum(year.values()), "totals": year},
        **_changes(total, sum(before.values()), sum(year.values()), p, since, min_base),
        "by_group_change": {name: _changes(n, before.get(name, 0), year.get(name, 0), p, since, min_base)
                            for name, n in totals.items()},
        "data_since": since.isoformat() if since else None, "min_base": min_base,
        "dispatched": dispatched, "not_dispatched": total - dispatched,
        "answered": direct, "handling": [{"period": k, **v} for k, v in sorted(handling.items())],
        "emergencies": sum(n for _, n in alerts), "emergency_numbers": numbers,
    }


def _totals(rows: dict[tuple[str, str], int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for (_period, name), n in rows.items():
        out[name] = out.get(name, 0) + n
    return out


def _period_label(day: dt.date, by: str) -> str:
    if by == "month":
        return f"{day:%Y-%m}"
    if by == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    return day.isoformat()


_DIM = {"channel": "channel", "type": "type", "district": "district", "street": "street", "topic": "topic",
        "subtopic": "topic", "unit": "unit"}


def _volume(s, p: Period, by: str, group: str | None) -> dict[tuple[str, str], int]:
    """(period label, group name) -> orders filed: rolled-up days from the roll-up, the rest live."""
    days = [p.start + dt.timedelta(days=i) for i in range(p.days)]
    done = rollup.rolled(days)
    out: dict[tuple[str, str], int] = {}

    def add(label: str, value: str | None, n: int) -> None:
        name = _label(group or "", value) if group else "全部"
        out[(label, name)] = out.get((label, name), 0) + int(n)

    if done:
        dim = _DIM[group] if group else "all"
        for day, value, n in s.execute(select(OrderDayCount.day, OrderDayCount.value, OrderDayCount.count)
                                       .where(OrderDayCount.day.in_(sorted(done)), OrderDayCount.dim == dim)).all():
            add(_period_label(day, by), value or None, n)
    d = _dialect(s)
    for lo_day, hi_day in _runs([day for day in days if day not in done]):
        lo, hi = Period(lo_day, hi_day).utc()
        bucket = _bucket(WorkOrder.created_at, by, d).label("period")
        window = (WorkOrder.created_at >= lo, WorkOrder.created_at < hi)
        if group:
            key = _group_col(group).label("key")
            for label, value, n in s.execute(select(bucket, key, func.count()).where(*window).group_by(bucket, key)).all():
                add(str(label), value, n)
        else:
            for label, n in s.execute(select(bucket, func.count()).where(*window).group_by(bucket)).all():
                add(str(label), None, n)
    return out


ANSWER_KINDS = ("kb", "agent")  # bot/store/answers.py


def _answers(s, p: Period, by: str, dim: str) -> dict[tuple[str, str], int]:
    """(period label, value) -> direct answers by one of ``rollup.ANSWER_DIMS``: rolled-up days
    from the roll-up, the rest live."""
    days = [p.start + dt.timedelta(days=i) for i in range(p.days)]
    done = rollup.rolled(days)
    out: dict[tuple[str, str], int] = {}

    def add(label: str, value: str, n: int) -> None:
        out[(label, value)] = out.get((label, value), 0) + int(n)

    if done:
        for day, value, n in s.execute(select(OrderDayCount.day, OrderDayCount.value, OrderDayCount.count)
                                       .where(OrderDayCount.day.in_(sorted(done)), OrderDayCount.dim == dim)).all():
            add(_period_label(day, by), value, n)
    col = rollup.ANSWER_DIMS[dim]
    d = _dialect(s)
    for lo_day, hi_day in _runs([day for day in days if day not in done]):
        lo, hi = Period(lo_day, hi_day).utc()
        bucket = _bucket(DirectAnswer.at, by, d).label("period")
        for label, value, n in s.execute(select(bucket, col, func.count())
                                         .where(DirectAnswer.at >= lo, DirectAnswer.at < hi, col.is_not(None))
                                         .group_by(bucket, col)).all():
            add(str(label), value, n)
    return out


def answers(p: Period, kind: str, limit: int = 50) -> dict[str, Any]:
    """What is behind a 直接答复 figure: for the knowledge base, which articles were given and how
    many times (the most given first, at most ``limit``); for agents, why the conversations came to
    a person; for both, by channel. Nothing of who asked or what they wrote is kept to show."""
    if kind not in ANSWER_KINDS:
        raise QueryError(f"answered_by 只能是 {'、'.join(ANSWER_KINDS)}。")
    with session_scope() as s:
        total = _totals(_answers(s, p, "month", "answer")).get(kind, 0)
        channels = {value.split("|", 1)[1]: n for value, n in _totals(_answers(s, p, "month", "answer_channel")).items()
                    if value.startswith(kind + "|")}
        out: dict[str, Any] = {**p.as_dict(), "answered_by": kind, "total": total,
                               "by_channel": dict(sorted(channels.items(), key=lambda kv: -kv[1]))}
        if kind == "kb":
            given = sorted(_totals(_answers(s, p, "month", "article")).items(), key=lambda kv: (-kv[1], kv[0]))
            articles = []
            for article, n in given[:max(1, min(limit, 500))]:
                title, topic = s.execute(select(DirectAnswer.title, DirectAnswer.topic)  # as last given
                                         .where(DirectAnswer.article == article)
                                         .order_by(DirectAnswer.id.desc()).limit(1)).one_or_none() or (None, None)
                articles.append({"article": article, "title": title or article, "topic": topic, "count": n})
            out.update(articles=articles, article_count=len(given))
        else:
            reasons = _totals(_answers(s, p, "month", "answer_reason"))
            out["reasons"] = [{"reason": r, "count": n} for r, n in sorted(reasons.items(), key=lambda kv: -kv[1])]
    return out


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) ranges."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def compare(now: int, base: int, base_period: Period, since: dt.date | None, min_base: int,
            label: str) -> tuple[float | None, str | None]:
    """A change (环比 or 同比: ``label`` names the base, 上一时段 or 去年同期) as (now - base) / base,
    or None and the reason in Chinese when the base says nothing: a base period that starts before
    the store's first order (``since``: its history is not all there) or one with fewer than
    ``min_base`` orders (chance alone moves a handful of orders by half)."""
    if since is None:
        return None, "尚无工单"
    if base_period.start < since:
        return None, f"{label}早于数据起始日{since.isoformat()}"
    if base < max(1, min_base):
        return None, f"{label}仅{base}件，不足{max(1, min_base)}件"
    return round((now - base) / base, 4), None


def _changes(now: int, before: int, year: int, p: Period, since: dt.date | None, min_base: int) -> dict[str, Any]:
    mom, mom_reason = compare(now, before, p.previous(), since, min_base, "上一时段")
    yoy, yoy_reason = compare(now, year, p.year_ago(), since, min_base, "去年同期")
    return {"mom": mom, "yoy": yoy, "mom_reason": mom_reason, "yoy_reason": yoy_reason}


# ---------------------------------------------------------------- the orders behind a figure

FILTERS = (*GROUPS, "dispatched")  # dispatched: yes | no, the summary's 派单办理 / 未派单
BASES = ("filed", "received")


def orders(p: Period, filters: dict[str, str], limit: int = 200, basis: str = "filed") -> dict[str, Any]:
    """The orders behind a figure, newest first: filed in the period (the volume's figures), or
    with ``basis`` "received" dispatched to their unit in it (the units' evaluation counts those),
    matching every filter. No name, phone or address: a 举报 or confidential order shows no
    content either."""
    if basis not in BASES:
        raise QueryError(f"basis 只能是 {'、'.join(BASES)}。")
    lo, hi = p.utc()
    when = WorkOrder.dispatched_at if basis == "received" else WorkOrder.created_at
    q = select(WorkOrder).where(when >= lo, when < hi)
    if basis == "received":
        q = q.where(WorkOrder.unit.is_not(None))
    for group, value in filters.items():
        if group not in FILTERS:
            raise QueryError(f"筛选条件只能是 {'、'.join(FILTERS)}。")
        if group == "dispatched":
            if value not in ("yes", "no"):
                raise QueryError("dispatched 只能是 yes 或 no。")
            unset = or_(WorkOrder.unit.is_(None), WorkOrder.unit == "")
            q = q.where(unset if value == "no" else ~unset)
            continue
        col = _group_col(group)
        if value == UNKNOWN:
            q = q.where(or_(col.is_(None), col == ""))
        elif group == "street" and rollup.STREET_SEP in value:
            district, street = value.split(rollup.STREET_SEP, 1)
            q = q.where(WorkOrder.district == district, WorkOrder.street == street)
        elif group == "street":
            q = q.where(WorkOrder.street == value)
        elif group == "topic":
            q = q.where(or_(col == value, col.like(f"{value}/%")))
        else:
            q = q.where(col == value)
    limit = max(1, min(limit, 1000))
    with session_scope() as s:
        total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
        rows = s.execute(q.order_by(when.desc(), WorkOrder.id.desc()).limit(limit)).scalars().all()
        return {"total": total, "orders": [public_order(o) for o in rows]}


def public_order(o: WorkOrder) -> dict[str, Any]:
    protected = o.confidential or o.request_type == "举报"
    return {"number": o.number, "created_at": o.created_at.isoformat() + "Z", "type": o.request_type,
            "channel": o.channel, "district": o.district, "street": o.street, "topic": o.topic, "unit": o.unit, "status": o.status,
            "status_label": o.status_label, "rating": o.rating,
            "content": None if protected else (o.content or "")[:120]}


# ---------------------------------------------------------------- hot spots

WINDOWS = (6, 24, 48)  # hours: a burst shows in the short window first, a slow rise in the long one
COUNTED_WINDOWS = (3, 6, 24, 48)  # every window a detector may look at (the longest last), in one query


@dataclass(frozen=True)
class Detector:
    """When a cell (topic × place) is a hot spot: in one of ``windows`` (hours, the longest 48) it
    has at least ``min_count`` orders, ``min_ratio`` times what was expected, and so many that
    chance would give it less than once in 10^``min_surprise`` (Poisson). ``prior_weight``
    (streets): a street's own level is pulled towards its share of its district's level for the
    topic, the district's worth ``prior_weight`` times the street's own four weeks (empirical Bayes:
    a small street's few orders are a noisy measure of its level, the district's many are not)."""

    windows: tuple[int, ...]
    min_count: int
    min_ratio: float
    min_surprise: float
    prior_weight: float = 0.0
    floor: float = 0.05  # the least number of orders a window ever expects (a cell's level is never known to be 0)


# 4.5 was chosen on a generated year (seed 1: 17 of 24 planted bursts within 6 hours, 0.6 false
# warnings a week); BENCHMARKS.md reports another seed.
DISTRICT = Detector(windows=WINDOWS, min_count=5, min_ratio=3.0, min_surprise=4.5)
# Streets: many more cells, each with few orders. Chosen on seed 1's generated year
# (scripts/tune_hotspots.py; BENCHMARKS.md reports seed 3): as few as 3 orders (a street's
# burst of 8 holds about 3.6 in its first 6 hours), the street's level pulled towards its share of
# its district's (worth three times its own four weeks), a surprise of 10^-5 (the street cells are
# six times the district's) and a window never expecting fewer than 0.02 orders (the street's
# level is measured well enough for a lower floor than the district's). A 3-hour window as well
# was tried: it found no burst sooner and raised more false warnings at 1M orders a year.
STREET = Detector(windows=WINDOWS, min_count=3, min_ratio=3.0, min_surprise=5.0, prior_weight=3.0, floor=0.02)


def poisson_surprise(n: int, expected: float, floor: float = 0.05) -> float:
    """-log10 P(X >= n) for X ~ Poisson(expected, at least ``floor``): how unlikely ``n`` orders
    are by chance."""
    lam = max(expected, floor)
    if n <= 0:
        return 0.0
    # sum of the tail's terms from n upwards, in logs (the tail is tiny when it matters)
    log_term = -lam + n * math.log(lam) - math.lgamma(n + 1)
    total, k, term = 0.0, n, math.exp(log_term)
    while term > 1e-300 and k < n + 500:
        total += term
        k += 1
        term *= lam / k
    if total <= 0.0:
        return 300.0
    return -math.log10(min(1.0, total))


@dataclass(slots=True)
class Cell:
    """One topic × place's counts: in each of ``COUNTED_WINDOWS`` up to the end, in the baseline
    period before the longest window, and in the same four weeks a year before."""

    topic: str
    place: tuple[str, ...]  # (district,) or (district, street)
    counts: tuple[int, ...]  # in each of COUNTED_WINDOWS
    before: int
    a_year_ago: int


def hotspot_cells(end: dt.datetime, baseline_days: int = 28, street: bool = False) -> list[Cell]:
    """The counts every detector scores, grouped in the database (one query)."""
    longest = max(COUNTED_WINDOWS)
    base_start = end - dt.timedelta(hours=longest) - dt.timedelta(days=baseline_days)
    # The same season a year before (four weeks around the day): heating in November is normal.
    year_mid = end - dt.timedelta(days=365)
    year_lo, year_hi = year_mid - dt.timedelta(days=14), year_mid + dt.timedelta(days=14)
    places = (WorkOrder.district, WorkOrder.street) if street else (WorkOrder.district,)
    with session_scope() as s:
        recent = and_(WorkOrder.created_at >= base_start, WorkOrder.created_at < end)
        last_year = and_(WorkOrder.created_at >= year_lo, WorkOrder.created_at < year_hi)
        sums = [func.sum(case((WorkOrder.created_at >= end - dt.timedelta(hours=w), 1), else_=0))
                for w in COUNTED_WINDOWS]
        rows = s.execute(
            select(WorkOrder.topic, *places, *sums, func.sum(case((recent, 1), else_=0)),
                   func.sum(case((last_year, 1), else_=0)))
            .where(or_(recent, last_year), WorkOrder.topic.is_not(None), *(p.is_not(None) for p in places))
            .group_by(WorkOrder.topic, *places)).all()
    cells = []
    for topic, *rest in rows:
        place, (*counts, everything, a_year_ago) = tuple(rest[:len(places)]), rest[len(places):]
        by_window = tuple(int(c or 0) for c in counts)
        cells.append(Cell(topic, place, by_window, int(everything or 0) - by_window[-1], int(a_year_ago or 0)))
    return cells


def score_cells(cells: list[Cell], detector: Detector, baseline_days: int = 28) -> list[dict]:
    """The hot spots among ``cells`` by ``detector`` (no orders looked up), most surprising first."""
    def own(before: int, a_year_ago: int) -> float:  # orders an hour: the higher of now and a year before
        return max(before / (baseline_days * 24), a_year_ago / (28 * 24))

    per_hour = [own(c.before, c.a_year_ago) for c in cells]
    if detector.prior_weight > 0:  # a street's level pulled towards its share of its district's
        topic_place: dict[tuple[str, str], list[int]] = {}
        streets: dict[tuple[str, ...], int] = Counter()
        districts: dict[str, int] = Counter()
        for c in cells:
            t = topic_place.setdefault((c.topic, c.place[0]), [0, 0])
            t[0] += c.before
            t[1] += c.a_year_ago
            streets[c.place] += c.before + c.a_year_ago
            districts[c.place[0]] += c.before + c.a_year_ago
        k = detector.prior_weight
        for i, c in enumerate(cells):
            share = streets[c.place] / districts[c.place[0]] if districts[c.place[0]] else 0.0
            prior = own(*topic_place[(c.topic, c.place[0])]) * share
            per_hour[i] = (per_hour[i] + k * prior) / (1 + k)
    at = [COUNTED_WINDOWS.index(w) for w in detector.windows]
    city: dict[tuple[str, int], list[float]] = {}
    for c, rate in zip(cells, per_hour, strict=True):
        for w, i in zip(detector.windows, at, strict=True):
            totals = city.setdefault((c.topic, w), [0.0, 0.0])
            totals[0] += c.counts[i]
            totals[1] += rate * w
    found: list[dict[str, Any]] = []
    for c, rate in zip(cells, per_hour, strict=True):
        best = None
        for w, i in zip(detector.windows, at, strict=True):
            n = c.counts[i]
            if n < detector.min_count:
                continue
            before = rate * w
            rest_now, rest_before = city[(c.topic, w)][0] - n, city[(c.topic, w)][1] - before
            season = max(1.0, rest_now / rest_before) if rest_before >= 1 else 1.0
            expected = before * season
            surprise = poisson_surprise(n, expected, detector.floor)
            if n >= detector.min_ratio * max(expected, 1.0) and surprise >= detector.min_surprise \
                    and (best is None or surprise > best[2]):
                best = (w, n, surprise, expected)
        if best is None:
            continue
        w, n, surprise, expected = best
        where = "".join(c.place)
        found.append({"topic": c.topic, "district": c.place[0], "street": c.place[1] if len(c.place) > 1 else None,
                      "count": n, "baseline": round(expected, 2), "score": round(surprise, 2), "window_hours": w,
                      "reason": f"{where} {c.topic.replace('/', ' › ')} 近{w}小时 {n}件，同期基线 {expected:.1f}件"})
    found.sort(key=lambda h: -h["score"])
    return found


def hotspots(end: dt.datetime | None = None, baseline_days: int = 28, min_count: int | None = None,
             min_ratio: float | None = None, min_surprise: float | None = None, limit: int = 20,
             street: bool = False, detector: Detector | None = None) -> list[dict]:
    """What is rising: topic × district (``street``: topic × street within its district) in the
    last hours against that place's own level (the higher of its last ``baseline_days`` and the
    same four weeks a year before, scaled to each window; a street's pulled towards its district's)
    and against the same topic in the rest of the city (a season that raises every district —
    heating in November — is not one place's jump). The thresholds are ``DISTRICT``'s or
    ``STREET``'s (``Detector``), or ``detector``'s, each one overridable by its argument."""
    end = end or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    chosen = detector or (STREET if street else DISTRICT)
    if min_count is not None:
        chosen = dataclasses.replace(chosen, min_count=min_count)
    if min_ratio is not None:
        chosen = dataclasses.replace(chosen, min_ratio=min_ratio)
    if min_surprise is not None:
        chosen = dataclasses.replace(chosen, min_surprise=min_surprise)
    found = score_cells(hotspot_cells(end, baseline_days, street), chosen, baseline_days)[:limit]
    with session_scope() as s:
        for h in found:
            since = end - dt.timedelta(hours=h["window_hours"])
            same = [WorkOrder.topic == h["topic"], WorkOrder.district == h["district"]]
            if street:
                same.append(WorkOrder.street == h["street"])
            h["numbers"] = list(s.execute(
                select(WorkOrder.number).where(*same, WorkOrder.created_at >= since, WorkOrder.created_at < end)
                .order_by(WorkOrder.created_at.desc()).limit(100)).scalars())
    return found


# ---------------------------------------------------------------- early warnings beyond the hot spots

CLUSTER_HOURS = 72  # a 集中反映 group warns while one of its orders is this recent (bot/orders/clusters.py)
SENSITIVE_HOURS = 24  # an order with a sensitive word warns while this recent (the job runs every minute)


def _citizen() -> ColumnElement:
    """Who filed an order as the database keeps it (the phone's or else the conversation's
    deterministic ciphertext, bot/store/crypto.py): equal for one citizen, never decrypted here."""
    return func.coalesce(type_coerce(WorkOrder.phone, Text), type_coerce(WorkOrder.sender_id, Text))


def _protected() -> ColumnElement:
    return or_(WorkOrder.confidential.is_(True), WorkOrder.request_type == "举报")


def _topic_label(topics: list[str | None]) -> str:
    named = Counter(t for t in topics if t)
    if not named:
        return "未分类"
    top = named.most_common(1)[0][0].replace("/", " › ")
    return top if len(named) == 1 else f"{top}等{len(named)}类事项"


def _place(rows: list[tuple[str | None, str | None]]) -> tuple[str, str | None]:
    """The most frequent district (and its most frequent street) of some orders."""
    districts = Counter(d for d, _st in rows if d)
    if not districts:
        return "", None
    district = districts.most_common(1)[0][0]
    streets = Counter(st for d, st in rows if d == district and st)
    return district, (streets.most_common(1)[0][0] if streets else None)


def clusters_reaching(end: dt.datetime | None = None, min_citizens: int = 5, limit: int = 50) -> list[dict]:
    """集中反映 groups (linked at filing by ``bot/orders/clusters.py``) that have reached
    ``min_citizens`` different citizens and had an order in the last ``CLUSTER_HOURS``."""
    end = end or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    since = end - dt.timedelta(hours=CLUSTER_HOURS)
    who = func.coalesce(_citizen(), WorkOrder.number)
    with session_scope() as s:
        active = select(WorkOrder.cluster).where(WorkOrder.created_at >= since, WorkOrder.created_at < end,
                                                 WorkOrder.cluster.is_not(None)).distinct()
        groups = s.execute(
            select(WorkOrder.cluster, func.count(func.distinct(who)), func.count())
            .where(WorkOrder.cluster.in_(active), WorkOrder.created_at < end)
            .group_by(WorkOrder.cluster).having(func.count(func.distinct(who)) >= min_citizens)
            .order_by(func.count(func.distinct(who)).desc()).limit(limit)).all()
        found = []
        for key, citizens, n in groups:
            rows = s.execute(select(WorkOrder.number, WorkOrder.topic, WorkOrder.district, WorkOrder.street)
                             .where(WorkOrder.cluster == key, WorkOrder.created_at < end)
                             .order_by(WorkOrder.created_at.desc()).limit(100)).all()
            district, street = _place([(d, st) for _n, _t, d, st in rows])
            topic = _topic_label([t for _n, t, _d, _st in rows])
            found.append({"key": str(key), "topic": Counter(t for _n, t, _d, _st in rows if t).most_common(1)[0][0]
                          if any(t for _n, t, _d, _st in rows) else "", "district": district, "street": street,
                          "count": int(citizens), "baseline": 0.0, "score": float(citizens),
                          "window_hours": CLUSTER_HOURS, "numbers": [r[0] for r in rows],
                          "reason": f"{district}{street or ''} 集中反映 {topic}：{int(citizens)}位市民反映同一事项，"
                                    f"共{int(n)}件（首件工单{key}）"})
    return found


def repeat_callers(end: dt.datetime | None = None, min_orders: int = 3, days: int = 7, limit: int = 50) -> list[dict]:
    """The same citizen (by phone, else conversation) filing ``min_orders`` or more orders within
    ``days``. Who it is never leaves the database: the warning's key is a keyed pseudonym of the
    stored ciphertext (``crypto.pseudonym``), its reason names the matter, not the person. A 举报
    or confidential order is neither counted nor listed: it must not be tied to its citizen's other
    orders."""
    end = end or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    since = end - dt.timedelta(days=days)
    who = _citizen()
    window = (WorkOrder.created_at >= since, WorkOrder.created_at < end, ~_protected())
    with session_scope() as s:
        groups = s.execute(select(who, func.count()).where(*window, who.is_not(None)).group_by(who)
                           .having(func.count() >= min_orders).order_by(func.count().desc()).limit(limit)).all()
        found = []
        for stored, n in groups:
            rows = s.execute(select(WorkOrder.number, WorkOrder.topic, WorkOrder.district, WorkOrder.street,
                                    WorkOrder.channel).where(*window, who == stored)
                             .order_by(WorkOrder.created_at.desc()).limit(100)).all()
            district, street = _place([(d, st) for _n, _t, d, st, _c in rows])
            topics = [t for _n, t, _d, _st, _c in rows]
            how = "来电" if all(c == "phone" for *_x, c in rows) else "反映"
            found.append({"key": pseudonym(str(stored)), "topic": Counter(t for t in topics if t).most_common(1)[0][0]
                          if any(topics) else "", "district": district, "street": street,
                          "count": int(n), "baseline": 0.0, "score": float(n), "window_hours": days * 24,
                          "numbers": [r[0] for r in rows],
                          "reason": f"同一市民{days}天内{how}{int(n)}次（{_topic_label(topics)}），请关注"})
    return found


def sensitive_orders(end: dt.datetime | None = None, hours: int = SENSITIVE_HOURS, limit: int = 100) -> list[dict]:
    """Orders of the last ``hours`` whose content held a sensitive word of the profile when filed
    (``WorkOrder.sensitive``, read by ``bot/language/sensitive.py``): one warning each."""
    end = end or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with session_scope() as s:
        rows = s.execute(select(WorkOrder.number, WorkOrder.sensitive, WorkOrder.topic, WorkOrder.district,
                                WorkOrder.street)
                         .where(WorkOrder.created_at >= end - dt.timedelta(hours=hours), WorkOrder.created_at < end,
                                WorkOrder.sensitive.is_not(None))
                         .order_by(WorkOrder.created_at.desc()).limit(limit)).all()
    return [{"key": number, "topic": topic or "", "district": district or "", "street": street, "count": 1,
             "baseline": 0.0, "score": 1.0, "window_hours": hours, "numbers": [number], "word": word,
             "reason": f"含敏感词「{word}」：{district or '（区县未填）'}{street or ''} {_topic_label([topic])}"
                       f"，工单{number}，请及时研判"}
            for number, word, topic, district, street in rows]


# ---------------------------------------------------------------- the units' evaluation (考核)

MEASURES = ("received", "signed", "answered", "on_time", "closed", "unsolved", "good", "basic", "bad", "unrated",
            "reopened", "terminated", "returns", "extensions", "upheld", "unreached")


def unit_measures(s, lo: dt.datetime, hi: dt.datetime) -> dict[str, dict[str, Any]]:
    """Per unit, the counts behind its evaluation for the orders dispatched to it in [lo, hi), in
    total and by topic (``topics``: topic -> the same counts, zeros left out): counted live
    (``rollup.py`` keeps them per day)."""
    d = _dialect(s)
    received = and_(WorkOrder.dispatched_at >= lo, WorkOrder.dispatched_at < hi, WorkOrder.unit.is_not(None))
    upheld = select(WorkOrderEvent.order_id).where(WorkOrderEvent.kind == "appeal_upheld")
    closed = WorkOrder.status == OrderStatus.CLOSED
    dissatisfied = and_(WorkOrder.rating == "不满意", WorkOrder.id.not_in(upheld))

    def count(condition) -> ColumnElement:
        return func.sum(case((condition, 1), else_=0))

    out: dict[str, dict[str, Any]] = {}

    def add(unit: str, topic: str | None, values: dict[str, int]) -> None:
        m = out.setdefault(unit, {**{k: 0 for k in MEASURES}, "topics": {}})
        part = m["topics"].setdefault(topic or "", {})
        for k, v in values.items():
            m[k] += v
            if v:
                part[k] = part.get(k, 0) + v

    for unit, topic, *values in s.execute(
            select(WorkOrder.unit, WorkOrder.topic, func.count(),
                   count(and_(WorkOrder.accepted_at.is_not(None),
                              _hours(WorkOrder.accepted_at, WorkOrder.dispatched_at, d) <= 24)),
                   count(WorkOrder.answered_at.is_not(None)),
                   count(and_(WorkOrder.answered_at.is_not(None),
                              _local_day(WorkOrder.answered_at, d) <= WorkOrder.deadline)),
                   count(closed), count(and_(closed, dissatisfied)), count(WorkOrder.rating == "满意"),
                   count(WorkOrder.rating == "基本满意"), count(WorkOrder.rating == "不满意"),
                   count(and_(closed, WorkOrder.rating.is_(None))), count(WorkOrder.reopened > 0),
                   count(WorkOrder.status == OrderStatus.TERMINATED))
            .where(received).group_by(WorkOrder.unit, WorkOrder.topic)).all():
        add(unit, topic, dict(zip(MEASURES[:12], (int(v or 0) for v in values), strict=True)))
    names = {"status": "returns", "extension": "extensions", "appeal_upheld": "upheld", "callback_unreached": "unreached"}
    for unit, topic, kind, n in s.execute(
            select(WorkOrder.unit, WorkOrder.topic, WorkOrderEvent.kind, func.count())
            .join(WorkOrder, WorkOrder.id == WorkOrderEvent.order_id)
            .where(received, WorkOrderEvent.kind.in_(tuple(names)),
                   or_(WorkOrderEvent.kind != "status", WorkOrderEvent.status_to == OrderStatus.RETURNED))
            .group_by(WorkOrder.unit, WorkOrder.topic, WorkOrderEvent.kind)).all():
        if unit in out:
            add(unit, topic, {names[kind]: int(n)})
    return out


def _add_measures(total: dict[str, dict[str, Any]], part: dict[str, dict[str, Any]]) -> None:
    for unit, m in part.items():
        t = total.setdefault(unit, {**{k: 0 for k in MEASURES}, "topics": {}})
        for k in MEASURES:
            t[k] += int(m.get(k) or 0)
        for topic, counts in (m.get("topics") or {}).items():
            into = t["topics"].setdefault(topic, {})
            for k, v in (counts if isinstance(counts, dict) else {"received": counts}).items():  # before 0024: a count
                into[k] = into.get(k, 0) + int(v)


def _evaluated(m: dict[str, Any]) -> dict[str, Any]:
    """The rates and counts of one set of measures (a unit's, or a unit's in one topic)."""
    def get(k: str) -> int:
        return int(m.get(k) or 0)

    n, good, basic, bad = get("received"), get("good"), get("basic"), get("bad")
    rated = good + basic + bad
    return {
        "received": n, "signed_in_time": _rate(get("signed"), n), "answered": get("answered"),
        "on_time": _rate(get("on_time"), get("answered")), "closed": get("closed"),
        "solved": _rate(get("closed") - get("unsolved"), get("closed")), "rated": rated,
        "rated_share": _rate(rated, get("closed")), "satisfied_share": _rate(good + basic, rated),
        "satisfaction": round((100 * good + 80 * basic) / rated, 1) if rated else None,
        "ratings": {"满意": good, "基本满意": basic, "不满意": bad},
        "returns": get("returns"), "extensions": get("extensions"), "terminated": get("terminated"),
        "reopened": get("reopened"), "not_rated": get("unrated"), "callbacks_unreached": get("unreached"),
        "appeals_upheld": get("upheld"),
    }


def _ranked(rows: list[dict[str, Any]], min_orders: int) -> list[dict[str, Any]]:
    """Rows with ``min_orders`` or more ranked by their score (the mean of 签收及时率, 按期办结率,
    解决率 and 满意率 they have), the others after them, listed, not ranked."""
    for r in rows:
        r["ranked"] = r["received"] >= min_orders
        parts = [r[k] for k in ("signed_in_time", "on_time", "solved", "satisfied_share") if r[k] is not None]
        r["score"] = round(100 * sum(parts) / len(parts), 1) if parts and r["ranked"] else None
    ranked = sorted((r for r in rows if r["ranked"]), key=lambda r: -(r["score"] or 0))
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
    others = sorted((r for r in rows if not r["ranked"]), key=lambda r: -r["received"])
    for r in others:
        r["rank"] = None
    return ranked + others


def units(p: Period, min_orders: int = 10) -> dict[str, Any]:
    """Per unit, the orders it received in the period (dispatched to it then) and how it dealt
    with them; ranked only among units with at least ``min_orders``. Difficulty is not hidden:
    each unit's figures by topic (大类) with the same rates (``topics``), and for each topic the
    units ranked among those with at least ``min_orders`` in it (``by_topic_ranking``).
    Rolled-up days come from the roll-up, the rest are counted live."""
    days = [p.start + dt.timedelta(days=i) for i in range(p.days)]
    done = rollup.rolled(days)
    measures: dict[str, dict[str, Any]] = {}
    with session_scope() as s:
        d = _dialect(s)
        if done:
            _add_measures(measures, rollup.unit_days(s, sorted(done)))
        for lo_day, hi_day in _runs([day for day in days if day not in done]):
            _add_measures(measures, unit_measures(s, *Period(lo_day, hi_day).utc()))
        lo, hi = p.utc()
        overdue = dict(s.execute(  # open and late today: not kept in the roll-up, it changes every day
            select(WorkOrder.unit, func.count())
            .where(WorkOrder.dispatched_at >= lo, WorkOrder.dispatched_at < hi, WorkOrder.unit.is_not(None),
                   WorkOrder.status.in_(OrderStatus.RUNNING),
                   WorkOrder.deadline < _local_day(func.current_timestamp(), d))
            .group_by(WorkOrder.unit)).all())
    table = []
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for unit, m in measures.items():
        topics: dict[str, dict[str, int]] = {}
        for topic, counts in m["topics"].items():
            into = topics.setdefault(_label("topic", topic or None), {})
            for k, v in counts.items():
                into[k] = into.get(k, 0) + v
        rows = []
        for topic, counts in sorted(topics.items(), key=lambda kv: -int(kv[1].get("received") or 0)):
            row = {"topic": topic, **_evaluated(counts), "ranked": int(counts.get("received") or 0) >= min_orders}
            rows.append(row)
            by_topic.setdefault(topic, []).append({"unit": unit, **_evaluated(counts)})
        table.append({
            "unit": unit, **_evaluated(m), "overdue_open": int(overdue.get(unit, 0)),
            "by_topic": {r["topic"]: r["received"] for r in rows}, "topics": rows,
        })
    return {**p.as_dict(), "min_orders": min_orders, "units": _ranked(table, min_orders),
            "by_topic_ranking": {topic: _ranked(rows, min_orders)
                                 for topic, rows in sorted(by_topic.items(), key=lambda kv: -sum(r["received"] for r in kv[1]))}}


def _rate(part: Any, whole: Any) -> float | None:
    return round(float(part or 0) / float(whole), 4) if whole else None
