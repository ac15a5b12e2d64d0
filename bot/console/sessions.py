"""Logging in and out, the session cookie, CSRF and the pages (auth and sessions)."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time

from aiohttp import web

from bot.console import accounts
from bot.console.common import (
    CONVERSATION_ROLES,
    COOKIE,
    STATIC,
)
from bot.console.parts import ConsolePart
from bot.gateway.api import dumps, error, ok, read_json

log = logging.getLogger(__name__)


class Sessions(ConsolePart):
    # ---------------------------------------------------------------- sessions

    def _session(self, request: web.Request) -> tuple[accounts.Who, str] | None:
        return accounts.session_for(request.cookies.get(COOKIE))

    async def _require(self, request: web.Request, write: bool = False,
                       roles: tuple[str, ...] = CONVERSATION_ROLES) -> accounts.Who:
        """The logged-in user, who must have one of ``roles`` (by default: those who talk with
        citizens; a handling unit's staff only see their own orders)."""
        found = await asyncio.to_thread(self._session, request)
        if found is None:
            raise web.HTTPUnauthorized(text=dumps({"error": "login_required", "message": "请先登录。"}),
                                       content_type="application/json")
        who, csrf = found
        sent = request.headers.get("X-CSRF-Token", "").encode("utf-8", "surrogateescape")
        if write and not hmac.compare_digest(sent, csrf.encode()):
            raise web.HTTPForbidden(text=dumps({"error": "csrf", "message": "页面已过期，请刷新后再试。"}),
                                    content_type="application/json")
        if who.role not in roles:
            raise web.HTTPForbidden(text=dumps({"error": "forbidden", "message": "您的账号没有这项权限。"}),
                                    content_type="application/json")
        return who

    async def login_page(self, _request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "login.html", headers={"Cache-Control": "no-store"})

    async def console_page(self, request: web.Request) -> web.StreamResponse:
        found = await asyncio.to_thread(self._session, request)
        if found is None:
            raise web.HTTPFound("/console/login")
        if found[0].role == "unit":
            raise web.HTTPFound("/console/orders")
        if found[0].role == "leader":
            raise web.HTTPFound("/console/analytics")
        return web.FileResponse(STATIC / "console.html", headers={"Cache-Control": "no-store"})

    async def orders_page(self, request: web.Request) -> web.StreamResponse:
        found = await asyncio.to_thread(self._session, request)
        if found is None:
            raise web.HTTPFound("/console/login")
        if found[0].role == "leader":  # 研判 is all a leader reads
            raise web.HTTPFound("/console/analytics")
        return web.FileResponse(STATIC / "orders.html", headers={"Cache-Control": "no-store"})

    async def analytics_page(self, request: web.Request) -> web.StreamResponse:
        """研判: the dashboard (supervisors and leaders; the data API says no to anyone else)."""
        if await asyncio.to_thread(self._session, request) is None:
            raise web.HTTPFound("/console/login")
        return web.FileResponse(STATIC / "analytics.html", headers={"Cache-Control": "no-store"})

    async def login(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        username, password = body.get("username"), body.get("password")
        # Failures are counted per address and account name: guessing one account's password is
        # stopped without letting one mistyping colleague lock out the whole room (one NAT); and
        # per account across addresses. The name is counted as it is looked up (「 pt1」 is pt1).
        name = str(username).strip()[:64]
        ip = f"{request.remote or '?'}|{name}"
        config = self.hub.config
        counters = [(self._login_failures[ip], config.login_failures_allowed),
                    (self._login_failures[f"*|{name}"], config.login_failures_per_account)]
        for failures, allowed in counters:
            while failures and failures[0] < time.monotonic() - config.login_window_seconds:
                failures.popleft()
            if len(failures) >= allowed:
                return error(429, "too_many", f"登录失败次数太多，请{max(1, round(config.login_window_seconds / 60))}分钟后再试。")
        if not isinstance(username, str) or not isinstance(password, str) or len(password) > 200:
            return error(400, "invalid", "请输入用户名和密码。")
        who = await asyncio.to_thread(accounts.authenticate, username, password)
        if who is None:
            for failures, _allowed in counters:
                failures.append(time.monotonic())
            log.warning("console login failed from %s", ip)
            return error(401, "bad_login", "用户名或密码不对。")
        token, csrf = await asyncio.to_thread(accounts.start_session, who)
        response = ok({"agent": who.__dict__, "csrf": csrf})
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/console",
                            secure=self.secure_cookie, max_age=accounts.SESSION_HOURS * 3600)
        return response

    async def logout(self, request: web.Request) -> web.Response:
        await self._require(request, write=True, roles=accounts.ROLES)
        await asyncio.to_thread(accounts.end_session, request.cookies.get(COOKIE))
        response = ok({"ok": True})
        response.del_cookie(COOKIE, path="/console")
        return response

    async def me(self, request: web.Request) -> web.Response:
        found = await asyncio.to_thread(self._session, request)
        if found is None:
            return error(401, "login_required", "请先登录。")
        who, csrf = found
        return ok({"agent": who.__dict__, "csrf": csrf})
