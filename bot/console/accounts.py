"""Console accounts and login sessions.

Passwords are stored as scrypt hashes (stdlib ``hashlib.scrypt``, per-user salt); sessions are
random tokens kept in a cookie, with only their SHA-256 in the database, each with its own CSRF
token that every state-changing request must echo in a header.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.store.db import session_scope
from bot.store.models import Agent, ConsoleSession, utcnow

# expert: a unit's specialist seated at the hotline; unit: a handling unit's staff, who see and
# handle their own unit's work orders (and never a citizen's conversation).
ROLES = ("agent", "expert", "supervisor", "unit", "leader")  # leader: reads 研判 (the dashboard) only
SESSION_HOURS = 12
_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD = 8


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class Who:
    id: int
    username: str
    display_name: str
    role: str
    unit: str | None = None


def _who(a: Agent) -> Who:
    return Who(a.id, a.username, a.display_name, a.role, a.unit)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


_DUMMY = hash_password("not-a-real-password")


def create_agent(username: str, display_name: str, role: str, password: str, unit: str | None = None) -> Who:
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("用户名不能为空、不能有空格，最多64个字符")
    if role not in ROLES:
        raise AccountError(f"角色只能是 {' / '.join(ROLES)}")
    unit = (unit or "").strip() or None
    if role == "unit" and not unit:
        raise AccountError("承办单位的账号须用 --unit 写明单位名称")
    if role != "unit" and unit:
        raise AccountError("只有承办单位的账号（--role unit）才写单位名称")
    if unit and len(unit) > 64:
        raise AccountError("单位名称最多64个字")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少{MIN_PASSWORD}位")
    try:
        with session_scope() as s:
            agent = Agent(username=username, display_name=(display_name.strip() or username)[:64], role=role,
                          unit=unit, password_hash=hash_password(password))
            s.add(agent)
            s.flush()
            return _who(agent)
    except IntegrityError as exc:
        raise AccountError(f"用户名 {username} 已存在") from exc


def set_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少{MIN_PASSWORD}位")
    with session_scope() as s:
        agent = s.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
        if agent is None:
            raise AccountError(f"没有用户 {username}")
        agent.password_hash = hash_password(password)
        s.execute(delete(ConsoleSession).where(ConsoleSession.agent_id == agent.id))


def set_disabled(username: str, disabled: bool) -> None:
    with session_scope() as s:
        agent = s.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
        if agent is None:
            raise AccountError(f"没有用户 {username}")
        agent.disabled = disabled
        if disabled:
            s.execute(delete(ConsoleSession).where(ConsoleSession.agent_id == agent.id))


def list_agents() -> list[tuple[Who, bool]]:
    with session_scope() as s:
        return [(_who(a), a.disabled) for a in s.execute(select(Agent).order_by(Agent.id)).scalars()]


def display_name(agent_id: int | None) -> str | None:
    if agent_id is None:
        return None
    with session_scope() as s:
        agent = s.get(Agent, agent_id)
        return agent.display_name if agent else None


def authenticate(username: str, password: str) -> Who | None:
    with session_scope() as s:
        agent = s.execute(select(Agent).where(Agent.username == username.strip())).scalar_one_or_none()
        if agent is None or agent.disabled:
            check_password(password, _DUMMY)  # the same time whether or not the user exists
            return None
        return _who(agent) if check_password(password, agent.password_hash) else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(agent: Who) -> tuple[str, str]:
    """A new session: (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with session_scope() as s:
        s.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < utcnow()))
        s.add(ConsoleSession(token_hash=_token_hash(token), agent_id=agent.id, csrf_token=csrf,
                             expires_at=utcnow() + dt.timedelta(hours=SESSION_HOURS)))
    return token, csrf


def session_for(token: str | None) -> tuple[Who, str] | None:
    """The agent and CSRF token of a live session, or None."""
    if not token or len(token) > 100:
        return None
    with session_scope() as s:
        row = s.get(ConsoleSession, _token_hash(token))
        if row is None or row.expires_at < utcnow():
            return None
        agent = s.get(Agent, row.agent_id)
        if agent is None or agent.disabled:
            return None
        return _who(agent), row.csrf_token


def end_session(token: str | None) -> None:
    if token:
        with session_scope() as s:
            s.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _token_hash(token)))
