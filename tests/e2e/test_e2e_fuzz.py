"""Bad input at the gateway: Schemathesis fuzzes every operation of its OpenAPI document
(bot/gateway/openapi.yml), and hostile requests go to the WeChat endpoint (plain and inside
correctly signed and encrypted envelopes). Whatever comes in: never a 5xx, the gateway stays
up, nothing is kept from a refused request, no work order comes of it, and no XML entity is
ever expanded.

Schemathesis has its own virtual environment (``make fuzz-tools``: .venv-fuzz on the machine's
python3), since its pins conflict with Rasa's. Every random choice is seeded: a failure
reproduces with the same command.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import socket
import socketserver
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
import yaml
from sqlalchemy import text as sql
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from bot.citizen_texts import WECHAT_UNSUPPORTED
from bot.store import transcript
from bot.store.db import session_scope
from channels.web import sessions
from channels.wechat.simulate import ACCOUNT, WechatUser, cdata, signature
from tests.e2e.conftest import STAFF_KEY, UNIT_KEY, WECHAT
from tests.support.helpers import image_bytes
from tests.support.stack import ROOT

ST = ROOT / ".venv-fuzz" / "bin" / "st"
STAFF = {"Authorization": f"Bearer {STAFF_KEY}"}
UNIT = {"Authorization": f"Bearer {UNIT_KEY}"}
ALL_CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
PASSWD = (Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines() or ["root:x:0:0"])[0]
LAUGHS = "lol" * 10  # what an expanded "billion laughs" entity would show


# ------------------------------------------------------------------ helpers

@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Servers of this module's own: a fuzz run leaves hundreds of conversations and work for
    Rasa behind, which must not slow the other end-to-end tests down."""
    from tests.e2e.conftest import start_test_stack

    s = start_test_stack(tmp_path_factory.mktemp("fuzz_stack"))
    yield s
    s.stop()


@pytest.fixture
def db(stack, monkeypatch):
    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)


@pytest.fixture(scope="module")
def gateway_log(stack):
    """Where the gateway's log stands when this module starts: what it writes from here on is ours."""
    path = stack.workdir / "gateway.log"
    return path, path.stat().st_size if path.exists() else 0


def scalar(query: str, **params) -> int:
    with session_scope() as s:
        return s.execute(sql(query), params).scalar_one()


