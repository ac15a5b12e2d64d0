"""Images citizens send as evidence (the web widget's upload, WeChat's image messages):
checked by their content (decoded, and nothing after the image's end), kept once by content
hash, linked to the conversation's work order."""

from __future__ import annotations

import asyncio
import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from bot import citizen_texts
from bot.store import attachments

IMAGE_TYPES = {  # magic bytes -> (content type, extension)
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"GIF87a": ("image/gif", "gif"),
    b"GIF89a": ("image/gif", "gif"),
}


PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
MAX_PIXELS = 40_000_000  # a phone photo is 12-50 MP; more is a decompression bomb, not evidence
# What ends a PNG or GIF; bytes after it are not the image (a script, an archive). A JPEG may be
# followed by more (Android's motion photos append their video): it must decode, that is all.
_TRAILERS = {"image/png": b"IEND\xaeB`\x82", "image/gif": b"\x3b"}


def sniff(head: bytes) -> tuple[str, str] | None:
    """The kind an image's first bytes claim (not proof: ``image_type`` decodes it)."""
    for magic, kind in IMAGE_TYPES.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def image_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) when ``data`` is a whole JPEG, PNG, GIF or WebP image and
    nothing else: its first bytes say so, the image decodes as that format within a sane size,
    and nothing follows its end (a GIF header followed by script, or an image with an archive
    glued to it, is refused)."""
    kind = sniff(data[:16])
    if kind is None:
        return None
    content_type = kind[0]
    if content_type == "image/webp":
        declared = int.from_bytes(data[4:8], "little") + 8
        if declared != len(data):
            return None
    elif content_type in _TRAILERS and not data.endswith(_TRAILERS[content_type]):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != PIL_FORMATS[content_type] or img.width * img.height > MAX_PIXELS:
                    return None
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()  # verify() checks the structure; loading decodes the pixels
    except Exception:  # noqa: BLE001 - anything Pillow cannot read is not an image we keep
        return None
    return kind


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
        attachments.add_attachment, sender_id, channel, filename, content_type, len(data), digest, str(path))
    reply = citizen_texts.UPLOAD_ATTACHED.format(number=order.number) if order else citizen_texts.UPLOAD_RECEIVED
    return Kept(attachment.id, attachment.filename, content_type, len(data), order.number if order else None, reply)
