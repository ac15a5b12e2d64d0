"""Backups of the work-order store and Rasa's tracker store (citizens' personal data: keep them
as safely as the databases).

    python -m bot.store.backup backup [--out DIR] [--tracker URL | --no-tracker]
    python -m bot.store.backup restore BACKUP [--into URL] [--tracker-into URL] [--only store] [--force]
    python -m bot.store.backup list [--dir DIR]

A backup is a directory ``var/backups/hotline-<UTC time>/`` (``HOTLINE_BACKUP_DIR``, mode 0700)
holding one file per database and ``manifest.json``: when, which databases, the schema's
Alembic revision, the row count of every table and the sha256 of every file.

- SQLite: SQLite's online backup API, in one step under one read transaction: a consistent
  snapshot while the gateway goes on writing (WAL), never a copy of the file.
- PostgreSQL: ``pg_dump --format=custom`` on a snapshot exported by the transaction that counts
  the rows, so the counts are the dump's. The password goes to pg_dump in PGPASSWORD, never on
  its command line. ``HOTLINE_PG_BIN`` names the directory of another pg_dump/pg_restore.

The work-order store is ``HOTLINE_DB_URL`` (default ``sqlite:///var/hotline.db``); the tracker
store is ``--tracker``/``HOTLINE_TRACKER_DB_URL`` or the ``tracker_store`` of ``endpoints.yml``
(``--endpoints``/``HOTLINE_ENDPOINTS``; ``${VARS}`` from the environment, as Rasa reads it).

``restore`` checks every file against the manifest before it touches anything, refuses a
database that holds rows unless ``--force``, writes a SQLite file whole and renames it into
place, runs pg_restore in one transaction (the database is created when missing), then counts
the rows again and compares them with the manifest. Every failure is one line and exit status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.store.db import database_url

FORMAT = 1
DEFAULT_DIR = "var/backups"
MANIFEST = "manifest.json"
ROLES = ("store", "tracker")
ROLE_NAMES = {"store": "work-order store", "tracker": "tracker store"}
# What ``list`` shows of each backup: (label, role, table).
HEADLINE = (("orders", "store", "work_orders"), ("events", "store", "work_order_events"),
            ("transcript", "store", "transcript_messages"), ("tracker", "tracker", "events"))


class BackupError(Exception):
    """A failure the operator can act on; the message says what and what to do."""


@dataclass(frozen=True)
class Database:
    role: str  # store | tracker
    url: str

    @property
    def engine(self) -> str:
        return _engine_name(self.url)

    @property
    def shown(self) -> str:
        return f"{ROLE_NAMES[self.role]} ({_safe(self.url)})"


# ---------------------------------------------------------------- where the databases are

def backup_dir(value: str | None = None) -> Path:
    return Path(value or os.environ.get("HOTLINE_BACKUP_DIR") or DEFAULT_DIR)


def _parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise BackupError(f"not a database URL: {url!r} ({exc})") from None


def _engine_name(url: str) -> str:
    name = _parse_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"{_safe(url)}: only SQLite and PostgreSQL databases can be backed up, not {name}")
    return name


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unreadable URL>"


def _sqlite_path(url: str) -> Path:
    name = _parse_url(url).database
    if not name or name == ":memory:":
        raise BackupError(f"{url}: an in-memory SQLite database has nothing to back up or restore into")
    return Path(name)


_ENV_VAR = re.compile(r"\$\{([^}]+)\}")


def _expand(value: object, endpoints: Path) -> str | None:
    """A value of endpoints.yml with its ``${VAR}`` taken from the environment, as Rasa does."""
    if value is None:
        return None

    def var(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise BackupError(f"{endpoints}: the tracker store needs the environment variable {name}")
        return os.environ[name]

    return _ENV_VAR.sub(var, str(value))


def tracker_url(endpoints: str | None = None) -> str | None:
    """The SQLAlchemy URL of Rasa's tracker store (None: Rasa keeps conversations in memory)."""
    explicit = os.environ.get("HOTLINE_TRACKER_DB_URL")
    if explicit and not endpoints:
        return explicit
    path = Path(endpoints or os.environ.get("HOTLINE_ENDPOINTS") or "endpoints.yml")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise BackupError(f"cannot read {path} ({exc.strerror}): name the tracker store with --tracker URL "
                          "or leave it out with --no-tracker") from None
    except yaml.YAMLError as exc:
        raise BackupError(f"{path} is not valid YAML: {exc}") from None
    store = config.get("tracker_store") if isinstance(config, dict) else None
    if not store:
        return None
    kind = str(store.get("type", ""))
    if kind.lower() != "sql" and not kind.endswith("SQLTrackerStore"):
        raise BackupError(f"{path}: a tracker store of type {kind!r} is not backed up by this tool "
                          "(use its own backup and --no-tracker)")
    dialect = _expand(store.get("dialect"), path) or "sqlite"
    db = _expand(store.get("db"), path) or "rasa.db"
    if dialect.startswith("sqlite"):
        return f"sqlite:///{db}"
    host = _expand(store.get("url") or store.get("host"), path)
    if host and "://" in host:
        return host
    port = _expand(store.get("port"), path)
    return URL.create(dialect, username=_expand(store.get("username"), path),
                      password=_expand(store.get("password"), path), host=host,
                      port=int(port) if port else None, database=db).render_as_string(hide_password=False)


