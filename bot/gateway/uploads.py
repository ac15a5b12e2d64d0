"""Images citizens send as evidence (the web widget's upload, WeChat's image messages):
checked by their bytes, kept once by content hash, linked to the conversation's work order."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path

from bot import messages
from bot.store import repository

IMAGE_TYPES = {  # magic bytes -> (content type, extension)
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"GIF87a": ("image/gif", "gif"),
    b"GIF89a": ("image/gif", "gif"),
}


def image_type(head: bytes) -> tuple[str, str] | None:
    for magic, kind in IMAGE_TYPES.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


@dataclass
class Kept:
    attachment_id: int
    filename: str | None
    content_type: str
    size: int
    order_number: str | None
    reply: str


def _write_once(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


async def keep_image(upload_dir: Path, sender_id: str, channel: str, filename: str | None, data: bytes,
                     content_type: str, ext: str) -> Kept:
    """Store an image already checked with ``image_type``; returns what to tell the citizen."""
    digest = hashlib.sha256(data).hexdigest()
    path = upload_dir / digest[:2] / f"{digest}.{ext}"
    await asyncio.to_thread(_write_once, path, data)
    attachment, order = await asyncio.to_thread(
        repository.add_attachment, sender_id, channel, filename, content_type, len(data), digest, str(path))
    reply = messages.UPLOAD_ATTACHED.format(number=order.number) if order else messages.UPLOAD_RECEIVED
    return Kept(attachment.id, attachment.filename, content_type, len(data), order.number if order else None, reply)
