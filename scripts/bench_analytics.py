"""研判 benchmarks (issue 23): query times on a store filled by ``scripts.simulate_orders``, and the
hot-spot detector on its planted bursts.

    .venv/bin/python -m scripts.simulate_orders --orders 100000 --db-url sqlite:///var/sim.db --bursts var/bursts.json
    .venv/bin/python -m scripts.bench_analytics --db-url sqlite:///var/sim.db --bursts var/bursts.json

Query times: every analytics call the dashboard makes, 15 runs each after one warm-up, p50/p95.
Hot spots: for each planted burst the detector is run 1, 2, 3, 4, 5, 6, 9, 12, 18, 24, 36 and 48
hours after its start, until its topic and district are flagged (the delay); false warnings are
the distinct topic × district cells flagged on calm weeks (defined below), the
detector run every six hours as the periodic job would, per week for the whole city.
Street hot spots: the same for the planted street bursts (topic × street within its district) and
the distinct street cells flagged on calm weeks. Repeat callers: each planted citizen looked for
one minute after each of their orders from the third on (the job runs every minute; a 举报 is never
counted, so a citizen with one among the first three is found at the next order), and the citizens
not planted that reach the threshold by chance on the calm weeks, checked daily. Calm weeks: no
planted burst (of a district or a street) from four days before the week to its end. (集中反映 groups and sensitive words
need real words: the unit tests cover them, this generated year does not.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from pathlib import Path

CHECK_HOURS = (1, 2, 3, 4, 5, 6, 9, 12, 18, 24, 36, 48)
CHINA = dt.timedelta(hours=8)


def timed(fn, runs: int = 15) -> dict[str, float]:  # type: ignore[no-untyped-def]
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}


def calm_weeks(planted: dict, most: int) -> list[dt.datetime]:
    """The latest ``most`` weeks (their starts, UTC) with no planted burst of a district or a street
    from four days before the week to its end."""
    end = dt.date.fromisoformat(planted["end"])
    starts = [dt.datetime.fromisoformat(b["start"]) for b in [*planted["bursts"], *(planted.get("street_bursts") or [])]]
    calm: list[dt.datetime] = []
    week = dt.datetime.combine(end, dt.time()) - CHINA - dt.timedelta(days=7)
    while len(calm) < most and week > dt.datetime.combine(end, dt.time()) - dt.timedelta(days=330):
        if not any(week - dt.timedelta(days=4) <= s0 < week + dt.timedelta(days=7) for s0 in starts):
            calm.append(week)
        week -= dt.timedelta(days=7)
    return calm


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--bursts", default="var/bursts.json")
    ap.add_argument("--calm-weeks", type=int, default=8)
    ap.add_argument("--queries-only", action="store_true", help="only the query times")
    args = ap.parse_args(argv)
    os.environ["HOTLINE_DB_URL"] = args.db_url
    from bot.analytics import queries as q
    from bot.store.db import session_scope
    from bot.store.models import WorkOrder

    planted = json.loads(Path(args.bursts).read_text(encoding="utf-8"))
    end = dt.date.fromisoformat(planted["end"])
    month = q.period((end - dt.timedelta(days=29)).isoformat(), end.isoformat())
    year = q.period((end - dt.timedelta(days=364)).isoformat(), end.isoformat())
    with session_scope() as s:
        from sqlalchemy import func, select

        total = s.execute(select(func.count()).select_from(WorkOrder)).scalar_one()
        dialect = s.get_bind().dialect.name
    now = dt.datetime.combine(end, dt.time(12)) - q.CHINA
    out: dict = {"store": dialect, "orders": total, "queries": {
        "summary: 30 days by day, by district": timed(lambda: q.summary(month, "day", "district")),
        "summary: a year by month, by topic": timed(lambda: q.summary(year, "month", "topic")),
        "summary: a year by week, by unit": timed(lambda: q.summary(year, "week", "unit")),
        "summary: a year by month, by street": timed(lambda: q.summary(year, "month", "street")),
        "units: 30 days": timed(lambda: q.units(month)),
        "units: a year": timed(lambda: q.units(year), runs=5),
        "hotspots: now": timed(lambda: q.hotspots(now)),
        "orders behind a figure: a district, 30 days": timed(lambda: q.orders(month, {"district": "铁东区"}, 200)),
        "street hot spots: now": timed(lambda: q.hotspots(now, street=True)),
        "集中反映 groups reaching 5: now": timed(lambda: q.clusters_reaching(now, 5)),
        "repeat callers (3 in 7 days): now": timed(lambda: q.repeat_callers(now)),
        "sensitive orders: last 24 h": timed(lambda: q.sensitive_orders(now)),
    }}
    if args.queries_only:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    delays, found = [], 0
    per_burst = []
    for b in planted["bursts"]:
        start = dt.datetime.fromisoformat(b["start"])
        hit = None
        for h in CHECK_HOURS:
            spots = q.hotspots(start + dt.timedelta(hours=h))
            if any(x["topic"] == b["topic"] and x["district"] == b["district"] for x in spots):
                hit = h
                break
        per_burst.append({**{k: b[k] for k in ("topic", "district", "factor", "planted", "baseline_48h")}, "found_after_h": hit})
        if hit is not None:
            found += 1
            delays.append(hit)
    calm = calm_weeks(planted, args.calm_weeks)
    false_per_week = []
    for w in calm:
        cells = set()
        for k in range(28):  # every six hours for a week
            for x in q.hotspots(w + dt.timedelta(hours=6 * k)):
                cells.add((x["topic"], x["district"]))
        false_per_week.append(len(cells))
    big = [b for b in per_burst if b["factor"] >= 5]
    out["hotspots"] = {
        "bursts": len(per_burst), "found": found,
        "found_within_6h_of_5x_or_more": f"{sum(1 for b in big if b['found_after_h'] is not None and b['found_after_h'] <= 6)} of {len(big)}",
        "median_delay_h": statistics.median(delays) if delays else None,
        "false_warnings_per_calm_week": {"weeks": len(false_per_week),
                                         "mean": round(statistics.mean(false_per_week), 2) if false_per_week else None,
                                         "max": max(false_per_week) if false_per_week else None},
        "per_burst": per_burst,
    }
    out["street_hotspots"] = _streets(q, planted, calm)
    out["repeat_callers"] = _repeaters(q, planted, calm)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


def _streets(q, planted: dict, calm: list[dt.datetime]) -> dict:  # type: ignore[no-untyped-def]
    """The planted street bursts: found, delay; false street warnings per calm week."""
    per_burst, delays = [], []
    for b in planted.get("street_bursts") or []:
        start, hit = dt.datetime.fromisoformat(b["start"]), None
        for h in CHECK_HOURS:
            if any((x["topic"], x["district"], x["street"]) == (b["topic"], b["district"], b["street"])
                   for x in q.hotspots(start + dt.timedelta(hours=h), street=True)):
                hit = h
                break
        per_burst.append({**{k: b[k] for k in ("topic", "district", "street", "factor", "planted", "baseline_48h")},
                          "in_first_6h": _orders_in(b, start, 6), "found_after_h": hit})
        if hit is not None:
            delays.append(hit)
    false_per_week = []
    for w in calm:
        cells = set()
        for k in range(28):
            for x in q.hotspots(w + dt.timedelta(hours=6 * k), street=True):
                cells.add((x["topic"], x["district"], x["street"]))
        false_per_week.append(len(cells))
    big = [b for b in per_burst if b["factor"] >= 5]
    three = [b for b in big if b["in_first_6h"] >= 3]
    return {"bursts": len(per_burst), "found": len(delays),
            "found_within_6h_of_5x_or_more": f"{sum(1 for b in big if (b['found_after_h'] or 99) <= 6)} of {len(big)}",
            # a street's topic that hears fewer than 3 orders in the burst's first 6 hours cannot be told from chance
            "of_those_with_3_orders_in_6h": f"{sum(1 for b in three if (b['found_after_h'] or 99) <= 6)} of {len(three)}",
            "median_delay_h": statistics.median(delays) if delays else None,
            "false_warnings_per_calm_week": {"weeks": len(false_per_week),
                                             "mean": round(statistics.mean(false_per_week), 2) if false_per_week else None,
                                             "max": max(false_per_week) if false_per_week else None},
            "per_burst": per_burst}


def _orders_in(b: dict, start: dt.datetime, hours: int) -> int:
    """The orders of a street burst's topic and street in its first ``hours`` (planted or not)."""
    from sqlalchemy import func, select

    from bot.store.db import session_scope
    from bot.store.models import WorkOrder

    with session_scope() as s:
        return int(s.execute(select(func.count()).where(
            WorkOrder.topic == b["topic"], WorkOrder.district == b["district"], WorkOrder.street == b["street"],
            WorkOrder.created_at >= start, WorkOrder.created_at < start + dt.timedelta(hours=hours))).scalar_one())


