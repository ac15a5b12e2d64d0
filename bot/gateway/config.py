"""Gateway settings, from the environment (no secrets in files)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class ApiKey:
    # staff (read orders, triage, dispatch) | kb (write knowledge-base articles) | unit (handle
    # its orders) | metrics (read /metrics) | chat (a city app's backend that signs in its own
    # users and talks for them on the REST channel, naming them by its own ids) | analyst (reads
    # the 研判 figures: /api/analytics/*)
    role: str
    name: str  # who: an agent team, a handling unit
    token: str


KEY_ROLES = ("staff", "kb", "unit", "metrics", "chat", "analyst")
CHAT_APP_NAME = re.compile(r"\w{1,32}")  # letters (Chinese too), digits, _; no "-": it separates the app from its user


def parse_api_keys(value: str) -> list[ApiKey]:
    """``role:name:token`` entries separated by commas, e.g.
    ``staff:值班长:s3cret,kb:市水务集团:an0ther``. Malformed entries are ignored."""
    keys = []
    for entry in (value or "").split(","):
        parts = entry.strip().split(":", 2)
        if len(parts) == 3 and all(p.strip() for p in parts) and parts[0].strip() in KEY_ROLES:
            if parts[0].strip() == "chat" and not CHAT_APP_NAME.fullmatch(parts[1].strip()):
                continue  # its users' conversations are rest-<app>-<user>: "a-b" + "c" would be "a" + "b-c"
            keys.append(ApiKey(parts[0].strip(), parts[1].strip(), parts[2].strip()))
    return keys


@dataclass(frozen=True)
class GatewayConfig:
    host: str = "0.0.0.0"
    port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    actions_url: str = "http://127.0.0.1:5055"
    # A citizen waits at most this long before being told the system is busy; Rasa's answer
    # still reaches them when it comes.
    rasa_timeout: float = 10.0
    # Citizen messages this gateway has at its Rasa server at once; the others wait here, in
    # order. A Rasa server computes one message at a time: more at once only makes every
    # answer slower (and a saturated action server's answers too late for Rasa).
    rasa_in_flight: int = 8
    retry_every: float = 2.0
    max_message_chars: int = 2000
    upload_dir: Path = ROOT / "var" / "uploads"
    upload_max_bytes: int = 5 * 1024 * 1024
    static_dir: Path = ROOT / "channels" / "web" / "static"
    node_modules: Path = ROOT / "channels" / "web" / "node_modules"
    api_keys: list[ApiKey] = field(default_factory=list)
    # HOTLINE_ENV=development (``make run``, the tests): the console cookie may travel over plain
    # HTTP and the WeChat channel may run on its published development token. Anything else is
    # production: a Secure cookie, and no WeChat without the account's own settings.
    development: bool = False
    # The console: wrong passwords allowed per address and per account (from any addresses) in
    # the window, and the minutes an agent takes per conversation (the waiting citizen's estimate).
    login_failures_allowed: int = 10
    login_failures_per_account: int = 30
    login_window_seconds: float = 600.0
    minutes_per_conversation: float = 3.0

    @classmethod
    def from_env(cls, **overrides: Any) -> GatewayConfig:
        env = os.environ
        values: dict[str, Any] = {  # the fields, checked by the dataclass
            "host": env.get("GATEWAY_HOST", cls.host),
            "port": int(env.get("GATEWAY_PORT", cls.port)),
            "rasa_url": env.get("RASA_URL", f"http://127.0.0.1:{env.get('RASA_PORT', '5005')}"),
            "actions_url": env.get("ACTIONS_URL", f"http://127.0.0.1:{env.get('ACTIONS_PORT', '5055')}"),
            "rasa_timeout": float(env.get("HOTLINE_RASA_TIMEOUT", cls.rasa_timeout)),
            "rasa_in_flight": max(1, int(env.get("HOTLINE_RASA_IN_FLIGHT", cls.rasa_in_flight))),
            "retry_every": float(env.get("HOTLINE_RETRY_EVERY", cls.retry_every)),
            "max_message_chars": int(env.get("HOTLINE_MAX_MESSAGE_CHARS", cls.max_message_chars)),
            "upload_dir": Path(env.get("HOTLINE_UPLOAD_DIR", str(cls.upload_dir))),
            "upload_max_bytes": int(float(env.get("HOTLINE_UPLOAD_MAX_MB", "5")) * 1024 * 1024),
            "api_keys": parse_api_keys(env.get("HOTLINE_API_KEYS", "")),
            "development": env.get("HOTLINE_ENV", "").strip().lower() == "development",
            "login_failures_allowed": max(1, int(env.get("HOTLINE_LOGIN_FAILURES", cls.login_failures_allowed))),
            "login_failures_per_account": max(1, int(env.get("HOTLINE_LOGIN_FAILURES_PER_ACCOUNT",
                                                             cls.login_failures_per_account))),
            "login_window_seconds": max(1.0, float(env.get("HOTLINE_LOGIN_WINDOW_SECONDS", cls.login_window_seconds))),
            "minutes_per_conversation": max(0.5, float(env.get("HOTLINE_MINUTES_PER_CONVERSATION",
                                                               cls.minutes_per_conversation))),
        }
        values.update(overrides)
        return cls(**values)