def kb_digest(stack) -> str:
    h = hashlib.sha256()
    for path in sorted((stack.workdir / "kb_articles").rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(stack.workdir)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def entries_of(sender_id: str) -> int:
    return scalar("SELECT count(*) FROM transcript_messages WHERE sender_id = :s", s=sender_id)


class _Relay(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: Forwarder = self.server  # type: ignore[assignment]
        upstream = socket.create_connection(("127.0.0.1", server.target_port), timeout=120,
                                            source_address=(server.source_ip, 0))
        with upstream:
            back = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
            back.start()
            _pump(self.request, upstream)
            back.join(timeout=120)


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class Forwarder(socketserver.ThreadingTCPServer):
    """A TCP relay on 127.0.0.1 whose connections reach the gateway from another loopback
    address. The gateway refuses a citizen's work-order lookups for ten minutes after ten wrong
    ones from one address: the fuzz's wrong guesses must not lock out the other tests, which
    all come from 127.0.0.1."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target_url: str, source_ip: str) -> None:
        super().__init__(("127.0.0.1", 0), _Relay)
        self.target_port = urlsplit(target_url).port
        self.source_ip = source_ip
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> Forwarder:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


# ------------------------------------------------------------------ Schemathesis

@dataclass
class Call:
    method: str
    path: str
    status: int | None
    body: str | None


def run_schemathesis(url: str, workdir: Path, name: str, examples: int, checks: str, *options: str) -> list[Call]:
    """One Schemathesis run (positive and negative data, derandomized); the requests it made."""
    if not ST.exists():
        message = f"{ST} is missing: run `make fuzz-tools`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cassette = workdir / f"{name}.yaml"
    command = [str(ST), "run", f"{url}/api/openapi.json", "--checks", checks, "--data-generation-method", "all",
               "--hypothesis-max-examples", str(examples), "--hypothesis-deadline", "None",
               "--hypothesis-derandomize", "--workers", "1", "--request-timeout", "60000",
               "--cassette-path", str(cassette), *options]
    started = time.monotonic()
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"})
    print(f"schemathesis {name}: {time.monotonic() - started:.0f} s\n{done.stdout[-1500:]}")
    assert done.returncode == 0, f"schemathesis {name} found failures:\n{done.stdout[-12000:]}\n{done.stderr[-3000:]}"
    data = yaml.load(cassette.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    calls = []
    for i in data.get("http_interactions") or []:
        request, response = i["request"], i.get("response") or {}
        status = (response.get("status") or {}).get("code")
        calls.append(Call(request["method"], urlsplit(request["uri"]).path, int(status) if status else None,
                          (request.get("body") or {}).get("string")))
    assert calls and all(c.status is not None for c in calls), "a request got no response"
    return calls


def rest_senders(calls: list[Call]) -> tuple[set[str], set[str]]:
    """The REST channel's senders the gateway took a message from, and those it refused."""
    taken, refused = set(), set()
    for c in calls:
        if c.method != "POST" or c.path != "/webhooks/rest/webhook":
            continue
        try:
            body = json.loads(c.body or "")
        except ValueError:
            continue
        sender = body.get("sender") if isinstance(body, dict) else None
        if isinstance(sender, str) and sender:  # its conversation (development: any sender is rest-<sender>)
            (taken if c.status < 300 else refused).add(sender if sender.startswith("rest-") else "rest-" + sender)
    return taken, refused


@pytest.mark.parametrize("run", ["staff", "anonymous", "unit"])
def test_schemathesis_finds_no_server_error_and_nothing_kept_from_refusals(stack, db, gateway_log, tmp_path, run):
    """staff: every operation with the staff key, every check (status codes, content types and
    bodies as documented). anonymous: without a key (Schemathesis makes up bearer tokens, some
    with bytes an HTTP parser refuses before the app: those 400s are aiohttp's own text, so
    only server errors and documented bodies are checked). unit: the units' API with a unit
    key. The knowledge base is written only with a kb key, which no run has."""
    before = {"transcript": scalar("SELECT coalesce(max(id), 0) FROM transcript_messages"),
              "orders": scalar("SELECT count(*) FROM work_orders"),
              "attachments": scalar("SELECT count(*) FROM attachments"), "kb": kb_digest(stack)}
    if run == "staff":
        calls = run_schemathesis(stack.url, tmp_path, run, 40, ALL_CHECKS, "--header", f"Authorization: Bearer {STAFF_KEY}")
    elif run == "anonymous":
        with Forwarder(stack.url, "127.0.0.2") as relay:
            calls = run_schemathesis(relay.url, tmp_path, run, 40, "not_a_server_error,response_schema_conformance")
    else:
        calls = run_schemathesis(stack.url, tmp_path, run, 40, ALL_CHECKS, "--header", f"Authorization: Bearer {UNIT_KEY}",
                                 "--include-path-regex", "^/api/units/")
    operations = {(c.method, c.path) for c in calls}
    print(f"{run}: {len(calls)} requests, statuses {sorted({c.status for c in calls})}")
    assert all(c.status < 500 for c in calls)
    assert stack.procs["gateway"].poll() is None
    assert requests.get(f"{stack.url}/healthz", timeout=10).status_code == 200
    # Nothing from a refused request: no transcript entry for a sender only ever refused ...
    taken, refused = rest_senders(calls)
    with session_scope() as s:
        new_senders = set(s.execute(sql("SELECT DISTINCT sender_id FROM transcript_messages WHERE id > :id"),
                                    {"id": before["transcript"]}).scalars())
    assert not (refused - taken) & new_senders
    if run != "unit":
        assert ("POST", "/webhooks/rest/webhook") in operations and refused
    # ... no attachment but from an accepted upload, no work order, no knowledge-base file.
    uploads = sum(1 for c in calls if c.path == "/api/uploads" and c.status == 201)
    assert scalar("SELECT count(*) FROM attachments") == before["attachments"] + uploads
    assert scalar("SELECT count(*) FROM work_orders") == before["orders"]
    assert kb_digest(stack) == before["kb"]


# ------------------------------------------------------------------ regressions the fuzz found

def test_api_regressions_from_fuzzing(stack, db):
    """Each of these was a 500, some only on PostgreSQL (the production store): the stack here
    runs on SQLite, where the last checks guard the behaviour rather than the crash."""
    url = stack.url
    # A multipart body whose part header line is the closing boundary (aiohttp's InvalidHeader).
    for body in (b"--B\r\n--B--\r\n", b"--B\r\nNone--B--\r\n"):
        r = requests.post(f"{url}/api/uploads", data=body, timeout=10,
                          headers={"Content-Type": "multipart/form-data; boundary=B"})
        assert r.status_code == 400 and r.json()["error"] == "bad_multipart"
    # A file name with a NUL in it (RFC 5987 encoding): PostgreSQL refused the attachment row,
    # after the image was already on disk.
    session = sessions.issue()
    body = (b'--B\r\nContent-Disposition: form-data; name="session_id"\r\n\r\n' + session.encode()
            + b"\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename*=utf-8''a%00b.png\r\n\r\n"
            + image_bytes("PNG") + b"\r\n--B--\r\n")
    r = requests.post(f"{url}/api/uploads", data=body, timeout=10,
                      headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert r.status_code == 201 and r.json()["attachment"]["filename"] == "ab.png", r.text
    # A bearer token with bytes that are not UTF-8 (surrogates when encoded for the comparison).
    for path in ("/api/triage", "/api/kb/articles", "/api/audit", "/api/units/orders"):
        r = requests.request("POST" if path == "/api/triage" else "GET", f"{url}{path}", timeout=10,
                             headers={"Authorization": b"Bearer \x80\xff"}, json={"text": "x"})
        assert r.status_code == 401, path
    # Order numbers no order can have: NUL, or longer than the column; PostgreSQL refused the
    # lookup, and the audit row written before an action. A NUL in the audit log's filters too.
    for number in ("AS-1\x00", "X" * 33, "X" * 300):
        quoted = quote(number, safe="")
        assert requests.get(f"{url}/api/workorders/{quoted}", headers=STAFF, timeout=10).status_code == 404
        assert requests.get(f"{url}/api/units/orders/{quoted}", headers=UNIT, timeout=10).status_code == 404
        assert requests.post(f"{url}/api/units/orders/{quoted}/accept", headers=UNIT, timeout=10).status_code == 404
        assert requests.post(f"{url}/api/orders/{quoted}/dispatch", json={"unit": "市生态环境局"}, headers=STAFF,
                             timeout=10).status_code == 404
    for params in ({"actor": "\x00"}, {"number": "AS\x00"}):
        r = requests.get(f"{url}/api/audit", params=params, headers=STAFF, timeout=10)
        assert r.status_code == 200 and r.json() == {"entries": []}


def test_citizen_lookup_with_non_ascii_digits(stack, db):
    """hmac.compare_digest refuses str with non-ASCII characters: full-width digits, an accented
    letter or a byte that is not UTF-8 as phone_last4 on a real order were a 500."""
    me = "rest-fuzz-" + uuid.uuid4().hex[:8]
    phone = "139" + str(uuid.uuid4().int)[:8]
    stack.text(me, f"我叫李明，电话{phone}，铁东区胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大，我要投诉")
    number = re.search(r"[A-Z]+-\d{8}-\d{4}", stack.text(me, "确认")).group(0)
    with Forwarder(stack.url, "127.0.0.3") as relay:  # three wrong guesses, not on 127.0.0.1's count
        for last4 in ("１２３４", "é234", "%FF%FE12"):
            r = requests.get(f"{relay.url}/api/workorders/{number}?phone_last4={quote(last4, safe='%')}",
                             timeout=10)
            assert r.status_code == 404, (last4, r.text)
        right = requests.get(f"{relay.url}/api/workorders/{number}", params={"phone_last4": phone[-4:]}, timeout=10)
    assert right.status_code == 200 and right.json()["phone"].endswith(phone[-4:])


# ------------------------------------------------------------------ WeChat

CRYPTO_KEY = WeChatCrypto(WECHAT["token"], WECHAT["aes_key"], WECHAT["appid"]).key
NONCE = "20261203"


def now() -> str:
    return str(int(time.time()))


def signed(timestamp: str | None = None, nonce: str = NONCE) -> dict[str, str]:
    timestamp = timestamp or now()
    return {"signature": signature(WECHAT["token"], timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def message(openid: str, msg_type: str = "text", fields: str = "<Content><![CDATA[你好]]></Content>",
            sender: str | None = None, msg_id: int | None = None) -> str:
    sender = f"<FromUserName>{cdata(openid)}</FromUserName>" if sender is None else sender
    msg_id = msg_id or 10**15 + uuid.uuid4().int % (9 * 10**15)
    return (f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName>{sender}<CreateTime>{now()}</CreateTime>"
            f"<MsgType>{cdata(msg_type)}</MsgType>{fields}<MsgId>{msg_id}</MsgId></xml>")


def encrypt(inner: str | bytes, appid: str = WECHAT["appid"]) -> str:
    return PrpCrypto(CRYPTO_KEY).encrypt(inner, appid).decode()


def envelope(inner: str | bytes, appid: str = WECHAT["appid"], encrypted: str | None = None,
             timestamp: str | None = None) -> tuple[dict[str, str], bytes]:
    """A message as WeChat's server sends it in 安全 mode: signed query, encrypted body."""
    timestamp = timestamp or now()
    ciphertext = encrypted if encrypted is not None else encrypt(inner, appid)
    params = {**signed(timestamp), "encrypt_type": "aes",
              "msg_signature": signature(WECHAT["token"], timestamp, NONCE, ciphertext)}
    body = f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><Encrypt>{cdata(ciphertext)}</Encrypt></xml>"
    return params, body.encode()


def without(params: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in params.items() if k != name}


def damaged(query=lambda q: q, body=lambda b: b):  # type: ignore[no-untyped-def]
    """A case: a correct text message from the openid, its query and/or body then changed."""
    def build(openid: str) -> tuple[dict[str, str], bytes]:
        params, data = envelope(message(openid))
        return query(params), body(data)
    return build


LAUGH_DTD = ('<!DOCTYPE xml [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
             '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
XXE_DTD = '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
PARAM_XXE_DTD = '<!DOCTYPE xml [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'


def laughs(openid: str) -> str:
    return LAUGH_DTD + message(openid, fields="<Content>&d;</Content>")


def xxe(openid: str) -> str:
    return XXE_DTD + message(openid, fields="<Content>&x;</Content>")


def huge_body(size: int) -> bytes:
    return b"<xml><Content><![CDATA[" + b"A" * size + b"]]></Content></xml>"


# Each case builds (query, body) for a fresh openid; all must be refused with one of the statuses.
REFUSED = {
    # Not XML, or not all of it.
    "malformed xml": (lambda o: (signed(), b"<xml><ToUserName>gh</ToUserName><FromUserName>" + o.encode()), {400}),
    "truncated envelope": (damaged(body=lambda b: b[:90]), {400}),
    "envelope cut in the ciphertext": (damaged(body=lambda b: b[: len(b) // 2] + b"]]></Encrypt></xml>"), {403}),
    "empty body": (damaged(body=lambda b: b""), {400}),
    "not an xml root": (lambda o: (signed(), b"<html><body>" + o.encode() + b"</body></html>"), {400}),
    "plain text body": (lambda o: (signed(), b"hello " + o.encode()), {400}),
    # Sizes: WeChat's messages are a few kilobytes.
    "2 MB body": (lambda o: (signed(), huge_body(2 * 1024 * 1024)), {413}),
    "64 KB + 1 body": (lambda o: (signed(), huge_body(64 * 1024)), {413}),
    "envelope over 64 KB": (lambda o: envelope(message(o, fields=f"<Content>{'投' * 20000}</Content>")), {413}),
    # Entities and document types, outside and inside the envelope.
    "billion laughs": (lambda o: (signed(), laughs(o).encode()), {400}),
    "billion laughs encrypted": (lambda o: envelope(laughs(o)), {400}),
    "xxe file": (lambda o: (signed(), xxe(o).encode()), {400}),
    "xxe file encrypted": (lambda o: envelope(xxe(o)), {400}),
    "xxe parameter entity encrypted": (lambda o: envelope(PARAM_XXE_DTD + message(o)), {400}),
    "lower-case doctype encrypted": (lambda o: envelope('<!doctype xml [<!entity x "lol">]>' + message(o)), {400}),
    "entity in the outer envelope": (
        damaged(body=lambda b: XXE_DTD.encode() + b.replace(b"<ToUserName>", b"<ToUserName>&x;")), {400}),
    # Signatures, timestamps, nonces.
    "wrong signature": (damaged(query=lambda q: {**q, "signature": "0" * 40}), {403}),
    "no signature": (damaged(query=lambda q: without(q, "signature")), {403}),
    "no timestamp": (damaged(query=lambda q: without(q, "timestamp")), {403}),
    "no nonce": (damaged(query=lambda q: without(q, "nonce")), {403}),
    "no query at all": (damaged(query=lambda q: {}), {403}),
    "stale timestamp": (lambda o: envelope(message(o), timestamp=str(int(time.time()) - 3600)), {403}),
    "future timestamp": (lambda o: envelope(message(o), timestamp=str(int(time.time()) + 3600)), {403}),
    "timestamp not a number": (lambda o: envelope(message(o), timestamp="yesterday"), {403}),
    # "²".isdigit() is True but int("²") fails: was a 500 with a valid signature.
    "superscript digit timestamp": (lambda o: envelope(message(o), timestamp="²"), {403}),
    "wrong msg_signature": (damaged(query=lambda q: {**q, "msg_signature": "f" * 40}), {403}),
    "no msg_signature": (damaged(query=lambda q: without(q, "msg_signature")), {403}),
    # Valid signatures on ciphertext that is not.
    "ciphertext not base64": (lambda o: envelope("", encrypted="!!!not base64!!!"), {400}),
    "ciphertext too short": (lambda o: envelope("", encrypted="QUJDREU="), {400}),
    "random ciphertext": (lambda o: envelope("", encrypted="Gm9vZ2xlIGlzIG5vdCBhIGNpcGhlcnRleHQgYXQgYWxsISEhISE="), {400}),
    "empty Encrypt": (lambda o: envelope("", encrypted=""), {400}),
    "two Encrypt elements": (damaged(body=lambda b: b.replace(b"</xml>", b"<Encrypt>x</Encrypt></xml>")), {400}),
    "message for another app": (lambda o: envelope(message(o), appid="wxsomebodyelse00"), {403}),
    # Not UTF-8.
    "latin-1 body": (lambda o: (signed(), message(o, fields="<Content>caf\xe9</Content>").encode("latin-1")), {400}),
    "utf-16 body": (lambda o: (signed(), message(o).encode("utf-16")), {400}),
    "latin-1 inside the envelope": (lambda o: envelope(message(o, fields="<Content>caf\xe9</Content>").encode("latin-1")),
                                    {400}),
    "gb18030 inside the envelope": (lambda o: envelope(message(o, fields="<Content>我要投诉</Content>").encode("gb18030")),
                                    {400}),
    # Well formed, correctly encrypted, not a WeChat message.
    "plaintext in safe mode": (lambda o: (signed(), message(o).encode()), {403}),
    "aes without Encrypt": (lambda o: ({**signed(), "encrypt_type": "aes", "msg_signature": "0" * 40}, message(o).encode()),
                            {400}),
    "no MsgType": (lambda o: envelope(message(o).replace("<MsgType><![CDATA[text]]></MsgType>", "")), {400}),
    "MsgType with elements": (lambda o: envelope(message(o, msg_type="x").replace("<![CDATA[x]]>", "<a>text</a>")), {400}),
    "event with an Event of elements": (lambda o: envelope(message(o, "event", "<Event><a/></Event>")), {400}),
    "no FromUserName": (lambda o: envelope(message(o, sender="")), {400}),
    "empty FromUserName": (lambda o: envelope(message(o, sender="<FromUserName></FromUserName>")), {400}),
    "FromUserName of elements": (lambda o: envelope(message(o, sender=f"<FromUserName><a>{o}</a></FromUserName>")), {400}),
    "two FromUserName": (lambda o: envelope(message(o, sender=f"<FromUserName>{o}</FromUserName>" * 2)), {400}),
    # An openid of 3000 characters: past the shared store's key column (a 500 on PostgreSQL).
    "FromUserName of 3000 characters": (
        lambda o: envelope(message(o, sender=f"<FromUserName>{o}{'o' * 3000}</FromUserName>")), {400}),
    "control character in Content": (lambda o: envelope(message(o, fields="<Content><![CDATA[a\x01b\x1bc]]></Content>")),
                                     {400}),
    "character reference to a control character": (lambda o: envelope(message(o, fields="<Content>a&#x1;b</Content>")),
                                                   {400}),
    "NUL in Content": (lambda o: envelope(message(o, fields="<Content>a\x00b</Content>")), {400}),
}


def post_wechat(stack, params: dict[str, str], body: bytes) -> requests.Response:
    return requests.post(f"{stack.url}/wechat", params=params, data=body, timeout=30,
                         headers={"Content-Type": "text/xml"})


def assert_nothing_kept(openid: str, response: requests.Response) -> None:
    assert response.status_code < 500, response.text
    assert PASSWD not in response.text and LAUGHS not in response.text
    assert entries_of(f"wechat-{openid}") == 0
    assert scalar("SELECT count(*) FROM shared_entries WHERE key LIKE :k", k=f"%{openid}%") == 0


@pytest.mark.parametrize("case", list(REFUSED))
def test_wechat_refuses_hostile_requests(stack, db, case):
    build, statuses = REFUSED[case]
    openid = "ofuzz" + uuid.uuid4().hex[:23]
    params, body = build(openid)
    r = post_wechat(stack, params, body)
    assert r.status_code in statuses, (case, r.status_code, r.text[:200])
    assert_nothing_kept(openid, r)


def test_wechat_refuses_a_chunked_body_of_2_mb(stack, db):
    """No Content-Length: the size is found while reading."""
    openid = "ofuzz" + uuid.uuid4().hex[:23]
    chunks = (b"<xml>" + b"A" * 65536 for _ in range(32))
    r = requests.post(f"{stack.url}/wechat", params=signed(), data=chunks, timeout=30)
    assert r.status_code == 413
    assert_nothing_kept(openid, r)


def test_wechat_url_verification_refuses_garbage(stack):
    url = f"{stack.url}/wechat"
    good = {**signed(), "echostr": "fuzz-echo"}
    assert requests.get(url, params=good, timeout=10).text == "fuzz-echo"
    for params, status in [({}, 403), ({**good, "signature": "x"}, 403), (without(good, "echostr"), 400),
                           ({**signed("²"), "echostr": "e"}, 403), ({**signed("1"), "echostr": "e"}, 403),
                           ({**good, "timestamp": "９９"}, 403)]:
        r = requests.get(url, params=params, timeout=10)
        assert r.status_code == status, (params, r.status_code, r.text)


def odd_but_valid(openid: str) -> dict[str, tuple[str, str | None]]:
    """Messages WeChat could deliver, strange as they are: (the inner XML, a word of the answer)."""
    return {
        "unknown MsgType": (message(openid, "bogus_type", "<Foo>bar</Foo>"), WECHAT_UNSUPPORTED[:8]),
        "Content of 5000 characters": (message(openid, fields=f"<Content>{'噪音扰民' * 1250}</Content>"), "太长"),
        "emoji, zero-width and right-to-left marks": (
            message(openid, fields="<Content>你好😀🏳️‍🌈\u200b\u202e\ufeff</Content>"), None),
        "location with coordinates that are not numbers": (
            message(openid, "location", "<Location_X>north</Location_X><Location_Y>1e999</Location_Y>"
                                        "<Scale>big</Scale><Label>胜利路</Label>"), None),
        "an external DTD after 5 KB of whitespace": (
            " " * 5000 + '<!DOCTYPE xml SYSTEM "file:///etc/passwd">' + message(openid), None),
    }


def test_wechat_odd_but_valid_messages_get_an_answer(stack, db):
    me = WechatUser(f"{stack.url}/wechat", "ofuzz" + uuid.uuid4().hex[:23], token=WECHAT["token"],
                    aes_key=WECHAT["aes_key"], appid=WECHAT["appid"], mode=WECHAT["mode"])
    for name, (inner, expected) in odd_but_valid(me.openid).items():
        r = post_wechat(stack, *envelope(inner))
        assert r.status_code == 200, (name, r.status_code, r.text[:200])
        assert PASSWD not in r.text
        reply = me.read_reply(r.text) or ""
        assert PASSWD not in reply
        if expected:
            assert expected in reply, (name, reply)
    shown = [e.text for e in transcript.history(f"wechat-{me.openid}") if e.author == "citizen"]
    assert "[unknown]" in shown and any(t and t.startswith("噪音扰民") for t in shown)


def mutations(rng: random.Random, count: int = 48):
    """Seeded damage to valid requests (each from a citizen of its own): cut, flipped, inserted,
    repeated bytes; query values changed or dropped."""
    for _ in range(count):
        openid = "ofuzz" + "".join(rng.choices("abcdef0123456789", k=23))
        inner = message(openid, fields="<Content>小区路灯坏了</Content>", msg_id=rng.randrange(10**15, 10**16))
        params, body = envelope(inner)
        q, b = dict(params), bytearray(body)
        kind = rng.choice(["cut", "flip", "insert", "repeat", "query", "drop"])
        if kind == "cut":
            b = b[: rng.randrange(len(b))]
        elif kind == "flip":
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif kind == "insert":
            at = rng.randrange(len(b))
            b[at:at] = rng.choice([b"\x00", b"\xff\xfe", b"<", b"]]>", b"&", b"<!ENTITY", "😀".encode(), bytes(rng.randbytes(8))])
        elif kind == "repeat":
            at = rng.randrange(len(b))
            b[at:at] = b[at: at + rng.randint(1, 64)] * rng.randint(2, 50)
        elif kind == "query":
            name = rng.choice(sorted(q))
            value = q[name]
            q[name] = value[:-1] + chr(rng.choice([0x30, 0x41, 0xFF, 0x2603])) if value else "x"
        else:
            q.pop(rng.choice(sorted(q)))
        yield openid, kind, q, bytes(b)


def test_wechat_survives_seeded_damage_to_a_valid_message(stack, db):
    refused = 0
    for openid, kind, q, b in mutations(random.Random(20261203)):
        r = post_wechat(stack, q, b)
        assert r.status_code < 500, (kind, q, b, r.text)
        if r.status_code != 200:
            refused += 1
            assert_nothing_kept(openid, r)
    assert refused >= 24  # most damage is noticed


# ------------------------------------------------------------------ afterwards

def test_no_entity_expanded_anywhere_and_the_gateway_still_answers(stack, db, gateway_log):
    """Runs last in this module: nothing hostile reached the transcript or the log, and a normal
    message on each channel gets its normal answer."""
    for marker in (PASSWD, LAUGHS):
        assert scalar("SELECT count(*) FROM transcript_messages WHERE text LIKE :m OR data LIKE :m",
                      m=f"%{marker}%") == 0
    path, start = gateway_log
    with path.open("rb") as f:
        f.seek(start)
        written = f.read().decode("utf-8", errors="replace")
    assert PASSWD not in written and LAUGHS not in written
    assert "unhandled error" not in written, written[written.find("unhandled error") - 200:][:3000]
    assert stack.procs["gateway"].poll() is None
    me = WechatUser(f"{stack.url}/wechat", "ofuzz" + uuid.uuid4().hex[:23], token=WECHAT["token"],
                    aes_key=WECHAT["aes_key"], appid=WECHAT["appid"], mode=WECHAT["mode"])
    answer = me.text("你好")
    assert answer.status == 200 and answer.reply and "热线" in answer.reply
    assert "热线" in stack.text("rest-fuzz-" + uuid.uuid4().hex[:8], "你好")
