"""Choose the street hot spots' thresholds (``queries.STREET``) on a generated year: every candidate
scored on the same counts, so a grid costs one pass over the store.

    .venv/bin/python -m scripts.simulate_orders --orders 100000 --seed 1 --db-url sqlite:///var/tune1.db --bursts var/tune1.json
    .venv/bin/python -m scripts.tune_street_warnings --db-url sqlite:///var/tune1.db --bursts var/tune1.json

For each planted street burst the counts are taken 1, 2, 3, 4, 5, 6, 9, 12, 18, 24, 36 and 48
hours after its start, and every six hours on the calm weeks (as ``scripts.bench_analytics``
does); each candidate ``Detector`` then scores them: the ≥ 5× bursts found within 6 hours, all
bursts found within 48 hours, and the distinct street cells flagged per calm week. Tune on one
seed, report on another (``scripts.bench_analytics``).
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--bursts", required=True)
    ap.add_argument("--calm-weeks", type=int, default=8)
    ap.add_argument("--min-count", default="3,4,5")
    ap.add_argument("--min-surprise", default="4.5,5,5.5,6,6.5")
    ap.add_argument("--prior-weight", default="0,0.5,1,2")
    ap.add_argument("--windows", default="6-24-48,3-6-24-48")
    ap.add_argument("--floor", default="0.05")
    args = ap.parse_args(argv)
    os.environ["HOTLINE_DB_URL"] = args.db_url
    from bot.analytics import queries as q

    planted = json.loads(Path(args.bursts).read_text(encoding="utf-8"))
    bursts = planted.get("street_bursts") or []
    at_bursts = [[q.hotspot_cells(dt.datetime.fromisoformat(b["start"]) + dt.timedelta(hours=h), street=True)
                  for h in CHECK_HOURS] for b in bursts]
    calm = calm_weeks(planted, args.calm_weeks)
    at_calm = [[q.hotspot_cells(w + dt.timedelta(hours=6 * k), street=True) for k in range(28)] for w in calm]
    results = []
    for min_count, surprise, weight, windows, floor in itertools.product(
            [int(x) for x in args.min_count.split(",")], [float(x) for x in args.min_surprise.split(",")],
            [float(x) for x in args.prior_weight.split(",")],
            [tuple(int(w) for w in ws.split("-")) for ws in args.windows.split(",")],
            [float(x) for x in args.floor.split(",")]):
        det = q.Detector(windows=windows, min_count=min_count, min_ratio=3.0, min_surprise=surprise,
                         prior_weight=weight, floor=floor)
        delays: list[int | None] = []
        for b, snapshots in zip(bursts, at_bursts, strict=True):
            hit = None
            for h, cells in zip(CHECK_HOURS, snapshots, strict=True):
                if any((x["topic"], x["district"], x["street"]) == (b["topic"], b["district"], b["street"])
                       for x in q.score_cells(cells, det)):
                    hit = h
                    break
            delays.append(hit)
        false = []
        for snapshots in at_calm:
            flagged = set()
            for cells in snapshots:
                flagged.update((x["topic"], x["district"], x["street"]) for x in q.score_cells(cells, det)[:20])
            false.append(len(flagged))
        big = [d for b, d in zip(bursts, delays, strict=True) if b["factor"] >= 5]
        results.append({"min_count": min_count, "min_surprise": surprise, "prior_weight": weight,
                        "windows": "-".join(map(str, windows)), "floor": floor,
                        "big_within_6h": sum(1 for d in big if d is not None and d <= 6), "big": len(big),
                        "found_48h": sum(1 for d in delays if d is not None), "bursts": len(bursts),
                        "median_delay_h": statistics.median([d for d in delays if d is not None] or [0]),
                        "false_per_week": round(statistics.mean(false), 2) if false else None,
                        "false_max": max(false) if false else None})
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
