"""The monthly 研判报告 as a PDF made on the server (Chinese as real text, A4, page numbers, the same
privacy as the page) and on a schedule: generated once after the month ends across gateways,
kept, listed and pruned — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from bot.analytics import archive, report, report_pdf, warnings
from bot.analytics import queries as q
from bot.gateway import analytics_api
from bot.orders import lifecycle
from bot.store.db import session_scope
from bot.store.models import MonthlyReport, WorkOrder
from bot.store.shared import DatabaseStore
from tests.unit.analytics.test_analytics import OTHER, UNIT, P, filed

HOTLINE = "鞍山市政务服务便民热线"
ANALYST = "analyst:研判组"


def a_month_of_orders() -> dict[str, list[str]]:
    """November 2026: a water-main burst in 铁西区 (a warning), heating complaints, orders dispatched
    to two units, a 集中反映 group of 举报 (never quoted) and one of plain complaints."""
    for week in range(4):
        filed(f"2026-10-{22 + week * 2:02d}", district="铁西区", topic="公用事业/供水")
    burst = [filed("2026-11-20", hour=6 + i // 3, district="铁西区", topic="公用事业/供水") for i in range(9)]
    warnings.raise_warnings(q.hotspots(dt.datetime(2026, 11, 20, 12) - q.CHINA), dt.datetime(2026, 11, 20, 4))
    heating = [filed(f"2026-11-{d:02d}", district="铁东区", topic="公用事业/供暖") for d in (3, 4, 5)]
    for n in burst[:5]:
        lifecycle.dispatch(n, UNIT, "staff:派单员", P)
    for n in heating:
        lifecycle.dispatch(n, OTHER, "staff:派单员", P)
    secret = [filed("2026-11-06", request_type="举报", content=f"举报鞍千路88号化工厂夜里偷排废水{i}") for i in range(2)]
    plain = [filed("2026-11-07", district="立山区", content="胜利路早市占道经营，本人张德胜，电话13912345678")
             for _ in range(2)]
    with session_scope() as s:
        for order in s.query(WorkOrder).filter(WorkOrder.number.in_(burst[:5] + heating)):
            order.dispatched_at = order.created_at + dt.timedelta(hours=1)  # dispatched in November
        for numbers, cluster in ((secret, secret[0]), (plain, plain[0])):
            for order in s.query(WorkOrder).filter(WorkOrder.number.in_(numbers)):
                order.cluster = cluster
    return {"burst": burst, "secret": secret, "plain": plain}


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_the_reports_chinese_as_text_with_its_period_and_page_numbers():
    orders = a_month_of_orders()
    content = report.build(report.month_period("2026-11"), P.evaluation_min_orders)
    pdf = report_pdf.as_pdf(content, HOTLINE, dt.datetime(2026, 12, 1, 1, 5))
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4
    assert reader.metadata is not None and reader.metadata.title == f"{HOTLINE} 2026年11月研判报告"
    pages, text = text_of(pdf)
    flat = text.replace(" ", "").replace("\n", "")
    for words in ("2026年11月研判报告", "统计时段：2026-11-01至2026-11-30（报告生成于2026-12-0101:05，北京时间）",
                  "一、总体情况", "本月共受理诉求16件", "二、主题分布", "三、区县分布", "铁西区", "铁东区",
                  "四、热点与建议", "建议", "五、承办单位考核", UNIT, "六、典型事项", "集中反映", "口径"):
        assert words in flat, words
    assert orders["burst"][0] in flat  # the warning's orders: every number traceable
    assert f"第1页/共{pages}页" in flat and flat.count("生成于2026-12-0101:05") >= pages  # the header on every page
    assert "张德胜" not in flat and "13912345678" not in flat and "王丽" not in flat  # no names, no phones
    assert "偷排" not in flat and "内容不公开" in flat  # a 举报 is never quoted


def test_a_long_month_runs_over_pages_each_numbered():
    content = report.build(report.month_period("2026-11"))
    content["cases"] = [{"kind": "集中反映", "what": f"第{i}组 小区供暖不热，室温不足十八度", "count": 3, "numbers": f"AS{i:08d}"}
                        for i in range(120)]
    pages, text = text_of(report_pdf.as_pdf(content, HOTLINE))
    flat = text.replace(" ", "")
    assert pages >= 3 and f"第{pages}页/共{pages}页" in flat and "第119组" in flat
    assert "本月无。" in flat  # an empty section says so
    running = report_pdf.as_pdf(content, HOTLINE, dt.datetime(2026, 11, 20, 9))
    assert "本月尚未结束，数字截至生成时" in "".join(text_of(running)[1].split())  # a month still running says so


def test_the_report_is_served_as_pdf_and_a_bad_month_or_format_gets_a_clear_400():
    a_month_of_orders()
    served = analytics_api.run("report", {"month": "2026-11", "format": "pdf"}, ANALYST, P)
    assert served.status == 200 and served.content_type == "application/pdf"
    assert served.headers["Content-Disposition"] == 'inline; filename="yanpan-2026-11.pdf"'
    assert served.body is not None and "铁西区" in text_of(bytes(served.body))[1]  # type: ignore[arg-type]
    for month in ("2026-13", "十一月", "2026-11-01", "0001-01", "9999-12", "2026-1"):
        refused = analytics_api.run("report", {"month": month, "format": "pdf"}, ANALYST, P)
        assert refused.status == 400, month
        assert "month" in refused.text and "YYYY-MM" in refused.text or "之间" in refused.text
    assert analytics_api.run("report", {"month": "2026-11", "format": "docx"}, ANALYST, P).status == 400


MICROHEI = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def needs_a_system_font() -> None:
    if not any(os.path.exists(path) for path in report_pdf.SYSTEM_FONTS):
        pytest.skip("no TrueType Chinese font on this machine (make test installs fonts-wqy-microhei)")


def test_an_embedded_font_is_used_when_configured_and_a_bad_one_falls_back():
    assert report_pdf.font_name("/nonexistent/font.ttf") == report_pdf.STANDARD_FONT
    if not os.path.exists(MICROHEI):
        pytest.skip("no TrueType Chinese font on this machine (make test installs fonts-wqy-microhei)")
    assert report_pdf.font_name(MICROHEI) == "HotlineReport-wqy-microhei"


def fonts_of(pdf: bytes) -> dict[str, bool]:
    """Every font the PDF's pages use, and whether its file is in the PDF (what pdffonts calls emb)."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_the_pdf_embeds_its_chinese_font_so_it_opens_anywhere(monkeypatch):
    needs_a_system_font()
    monkeypatch.delenv("HOTLINE_REPORT_FONT", raising=False)
    a_month_of_orders()
    pdf = report_pdf.as_pdf(report.build(report.month_period("2026-11")), HOTLINE)
    fonts = fonts_of(pdf)
    assert fonts and all(fonts.values()), fonts  # every font embedded, none left to the reader
    assert not any(report_pdf.STANDARD_FONT in name for name in fonts)
    assert "鞍山市政务服务便民热线" in text_of(pdf)[1]  # still real text


