"""The gateway's HTTP API for staff, handling units and citizens (documented in openapi.yml,
served at /api/openapi.json and /api/docs).

- ``POST /api/triage``                  staff: one message -> its structured reading
- ``GET  /api/workorders/{number}``     staff: the whole order; a citizen: with ``phone_last4``
- ``GET|PUT /api/kb/articles[/{id}]``   units keep their knowledge-base articles current
- ``GET  /api/emergencies``             staff: the duty desk's alerts (``state=open|acknowledged|all``)
- ``POST /api/emergencies/{id}/acknowledge``  staff: an alert taken in hand (optional ``note``)
- ``GET  /healthz``                     Rasa, the action server and the database
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from sqlalchemy import text as sql_text

from bot.gateway.config import ApiKey, GatewayConfig
from bot.gateway.hub import Hub
from bot.gateway.limits import client_address
from bot.language.extract import MAX_CONTENT_CHARS
from bot.language.triage import triage
from bot.orders import lifecycle, lookups, suggest
from bot.profile import Profile
from bot.store import alerts, repository
from bot.store.db import session_scope
from bot.store.shared import SharedStore, shared_store
from kb import content as kb_content

log = logging.getLogger(__name__)

OPENAPI = Path(__file__).resolve().parent / "openapi.yml"
LOOKUP_FAILURES_ALLOWED = 10
LOOKUP_WINDOW = 600.0


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def ok(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=dumps)


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status, dumps=dumps)


async def read_message(profile: Profile, text: str) -> dict[str, Any]:
    """The triage reading of one message (its type from bot.language.request_types) and the unit
    智能派单 suggests for it."""
    reading = await asyncio.to_thread(triage, text, profile)
    suggestion = await asyncio.to_thread(suggest_unit, text, profile)
    if suggestion is not None and suggestion.unit:
        reading.update(unit=suggestion.unit, confidence=round(suggestion.confidence, 3),
                       unit_candidates=suggestion.as_dict()["candidates"])
    return reading


def suggest_unit(text: str, profile: Profile):
    dispatcher = suggest.suggester_for(profile)
    return dispatcher.suggest(text) if dispatcher is not None else None


def mask_name(name: str | None) -> str | None:
    return (name[0] + "*" * (len(name) - 1)) if name else name


def mask_phone(phone: str | None) -> str | None:
    if not phone or len(phone) < 7:
        return phone
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or a 400 with the reason in Chinese."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):  # 「[[[[…」 nested past Python's limit
        raise web.HTTPBadRequest(text=dumps({"error": "invalid_json", "message": "请求体不是合法的 JSON。"}),
                                 content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=dumps({"error": "invalid_body", "message": "请求体应为 JSON 对象。"}),
                                 content_type="application/json")
    return body


def presented_key(request: web.Request, keys: list[ApiKey]) -> ApiKey | None:
    """The key the request carries (``Authorization: Bearer …`` or ``X-API-Key``), if it is one of ``keys``."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("X-API-Key", "")
    if not token:
        return None
    presented = token.encode("utf-8", "surrogateescape")  # header bytes that are not UTF-8 come as surrogates
    for key in keys:
        if hmac.compare_digest(key.token.encode(), presented):
            return key
    return None


