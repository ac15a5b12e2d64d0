"""The monthly 研判报告 (鞍山条例第二十五条: 定期研判、报告): an overview with 同比/环比, the month's
hot spots with what the data suggests doing, the units' table and notable cases, as a printable
page, as a PDF made on the server (``report_pdf.py``) and every table as CSV or XLSX; each month's
is also generated once after the month ends and kept (``archive.py``).
Every number is traceable: the tables carry the order numbers or the figure's filter.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from typing import Any

from sqlalchemy import func, select

from bot.analytics import queries
from bot.language.redact import redact_identity
from bot.store.db import session_scope
from bot.store.models import HotspotWarning, WorkOrder

TABLES = ("overview", "topics", "districts", "units", "hotspots", "cases")
DEFINITIONS = ("口径：签收及时率为24小时内签收；按期办结率为在办理时限内答复办结；解决率为办结后未被评为不满意"
               "（经复核确已尽责的不计）；满意率为已评价中满意和基本满意的占比；满意度为满意100分、基本满意80分、不满意0分的平均；"
               "未评价的不计为满意。每个数字可在研判页面按同样的条件查看对应工单。")


STATE_LABELS = {"open": "待确认", "acknowledged": "已确认，跟进中", "closed": "已关闭"}


def month_period(month: str | None, today: dt.date | None = None) -> queries.Period:
    """YYYY-MM (default: last month) as a period."""
    today = today or (dt.datetime.now(dt.timezone.utc) + queries.CHINA).date()
    if not month:
        first = today.replace(day=1) - dt.timedelta(days=1)
        month = f"{first:%Y-%m}"
    try:
        start = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise queries.QueryError("month 应为 YYYY-MM，例如 2026-11。") from None
    if start.year < 2000 or start > today:  # a year 1 or 9999 would break 同比/环比: nothing to report
        raise queries.QueryError(f"month 应在 2000-01 至 {today:%Y-%m} 之间。")
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return queries.Period(start, end)


def build(p: queries.Period, min_orders: int = 10, min_base: int = queries.MIN_BASE) -> dict[str, Any]:
    """The report's content: every section as rows, ready for any format. ``min_orders``: the
    units ranked; ``min_base``: the fewest orders a base needs for a 同比/环比 (``queries.compare``)."""
    overview = queries.summary(p, "day", None, min_base)
    by_topic = queries.summary(p, "month", "topic", min_base)
    by_district = queries.summary(p, "month", "district", min_base)
    evaluation = queries.units(p, min_orders)
    lo, hi = p.utc()
    with session_scope() as s:
        # The places' warnings (a district's or a street's hot spot, a 集中反映 group): a repeat caller
        # or one order's sensitive word is the hotline's to follow, not the month's report.
        warned = s.execute(select(HotspotWarning).where(HotspotWarning.created_at >= lo, HotspotWarning.created_at < hi,
                                                        HotspotWarning.kind.in_(("hotspot", "street", "cluster")))
                           .order_by(HotspotWarning.score.desc()).limit(20)).scalars().all()
        hotspots = [{"reason": w.reason, "topic": w.topic, "district": w.district, "count": w.count,
                     "baseline": w.baseline, "unit": w.unit or "", "state": w.state, "note": w.note or "",
                     "numbers": w.numbers or "", "advice": _advice(w.topic, f"{w.district}{w.street or ''}", w.unit)}
                    for w in warned]
        # Notable cases: the most raised matters (集中反映 groups) and the orders reopened after 不满意.
        # A 举报's or a confidential order's words are never the group's example: the example is
        # the first open order's content (read here: the database holds it encrypted).
        counted = s.execute(select(WorkOrder.cluster, func.count(), func.min(WorkOrder.topic))
                            .where(WorkOrder.created_at >= lo, WorkOrder.created_at < hi, WorkOrder.cluster.is_not(None))
                            .group_by(WorkOrder.cluster).order_by(func.count().desc()).limit(10)).all()
        groups = [(cluster, n, s.execute(select(WorkOrder.content)
                                         .where(WorkOrder.created_at >= lo, WorkOrder.created_at < hi,
                                                WorkOrder.cluster == cluster, WorkOrder.confidential.is_not(True),
                                                WorkOrder.request_type != "举报")
                                         .order_by(WorkOrder.id).limit(1)).scalar(), topic)
                  for cluster, n, topic in counted]
        reopened = s.execute(select(WorkOrder.number, WorkOrder.topic, WorkOrder.unit, WorkOrder.rating_reason)
                             .where(WorkOrder.created_at >= lo, WorkOrder.created_at < hi, WorkOrder.reopened > 0)
                             .order_by(WorkOrder.id.desc()).limit(10)).all()
    cases = [{"kind": "集中反映", "count": n, "numbers": cluster,
              "what": redact_identity(content, None, None)[:60] if content else f"{topic or '未分类'}（举报或保密事项，内容不公开）"}
             for cluster, n, content, topic in groups]
    cases += [{"kind": "不满意重办", "what": f"{topic or ''} · {unit or ''}：{redact_identity(reason or '', None, None)[:40]}",
               "count": 1, "numbers": number} for number, topic, unit, reason in reopened]
    return {"period": p.as_dict(), "overview": overview, "topics": by_topic, "districts": by_district,
            "units": evaluation, "hotspots": hotspots, "cases": cases}


def _advice(topic: str, district: str, unit: str | None) -> str:
    who = unit or "相关承办单位"
    minor = topic.split("/")[-1]
    return f"建议{who}对{district}{minor}问题开展集中排查，查明共性原因，必要时由热线组织专题会商"


def rows(report: dict[str, Any], table: str) -> tuple[list[str], list[list[Any]]]:
    """One table of the report: its header and rows (what CSV and XLSX hold)."""
    o = report["overview"]
    if table == "overview":
        before, year = o["previous"], o["year_ago"]
        return (["指标", "数值", "说明"], [["统计时段", f"{o['from']} 至 {o['to']}", ""], ["诉求总量", o["total"], ""],
                                         ["上一时段", before["total"], f"{before['from']} 至 {before['to']}"],
                                         ["环比", pct(o["mom"]), o.get("mom_reason") or ""],
                                         ["去年同期", year["total"], f"{year['from']} 至 {year['to']}"],
                                         ["同比", pct(o["yoy"]), o.get("yoy_reason") or ""],
                                         ["派单办理", o["dispatched"], ""], ["未派单", o["not_dispatched"], ""],
                                         ["紧急警情", o["emergencies"], ""]])
    if table in ("topics", "districts"):
        summary = report[table]
        changes = summary["by_group_change"]
        return (["主题大类" if table == "topics" else "区县", "件数", "环比", "同比", "说明"],
                [[name, n, pct(changes[name]["mom"]), pct(changes[name]["yoy"]), why_not_compared(changes[name])]
                 for name, n in summary["totals"].items()])
    if table == "units":
        return (["排名", "承办单位", "受理", "签收及时率", "按期办结率", "解决率", "满意率", "满意度", "参评率", "退回", "延期",
                 "重办", "未评价"],
                [[r["rank"] or "样本不足", r["unit"], r["received"], _rate(r["signed_in_time"]), _rate(r["on_time"]),
                  _rate(r["solved"]), _rate(r["satisfied_share"]), r["satisfaction"] if r["satisfaction"] is not None else "—",
                  _rate(r["rated_share"]), r["returns"], r["extensions"], r["reopened"], r["not_rated"]]
                 for r in report["units"]["units"]])
    if table == "hotspots":
        return (["热点", "件数", "基线", "主要承办单位", "状态", "处理情况", "建议", "相关工单"],
                [[h["reason"], h["count"], round(h["baseline"], 1), h["unit"], STATE_LABELS.get(h["state"], h["state"]),
                  h["note"], h["advice"], h["numbers"]]
                 for h in report["hotspots"]])
    if table == "cases":
        return (["类别", "事项", "件数", "工单（集中反映为首件工单号）"],
                [[c["kind"], c["what"], c["count"], c["numbers"]] for c in report["cases"]])
    raise queries.QueryError(f"table 只能是 {'、'.join(TABLES)}。")


def pct(x: float | None) -> str:
    """A change (环比, 同比): signed; 「—」 when not given (``queries.compare`` says why)."""
    return "—" if x is None else f"{x * 100:+.1f}%"


def why_not_compared(change: dict[str, Any]) -> str:
    """Why a 环比 or 同比 is 「—」 (``queries.compare``'s reasons), or nothing."""
    return "；".join(f"{name}：{change[key]}" for name, key in (("环比", "mom_reason"), ("同比", "yoy_reason"))
                    if change.get(key))


def overview_sentence(o: dict[str, Any]) -> str:
    """The overview's first sentence (the page and the PDF): the month's total with its 环比 and
    同比, or why one is not given."""
    def change(name: str, x: float | None, reason: str | None, base: str, n: int) -> str:
        if x is None:
            return f"{name}不作比较（{reason or '无基期数据'}）"
        return f"{name}{pct(x)}（{base}{n}件）"

    return (f"本月共受理诉求{o['total']}件，{change('环比', o['mom'], o.get('mom_reason'), '上月', o['previous']['total'])}，"
            f"{change('同比', o['yoy'], o.get('yoy_reason'), '去年同期', o['year_ago']['total'])}；"
            f"派单办理{o['dispatched']}件，未派单{o['not_dispatched']}件；告知市民拨打紧急电话的紧急警情{o['emergencies']}件。")


def _rate(x: float | None) -> str:
    """A share (签收及时率, 满意率 …): never signed, 「85.0%」 not 「+85.0%」."""
    return "—" if x is None else f"{x * 100:.1f}%"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_FIGURE = re.compile(r"[+-]\d+(?:\.\d+)?%?")  # 环比 「+200.0%」: a figure, not a formula


def runs_as_formula(value: Any) -> bool:
    return (isinstance(value, str) and value.startswith(_FORMULA_START)
            and not _SIGNED_FIGURE.fullmatch(value))


def inert(value: Any) -> Any:
    """A cell a spreadsheet will not run: citizens' words starting like a formula (「-2+3+cmd|…」,
    「=HYPERLINK(…)」) get a leading apostrophe (OWASP's advice for CSV injection)."""
    return "'" + value if runs_as_formula(value) else value


def as_csv(report: dict[str, Any], table: str) -> bytes:
    header, body = rows(report, table)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([inert(v) for v in row] for row in body)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel opens Chinese CSV right


def as_xlsx(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    names = {"overview": "总体情况", "topics": "主题", "districts": "区县", "units": "承办单位考核", "hotspots": "热点预警",
             "cases": "典型事项"}
    for i, table in enumerate(TABLES):
        sheet = book.active if i == 0 else book.create_sheet()
        sheet.title = names[table]
        header, body = rows(report, table)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in body:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:  # text stays text: never a formula
                if runs_as_formula(cell.value):
                    cell.data_type = "s"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width * 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_html(report: dict[str, Any], hotline: str) -> str:
    """A printable page (A4), the report's every table."""
    p = report["period"]
    o = report["overview"]
    e = html.escape
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{e(hotline)} 研判报告 "
             f"{e(p['from'][:7])}</title><style>{_PRINT_CSS}</style></head><body>",
             f"<h1>{e(hotline)}月度研判报告</h1><p class='sub'>{e(p['from'])} 至 {e(p['to'])} · 生成于 "
             f"{dt.datetime.now(dt.timezone.utc) + queries.CHINA:%Y-%m-%d %H:%M}</p>",
             "<h2>一、总体情况</h2>",
             f"<p>{e(overview_sentence(o))}</p>"]
    top_topics = list(report["topics"]["totals"].items())[:3]
    if top_topics:
        parts.append("<p>诉求最多的主题：" + "、".join(f"{e(t)}（{n}件）" for t, n in top_topics) + "。</p>")
    for title, table in (("二、主题分布", "topics"), ("三、区县分布", "districts"), ("四、热点与建议", "hotspots"),
                         ("五、承办单位考核", "units"), ("六、典型事项", "cases")):
        header, body = rows(report, table)
        parts.append(f"<h2>{title}</h2>")
        if not body:
            parts.append("<p>本月无。</p>")
            continue
        parts.append("<table><thead><tr>" + "".join(f"<th>{e(str(h))}</th>" for h in header) + "</tr></thead><tbody>")
        for row in body:
            parts.append("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append(f"<p class='note'>{e(DEFINITIONS)}</p></body></html>")
    return "".join(parts)


_PRINT_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:24px;color:#1f2933;font-size:13px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 8px;border-bottom:2px solid #0b4f9c;padding-bottom:3px}
.sub{color:#5f6b7a;margin:0 0 12px}table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid #c8ced6;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eef5ff}
.note{color:#5f6b7a;font-size:11px;margin-top:18px}
@page{size:A4;margin:14mm}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
"""
