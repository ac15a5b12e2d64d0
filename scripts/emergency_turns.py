"""How often an ordinary citizen's turn hears an emergency line (BENCHMARKS.md, Emergencies).

    .venv/bin/python -m scripts.emergency_turns dev round2 round3          # counts per set
    .venv/bin/python -m scripts.emergency_turns round3 --show              # and the turns that hear one

Every citizen turn of every conversation of ``tests/data/conversations_<name>.yml`` whose expected
outcome is not an emergency is read by ``bot.language.emergency.assess``; a turn with any reading
(full guidance or the conditional line) counts. The development and round-2 turns are training
sources of the learned layer (scripts/train_emergency.py), the later rounds are not. Never run it
on a sealed set with ``--show``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def ordinary_turns(name: str) -> list[str]:
    doc = yaml.safe_load((DATA / f"conversations_{name}.yml").read_text(encoding="utf-8"))
    return [str(t) for c in doc["conversations"] if (c.get("expect") or {}).get("outcome") != "emergency"
            for t in c.get("turns") or []]


def main() -> None:
    from bot.language import emergency

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="+", help="dev, round2, round3 … (tests/data/conversations_<name>.yml)")
    ap.add_argument("--show", action="store_true", help="print the turns that hear a line")
    args = ap.parse_args()
    for name in args.sets:
        if "sealed" in name:
            args.show = False
        turns = ordinary_turns(name)
        lines = full = 0
        for turn in turns:
            reading = emergency.assess(turn)
            if reading.level is None:
                continue
            lines += 1
            full += reading.level == emergency.CONFIDENT
            if args.show:
                assert reading.emergency is not None
                print(f"  {reading.level} {reading.emergency.kind} | {turn[:80]}")
        print(f"{name}: {lines} of {len(turns)} ordinary turns hear a line ({lines / max(1, len(turns)):.1%}), "
              f"{full} of them full guidance")


if __name__ == "__main__":
    main()
