"""Backups (issue 24): a live store backed up while the gateway keeps writing, restored into a new
database with every order, event and transcript row committed before the backup began (SQLite
through the online backup API, PostgreSQL through pg_dump/pg_restore), and every bad input
refused with one clear line and a non-zero exit."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bot.orders import lifecycle
from bot.profile import load_profile
from bot.store import backup, crypto, repository, transcript
from bot.store.db import migrate
from tests.support import services
from tests.support.stack import ROOT

P = load_profile("anshan")
UNIT = "市城市管理综合行政执法局"
ROWS = "SELECT (SELECT count(*) FROM work_orders), (SELECT count(*) FROM work_order_events), " \
       "(SELECT count(*) FROM transcript_messages)"


def file_one(key: str) -> tuple[str, int]:
    """An order filed the way the bot files it, half of them dispatched, with two transcript rows;
    (its number, how many events it has)."""
    sender = f"web-{key}"
    transcript.add(sender, "web", "citizen", f"小区门口占道经营，车辆无法通行（{key}）")
    req = repository.OrderRequest(request_type="投诉", content=f"小区门口占道经营，车辆无法通行（{key}）",
                                  address="铁东区胜利路", district="铁东区", name="王丽", phone="13912345678",
                                  confidential=False, wants_reply=True, channel="web", sender_id=sender,
                                  idempotency_key=key)
    number = repository.file_order(req, P)[0].number
    transcript.add(sender, "web", "bot", f"已为您登记工单 {number}")
    if int(key.rsplit("-", 1)[-1]) % 2:
        lifecycle.dispatch(number, UNIT, "staff:派单员", P)
        return number, 2
    return number, 1


class Tracker:
    """A stand-in for Rasa's SQL tracker store: its ``events`` table, written as Rasa writes it."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, future=True, poolclass=NullPool)
        with self.engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS events (id SERIAL PRIMARY KEY, sender_id VARCHAR(255), "
                              "type_name VARCHAR(255), data TEXT)" if url.startswith("postgresql") else
                              "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                              "type_name VARCHAR(255), data TEXT)"))
            if url.startswith("sqlite"):
                conn.execute(text("PRAGMA journal_mode=WAL"))

    def add(self, sender: str) -> int:
        with self.engine.begin() as conn:
            return conn.execute(text("INSERT INTO events (sender_id, type_name, data) VALUES (:s, 'user', :d) "
                                     "RETURNING id"), {"s": sender, "d": json.dumps({"text": "你好"})}).scalar_one()


class Writer(threading.Thread):
    """The gateway and the action server at work: orders, events, transcript and tracker rows."""

    def __init__(self, tracker: Tracker) -> None:
        super().__init__(daemon=True)
        self.tracker, self.stop, self.lock = tracker, threading.Event(), threading.Lock()
        self.orders: dict[str, int] = {}
        self.tracker_ids: list[int] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        i = 0
        try:
            while not self.stop.is_set():
                i += 1
                number, events = file_one(f"load-{i}")
                tid = self.tracker.add(f"web-load-{i}")
                with self.lock:
                    self.orders[number] = events
                    self.tracker_ids.append(tid)
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            self.error = exc

    def committed(self) -> tuple[dict[str, int], set[int]]:
        with self.lock:
            return dict(self.orders), set(self.tracker_ids)

    def wait_for(self, n: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.committed()[0]) < n and time.monotonic() < deadline and self.is_alive():
            time.sleep(0.05)


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.store.backup", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def backed_up_under_load(tmp_path: Path, tracker_url: str) -> tuple[Path, dict[str, int], set[int], str]:
    """The store (HOTLINE_DB_URL) seeded, then backed up by the command line while a writer files
    on; (the backup, orders and tracker rows committed before it began, the transcript texts)."""
    seeded = dict(file_one(f"seed-{i}") for i in range(40))
    tracker = Tracker(tracker_url)
    writer = Writer(tracker)
    writer.start()
    writer.wait_for(5)
    orders, tracker_ids = writer.committed()
    orders.update(seeded)
    done = cli("backup", "--out", str(tmp_path / "backups"), "--tracker", tracker_url)
    writer.wait_for(len(writer.committed()[0]) + 5)  # still writing after the backup
    writer.stop.set()
    writer.join(30)
    tracker.engine.dispose()
    assert writer.error is None, writer.error
    assert done.returncode == 0, done.stderr
    made = [p for p in (tmp_path / "backups").iterdir()]
    assert len(made) == 1 and made[0].name.startswith("hotline-")
    manifest = json.loads((made[0] / "manifest.json").read_text())
    # The writer was at work while the backup ran: some of its orders are in it, some came after.
    assert len(orders) <= manifest["databases"]["store"]["tables"]["work_orders"] < len(seeded) + len(writer.orders)
    return made[0], orders, tracker_ids, manifest["databases"]["store"]["revision"]


