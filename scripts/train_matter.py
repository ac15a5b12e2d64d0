"""Train the segment reader of bot/language/matter (what of a message is the matter).

    .venv/bin/python -m scripts.train_matter            # writes bot/language/matter/model.npz
    .venv/bin/python -m scripts.train_matter --report   # also the out-of-fold figures

Sources: ``bot/lexicon/matter_segments_*.yml``, citizens' chat messages cut into segments and
labelled matter / place / form / aside by writers briefed only with the task (session 14: two
writers, one leaning on elderly, dialect and voice-typed speech, one on angry, formal and business
voices; session 15: a third writer, all six groups of voices, long letters and answers in a running
conversation, borderlines between a life story and a consequence). None of them saw the
conversation sets. The figures that matter: how many matter
segments the reader would drop (a lost fact) and how many asides it would keep, out of fold (by
message), at the threshold the reader uses (``KEEP_FROM``).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.language.matter import (  # noqa: E402
    KEEP_FROM,
    KEPT,
    LABELS,
    WEIGHTS,
    Refine,
    SegmentModel,
    _bare,
    embedding,
    features,
    in_context,
    rule_label,
)
from bot.profile import load_profile  # noqa: E402
from scripts.train_request_types import _matrix, fit_tfidf_softmax  # noqa: E402

SOURCES = sorted((ROOT / "bot" / "lexicon").glob("matter_segments_*.yml"))
C = 4.0


def sources_digest() -> str:
    h = hashlib.sha1()
    for path in SOURCES:
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def corpus() -> list[dict]:
    """Every labelled segment, with the message it came from (folds go by message)."""
    cases = []
    for path in SOURCES:
        for i, message in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]):
            parts = [(str(text), label) for text, label in message["segments"] if str(text).strip()]
            for j, (text, label) in enumerate(parts):
                if label in LABELS:
                    before = parts[j - 1][0] if j else ""
                    after = parts[j + 1][0] if j + 1 < len(parts) else ""
                    cases.append({"text": in_context(text, before, after), "segment": text, "label": label,
                                  "message": f"{path.stem}:{i}"})
    return cases


# The second reading (matter.Refine): for the segments whose first reading of matter and place
# together lies in BAND (about a third of those the rules leave to the model). Chosen out of fold
# (--report, session 15): the first reading alone keeps matter 98.3%, asides 41.3%, form 16.8%;
# with the second, matter 98.1%, asides 34.6%, form 12.4%.
BAND = (0.1, 0.8)
REFINE_KEEP_FROM = 0.2


def embeddings(cases: list[dict]) -> np.ndarray:
    """Every segment's e5 embedding, as the reader computes it (cached by text)."""
    return np.vstack([embedding(_bare(c["segment"]) or "。") for c in cases])


def fit(cases: list[dict], embedded: np.ndarray | None = None) -> dict:
    """The first reading; with the segments' embeddings, the second too."""
    counted = [features(c["text"]) for c in cases]
    labels = [c["label"] for c in cases]
    params = fit_tfidf_softmax(counted, labels, LABELS, C)
    params["ask_below"] = np.float32(KEEP_FROM)
    if embedded is None:
        return params
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    index = {str(g): i for i, g in enumerate(params["vocab"])}
    X = hstack([_matrix(counted, index, params["idf"]), csr_matrix(embedded)]).tocsr()
    y = np.array([LABELS.index(label) for label in labels])
    clf = LogisticRegression(C=C, max_iter=4000, class_weight="balanced").fit(X, y)
    coef = np.zeros((X.shape[1], len(LABELS)), dtype=np.float32)
    bias = np.full(len(LABELS), -30.0, dtype=np.float32)
    for j, cls in enumerate(clf.classes_):
        coef[:, cls], bias[cls] = clf.coef_[j], clf.intercept_[j]
    vocab = len(params["vocab"])
    return {**params, "refine_weights": coef[:vocab], "refine_embedded": coef[vocab:], "refine_bias": bias,
            "refine_band": np.array(BAND, dtype=np.float32), "refine_keep_from": np.float32(REFINE_KEEP_FROM)}


def as_model(params: dict) -> SegmentModel:
    m = SegmentModel([str(g) for g in params["vocab"]], params["idf"], params["weights"], params["bias"],
                     tuple(str(c) for c in params["classes"]), float(params["ask_below"]))
    if "refine_embedded" in params:
        m.refine = Refine(params["refine_weights"], params["refine_embedded"], params["refine_bias"],
                          (float(params["refine_band"][0]), float(params["refine_band"][1])),
                          float(params["refine_keep_from"]))
    return m


def report(cases: list[dict], embedded: np.ndarray, folds: int = 5) -> None:
    """Out of fold, by message: what the reader (rules first, then the model) keeps and drops,
    with the first reading alone and with the second for the segments in doubt."""
    profile = load_profile()
    messages = sorted({c["message"] for c in cases})
    rng = np.random.default_rng(7)
    fold_of = {m: int(k) % folds for m, k in zip(rng.permutation(messages), range(len(messages)), strict=True)}
    scored = []
    for k in range(folds):
        inside = [i for i, c in enumerate(cases) if fold_of[c["message"]] != k]
        model = as_model(fit([cases[i] for i in inside], embedded[inside]))
        for c in (c for c in cases if fold_of[c["message"]] == k):
            p = model.probabilities(c["text"])
            first = float(sum(p[LABELS.index(x)] for x in KEPT))
            scored.append((c, rule_label(c["segment"], profile), first, model.kept_chance(c["text"], c["segment"])))
    def second(t: float) -> tuple[str, float, bool]:
        return (f"with the second reading in {BAND}, kept from {t}" + (" (the reader's)" if t == REFINE_KEEP_FROM else ""),
                t, True)

    for name, threshold, refined in [*((f"first reading alone, kept from {t}", t, False) for t in (0.2, 0.25, 0.3)),
                                     *(second(t) for t in sorted({0.1, 0.15, 0.2, REFINE_KEEP_FROM}))]:
        outcome: Counter[tuple[str, str]] = Counter()
        for c, decided, first, chance in scored:
            if decided is None:
                in_doubt = BAND[0] <= first <= BAND[1]
                if refined and in_doubt:
                    keep = chance + REFINE_KEEP_FROM >= threshold
                else:
                    keep = first >= (KEEP_FROM if refined else threshold)
                decided = "matter" if keep else "aside"
            outcome[(c["label"], "kept" if decided in KEPT else "dropped")] += 1
        print(name)
        for label in LABELS:
            total = outcome[(label, "kept")] + outcome[(label, "dropped")]
            print(f"  {label:7s} {total:5d} segments: kept {outcome[(label, 'kept')] / max(1, total):.1%}")
    doubt = sum(1 for _, decided, first, _ in scored if decided is None and BAND[0] <= first <= BAND[1])
    print(f"segments read a second time: {doubt} of {len(scored)} ({doubt / len(scored):.1%})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    cases = corpus()
    print(f"{len(cases)} segments from {len(SOURCES)} files: {dict(Counter(c['label'] for c in cases))}")
    embedded = embeddings(cases)
    if args.report:
        report(cases, embedded)
    params = fit(cases, embedded)
    np.savez_compressed(WEIGHTS, **params, digest=np.array(sources_digest()))
    print(f"wrote {WEIGHTS.relative_to(ROOT)} ({len(params['vocab'])} n-grams)")


if __name__ == "__main__":
    main()
