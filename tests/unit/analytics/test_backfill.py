"""The street and the sensitive word of orders filed before migration 0020, filled by a resumable
backfill in bounded batches (bot/analytics/backfill.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.analytics import backfill
from bot.store import repository
from bot.store.db import session_scope
from bot.store.models import WorkOrder
from tests.unit.analytics.test_analytics import filed


def _as_before_0020(numbers: list[str]) -> None:
    """Orders as migration 0020 found them: no street, no word."""
    with session_scope() as s:
        s.execute(update(WorkOrder).where(WorkOrder.number.in_(numbers)).values(street=None, sensitive=None))


def _read(number: str) -> tuple[str | None, str | None]:
    order = repository.get_order(number)
    return order.street, order.sensitive


def test_old_orders_get_what_filing_would_have_read_in_batches_and_a_stopped_run_goes_on():
    old = [filed("2026-10-02", address=f"铁东区胜利街道园林小区{i}号楼", content="楼道堆放杂物") for i in range(5)]
    old.append(filed("2026-10-03", address="铁西区某路1号", content="物业不管，业主们准备拉横幅"))
    old.append(filed("2026-10-03", district="立山区", address="立山区站前街道3号", content="小区门口有人静坐"))
    old.append(filed("2026-10-04", content="商场门口搞跳楼价甩卖，占道经营"))  # neither: stays empty
    _as_before_0020(old)
    kept = filed("2026-10-05", address="铁东区园林街道某小区", content="楼下烧烤")  # already read: kept as it is
    with session_scope() as s:
        s.execute(update(WorkOrder).where(WorkOrder.number == kept).values(street="手填街道"))

    first = backfill.run(batch=3, batches=2)  # stopped after two batches: six orders read
    assert first == {"read": 6, "changed": 6, "batches": 2, "finished": False}
    assert [_read(n) for n in old[:5]] == [("胜利街道", None)] * 5
    assert _read(old[5]) == (None, "拉横幅") and _read(old[6]) == (None, None)  # not reached yet
    status = backfill.status()
    assert status is not None and status["done"] == 6 and status["finished_at"] is None

    later = filed("2026-10-06", address="铁东区胜利街道1号", content="有人上访")  # after the start: read at filing
    _as_before_0020([later])
    rest = backfill.run(batch=3)
    assert rest["finished"] and rest["read"] == 3 and rest["changed"] == 1  # old[6], old[7], kept
    assert _read(old[6]) == ("站前街道", "静坐") and _read(old[7]) == (None, None)
    assert _read(kept) == ("手填街道", None)  # never overwritten
    assert _read(later) == (None, None)  # beyond the newest order at the start: not the backfill's
    assert backfill.run(batch=3) == {"read": 0, "changed": 0, "batches": 1, "finished": True}  # done: nothing again


def test_the_command_reports_its_progress_and_refuses_a_bad_batch(capsys):
    _as_before_0020([filed("2026-10-02", address="铁东区胜利街道园林小区", content="楼道堆放杂物")])
    assert backfill.main(["--batch", "0"]) == 2
    assert backfill.main(["--status"]) == 0 and capsys.readouterr().out.strip() == "null"
    assert backfill.main(["--batch", "50"]) == 0
    out = capsys.readouterr().out
    assert '"finished": true' in out and '"changed": 1' in out


def test_a_day_whose_orders_get_a_street_is_rolled_up_again_so_the_figures_by_street_hold_it():
    from bot.analytics import queries as q
    from bot.analytics import rollup

    old = filed("2026-10-02", address="铁东区胜利街道园林小区", content="楼道堆放杂物")
    filed("2026-10-03", address="铁东区园林街道某小区", content="楼下烧烤")
    _as_before_0020([old])
    days = [dt.date(2026, 10, 2), dt.date(2026, 10, 3)]
    assert rollup.refresh(days) == 2
    before = q.summary(q.period("2026-10-02", "2026-10-03"), "month", "street")["totals"]
    assert before == {q.UNKNOWN: 1, "铁东区·园林街道": 1}
    backfill.run(batch=10)
    assert rollup.rolled(days) == {days[1]}  # the 2nd is counted live until the job's next round
    after = q.summary(q.period("2026-10-02", "2026-10-03"), "month", "street")["totals"]
    assert after == {"铁东区·胜利街道": 1, "铁东区·园林街道": 1}
    assert rollup.refresh(days[:1]) == 1
    assert q.summary(q.period("2026-10-02", "2026-10-03"), "month", "street")["totals"] == after
