"""Choose the hot spots' thresholds (``queries.DISTRICT`` or ``queries.STREET``) on a generated
year: every candidate scored on the same counts, so a grid costs one pass over the store.

    .venv/bin/python -m scripts.simulate_orders --orders 100000 --seed 1 --db-url sqlite:///var/tune1.db --bursts var/tune1.json
    .venv/bin/python -m scripts.tune_hotspots --place district --db-url sqlite:///var/tune1.db --bursts var/tune1.json

For each planted burst of the place (``bursts`` for districts, ``street_bursts`` for streets) the
counts are taken 1, 2, 3, 4, 5, 6, 9, 12, 18, 24, 36 and 48 hours after its start, and every six
hours on the calm weeks (as ``scripts.bench_analytics`` does); each candidate ``Detector`` then
scores them: the ≥ 5× bursts found within 6 hours, all bursts found within 48 hours, and the
distinct cells flagged per calm week, of the place alone and of the whole city (the other place's
cells flagged by its detector in ``queries``, unchanged). ``--explain`` prints, for each ≥ 5×
burst, its cell's orders 1–6 hours after its start and the most any threshold could read from
them (the count, what was expected, the surprise), and how many calm-week cells read as much.
Tune on one seed, report on another (``scripts.bench_analytics``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import statistics
from pathlib import Path

from scripts.bench_analytics import CHECK_HOURS, calm_weeks

EARLY = 6  # the goal: a ≥ 5x burst found within this many hours of its start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--bursts", required=True)
    ap.add_argument("--place", choices=("district", "street"), default="street")
    ap.add_argument("--calm-weeks", type=int, default=8)
    ap.add_argument("--min-count", default="3,4,5")
    ap.add_argument("--min-surprise", default="4.5,5,5.5,6,6.5")
    ap.add_argument("--min-ratio", default="3")
    ap.add_argument("--prior-weight", default="0,0.5,1,2")
    ap.add_argument("--windows", default="6-24-48,3-6-24-48")
    ap.add_argument("--floor", default="0.05")
    ap.add_argument("--explain", action="store_true", help="why each >= 5x burst is or is not found within 6 h")
    args = ap.parse_args(argv)
    os.environ["HOTLINE_DB_URL"] = args.db_url
    from bot.analytics import queries as q

    street = args.place == "street"
    planted = json.loads(Path(args.bursts).read_text(encoding="utf-8"))
    bursts = planted.get("street_bursts" if street else "bursts") or []
    at_bursts = [[q.hotspot_cells(dt.datetime.fromisoformat(b["start"]) + dt.timedelta(hours=h), street=street)
                  for h in CHECK_HOURS] for b in bursts]
    calm = calm_weeks(planted, args.calm_weeks)
    at_calm = [[q.hotspot_cells(w + dt.timedelta(hours=6 * k), street=street) for k in range(28)] for w in calm]
    other = q.DISTRICT if street else q.STREET  # the other place's cells, flagged as the product flags them
    other_flagged = [len({(x["topic"], x["district"], x["street"]) for k in range(28)
                          for x in q.score_cells(q.hotspot_cells(w + dt.timedelta(hours=6 * k), street=not street),
                                                 other)[:20]}) for w in calm]

    def cell_of(b: dict) -> tuple:
        return (b["topic"], b["district"], b["street"] if street else None)

    if args.explain:
        _explain(q, bursts, at_bursts, at_calm, street, cell_of)
    results = []
    for min_count, surprise, ratio, weight, windows, floor in itertools.product(
            [int(x) for x in args.min_count.split(",")], [float(x) for x in args.min_surprise.split(",")],
            [float(x) for x in args.min_ratio.split(",")], [float(x) for x in args.prior_weight.split(",")],
            [tuple(int(w) for w in ws.split("-")) for ws in args.windows.split(",")],
            [float(x) for x in args.floor.split(",")]):
        det = q.Detector(windows=windows, min_count=min_count, min_ratio=ratio, min_surprise=surprise,
                         prior_weight=weight, floor=floor)
        # each burst's delay: the first check hour its cell is flagged at, or None
        delays: list[int | None] = [
            next((h for h, cells in zip(CHECK_HOURS, snapshots, strict=True)
                  if any((x["topic"], x["district"], x["street"]) == cell_of(b) for x in q.score_cells(cells, det))), None)
            for b, snapshots in zip(bursts, at_bursts, strict=True)]
        false = []
        for snapshots in at_calm:
            flagged = set()
            for cells in snapshots:
                flagged.update((x["topic"], x["district"], x["street"]) for x in q.score_cells(cells, det)[:20])
            false.append(len(flagged))
        city = [a + b for a, b in zip(false, other_flagged, strict=True)]
        big = [d for b, d in zip(bursts, delays, strict=True) if b["factor"] >= 5]
        results.append({"place": args.place, "min_count": min_count, "min_surprise": surprise, "min_ratio": ratio,
                        "prior_weight": weight, "windows": "-".join(map(str, windows)), "floor": floor,
                        "big_within_6h": sum(1 for d in big if d is not None and d <= EARLY), "big": len(big),
                        "found_48h": sum(1 for d in delays if d is not None), "bursts": len(bursts),
                        "median_delay_h": statistics.median([d for d in delays if d is not None] or [0]),
                        "false_per_week": round(statistics.mean(false), 2) if false else None,
                        "false_max": max(false) if false else None,
                        "city_false_per_week": round(statistics.mean(city), 2) if city else None,
                        "city_false_max": max(city) if city else None,
                        "missed_6h": [f"{b['topic']} {b['district']}{b.get('street') or ''} {b['factor']}x: "
                                      f"{'not found' if d is None else f'{d} h'}"
                                      for b, d in zip(bursts, delays, strict=True)
                                      if b["factor"] >= 5 and (d is None or d > EARLY)]})
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    return 0


def _explain(q, bursts: list[dict], at_bursts: list, at_calm: list, street: bool, cell_of) -> None:  # type: ignore[no-untyped-def]
    """For each >= 5x burst: its cell's best reading 1-6 hours in (any window, no threshold), and
    the calm-week cells that read as much at some check (as many orders, as surprising): the false
    warnings a week that any threshold finding it by then would raise as well."""
    anything = q.Detector(windows=q.WINDOWS, min_count=1, min_ratio=0.0, min_surprise=0.0)
    calm_read = [[[((x["topic"], x["district"], x["street"]), x["count"], x["score"])
                   for x in q.score_cells(cells, anything)] for cells in snapshots] for snapshots in at_calm]
    for b, snapshots in zip(bursts, at_bursts, strict=True):
        if b["factor"] < 5:
            continue
        readings = []
        for h, cells in zip(CHECK_HOURS, snapshots, strict=True):
            if h > EARLY:
                break
            own = [c for c in cells if (c.topic, c.place[0], c.place[1] if street else None) == cell_of(b)]
            match = [x for x in q.score_cells(cells, anything) if (x["topic"], x["district"], x["street"]) == cell_of(b)]
            readings.append({"h": h, "last_6h": own[0].counts[q.COUNTED_WINDOWS.index(6)] if own else 0,
                             **({k: match[0][k] for k in ("count", "window_hours", "baseline", "score")} if match else {})})
        top = max(readings, key=lambda r: r.get("score", 0.0))
        n, s = top.get("count", 0), top.get("score", 0.0)
        as_much = [len({key for read in week for key, cn, cs in read if cn >= n and cs >= s}) for week in calm_read]
        print(json.dumps({"burst": f"{b['topic']} {b['district']}{b.get('street') or ''}", "factor": b["factor"],
                          "start": b["start"], "planted": b["planted"], "baseline_48h": b["baseline_48h"],
                          "by_hour": readings,
                          "calm_cells_reading_as_much_per_week": round(statistics.mean(as_much), 2) if as_much else None},
                         ensure_ascii=False), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
