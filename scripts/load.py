"""Load test: many citizens filing complete requests at once over the web channel (Rasa's REST
format on the gateway), against the production form on this machine: 2 Rasa servers and 2
gateways sharing Redis, with the work orders and Rasa's trackers in SQLite or PostgreSQL.

    python -m scripts.load --store sqlite --citizens 200 --rate 50
    python -m scripts.load --store postgresql --citizens 200 --rate 50
    python -m scripts.load --store postgresql --citizens 200 --rate 8 --channel socketio
    python -m scripts.load --flood      # calm citizens alone, then beside a flooding address

Each citizen is sticky to one gateway (as a load balancer with ip_hash would make them), tells
their matter in their own words, answers what the form asks, and confirms. ``--rate`` paces
the citizens (think time = citizens / rate) so that together they offer that many messages a
second; ``--rate 0`` sends each message as soon as the last answer came (the most the servers
can take). At the end every conversation must have exactly one work order with the citizen's
own phone and request type. ``--channel socketio`` speaks the widget's protocol instead: the
answers are pushed, and after a busy notice the driver waits for the kept message's answer, so
a conversation that does not end is lost, not merely late. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
GIVEN = ["丽", "伟", "芳", "强", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "桂兰", "建国", "海燕"]
DISTRICTS = ["铁东区", "铁西区", "立山区", "千山区", "海城市"]
STREETS = ["胜利路", "建国南路", "民生路", "园林路", "千山中路", "鞍千路", "兴盛街", "湖南街", "人民路", "健身街"]
# (type, how a citizen tells it); the place is added in the citizen's own way.
MATTERS = [
    ("投诉", "楼下烧烤店每天营业到凌晨两点，油烟和噪音太大了，根本睡不着，我要投诉"),
    ("投诉", "小区门口的菜市场占道经营，车都开不出去，投诉一下"),
    ("求助", "我家暖气一直不热，屋里才十四度，老人孩子都冻感冒了，求助"),
    ("求助", "我们单元的下水道堵了好几天，污水都漫到楼道里了，请帮忙解决"),
    ("投诉", "公司拖欠工资三个月了一分钱没给，老板也联系不上，投诉"),
    ("举报", "我要举报，有个工地晚上偷偷往河里倒建筑垃圾"),
    ("意见建议", "建议在我们小区附近的路口加装一个红绿灯，上下学时间孩子过马路太危险"),
    ("求助", "小区的路灯坏了一个多月了，晚上黑漆漆的，求助"),
]
NUMBER_RX = re.compile(r"[A-Z]{2}-\d{8}-\d{4}")


@dataclass
class Citizen:
    sender: str
    gateway: str
    name: str
    phone: str
    kind: str
    matter: str
    address: str
    latencies: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)
    number: str | None = None
    error: str | None = None
    busy: int = 0  # answers that were the busy notice (Rasa not done within the gateway's wait)


def make_citizens(n: int, gateways: list[str], seed: int = 2026) -> list[Citizen]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        kind, matter = MATTERS[i % len(MATTERS)]
        address = f"{rnd.choice(DISTRICTS)}{rnd.choice(STREETS)}{rnd.randint(1, 300)}号"
        out.append(Citizen(sender=f"rest-load-{uuid.uuid4().hex[:10]}", gateway=gateways[i % len(gateways)],
                           name=rnd.choice(SURNAMES) + rnd.choice(GIVEN), phone=f"139{rnd.randint(10**7, 10**8 - 1)}",
                           kind=kind, matter=matter, address=address))
    return out


def first_message(c: Citizen, rnd: random.Random) -> str:
    styles = [
        f"你好，我叫{c.name}，电话{c.phone}，{c.address}，{c.matter}",
        f"{c.matter}。地址在{c.address}，我是{c.name}，手机{c.phone}",
        f"我住{c.address}，{c.matter}，联系人{c.name} {c.phone}",
    ]
    return rnd.choice(styles)


def answer(c: Citizen, reply: str) -> str:
    """What a citizen says to the form's question."""
    if "核对" in reply or "确认" in reply:
        return "确认"
    if "哪一类" in reply or "类型" in reply:
        return c.kind
    if "地址" in reply or "地点" in reply or "在哪" in reply:
        return c.address
    if "电话" in reply or "手机" in reply or "联系方式" in reply:
        return c.phone
    if "称呼" in reply or "姓名" in reply or "怎么称呼" in reply:
        return c.name
    if "保密" in reply:
        return "不用保密"
    if "答复" in reply or "回复" in reply:
        return "需要答复"
    return "确认"


