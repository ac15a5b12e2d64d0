"""The monthly 研判报告 as a PDF (A4) made on the server: the same sections and the same privacy as the
printable page (``report.as_html``), for the leaders who file it, forward it and print it.

Chinese is real text in the PDF (a reader can select it, search it and copy it), set in a
TrueType Chinese font the machine ships, **embedded** (the characters used, as a subset) so the
PDF opens the same anywhere, on a reader or printer without Chinese fonts of its own too:
``HOTLINE_REPORT_FONT`` names the file (.ttf/.ttc), else the first of ``SYSTEM_FONTS`` present
(Debian's ``fonts-wqy-microhei``, which ``make test``/``scripts/install_system.sh browser``
installs, and its kin). Only when none can be read is Adobe's standard 「STSong-Light」 used, a CID
font with no font file (WPS, Foxit, Acrobat and Chrome show it with a Song typeface of their own;
a reader without one shows nothing): that is logged. Nothing is downloaded.

Every page carries the hotline, the month, the period and the generation time at the top and
「第 N 页 / 共 M 页」 at the bottom.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from bot.analytics import queries, report

log = logging.getLogger(__name__)

STANDARD_FONT = "STSong-Light"
_BLUE = colors.HexColor("#0b4f9c")
_GREY = colors.HexColor("#5f6b7a")
_RULE = colors.HexColor("#c8ced6")
_HEAD = colors.HexColor("#eef5ff")
_MARGIN = 16 * mm
_WIDTH = A4[0] - 2 * _MARGIN

# Column widths (share of the text width) of each table; the units' evaluation is the widest.
_COLUMNS: dict[str, list[float]] = {
    "topics": [0.3, 0.12, 0.12, 0.12, 0.34],  # the last: why a 环比 or 同比 is not given
    "districts": [0.3, 0.12, 0.12, 0.12, 0.34],
    "hotspots": [0.27, 0.06, 0.06, 0.15, 0.1, 0.12, 0.24],
    "units": [0.085, 0.175] + [0.0672727] * 11,
    "cases": [0.1, 0.52, 0.07, 0.31],
}


# TrueType Chinese fonts of Debian's packages, in order of preference (Noto CJK is OpenType/CFF,
# which reportlab cannot embed).
SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei (make test installs it)
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
)


@lru_cache(maxsize=8)
def font_name(path: str | None = None) -> str:
    """The font the report is set in: a TrueType file embedded (``path``, else
    ``HOTLINE_REPORT_FONT``, else the first of ``SYSTEM_FONTS`` present), or, when none can be
    read, Adobe's standard Song (not embedded)."""
    path = path if path is not None else os.environ.get("HOTLINE_REPORT_FONT", "").strip()
    tried = [path] if path else [p for p in SYSTEM_FONTS if os.path.exists(p)]
    for candidate in tried:
        name = "HotlineReport-" + os.path.basename(candidate).split(".")[0]
        try:
            pdfmetrics.registerFont(TTFont(name, candidate, subfontIndex=0))
            return name
        except Exception as exc:  # a missing or unreadable file: the next one, at last the standard font
            log.warning("report font %s not usable (%s)", candidate, exc)
    log.warning("no TrueType Chinese font to embed (HOTLINE_REPORT_FONT, or Debian's fonts-wqy-microhei): "
                "the report uses %s, which readers without a Chinese font of their own cannot show", STANDARD_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(STANDARD_FONT))
    return STANDARD_FONT


# Signs Adobe's standard Chinese character set (GB) lacks, written as ones it has: a reason's
# 「公用事业 › 供水」 and the separators would print as a blank box.
_GB_SAFE = str.maketrans({"·": "・", "•": "・", "›": "＞", "‹": "＜", "–": "－", "\u00a0": " "})


def _text(value: Any) -> str:
    """Text for a Paragraph: the signs mapped, and escaped (citizens' words are never markup)."""
    return escape(str(value).translate(_GB_SAFE)).replace("\n", "<br/>")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=1, spaceAfter=2),
        "sub": ParagraphStyle("sub", parent=base, fontSize=10, textColor=_GREY, alignment=1, spaceAfter=10),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13.5, leading=20, textColor=_BLUE, spaceBefore=12,
                             spaceAfter=6),
        "body": ParagraphStyle("body2", parent=base, firstLineIndent=20, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5),
        "head": ParagraphStyle("headcell", parent=base, fontSize=8, leading=10.5, textColor=_BLUE),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=12, textColor=_GREY, spaceBefore=10),
        "none": ParagraphStyle("none", parent=base, textColor=_GREY),
        # Order numbers break between numbers, never inside one (CJK wrapping breaks anywhere).
        "numbers": ParagraphStyle("numbers", parent=base, fontSize=8, leading=10.5, wordWrap=None, textColor=_GREY),
    }


