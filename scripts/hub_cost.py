"""What the gateway's hub costs per citizen message, alone: the hub of bot/gateway/hub.py with the
order updates' rating taker (as the gateway builds them), the transcript on SQLite, and a Rasa
that answers at once in a process of its own, so that this process's CPU is the hub's.

    .venv/bin/python -m scripts.hub_cost                                   # this checkout's code
    PYTHONPATH=/path/to/other/checkout .venv/bin/python scripts/hub_cost.py   # another's

One conversation at a time sends ``--messages`` messages (over ``--senders`` conversations, in
turn) as the REST channel does (the answer returned to the request). Prints the CPU time of
this process per message (all threads), and the wall time's p50 / p95. One process runs one
checkout's code (``code`` says which): alternate runs to compare two.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FAKE_RASA = """
import sys
from aiohttp import web

async def answer(request):
    body = await request.json()
    return web.json_response([{"recipient_id": body["sender"], "text": "您好，热线二十四小时有人值守。"}])

async def ok(request):
    return web.json_response({"status": "ok"})

app = web.Application()
app.router.add_post("/webhooks/rest/webhook", answer)
app.router.add_get("/health", ok)
app.router.add_get("/", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def measure(url: str, messages: int, senders: int) -> dict:
    import bot
    from bot.gateway.config import GatewayConfig
    from bot.gateway.hub import Hub
    from bot.gateway.order_updates import OrderUpdates
    from bot.gateway.rasa import RasaClient
    from bot.profile import load_profile
    from bot.store.shared import DatabaseStore

    hub = Hub(GatewayConfig(), RasaClient(url, url), load_profile("anshan"))
    OrderUpdates(hub, DatabaseStore())
    try:
        for i in range(20):  # warm up: connections, statement caches
            await hub.handle(f"rest-warm-{i % 4}", "rest", "你们热线几点上班")
        walls = []
        c0 = time.process_time()
        for i in range(messages):
            t0 = time.perf_counter()
            told = await hub.handle(f"rest-cost-{i % senders}", "rest", "你们热线几点上班")
            walls.append(1000 * (time.perf_counter() - t0))
            assert told and "二十四小时" in (told[-1].get("text") or ""), told
        cpu = 1000 * (time.process_time() - c0) / messages
    finally:
        await hub.stop()
    walls.sort()
    return {"code": str(Path(bot.__file__).resolve().parent.parent), "messages": messages,
            "cpu_ms_per_message": round(cpu, 2), "wall_p50_ms": round(statistics.median(walls), 2),
            "wall_p95_ms": round(walls[int(0.95 * (len(walls) - 1))], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--senders", type=int, default=10)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="hub-cost-")
    os.environ["HOTLINE_DB_URL"] = f"sqlite:///{tmp}/hotline.db"
    os.environ.setdefault("HOTLINE_ENV", "development")
    os.environ["HOTLINE_RATE_PER_MINUTE"] = os.environ["HOTLINE_RATE_BURST"] = "1000000"
    port = free_port()
    rasa = subprocess.Popen([sys.executable, "-c", FAKE_RASA, str(port)])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(json.dumps(asyncio.run(measure(f"http://127.0.0.1:{port}", args.messages, args.senders))))
    finally:
        rasa.terminate()
        rasa.wait(timeout=10)


if __name__ == "__main__":
    main()
