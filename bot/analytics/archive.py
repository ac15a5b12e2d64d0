"""The monthly 研判报告 on a schedule (鞍山条例第二十五条: 定期报告): once a month has ended, its report
is generated once and kept in the store, as the record of what was reported that month.

Guarantees:
- **Once.** Every gateway checks every ``HOTLINE_REPORTS_EVERY`` seconds (600 by default); a
  lock in the shared store (Redis or the database) lets one of them work a round, and the
  table's one row per month makes a second copy impossible even when two rounds meet.
- **After the month is whole.** Last month's report is made from ``GRACE`` after midnight on the
  1st (China time), when the day's last orders and the roll-up (every minute) have landed. A
  gateway that was down then makes it when it is back; older months are not filled in by the
  schedule (``python -m bot.analytics.archive generate --month YYYY-MM`` does that).
- **The same report.** What is kept is exactly what ``format=pdf`` gives for that month at that
  time (same sections, same privacy), plus the figures it was drawn from (JSON) for the Excel
  copy; regenerating one replaces it only when asked (``--replace``).
- **Kept as long as the profile says.** The newest ``reports.keep_months`` (60 by default) are
  kept; the schedule deletes older ones after each new report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.analytics import queries, report, report_pdf
from bot.profile import Profile, load_profile
from bot.store.db import migrate, session_scope
from bot.store.models import MonthlyReport, utcnow
from bot.store.shared import SharedStore

LOCK = "analytics:monthly-report"
GRACE = dt.timedelta(hours=1)
SCHEDULE = "schedule"


def china_now(now: dt.datetime | None = None) -> dt.datetime:
    """``now`` (naive UTC, as the store keeps time) in China time."""
    return (now or utcnow()) + queries.CHINA


def due(now: dt.datetime | None = None) -> str | None:
    """The month whose report the schedule makes now (YYYY-MM), or None in the first ``GRACE``
    of a month."""
    local = china_now(now)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if local - first < GRACE:
        return None
    return f"{first - dt.timedelta(days=1):%Y-%m}"


def scheduled_round(store: SharedStore, profile: Profile, every: float, now: dt.datetime | None = None) -> str | None:
    """One gateway's round: the month whose report it generated, or None (not due, already kept,
    or another gateway has this round)."""
    month = due(now)
    if month is None or _exists(month):
        return None
    if not store.add(LOCK, "1", max(1.0, every * 0.9)):
        return None
    made = generate(month, profile, SCHEDULE, now=now)
    prune(profile.report_keep_months, now)
    return month if made else None


def _exists(month: str) -> bool:
    with session_scope() as s:
        return s.execute(select(MonthlyReport.id).where(MonthlyReport.month == month)).first() is not None


def generate(month: str, profile: Profile, by: str, replace: bool = False, now: dt.datetime | None = None) -> bool:
    """Build ``month``'s report and keep it; False when it was already kept (and not ``replace``).
    A bad month, or one not yet over, raises ``queries.QueryError``."""
    now = now or utcnow()
    today = china_now(now).date()
    period = report.month_period(month, today)
    if period.end >= today:  # a kept report is the record of a whole month
        raise queries.QueryError(f"{period.start:%Y-%m} 尚未结束：存档只生成已经结束的月份（当月请用 format=pdf 查看）。")
    content = report.build(period, profile.evaluation_min_orders, profile.comparison_min_orders)
    pdf = report_pdf.as_pdf(content, profile.hotline_name, china_now(now))
    row = MonthlyReport(month=f"{period.start:%Y-%m}", generated_at=now, generated_by=by[:64], pdf=pdf,
                        content=json.dumps(content, ensure_ascii=False))
    try:
        with session_scope() as s:
            if replace:
                s.execute(delete(MonthlyReport).where(MonthlyReport.month == row.month))
            s.add(row)
    except IntegrityError:  # another gateway (or an operator) kept it first
        return False
    return True


def prune(keep_months: int, now: dt.datetime | None = None) -> int:
    """Delete the reports older than the newest ``keep_months`` months (counted back from now)."""
    local = china_now(now).date().replace(day=1)
    year, month = divmod(local.year * 12 + local.month - 1 - keep_months, 12)
    oldest = f"{year:04d}-{month + 1:02d}"
    with session_scope() as s:
        return s.execute(delete(MonthlyReport).where(MonthlyReport.month < oldest)).rowcount or 0


def listing() -> list[dict[str, Any]]:
    """The kept reports, newest month first (no file contents)."""
    with session_scope() as s:
        rows = s.execute(select(MonthlyReport.month, MonthlyReport.generated_at, MonthlyReport.generated_by)
                         .order_by(MonthlyReport.month.desc())).all()
    return [{"month": month, "generated_at": at.isoformat() + "Z", "generated_by": by} for month, at, by in rows]


def kept(month: str) -> tuple[bytes, dict[str, Any]] | None:
    """A kept report's PDF and figures; None when that month has none. A malformed month raises
    ``queries.QueryError``."""
    name = f"{report.month_period(month).start:%Y-%m}"
    with session_scope() as s:
        row = s.execute(select(MonthlyReport.pdf, MonthlyReport.content).where(MonthlyReport.month == name)).first()
    return None if row is None else (bytes(row[0]), json.loads(row[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.analytics.archive",
                                     description="The monthly 研判报告 kept in the store (the gateways make last "
                                                 "month's on their own after each month).")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("generate", help="make and keep one month's report now")
    make.add_argument("--month", required=True, help="YYYY-MM")
    make.add_argument("--replace", action="store_true", help="replace the kept one")
    sub.add_parser("list", help="the kept reports")
    args = parser.parse_args(argv)
    migrate()
    if args.command == "list":
        print(json.dumps(listing(), ensure_ascii=False, indent=2))
        return 0
    try:
        made = generate(args.month, load_profile(), f"cli:{getpass.getuser()}", replace=args.replace)
    except queries.QueryError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{args.month}: {'generated' if made else 'already kept (use --replace to make it again)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
