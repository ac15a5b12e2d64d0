"""The console's pure parts: accounts and passwords, sessions, staffed hours."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.console import accounts
from bot.console.web import Console, parse_hours
from bot.gateway.bus import Bus
from bot.profile import load_profile


def test_passwords_are_hashed_and_checked():
    stored = accounts.hash_password("correct horse battery")
    assert stored.startswith("scrypt$") and "correct" not in stored
    assert accounts.check_password("correct horse battery", stored)
    assert not accounts.check_password("correct horse batterY", stored)
    assert not accounts.check_password("x", "garbage") and not accounts.check_password("x", "md5$1$2$3$4$5")


def test_accounts_sessions_and_their_end():
    who = accounts.create_agent("wangli", "王丽", "agent", "long-enough-1")
    with pytest.raises(accounts.AccountError):
        accounts.create_agent("wangli", "重名", "agent", "long-enough-2")
    with pytest.raises(accounts.AccountError):
        accounts.create_agent("zhang san", "张三", "agent", "long-enough-3")  # spaces
    with pytest.raises(accounts.AccountError):
        accounts.create_agent("lisi", "李四", "boss", "long-enough-4")  # no such role
    with pytest.raises(accounts.AccountError):
        accounts.create_agent("lisi", "李四", "agent", "short")
    assert accounts.authenticate("wangli", "wrong") is None and accounts.authenticate("nobody", "x") is None
    assert accounts.authenticate("wangli", "long-enough-1") == who
    token, csrf = accounts.start_session(who)
    assert accounts.session_for(token) == (who, csrf)
    assert accounts.session_for("forged") is None and accounts.session_for(None) is None
    accounts.set_password("wangli", "a-new-password")  # ends the sessions
    assert accounts.session_for(token) is None
    token, _ = accounts.start_session(who)
    accounts.set_disabled("wangli", True)
    assert accounts.session_for(token) is None and accounts.authenticate("wangli", "a-new-password") is None


class _Hub:
    bus = Bus()
    profile = load_profile("anshan")

    def on_citizen_message(self, listener): ...
    def on_handoff(self, hook): ...
    def set_waiting_text(self, text): ...


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 23, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_staffed_hours_including_overnight_shifts():
    day = Console(_Hub(), hours="08:00-20:00")  # type: ignore[arg-type]
    assert day.staffed(_at(8)) and day.staffed(_at(19, 59)) and not day.staffed(_at(20)) and not day.staffed(_at(3))
    night = Console(_Hub(), hours="20:00-08:00")  # type: ignore[arg-type]
    assert night.staffed(_at(23)) and night.staffed(_at(2)) and not night.staffed(_at(12))
    assert Console(_Hub()).staffed(_at(3))  # type: ignore[arg-type]
    assert parse_hours("") is None
    with pytest.raises(ValueError):
        parse_hours("早八点到晚八点")
