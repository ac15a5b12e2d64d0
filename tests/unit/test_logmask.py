"""No personal data in log lines: phones, ID numbers, e-mail, names, even inside tracebacks."""

from __future__ import annotations

import logging

import pytest

from bot.logmask import MaskFilter, mask


@pytest.mark.parametrize("text, secret", [
    ("citizen said 我叫王丽，电话13912345678", "13912345678"),
    ("phone +86 139 1234 5678 given", "1234 5678"),
    ("手机139-1234-5678", "1234-5678"),
    ("座机0412-5551234", "5551234"),
    ("身份证210302198805061234", "19880506"),
    ("身份证21030219880506123X", "19880506"),
    ("mail wang.li@example.com", "wang.li"),
    ("我叫王丽", "王丽"),
    ("姓名：欧阳娜娜", "欧阳娜娜"),
    ('{"name": "孙丽", "phone": null}', "孙丽"),
])
def test_personal_data_is_masked(text, secret):
    assert secret not in mask(text)


def test_other_text_is_left_alone():
    for text in ("rasa slow for web-1a2b; the answer will follow", "order AS-20261123-0007 dispatched",
                 "GET /api/orders/overdue 200 12ms", "铁东区胜利路88号"):
        assert mask(text) == text


def test_the_filter_masks_arguments_and_tracebacks(caplog):
    logger = logging.getLogger("test.logmask")
    handler = logging.StreamHandler()
    handler.addFilter(MaskFilter())
    logger.addHandler(handler)
    try:
        with caplog.at_level(logging.INFO, logger="test.logmask"):
            caplog.handler.addFilter(MaskFilter())
            logger.info("filing for %s at %s", "13912345678", "铁东区")
            try:
                raise ValueError("bad phone 13812345678")
            except ValueError:
                logger.exception("failed")
        text = caplog.text
        assert "13912345678" not in text and "13812345678" not in text and "139****5678" in text
    finally:
        logger.removeHandler(handler)