# ---------------------------------------------------------------- small helpers

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_file(path: Path) -> None:
    """An empty file only its owner may read, made before anything writes citizens' data to it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_space(directory: Path, needed: int) -> None:
    free = shutil.disk_usage(directory).free
    if free < needed * 1.1 + (16 << 20):
        raise BackupError(f"no space: {directory} has {free >> 20} MB free, about {needed >> 20} MB are needed")


def _no_space(exc: OSError, directory: Path) -> BackupError:
    return BackupError(f"no space left in {directory} ({exc.strerror})")


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _revision(tables: dict[str, int], read: Any) -> str | None:
    return read("SELECT version_num FROM alembic_version") if "alembic_version" in tables else None


# ---------------------------------------------------------------- SQLite

def _open_sqlite(path: Path) -> sqlite3.Connection:
    """An existing database only (mode=rw never creates one)."""
    if not path.is_file():
        raise BackupError(f"no SQLite database at {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database ({exc})") from None
    return conn


def _backup_sqlite(db: Database, dest: Path) -> dict:
    path = _sqlite_path(db.url)
    source = _open_sqlite(path)
    wal = path.with_name(path.name + "-wal")
    _check_space(dest.parent, path.stat().st_size + (wal.stat().st_size if wal.exists() else 0))
    _private_file(dest)
    target = sqlite3.connect(dest)
    try:
        # pages=-1: the whole database in one step, under one read transaction of the source:
        # a consistent snapshot; in WAL mode the writers are not held up meanwhile.
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
        tables = _sqlite_tables(target)
        revision = _revision(tables, lambda q: target.execute(q).fetchone()[0])
    except sqlite3.OperationalError as exc:
        if "full" in str(exc):
            raise BackupError(f"no space left in {dest.parent} ({exc})") from None
        raise BackupError(f"backing up {path} failed: {exc}") from None
    finally:
        target.close()
        source.close()
    if check != "ok":
        raise BackupError(f"the copy of {path} fails SQLite's integrity check ({check}): the database itself "
                          "may be damaged")
    return {"engine": "sqlite", "revision": revision, "tables": tables, "sqlite_version": sqlite3.sqlite_version}


def _sqlite_target_rows(path: Path) -> dict[str, int]:
    if not path.exists() or path.stat().st_size == 0:
        return {}
    conn = _open_sqlite(path)
    try:
        return _sqlite_tables(conn)
    finally:
        conn.close()


def _restore_sqlite(file: Path, db: Database) -> None:
    """The backup written next to the target under a temporary name, checked, then renamed over it."""
    path = _sqlite_path(db.url)
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_space(path.parent, file.stat().st_size)
    tmp = path.with_name(f".{path.name}.restore-{os.getpid()}")
    try:
        _private_file(tmp)
        shutil.copyfile(file, tmp)
        _fsync(tmp)
        conn = sqlite3.connect(tmp)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
        if check != "ok":
            raise BackupError(f"{file} fails SQLite's integrity check ({check})")
        if path.exists():
            # The old database's write-ahead log must not be replayed onto the new file.
            old = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30)
            try:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.DatabaseError:
                pass  # not a database (or damaged): replaced all the same, as --force asked
            finally:
                old.close()
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        os.replace(tmp, path)
        _fsync(path.parent)
    except OSError as exc:
        if exc.errno == 28:
            raise _no_space(exc, path.parent) from None
        raise BackupError(f"cannot write {path} ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------- PostgreSQL

def _pg_tool(name: str) -> tuple[str, str]:
    """The path and version ('15.20') of pg_dump or pg_restore."""
    where = os.environ.get("HOTLINE_PG_BIN")
    path = str(Path(where) / name) if where else shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        place = f"in {where} (HOTLINE_PG_BIN)" if where else "on the PATH"
        raise BackupError(f"{name} not found {place}: install PostgreSQL's client programs (Debian: "
                          "postgresql-client) of the server's major version, or set HOTLINE_PG_BIN")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"\d+(?:\.\d+)*", out)
    if not found:
        raise BackupError(f"{path} --version said {out.strip()!r}: not a PostgreSQL program")
    return path, found.group(0)


def _major(version: str) -> int:
    return int(version.split(".")[0])


_LIBPQ_OPTIONS = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                  "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "application_name": "PGAPPNAME"}


def _libpq_env(url: str) -> dict[str, str]:
    """Where pg_dump/pg_restore connect, in libpq's variables: the password never on a command line."""
    u = _parse_url(url)
    env = dict(os.environ)
    for key, value in (("PGHOST", u.host), ("PGPORT", u.port), ("PGUSER", u.username),
                       ("PGPASSWORD", u.password), ("PGDATABASE", u.database)):
        if value is not None:
            env[key] = str(value)
    for option, value in u.query.items():
        if option in _LIBPQ_OPTIONS:
            env[_LIBPQ_OPTIONS[option]] = str(value)
    return env


