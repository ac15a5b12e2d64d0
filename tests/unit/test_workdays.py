"""Deadlines in working days with Chinese holidays and make-up workdays."""

import datetime as dt

from bot.workdays import add_working_days, is_workday, working_days_between


def test_ordinary_week():
    # Monday 2026-11-23 + 5 working days = Monday 2026-11-30
    assert add_working_days(dt.date(2026, 11, 23), 5) == dt.date(2026, 11, 30)


def test_friday_skips_weekend():
    assert add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)


def test_national_day_holiday_is_skipped():
    # Filed on 2026-09-30, the National Day holiday (Oct 1-7) does not count.
    due = add_working_days(dt.date(2026, 9, 30), 5)
    assert due >= dt.date(2026, 10, 12)
    assert not is_workday(dt.date(2026, 10, 1))


def test_makeup_workday_counts():
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    makeup = [d for d in days if d.weekday() >= 5 and is_workday(d) and not is_workday(d - dt.timedelta(days=1))]
    assert makeup, "2026 has weekend make-up workdays (调休)"
    # The day before a make-up Sunday is off, so the next working day is the Sunday itself.
    assert add_working_days(makeup[0] - dt.timedelta(days=1), 1) == makeup[0]


def test_year_without_data_falls_back_to_weekdays():
    assert add_working_days(dt.date(2031, 3, 3), 5) == dt.date(2031, 3, 10)


def test_between():
    assert working_days_between(dt.date(2026, 11, 23), dt.date(2026, 11, 30)) == 5
