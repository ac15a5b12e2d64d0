"""What filing one work order costs the action server in a busy city: the same steps the bot's
form runs (``bot.orders.filing.file_request``: the repeat check, the multi-matter split, 智能派单,
集中反映), with the sentence model the knowledge base shares, on a store that already holds the
open orders of 集中反映's window, while citizens' questions go to the knowledge base in between.

    .venv/bin/python -m scripts.filing_cost                # the code of this checkout
    PYTHONPATH=/path/to/other/checkout .venv/bin/python scripts/filing_cost.py   # another's

First ``--window`` orders are filed one by one (texts written for the dispatch and request-type
sets, tests/data/*_dev.yml and dispatch_cases.yml, at addresses in five districts: all within the
window's 72 hours), as the action server would have filed them; then ``--new`` orders are filed, each
after ``--questions`` questions of tests/data/kb_questions.yml embedded as the knowledge base
embeds them. Prints, for the ``--new`` filings only: CPU time of this process per filed order
(all threads: the model runs on its own) and the sentence model's calls per filed order.
One process runs one checkout's code (``code`` says which): alternate runs to compare two.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
DISTRICTS = ["铁东区", "铁西区", "立山区", "千山区", "海城市"]
STREETS = ["胜利路", "建国南路", "民生路", "园林路", "千山中路", "鞍千路", "兴盛街", "湖南街", "人民路", "健身街"]


def order_texts() -> list[str]:
    texts: list[str] = []
    for name in ("dispatch_cases.yml", "dispatch_letters_dev.yml", "dispatch_letters_tianjin_dev.yml",
                 "dispatch_letters_weifang_dev.yml", "request_types_dev.yml"):
        doc = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
        texts += [str(c["text"]).strip() for c in (doc.get("cases") or doc.get("messages") or [])]
    return list(dict.fromkeys(t for t in texts if len(t) >= 6))


def questions() -> list[str]:
    doc = yaml.safe_load((DATA / "kb_questions.yml").read_text(encoding="utf-8"))
    return [str(q["q"]) for part in ("answerable", "unanswerable") for q in doc.get(part) or []]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--window", type=int, default=840, help="open orders filed before the measured ones")
    ap.add_argument("--new", type=int, default=40, help="orders filed and measured")
    ap.add_argument("--questions", type=int, default=25, help="knowledge-base questions before each measured order")
    ap.add_argument("--seed", type=int, default=25)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="filing-cost-")
    os.environ["HOTLINE_DB_URL"] = f"sqlite:///{tmp}/hotline.db"
    os.environ.setdefault("HOTLINE_ENV", "development")
    os.environ["HOTLINE_KB_WARMUP"] = "0"
    sys.path.insert(0, os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] or str(ROOT))

    import bot
    from bot.orders.filing import file_request
    from bot.orders.suggest import Suggester, load_catalogue
    from bot.profile import load_profile
    from bot.store import repository

    profile = load_profile("anshan")
    embedder = Suggester(load_catalogue(profile), profile).embedder
    rnd = random.Random(args.seed)
    texts = order_texts()
    rnd.shuffle(texts)
    window, new = texts[:args.window], texts[args.window:args.window + args.new]
    asked = questions()

    def request(i: int, text: str) -> repository.OrderRequest:
        district = rnd.choice(DISTRICTS)
        return repository.OrderRequest(
            request_type="投诉", content=text, address=f"{district}{rnd.choice(STREETS)}{rnd.randint(1, 300)}号",
            district=district, name="王女士", phone=f"139{10_000_000 + i:08d}", confidential=False,
            wants_reply=True, channel="web", sender_id=f"web-cost-{i}", idempotency_key=f"cost-{i}")

    started = time.perf_counter()
    for i, text in enumerate(window):
        file_request(request(i, text), profile, embedder)
    window_s = time.perf_counter() - started
    cpu, calls = [], []
    for j, text in enumerate(new):
        for q in rnd.sample(asked, min(args.questions, len(asked))):
            embedder.query(f"{q}（{j}）")  # a question of its own, as citizens ask them
        c0, m0 = time.process_time(), embedder.model_calls
        file_request(request(args.window + j, text), profile, embedder)
        cpu.append(1000 * (time.process_time() - c0))
        calls.append(embedder.model_calls - m0)
    print(json.dumps({"code": str(Path(bot.__file__).resolve().parent.parent), "window_orders": len(window),
                      "window_filed_in_s": round(window_s, 1), "filed": len(new), "questions_between": args.questions,
                      "cpu_ms_per_order_mean": round(statistics.mean(cpu), 1),
                      "cpu_ms_per_order_median": round(statistics.median(cpu), 1),
                      "model_calls_per_order": round(statistics.mean(calls), 2)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
