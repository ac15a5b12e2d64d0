"""Text without who wrote it: a protected order's content as its unit reads it (举报, 保密), and
every order's content once its personal data is past the profile's retention (bot/orders/retention.py)."""

from __future__ import annotations

import re

from bot.language import extract


def redact_identity(text: str, name: str | None, phone: str | None) -> str:
    """A protected order's content without who wrote it, by every means the extractor has: the
    order's own name and phone wherever they stand, a name stated in a sentence (我叫… / 我姓… /
    王女士), and any contact number."""
    t = extract.normalize(text or "")
    for _ in range(20):
        found = extract.find_name(t)
        if found is not None:
            start, end = found.span
            t = t[:start] + t[start:end].replace(found.value.removeprefix("姓"), "＊＊") + t[end:]
            continue
        phone_found = extract.find_phone(t)
        if phone_found is not None:
            start, end = phone_found.span
            t = t[:start] + "＊＊＊＊" + t[end:]
            continue
        break
    for value, mask in ((name, "＊＊"), (phone, "＊＊＊＊")):
        if value and len(value.strip()) >= 2:
            t = t.replace(value.strip(), mask)
    if name and len(name.strip()) >= 2:  # 王建国 -> 王先生 / 王女士 / 老王
        surname = name.strip()[0]
        t = re.sub(f"{re.escape(surname)}(?=先生|女士|阿姨|大爷|大妈|师傅)|(?<=老){re.escape(surname)}", "＊", t)
    return t