def _pg_engine(url: str) -> Any:
    return create_engine(_parse_url(url).set(drivername="postgresql+psycopg2"), future=True,
                         poolclass=NullPool, connect_args={"connect_timeout": 5})


def _pg_connect(url: str) -> Any:
    try:
        return _pg_engine(url).connect()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise BackupError(f"cannot connect to {_safe(url)}: {reason}") from None


def _pg_tables(conn: Any) -> dict[str, int]:
    rows = conn.execute(text("SELECT table_schema, table_name FROM information_schema.tables "
                             "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN "
                             "('pg_catalog', 'information_schema') ORDER BY 1, 2")).all()
    counts = {}
    for schema, name in rows:
        key = name if schema == "public" else f"{schema}.{name}"
        counts[key] = conn.execute(text(f'SELECT count(*) FROM "{schema}"."{name}"')).scalar_one()
    return counts


def _server_version(conn: Any) -> str:
    return ".".join(str(p) for p in conn.dialect.server_version_info[:2])


def _run_pg(command: list[str], url: str, what: str, where: str) -> None:
    done = subprocess.run(command, env=_libpq_env(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        err = done.stderr.strip()
        if "No space left" in err or "could not extend" in err:
            raise BackupError(f"no space left {where}: {what} failed: {err.splitlines()[-1]}")
        raise BackupError(f"{what} failed for {_safe(url)}: {' / '.join(err.splitlines()[-3:])}")


def _backup_postgres(db: Database, dest: Path) -> dict:
    dump, dump_version = _pg_tool("pg_dump")
    with _pg_connect(db.url) as conn:
        server = _server_version(conn)
        if _major(dump_version) < _major(server):
            raise BackupError(f"pg_dump {dump_version} cannot dump PostgreSQL {server}: install the client "
                              f"programs of version {_major(server)} (postgresql-client-{_major(server)}) "
                              f"or point HOTLINE_PG_BIN at them (/usr/lib/postgresql/{_major(server)}/bin)")
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = _pg_tables(conn)  # the same snapshot as the dump's
            revision = _revision(tables, lambda q: conn.execute(text(q)).scalar_one())
            _private_file(dest)
            _run_pg([dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dest}"],
                    db.url, "pg_dump", f"in {dest.parent}")
    return {"engine": "postgresql", "revision": revision, "tables": tables, "server_version": server,
            "pg_dump_version": dump_version}


def _maintenance(url: str) -> str:
    return _parse_url(url).set(database="postgres").render_as_string(hide_password=False)


def _pg_target_rows(url: str) -> dict[str, int] | None:
    """The target's tables and rows (None: the database does not exist yet)."""
    try:
        with _pg_engine(url).connect() as conn:
            return _pg_tables(conn)
    except SQLAlchemyError as exc:
        failed = BackupError(f"cannot connect to {_safe(url)}: {str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}")
    # The server's messages may be in another language: ask it whether the database is there.
    try:
        with _pg_engine(_maintenance(url)).connect() as conn:
            there = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": _parse_url(url).database}).first()
    except SQLAlchemyError:
        raise failed from None
    if there:
        raise failed
    return None


def _pg_create(url: str) -> None:
    u = _parse_url(url)
    with _pg_connect(_maintenance(url)) as conn:
        try:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text(f'CREATE DATABASE "{u.database}"'))
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise BackupError(f"database {u.database} does not exist and cannot be created ({reason}): "
                              "create it, then run the restore again") from None


def _restore_postgres(file: Path, db: Database, info: dict, existing: dict[str, int] | None) -> None:
    restore, version = _pg_tool("pg_restore")
    made_by = info.get("pg_dump_version", "0")
    if _major(version) < _major(made_by):
        raise BackupError(f"pg_restore {version} cannot read a dump made by pg_dump {made_by}: install the "
                          f"client programs of version {_major(made_by)} or set HOTLINE_PG_BIN")
    if existing is None:
        _pg_create(db.url)
    with _pg_connect(db.url) as conn:
        server = _server_version(conn)
    source = info.get("server_version", server)
    if _major(server) < _major(source):
        print(f"warning: restoring a dump of PostgreSQL {source} into the older {server}; it may fail")
    command = [restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
               "--no-password", f"--dbname={_parse_url(db.url).database}"]
    if existing:
        command += ["--clean", "--if-exists"]  # the tables the dump holds are replaced, in the same transaction
    _run_pg([*command, str(file)], db.url, "pg_restore", "on the database server")


# ---------------------------------------------------------------- backup

def databases(tracker: str | None = None, no_tracker: bool = False, endpoints: str | None = None) -> list[Database]:
    found = [Database("store", database_url())]
    if not no_tracker:
        url = tracker or tracker_url(endpoints)
        if url:
            found.append(Database("tracker", url))
        else:
            print("note: endpoints.yml keeps Rasa's conversations in memory: no tracker store to back up")
    return found


def backup(out: Path, dbs: list[Database], now: dt.datetime | None = None) -> Path:
    """Back up every database into a new directory under ``out``; its path."""
    now = now or dt.datetime.now(dt.timezone.utc)
    for db in dbs:
        _engine_name(db.url)  # a wrong URL is refused before anything is written
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(f"cannot make the backup directory {out} ({exc.strerror})") from None
    name = f"hotline-{now:%Y%m%dT%H%M%SZ}"
    final, n = out / name, 1
    while final.exists():
        n += 1
        final = out / f"{name}-{n}"
    partial = out / f".{final.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    manifest: dict = {"format": FORMAT, "name": final.name, "created_at": now.isoformat(timespec="seconds"),
                      "databases": {}}
    try:
        for db in dbs:
            file = f"{db.role}.{'sqlite' if db.engine == 'sqlite' else 'pgdump'}"
            maker = _backup_sqlite if db.engine == "sqlite" else _backup_postgres
            try:
                info = maker(db, partial / file)
            except BackupError as exc:
                raise BackupError(f"{ROLE_NAMES[db.role]}: {exc}") from None
            info.update(source=_safe(db.url), file=file, size=(partial / file).stat().st_size,
                        sha256=_sha256(partial / file))
            manifest["databases"][db.role] = info
        manifest["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        _private_file(partial / MANIFEST)
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, final)
    except OSError as exc:
        if exc.errno == 28:
            raise _no_space(exc, out) from None
        raise BackupError(f"cannot write the backup in {out} ({exc.strerror})") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return final


