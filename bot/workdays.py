"""Working days for deadlines: Chinese public holidays and make-up workdays (调休).

The ``chinese-calendar`` package knows each year once the State Council publishes it. For a
year it does not know yet, Monday to Friday count as working days and a warning is logged, so
a deadline is never refused, only possibly a little early; update the package each December.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar

# China has one time zone, without daylight saving: the hotline\'s days and hours are read in it.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))

log = logging.getLogger(__name__)
_warned: set[int] = set()


@lru_cache(maxsize=65536)  # a list of orders asks about the same days again and again
def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            log.warning("chinese-calendar has no holiday data for %s; counting Mon-Fri", day.year)
        return day.weekday() < 5


def add_working_days(start: dt.date | dt.datetime, days: int) -> dt.date:
    """The date of the ``days``-th working day after ``start`` (the start day itself not counted).

    A request made on Friday with 5 working days is due the next Friday; one made on the eve
    of the National Day holiday is due after the holiday.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start.date() if isinstance(start, dt.datetime) else start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


@lru_cache(maxsize=4096)
def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