def _repeaters(q, planted: dict, calm: list[dt.datetime]) -> dict:  # type: ignore[no-untyped-def]
    """The planted repeat callers: found a minute after which of their orders; chance ones per calm week."""
    at_order: list[int | None] = []
    planted_numbers = set()
    for r in planted.get("repeaters") or []:
        planted_numbers.update(r["numbers"])
        hit = None
        for i, t in enumerate(r["times"][2:], 3):
            at = dt.datetime.fromisoformat(t) + dt.timedelta(minutes=1)
            if any(len(set(r["numbers"]) & set(x["numbers"])) >= 3 for x in q.repeat_callers(at)):
                hit = i
                break
        at_order.append(hit)
    chance = []
    for w in calm:
        keys = set()
        for k in range(1, 8):
            keys.update(x["key"] for x in q.repeat_callers(w + dt.timedelta(days=k))
                        if not set(x["numbers"]) & planted_numbers)
        chance.append(len(keys))
    return {"planted": len(at_order), "found": sum(1 for h in at_order if h),
            "found_a_minute_after_the_third_order": sum(1 for h in at_order if h == 3),
            "found_later": {str(h): at_order.count(h) for h in sorted({h for h in at_order if h and h > 3})},
            "chance_repeat_callers_per_calm_week": {"weeks": len(chance),
                                                    "mean": round(statistics.mean(chance), 2) if chance else None,
                                                    "max": max(chance) if chance else None}}


if __name__ == "__main__":
    raise SystemExit(main())