# ---------------------------------------------------------------- reading a backup

def find(name: str, directory: Path) -> Path:
    """A backup by path or by name under the backup directory."""
    for candidate in (Path(name), directory / name):
        if candidate.is_dir():
            return candidate
    raise BackupError(f"no backup {name!r} (neither a directory nor a backup in {directory}; "
                      "`python -m bot.store.backup list` shows them)")


def load_manifest(path: Path) -> dict:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path}: no {MANIFEST}: not a backup, or an unfinished one") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}/{MANIFEST} is unreadable or damaged ({exc})") from None
    dbs = manifest.get("databases") if isinstance(manifest, dict) else None
    if not isinstance(dbs, dict) or not dbs or manifest.get("format") != FORMAT or not all(
            isinstance(i, dict) and {"engine", "file", "sha256", "size", "tables"} <= i.keys()
            and role in ROLES and "/" not in str(i["file"]) for role, i in dbs.items()):
        raise BackupError(f"{path}/{MANIFEST} is damaged (not a format-{FORMAT} backup manifest)")
    return manifest


def verify(path: Path, manifest: dict) -> None:
    """Every file as the manifest says it was written."""
    for role, info in manifest["databases"].items():
        file = path / info["file"]
        if not file.is_file():
            raise BackupError(f"{path}: the {ROLE_NAMES[role]}'s file {info['file']} is missing")
        if file.stat().st_size != info["size"] or _sha256(file) != info["sha256"]:
            raise BackupError(f"{file} does not match the manifest's sha256: the backup is damaged or was "
                              "changed; nothing was restored")


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())