async def converse(session: aiohttp.ClientSession, c: Citizen, think: float, rnd: random.Random,
                   max_turns: int = 8) -> None:
    text = first_message(c, rnd)
    for _ in range(max_turns):
        started = time.perf_counter()
        c.sent_at.append(time.time())
        try:
            async with session.post(f"{c.gateway}/webhooks/rest/webhook", json={"sender": c.sender, "message": text},
                                    timeout=aiohttp.ClientTimeout(total=120)) as r:
                body = await r.json()
                status = r.status
        except Exception as exc:  # noqa: BLE001 - any failure is a result here
            c.error = f"{type(exc).__name__}: {exc}"
            return
        c.latencies.append(time.perf_counter() - started)
        if status != 200:
            c.error = f"HTTP {status}"
            return
        reply = "\n".join(m.get("text", "") for m in body if isinstance(m, dict))
        if "系统繁忙" in reply:
            c.busy += 1
        found = NUMBER_RX.search(reply)
        if found and "工单号" in reply:
            c.number = found.group(0)
            return
        text = answer(c, reply)
        if think:
            await asyncio.sleep(think * rnd.uniform(0.5, 1.5))
    c.error = f"no work order after {max_turns} turns"


async def converse_socketio(c: Citizen, think: float, rnd: random.Random, max_turns: int = 8) -> None:
    """The same citizen on the widget's own protocol (socket.io over a websocket): answers are
    pushed, so a busy notice is followed by the kept message's answer and the driver waits for
    it (late, not lost). Latency is the time to the turn's first answer."""
    from tests.support.socket_client import SocketCitizen

    page = SocketCitizen(c.gateway)
    try:
        session_id = await page.connect()
    except Exception as exc:  # noqa: BLE001 - any failure is a result here
        c.error = f"connect: {type(exc).__name__}: {exc}"
        return
    from channels.web import sessions

    c.sender = sessions.sender_of(session_id)
    text = first_message(c, rnd)
    try:
        for _ in range(max_turns):
            before, started = len(page.replies), time.perf_counter()
            c.sent_at.append(time.time())
            await page.client.emit("user_uttered", {"message": text, "session_id": session_id})
            if not await page.wait_for_replies(before + 1, 120):
                c.error = "no answer within 120 s"
                return
            c.latencies.append(time.perf_counter() - started)
            while True:  # the turn's other answers: until 0.5 s without one, and past a busy notice
                count = len(page.replies)
                await asyncio.sleep(0.5)
                if len(page.replies) > count:
                    continue
                texts = [str(m.get("text", "")) for m in page.replies[before:]]
                busy = [i for i, t in enumerate(texts) if "系统繁忙" in t]
                if not busy or busy[-1] < len(texts) - 1:
                    break
                if not await page.wait_for_replies(count + 1, 120):
                    c.error = "kept message not answered within 120 s"
                    return
            c.busy += bool(busy)
            turn = "\n".join(texts[busy[-1] + 1:] if busy else texts)
            found = NUMBER_RX.search(turn)
            if found and "工单号" in turn:
                c.number = found.group(0)
                return
            text = answer(c, turn)
            if think:
                await asyncio.sleep(think * rnd.uniform(0.5, 1.5))
        c.error = f"no work order after {max_turns} turns"
    finally:
        await page.close()


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


async def drive(citizens: list[Citizen], rate: float, seed: int = 7, channel: str = "rest") -> float:
    think = len(citizens) / rate if rate else 0.0
    rnd = random.Random(seed)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one(c: Citizen, delay: float) -> None:
            await asyncio.sleep(delay)
            if channel == "socketio":
                await converse_socketio(c, think, random.Random(rnd.random()))
            else:
                await converse(session, c, think, random.Random(rnd.random()))

        started = time.time()
        await asyncio.gather(*(one(c, rnd.uniform(0, think or 1.0)) for c in citizens))
        return time.time() - started


