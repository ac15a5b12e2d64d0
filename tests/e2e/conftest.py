"""The end-to-end tests' servers (real Rasa, action server and gateway) and the keys and WeChat
account they are configured with. Every test in this folder is marked ``e2e`` (make e2e selects
them, make unit leaves them out)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """The folder is the mark: before -m selects, so that ``-m e2e`` and ``-m "not e2e"`` see it."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


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
    from tests.support.stack import ROOT, start_stack

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