def test_the_first_page_renders_as_an_a4_picture_with_its_chinese_drawn(tmp_path, monkeypatch):
    """Drawn by poppler (pdftoppm) as any reader would: the title's characters are there, each its
    own shape (a missing font draws nothing, or the same empty box for every character)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed (make test installs it)")
    needs_a_system_font()
    monkeypatch.delenv("HOTLINE_REPORT_FONT", raising=False)
    a_month_of_orders()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf.as_pdf(report.build(report.month_period("2026-11")), HOTLINE))
    # 72 dots an inch: one pixel a point, and nothing but the PDF's own fonts to draw with
    subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    [png] = list(tmp_path.glob("page*.png"))
    from PIL import Image

    with Image.open(png) as image:
        assert abs(image.width / image.height - 210 / 297) < 0.01
        gray = image.convert("L")
        # The title 「鞍山市政务服务便民热线」, 20 pt, centred, its line 18–28 mm from the top.
        size, top, bottom = 20, round(18 / 25.4 * 72), round(29 / 25.4 * 72)
        left = round((gray.width - size * len(HOTLINE)) / 2)
        inks = []
        for i in range(len(HOTLINE)):
            cell = gray.crop((left + i * size, top, left + (i + 1) * size, bottom))
            inks.append(sum(1 for v in cell.getdata() if v < 128))
    assert all(ink >= 15 for ink in inks), inks  # every character drawn
    assert len(set(inks)) >= len(HOTLINE) - 3, inks  # as different characters, not one box repeated
    margin = gray.crop((0, top, left - 4, bottom))
    assert min(margin.getdata()) > 200  # and nothing drawn beside the title


# ------------------------------------------------------------------ on a schedule

DEC_1_0030 = dt.datetime(2026, 12, 1, 0, 30) - q.CHINA  # China time: half an hour into December
DEC_1_0200 = dt.datetime(2026, 12, 1, 2, 0) - q.CHINA


def test_last_months_report_is_due_an_hour_after_the_month_ends():
    assert archive.due(DEC_1_0030) is None
    assert archive.due(DEC_1_0200) == "2026-11"
    assert archive.due(dt.datetime(2027, 1, 15) - q.CHINA) == "2026-12"


def test_two_gateways_over_several_rounds_generate_the_report_exactly_once():
    a_month_of_orders()
    one, two = DatabaseStore(), DatabaseStore()
    assert archive.scheduled_round(one, P, 600, DEC_1_0030) is None  # not yet: the month's last orders may land
    assert archive.scheduled_round(two, P, 600, DEC_1_0030) is None
    made = [archive.scheduled_round(store, P, 600, DEC_1_0200 + dt.timedelta(minutes=m))
            for m in (0, 0, 10, 10, 20)
            for store in (one, two)]
    assert made.count("2026-11") == 1 and made.count(None) == len(made) - 1
    one.delete(archive.LOCK)  # the lock gone (expired): the table still holds one a month
    assert archive.scheduled_round(two, P, 600, DEC_1_0200 + dt.timedelta(hours=3)) is None
    assert archive.generate("2026-11", P, archive.SCHEDULE, now=DEC_1_0200) is False  # two rounds meeting
    with session_scope() as s:
        [row] = s.query(MonthlyReport).all()
        assert (row.month, row.generated_by, row.generated_at) == ("2026-11", "schedule", DEC_1_0200)
    listed = analytics_api.run("reports", {}, ANALYST, P)
    assert listed.status == 200 and '"month": "2026-11"' in listed.text
    kept = analytics_api.run("reports", {"month": "2026-11"}, ANALYST, P)
    assert kept.status == 200 and kept.content_type == "application/pdf"
    pages, text = text_of(bytes(kept.body))  # type: ignore[arg-type]
    assert "生成于 2026-12-01 02:00" in text and "铁西区" in text
    workbook = analytics_api.run("reports", {"month": "2026-11", "format": "xlsx"}, ANALYST, P)
    assert workbook.status == 200 and workbook.headers["Content-Disposition"].endswith('-archived.xlsx"')
    assert analytics_api.run("reports", {"month": "2026-10"}, ANALYST, P).status == 404
    assert analytics_api.run("reports", {"month": "2026-11", "format": "html"}, ANALYST, P).status == 400
    assert analytics_api.run("reports", {"month": "11/2026"}, ANALYST, P).status == 400


def test_a_regenerated_report_replaces_the_kept_one_only_when_asked():
    assert archive.generate("2026-11", P, "cli:ops", now=DEC_1_0200)
    assert not archive.generate("2026-11", P, "cli:ops", now=DEC_1_0200 + dt.timedelta(days=1))
    assert archive.generate("2026-11", P, "cli:ops", replace=True, now=DEC_1_0200 + dt.timedelta(days=2))
    [kept] = archive.listing()
    assert kept["generated_at"].startswith("2026-12-02")
    with pytest.raises(q.QueryError):
        archive.generate("2026-13", P, "cli:ops")
    with pytest.raises(q.QueryError, match="尚未结束"):  # only a whole month is kept
        archive.generate("2026-12", P, "cli:ops", now=DEC_1_0200 + dt.timedelta(days=20))


def test_reports_older_than_the_profiles_months_are_deleted_after_a_new_one():
    for month in ("2021-11", "2021-12", "2022-01", "2026-10"):
        archive.generate(month, P, "cli:ops", now=DEC_1_0200)
    assert P.report_keep_months == 60
    assert archive.scheduled_round(DatabaseStore(), P, 600, DEC_1_0200) == "2026-11"
    assert [r["month"] for r in archive.listing()] == ["2026-11", "2026-10", "2022-01", "2021-12"]


def test_an_operator_generates_a_month_from_the_command_line(capsys):
    from bot.analytics.archive import main

    assert main(["generate", "--month", "2026-10"]) == 0
    assert main(["generate", "--month", "2026-10"]) == 0 and "already kept" in capsys.readouterr().out
    assert main(["generate", "--month", "2026-13"]) == 2 and "YYYY-MM" in capsys.readouterr().err
    assert main(["list"]) == 0 and '"month": "2026-10"' in capsys.readouterr().out


def test_citizens_words_that_look_like_markup_or_lie_outside_the_font_are_printed_as_text():
    content = report.build(report.month_period("2026-11"))
    content["cases"] = [{"kind": "集中反映", "what": "<b>门口&占道</para> 😀 𠮷 室温16℃ A–B", "count": 2, "numbers": "AS-1"}]
    text = text_of(report_pdf.as_pdf(content, HOTLINE))[1]
    assert "<b>门口&占道</para>" in text and "室温16℃" in text and "A－B" in text
