"""Putting the gateway together: ``create_app()`` builds the aiohttp application."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import socketio
from aiohttp import web

from bot.analytics import archive, rollup, warnings
from bot.console.web import Console
from bot.desk.linkage import Notifier, senders_from_env
from bot.gateway import loops, metrics, settings_check
from bot.gateway.analytics_api import AnalyticsApi
from bot.gateway.api import Api
from bot.gateway.bus import make_bus
from bot.gateway.config import GatewayConfig
from bot.gateway.deliveries import Deliveries
from bot.gateway.headers import security_headers
from bot.gateway.hub import Hub
from bot.gateway.order_updates import OrderUpdates
from bot.gateway.rasa import RasaClient
from bot.gateway.units import UnitApi
from bot.orders import retention, suggest
from bot.profile import Profile, load_profile
from bot.store.db import migrate
from bot.store.shared import SharedStore, shared_store
from channels.web import pages, rest
from channels.web import socketio as web_socketio
from channels.web.uploads import WebUploads
from channels.wechat.adapter import WechatChannel
from channels.wechat.config import DEV_AES_KEY, DEV_TOKEN, WechatConfig
from channels.wechat.notify import WechatTeller

log = logging.getLogger(__name__)
MAX_SOCKET_PAYLOAD = 64 * 1024


def secure_cookie(config: GatewayConfig) -> bool:
    """The console's cookie only over HTTPS, except in development (HOTLINE_CONSOLE_SECURE_COOKIE
    says otherwise either way: 1 or 0)."""
    said = os.environ.get("HOTLINE_CONSOLE_SECURE_COOKIE", "").strip()
    return said == "1" if said in ("0", "1") else not config.development


def wechat_refused_routes() -> list[web.RouteDef]:
    """/wechat when the account is not configured outside development: refused, never answered
    with the published development token."""
    async def refused(_request: web.Request) -> web.Response:
        return web.json_response({"error": "wechat_not_configured", "message": "本热线尚未配置微信公众号。"},
                                 status=503, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    return [web.get("/wechat", refused), web.post("/wechat", refused)]


def site_origins() -> list[str] | None:
    """The browser origins allowed on socket.io: those in HOTLINE_SITE_ORIGINS (every origin the
    hotline's pages are served from, e.g. ``https://12345.anshan.gov.cn``), else this one as the
    request names it (its Host, or the proxy's X-Forwarded-Host/-Proto)."""
    return os.environ.get("HOTLINE_SITE_ORIGINS", "").split() or None


@web.middleware
async def json_errors(request: web.Request, handler):
    """API errors as JSON with a Chinese message; never a bare 500 page."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        metrics.ERRORS.labels("http_500").inc()
        return web.json_response({"error": "internal", "message": "系统出了点问题，请稍后再试。"}, status=500,
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))


def create_app(config: GatewayConfig | None = None) -> web.Application:
    config = config or GatewayConfig.from_env()
    settings_check.check(config, DEV_TOKEN, DEV_AES_KEY)
    profile = load_profile()
    migrate()
    hub = Hub(config, RasaClient(config.rasa_url, config.actions_url, in_flight=config.rasa_in_flight), profile, bus=make_bus())
    app = web.Application(middlewares=[security_headers, json_errors], client_max_size=1024 * 1024)
    app["config"], app["hub"] = config, hub

    # A page of another site may not speak as a citizen here (requests without an Origin, from
    # programs rather than browsers, are not affected).
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=site_origins(),
                               max_http_buffer_size=MAX_SOCKET_PAYLOAD, logger=False, engineio_logger=False)
    sio.attach(app, socketio_path="socket.io")
    web_socketio.attach(sio, hub)
    app["sio"] = sio

    wechat_config = WechatConfig.from_env()
    wechat_off = wechat_config.development and not config.development
    if wechat_off:
        log.warning("WeChat channel off: no HOTLINE_WECHAT_APPID, and its development token is refused outside "
                    "HOTLINE_ENV=development")
    elif wechat_config.development:
        log.warning("WeChat channel in development mode (no HOTLINE_WECHAT_APPID): its API is %s",
                    wechat_config.api_base)
    store = shared_store()
    wechat = WechatChannel(wechat_config, config, hub, store)
    notices = OrderUpdates(hub, store, every=float(os.environ.get("HOTLINE_NOTIFY_EVERY", "5")))
    notices.register("wechat", WechatTeller(wechat))
    # Pushes that failed (a WeChat 客服消息 not taken): tried again with backoff, one gateway each.
    retries = Deliveries(hub, every=float(os.environ.get("HOTLINE_DELIVERY_RETRY_EVERY", "10")))
    app["wechat"] = wechat

    # The duty desk's deliveries to the linkage units (110/119/120/122 centres, the gas company).
    notifier = Notifier(senders_from_env(profile), every=float(os.environ.get("HOTLINE_LINKAGE_EVERY", "1")))
    app["notifier"] = notifier

    console = Console(hub, secure_cookie=secure_cookie(config),
                      hours=os.environ.get("HOTLINE_CONSOLE_HOURS", ""))
    app["console"] = console
    hub.on_undelivered(console.on_undelivered)  # messages given up: before the agents

    app.add_routes(rest.routes(hub))
    app.add_routes(console.routes())
    app.add_routes(wechat_refused_routes() if wechat_off else wechat.routes())
    api = Api(config, hub, store)
    app.add_routes(api.routes())
    app.add_routes(WebUploads(config, hub).routes())
    app.add_routes(UnitApi(api).routes())
    app.add_routes(AnalyticsApi(api).routes())
    app.add_routes(metrics.routes(api, console))
    app.add_routes(pages.routes(profile, config.static_dir, config.node_modules))

    async def on_startup(app: web.Application) -> None:
        # The store is reached from worker threads: enough of them that a database waited for
        # (HOTLINE_DB_WAIT) does not hold up everything else.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32,
                                                                           thread_name_prefix="store"))
        hub.start()
        console.start()
        notifier.start()
        # 智能派单 for /api/triage: built in the background (embeddings), not on the first call.
        if os.environ.get("HOTLINE_KB_WARMUP", "1") != "0":
            asyncio.get_running_loop().run_in_executor(None, suggest.suggester_for, profile)
        app["notices"] = asyncio.get_running_loop().create_task(notices.run_forever())
        app["retries"] = asyncio.get_running_loop().create_task(retries.run_forever())
        app["purge"] = asyncio.get_running_loop().create_task(
            purge_expired_forever(store, float(os.environ.get("HOTLINE_PURGE_EVERY", "600"))))
        app["warnings"] = asyncio.get_running_loop().create_task(
            warnings_forever(store, console, float(os.environ.get("HOTLINE_WARNINGS_EVERY", "60")), profile))
        app["retention"] = asyncio.get_running_loop().create_task(
            retention_forever(store, profile, config.upload_dir, float(os.environ.get("HOTLINE_RETENTION_EVERY", "3600"))))
        app["reports"] = asyncio.get_running_loop().create_task(
            monthly_reports_forever(store, profile, float(os.environ.get("HOTLINE_REPORTS_EVERY", "600"))))

    async def on_cleanup(app: web.Application) -> None:
        app["notices"].cancel()
        app["retries"].cancel()
        app["purge"].cancel()
        app["warnings"].cancel()
        app["retention"].cancel()
        app["reports"].cancel()
        await notifier.stop()
        await console.stop()
        await wechat.close()
        await hub.stop()

    # aiohttp 3.9 declares its signals with aiosignal's Signal, which aiosignal 1.4 made generic over
    # the callbacks' parameters: the declaration no longer reads as a list of callbacks.
    app.on_startup.append(on_startup)  # type: ignore[arg-type]
    app.on_cleanup.append(on_cleanup)  # type: ignore[arg-type]
    return app


async def warnings_forever(store: SharedStore, console: Console, every: float, profile: Profile | None = None) -> None:
    """研判's periodic jobs: the daily roll-up of the days whose orders changed
    (bot/analytics/rollup.py) and the early warnings of every kind (bot/analytics/warnings.py), each done by
    one gateway a round (a lock in the shared store); a new warning reaches every open console at
    once. ``every`` 0 turns them off."""
    if every <= 0:
        return
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(rollup.run_once, store, every)
        except Exception:
            log.exception("the analytics roll-up not brought up to date")
        try:
            new = await asyncio.to_thread(warnings.run_once, store, None, every, profile)
        except Exception:
            log.exception("early warnings not computed")
            continue
        if new:
            log.info("%d new early warning(s)", len(new))
            await console.announce({"type": "warnings", "items": new})


async def retention_forever(store: SharedStore, profile: Profile, upload_dir: Path, every: float) -> None:
    """Citizens' personal data past the profile's retention leaves the store (bot/orders/retention.py),
    one gateway a round; ``every`` 0 turns it off."""
    await loops.every(every, lambda: asyncio.to_thread(retention.scheduled_round, store, profile, upload_dir, every),
                      "retention round failed (it resumes next round)")


async def monthly_reports_forever(store: SharedStore, profile: Profile, every: float) -> None:
    """Last month's 研判报告, generated and kept once after the month ends (bot/analytics/archive.py),
    by one gateway; ``every`` 0 turns it off."""
    async def one_round() -> None:
        month = await asyncio.to_thread(archive.scheduled_round, store, profile, every)
        if month:
            log.info("the monthly report of %s generated and kept", month)
    await loops.every(every, one_round, "the monthly report not generated (it is tried again next round)")


async def purge_expired_forever(store: SharedStore, every: float) -> None:
    """Expired shared rows (WeChat's de-duplication, offered choices) leave the database on a
    schedule; a failure is logged and tried again at the next round."""
    async def purge() -> None:
        purged = await asyncio.to_thread(store.purge_expired)
        if purged:
            log.info("purged %d expired shared rows", purged)
    await loops.every(every, purge, "expired shared rows not purged")
