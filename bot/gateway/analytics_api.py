"""研判 over HTTP (issue 23): the figures of ``bot/analytics`` for machines with an ``analyst``
(or ``staff``) key, and the same for the console's supervisors and leaders (``bot/console``).

    GET /api/analytics/summary?from=YYYY-MM-DD&to=YYYY-MM-DD&by=day|week|month&group=channel|type|district|street|topic|subtopic|unit
    GET /api/analytics/hotspots[?at=ISO time]   what is rising now (or at a past moment)
    GET /api/analytics/units?from=&to=          the units' evaluation (考核)
    GET /api/analytics/answers?from=&to=&answered_by=kb|agent
                                                behind 直接答复: the articles given and how often,
                                                or why the conversations agents answered came to them
    GET /api/analytics/orders?from=&to=&district=…&topic=…[&dispatched=yes|no][&basis=filed|received]
                                                the orders behind a figure (received: dispatched to
                                                their unit in the period, as the evaluation counts)
    GET /api/analytics/report?month=YYYY-MM&format=html|pdf|csv|xlsx[&table=units|topics|…]
                                                the monthly 研判报告 (CSV: one table; XLSX: every table)
    GET /api/analytics/reports[?month=YYYY-MM&format=pdf|xlsx]
                                                the reports kept after each month: the list, or one
    GET /api/analytics/warnings?state=open|acknowledged|closed|all[&kind=hotspot|street|cluster|repeat|sensitive]
                                                early warnings, each with its kind (热点, 街道热点, 集中反映,
                                                重复来电, 敏感词), reason and the orders behind it
    POST /api/analytics/warnings/{id}/acknowledge|close {note}      (staff; a note is required to close)

Aggregates never carry a name or a phone; the orders behind a figure carry no name, phone or
address, and a 举报 or confidential order no content. Every read is audited.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping

from aiohttp import web

from bot import citizen_texts
from bot.analytics import archive, queries, report, report_pdf, warnings
from bot.gateway.api import Api, error, ok
from bot.orders import lifecycle
from bot.profile import Profile

ROLES = ("analyst", "staff")


def run(what: str, query: Mapping[str, str], actor: str, profile: Profile) -> web.Response:
    """One analytics read (in a worker thread), audited; a bad request gets a clear 400."""
    try:
        if what == "summary":
            response = ok(queries.summary(queries.period(query.get("from"), query.get("to")),
                                          query.get("by") or "day", query.get("group") or None,
                                          profile.comparison_min_orders))
        elif what == "units":
            response = ok(queries.units(queries.period(query.get("from"), query.get("to")), profile.evaluation_min_orders))
        elif what == "answers":
            try:
                limit = int(query.get("limit") or 50)
            except ValueError:
                limit = 50
            data = queries.answers(queries.period(query.get("from"), query.get("to")), query.get("answered_by") or "",
                                   limit)
            for row in data.get("reasons", []):
                row["label"] = citizen_texts.HANDOFF_REASONS.get(row["reason"], row["reason"])
            response = ok(data)
        elif what == "hotspots":
            at = query.get("at")
            try:
                end = dt.datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None
            except ValueError:
                raise queries.QueryError("at 应为 ISO 时间，例如 2026-12-01T08:00:00Z。") from None
            if end is not None and end.tzinfo is not None:
                end = end.astimezone(dt.timezone.utc).replace(tzinfo=None)
            response = ok({"hotspots": queries.hotspots(end)})
        elif what == "orders":
            filters = {k: v for k, v in query.items() if k in queries.FILTERS and v}
            try:
                limit = int(query.get("limit") or 200)
            except ValueError:
                limit = 200
            response = ok(queries.orders(queries.period(query.get("from"), query.get("to")), filters, limit,
                                         query.get("basis") or "filed"))
        elif what == "report":
            response = _report(query, profile)
        elif what == "reports":
            response = _kept(query, profile)
        elif what == "warnings":
            response = ok({"warnings": warnings.listing(query.get("state") or "open", kind=query.get("kind") or None,
                                                        with_orders=True)})
        else:
            return error(404, "not_found", "没有这项统计。")
    except queries.QueryError as exc:
        return error(400, "bad_query", str(exc))
    except warnings.WarningError as exc:
        return error(400, exc.code, exc.message)
    lifecycle.audit(actor, f"analytics_{what}", None, "&".join(f"{k}={v}" for k, v in sorted(query.items()))[:500])
    return response


def _report(query: Mapping[str, str], profile: Profile) -> web.Response:
    fmt = query.get("format") or "html"
    if fmt not in ("html", "pdf", "csv", "xlsx"):
        raise queries.QueryError("format 只能是 html、pdf、csv 或 xlsx。")
    period = report.month_period(query.get("month"))
    content = report.build(period, profile.evaluation_min_orders, profile.comparison_min_orders)
    name = f"yanpan-{period.start:%Y-%m}"
    if fmt == "html":
        return web.Response(text=report.as_html(content, profile.hotline_name), content_type="text/html")
    if fmt == "pdf":
        return pdf_response(report_pdf.as_pdf(content, profile.hotline_name), name)
    if fmt == "csv":
        table = query.get("table") or "units"
        body = report.as_csv(content, table)
        return web.Response(body=body, content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}-{table}.csv"'})
    return xlsx_response(report.as_xlsx(content), name)


def _kept(query: Mapping[str, str], profile: Profile) -> web.Response:
    """The reports kept after each month: their list, or one of them as it was generated (PDF) or
    its tables (XLSX)."""
    month = query.get("month")
    if not month:
        return ok({"reports": archive.listing(), "keep_months": profile.report_keep_months})
    fmt = query.get("format") or "pdf"
    if fmt not in ("pdf", "xlsx"):
        raise queries.QueryError("已存档的报告 format 只能是 pdf 或 xlsx。")
    found = archive.kept(month)
    if found is None:
        return error(404, "not_found", f"{month} 的月度研判报告尚未存档（每月1日凌晨生成上月报告）。")
    pdf, content = found
    name = f"yanpan-{content['period']['from'][:7]}-archived"
    if fmt == "pdf":
        return pdf_response(pdf, name)
    return xlsx_response(report.as_xlsx(content), name)


def pdf_response(body: bytes, name: str) -> web.Response:
    return web.Response(body=body, content_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})  # opens in the browser's viewer


def xlsx_response(body: bytes, name: str) -> web.Response:
    return web.Response(body=body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


def act_on_warning(warning_id: str, action: str, body: Mapping[str, object], actor: str) -> web.Response:
    """Acknowledge or close a hot-spot warning (in a worker thread), audited."""
    try:
        number = int(warning_id)
    except ValueError:
        return error(404, "not_found", "没有这条预警。")
    note = body.get("note")
    try:
        data = warnings.act(number, action, actor, note if isinstance(note, str) else None)
    except warnings.WarningError as exc:
        status = 404 if exc.code == "not_found" else 409 if exc.code == "bad_state" else 400
        return error(status, exc.code, exc.message)
    lifecycle.audit(actor, f"warning_{action}", None, f"warning {number}")
    return ok(data)


class AnalyticsApi:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.profile = api.hub.profile

    async def read(self, request: web.Request) -> web.Response:
        key = self.api.require(request, *ROLES)
        return await asyncio.to_thread(run, request.match_info["what"], request.query, f"{key.role}:{key.name}",
                                       self.profile)

    async def warning(self, request: web.Request) -> web.Response:
        key = self.api.require(request, "staff")  # acting on a warning is the hotline's; analysts read
        body = await self.api.json_body(request) if request.can_read_body else {}
        return await asyncio.to_thread(act_on_warning, request.match_info["id"], request.match_info["action"], body,
                                       f"{key.role}:{key.name}")

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/api/analytics/{what}", self.read),
                web.post("/api/analytics/warnings/{id}/{action}", self.warning)]

