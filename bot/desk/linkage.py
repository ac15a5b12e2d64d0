"""Linkage units (联动单位): each alert goes to the contacts of its numbers and kind.

The city profile names the contacts (``duty_desk.linkage``: key, name, and the emergency numbers
or kinds each receives); the address and secret of each contact's webhook come from the
environment, never from a file in the repository:

    HOTLINE_LINKAGE_URL_POLICE=https://110.example.gov.cn/hotline/alerts
    HOTLINE_LINKAGE_SECRET_POLICE=<shared secret>

Senders are pluggable: ``WebhookSender`` (the built-in one) posts the alert as JSON, signed with
HMAC-SHA256 over ``timestamp.body`` (header ``X-Hotline-Signature: sha256=<hex>``, with
``X-Hotline-Timestamp`` and ``X-Hotline-Delivery``, the id a receiver uses to drop a repeat);
``LogSender`` only writes the alert to the log (development, or a contact without an address:
the desk then shows it as 仅记录). The ``Notifier`` sends what is due every second and keeps
what fails: retried with backoff (2, 4, 8 … seconds, at most five minutes), never dropped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from bot.language.emergency import Emergency
from bot.profile import Profile
from bot.store import alerts

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0


@dataclass(frozen=True)
class Contact:
    key: str
    name: str
    numbers: tuple[str, ...]
    kinds: tuple[str, ...]


def contacts(profile: Profile) -> list[Contact]:
    out = []
    for c in (profile.duty_desk or {}).get("linkage") or []:
        key = re.sub(r"[^a-z0-9_]", "", str(c.get("key", "")).lower())
        if key:
            out.append(Contact(key, str(c.get("name") or key), tuple(str(n) for n in c.get("numbers") or ()),
                               tuple(str(k) for k in c.get("kinds") or ())))
    return out


def contacts_for(found: Emergency, profile: Profile) -> list[Contact]:
    """The contacts an alert goes to: those of any of its numbers, and of its kind."""
    return [c for c in contacts(profile) if set(c.numbers) & set(found.numbers) or found.kind in c.kinds]


class Sender(Protocol):
    name: str

    async def send(self, delivery_id: int, contact: str, alert: dict[str, Any]) -> str:
        """Deliver; return the delivery's status (``delivered`` or ``logged``) or raise."""


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc).isoformat()
    raise TypeError(type(value).__name__)


def payload(delivery_id: int, contact: str, alert: dict[str, Any]) -> bytes:
    body = {"delivery": delivery_id, "contact": contact,
            "alert": {k: alert[k] for k in ("id", "kind", "level", "numbers", "text", "messages", "channel",
                                             "place", "received_at", "last_at")}}
    return json.dumps(body, ensure_ascii=False, default=_json_default).encode("utf-8")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                                hashlib.sha256).hexdigest()


class LogSender:
    name = "log"

    async def send(self, delivery_id: int, contact: str, alert: dict[str, Any]) -> str:
        log.warning("LINKAGE (log only) delivery=%s contact=%s alert=%s kind=%s numbers=%s",
                    delivery_id, contact, alert["id"], alert["kind"], ",".join(alert["numbers"]))
        return "logged"


class WebhookSender:
    name = "webhook"

    def __init__(self, url: str, secret: str, timeout: float = 5.0) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def send(self, delivery_id: int, contact: str, alert: dict[str, Any]) -> str:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        body = payload(delivery_id, contact, alert)
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Hotline-Timestamp": timestamp,
                   "X-Hotline-Delivery": str(delivery_id), "X-Hotline-Signature": sign(self.secret, timestamp, body)}
        async with self._session.post(self.url, data=body, headers=headers) as response:
            if response.status >= 300:
                raise RuntimeError(f"HTTP {response.status}")
        return "delivered"

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def senders_from_env(profile: Profile, env: dict[str, str] | None = None) -> dict[str, Sender]:
    """A webhook for each contact whose address is set, the log for the others."""
    env = dict(os.environ if env is None else env)
    out: dict[str, Sender] = {}
    for c in contacts(profile):
        url = env.get(f"HOTLINE_LINKAGE_URL_{c.key.upper()}", "").strip()
        secret = env.get(f"HOTLINE_LINKAGE_SECRET_{c.key.upper()}", "")
        if url and not secret:
            log.error("linkage contact %s has an address but no secret: deliveries are only logged", c.key)
        out[c.key] = WebhookSender(url, secret) if url and secret else LogSender()
    return out


def backoff(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0 ** max(1, attempts + 1))


class Notifier:
    """Sends due deliveries; every gateway may run one (each delivery is claimed by one)."""

    def __init__(self, senders: dict[str, Sender], every: float = 1.0) -> None:
        self.senders = senders
        self.every = every
        self._task: asyncio.Task | None = None

    async def send_due(self) -> int:
        due = await asyncio.to_thread(alerts.claim_due)
        sent = 0
        for d in due:
            sender = self.senders.get(d.contact) or LogSender()
            try:
                status = await sender.send(d.id, d.contact, d.alert)
            except Exception as exc:  # kept, retried: a contact that is down loses nothing
                log.warning("linkage delivery %s to %s failed (attempt %s): %s", d.id, d.contact, d.attempts + 1, exc)
                await asyncio.to_thread(alerts.failed, d.id, f"{type(exc).__name__}: {exc}", backoff(d.attempts))
            else:
                await asyncio.to_thread(alerts.delivered, d.id, status)
                sent += 1
        return sent

    async def run(self) -> None:
        while True:
            try:
                await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("linkage deliveries not sent this round")
            await asyncio.sleep(self.every)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        for sender in self.senders.values():
            close = getattr(sender, "close", None)
            if close is not None:
                await close()