def assert_restored(url: str, tracker_url: str, orders: dict[str, int], tracker_ids: set[int]) -> None:
    """Every order committed before the backup, each with its events and its two transcript rows,
    and every tracker row; and each order in the restored store whole (its filing event with it)."""
    engine = create_engine(url, future=True, poolclass=NullPool)
    with engine.connect() as conn:
        events = dict(conn.execute(text("SELECT o.number, count(e.id) FROM work_orders o LEFT JOIN "
                                        "work_order_events e ON e.order_id = o.id GROUP BY o.number")).all())
        said = {crypto.decrypt(r[0]) for r in conn.execute(text("SELECT text FROM transcript_messages WHERE author = 'bot'"))}
    engine.dispose()
    missing = [n for n in orders if n not in events]
    assert not missing, f"{len(missing)} orders committed before the backup are missing: {missing[:5]}"
    assert all(events[n] >= k for n, k in orders.items())
    assert all(k >= 1 for k in events.values())
    assert all(f"已为您登记工单 {n}" in said for n in orders)
    tracker = create_engine(tracker_url, future=True, poolclass=NullPool)
    with tracker.connect() as conn:
        restored_ids = {r[0] for r in conn.execute(text("SELECT id FROM events"))}
    tracker.dispose()
    assert tracker_ids <= restored_ids


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "bot" / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head()


# ---------------------------------------------------------------- SQLite

def test_sqlite_store_and_tracker_backed_up_under_load_restore_whole(tmp_path):
    migrate()
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    made, orders, tracker_ids, revision = backed_up_under_load(tmp_path, tracker_url)
    assert revision == head_revision()
    assert sorted(p.name for p in made.iterdir()) == ["manifest.json", "store.sqlite", "tracker.sqlite"]
    assert (made.stat().st_mode & 0o777) == 0o700 and ((made / "store.sqlite").stat().st_mode & 0o777) == 0o600

    into, tracker_into = tmp_path / "restored" / "hotline.db", tmp_path / "restored" / "tracker.db"
    done = cli("restore", made.name, "--dir", str(tmp_path / "backups"), "--into", f"sqlite:///{into}",
               "--tracker-into", f"sqlite:///{tracker_into}")
    assert done.returncode == 0, done.stderr
    assert "every table holds the rows the manifest counted" in done.stdout
    assert_restored(f"sqlite:///{into}", f"sqlite:///{tracker_into}", orders, tracker_ids)

    conn = sqlite3.connect(into)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    conn.close()
    migrate(f"sqlite:///{into}")  # already at head: nothing to do
    conn = sqlite3.connect(into)
    assert conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == schema
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(revision,)]
    conn.close()
    assert sqlite3.connect(tracker_into).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.fixture()
