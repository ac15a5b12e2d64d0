"""The start-up check of secrets (issue 24): production never runs on a secret anyone could know."""

from __future__ import annotations

import pytest

from bot.gateway.config import GatewayConfig
from bot.gateway.settings_check import InsecureSettings, check, problems
from channels.wechat.config import DEV_AES_KEY, DEV_TOKEN

GOOD = "Zq8-vT3pL0xR7mWc2Ny5bK9h"
SESSION = "f3a9c1d07b52e846a1c9d3e5f7082b4c6d8e0f1a"
DATA_KEY = "k1:q83vEjRWeJD+3a2vzerfADEyM0RVZneImaq7zN3u/wA="


def _problems(**env: str) -> list[str]:
    return problems(env, DEV_TOKEN, DEV_AES_KEY)


def test_good_production_settings_pass():
    assert _problems(HOTLINE_WECHAT_APPID="wx1234567890abcdef", HOTLINE_WECHAT_TOKEN=GOOD,
                     HOTLINE_WECHAT_AES_KEY="k" * 10 + GOOD + "x" * 19,
                     HOTLINE_API_KEYS=f"staff:值班长:{GOOD},unit:市生态环境局:{GOOD[::-1]}",
                     HOTLINE_SESSION_SECRET=SESSION, HOTLINE_REDIS_URL="redis://r:6379/0",
                     HOTLINE_LINKAGE_SECRET_FIRE=GOOD + "1", HOTLINE_DATA_KEYS=DATA_KEY) == []
    # nothing configured: only the data key is refused (WeChat stays off)
    assert [p.split(" ")[0] for p in _problems()] == ["HOTLINE_DATA_KEYS"]


def test_each_development_or_guessable_secret_is_named_without_printing_it():
    found = _problems(HOTLINE_WECHAT_APPID="wx1234567890abcdef", HOTLINE_WECHAT_TOKEN=DEV_TOKEN,
                      HOTLINE_WECHAT_AES_KEY=DEV_AES_KEY,
                      HOTLINE_API_KEYS="staff:值班长:<secret>,kb:市水务集团:short,unit:市生态环境局,"
                                       f"boss:x:{GOOD},unit:a:{GOOD},unit:b:{GOOD}",
                      HOTLINE_SESSION_SECRET="changeme", HOTLINE_LINKAGE_SECRET_GAS="s3cret")
    text = "\n".join(found)
    assert "development token" in text and "development key" in text
    assert "entry 1 (staff:值班长): the secret is an example" in text
    assert "entry 2 (kb:市水务集团): the secret is shorter than 16" in text
    assert "entry 3 is not role:name:secret" in text and "entry 4 is not role:name:secret" in text
    assert "entries 5 and 6 share one secret" in text
    assert "HOTLINE_SESSION_SECRET is an example" in text and "HOTLINE_LINKAGE_SECRET_GAS is an example" in text
    assert "short" not in text.replace("shorter", "") and GOOD not in text and DEV_TOKEN not in text


def test_an_empty_wechat_token_and_gateways_without_a_shared_session_secret():
    found = _problems(HOTLINE_WECHAT_APPID="wx1234567890abcdef", HOTLINE_REDIS_URL="redis://r:6379/0")
    assert any("HOTLINE_WECHAT_TOKEN is empty" in p for p in found)
    assert any("HOTLINE_SESSION_SECRET is not set while several gateways" in p for p in found)


def test_only_production_is_refused():
    env = {"HOTLINE_API_KEYS": "staff:值班长:dev"}
    check(GatewayConfig(development=True), DEV_TOKEN, DEV_AES_KEY, env)  # make run, the tests
    with pytest.raises(InsecureSettings) as refused:
        check(GatewayConfig(development=False), DEV_TOKEN, DEV_AES_KEY, env)
    assert refused.value.problems and "HOTLINE_ENV=development" in str(refused.value)


def test_the_gateway_refuses_to_start(monkeypatch):
    from bot.gateway.app import create_app

    monkeypatch.setenv("HOTLINE_ENV", "production")
    monkeypatch.setenv("HOTLINE_API_KEYS", "staff:值班长:<secret>")
    with pytest.raises(InsecureSettings):
        create_app(GatewayConfig.from_env())


def test_a_chat_apps_name_cannot_reach_into_another_apps_conversations():
    from bot.gateway.config import parse_api_keys

    keys = parse_api_keys(f"chat:app1:{GOOD},chat:app1-x:{GOOD}x,chat:学校:{GOOD}y")
    assert [k.name for k in keys] == ["app1", "学校"]  # rest-app1-x-foo is app1's user x-foo, never app1-x's foo
    found = _problems(HOTLINE_API_KEYS=f"chat:app1-x:{GOOD}")
    assert found and "no '-'" in found[0]
