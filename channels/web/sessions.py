"""Web citizens' sessions: a secret the page holds, never a name a client chooses (issue 18).

A session is ``<public id>-<signature>``: 32 random hex digits and an HMAC of them with the
gateways' shared secret. The page keeps the whole token (the widget stores it; rasa-webchat keeps
what ``session_confirm`` gave it); the conversation is ``web-<public id>``, the name agents see
in the console. Knowing that name (or guessing one) therefore never opens the conversation's
history, its undelivered replies or its uploads: only the page with the token does. A token
that does not verify (an old session, a made-up id) starts a new, empty session.

The secret is ``HOTLINE_SESSION_SECRET`` (every gateway of a city must have the same one); a
single machine without it keeps a random one in ``var/session_secret``, made on first use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET_FILE = ROOT / "var" / "session_secret"
TOKEN_RX = re.compile(r"^([0-9a-f]{32})-([A-Za-z0-9_-]{22})$")


@lru_cache(maxsize=1)
def _secret() -> bytes:
    configured = os.environ.get("HOTLINE_SESSION_SECRET", "")
    if configured:
        return configured.encode("utf-8")
    SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    try:  # made once; two gateways starting together both read the one that won
        fd = os.open(SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    return SECRET_FILE.read_text(encoding="utf-8").strip().encode("utf-8")


def _sign(public: str, kind: str) -> str:
    mac = hmac.new(_secret(), f"{kind}-session:{public}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


def issue(kind: str = "web") -> str:
    """A new session's token; ``kind`` is the channel (``web``, ``rest``): a token of one
    channel never verifies on another."""
    public = secrets.token_hex(16)
    return f"{public}-{_sign(public, kind)}"


def public_id(token: object, kind: str = "web") -> str | None:
    """The session's public id when ``token`` is one this hotline issued for ``kind``, else None."""
    if not isinstance(token, str):
        return None
    m = TOKEN_RX.match(token)
    if m is None or not hmac.compare_digest(m.group(2), _sign(m.group(1), kind)):
        return None
    return m.group(1)


def sender_of(token: str) -> str:
    """The conversation of a valid token (``web-<public id>``)."""
    public = public_id(token)
    if public is None:
        raise ValueError("not a session token of this hotline")
    return f"web-{public}"
