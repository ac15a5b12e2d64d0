"""Issue 24 (encryption at rest): outside development the gateway refuses to start without its
own key for citizens' data, naming the setting and never printing a key."""

from __future__ import annotations

import base64

import pytest

from bot.gateway.config import GatewayConfig
from bot.gateway.settings_check import InsecureSettings, check, problems
from bot.store import crypto
from channels.wechat.config import DEV_AES_KEY, DEV_TOKEN

GOOD = "k2:" + base64.b64encode(bytes(range(7, 39))).decode()


def _problems(**env: str) -> list[str]:
    return [p for p in problems(env, DEV_TOKEN, DEV_AES_KEY) if "HOTLINE_DATA_KEYS" in p]


def test_a_production_key_passes_and_an_old_one_may_follow_it():
    assert _problems(HOTLINE_DATA_KEYS=GOOD) == []
    assert _problems(HOTLINE_DATA_KEYS=f"{GOOD},{crypto.development_key_spec()}") == []


@pytest.mark.parametrize("value, why", [
    ("", "HOTLINE_DATA_KEYS is not set"),
    ("k1:c2hvcnQ=", "HOTLINE_DATA_KEYS entry 1 (k1): the key is 5 bytes, not 32"),
    ("k1:" + base64.b64encode(b"\0" * 32).decode(), "not random"),
    (None, "encrypts with the development key"),
    ("dev:" + base64.b64encode(bytes(range(40, 72))).decode(), "encrypts with the development key"),
])
def test_a_missing_malformed_or_development_key_is_named(value, why):
    value = crypto.development_key_spec() if value is None else value
    found = _problems(HOTLINE_DATA_KEYS=value)
    assert len(found) == 1 and why in found[0]
    assert not value or value.split(":", 1)[1] not in found[0]


def test_the_gateway_refuses_to_start_without_a_key(monkeypatch):
    env = {"HOTLINE_API_KEYS": ""}
    check(GatewayConfig(development=True), DEV_TOKEN, DEV_AES_KEY, env)
    with pytest.raises(InsecureSettings, match="HOTLINE_DATA_KEYS is not set"):
        check(GatewayConfig(development=False), DEV_TOKEN, DEV_AES_KEY, env)
    check(GatewayConfig(development=False), DEV_TOKEN, DEV_AES_KEY, {"HOTLINE_DATA_KEYS": GOOD})