def cpu_seconds(cluster) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """user + system CPU time of each of the cluster's processes (Linux /proc)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for name, proc in cluster.procs.items():
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[name] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return out


def transcript_line(sender: str) -> str:
    """A conversation at a glance: id, author and status initials, the text's start."""
    from bot.store import transcript

    return " / ".join(f"{e.id}{e.author[0]}{e.status[0]}:{(e.text or '')[:24]}" for e in transcript.history(sender))


def check_orders(citizens: list[Citizen]) -> dict:
    from bot.store import repository

    right = wrong = missing = duplicated = 0
    examples: list[str] = []
    for c in citizens:
        orders = repository.orders_for_sender(c.sender, 10)
        if not orders:
            missing += 1
            if missing <= 3:
                examples.append(f"no order for {c.sender} ({c.error}): {transcript_line(c.sender)}")
        elif len(orders) > 1:
            duplicated += 1
            examples.append(f"{len(orders)} orders for {c.sender}: " + " | ".join(o.content[:30] for o in orders))
            examples.append(f"  transcript: {transcript_line(c.sender)}")
            examples.append(f"  driver sent at {c.sent_at}, latencies {[round(x, 1) for x in c.latencies]}")
        elif orders[0].phone == c.phone and orders[0].request_type == c.kind and orders[0].number == c.number:
            right += 1
        else:
            wrong += 1
            o = orders[0]
            examples.append(f"{c.kind}/{c.phone}/{c.number} -> {o.request_type}/{o.phone}/{o.number}: {o.content[:40]}")
    return {"right": right, "wrong": wrong, "missing": missing, "duplicated": duplicated, "examples": examples[:8]}


def run(store: str, citizens_n: int, rate: float, servers: int = 2, channel: str = "rest",
        keep_logs: Path | None = None) -> dict:
    import os
    import shutil

    from tests.support import services
    from tests.support.stack import start_cluster

    prefix = services.redis_prefix()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dbs: list[str] = []
        if store == "postgresql":
            from sqlalchemy.engine import make_url

            db_url, tracker = services.create_database("load"), services.create_database("loadtracker")
            dbs = [db_url, tracker]
            tracker_db = make_url(tracker).database
        else:
            db_url, tracker_db = f"sqlite:///{work / 'hotline.db'}", None
        cluster = start_cluster(work, db_url, tracker_db, prefix, servers=servers,
                                HOTLINE_RATE_PER_MINUTE="1000", HOTLINE_RATE_BURST="100")
        try:
            gateways = [cluster.gateway_url("gateway" if i == 0 else f"gateway{i + 1}") for i in range(servers)]
            citizens = make_citizens(citizens_n, gateways)
            cpu_before = cpu_seconds(cluster)
            duration = asyncio.run(drive(citizens, rate, channel=channel))
            cpu = {name: round(after - cpu_before.get(name, 0.0), 1) for name, after in cpu_seconds(cluster).items()}
            os.environ["HOTLINE_DB_URL"] = db_url
            orders = check_orders(citizens)
        finally:
            cluster.stop()
            if keep_logs is not None:
                keep_logs.mkdir(parents=True, exist_ok=True)
                for log in work.glob("*.log"):
                    shutil.copy(log, keep_logs / log.name)
            for url in dbs:
                services.drop_database(url)
            services.drop_redis_prefix(prefix)
    latencies = [x for c in citizens for x in c.latencies]
    sent = sorted(t for c in citizens for t in c.sent_at)
    busy = sent[-1] - sent[0] if len(sent) > 1 else duration
    return {
        "store": store, "citizens": citizens_n, "offered_rate": rate, "channel": channel,
        "rasa_servers": servers, "gateways": servers,
        "messages": len(latencies), "seconds": round(duration, 1),
        "messages_per_second": round(len(latencies) / busy, 1) if busy else None,
        "p50_ms": round(1000 * percentile(latencies, .5)), "p95_ms": round(1000 * percentile(latencies, .95)),
        "p99_ms": round(1000 * percentile(latencies, .99)), "max_ms": round(1000 * max(latencies)) if latencies else None,
        "turns_median": percentile([len(c.latencies) for c in citizens], .5),
        "busy_notices": sum(c.busy for c in citizens),
        "errors": sorted({c.error for c in citizens if c.error})[:5], "failed_conversations": sum(1 for c in citizens if c.error),
        "orders": orders,
        # CPU seconds each kind of process used during the run, per message answered
        "cpu_ms_per_message": {kind: round(1000 * sum(v for n, v in cpu.items() if n.startswith(kind)) / max(1, len(latencies)))
                               for kind in ("rasa", "actions", "gateway")},
    }


