"""Text without who wrote it: a protected order's content as its unit reads it (举报, 保密), and
every order's content once its personal data is past the profile's retention (bot/orders/retention.py)."""

from __future__ import annotations

import re

from bot.language import extract

# Who is speaking or reporting, then a name: 「本人张德胜实名举报」「举报人刘芳反映」「我，王小明，」.
_ROLE = r"(?:实名举报人|举报人|反映人|投诉人|联系人|申请人|来电人|诉求人|当事人|本人|我是|我叫|我[，,、]\s*)"
_BY_ROLE = re.compile(_ROLE + r"[：:\s]*(" + extract._SURNAME_RX + r"[\u4e00-\u9fa5]{1,2}?)"
                      r"(?=[，,。；;：:、\s（()）]|实名|举报|投诉|反映|来电|先生|女士|$)")


def redact_identity(text: str, name: str | None, phone: str | None) -> str:
    """A protected order's content without who wrote it, by every means the extractor has: the
    order's own name and phone wherever they stand, a name stated in a sentence (我叫… / 我姓… /
    王女士, 本人张德胜实名举报, 举报人刘芳), and any contact number."""
    t = extract.normalize(text or "")
    t = _BY_ROLE.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)] + "＊＊", t)
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
