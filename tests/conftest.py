"""Shared fixtures: every test gets its own work-order database: SQLite, and for the modules
that exercise the store, PostgreSQL too (one database per run, emptied before each test).
The end-to-end tests' servers and keys: tests/e2e/conftest.py."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HOTLINE_KB_WARMUP", "0")


# Modules whose tests run on both databases: what the store does must hold on PostgreSQL too.
ON_BOTH_DATABASES = {"test_store", "test_retention", "test_lifecycle", "test_actions_intake", "test_wechat", "test_suggest",
                     "test_actions_safety", "test_shared", "test_desk", "test_analytics", "test_callbacks",
                     "test_ask_citizen", "test_filing", "test_crypto", "test_reports", "test_warnings", "test_backfill"}


def pytest_generate_tests(metafunc):
    if "_own_database" in metafunc.fixturenames and metafunc.module.__name__.split(".")[-1] in ON_BOTH_DATABASES:
        metafunc.parametrize("_own_database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def postgres_url():
    """This run's own PostgreSQL database, migrated once and dropped at the end."""
    from tests.support import services

    url = services.create_database("unit")
    yield url
    services.drop_database(url)


@pytest.fixture(autouse=True)
def _own_database(request, tmp_path, monkeypatch):
    monkeypatch.delenv("HOTLINE_PROFILE", raising=False)
    if getattr(request, "param", "sqlite") == "postgresql":
        from tests.support import services

        url = request.getfixturevalue("postgres_url")
        from bot.store.db import migrate

        migrate(url)
        services.truncate_all(url)
        monkeypatch.setenv("HOTLINE_DB_URL", url)
    else:
        monkeypatch.setenv("HOTLINE_DB_URL", f"sqlite:///{tmp_path / 'hotline.db'}")
    yield
