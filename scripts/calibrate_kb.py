"""Choose the knowledge base's answer threshold and coverage floor on the calibration half of
the held-out questions (even positions); BENCHMARKS.md reports the decision on the other half.

    .venv/bin/python -m scripts.calibrate_kb
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from bot.profile import load_profile
from kb.content import load_dir
from kb.index import KnowledgeBase

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "kb_questions.yml"


def decision_rates(kb: KnowledgeBase, answerable: list[dict], unanswerable: list[dict]) -> dict[str, float]:
    """The decision's figures on a set of questions, as scripts/bench.py counts them."""
    right = wrong = direct = 0
    for case in answerable:
        d = kb.decide(case["q"])
        ids = [h.article.id for h in d.hits]
        if d.kind == "answer":
            right += ids[0] == case["id"]
            direct += ids[0] == case["id"]
            wrong += ids[0] != case["id"]
        elif d.kind == "choose":
            right += case["id"] in ids
    kinds = [kb.decide(case["q"]).kind for case in unanswerable]
    return {"right_or_choice": right / len(answerable), "confident_wrong": wrong / len(answerable),
            "answered_directly": direct / len(answerable),
            "unanswerable_unknown": kinds.count("unknown") / len(unanswerable),
            "unanswerable_answered": kinds.count("answer") / len(unanswerable)}


def main() -> None:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    answerable = data["answerable"][::2]
    unanswerable = data["unanswerable"][::2]
    kb = KnowledgeBase(load_dir()[0], load_profile("anshan"))
    right, wrong, unknown = [], [], []
    for case in answerable:
        hit = kb.search(case["q"], k=1)[0]
        (right if hit.article.id == case["id"] else wrong).append(hit.dense)
    for case in unanswerable:
        unknown.append(kb.search(case["q"], k=1)[0].dense)
    print(f"calibration half: {len(answerable)} answerable ({len(wrong)} ranked wrong), {len(unanswerable)} unanswerable")
    print("threshold  answered-right  answered-wrong  unanswerable-refused")
    for t in np.arange(0.80, 0.93, 0.005):
        ar = sum(d >= t for d in right) / len(answerable)
        aw = sum(d >= t for d in wrong) / len(answerable)
        ur = sum(d < t for d in unknown) / len(unanswerable)
        print(f"{t:.3f}      {ar:6.1%}          {aw:6.1%}          {ur:6.1%}")
    # The coverage floor and the share under which a single-character noun counts as rare
    # (a rare noun the best article lacks turns an answer into a choice), with the threshold above.
    chosen = kb.coverage_floor, kb.rare_noun_share
    print(f"\nwith answer_threshold {kb.answer_threshold}:")
    print("coverage floor  rare noun share  right-or-choice  confident-wrong  answered-directly  unanswerable-unknown  unanswerable-answered")
    for floor in np.arange(0.20, 0.475, 0.05):
        for share in (0.0, 0.02, 0.05, 0.1):
            kb.coverage_floor, kb.rare_noun_share = float(floor), share
            r = decision_rates(kb, answerable, unanswerable)
            print(f"{floor:.2f}            {share:.2f}             {r['right_or_choice']:6.1%}           {r['confident_wrong']:6.1%}"
                  f"           {r['answered_directly']:6.1%}             {r['unanswerable_unknown']:6.1%}                {r['unanswerable_answered']:6.1%}")
    print(f"in use: coverage_floor {chosen[0]}, rare_noun_share {chosen[1]}")


if __name__ == "__main__":
    main()