class Api:
    def __init__(self, config: GatewayConfig, hub: Hub, store: SharedStore | None = None) -> None:
        self.config = config
        self.hub = hub
        self.store = store or shared_store()
        self._lookup_failures: dict[str, deque[float]] = defaultdict(deque)

    # ------------------------------------------------------------------ auth

    def key(self, request: web.Request) -> ApiKey | None:
        return presented_key(request, self.config.api_keys)

    def require(self, request: web.Request, *roles: str) -> ApiKey:
        key = self.key(request)
        if key is None:
            raise web.HTTPUnauthorized(
                text=dumps({"error": "unauthorized", "message": "需要有效的 API 密钥（Authorization: Bearer …）。"}),
                content_type="application/json", headers={"WWW-Authenticate": "Bearer"})
        if key.role not in roles:
            raise web.HTTPForbidden(text=dumps({"error": "forbidden", "message": "此密钥无权进行该操作。"}),
                                    content_type="application/json")
        return key

    async def json_body(self, request: web.Request) -> dict[str, Any]:
        return await read_json(request)

    # ------------------------------------------------------------------ triage

    async def post_triage(self, request: web.Request) -> web.Response:
        self.require(request, "staff")
        body = await self.json_body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return error(400, "invalid_text", "text 应为非空字符串。")
        if len(text) > MAX_CONTENT_CHARS:
            return error(413, "text_too_long", f"text 不能超过{MAX_CONTENT_CHARS}个字。")
        return ok(await read_message(self.hub.profile, text))

    # ------------------------------------------------------------------ the duty desk

    async def list_emergencies(self, request: web.Request) -> web.Response:
        self.require(request, "staff")
        state = request.query.get("state", "open")
        if state not in alerts.STATES:
            return error(400, "invalid_state", "state 应为 open、acknowledged 或 all。")
        limit = request.query.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= 500:
            return error(400, "invalid_limit", "limit 应为1到500之间的整数。")
        return ok({"items": await asyncio.to_thread(alerts.listing, state, int(limit))})

    async def acknowledge_emergency(self, request: web.Request) -> web.Response:
        key = self.require(request, "staff")
        alert_id = request.match_info["alert_id"]
        if not alert_id.isdigit() or len(alert_id) > 12:
            return error(404, "not_found", "没有这条紧急警情。")
        body = await self.json_body(request) if request.can_read_body else {}
        note = body.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 2000):
            return error(400, "invalid_note", "note 应为不超过2000字的字符串。")
        done = await asyncio.to_thread(alerts.acknowledge, int(alert_id), f"staff:{key.name}", (note or "").strip() or None)
        if done is None:
            return error(404, "not_found", "没有这条紧急警情。")
        return ok(done)

    # ------------------------------------------------------------------ work orders

    def _too_many_failures(self, ip: str) -> bool:
        now = time.monotonic()
        q = self._lookup_failures[ip]
        while q and q[0] < now - LOOKUP_WINDOW:
            q.popleft()
        return len(q) >= LOOKUP_FAILURES_ALLOWED

    async def get_workorder(self, request: web.Request) -> web.Response:
        number = request.match_info["number"]
        if not repository.plausible_number(number):
            return error(404, "not_found", "没有找到这个工单号。")
        staff = self.key(request)
        if staff is not None and staff.role != "staff":
            return error(403, "forbidden", "此密钥无权查看工单。")
        last4 = request.query.get("phone_last4", "")
        # Behind the documented proxy, each citizen's own address (not the proxy's for everyone).
        ip = client_address(request.remote, request.headers.get("X-Forwarded-For")) or "?"
        guesses = (lookups.order_key(number),)
        if staff is None:
            if not last4:
                return error(401, "unauthorized", "查询工单详情需要工作人员密钥，或提供登记电话的后四位（phone_last4）。")
            # Per address (this gateway's window) and per order (every door, every gateway).
            if self._too_many_failures(ip) or await asyncio.to_thread(lookups.locked, self.store, guesses):
                return error(429, "too_many_attempts", "尝试次数过多，请稍后再试，或拨打热线查询。")
        order = await asyncio.to_thread(repository.get_order, number)
        if order is None or (staff is None and not (order.phone and hmac.compare_digest(order.phone[-4:].encode(), last4.encode("utf-8", "surrogateescape")))):
            if staff is None:
                self._lookup_failures[ip].append(time.monotonic())
                await asyncio.to_thread(lookups.failed, self.store, guesses)
            return error(404, "not_found", "没有找到这个工单号，或电话后四位不对。")
        if staff is not None:
            log.info("order %s read by staff key %s", order.number, staff.name)  # audit trail
            await asyncio.to_thread(lifecycle.audit, f"staff:{staff.name}", "read_order", order.number)
            return ok(await asyncio.to_thread(repository.order_as_dict, order))
        data = await asyncio.to_thread(repository.order_as_dict, order)
        data.update(name=mask_name(order.name), phone=mask_phone(order.phone), sender_id=None)
        return ok(data)

    # ------------------------------------------------------------------ knowledge base

    async def list_articles(self, request: web.Request) -> web.Response:
        self.require(request, "staff", "kb")
        articles, errors = await asyncio.to_thread(kb_content.load_dir, kb_content.ARTICLES_DIR)
        return ok({
            "articles": [{"id": a.id, "title": a.title, "topic": a.topic, "unit": a.unit,
                          "updated_at": a.updated_at.isoformat(), "review_by": a.review_by.isoformat()}
                         for a in articles],
            "errors": [{"path": p, "problem": e} for p, e in errors],
        })

    async def get_article(self, request: web.Request) -> web.Response:
        self.require(request, "staff", "kb")
        article = await asyncio.to_thread(_find_article, request.match_info["article_id"])
        if article is None:
            return error(404, "not_found", "没有这篇文章。")
        return ok(article.as_dict())

    async def put_article(self, request: web.Request) -> web.Response:
        key = self.require(request, "kb")
        article_id = request.match_info["article_id"]
        if not kb_content.ID_RX.match(article_id):
            return error(400, "invalid_id", "id 只能用小写字母、数字和连字符（2-64个字符）。")
        body = await self.json_body(request)
        if body.get("id", article_id) != article_id:
            return error(400, "id_mismatch", "请求体中的 id 与地址中的不一致。")
        today = dt.date.today()
        body = {"id": article_id, "updated_at": today.isoformat(),
                "review_by": (today + dt.timedelta(days=365)).isoformat(), **body}
        try:
            article = kb_content.article_from_dict(body)
        except kb_content.ArticleError as exc:
            return error(422, "invalid_article", str(exc))
        profile = self.hub.profile
        existing = await asyncio.to_thread(_find_article, article_id)
        own = {article.render(profile).unit} | ({existing.render(profile).unit} if existing else set())
        if own != {key.name}:
            return error(403, "not_your_unit", f"只能维护本单位（{key.name}）负责的文章。")
        path = await asyncio.to_thread(kb_content.write_article, article, kb_content.ARTICLES_DIR)
        log.info("kb article %s %s by %s", article_id, "updated" if existing else "added", key.name)
        return ok({"id": article_id, "created": existing is None, "path": str(path),
                   "message": "已保存，几秒内生效，无需重启。"}, status=200 if existing else 201)

    # ------------------------------------------------------------------ docs and health

    async def openapi(self, _request: web.Request) -> web.Response:
        spec = await asyncio.to_thread(lambda: yaml.safe_load(OPENAPI.read_text(encoding="utf-8")))
        return ok(spec)

    async def healthz(self, _request: web.Request) -> web.Response:
        rasa_ok, actions_ok = await asyncio.gather(self.hub.rasa.rasa_up(), self.hub.rasa.actions_up())
        try:
            await asyncio.to_thread(_db_ping)
            db_ok = True
        except Exception:
            db_ok = False
        checks = {"rasa": rasa_ok, "actions": actions_ok, "database": db_ok}
        if self.hub.bus.shared:
            checks["redis"] = await self.hub.bus.ping()
        return ok({"status": "ok" if all(checks.values()) else "degraded", "checks": checks},
                  status=200 if all(checks.values()) else 503)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/triage", self.post_triage),
            web.get("/api/emergencies", self.list_emergencies),
            web.post("/api/emergencies/{alert_id}/acknowledge", self.acknowledge_emergency),
            web.get("/api/workorders/{number}", self.get_workorder),
            web.get("/api/kb/articles", self.list_articles),
            web.get("/api/kb/articles/{article_id}", self.get_article),
            web.put("/api/kb/articles/{article_id}", self.put_article),
            web.get("/api/openapi.json", self.openapi),
            web.get("/healthz", self.healthz),
        ]


def _find_article(article_id: str) -> kb_content.Article | None:
    if not kb_content.ID_RX.match(article_id):
        return None
    path = next(kb_content.ARTICLES_DIR.rglob(f"{article_id}.yml"), None)
    if path is None:
        return None
    try:
        return kb_content.load_file(path)
    except kb_content.ArticleError:
        return None


def _db_ping() -> None:
    with session_scope() as s:
        s.execute(sql_text("SELECT 1"))
