"""Shared fixtures: every test gets its own work-order database: SQLite, and for the modules
that exercise the store, PostgreSQL too (one database per run, emptied before each test)."""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("HOTLINE_KB_WARMUP", "0")


# Modules whose tests run on both databases: what the store does must hold on PostgreSQL too.
ON_BOTH_DATABASES = {"test_store", "test_retention", "test_lifecycle", "test_actions_intake", "test_wechat", "test_dispatch",
                     "test_actions_safety", "test_shared", "test_desk", "test_analytics", "test_callbacks",
                     "test_ask_citizen", "test_filing", "test_crypto"}


def pytest_generate_tests(metafunc):
    if "_own_database" in metafunc.fixturenames and metafunc.module.__name__.split(".")[-1] in ON_BOTH_DATABASES:
        metafunc.parametrize("_own_database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def postgres_url():
    """This run's own PostgreSQL database, migrated once and dropped at the end."""
    from tests import services

    url = services.create_database("unit")
    yield url
    services.drop_database(url)


@pytest.fixture(autouse=True)
def _own_database(request, tmp_path, monkeypatch):
    monkeypatch.delenv("HOTLINE_PROFILE", raising=False)
    if getattr(request, "param", "sqlite") == "postgresql":
        from tests import services

        url = request.getfixturevalue("postgres_url")
        from bot.store.db import migrate

        migrate(url)
        services.truncate_all(url)
        monkeypatch.setenv("HOTLINE_DB_URL", url)
    else:
        monkeypatch.setenv("HOTLINE_DB_URL", f"sqlite:///{tmp_path / 'hotline.db'}")
    yield


STAFF_KEY = "test-staff-key"
KB_KEY = "test-kb-key-water"
KB_UNIT = "供水企业；市城市供水主管部门"
UNIT = "市生态环境局"
UNIT_KEY = "test-unit-key-env"
METRICS_KEY = "test-metrics-key"
ANALYST_KEY = "test-analyst-key"
FLOOD_BURST = 25
# The e2e stack's WeChat account, in 安全 (encrypted) mode, as configured in production.
WECHAT = {"token": "e2eToken2026", "aes_key": "Q3h5bVhMa2p0S2l2dFJ6cE1XUGZ3bm9tR2V4cUxadHk", "appid": "wxe2e0000hotline1",
          "mode": "safe"}


def start_test_stack(workdir):
    """The real Rasa server, action server and gateway (Anshan profile) with the tests' keys and
    WeChat account. The knowledge base is a copy, so that tests of the units' API change only it."""
    from tests.stack import ROOT, start_stack

    shutil.copytree(ROOT / "kb" / "articles", workdir / "kb_articles")
    return start_stack(workdir, HOTLINE_API_KEYS=f"staff:值班长:{STAFF_KEY},kb:{KB_UNIT}:{KB_KEY},unit:{UNIT}:{UNIT_KEY},"
                                                   f"metrics:prometheus:{METRICS_KEY},analyst:研判组:{ANALYST_KEY}",
                       HOTLINE_KB_DIR=str(workdir / "kb_articles"), HOTLINE_WECHAT_APPID=WECHAT["appid"],
                       HOTLINE_WECHAT_TOKEN=WECHAT["token"], HOTLINE_WECHAT_AES_KEY=WECHAT["aes_key"],
                       HOTLINE_WECHAT_SECRET="e2e-secret", HOTLINE_WECHAT_MODE=WECHAT["mode"],
                       HOTLINE_NOTIFY_EVERY="1", HOTLINE_WECHAT_TEMPLATE_ID="TPL_E2E",
                       # Tests talk faster than people: limits that only a flood reaches.
                       HOTLINE_RATE_BURST=str(FLOOD_BURST), HOTLINE_RATE_PER_MINUTE="200",
                       HOTLINE_TRUST_FORWARDED="1", HOTLINE_RATE_IP_PER_MINUTE="60")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The servers shared by the end-to-end tests."""
    s = start_test_stack(tmp_path_factory.mktemp("stack"))
    yield s
    s.stop()
