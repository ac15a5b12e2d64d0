"""The gateway's background rounds: one job every so many seconds, forever, a failed round logged
and the next one trying again (order news, failed pushes, expired shared rows, retention)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def every(seconds: float, one_round: Callable[[], Awaitable[object]], failed: str) -> None:
    """``one_round`` every ``seconds`` (0 or less: never); ``failed`` is what the log says when one
    raises."""
    if seconds <= 0:
        return
    while True:
        await asyncio.sleep(seconds)
        try:
            await one_round()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(failed)
