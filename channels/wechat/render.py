"""The assistant's replies as WeChat text, and a citizen's typed choice back to its button.

WeChat text messages have no quick-reply buttons: the choices are listed with numbers and the
citizen answers with the number or the words; the channel remembers the last list (per
citizen, in the shared store) to turn that answer into the button's payload. A text message
may carry at most 2,048 bytes: longer answers are split at line ends.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from bot.citizen_texts import WECHAT_AGENT_PREFIX, WECHAT_CHOICES_HINT

TEXT_LIMIT_BYTES = 2000
Choice = dict[str, str]


def split_text(text: str, limit: int = TEXT_LIMIT_BYTES) -> list[str]:
    """Pieces of at most ``limit`` UTF-8 bytes, cut at line ends where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode()) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = ""
        while len(line.encode()) > limit:
            cut = limit // 3  # CJK characters take 3 bytes
            while len(line[: cut + 1].encode()) <= limit:
                cut += 1
            chunks.append(line[:cut])
            line = line[cut:]
        current = line
    if current.strip():
        chunks.append(current)
    return chunks or [""]


def render(messages: list[dict[str, Any]]) -> tuple[list[str], list[Choice]]:
    """Texts to send (each within WeChat's limit) and the choices offered last."""
    parts: list[str] = []
    choices: list[Choice] = []
    for m in messages:
        text = m.get("text") or ""
        if m.get("author") == "agent" and text:
            text = WECHAT_AGENT_PREFIX + text
        buttons = [b for b in m.get("buttons") or [] if isinstance(b, dict) and b.get("title")]
        if buttons:
            choices = [{"title": str(b["title"]), "payload": str(b.get("payload") or b["title"])} for b in buttons]
            listed = "\n".join(f"{i}. {c['title']}" for i, c in enumerate(choices, 1))
            text = f"{text}\n\n{WECHAT_CHOICES_HINT}\n{listed}" if text else f"{WECHAT_CHOICES_HINT}\n{listed}"
        if m.get("image"):
            text = f"{text}\n{m['image']}" if text else str(m["image"])
        if text.strip():
            parts.append(text.strip())
    if not parts:
        return [], choices
    chunks: list[str] = []
    for part in parts:  # one WeChat message per reply while they fit, like the web page shows them
        chunks.extend(split_text(part))
    return chunks, choices


def merge_for_passive(chunks: list[str]) -> tuple[str, list[str]]:
    """A passive reply carries one message: as many replies as fit, the rest sent after."""
    first, rest = chunks[0], list(chunks[1:])
    while rest and len((first + "\n\n" + rest[0]).encode()) <= TEXT_LIMIT_BYTES:
        first = first + "\n\n" + rest.pop(0)
    return first, rest


def pick_choice(text: str, stored: str | None) -> Choice | None:
    """The offered choice a typed answer means: its number (1, １, "1."), or its exact words."""
    if not stored:
        return None
    try:
        choices = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(choices, list):
        return None
    t = unicodedata.normalize("NFKC", text).strip().rstrip("。.!！")
    m = re.fullmatch(r"(\d{1,2})", t)
    if m and 1 <= int(m.group(1)) <= len(choices):
        return choices[int(m.group(1)) - 1]
    for c in choices:
        if isinstance(c, dict) and c.get("title") == t:
            return c
    return None
