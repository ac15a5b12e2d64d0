"""The street and the sensitive word of orders filed before they were read at filing (migration
0020): a resumable backfill in bounded batches, for 研判's street hot spots (a street's baseline is
its last four weeks and the same weeks a year before) and the record of sensitive words.

    .venv/bin/python -m bot.analytics.backfill [--batch 1000] [--batches N] [--pause 0.2]
    .venv/bin/python -m bot.analytics.backfill --status

- **Bounded.** Each batch reads at most ``--batch`` orders by id (an index range, the content and
  address decrypted in Python, as at filing: the database cannot read them) and writes the street
  and word it finds together with how far it has come, in one transaction. A stopped run (Ctrl-C,
  a deploy, ``--batches``) loses at most the batch it was in.
- **Resumable.** The next run goes on from the last batch written (table ``backfills``); it ends
  at the newest order when the backfill started: orders filed since were read at filing.
- **Never overwrites.** An order that has a street or a word keeps it; only an empty one is filled,
  with exactly what filing would have read (``bot/language/streets.py``, ``sensitive.py``, the
  order's own city profile). Running it again changes nothing.
- **The figures follow.** A day whose orders got a street is marked not rolled up: the roll-up's
  next rounds recompute its figures by street (``rollup.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update

from bot.language.sensitive import find_sensitive
from bot.language.streets import street_of
from bot.profile import Profile, load_profile
from bot.store.db import migrate, session_scope
from bot.store.models import Backfill, RolledDay, WorkOrder, utcnow

NAME = "street-sensitive"
CHINA = dt.timedelta(hours=8)


def _profile(key: str | None, cache: dict[str | None, Profile]) -> Profile:
    if key not in cache:
        try:
            cache[key] = load_profile(key) if key else load_profile()
        except ValueError:  # a profile no longer shipped: the running one reads its orders
            cache[key] = load_profile()
    return cache[key]


def status() -> dict[str, Any] | None:
    with session_scope() as s:
        b = s.get(Backfill, NAME)
        if b is None:
            return None
        return {"name": b.name, "upto": b.upto, "last_id": b.last_id, "done": b.done, "changed": b.changed,
                "started_at": b.started_at.isoformat() + "Z", "updated_at": b.updated_at.isoformat() + "Z",
                "finished_at": b.finished_at.isoformat() + "Z" if b.finished_at else None}


def run_batch(batch: int = 1000, profiles: dict[str | None, Profile] | None = None) -> dict[str, Any]:
    """One batch: the next ``batch`` orders after the last one done. Returns the progress
    (``finished`` once the newest order at the start is done)."""
    profiles = {} if profiles is None else profiles
    with session_scope() as s:
        b = s.get(Backfill, NAME)
        if b is None:
            newest = s.execute(select(func.max(WorkOrder.id))).scalar() or 0
            b = Backfill(name=NAME, upto=newest, last_id=0, done=0, changed=0, started_at=utcnow(), updated_at=utcnow())
            s.add(b)
            s.flush()
        if b.finished_at is not None:
            return {"finished": True, "last_id": b.last_id, "upto": b.upto, "read": 0, "changed": 0}
        rows = s.execute(select(WorkOrder.id, WorkOrder.profile, WorkOrder.district, WorkOrder.address,
                                WorkOrder.content, WorkOrder.street, WorkOrder.sensitive, WorkOrder.created_at)
                         .where(WorkOrder.id > b.last_id, WorkOrder.id <= b.upto,
                                (WorkOrder.street.is_(None)) | (WorkOrder.sensitive.is_(None)))
                         .order_by(WorkOrder.id).limit(batch)).all()
        changes, stale = [], set()
        for order_id, key, district, address, content, street, word, created in rows:
            profile = _profile(key, profiles)
            new_street = street or street_of(address, district, profile)
            new_word = word or find_sensitive(content, profile.sensitive_words)
            if (new_street, new_word) != (street, word):
                changes.append({"order_id": order_id, "new_street": new_street, "new_word": new_word})
            if new_street != street:
                stale.add((created + CHINA).date())
        if changes:
            s.execute(update(WorkOrder.__table__).where(WorkOrder.__table__.c.id == bindparam("order_id"))
                      .values(street=bindparam("new_street"), sensitive=bindparam("new_word")), changes)
        if stale:  # the figures by street of those days: recomputed by the roll-up's next round
            s.execute(delete(RolledDay).where(RolledDay.day.in_(sorted(stale))))
        finished = len(rows) < batch
        b.last_id = b.upto if finished else rows[-1][0]
        b.done += len(rows)
        b.changed += len(changes)
        b.updated_at = utcnow()
        if finished:
            b.finished_at = b.updated_at
        return {"finished": finished, "last_id": b.last_id, "upto": b.upto, "read": len(rows), "changed": len(changes)}


def run(batch: int = 1000, batches: int | None = None, pause: float = 0.0, log: Any = None) -> dict[str, Any]:
    """Batches until done (or ``batches`` of them), ``pause`` seconds apart: a live store keeps
    answering between them."""
    profiles: dict[str | None, Profile] = {}
    total = {"read": 0, "changed": 0, "batches": 0, "finished": False}
    while batches is None or total["batches"] < batches:
        step = run_batch(batch, profiles)
        total["read"] += step["read"]
        total["changed"] += step["changed"]
        total["batches"] += 1
        total["finished"] = step["finished"]
        if log is not None:
            log(f"up to order id {step['last_id']} of {step['upto']}: read {step['read']}, filled {step['changed']}")
        if step["finished"]:
            break
        if pause:
            time.sleep(pause)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.analytics.backfill",
                                     description="Fill the street and the sensitive word of orders filed before they "
                                                 "were read at filing (resumable, in bounded batches).")
    parser.add_argument("--batch", type=int, default=1000, help="orders a batch (one transaction), 1 to 10000")
    parser.add_argument("--batches", type=int, default=None, help="stop after this many batches (default: to the end)")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between batches")
    parser.add_argument("--status", action="store_true", help="how far it has come, and stop")
    args = parser.parse_args(argv)
    if not 1 <= args.batch <= 10_000 or (args.batches is not None and args.batches < 1):
        print("--batch: 1 to 10000; --batches: 1 or more", file=sys.stderr)
        return 2
    migrate()
    if args.status:
        print(json.dumps(status(), ensure_ascii=False, indent=2))
        return 0
    total = run(args.batch, args.batches, max(0.0, args.pause), log=lambda line: print(line, file=sys.stderr))
    print(json.dumps({**total, **(status() or {})}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
