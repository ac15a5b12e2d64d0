"""The permissions table (docs/permissions.md), walked on a running stack: every route as every
identity. A ✗ must be refused for want of the right identity (401/403 with a refusal code, or a
page's redirect to the login); a ✓ must not be (it may answer 400/404/409 about the object). A
route of the gateway missing from the table fails too, so that a new route states who may call it."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

from tests.e2e.conftest import ANALYST_KEY, KB_KEY, METRICS_KEY, STAFF_KEY, UNIT, UNIT_KEY
from tests.e2e.test_e2e_console import PASSWORD, add_agent
from tests.support.stack import ROOT

DOC = ROOT / "docs" / "permissions.md"
IDENTITIES = ("anon", "agent", "expert", "supervisor", "unit", "staff", "kb", "unitkey", "metrics", "leader", "analyst")
KEYS = {"staff": STAFF_KEY, "kb": KB_KEY, "unitkey": UNIT_KEY, "metrics": METRICS_KEY, "analyst": ANALYST_KEY}
REFUSALS = {"login_required", "unauthorized", "forbidden", "csrf"}
SAMPLES = {"{number}": "AS-19990101-0001", "{sender_id}": "c-nobody-here", "{handoff_id}": "999999",
           "{alert_id}": "999999", "{article_id}": "no-such-article"}
ACTIONS = {"/api/units/orders/{number}/{action}": "accept", "/console/api/unit/orders/{number}/{action}": "accept",
           "/api/orders/{number}/{action}": "dispatch", "/console/api/orders/{number}/{action}": "dispatch"}
# Files stand for the static folders and the vendor route in the table.
STANDS_FOR = {"/static/widget.js": "/static", "/console/static/login.js": "/console/static",
              "/static/vendor/socket.io.min.js": "/static/vendor/{name}"}


def table() -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(IDENTITIES) and cells[0] in ("GET", "POST", "PUT"):
            rows.append((cells[0], cells[1], dict(zip(IDENTITIES, cells[2:], strict=True))))
    return rows


def test_every_route_of_the_gateway_is_in_the_table(monkeypatch, tmp_path):
    from bot.gateway.app import create_app

    monkeypatch.setenv("HOTLINE_DB_URL", f"sqlite:///{tmp_path / 'routes.db'}")
    monkeypatch.setenv("HOTLINE_KB_WARMUP", "0")
    monkeypatch.setenv("HOTLINE_ENV", "development")
    app = create_app()
    routes = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix")
        if route.method not in ("HEAD", "OPTIONS") and path:
            routes.add((route.method, path))
    listed = {(method, STANDS_FOR.get(path, path)) for method, path, _ in table()}
    assert routes - listed == set(), "routes not in docs/permissions.md"
    assert listed - routes == set(), "rows in docs/permissions.md for routes that do not exist"


def refused(r: requests.Response) -> bool:
    if r.status_code in (301, 302, 303, 307) and r.headers.get("Location", "").endswith("/console/login"):
        return True
    if r.status_code not in (401, 403):
        return False
    try:
        return json.loads(r.text).get("error") in REFUSALS
    except (ValueError, AttributeError):
        return True  # a plain refusal (WeChat's signature check)


def call(session: requests.Session, url: str, method: str, path: str, headers: dict[str, str]) -> requests.Response:
    target = ACTIONS.get(path, path)
    target = path.replace("{action}", target) if path in ACTIONS else path
    for name, value in SAMPLES.items():
        target = target.replace(name, value)
    kwargs: dict = {"headers": headers, "timeout": 30, "allow_redirects": False}
    if path == "/api/workorders/{number}":
        kwargs["params"] = {"phone_last4": "0000"}
    if method in ("POST", "PUT"):
        if path == "/console/login":
            kwargs["json"] = {"username": f"nobody-{uuid.uuid4().hex[:6]}", "password": "x"}
        elif path == "/webhooks/rest/webhook":
            kwargs["json"] = {"sender": f"rest-perm-{uuid.uuid4().hex[:8]}", "message": "你好"}
        elif path == "/api/uploads":
            kwargs["files"] = {"session_id": (None, "x")}
        else:
            kwargs["json"] = {}
    return session.request(method, url + target, **kwargs)


def test_the_permissions_table_holds_for_every_route_and_identity(stack, db):
    names = {"agent": add_agent(stack, "权限坐席"), "expert": add_agent(stack, "权限专家", "expert"),
             "supervisor": add_agent(stack, "权限班长", "supervisor"), "unit": add_agent(stack, "权限单位", "unit", unit=UNIT),
             "leader": add_agent(stack, "权限领导", "leader")}
    rows = sorted(table(), key=lambda row: row[1] == "/console/logout")  # the logout ends each session: last
    wrong = []
    for identity in IDENTITIES:
        session, headers = requests.Session(), {}
        if identity in names:
            r = session.post(f"{stack.url}/console/login", json={"username": names[identity], "password": PASSWORD},
                             timeout=10)
            assert r.status_code == 200, r.text
            headers["X-CSRF-Token"] = r.json()["csrf"]
        elif identity in KEYS:
            headers["Authorization"] = f"Bearer {KEYS[identity]}"
        for method, path, allowed in rows:
            expected = allowed[identity]
            r = call(session, stack.url, method, path, headers)
            if (expected == "✗") != refused(r):
                wrong.append(f"{identity:10} {method} {path}: table {expected}, got {r.status_code} {r.text[:80]!r}")
            if expected == "L":  # the same request forwarded by a proxy for someone else: refused
                r = call(session, stack.url, method, path, {**headers, "X-Forwarded-For": "203.0.113.5"})
                if not refused(r):
                    wrong.append(f"{identity:10} {method} {path} forwarded: table L, got {r.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.fixture
def db(stack, monkeypatch):
    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)


def test_table_is_well_formed():
    rows = table()
    assert len(rows) >= 60
    assert all(set(v.values()) <= {"✓", "✗", "L"} for _, _, v in rows)
    assert len({(m, p) for m, p, _ in rows}) == len(rows)
    assert all(re.match(r"^/", p) for _, p, _ in rows)
