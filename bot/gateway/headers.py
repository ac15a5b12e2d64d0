"""Security headers on every response (issue 18, hardening).

Every response: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``. Every
HTML page also gets a Content-Security-Policy: scripts only from this origin, plus the page's own
inline scripts by their hash (computed from the page as it is sent, so a page's script and the
policy never drift apart); no plugins, no foreign forms, no <base>. Pages may be framed only by
this origin, and the citizens' widget pages (``/``, ``/webchat``) also by the sites named in
``HOTLINE_WIDGET_FRAME_ORIGINS`` (space-separated origins, for a city that embeds the widget in
its own portal). The staff pages (console, API docs) are never framed (clickjacking).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re

from aiohttp import web

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
WIDGET_PAGES = ("/", "/webchat")


def inline_script_hashes(page: str) -> list[str]:
    return ["'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
            for body in _INLINE_SCRIPT.findall(page)]


def frame_origins() -> list[str]:
    return [o for o in os.environ.get("HOTLINE_WIDGET_FRAME_ORIGINS", "").split()
            if re.fullmatch(r"https?://[A-Za-z0-9.\-]+(?::\d+)?", o)]


def policy(path: str, page: str) -> str:
    widget = path in WIDGET_PAGES
    ancestors = " ".join(["'self'", *frame_origins()]) if widget else "'none'"
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(["'self'", *inline_script_hashes(page)]),
        "style-src 'self' 'unsafe-inline'",  # style attributes in the pages and Swagger UI's own
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ])


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _add(request, exc)
        raise
    _add(request, response)
    return response


def _html_of(response: web.StreamResponse) -> str | None:
    """The page's text when the response is an HTML page (a rendered one or a file), else None."""
    if isinstance(response, web.FileResponse):
        path = getattr(response, "_path", None)
        if path is None or str(path).rsplit(".", 1)[-1] != "html":
            return None
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return ""
    # The raw header first: aiohttp parses a Content-Type with the e-mail parser (a tenth of a
    # millisecond), and an answer that is not HTML (every JSON answer) need not be parsed at all.
    if isinstance(response, web.Response) and "text/html" in response.headers.get("Content-Type", "").lower() \
            and response.content_type == "text/html":
        return response.text or "" if response.body is not None else ""
    return None


def _add(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    page = _html_of(response)
    if page is None:
        return
    response.headers.setdefault("Content-Security-Policy", policy(request.path, page))
    if request.path not in WIDGET_PAGES or not frame_origins():
        response.headers.setdefault("X-Frame-Options", "DENY" if request.path not in WIDGET_PAGES else "SAMEORIGIN")
