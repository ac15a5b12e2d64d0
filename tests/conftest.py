"""Shared fixtures: every test gets its own SQLite work-order database."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HOTLINE_KB_WARMUP", "0")


@pytest.fixture(autouse=True)
def _own_database(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_DB_URL", f"sqlite:///{tmp_path / 'hotline.db'}")
    monkeypatch.delenv("HOTLINE_PROFILE", raising=False)
    yield


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real Rasa server and action server (Anshan profile), shared by the e2e tests."""
    from tests.stack import start_stack

    s = start_stack(tmp_path_factory.mktemp("stack"))
    yield s
    s.stop()
