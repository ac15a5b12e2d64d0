"""Choose the dispatcher's weights and its auto-dispatch threshold on the EVEN-numbered cases of
tests/data/dispatch_cases.yml (the odd ones are reported in BENCHMARKS.md by scripts/bench.py).

    .venv/bin/python -m scripts.calibrate_dispatch
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import yaml

from bot.orders.suggest import Suggester, load_catalogue
from bot.profile import load_profile

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "dispatch_cases.yml"


def right(case: dict, unit: str | None) -> bool:
    return unit is not None and (unit == case["unit"] or unit in (case.get("also") or ()))


def main() -> None:
    profile = load_profile("anshan")
    units = load_catalogue(profile)
    names = [u.name for u in units]
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"][::2]
    d = Suggester(units, profile)
    parts = [d.components(c["text"]) for c in cases]
    best = None
    for wb, wk in itertools.product((0.0, 0.2, 0.35, 0.5, 0.8, 1.2), (0.0, 0.15, 0.25, 0.4, 0.6, 1.0)):
        top = [names[int(np.argmax(d.w_dense * a + wb * b + wk * k))] for a, b, k in parts]
        acc = sum(right(c, u) for c, u in zip(cases, top, strict=True)) / len(cases)
        print(f"w_bm25={wb:<4} w_keywords={wk:<4} top-1 {acc:.3f}")
        if best is None or acc > best[0]:
            best = (acc, wb, wk)
    acc, wb, wk = best
    print(f"\nbest on the even half: w_bm25={wb} w_keywords={wk} top-1 {acc:.3f}")
    wk = d.w_keywords  # the chosen weights (same top-1; the middle of the flat range)
    for temp in (0.02, 0.03, 0.04, 0.05):
        rows = []
        for (a, b, k), c in zip(parts, cases, strict=True):
            s = d.w_dense * a + d.w_bm25 * b + wk * k
            p = np.exp((s - s.max()) / temp)
            p /= p.sum()
            rows.append((float(p.max()), right(c, names[int(np.argmax(p))])))
        for threshold in (0.5, 0.6, 0.7, 0.8):
            auto = [ok for conf, ok in rows if conf >= threshold]
            precision = sum(auto) / len(auto) if auto else 0.0
            print(f"temperature {temp} threshold {threshold}: auto {len(auto) / len(rows):.2f}, precision {precision:.3f}")


if __name__ == "__main__":
    main()
