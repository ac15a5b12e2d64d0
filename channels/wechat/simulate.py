"""Chat with the running gateway as a WeChat user would: each message is built, signed and (in
兼容/安全 mode) encrypted exactly as WeChat's server sends it, and replies are decrypted and
shown, both the passive reply and the customer-service messages that come later (read from
the local stand-in for WeChat's API, which this command starts).

    make run                                   # in one terminal
    .venv/bin/python -m channels.wechat.simulate
        你好，我家楼下烧烤店油烟太大              a text message
        /voice 小区路灯坏了一个月了                a voice message WeChat recognised
        /voice                                   a voice message it could not recognise
        /image photo.jpg                         an image (sent through the media API)
        /location 41.108 122.994 鞍山市铁东区胜利路   a location pin
        /link 标题 https://example.com            a link
        /click REPORT | PROGRESS | FAQ | AGENT   a menu button
        /subscribe                               follow the account
        /quit
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import string
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from channels.wechat.config import DEV_AES_KEY, DEV_APPID, DEV_TOKEN

ACCOUNT = "gh_12345hotline"
NUMERIC_FIELDS = {"Location_X", "Location_Y", "Scale"}  # WeChat sends these without CDATA
_msg_ids = itertools.count(int(time.time() * 1000) * 1000)


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


@dataclass
class Posted:
    status: int
    body: str
    reply: str | None  # the passive reply's text, decrypted


class WechatUser:
    """One follower of the account, talking to the gateway's ``/wechat`` endpoint."""

    def __init__(self, url: str, openid: str | None = None, token: str = DEV_TOKEN, aes_key: str = DEV_AES_KEY,
                 appid: str = DEV_APPID, mode: str = "safe", api_url: str | None = None, timeout: float = 10) -> None:
        self.url = url
        self.openid = openid or "o" + "".join(random.choices(string.ascii_letters + string.digits, k=27))
        self.token, self.aes_key, self.appid, self.mode = token, aes_key, appid, mode
        self.api_url = api_url.rstrip("/") if api_url else None
        self.timeout = timeout
        self.crypto = WeChatCrypto(token, aes_key, appid) if mode != "plain" else None
        self.http = requests.Session()

    # ---------------------------------------------------------------- messages as WeChat sends them

    def xml(self, msg_type: str, fields: dict[str, str], create_time: int | None = None,
            msg_id: int | None = None) -> tuple[str, int, int]:
        create_time = create_time or int(time.time())
        body = "".join(f"<{k}>{v if k in NUMERIC_FIELDS else cdata(v)}</{k}>" for k, v in fields.items())
        msg_id_xml = ""
        if msg_type != "event":
            msg_id = msg_id or next(_msg_ids)
            msg_id_xml = f"<MsgId>{msg_id}</MsgId>"
        xml = (f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><FromUserName>{cdata(self.openid)}</FromUserName>"
               f"<CreateTime>{create_time}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>{body}{msg_id_xml}</xml>")
        return xml, create_time, msg_id or 0

    def post_xml(self, xml: str, timestamp: int | None = None, tamper: bool = False) -> Posted:
        """POST one message as WeChat would, in this user's mode; returns the passive reply."""
        timestamp_s = str(timestamp or int(time.time()))
        nonce = str(random.randint(10**8, 10**9))
        params = {"signature": signature(self.token, timestamp_s, nonce), "timestamp": timestamp_s,
                  "nonce": nonce, "openid": self.openid}
        if self.mode == "plain":
            body = xml
        else:
            assert self.crypto is not None
            encrypt = PrpCrypto(self.crypto.key).encrypt(xml, self.appid).decode()
            params.update(encrypt_type="aes", msg_signature=signature(self.token, timestamp_s, nonce, encrypt))
            inner = xml[len("<xml>"):-len("</xml>")] if self.mode == "compatible" else \
                f"<ToUserName>{cdata(ACCOUNT)}</ToUserName>"
            body = f"<xml>{inner}<Encrypt>{cdata(encrypt)}</Encrypt></xml>"
        if tamper:
            params["signature"] = "0" * 40
        r = self.http.post(self.url, params=params, data=body.encode(), timeout=self.timeout,
                           headers={"Content-Type": "text/xml"})
        return Posted(r.status_code, r.text, self.read_reply(r.text) if r.status_code == 200 else None)

    def read_reply(self, body: str) -> str | None:
        if not body or body == "success":
            return None
        doc = xmltodict.parse(body)["xml"]
        if "Encrypt" in doc:
            assert self.crypto is not None
            inner = self.crypto.decrypt_message(body, doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"])
            doc = xmltodict.parse(inner)["xml"]
        assert doc["ToUserName"] == self.openid, "a reply for someone else"
        return doc.get("Content")

    def text(self, content: str) -> Posted:
        return self.post_xml(self.xml("text", {"Content": content})[0])

    def voice(self, recognition: str | None) -> Posted:
        fields = {"MediaId": "VOICE_" + str(next(_msg_ids)), "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        return self.post_xml(self.xml("voice", fields)[0])

    def image(self, data: bytes) -> Posted:
        media_id = self.upload_media(data)
        return self.post_xml(self.xml("image", {"PicUrl": f"http://mmbiz.qpic.cn/{media_id}", "MediaId": media_id})[0])

    def location(self, lat: float, lon: float, label: str, scale: int = 15) -> Posted:
        return self.post_xml(self.xml("location", {"Location_X": str(lat), "Location_Y": str(lon),
                                                   "Scale": str(scale), "Label": label})[0])

    def link(self, title: str, url: str, description: str = "") -> Posted:
        return self.post_xml(self.xml("link", {"Title": title, "Description": description, "Url": url})[0])

    def video(self) -> Posted:
        return self.post_xml(self.xml("video", {"MediaId": "VID", "ThumbMediaId": "THUMB"})[0])

    def event(self, event: str, key: str | None = None) -> Posted:
        fields = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        return self.post_xml(self.xml("event", fields)[0])

    # ---------------------------------------------------------------- the stand-in API

    def upload_media(self, data: bytes) -> str:
        if not self.api_url:
            raise RuntimeError("no WeChat API stand-in to upload media to")
        return self.http.put(f"{self.api_url}/_fake/media", data=data, timeout=self.timeout).json()["media_id"]

    def pushed(self) -> list[dict[str, Any]]:
        """Everything sent to this user through WeChat's API (customer-service and template)."""
        if not self.api_url:
            return []
        return self.http.get(f"{self.api_url}/_fake/sent", params={"openid": self.openid}, timeout=self.timeout).json()

    def pushed_texts(self) -> list[str]:
        return [m.get("text", {}).get("content", "") for m in self.pushed() if m.get("kind") == "custom"]

    def fail_pushes(self, errcode: int = -1, count: int | None = None) -> None:
        """WeChat refuses customer-service messages: the next ``count`` to anyone, or (no
        count) every one to this user until ``recover_pushes``."""
        if not self.api_url:
            raise RuntimeError("no WeChat API stand-in to tell")
        params: dict[str, str | int] = {"errcode": errcode, **({"count": count} if count else {"openid": self.openid})}
        self.http.post(f"{self.api_url}/_fake/fail", params=params, timeout=self.timeout).raise_for_status()

    def recover_pushes(self) -> None:
        if not self.api_url:
            raise RuntimeError("no WeChat API stand-in to tell")
        self.http.post(f"{self.api_url}/_fake/recover", params={"openid": self.openid},
                       timeout=self.timeout).raise_for_status()


def _start_fake_api(port: int) -> None:
    import asyncio

    from aiohttp import web

    from channels.wechat.fake_api import FakeWechat

    async def serve() -> None:
        runner = web.AppRunner(FakeWechat().app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await asyncio.Event().wait()

    threading.Thread(target=lambda: asyncio.run(serve()), daemon=True).start()
    time.sleep(0.5)


def _show_pushes(user: WechatUser, stop: threading.Event) -> None:
    seen = 0
    while not stop.is_set():
        try:
            pushed = user.pushed()
        except requests.RequestException:
            pushed = []
        for m in pushed[seen:]:
            if m.get("kind") == "custom":
                print(f"\n[客服消息] {m.get('text', {}).get('content', '')}\n> ", end="", flush=True)
            else:
                print(f"\n[模板消息] {m.get('data')}\n> ", end="", flush=True)
        seen = max(seen, len(pushed))
        stop.wait(0.4)


def run_command(user: WechatUser, line: str) -> Posted | None:
    word, _, rest = line.partition(" ")
    rest = rest.strip()
    if word == "/voice":
        return user.voice(rest or None)
    if word == "/image":
        return user.image(Path(rest).read_bytes())
    if word == "/location":
        lat, lon, *label = rest.split()
        return user.location(float(lat), float(lon), " ".join(label))
    if word == "/link":
        title, _, url = rest.rpartition(" ")
        return user.link(title or url, url)
    if word == "/video":
        return user.video()
    if word == "/click":
        return user.event("CLICK", rest.upper())
    if word == "/subscribe":
        return user.event("subscribe")
    return user.text(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with the gateway as a WeChat user.")
    parser.add_argument("--url", default="http://127.0.0.1:8000/wechat")
    parser.add_argument("--openid", default=None)
    parser.add_argument("--mode", default="safe", choices=["plain", "compatible", "safe"])
    parser.add_argument("--api-port", type=int, default=8010, help="port of WeChat's API stand-in")
    parser.add_argument("--no-fake-api", action="store_true", help="the stand-in already runs elsewhere")
    args = parser.parse_args(argv)
    if not args.no_fake_api:
        _start_fake_api(args.api_port)
    user = WechatUser(args.url, args.openid, mode=args.mode, api_url=f"http://127.0.0.1:{args.api_port}")
    print(f"微信用户 {user.openid}（{args.mode}模式）已连接 {args.url}。直接输入文字；/quit 退出。")
    stop = threading.Event()
    threading.Thread(target=_show_pushes, args=(user, stop), daemon=True).start()
    try:
        for line in sys.stdin if not sys.stdin.isatty() else iter(lambda: input("> "), None):
            line = line.strip()
            if not line:
                continue
            if line == "/quit":
                break
            if not sys.stdin.isatty():
                print(f"> {line}")
            try:
                posted = run_command(user, line)
            except (OSError, ValueError, requests.RequestException) as exc:
                print(f"（发送失败：{exc}）")
                continue
            if posted is None:
                continue
            if posted.status != 200:
                print(f"（网关拒绝：HTTP {posted.status}）")
            elif posted.reply:
                print(posted.reply)
            else:
                print("（被动回复 success：回答将通过客服消息送达）")
        time.sleep(1.5 if not sys.stdin.isatty() else 0)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
