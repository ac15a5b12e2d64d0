"""Citizens' personal data encrypted at rest, column by column, through SQLAlchemy types: the
code above the store reads and writes plain values and never knows.

Keys: ``HOTLINE_DATA_KEYS=k2:<base64 of 32 random bytes>,k1:<…>``: the first key encrypts, every
key decrypts (a stored value names its key), so a key is rotated by putting a new one first,
running ``python -m bot.store.crypto rotate`` and then removing the old one. Without the setting
(development, the tests) a key is made once in ``var/data_key``; the gateway refuses to start
outside development without a key of its own (bot/gateway/settings_check.py).

Two types:

- ``Encrypted``: AES-256-GCM with a random nonce, for free text (names, addresses, what citizens
  said, results, notes): the same value is stored differently every time, so the database can
  neither compare nor sort it, and the type refuses such queries instead of answering wrongly.
- ``Searchable``: AES-256-SIV (RFC 5297), for the values the code looks up by equality (the
  citizen's channel identity, the phone, the audit entry's conversation): its synthetic IV is a
  keyed MAC (CMAC) of the value, so one value under one key is always stored the same way:
  ``where(WorkOrder.phone == x)`` and unique indexes keep working, while the value itself can
  still be read back (the phone is shown to staff, replies go to the sender). It reveals that
  two rows hold the same value, which is what the lookups need, and nothing else. While several
  keys are configured, or rows are still in plaintext, an equality compares with every stored
  form of the value (``IN (…)``), so a lookup finds a citizen's rows during a rotation too.

A stored value is ``enc:<key id>:<base64url>``; a value without the prefix is read as it is
(a database written before encryption keeps working until ``encrypt-all`` has converted it).
Each key's two AES keys are derived from it with HKDF-SHA256 (one per mode).

    python -m bot.store.crypto encrypt-all [--batch N] [--tracker URL | --no-tracker]
    python -m bot.store.crypto rotate      [--batch N] [--tracker URL | --no-tracker]
    python -m bot.store.crypto new-key [ID]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text, bindparam
from sqlalchemy.sql import ClauseElement, operators
from sqlalchemy.types import TypeDecorator

ENV = "HOTLINE_DATA_KEYS"
ROOT = Path(__file__).resolve().parent.parent.parent
KEY_FILE = ROOT / "var" / "data_key"
DEV_KEY_ID = "dev"
PREFIX = "enc:"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_SIV_AD = [b"hotline searchable v1"]


class DataKeyError(RuntimeError):
    """The keys are missing, malformed, or not the ones a stored value was encrypted with."""


@dataclass(frozen=True)
class DataKey:
    id: str
    raw: bytes

    @property
    def gcm(self) -> AESGCM:
        return AESGCM(_derive(self.raw, b"hotline gcm", 32))

    @property
    def siv(self) -> AESSIV:
        return AESSIV(_derive(self.raw, b"hotline siv", 64))


def _derive(raw: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(raw)


def parse_keys(spec: str, setting: str = ENV) -> list[DataKey]:
    """``id:base64,id:base64`` -> keys, the first the one that encrypts. Raises DataKeyError
    naming the setting and the entry (never printing a key)."""
    keys: list[DataKey] = []
    for i, entry in enumerate(e.strip() for e in spec.split(",")):
        if not entry:
            continue
        kid, sep, b64 = entry.partition(":")
        kid = kid.strip()
        if not sep or not KEY_ID.match(kid):
            raise DataKeyError(f"{setting} entry {i + 1} is not <id>:<base64 key> with an id of letters, "
                               "digits, _ or - (at most 16)")
        text = b64.strip().replace("-", "+").replace("_", "/")  # standard or URL-safe base64
        try:
            raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise DataKeyError(f"{setting} entry {i + 1} ({kid}): the key is not base64") from None
        if len(raw) != 32:
            raise DataKeyError(f"{setting} entry {i + 1} ({kid}): the key is {len(raw)} bytes, not 32 "
                               "(make one with `python -m bot.store.crypto new-key`)")
        if any(k.id == kid for k in keys):
            raise DataKeyError(f"{setting} names the key id {kid} twice")
        keys.append(DataKey(kid, raw))
    if not keys:
        raise DataKeyError(f"{setting} holds no key")
    return keys


def new_key(kid: str = "k1") -> str:
    return f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def development_key_spec() -> str:
    """The development key of ``var/data_key``, made once (two processes starting together both
    read the one that won)."""
    KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(new_key(DEV_KEY_ID) + "\n")
    except FileExistsError:
        pass
    return KEY_FILE.read_text(encoding="utf-8").strip()


class Keyring:
    def __init__(self, keys: Sequence[DataKey]) -> None:
        if not keys:
            raise DataKeyError(f"{ENV} holds no key")
        self.keys = list(keys)
        self.current = self.keys[0]
        self._gcm = {k.id: k.gcm for k in self.keys}
        self._siv = {k.id: k.siv for k in self.keys}

    @property
    def ids(self) -> list[str]:
        return [k.id for k in self.keys]

    def encrypt(self, value: str) -> str:
        nonce = os.urandom(12)
        sealed = nonce + self._gcm[self.current.id].encrypt(nonce, value.encode("utf-8"), None)
        return f"{PREFIX}{self.current.id}:{_b64(sealed)}"

    def encrypt_searchable(self, value: str, kid: str | None = None) -> str:
        kid = kid or self.current.id
        return f"{PREFIX}{kid}:{_b64(self._siv[kid].encrypt(value.encode('utf-8'), _SIV_AD))}"

    def decrypt(self, stored: str, searchable: bool = False) -> str:
        kid, payload = _split(stored)
        if kid not in self._gcm:
            raise DataKeyError(f"a stored value was encrypted with the key {kid!r}, which {ENV} does not hold "
                               f"(it holds {', '.join(self.ids)})")
        try:
            data = _unb64(payload)
            if searchable:
                plain = self._siv[kid].decrypt(data, _SIV_AD)
            else:
                plain = self._gcm[kid].decrypt(data[:12], data[12:], None)
        except (InvalidTag, ValueError, binascii.Error):
            raise DataKeyError(f"a stored value does not decrypt with the key {kid!r} of {ENV}: the key "
                               "is not the one it was encrypted with, or the value was altered") from None
        return plain.decode("utf-8")

    def stored_forms(self, value: str) -> list[str]:
        """Every way ``value`` may be stored in a searchable column: under each key, and in
        plaintext (a row written before encryption)."""
        return [*(self.encrypt_searchable(value, kid) for kid in self.ids), value]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _split(stored: str) -> tuple[str, str]:
    kid, sep, payload = stored[len(PREFIX):].partition(":")
    if not sep:
        raise DataKeyError("a stored value starts with 'enc:' but names no key")
    return kid, payload


def is_encrypted(stored: str | None) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX)


def key_of(stored: str) -> str | None:
    return _split(stored)[0] if is_encrypted(stored) else None


# ---------------------------------------------------------------- the process's keys

_lock = threading.Lock()
_cache: tuple[str | None, Keyring] | None = None
_OFF = object()
_override: Any = None  # a Keyring, _OFF (the benchmark's baseline), or None: from the environment


def keyring() -> Keyring | None:
    """This process's keys: ``HOTLINE_DATA_KEYS``, else the development key (None only while the
    benchmark measures the store without encryption)."""
    global _cache
    if _override is not None:
        return None if _override is _OFF else _override
    spec = os.environ.get(ENV) or None
    cached = _cache
    if cached is not None and cached[0] == spec:
        return cached[1]
    declared = os.environ.get("HOTLINE_ENV", "").strip().lower()
    if spec is None and declared and declared != "development":
        # An action server or Rasa started without the key would invent its own and write what
        # the gateway cannot read: every process of a deployment must be given the same key.
        raise DataKeyError(f"{ENV} is not set while HOTLINE_ENV={declared}: refusing to make a key of this "
                           "process's own (give every process the same key; `python -m bot.store.crypto new-key`)")
    with _lock:
        ring = Keyring(parse_keys(spec) if spec else parse_keys(development_key_spec(), str(KEY_FILE)))
        _cache = (spec, ring)
        return ring


@contextmanager
def using(spec: str | None) -> Iterator[None]:
    """Within the block, these keys (``None``: no encryption at all; for the benchmark's
    baseline and the tests, never a setting)."""
    global _override
    before = _override
    _override = _OFF if spec is None else Keyring(parse_keys(spec))
    try:
        yield
    finally:
        _override = before


def decrypt(stored: str | None, searchable: bool = False) -> str | None:
    if stored is None or not stored.startswith(PREFIX):
        return stored
    ring = keyring()
    if ring is None:
        raise DataKeyError("a stored value is encrypted but encryption is off")
    return ring.decrypt(stored, searchable)


def pseudonym(stored: str) -> str:
    """A keyed, one-way name for a stored searchable value (研判's repeat callers: the same
    citizen's warning is found again without keeping the phone or anything that decrypts to it)."""
    ring = keyring()
    secret = _derive(ring.current.raw, b"hotline pseudonym", 32) if ring is not None else b"no encryption"
    return hmac.new(secret, stored.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def stored_forms(value: str) -> list[str]:
    ring = keyring()
    return [value] if ring is None else ring.stored_forms(value)


# ---------------------------------------------------------------- the column types

# What a database cannot do on a value stored differently every time (and, for the searchable
# type, on ciphertext: its order and substrings mean nothing).
_REFUSED = {operators.like_op, operators.not_like_op, operators.ilike_op, operators.not_ilike_op,
            operators.contains_op, operators.not_contains_op, operators.startswith_op,
            operators.not_startswith_op, operators.endswith_op, operators.not_endswith_op,
            operators.lt, operators.le, operators.gt, operators.ge, operators.between_op,
            operators.not_between_op, operators.asc_op, operators.desc_op, operators.match_op,
            operators.regexp_match_op, operators.concat_op}


def _refuse(op: Any, column: Any) -> None:
    raise TypeError(f"{getattr(column, 'key', column)} is encrypted: the database cannot {op.__name__} it "
                    "(compare in Python after reading, or look up by a searchable column)")


class _Ciphertext(TypeDecorator):
    """Written encrypted with this process's first key, read with the key it names."""

    impl = Text
    cache_ok = True
    searchable = False

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        ring = keyring()
        if value is None or ring is None:
            return None if value is None else str(value)
        return ring.encrypt_searchable(str(value)) if self.searchable else ring.encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return decrypt(value, self.searchable)


class Encrypted(_Ciphertext):
    """Free text, encrypted with a random nonce (AES-GCM): only read and written, never compared."""

    cache_ok = True  # (SQLAlchemy reads it from each class itself)

    class comparator_factory(TypeDecorator.Comparator):  # noqa: N801
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            # NULL tests, and a column against a column (SQLAlchemy compares its own columns so,
            # and a join would), go as usual; a value can never match a ciphertext of it.
            literal = bool(other) and other[0] is not None and not isinstance(other[0], ClauseElement)
            if op in _REFUSED or (literal and op in (operators.eq, operators.ne, operators.in_op, operators.not_in_op)):
                _refuse(op, self.expr)
            return super().operate(op, *other, **kwargs)


class Searchable(_Ciphertext):
    """A value looked up by equality, encrypted deterministically (AES-SIV): ``==``, ``!=``,
    ``in_`` and unique indexes work; ordering and LIKE are refused."""

    cache_ok = True
    searchable = True

    class comparator_factory(TypeDecorator.Comparator):  # noqa: N801
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            # The stored forms are bound as they are (Text: not encrypted again); the plaintext
            # among them lets the ORM's in-Python evaluation of an update's criteria agree.
            if op in (operators.eq, operators.ne) and len(other) == 1 and isinstance(other[0], str):
                forms = bindparam(None, stored_forms(other[0]), type_=Text, expanding=True)
                return self.expr.in_(forms) if op is operators.eq else self.expr.not_in(forms)
            if (op in (operators.in_op, operators.not_in_op) and len(other) == 1
                    and isinstance(other[0], (list, tuple, set, frozenset))
                    and all(isinstance(v, str) for v in other[0])):
                forms = bindparam(None, [f for v in other[0] for f in stored_forms(v)], type_=Text, expanding=True)
                return self.expr.in_(forms) if op is operators.in_op else self.expr.not_in(forms)
            if op in _REFUSED:
                _refuse(op, self.expr)
            return super().operate(op, *other, **kwargs)



# ---------------------------------------------------------------- converting a database

@dataclass(frozen=True)
class Target:
    """An encrypted column of a table, as stored (no type processing)."""

    table: str
    pk: str
    column: str
    searchable: bool


def targets(metadata: Any) -> list[Target]:
    out = []
    for table in metadata.sorted_tables:
        pk = [c.name for c in table.primary_key.columns]
        if len(pk) != 1:
            continue
        for col in table.columns:
            if isinstance(col.type, (Encrypted, Searchable)):
                out.append(Target(table.name, pk[0], col.name, isinstance(col.type, Searchable)))
    return out


def tracker_targets() -> list[Target]:
    """Rasa's events table as bot.rasa.tracker_store.EncryptedSQLTrackerStore stores it."""
    return [Target("events", "id", "sender_id", True), Target("events", "id", "data", False)]


def convert(engine: Any, found: Sequence[Target], ring: Keyring, only_plaintext: bool, batch: int = 500,
            report: Any = None) -> dict[str, int]:
    """Re-write every value of these columns that is in plaintext (``only_plaintext``) or not
    under the encrypting key, ``batch`` rows per transaction: a stopped run resumes where it was
    (what is done is no longer selected). Returns the count per ``table.column``."""
    from sqlalchemy import column, inspect, select, table, update
    from sqlalchemy.exc import IntegrityError

    counts: dict[str, int] = {}
    inspector = inspect(engine)
    current = f"{PREFIX}{ring.current.id}:"
    for t in found:
        if not inspector.has_table(t.table):
            continue
        tab = table(t.table, column(t.pk), column(t.column))
        col = tab.c[t.column]
        pending = col.not_like(f"{PREFIX}%") if only_plaintext else col.not_like(f"{current}%")
        done = 0
        last: Any = None
        while True:
            q = select(tab.c[t.pk], col).where(col.is_not(None), pending)
            if last is not None:
                q = q.where(tab.c[t.pk] > last)
            with engine.begin() as conn:
                rows = conn.execute(q.order_by(tab.c[t.pk]).limit(batch)).all()
                for pk, stored in rows:
                    plain = ring.decrypt(stored, t.searchable) if is_encrypted(stored) else stored
                    new = ring.encrypt_searchable(plain) if t.searchable else ring.encrypt(plain)
                    where = tab.c[t.pk] == pk
                    if t.pk == t.column:  # a key that is itself encrypted (shared entries)
                        try:
                            with conn.begin_nested():
                                conn.execute(update(tab).where(where).values({t.column: new}))
                        except IntegrityError:  # the same key, already written anew: the old row goes
                            conn.execute(tab.delete().where(where))
                    else:
                        conn.execute(update(tab).where(where).values({t.column: new}))
            done += len(rows)
            if rows:
                last = rows[-1][0]
                if report:
                    report(f"{t.table}.{t.column}: {done}")
            if len(rows) < batch:
                break
        counts[f"{t.table}.{t.column}"] = done
    return counts


def count_remaining(engine: Any, found: Sequence[Target], ring: Keyring, only_plaintext: bool) -> int:
    from sqlalchemy import column, func, inspect, select, table

    inspector = inspect(engine)
    total = 0
    for t in found:
        if not inspector.has_table(t.table):
            continue
        tab = table(t.table, column(t.column))
        col = tab.c[t.column]
        pending = col.not_like(f"{PREFIX}%") if only_plaintext else col.not_like(f"{PREFIX}{ring.current.id}:%")
        with engine.connect() as conn:
            total += conn.execute(select(func.count()).select_from(tab).where(col.is_not(None), pending)).scalar_one()
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.store.crypto",
                                     description="Citizens' personal data encrypted at rest: convert a database, "
                                                 "rotate the key.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_ in (("encrypt-all", "encrypt every value still in plaintext (a database from before "
                                        "encryption); resumable"),
                        ("rotate", "re-encrypt every value under the first key of HOTLINE_DATA_KEYS; "
                                   "then the other keys can be removed; resumable")):
        one = sub.add_parser(name, help=help_)
        one.add_argument("--batch", type=int, default=500)
        one.add_argument("--tracker", help="Rasa's tracker store (default: HOTLINE_TRACKER_DB_URL or endpoints.yml's)")
        one.add_argument("--no-tracker", action="store_true", help="leave Rasa's tracker store alone")
    key = sub.add_parser("new-key", help="print a new random key entry for HOTLINE_DATA_KEYS")
    key.add_argument("id", nargs="?", default="k1")
    args = parser.parse_args(argv)
    if args.command == "new-key":
        if not KEY_ID.match(args.id):
            print("error: a key id is letters, digits, _ or -, at most 16", file=sys.stderr)
            return 2
        print(new_key(args.id))
        return 0
    from sqlalchemy import create_engine

    from bot.store import models
    from bot.store.backup import BackupError, tracker_url
    from bot.store.db import get_engine, migrate

    try:
        ring = keyring()
        assert ring is not None
        migrate()
        only_plaintext = args.command == "encrypt-all"
        jobs = [("store", get_engine(), targets(models.Base.metadata))]
        if not args.no_tracker:
            url = args.tracker or tracker_url()
            if url:
                jobs.append(("tracker", create_engine(url), tracker_targets()))
        print(f"{args.command}: encrypting with key {ring.current.id} (keys: {', '.join(ring.ids)})")
        for label, engine, found in jobs:
            counts = convert(engine, found, ring, only_plaintext, max(1, args.batch))
            left = count_remaining(engine, found, ring, only_plaintext)
            for name, n in counts.items():
                print(f"{label} {name}: {n} converted")
            print(f"{label}: {sum(counts.values())} values converted, {left} left")
            if left:
                return 1
    except (DataKeyError, BackupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
