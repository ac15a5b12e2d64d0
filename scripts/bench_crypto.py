"""What encryption at rest (issue 24, bot/store/crypto.py) costs the store, measured in one run
with and without it on the same machine, the same data and the same code:

- per citizen message: the gateway's transcript write of the message and the read of the
  conversation's history (what the hub and the console do for each message);
- per order list: a unit's list of 500 orders (``/api/units/orders``) and the supervisor's
  oversight (``/api/orders/oversight``: every queue in one read), over 500 orders.

Each mode gets a fresh database; the two modes alternate ``--rounds`` times and the median of
the rounds is kept, so a busy moment of the machine does not land on one mode only.

    .venv/bin/python -m scripts.bench_crypto [--db-url postgresql://…] [--markdown BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNIT = "市生态环境局"
KEY = "bench:" + base64.b64encode(bytes(range(32))).decode()
SECTION = "## Encryption at rest (issue 24)"


def _fresh_database(base: str | None, tmp: Path, label: str) -> str:
    if base is None:
        return f"sqlite:///{tmp / f'{label}.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"bench_crypto_{label}_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop(base: str | None, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bot.store.db import get_engine

    get_engine(url).dispose()
    if base is not None:
        admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
        admin.dispose()


def _fill(orders: int) -> None:
    """``orders`` dispatched orders of one unit, each with its citizen, events and a message."""
    from bot.profile import load_profile
    from bot.store import transcript
    from bot.store.db import session_scope
    from bot.store.models import OrderStatus, WorkOrder, WorkOrderEvent, utcnow

    profile = load_profile("anshan")
    now = utcnow()
    with session_scope() as s:
        for i in range(orders):
            order = WorkOrder(number=f"BC-20261201-{i:04d}", status=OrderStatus.DISPATCHED, request_type="投诉",
                              content=f"我叫王建国，电话139{i:08d}，铁东区胜利南路{i}号楼下烧烤店噪音油烟太大",
                              address=f"铁东区胜利南路{i}号", district="铁东区", name="王建国", phone=f"139{i:08d}",
                              channel="web", sender_id=f"web-{i:032x}", profile=profile.key, unit=UNIT,
                              created_at=now - dt.timedelta(hours=i), deadline=(now + dt.timedelta(days=i % 9 - 2)).date(),
                              idempotency_key=f"web-{i:032x}:1", dispatched_at=now, topic="环境保护/噪声污染")
            s.add(order)
            s.flush()
            s.add(WorkOrderEvent(order_id=order.id, actor="bot", status_to=OrderStatus.PENDING, note="登记"))
            s.add(WorkOrderEvent(order_id=order.id, actor="智能派单", status_from=OrderStatus.PENDING,
                                 status_to=OrderStatus.DISPATCHED, note=f"派单至{UNIT}"))
    transcript.add_many([(f"web-{i:032x}", "web", "citizen", "我叫王建国，电话13912345678", None, "sent", True)
                         for i in range(orders)])


def _per_message(messages: int, conversations: int = 50) -> float:
    """ms per citizen message: its transcript write, then the read of the conversation."""
    from bot.store import transcript

    started = time.perf_counter()
    for i in range(messages):
        sender = f"web-msg-{i % conversations:028x}"
        transcript.add(sender, "web", "citizen", f"第{i}条：我叫王建国，电话13912345678，楼下烧烤店噪音太大")
        transcript.history(sender)
    return (time.perf_counter() - started) * 1000 / messages


def _per_call(fn, repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(url: str, encrypted: bool, orders: int, messages: int, repeat: int) -> dict[str, float]:
    from bot.gateway.units import oversight, unit_orders
    from bot.profile import load_profile
    from bot.store import crypto
    from bot.store.db import migrate

    os.environ["HOTLINE_DB_URL"] = url
    profile = load_profile("anshan")
    with crypto.using(KEY if encrypted else None):
        migrate(url)
        _fill(orders)
        listed = unit_orders(UNIT, None)
        assert len(listed) == min(orders, 500) and listed[0]["content"].startswith("我叫")
        return {"message": _per_message(messages),
                "unit_list": _per_call(lambda: unit_orders(UNIT, None), repeat),
                "oversight": _per_call(lambda: oversight(profile), repeat)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", help="a PostgreSQL server (a database per mode is made on it); default SQLite")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--markdown", help="write the figures into this file's section")
    args = parser.parse_args(argv)
    os.environ.setdefault("HOTLINE_PROFILE", "anshan")
    figures: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for encrypted in ((False, True) if r % 2 == 0 else (True, False)):
                label = f"{'on' if encrypted else 'off'}{r}"
                url = _fresh_database(args.db_url, Path(tmp), label)
                try:
                    figures[encrypted].append(measure(url, encrypted, args.orders, args.messages, args.repeat))
                finally:
                    _drop(args.db_url, url)
                print(label, {k: round(v, 2) for k, v in figures[encrypted][-1].items()}, flush=True)
    med = {mode: {k: statistics.median(f[k] for f in runs) for k in runs[0]} for mode, runs in figures.items()}
    database = "PostgreSQL 15" if args.db_url else "SQLite (WAL)"
    command = ".venv/bin/python -m scripts.bench_crypto" + (" --db-url postgresql://…" if args.db_url else "")
    rows = [("a citizen's message: transcript write + history read", "message", "ms per message"),
            (f"a unit's order list ({min(args.orders, 500)} orders, with events)", "unit_list", "ms per list"),
            (f"the supervisor's oversight ({args.orders} orders)", "oversight", "ms per read")]
    table = [f"| what ({database}) | without | with | cost |", "| --- | --- | --- | --- |"]
    for title, key, unit in rows:
        off, on = med[False][key], med[True][key]
        table.append(f"| {title} | {off:.2f} {unit} | {on:.2f} {unit} | {on / off:.2f}× (+{on - off:.2f} ms) |")
    print("\n".join(table))
    if args.markdown:
        _write(Path(args.markdown), database, command, args, table)
    return 0


def _write(path: Path, database: str, command: str, args: argparse.Namespace, table: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\nWhat encrypting citizens' personal fields (AES-GCM for free text, AES-SIV for the " \
                                   "looked-up values; bot/store/crypto.py) costs the store, measured in one run with and " \
                                   "without it (the medians of rounds that alternate the modes, each on a fresh database). " \
                                   "Command: `.venv/bin/python -m scripts.bench_crypto [--db-url postgresql://…] --markdown BENCHMARKS.md`.\n"
    block = (f"<!-- {database} -->\n`{command}` ({args.rounds} rounds, {args.messages} messages, {args.orders} orders, "
             f"{dt.date.today():%Y-%m-%d}, this machine):\n\n" + "\n".join(table) + "\n")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    body = text[start:end if end != -1 else len(text)]
    marker = re.compile(rf"<!-- {re.escape(database)} -->\n.*?\n(?=\n<!-- |\Z)", re.S)
    body = marker.sub(lambda _m: block, body) if marker.search(body) else body.rstrip("\n") + "\n\n" + block
    text = text[:start] + body.rstrip("\n") + "\n" + (text[end:] if end != -1 else "")
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
