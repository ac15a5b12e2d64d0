"""Train the learned emergency layer (bot/emergency/model.py) and choose its thresholds.

    .venv/bin/python -m scripts.train_emergency            # writes bot/emergency/model.npz
    .venv/bin/python -m scripts.train_emergency --report   # also prints the cross-validated figures

Training sources (never the sealed half, ``tests/data/emergency_sealed.yml``):
- ``bot/lexicon/emergency_bank.yml``: emergency and look-alike descriptions written for training;
- ``tests/data/emergency_dev.yml``: the development half of the independent corpus;
- ``tests/data/emergency_cases.yml``: the project's first emergency set (kinds read by the lexicon);
- every NLU example in ``data/nlu/`` of an intent other than ``report_emergency`` as a
  non-emergency (unless the lexicon calls it one), and the ``report_emergency`` examples whose
  kind the lexicon names.

The thresholds that combine this layer with the lexicon (bot/emergency/__init__.py) are chosen
on out-of-fold probabilities (5 folds over the bank and the development half), so the examples
a threshold is chosen on were not learned by the model that scored them.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.emergency import lexicon  # noqa: E402
from bot.emergency.model import CLASSES, NONE, WEIGHTS, grams  # noqa: E402

BANK = ROOT / "bot" / "lexicon" / "emergency_bank.yml"
DEV = ROOT / "tests" / "data" / "emergency_dev.yml"
OLD = ROOT / "tests" / "data" / "emergency_cases.yml"
NLU = ROOT / "data" / "nlu"
SOURCES = (BANK, DEV, OLD)

# The corpus's kinds -> the classifier's situations.
CORPUS_KINDS: dict[str, str] = {
    "fire": "fire", "gas": "gas", "co_poisoning": "co_poisoning", "lift_trapped": "lift", "lift": "lift",
    "medical": "medical", "childbirth": "medical", "poisoning": "medical", "allergy": "medical",
    "electric_shock": "medical", "drowning": "drowning", "self_harm": "self_harm",
    "violence": "violence", "threat": "violence", "detained": "violence", "fraud": "fraud",
    "missing_person": "missing_person", "domestic_violence": "domestic_violence",
    "traffic": "traffic", "traffic_injury": "traffic_injury", "flood": "disaster",
    "earthquake": "disaster", "snowstorm": "disaster", "collapse": "disaster", "live_wire": "disaster",
    "manhole_fall": "disaster", "other_disaster": "disaster", "disaster": "disaster",
}
C = 8.0


def situation_of(case: dict) -> str | None:
    """The class a labelled case trains, or None when it cannot be placed."""
    if not case.get("emergency"):
        return NONE
    numbers = [str(n) for n in case.get("numbers") or []]
    kind = case.get("kind")
    if kind is None:  # the first set has numbers only: the lexicon names the kind
        found = lexicon.detect(case["text"])
        kind = found.kind if found else None
    situation = CORPUS_KINDS.get(str(kind)) if kind else None
    if situation == "traffic" and "120" in numbers:
        situation = "traffic_injury"
    return situation


def load_yaml_cases(path: Path, source: str) -> list[dict]:
    if not path.exists():
        return []
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [{**c, "source": source} for c in cases if str(c.get("text") or "").strip()]


_ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def load_nlu() -> list[dict]:
    out = []
    for path in sorted(NLU.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            intent = block.get("intent")
            if not intent:
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = _ENTITY.sub(r"\1", line.strip().lstrip("-").strip())
                if not text:
                    continue
                found = lexicon.detect(text)
                if intent == "report_emergency":
                    if found:
                        out.append({"text": text, "emergency": True, "kind": found.kind,
                                    "numbers": list(found.numbers), "source": "nlu"})
                elif found is None:
                    out.append({"text": text, "emergency": False, "numbers": [], "source": "nlu"})
    return out


def corpus() -> list[dict]:
    cases = (load_yaml_cases(BANK, "bank") + load_yaml_cases(DEV, "dev")
             + load_yaml_cases(OLD, "old") + load_nlu())
    out = []
    for c in cases:
        s = situation_of(c)
        if s is not None:
            out.append({**c, "situation": s, "hurt": "120" in [str(n) for n in c.get("numbers") or []]})
    return out


def sources_digest() -> str:
    h = hashlib.sha1()
    for path in [*SOURCES, *sorted(NLU.glob("*.yml"))]:
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()


def matrix(texts: list[str], index: dict[str, int]):
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        idx = sorted({index[g] for g in grams(lexicon.normalize(text)) if g in index})
        v = 1.0 / math.sqrt(len(idx)) if idx else 0.0
        rows += [r] * len(idx)
        cols += idx
        vals += [v] * len(idx)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), len(index)), dtype=np.float64)


def fit(cases: list[dict]) -> dict:
    from sklearn.linear_model import LogisticRegression

    df: Counter[str] = Counter()
    for c in cases:
        df.update(grams(lexicon.normalize(c["text"])))
    vocab = sorted(g for g, n in df.items() if n >= 2)
    index = {g: i for i, g in enumerate(vocab)}
    X = matrix([c["text"] for c in cases], index)
    y = np.array([CLASSES.index(c["situation"]) for c in cases])
    clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    clf.fit(X, y)
    weights = np.zeros((len(vocab), len(CLASSES)), dtype=np.float32)
    bias = np.zeros(len(CLASSES), dtype=np.float32)
    for j, cls in enumerate(clf.classes_):
        weights[:, cls] = clf.coef_[j]
        bias[cls] = clf.intercept_[j]
    missing = [i for i in range(len(CLASSES)) if i not in set(clf.classes_)]
    for i in missing:
        bias[i] = -30.0
    em = [i for i, c in enumerate(cases) if c["situation"] != NONE]
    hurt = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    hurt.fit(X[em], np.array([cases[i]["hurt"] for i in em], dtype=int))
    return {
        "vocab": np.array(vocab),
        "weights": weights,
        "bias": bias,
        "hurt_weights": hurt.coef_[0].astype(np.float32),
        "hurt_bias": np.float32(hurt.intercept_[0]),
        "classes": np.array(CLASSES),
    }


def as_model(params: dict):
    from bot.emergency.model import Model

    return Model([str(g) for g in params["vocab"]], params["weights"], params["bias"],
                 params["hurt_weights"], float(params["hurt_bias"]), tuple(str(c) for c in params["classes"]))


def out_of_fold(cases: list[dict], folds: int = 5) -> list[dict]:
    """Model scores for the bank and the development half, each from a model that did not see it."""
    rng = np.random.default_rng(12345)
    held = [i for i, c in enumerate(cases) if c["source"] in ("bank", "dev")]
    always = [i for i, c in enumerate(cases) if c["source"] not in ("bank", "dev")]
    order = rng.permutation(held)
    out: list[dict] = []
    for k in range(folds):
        test = set(order[k::folds].tolist())
        train = [cases[i] for i in always] + [cases[i] for i in held if i not in test]
        m = as_model(fit(train))
        for i in sorted(test):
            s = m.score(cases[i]["text"])
            out.append({**cases[i], "score": s})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", action="store_true", help="print cross-validated figures too")
    args = ap.parse_args()
    cases = corpus()
    counts = Counter(c["situation"] for c in cases)
    print(f"{len(cases)} training cases: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    params = fit(cases)
    params["digest"] = np.array(sources_digest())
    WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(WEIGHTS, **params)
    print(f"wrote {WEIGHTS.relative_to(ROOT)} ({WEIGHTS.stat().st_size // 1024} KiB, {len(params['vocab'])} n-grams)")
    if args.report:
        report(out_of_fold(cases))


def report(scored: list[dict]) -> None:
    from bot import emergency

    pos = [c for c in scored if c["situation"] != NONE]
    neg = [c for c in scored if c["situation"] == NONE]
    print(f"out of fold: {len(pos)} emergencies, {len(neg)} look-alikes")
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        r = sum(c["score"].probability >= t for c in pos) / len(pos)
        f = sum(c["score"].probability >= t for c in neg) / len(neg)
        print(f"  model alone p>={t:.1f}: recall {r:.3f}  look-alikes over {f:.3f}")
    lex_pos = sum(lexicon.detect(c["text"]) is not None for c in pos) / len(pos)
    lex_neg = sum(lexicon.detect(c["text"]) is not None for c in neg) / len(neg)
    print(f"  lexicon alone: recall {lex_pos:.3f}  false alarms {lex_neg:.3f}")
    levels = Counter()
    for c in pos:
        r = emergency.combine(c["text"], lexicon.detect(c["text"]), c["score"])
        levels["pos_" + (r.level or "none")] += 1
    for c in neg:
        r = emergency.combine(c["text"], lexicon.detect(c["text"]), c["score"])
        levels["neg_" + (r.level or "none")] += 1
    print("  combined:", dict(levels))


if __name__ == "__main__":
    main()