def small_backup(tmp_path, monkeypatch):
    """A store with three orders backed up (work-order store only); the backup's directory."""
    for i in range(3):
        file_one(f"small-{i}")
    monkeypatch.setenv("HOTLINE_BACKUP_DIR", str(tmp_path / "backups"))
    return backup.backup(tmp_path / "backups", [backup.Database("store", os.environ["HOTLINE_DB_URL"])])


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = backup.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_each_backup_with_its_counts(small_backup, capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and small_backup.name in out and "orders 3" in out and "transcript 6" in out


def test_a_changed_file_is_refused_before_anything_is_written(small_backup, tmp_path, capsys):
    with open(small_backup / "store.sqlite", "r+b") as handle:
        handle.seek(5000)
        handle.write(b"\x00garbage")
    target = tmp_path / "new.db"
    code, _, err = run(capsys, "restore", small_backup.name, "--into", f"sqlite:///{target}")
    assert code == 1 and "sha256" in err and "nothing was restored" in err
    assert not target.exists()


@pytest.mark.parametrize("manifest", ["{not json", '{"format": 1, "databases": {}}',
                                      '{"format": 1, "databases": {"store": {"file": "../x"}}}'])
def test_a_damaged_manifest_is_refused(small_backup, tmp_path, capsys, manifest):
    (small_backup / "manifest.json").write_text(manifest)
    code, _, err = run(capsys, "restore", str(small_backup), "--into", f"sqlite:///{tmp_path / 'new.db'}")
    assert code == 1 and "manifest.json" in err and "damaged" in err
    assert not (tmp_path / "new.db").exists()
    code, out, _ = run(capsys, "list")
    assert code == 0 and "damaged" in out


def test_an_unknown_backup_is_named(small_backup, capsys):
    code, _, err = run(capsys, "restore", "hotline-19990101T000000Z")
    assert code == 1 and "no backup 'hotline-19990101T000000Z'" in err and "list" in err


def test_a_database_with_rows_is_replaced_only_with_force(small_backup, tmp_path, capsys):
    target = tmp_path / "target.db"
    assert run(capsys, "restore", small_backup.name, "--into", f"sqlite:///{target}")[0] == 0
    # Rows added since, still in the write-ahead log of a process that stopped without closing.
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("DELETE FROM transcript_messages")
    conn.commit()
    shutil.copyfile(f"{target}-wal", tmp_path / "stale-wal")
    conn.close()
    shutil.copyfile(tmp_path / "stale-wal", f"{target}-wal")

    code, _, err = run(capsys, "restore", small_backup.name, "--into", f"sqlite:///{target}")
    assert code == 1 and "not empty" in err and "work_orders: 3" in err and "--force" in err
    code, out, _ = run(capsys, "restore", small_backup.name, "--into", f"sqlite:///{target}", "--force")
    assert code == 0, out
    conn = sqlite3.connect(target)
    assert conn.execute(ROWS).fetchone() == (3, 4, 6)  # the backup's rows, not the stale log's
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_no_space_leaves_no_half_backup(tmp_path, monkeypatch, capsys):
    file_one("space-1")
    monkeypatch.setattr(backup.shutil, "disk_usage", lambda _p: SimpleNamespace(free=4096))
    code, _, err = run(capsys, "backup", "--out", str(tmp_path / "backups"), "--no-tracker")
    assert code == 1 and "no space" in err
    assert list((tmp_path / "backups").iterdir()) == []


@pytest.mark.parametrize("url, says", [("mysql://u@h/db", "only SQLite and PostgreSQL"),
                                       ("nonsense", "not a database URL"),
                                       ("sqlite:////nonexistent/dir/hotline.db", "no SQLite database at")])
def test_a_wrong_store_url_is_named(tmp_path, monkeypatch, capsys, url, says):
    monkeypatch.setenv("HOTLINE_DB_URL", url)
    code, _, err = run(capsys, "backup", "--out", str(tmp_path / "backups"), "--no-tracker")
    assert code == 1 and says in err


def test_pg_dump_missing_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOTLINE_DB_URL", "postgresql://hotline:secret@127.0.0.1:1/hotline")
    monkeypatch.setenv("HOTLINE_PG_BIN", str(tmp_path))
    code, _, err = run(capsys, "backup", "--out", str(tmp_path / "backups"), "--no-tracker")
    assert code == 1 and "pg_dump not found" in err and "secret" not in err


def test_the_tracker_store_is_read_from_the_endpoints_file(monkeypatch):
    assert backup.tracker_url(str(ROOT / "endpoints.yml")) == "sqlite:///var/tracker.db"
    for name, value in {"RASA_DB_HOST": "db", "RASA_DB_PORT": "5433", "RASA_DB_NAME": "rasa",
                        "RASA_DB_USER": "hotline", "RASA_DB_PASSWORD": "s3cret"}.items():
        monkeypatch.setenv(name, value)
    production = str(ROOT / "endpoints.production.yml")
    assert backup.tracker_url(production) == "postgresql://hotline:s3cret@db:5433/rasa"
    monkeypatch.delenv("RASA_DB_PASSWORD")
    with pytest.raises(backup.BackupError, match="RASA_DB_PASSWORD"):
        backup.tracker_url(production)
    assert "s3cret" not in backup._safe("postgresql://hotline:s3cret@db:5433/rasa")  # as the manifest shows it


# ---------------------------------------------------------------- PostgreSQL

def require_pg_dump() -> None:
    services.require("postgresql")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        message = "pg_dump/pg_restore are not installed (Debian: postgresql-client)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture()
def pg_databases():
    """Throwaway PostgreSQL databases, dropped at the end (restore targets are named, not made)."""
    require_pg_dump()
    made: list[str] = []

    def new(tag: str, create: bool = True) -> str:
        url = services.create_database(tag)
        if not create:
            services.drop_database(url)
        made.append(url)
        return url

    yield new
    for url in made:
        services.drop_database(url)


def test_postgresql_backed_up_under_load_restores_into_new_databases(tmp_path, monkeypatch, pg_databases):
    store, tracker = pg_databases("bk"), pg_databases("bktr")
    monkeypatch.setenv("HOTLINE_DB_URL", store)
    migrate(store)
    made, orders, tracker_ids, revision = backed_up_under_load(tmp_path, tracker)
    assert revision == head_revision()
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["databases"]["store"]["engine"] == "postgresql"

    into, tracker_into = pg_databases("rs", create=False), pg_databases("rstr", create=False)
    done = cli("restore", str(made), "--into", into, "--tracker-into", tracker_into)
    assert done.returncode == 0, done.stderr
    assert "every table holds the rows the manifest counted" in done.stdout
    assert_restored(into, tracker_into, orders, tracker_ids)

    migrate(into)  # already at head: nothing to do
    engine = create_engine(into, future=True, poolclass=NullPool)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == revision
    engine.dispose()
    monkeypatch.setenv("HOTLINE_DB_URL", into)  # the restored store files on (its sequences came along)
    assert file_one("after-restore-1")[0] not in orders

    again = cli("restore", str(made), "--into", into, "--only", "store")
    assert again.returncode == 1 and "not empty" in again.stderr and "--force" in again.stderr
    forced = cli("restore", str(made), "--into", into, "--only", "store", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "every table holds the rows the manifest counted" in forced.stdout


def test_client_programs_older_than_the_server_or_the_dump_are_named(tmp_path, monkeypatch, pg_databases, capsys):
    store = pg_databases("bkv")
    monkeypatch.setenv("HOTLINE_DB_URL", store)
    migrate(store)
    made = backup.backup(tmp_path / "good", [backup.Database("store", store)])
    fake = tmp_path / "bin"
    fake.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        (fake / tool).write_text(f"#!/bin/sh\necho '{tool} (PostgreSQL) 9.6.24'\n")
        (fake / tool).chmod(0o755)
    monkeypatch.setenv("HOTLINE_PG_BIN", str(fake))
    code, _, err = run(capsys, "backup", "--out", str(tmp_path / "backups"), "--no-tracker")
    assert code == 1 and "pg_dump 9.6.24 cannot dump PostgreSQL" in err and "HOTLINE_PG_BIN" in err
    assert list((tmp_path / "backups").iterdir()) == []
    into = pg_databases("rsv", create=False)
    code, _, err = run(capsys, "restore", str(made), "--into", into)
    assert code == 1 and "pg_restore 9.6.24 cannot read a dump made by pg_dump" in err
