"""Fill a store with a realistic year of a city's work orders, for 研判 (issue 23): the dashboard,
the benchmarks and the hot-spot detector are tried on it.

    .venv/bin/python -m scripts.simulate_orders --orders 100000 [--db-url URL] [--profile anshan]
        [--end 2026-12-01] [--seed 1] [--bursts var/bursts.json]

What it makes: orders over the 365 days before ``--end`` with weekdays busier than weekends, the
seasons (heating from November to March, noise and barbecue smoke in summer, snow in winter),
districts weighted by size, the topic catalogue's topics with the catalogue's units, channels and
request types in hotline proportions, and each order's life as events (dispatched, signed for,
answered, closed, rated) with units of different habits (some slow, some often rated 不满意). On
top, **planted bursts**: a topic in one district jumping to several times its level for 48 hours
(3x to 12x, and never fewer than 15 extra orders: a burst people would notice; front-loaded, as
calls come when something breaks); they are written to ``--bursts`` (JSON) for the hot-spot
benchmark. For the early warnings below the district: each district's streets (the profile's list,
else generated names) carry most orders, with **planted street bursts** (a topic in one street at
3x to 12x its level for 48 hours, never fewer than 8 orders); phone orders come from a population of
citizens (some call again by chance) and **planted repeat callers** file 3 to 6 orders within a few
days. Streets, phones and these plantings draw from a random stream of their own, so the district
year of a seed is the one earlier benchmarks measured.

Orders are numbered ``SM-YYYYMMDD-NNNN`` (a prefix no city uses) and keyed ``sim-…``, so they never
collide with real ones; ``--clear`` removes earlier simulated orders first. Inserts go in batches
of 5,000 through SQLAlchemy Core; about 20 s per 100,000 orders on SQLite on this machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
import time
from pathlib import Path

from sqlalchemy import delete, func, insert, select, text

from bot.analytics import rollup
from bot.orders.suggest import load_catalogue
from bot.orders.topics import catalogue as topic_catalogue
from bot.profile import load_profile
from bot.store.db import migrate, session_scope
from bot.store.models import OrderStatus, WorkOrder, WorkOrderEvent

CHINA = dt.timedelta(hours=8)
CHANNELS = (("phone", 0.55), ("wechat", 0.25), ("web", 0.15), ("rest", 0.05))
TYPES = (("投诉", 0.38), ("求助", 0.27), ("咨询", 0.22), ("建议", 0.06), ("举报", 0.07))
# Topic (大类 or 大类/小类) -> month weights (1..12): what the seasons do to a city's hotline.
SEASONS = {
    "公用事业/供暖": [3.0, 2.2, 1.4, 0.6, 0.1, 0.1, 0.1, 0.1, 0.2, 1.0, 3.5, 3.8],
    "生态环境/噪声": [0.7, 0.7, 0.9, 1.0, 1.3, 1.5, 1.6, 1.6, 1.2, 1.0, 0.8, 0.7],
    "生态环境/大气污染": [0.8, 0.8, 0.9, 1.0, 1.2, 1.4, 1.5, 1.5, 1.2, 1.0, 0.9, 0.8],
    "城市管理/市容环境卫生": [1.3, 1.3, 1.0, 1.0, 1.0, 1.1, 1.1, 1.1, 1.0, 1.0, 1.1, 1.4],
    "公用事业/供水": [0.9, 0.9, 0.9, 1.0, 1.1, 1.3, 1.4, 1.4, 1.1, 1.0, 0.9, 0.9],
    "教育/招生入学": [0.5, 0.6, 0.8, 1.0, 1.4, 2.0, 2.2, 2.0, 1.5, 0.6, 0.5, 0.5],
}
# Streets for a profile that lists none: common names of 街道 in Chinese cities (generated, not a city's).
STREET_NAMES = ("胜利街道", "园林街道", "站前街道", "和平街道", "建设街道", "向阳街道", "新华街道", "光明街道", "东风街道",
                "友谊街道", "解放街道", "人民街道", "文化街道", "钢城街道", "新兴街道", "红旗街道")
WEEKDAY = [1.15, 1.1, 1.08, 1.05, 1.0, 0.75, 0.65]
HOURS = [0.15, 0.1, 0.08, 0.07, 0.08, 0.15, 0.4, 0.9, 1.5, 1.8, 1.8, 1.6,
         1.3, 1.4, 1.6, 1.6, 1.5, 1.3, 1.1, 1.0, 0.9, 0.7, 0.45, 0.25]


def _pick(rng: random.Random, pairs) -> str:  # type: ignore[no-untyped-def]
    x, acc = rng.random(), 0.0
    for value, w in pairs:
        acc += w
        if x <= acc:
            return value
    return pairs[-1][0]


def _season(topic: str, month: int) -> float:
    return SEASONS.get(topic, SEASONS.get(topic.split("/")[0], [1.0] * 12))[month - 1]


def plan_days(rng: random.Random, end: dt.date, orders: int) -> list[tuple[dt.date, int]]:
    """How many orders each of the 365 days gets (weekdays, a mild yearly wave)."""
    days = [end - dt.timedelta(days=i) for i in range(365, 0, -1)]
    weights = [WEEKDAY[d.weekday()] * (1.0 + 0.15 * math.sin(2 * math.pi * d.timetuple().tm_yday / 365)) for d in days]
    total = sum(weights)
    counts = [int(orders * w / total) for w in weights]
    for i in rng.sample(range(len(days)), orders - sum(counts)):
        counts[i] += 1
    return list(zip(days, counts, strict=True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--db-url", default=None, help="the store (default: HOTLINE_DB_URL or the local SQLite)")
    ap.add_argument("--profile", default="anshan")
    ap.add_argument("--end", default=None, help="the last day (YYYY-MM-DD; default: yesterday, China time)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bursts", default="var/bursts.json", help="where the planted bursts are written")
    ap.add_argument("--burst-count", type=int, default=24)
    ap.add_argument("--street-bursts", type=int, default=24)
    ap.add_argument("--repeaters", type=int, default=30, help="planted repeat callers")
    ap.add_argument("--clear", action="store_true", help="remove simulated orders first")
    args = ap.parse_args(argv)
    if not 1 <= args.orders <= 5_000_000:
        print("--orders: 1 to 5,000,000", file=sys.stderr)
        return 2
    if args.db_url:
        import os

        os.environ["HOTLINE_DB_URL"] = args.db_url
    migrate()
    profile = load_profile(args.profile)
    rng = random.Random(args.seed)
    end = dt.date.fromisoformat(args.end) if args.end else (dt.datetime.now(dt.timezone.utc) + CHINA).date() - dt.timedelta(days=1)
    topics = [t for t in topic_catalogue(profile) if t.key != "其他/其他"]
    unit_names = [u.name for u in load_catalogue(profile)] or ["市城市管理综合行政执法局"]
    topic_unit = {t.key: next((u for u in unit_names if any(part and part in u for part in t.units)), None) for t in topics}
    districts = list(profile.districts)
    district_w = [1.0 / (1 + 0.35 * i) for i in range(len(districts))]
    # Units' habits: how fast they sign, how often late, how citizens rate them.
    habits = {u: (rng.uniform(2, 30), rng.uniform(0.02, 0.25), rng.uniform(0.03, 0.25)) for u in unit_names}
    started = time.perf_counter()
    with session_scope() as s:
        if args.clear:
            # by number: the idempotency key is encrypted (bot/store/crypto.py), the number is not
            sim = select(WorkOrder.id).where(WorkOrder.number.like("SM-%"))
            s.execute(delete(WorkOrderEvent).where(WorkOrderEvent.order_id.in_(sim)))
            s.execute(delete(WorkOrder).where(WorkOrder.number.like("SM-%")))
        next_id = (s.execute(select(func.max(WorkOrder.id))).scalar() or 0) + 1
        next_event = (s.execute(select(func.max(WorkOrderEvent.id))).scalar() or 0) + 1
        used = s.execute(select(func.count()).where(WorkOrder.number.like("SM-%"))).scalar_one()
    if used:
        print(f"the store holds {used} simulated orders already: add --clear to replace them", file=sys.stderr)
        return 2
    bursts = []
    days = plan_days(rng, end, args.orders)
    burst_days = rng.sample(range(30, 360), args.burst_count)
    common = [t.key for t in sorted(topics, key=lambda t: -sum(_season(t.key, m) for m in range(1, 13)))]
    for i, day_index in enumerate(sorted(burst_days)):
        # Half the bursts on everyday topics in the big districts, half anywhere: what a water main
        # breaking in a street, or a school's fees, does to the calls.
        topic = rng.choice(topics).key if i % 2 else rng.choice(common[:15])
        bursts.append({"topic": topic, "district": rng.choice(districts[:3] if i % 2 == 0 else districts[:8]),
                       "factor": [3, 5, 8, 12][i % 4],
                       "start": (dt.datetime.combine(days[day_index][0], dt.time(rng.randint(0, 23))) - CHINA).isoformat()})
    # Streets, citizens and the street and repeat plantings: a random stream of their own.
    srng = random.Random(args.seed * 7919 + 1)
    streets = {d: list(profile.streets.get(d) or ()) or srng.sample(STREET_NAMES, srng.randint(4, 8)) for d in districts}
    street_w = {d: [1.0 / (1 + 0.5 * i) for i in range(len(names))] for d, names in streets.items()}
    population = max(1000, 2 * args.orders)
    orders, events, seq = [], [], used
    per_day: dict[dt.date, int] = {}

    def add(created: dt.datetime, topic: str, district: str, street: str | None = "", phone: str | None = None) -> str:
        nonlocal next_id, next_event, seq
        if street == "":  # most orders name their street
            street = srng.choices(streets[district], street_w[district])[0] if srng.random() < 0.8 else None
        local_day = (created + CHINA).date()
        per_day[local_day] = per_day.get(local_day, 0) + 1
        seq += 1
        unit = topic_unit.get(topic) or rng.choice(unit_names)
        sign_h, late_p, bad_p = habits.get(unit, (8, 0.1, 0.1))
        age = (dt.datetime.combine(end, dt.time()) - created).days
        channel, kind = _pick(rng, CHANNELS), _pick(rng, TYPES)
        deadline = (created + CHINA + dt.timedelta(days=7)).date()
        if phone is not None:
            channel = "phone"
        elif channel == "phone":
            phone = f"139{srng.randrange(population):08d}"
        row = {"id": next_id, "number": f"SM-{local_day:%Y%m%d}-{per_day[local_day]:04d}", "status": OrderStatus.PENDING,
               "request_type": kind, "content": f"{district}{topic.split('/')[-1]}问题", "district": district,
               "address": f"{district}{street}某小区" if street else f"{district}某路", "street": street,
               "phone": phone, "sensitive": None, "confidential": kind == "举报", "wants_reply": True,
               "channel": channel, "sender_id": None if channel == "phone" else f"sim-{seq}", "profile": profile.key,
               "unit": None, "created_at": created, "deadline": deadline, "first_deadline": deadline,
               "idempotency_key": f"sim-{seq}", "dispatched_at": None, "reopened": 0, "topic": topic,
               "rating": None, "result": None, "accepted_at": None, "answered_at": None}
        ev = [("status", None, OrderStatus.PENDING, created, "bot")]
        if age >= 1 or rng.random() < 0.7:
            at = created + dt.timedelta(minutes=rng.randint(5, 180))
            row.update(unit=unit, dispatched_at=at, status=OrderStatus.DISPATCHED)
            ev.append(("status", OrderStatus.PENDING, OrderStatus.DISPATCHED, at, "智能派单"))
            signed = at + dt.timedelta(hours=rng.expovariate(1 / sign_h))
            if age >= 2:
                row["status"], row["accepted_at"] = OrderStatus.IN_PROGRESS, signed
                ev.append(("status", OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS, signed, unit))
                late = rng.random() < late_p
                answered = signed + dt.timedelta(days=rng.uniform(7.5, 12) if late else rng.uniform(0.3, 6.5))
                if age >= 8 or answered < dt.datetime.combine(end, dt.time()):
                    row["answered_at"] = answered
                    ev.append(("status", OrderStatus.IN_PROGRESS, OrderStatus.REVIEWING, answered, unit))
                    closed = answered + dt.timedelta(hours=rng.uniform(2, 30))
                    ev.append(("status", OrderStatus.REVIEWING, OrderStatus.CLOSED, closed, "console:审核"))
                    row.update(status=OrderStatus.CLOSED, result="已处理")
                    r = rng.random()
                    if r < 0.7:
                        row["rating"] = "不满意" if rng.random() < bad_p else ("满意" if rng.random() < 0.8 else "基本满意")
                        ev.append(("rating", OrderStatus.CLOSED, OrderStatus.CLOSED,
                                   closed + dt.timedelta(hours=rng.uniform(1, 40)), "citizen"))
                    elif r < 0.76:
                        ev.append(("callback_unreached", OrderStatus.CLOSED, OrderStatus.CLOSED,
                                   closed + dt.timedelta(days=3), "console:回访"))
        orders.append(row)
        for kind_, frm, to, at, actor in ev:
            events.append({"id": next_event, "order_id": next_id, "at": at, "actor": actor, "status_from": frm,
                           "status_to": to, "note": None, "kind": kind_})
            next_event += 1
        next_id += 1
        return str(row["number"])

    weights_by_month = {m: [_season(t.key, m) for t in topics] for m in range(1, 13)}
    for day, count in days:
        for _ in range(count):
            hour = rng.choices(range(24), HOURS)[0]
            created = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59), rng.randint(0, 59))) - CHINA
            topic = rng.choices(topics, weights_by_month[day.month])[0].key
            add(created, topic, rng.choices(districts, district_w)[0])
        if len(orders) >= 5000:
            _flush(orders, events)
    # The bursts: a topic in one district at ``factor`` times its expected 48-hour level.
    for b in bursts:
        start = dt.datetime.fromisoformat(b["start"])
        month = (start + CHINA).month
        t_index = [t.key for t in topics].index(b["topic"])
        share = weights_by_month[month][t_index] / sum(weights_by_month[month])
        d_share = district_w[districts.index(b["district"])] / sum(district_w)
        base = args.orders / 365 * 2 * share * d_share
        extra = max(15, round(base * (b["factor"] - 1)))  # a burst people notice: 15 orders or more
        b["baseline_48h"], b["planted"] = round(base, 2), extra
        for _ in range(extra):  # front-loaded, as calls come when something breaks (mean 10 h)
            hours = rng.expovariate(1 / 10)
            while hours >= 48:
                hours = rng.expovariate(1 / 10)
            add(start + dt.timedelta(hours=hours), b["topic"], b["district"])
    # Street bursts: a topic in one street at ``factor`` times its expected 48-hour level.
    street_bursts = []
    for i, day_index in enumerate(sorted(srng.sample(range(30, 360), args.street_bursts))):
        district = srng.choice(districts[:3] if i % 2 == 0 else districts[:8])
        names = streets[district]
        street = srng.choice(names)
        topic = srng.choice(topics).key if i % 2 else srng.choice(common[:15])
        start = dt.datetime.combine(days[day_index][0], dt.time(srng.randint(0, 23))) - CHINA
        share = weights_by_month[(start + CHINA).month][[t.key for t in topics].index(topic)] / \
            sum(weights_by_month[(start + CHINA).month])
        s_share = 0.8 * street_w[district][names.index(street)] / sum(street_w[district])
        base = args.orders / 365 * 2 * share * district_w[districts.index(district)] / sum(district_w) * s_share
        factor = [3, 5, 8, 12][i % 4]
        extra = max(8, round(base * (factor - 1)))  # a street's burst people notice: 8 orders or more
        for _ in range(extra):
            hours = srng.expovariate(1 / 10)
            while hours >= 48:
                hours = srng.expovariate(1 / 10)
            add(start + dt.timedelta(hours=hours), topic, district, street)
        street_bursts.append({"topic": topic, "district": district, "street": street, "factor": factor,
                              "start": start.isoformat(), "baseline_48h": round(base, 3), "planted": extra})
    # Repeat callers: one citizen (a phone of their own) filing 3 to 6 orders within a few days.
    repeaters = []
    for i in range(args.repeaters):
        day = days[srng.randrange(30, 358)][0]
        count, span = 3 + i % 4, srng.uniform(1, 6)
        topic, district = srng.choice(common[:15]), srng.choice(districts)
        times = sorted(dt.datetime.combine(day, dt.time(8)) - CHINA + dt.timedelta(days=srng.uniform(0, span))
                       for _ in range(count))
        numbers = [add(t, topic, district, phone=f"138{i:08d}") for t in times]
        repeaters.append({"orders": count, "numbers": numbers, "times": [t.isoformat() for t in times],
                          "span_days": round((times[-1] - times[0]).total_seconds() / 86400, 2)})
    _flush(orders, events)
    with session_scope() as s:  # PostgreSQL's id sequences past the ids given here, and fresh statistics
        if s.get_bind().dialect.name == "postgresql":
            for table in ("work_orders", "work_order_events"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
                s.execute(text(f"ANALYZE {table}"))
    rolled_at = time.perf_counter()
    rollup.refresh({day for day, _count in days} | {(dt.datetime.fromisoformat(b["start"]) + CHINA + dt.timedelta(days=k)).date()
                                                    for b in [*bursts, *street_bursts] for k in range(3)})
    print(f"roll-up of {len(days)} days in {time.perf_counter() - rolled_at:.1f} s", file=sys.stderr)
    Path(args.bursts).parent.mkdir(parents=True, exist_ok=True)
    Path(args.bursts).write_text(json.dumps({"end": end.isoformat(), "orders": args.orders, "bursts": bursts,
                                             "street_bursts": street_bursts, "repeaters": repeaters},
                                            ensure_ascii=False, indent=1), encoding="utf-8")
    total = args.orders + sum(b["planted"] for b in [*bursts, *street_bursts]) + sum(r["orders"] for r in repeaters)
    print(f"{total} orders ({len(bursts)} bursts, {len(street_bursts)} street bursts, {len(repeaters)} repeat callers "
          f"planted) in {time.perf_counter() - started:.1f} s; plantings in {args.bursts}")
    return 0


def _flush(orders: list[dict], events: list[dict]) -> None:
    if not orders:
        return
    with session_scope() as s:
        s.execute(insert(WorkOrder.__table__), orders)
        if events:
            s.execute(insert(WorkOrderEvent.__table__), events)
    orders.clear()
    events.clear()


if __name__ == "__main__":
    raise SystemExit(main())
