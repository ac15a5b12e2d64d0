"""The monthly 研判报告's cost (issue 23) on a store filled by ``scripts.simulate_orders``: the
figures counted in the database, then each format made from them, for the last whole month of
the generated year.

    .venv/bin/python -m scripts.bench_report --db-url sqlite:///var/sim.db --month 2026-11

Times are p50/p95 of 15 runs after one warm-up (5 for the figures); the PDF's size and pages too.
"""

from __future__ import annotations

import argparse
import io
import json
import os

from scripts.bench_analytics import timed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--month", required=True, help="YYYY-MM")
    ap.add_argument("--font", default=None, help="HOTLINE_REPORT_FONT for the PDF (a path that does not exist: "
                                                 "the standard font, not embedded)")
    args = ap.parse_args(argv)
    os.environ["HOTLINE_DB_URL"] = args.db_url
    if args.font is not None:
        os.environ["HOTLINE_REPORT_FONT"] = args.font
    from pypdf import PdfReader

    from bot.analytics import report, report_pdf
    from bot.profile import load_profile

    profile = load_profile()
    period = report.month_period(args.month)
    content = report.build(period, profile.evaluation_min_orders)
    pdf = report_pdf.as_pdf(content, profile.hotline_name)
    out = {"month": args.month, "orders": content["overview"]["total"], "units": len(content["units"]["units"]),
           "hotspots": len(content["hotspots"]), "cases": len(content["cases"]),
           "pdf_font": report_pdf.font_name(), "pdf_kib": round(len(pdf) / 1024, 1), "pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages), "times": {
               "figures (SQL)": timed(lambda: report.build(period, profile.evaluation_min_orders), runs=5),
               "pdf from the figures": timed(lambda: report_pdf.as_pdf(content, profile.hotline_name)),
               "html from the figures": timed(lambda: report.as_html(content, profile.hotline_name)),
               "xlsx from the figures": timed(lambda: report.as_xlsx(content)),
           }}
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
