"""Choose the knowledge base's answer threshold on the calibration half of the held-out
questions (even positions); BENCHMARKS.md reports the decision on the other half.

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


if __name__ == "__main__":
    main()
