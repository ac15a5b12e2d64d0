"""``python -m bot.gateway``: serve the gateway (settings from the environment, see config.py)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot import logmask
from bot.gateway.app import create_app
from bot.gateway.config import GatewayConfig
from bot.gateway.settings_check import InsecureSettings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logmask.install()
    config = GatewayConfig.from_env()
    try:
        app = create_app(config)
    except InsecureSettings as exc:
        logging.getLogger("bot.gateway").error("%s", exc)
        raise SystemExit(2) from None
    web.run_app(app, host=config.host, port=config.port, access_log=None,
                print=lambda _msg: print(f"gateway listening on http://{config.host}:{config.port}", flush=True))


if __name__ == "__main__":
    main()
