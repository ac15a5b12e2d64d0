"""``/metrics`` for Prometheus: messages, errors, latency and queues of this gateway process.

Each gateway process is its own scrape target. The endpoint answers requests from loopback and
requests with an API key of role ``metrics`` or ``staff`` (it tells how busy the hotline is,
nothing about any citizen).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

MESSAGES = Counter("hotline_messages_total", "Citizen messages taken by the gateway, by channel and outcome",
                   ["channel", "outcome"])
LATENCY = Histogram("hotline_message_seconds", "From a citizen's message arriving to the reply being ready",
                    ["channel"], buckets=(.025, .05, .1, .2, .3, .5, .75, 1, 2, 5, 10, 30))
ERRORS = Counter("hotline_errors_total", "Failures the gateway handled, by kind", ["kind"])
RATE_LIMITED = Counter("hotline_rate_limited_total", "Messages over a flood limit, by scope", ["scope"])
EMERGENCIES = Counter("hotline_emergencies_total", "Emergencies answered by the gateway itself (Rasa down, flood, "
                                                   "agent holding)", ["kind"])
DELIVERY_FAILURES = Counter("hotline_delivery_failures_total", "Pushes to a citizen that failed (WeChat 客服消息), "
                            "by channel and error code", ["channel", "code"])
DELIVERY_GIVEN_UP = Counter("hotline_delivery_given_up_total", "Messages given up as undelivered (final error or "
                            "the window closed), by channel and error code", ["channel", "code"])
DELIVERY_RETRIED = Counter("hotline_delivery_retried_total", "Messages delivered by a retry", ["channel"])
PENDING = Gauge("hotline_pending_messages", "Citizen messages kept while Rasa or the action server could not take them")
HANDOFF_QUEUE = Gauge("hotline_handoff_waiting", "Conversations waiting for an agent")
AGENTS_ONLINE = Gauge("hotline_agents_online", "Agents connected to this gateway's console")


def _loopback(request: web.Request) -> bool:
    """From this machine itself: not what a proxy on this machine forwards for someone else."""
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


async def refresh_gauges(console) -> None:
    """Queue figures read from the store (shared by all gateways), at scrape time."""
    from bot.store import handoffs, transcript
    from bot.store.models import HandoffStatus

    def read() -> tuple[int, int]:
        return transcript.count_pending(), sum(1 for h in handoffs.handoff_queue() if h["status"] == HandoffStatus.WAITING)

    try:
        pending, waiting = await asyncio.to_thread(read)
        PENDING.set(pending)
        HANDOFF_QUEUE.set(waiting)
    except Exception:
        log.exception("queue figures for /metrics not read")
        ERRORS.labels("metrics_read").inc()
    if console is not None:
        AGENTS_ONLINE.set(console.online())


def routes(api, console) -> list[web.RouteDef]:
    async def metrics(request: web.Request) -> web.Response:
        if not _loopback(request):
            api.require(request, "metrics", "staff")
        await refresh_gauges(console)
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/metrics", metrics)]
