"""WeChat's server-to-server protocol: signatures, the three encryption modes, safe XML.

- URL verification: ``GET ?signature&timestamp&nonce&echostr`` -> echostr when
  sha1(sorted(token, timestamp, nonce)) matches.
- Every POST carries ``signature`` (checked always) and, when encrypted (``encrypt_type=aes``),
  ``msg_signature`` over the ciphertext (checked by wechatpy's crypto before decrypting).
- 明文 (plain) takes plaintext only; 兼容 (compatible) takes both and answers in kind; 安全
  (safe) refuses plaintext. Replies to an encrypted message are encrypted.
- Requests older (or newer) than ``max_clock_skew`` are refused: a replay.
- XML with a DOCTYPE or entity declaration, oversized bodies and malformed XML are refused
  before any parser expands anything.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from channels.wechat.config import WechatConfig

MAX_BODY = 64 * 1024


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Inbound:
    message: Any  # a wechatpy message or event
    encrypted: bool


def _safe_xml(body: bytes | str) -> str:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    head = text[:4096].upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in text.upper():
        raise Refused(400, "xml declares a doctype or entities")
    return text


def _parse_xml(text: str) -> dict[str, Any]:
    try:
        doc = xmltodict.parse(text, disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise Refused(400, f"malformed xml ({type(exc).__name__})") from exc
    xml = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(xml, dict):
        raise Refused(400, "no <xml> root")
    return xml


class Protocol:
    def __init__(self, config: WechatConfig) -> None:
        self.config = config
        self.crypto = WeChatCrypto(config.token, config.aes_key, config.appid) if config.mode != "plain" else None

    def _check_time(self, timestamp: str, now: float | None) -> None:
        if not (timestamp.isascii() and timestamp.isdigit()) or abs((now or time.time()) - int(timestamp)) > self.config.max_clock_skew:
            raise Refused(403, "stale or missing timestamp")

    def _check_signature(self, params: Mapping[str, str]) -> None:
        try:
            check_signature(self.config.token, params.get("signature", ""), params.get("timestamp", ""),
                            params.get("nonce", ""))
        except InvalidSignatureException as exc:
            raise Refused(403, "bad signature") from exc

    def verify_url(self, params: Mapping[str, str], now: float | None = None) -> str:
        """The echostr to send back when WeChat checks the server URL."""
        self._check_signature(params)
        self._check_time(params.get("timestamp", ""), now)
        echostr = params.get("echostr", "")
        if not echostr:
            raise Refused(400, "no echostr")
        return echostr

    def parse(self, params: Mapping[str, str], body: bytes, now: float | None = None) -> Inbound:
        if len(body) > MAX_BODY:
            raise Refused(413, "body too large")
        self._check_signature(params)
        self._check_time(params.get("timestamp", ""), now)
        try:
            outer_text = _safe_xml(body)
        except UnicodeDecodeError as exc:
            raise Refused(400, "body is not utf-8") from exc
        outer = _parse_xml(outer_text)
        encrypted = params.get("encrypt_type", "raw") == "aes"
        if encrypted:
            if self.crypto is None:
                raise Refused(400, "encrypted message but the account is in plain mode")
            if not isinstance(outer.get("Encrypt"), str):
                raise Refused(400, "no Encrypt element")
            try:
                inner_text = self.crypto.decrypt_message(outer, params.get("msg_signature", ""),
                                                         params.get("timestamp", ""), params.get("nonce", ""))
            except InvalidSignatureException as exc:
                raise Refused(403, "bad msg_signature") from exc
            except InvalidAppIdException as exc:
                raise Refused(403, "message for another app id") from exc
            except Exception as exc:  # bad base64, padding, ciphertext
                raise Refused(400, f"cannot decrypt ({type(exc).__name__})") from exc
            xml_text = _safe_xml(inner_text)
            _parse_xml(xml_text)
        else:
            if self.config.mode == "safe":
                raise Refused(403, "plaintext message refused in safe mode")
            xml_text = outer_text
        try:
            message = parse_message(xml_text)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Refused(400, f"not a wechat message ({type(exc).__name__})") from exc
        source = getattr(message, "source", None)  # an openid: 28 characters
        if not isinstance(source, str) or not source or len(source) > 64 or not source.isprintable():
            raise Refused(400, "message without a proper FromUserName")
        return Inbound(message, encrypted)

    def text_reply(self, inbound: Inbound, content: str, nonce: str, timestamp: str | None = None) -> str:
        xml = TextReply(source=inbound.message.target, target=inbound.message.source, content=content).render()
        if inbound.encrypted and self.crypto is not None:
            return self.crypto.encrypt_message(xml, nonce, timestamp or str(int(time.time())))
        return xml
