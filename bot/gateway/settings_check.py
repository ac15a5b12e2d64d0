"""The start-up check of secrets: outside development the gateway refuses to run on settings a
stranger could know or guess, and says which (by name, never printing a secret).

Refused outside ``HOTLINE_ENV=development``:
- the WeChat account configured (``HOTLINE_WECHAT_APPID``) with the published development token or
  AES key, or with an empty token;
- an API key that is malformed (ignored otherwise, so a typo would silently lock a unit out), too
  short to resist guessing, an example from the documentation, or the same as another key;
- a session secret or a linkage secret (``HOTLINE_LINKAGE_SECRET_*``) that is short or an example;
- several gateways (a shared Redis bus) without ``HOTLINE_SESSION_SECRET``: each would sign the
  citizens' sessions with its own file's secret and refuse the others';
- no ``HOTLINE_DATA_KEYS`` (citizens' personal data would be encrypted with the development key
  of ``var/data_key``, one per machine), a malformed one, or one that encrypts with the
  development key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from bot.gateway.config import CHAT_APP_NAME, KEY_ROLES, GatewayConfig
from bot.store import crypto

MIN_SECRET_CHARS = 16
MIN_SESSION_SECRET_CHARS = 32
# Secrets shown in the README, the deploy files and common habits: never real ones.
EXAMPLES = frozenset({"<secret>", "secret", "changeme", "change-me", "password", "s3cret", "an0ther",
                      "123456", "12345678", "test", "dev", "development", "hotline"})


class InsecureSettings(RuntimeError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("refusing to start outside HOTLINE_ENV=development:\n  - " + "\n  - ".join(problems))
        self.problems = problems


def _weak(value: str, minimum: int) -> str | None:
    if value.strip().lower() in EXAMPLES or value.strip().strip("<>").lower() in EXAMPLES:
        return "is an example from the documentation"
    if len(value) < minimum:
        return f"is shorter than {minimum} characters"
    if len(set(value)) < 4:
        return "repeats too few characters"
    return None


def problems(env: Mapping[str, str], dev_token: str, dev_aes_key: str) -> list[str]:
    """What is wrong with these settings for production, one line each (empty: nothing)."""
    found: list[str] = []
    if env.get("HOTLINE_WECHAT_APPID", "").strip():
        token = env.get("HOTLINE_WECHAT_TOKEN", "")
        if not token.strip():
            found.append("HOTLINE_WECHAT_TOKEN is empty (the WeChat account's message token)")
        elif token == dev_token:
            found.append("HOTLINE_WECHAT_TOKEN is the published development token")
        if env.get("HOTLINE_WECHAT_AES_KEY", "") == dev_aes_key:
            found.append("HOTLINE_WECHAT_AES_KEY is the published development key")
    seen: dict[str, int] = {}
    for i, entry in enumerate(e for e in env.get("HOTLINE_API_KEYS", "").split(",") if e.strip()):
        parts = [p.strip() for p in entry.strip().split(":", 2)]
        if len(parts) != 3 or not all(parts) or parts[0] not in KEY_ROLES:
            found.append(f"HOTLINE_API_KEYS entry {i + 1} is not role:name:secret with a role of "
                         f"{', '.join(KEY_ROLES)}")
            continue
        role, name, secret = parts
        if role == "chat" and not CHAT_APP_NAME.fullmatch(name):
            found.append(f"HOTLINE_API_KEYS entry {i + 1}: a chat app's name is letters, digits and _, at most 32 "
                         "(no '-': one app could otherwise speak in another's conversations)")
        why = _weak(secret, MIN_SECRET_CHARS)
        if why:
            found.append(f"HOTLINE_API_KEYS entry {i + 1} ({role}:{name}): the secret {why}")
        if secret in seen:
            found.append(f"HOTLINE_API_KEYS entries {seen[secret] + 1} and {i + 1} share one secret")
        seen.setdefault(secret, i)
    session = env.get("HOTLINE_SESSION_SECRET", "")
    if session:
        why = _weak(session, MIN_SESSION_SECRET_CHARS)
        if why:
            found.append(f"HOTLINE_SESSION_SECRET {why}")
    elif env.get("HOTLINE_REDIS_URL", "").strip():
        found.append("HOTLINE_SESSION_SECRET is not set while several gateways share a Redis bus "
                     "(every gateway must sign citizens' sessions with the same secret)")
    for name in sorted(k for k in env if k.startswith("HOTLINE_LINKAGE_SECRET_")):
        why = _weak(env[name], MIN_SECRET_CHARS)
        if why:
            found.append(f"{name} {why}")
    found.extend(_data_key_problems(env))
    return found


def _data_key_problems(env: Mapping[str, str]) -> list[str]:
    spec = env.get(crypto.ENV, "")
    if not spec.strip():
        return [f"{crypto.ENV} is not set (the key that encrypts citizens' personal data at rest; make one "
                "with `python -m bot.store.crypto new-key`, README \"Citizens' data encrypted at rest\")"]
    try:
        keys = crypto.parse_keys(spec)
    except crypto.DataKeyError as exc:
        return [str(exc)]
    first = keys[0]
    development: bytes | None = None
    try:
        development = crypto.parse_keys(crypto.KEY_FILE.read_text(encoding="utf-8"), str(crypto.KEY_FILE))[0].raw
    except (OSError, crypto.DataKeyError):
        pass
    if first.id == crypto.DEV_KEY_ID or first.raw == development:
        return [f"{crypto.ENV} encrypts with the development key (var/data_key, or the id {crypto.DEV_KEY_ID!r}): "
                "put a production key first (the development one may stay after it, to read old rows)"]
    if len(set(first.raw)) < 16:
        return [f"{crypto.ENV}'s key {first.id} is not random (too few distinct bytes)"]
    return []


def check(config: GatewayConfig, dev_token: str, dev_aes_key: str, env: Mapping[str, str] | None = None) -> None:
    """Raise ``InsecureSettings`` outside development when anything is wrong (the WeChat
    channel's published development token and key are given by the composition root)."""
    if config.development:
        return
    found = problems(os.environ if env is None else env, dev_token, dev_aes_key)
    if found:
        raise InsecureSettings(found)