async def flood(url: str, messages: int, senders: int, address: str) -> int:
    """One abuser: ``messages`` sent as fast as the gateway takes them, from ``senders`` sender
    ids behind one address. Returns how many were refused as too fast (told, or kept quietly)."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50)) as session:
        ids = [f"rest-flood-{uuid.uuid4().hex[:8]}" for _ in range(senders)]

        async def one(i: int) -> bool:
            async with session.post(f"{url}/webhooks/rest/webhook", headers={"X-Forwarded-For": address},
                                    json={"sender": ids[i % senders], "message": f"在吗在吗{i}"},
                                    timeout=aiohttp.ClientTimeout(total=120)) as r:
                body = await r.json()
                return not body or any("频繁" in (m.get("text") or "") for m in body)

        return sum(await asyncio.gather(*(one(i) for i in range(messages))))


def flood_effect(citizens_n: int = 40, rate: float = 4.0, flood_messages: int = 600) -> dict:
    """Calm citizens' latency alone, then while one address floods (one sender id, then many):
    the ratio says whether a flood slows the others. One cluster, SQLite, one run."""
    from tests.support import services
    from tests.support.stack import start_cluster

    prefix = services.redis_prefix()
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cluster = start_cluster(work, f"sqlite:///{work / 'hotline.db'}", None, prefix, HOTLINE_TRUST_FORWARDED="1")
        try:
            gateways = [cluster.gateway_url("gateway"), cluster.gateway_url("gateway2")]
            for case, senders in (("alone", 0), ("one sender floods", 1), ("one address, 300 senders", 300)):
                citizens = make_citizens(citizens_n, gateways, seed=len(out) + 11)

                async def both(citizens=citizens, senders=senders) -> int:
                    calm = drive(citizens, rate)
                    if not senders:
                        await calm
                        return 0
                    refused, _ = await asyncio.gather(flood(gateways[0], flood_messages, senders, "203.0.113.7"), calm)
                    return refused

                refused = asyncio.run(both())
                lat = [x for c in citizens for x in c.latencies]
                out[case] = {"calm_p50_ms": round(1000 * percentile(lat, .5)), "calm_p95_ms": round(1000 * percentile(lat, .95)),
                             "calm_failed": sum(1 for c in citizens if c.error), "flood_refused": refused}
        finally:
            cluster.stop()
            services.drop_redis_prefix(prefix)
    base = out["alone"]["calm_p95_ms"] or 1
    for case in out:
        out[case]["p95_vs_alone"] = round(out[case]["calm_p95_ms"] / base, 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--citizens", type=int, default=200)
    ap.add_argument("--rate", type=float, default=50.0, help="messages a second offered by all citizens (0: no pause)")
    ap.add_argument("--servers", type=int, default=2, help="Rasa servers, and as many gateways")
    ap.add_argument("--channel", choices=["rest", "socketio"], default="rest",
                    help="the web channel's REST format, or the widget's socket.io (answers pushed)")
    ap.add_argument("--keep-logs", type=Path, help="copy the servers' logs into this folder at the end")
    ap.add_argument("--flood", action="store_true", help="instead: calm citizens alone, then beside a flood")
    args = ap.parse_args()
    if args.flood:
        print(json.dumps(flood_effect(), ensure_ascii=False, indent=2))
        return
    print(json.dumps(run(args.store, args.citizens, args.rate, args.servers, args.channel, args.keep_logs), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