def list_backups(directory: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if not directory.is_dir():
        return found
    for path in sorted(directory.iterdir()):
        if not path.is_dir() or path.name.startswith("."):
            continue
        row: dict = {"name": path.name, "size": _dir_size(path)}
        try:
            manifest = load_manifest(path)
        except BackupError as exc:
            row["error"] = str(exc)
        else:
            row["created_at"] = manifest.get("created_at", "?")
            dbs = manifest["databases"]
            row["counts"] = {label: dbs[role]["tables"].get(table) for label, role, table in HEADLINE
                             if role in dbs and table in dbs[role]["tables"]}
        found.append(row)
    return found


# ---------------------------------------------------------------- restore

def _rows(db: Database) -> dict[str, int] | None:
    return _sqlite_target_rows(_sqlite_path(db.url)) if db.engine == "sqlite" else _pg_target_rows(db.url)


def _holds_rows(rows: dict[str, int] | None) -> bool:
    return any(n for table, n in (rows or {}).items() if table != "alembic_version")


def restore(path: Path, targets: dict[str, str], force: bool = False) -> dict[str, dict[str, tuple[int, int | None]]]:
    """Restore the backup's databases named in ``targets`` (role -> URL). Returns, per role, each
    table's (rows in the manifest, rows found after the restore)."""
    manifest = load_manifest(path)
    verify(path, manifest)
    plan = []
    for role, url in targets.items():
        info = manifest["databases"].get(role)
        if info is None:
            raise BackupError(f"{path.name} holds no {ROLE_NAMES[role]}")
        db = Database(role, url)
        if db.engine != info["engine"]:
            raise BackupError(f"{path.name}'s {ROLE_NAMES[role]} is a {info['engine']} backup: restore it into a "
                              f"{info['engine']} URL, not {_safe(url)}")
        existing = _rows(db)
        if _holds_rows(existing) and not force:
            held = ", ".join(f"{t}: {n}" for t, n in (existing or {}).items() if n and t != "alembic_version")
            raise BackupError(f"{db.shown} is not empty ({held}): refusing to overwrite it; "
                              "add --force to replace it with the backup")
        plan.append((db, info, existing))
    report = {}
    for db, info, existing in plan:
        try:
            if db.engine == "sqlite":
                _restore_sqlite(path / info["file"], db)
            else:
                _restore_postgres(path / info["file"], db, info, existing)
        except BackupError as exc:
            raise BackupError(f"{ROLE_NAMES[db.role]}: {exc}") from None
        found = _rows(db) or {}
        report[db.role] = {t: (n, found.get(t)) for t, n in info["tables"].items()}
        for extra in sorted(set(found) - set(info["tables"])):
            print(f"note: {db.shown}: table {extra} is not in the backup and was left as it was")
    return report


# ---------------------------------------------------------------- command line

def _print_report(report: dict) -> bool:
    same = True
    for role, tables in report.items():
        print(f"{ROLE_NAMES[role]}:")
        for table, (expected, found) in tables.items():
            mark = "" if expected == found else "   <- differs from the manifest"
            same &= expected == found
            print(f"  {table:<28} {found if found is not None else 'missing':>10} rows{mark}")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.store.backup",
                                     description="Back up and restore the work-order store and Rasa's tracker store.")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("backup", help="back up both databases into a new timestamped directory")
    make.add_argument("--out", help=f"where backups go (default: HOTLINE_BACKUP_DIR or {DEFAULT_DIR})")
    make.add_argument("--tracker", help="the tracker store's URL (default: HOTLINE_TRACKER_DB_URL or endpoints.yml)")
    make.add_argument("--no-tracker", action="store_true", help="back up the work-order store only")
    make.add_argument("--endpoints", help="Rasa's endpoints file (default: HOTLINE_ENDPOINTS or endpoints.yml)")
    back = sub.add_parser("restore", help="restore a backup (checked against its manifest first)")
    back.add_argument("backup", help="a backup's name (see list) or its directory")
    back.add_argument("--into", help="the work-order store's URL (default: HOTLINE_DB_URL); given alone, "
                                     "the tracker store is not restored")
    back.add_argument("--tracker-into", help="the tracker store's URL (default: as for backup)")
    back.add_argument("--only", choices=ROLES, help="restore one of the two databases")
    back.add_argument("--force", action="store_true", help="replace a database that holds rows")
    back.add_argument("--dir", help="where to look for the backup by name")
    back.add_argument("--endpoints", help="Rasa's endpoints file (default: HOTLINE_ENDPOINTS or endpoints.yml)")
    show = sub.add_parser("list", help="the backups present: time, size, row counts")
    show.add_argument("--dir", help=f"default: HOTLINE_BACKUP_DIR or {DEFAULT_DIR}")
    args = parser.parse_args(argv)
    os.umask(0o077)  # citizens' personal data: readable by the operator's account only
    try:
        if args.command == "backup":
            made = backup(backup_dir(args.out), databases(args.tracker, args.no_tracker, args.endpoints))
            manifest = load_manifest(made)
            print(f"backup written: {made} ({_dir_size(made) >> 10} KB)")
            for role, info in manifest["databases"].items():
                print(f"  {ROLE_NAMES[role]}: {info['source']}, {sum(info['tables'].values())} rows in "
                      f"{len(info['tables'])} tables, revision {info.get('revision') or '-'}")
            return 0
        if args.command == "list":
            rows = list_backups(backup_dir(args.dir))
            if not rows:
                print(f"no backups in {backup_dir(args.dir)}")
            for row in rows:
                what = row.get("error") or "  ".join(f"{k} {v}" for k, v in row["counts"].items())
                print(f"{row['name']:<28} {row.get('created_at', '?'):<26} {row['size'] >> 10:>9} KB  {what}")
            return 0
        path = find(args.backup, backup_dir(args.dir))
        targets = {}
        if args.only != "tracker":
            targets["store"] = args.into or database_url()
        in_backup = "tracker" in load_manifest(path)["databases"]
        if args.only == "tracker" or (args.only is None and in_backup):
            url = args.tracker_into or (None if args.into and args.only is None else tracker_url(args.endpoints))
            if url:
                targets["tracker"] = url
            elif args.into:
                print("note: the tracker store is not restored (name it with --tracker-into URL)")
            else:
                raise BackupError("endpoints.yml keeps Rasa's conversations in memory: name the tracker "
                                  "store with --tracker-into URL, or restore --only store")
        report = restore(path, targets, force=args.force)
        print(f"restored {path.name}:")
        if not _print_report(report):
            print("error: the restored row counts differ from the manifest", file=sys.stderr)
            return 1
        print("every table holds the rows the manifest counted")
        return 0
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
