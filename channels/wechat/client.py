"""WeChat's HTTP API (wechatpy's WeChatClient), with the access token shared by every gateway
process and never fetched per message, and every call run off the event loop.

The token lives in the shared store (Redis or the database, ``bot.store.shared``) with its
expiry; it is refreshed ``REFRESH_MARGIN`` seconds before it expires by whichever process gets
the refresh lock first, while the others keep using the old one (WeChat accepts the old token
for five minutes after a new one is issued). The API base URL is configurable so that tests and
the simulator point the production code path at a local stand-in (``fake_api``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from bot.store.shared import SharedStore
from channels.wechat.config import WechatConfig

log = logging.getLogger(__name__)

REFRESH_MARGIN = 300.0
LOCK_TTL = 15.0
OUT_OF_WINDOW = {45015, 45047}  # 客服消息: the 48-hour window closed / too many in a row
BLOCKED = {43004, 43019, 40003}  # not following the account / blocked us / unknown openid
TOKEN_ERRORS = {40001, 40014, 42001}  # the access token refused: refreshed once, the call tried again
# 客服消息 errors that trying again cannot mend (the window is over, no such follower, not
# following, blocked, no permission).
FINAL = {45015, 40003, 43004, 43019, 48001}
# Why a 客服消息 did not go out, for the agents.
REASONS = {
    45015: "市民超过48小时没有再发消息，微信不允许再发客服消息",
    45047: "客服消息条数超过微信的上限，需等市民再发消息",
    40003: "微信用户标识无效",
    43004: "市民已取消关注公众号",
    43019: "市民已将公众号拉黑",
    48001: "公众号没有发送客服消息的权限",
    -1: "微信系统繁忙",
    40001: "微信接口凭证（access_token）无效",
    40014: "微信接口凭证（access_token）无效",
    42001: "微信接口凭证（access_token）已过期",
}


class SendError(Exception):
    """A 客服消息 not sent: WeChat's errcode (``network`` when WeChat was not reached) and why."""

    def __init__(self, code: str, reason: str, final: bool = False) -> None:
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.final = code, reason, final


class SharedSession(SessionStorage):
    """wechatpy's session storage on the shared store (JSON values, with expiry)."""

    def __init__(self, store: SharedStore, prefix: str = "wechat:") -> None:
        self.store = store
        self.prefix = prefix

    def get(self, key: str, default: Any = None) -> Any:
        value = self.store.get(self.prefix + key)
        return default if value is None else json.loads(value)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        self.store.set(self.prefix + key, json.dumps(value), ttl)

    def delete(self, key: str) -> None:
        self.store.delete(self.prefix + key)


class HotlineClient(WeChatClient):
    def __init__(self, config: WechatConfig, store: SharedStore) -> None:
        self.store = store
        # auto_retry off: a refused token is refreshed once, by WechatApi, not again and again.
        super().__init__(config.appid, config.secret, session=SharedSession(store), timeout=5, auto_retry=False)
        self.API_BASE_URL = config.api_base

    @property
    def expires_key(self) -> str:
        return self.access_token_key + "_expires_at"

    def fetch_access_token(self) -> dict[str, Any]:
        result = self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
        self.session.set(self.expires_key, time.time() + float(result.get("expires_in", 7200)))
        log.info("wechat access token refreshed")
        return result

    def _current(self) -> tuple[str | None, float]:
        return self.session.get(self.access_token_key), float(self.session.get(self.expires_key) or 0)

    @property
    def access_token(self) -> str:
        token, expires_at = self._current()
        if token and expires_at - time.time() > REFRESH_MARGIN:
            return token
        lock = "wechat:token-refresh:" + self.appid
        if self.store.add(lock, "1", LOCK_TTL):
            try:
                token, expires_at = self._current()  # refreshed by another process meanwhile?
                if not (token and expires_at - time.time() > REFRESH_MARGIN):
                    self.fetch_access_token()
            finally:
                self.store.delete(lock)
            return self.session.get(self.access_token_key)
        if token and expires_at > time.time():
            return token  # another process is refreshing; the current one is still good
        deadline = time.monotonic() + LOCK_TTL
        while time.monotonic() < deadline:
            time.sleep(0.1)
            fresh = self.session.get(self.access_token_key)
            if fresh and float(self.session.get(self.expires_key) or 0) > time.time():
                return fresh
        raise WeChatClientException(None, "access token not available")