def _table(name: str, header: list[str], body: list[list[Any]], st: dict[str, ParagraphStyle],
           numbers: list[str] | None = None) -> Table:
    """A table of the report; with ``numbers``, each row is followed by a row across the table
    with the orders behind it."""
    data: list[list[Any]] = [[Paragraph(_text(h), st["head"]) for h in header]]
    spans, shade = [], []
    for i, row in enumerate(body):
        data.append([Paragraph(_text("—" if v in ("", None) else v), st["cell"]) for v in row])
        if i % 2:
            shade.append(len(data) - 1)
        if numbers is not None:
            data.append([Paragraph(_text(_numbers(numbers[i])), st["numbers"])] + [""] * (len(header) - 1))
            spans.append(len(data) - 1)
            if i % 2:
                shade.append(len(data) - 1)
    table = Table(data, colWidths=[w * _WIDTH for w in _COLUMNS[name]], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st["cell"].fontName),  # the empty cells too: no Helvetica in the file
        ("GRID", (0, 0), (-1, -1), 0.4, _RULE),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *[("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f7f9fc")) for i in shade],
        *[("SPAN", (0, i), (-1, i)) for i in spans],
        *[("NOSPLIT", (0, i - 1), (-1, i)) for i in spans],  # a warning and its orders stay on one page
    ]))
    return table


def _numbered(font: str, top_left: str, top_right: str) -> type[pdfcanvas.Canvas]:
    """A canvas that draws each page's header and 「第 N 页 / 共 M 页」 once the total is known."""

    class Numbered(pdfcanvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = kwargs.get("initialFontName") or font  # not Helvetica: one font, embedded
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset (not in its stubs)

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = A4
            self.saveState()
            self.setFont(font, 8)
            self.setFillColor(_GREY)
            self.drawString(_MARGIN, height - 10 * mm, top_left.translate(_GB_SAFE))
            self.drawRightString(width - _MARGIN, height - 10 * mm, top_right.translate(_GB_SAFE))
            self.setStrokeColor(_BLUE)
            self.setLineWidth(0.6)
            self.line(_MARGIN, height - 11.5 * mm, width - _MARGIN, height - 11.5 * mm)
            self.drawCentredString(width / 2, 9 * mm, f"第 {number} 页 / 共 {total} 页")
            self.restoreState()

    return Numbered


def as_pdf(content: dict[str, Any], hotline: str, generated_at: dt.datetime | None = None) -> bytes:
    """The report (``report.build``'s content) as an A4 PDF; ``generated_at`` in China time
    (default: now)."""
    font = font_name()
    st = _styles(font)
    p, o = content["period"], content["overview"]
    when = generated_at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + queries.CHINA
    month = f"{p['from'][:4]}年{int(p['from'][5:7])}月"
    stamp = f"生成于 {when:%Y-%m-%d %H:%M}"
    e = _text
    story: list[Any] = [
        Paragraph(e(f"{hotline}"), st["title"]),
        Paragraph(e(f"{month}研判报告"), st["title"]),
        Paragraph(e(f"统计时段：{p['from']} 至 {p['to']}（报告{stamp}，北京时间"
                    + ("；本月尚未结束，数字截至生成时）" if f"{when:%Y-%m-%d}" <= p["to"] else "）")), st["sub"]),
        Paragraph("一、总体情况", st["h2"]),
        Paragraph(e(report.overview_sentence(o)), st["body"]),
    ]
    top_topics = list(content["topics"]["totals"].items())[:3]
    if top_topics:
        story.append(Paragraph(e("诉求最多的主题：" + "、".join(f"{t}（{n}件）" for t, n in top_topics) + "。"), st["body"]))
    if content["hotspots"]:
        story.append(Paragraph(e(f"本月发出热点预警{len(content['hotspots'])}条，详见第四部分。"), st["body"]))
    for title, name in (("二、主题分布", "topics"), ("三、区县分布", "districts"), ("四、热点与建议", "hotspots"),
                        ("五、承办单位考核", "units"), ("六、典型事项", "cases")):
        header, body = report.rows(content, name)
        numbers = None
        if name == "hotspots":  # the orders behind a warning: on a row of their own under it
            numbers = [r[-1] for r in body]
            header, body = header[:-1], [r[:-1] for r in body]
        # A heading never stands alone at a page's foot; the tables themselves run over pages.
        story += [CondPageBreak(35 * mm), Paragraph(title, st["h2"])]
        story.append(_table(name, header, body, st, numbers) if body else Paragraph("本月无。", st["none"]))
        if name == "units":  # what each rate means, under the table it explains
            story.append(Paragraph(e(f"受理少于{content['units']['min_orders']}件的单位只列示、不排名（样本不足）。"
                                     + report.DEFINITIONS), st["note"]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=18 * mm,
                            bottomMargin=16 * mm, title=f"{hotline} {month}研判报告", author=hotline,
                            subject=f"{p['from']} 至 {p['to']}", creator="12345 研判")
    doc.build(story, canvasmaker=_numbered(font, f"{hotline}　{month}研判报告　{p['from']} 至 {p['to']}", stamp))
    return out.getvalue()


def _numbers(numbers: str, most: int = 60) -> str:
    """A warning's orders, the first ``most`` of them (all of them are in the Excel and CSV)."""
    listed = [n for n in numbers.split(",") if n]
    shown = ", ".join(listed[:most])
    more = f" 等{len(listed)}件（全部见Excel）" if len(listed) > most else ""
    return f"相关工单（{len(listed)}件）：{shown or '—'}{more}"
