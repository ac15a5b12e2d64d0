"""Personal data never reaches a log line: phone numbers, ID card numbers, e-mail addresses and
names a citizen gave are masked in every record, whichever library logged it.

``install()`` puts the filter on the root logger's handlers (the gateway, the action server);
the Rasa server gets it from ``logging.yml`` (``rasa run --logging-config-file logging.yml``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

_SEP = r"[\s\-]?"
_RULES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # 18-digit ID numbers (the last may be X), before phones so their digits are not half-masked
    (re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])"), r"\1********\2"),
    # mobile numbers, also with +86 and spaces or dashes between digit groups
    (re.compile(r"(?<!\d)((?:\+?86" + _SEP + r")?1[3-9]\d)(?:" + _SEP + r"\d){4}(" + _SEP + r"\d){4}(?!\d)"),
     lambda m: m.group(1) + "****" + m.group(0)[-4:]),
    # landlines with an area code: 0412-5551234, 0412 5551234, 041255512345
    (re.compile(r"(?<!\d)(0\d{2,3})[\s\-]?\d{3,4}(\d{4})(?!\d)"), r"\1-****\2"),
    (re.compile(r"([\w.+-]{1,64})@([\w-]+\.[\w.-]+)"), r"***@\2"),
    # a name after the words people use to give it: 我叫王丽 / 姓名：王丽 / 我姓王
    (re.compile(r"(我叫|我是|姓名[：:\s]*|名字[是叫：:\s]*|联系人[：:\s]*|我姓)([\u4e00-\u9fff·]{1,4})"),
     lambda m: m.group(1) + m.group(2)[0] + "*" * (len(m.group(2)) - 1) if m.group(1) != "我姓"
     else m.group(1) + "*"),
    # names in the work-order fields the code itself logs: name=王丽 / "name": "王丽"
    (re.compile(r"""(["']?name["']?\s*[:=]\s*["']?)([^"',\s}]{1,16})"""), r"\1***"),
]


def mask(text: str) -> str:
    for rx, replacement in _RULES:
        text = rx.sub(replacement, text)
    return text


class MaskFilter(logging.Filter):
    """Masks the formatted message (and a traceback's text) of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the record as it is
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


def install() -> None:
    """Mask every record that reaches the root logger's handlers (add handlers first)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, MaskFilter) for f in handler.filters):
            handler.addFilter(MaskFilter())