class WechatApi:
    """The calls the channel makes, as coroutines (wechatpy is synchronous: each runs in a
    small thread pool so the event loop never waits on WeChat)."""

    def __init__(self, config: WechatConfig, store: SharedStore) -> None:
        self.config = config
        self.client = HotlineClient(config, store)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wechat-api")

    async def _call(self, fn: Any, *args: Any) -> Any:
        """One API call; a refused access token is refreshed once and the call tried again."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, fn, *args)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("wechat refused the access token (errcode %s): refreshed, the call tried again", exc.errcode)
            await loop.run_in_executor(self._pool, self.refresh_token)
            return await loop.run_in_executor(self._pool, fn, *args)

    def refresh_token(self) -> None:
        """A new access token now (WeChat refused the current one), by one process at a time:
        another that holds the refresh lock is waited for briefly instead."""
        lock = "wechat:token-refresh:" + self.client.appid
        if self.client.store.add(lock, "1", LOCK_TTL):
            try:
                self.client.fetch_access_token()
            finally:
                self.client.store.delete(lock)
            return
        time.sleep(0.5)

    async def send(self, openid: str, text: str) -> None:
        """A customer-service text message; raises ``SendError`` when WeChat will not take it
        (outside the 48-hour window, the citizen unfollowed: ``final``) or cannot be reached."""
        try:
            await self._call(self.client.message.send_text, openid, text)
        except WeChatClientException as exc:
            level = logging.INFO if exc.errcode in OUT_OF_WINDOW | BLOCKED else logging.WARNING
            log.log(level, "wechat custom message not sent (errcode %s)", exc.errcode)
            if exc.errcode is None:  # wechatpy's wrapping of an HTTP or network error
                raise SendError("network", "连不上微信服务器") from None
            try:
                code = int(exc.errcode)
            except (TypeError, ValueError):
                raise SendError(str(exc.errcode)[:16], "微信接口出错") from None
            raise SendError(str(code), REASONS.get(code, f"微信返回错误（{code}）"), final=code in FINAL) from None
        except Exception as exc:  # network: requests' errors
            log.warning("wechat custom message not sent: %s", type(exc).__name__)
            raise SendError("network", "连不上微信服务器") from None

    async def send_text(self, openid: str, text: str) -> bool:
        """``send``, as whether it went out."""
        try:
            await self.send(openid, text)
        except SendError:
            return False
        return True

    async def send_template(self, openid: str, template_id: str, data: dict[str, Any], url: str | None = None) -> bool:
        try:
            await self._call(self.client.message.send_template, openid, template_id, data, url)
            return True
        except Exception as exc:
            log.warning("wechat template message not sent: %s", getattr(exc, "errcode", type(exc).__name__))
            return False

    async def download_media(self, media_id: str, max_bytes: int) -> tuple[bytes | None, str]:
        """A temporary media file's bytes (None and a reason when it cannot be had)."""
        def fetch() -> tuple[bytes | None, str]:
            res = self.client.media.download(media_id)
            if isinstance(res, dict):
                return None, "not_media"
            length = int(res.headers.get("Content-Length") or 0)
            if length > max_bytes or len(res.content) > max_bytes:
                return None, "too_large"
            return res.content, "ok"
        try:
            return await self._call(fetch)
        except Exception as exc:
            log.warning("wechat media download failed: %s", getattr(exc, "errcode", type(exc).__name__))
            return None, "failed"

    async def create_menu(self, menu: dict[str, Any]) -> dict[str, Any]:
        return await self._call(self.client.menu.create, menu)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
