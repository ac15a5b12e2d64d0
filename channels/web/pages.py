"""The hotline's web pages: ``/`` (our widget), ``/webchat`` (the unmodified rasa-webchat
widget), ``/api/docs`` (Swagger UI over /api/openapi.json) and their static files. Front-end
packages come from npm at set-up (channels/web/package.json), never copied into the repo."""

from __future__ import annotations

import html
from pathlib import Path

from aiohttp import web

from bot.profile import Profile

HERE = Path(__file__).resolve().parent
VENDOR = {  # URL name -> file inside node_modules
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "webchat.js": "rasa-webchat/lib/index.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "echarts.min.js": "echarts/dist/echarts.min.js",  # the console's 研判 dashboard
}
NOT_INSTALLED = "前端组件尚未安装：请先运行 make setup。(front-end packages missing: run `make setup`)"

DOCS_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>TITLE · API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/vendor/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/static/vendor/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""


def routes(profile: Profile, static_dir: Path, node_modules: Path) -> list[web.AbstractRouteDef]:
    values = {"hotline_name": profile.hotline_name, "hotline_number": profile.hotline_number, "city": profile.city}

    def render(name: str) -> str:
        page = (static_dir / name).read_text(encoding="utf-8")
        for key, value in values.items():
            page = page.replace("{{" + key + "}}", html.escape(value))
        return page

    async def index(_request: web.Request) -> web.Response:
        return web.Response(text=render("index.html"), content_type="text/html")

    async def webchat(_request: web.Request) -> web.Response:
        return web.Response(text=render("webchat.html"), content_type="text/html")

    async def docs(_request: web.Request) -> web.Response:
        return web.Response(text=DOCS_PAGE.replace("TITLE", html.escape(profile.hotline_name)), content_type="text/html")

    async def vendor(request: web.Request) -> web.StreamResponse:
        rel = VENDOR.get(request.match_info["name"])
        if rel is None:
            raise web.HTTPNotFound()
        path = node_modules / rel
        if not path.exists():
            return web.Response(status=503, text=NOT_INSTALLED)
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})

    return [
        web.get("/", index),
        web.get("/webchat", webchat),
        web.get("/api/docs", docs),
        web.get("/static/vendor/{name}", vendor),
        web.static("/static", static_dir),
    ]
