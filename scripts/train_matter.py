"""Train the segment reader of bot/language/matter (what of a message is the matter).

    .venv/bin/python -m scripts.train_matter            # writes bot/language/matter/model.npz
    .venv/bin/python -m scripts.train_matter --report   # also the out-of-fold figures

Sources: ``bot/lexicon/matter_segments_*.yml``, citizens' chat messages cut into segments and
labelled matter / place / form / aside by writers briefed only with the task (session 14: two
writers, one leaning on elderly, dialect and voice-typed speech, one on angry, formal and business
voices; session 15: a third writer, all six groups of voices, long letters and answers in a running
conversation, borderlines between a life story and a consequence). None of them saw the
conversation sets. Session 16: four reviewers, briefed with one guideline (what the handling unit
needs stays; the citizen's personal circumstances, what the problem does to their own life,
judgements and exaggerations without a checkable fact, and personal reasons become asides), moved
582 segments from matter to aside; nothing else changed. Session 19: ``matter_segments_d.yml``, written
by the engineer of the reader under the same guideline (the writer's own age, illness, family, origin,
trade and means, talk about the request's type, exaggerations, beside the facts that look like them).
The figures that matter: how many matter segments the reader would drop (a lost fact) and how many
asides it would keep, out of fold (by message), read as the reader reads them (its rules, then the
model, at the threshold it uses, ``KEEP_FROM``), given on the first three files alone (writers who knew
nothing of the reader) and on all.
"""

from __future__ import annotations

import argparse
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
    SegmentModel,
    features,
    in_context,
    read_parts,
)
from bot.profile import load_profile  # noqa: E402
from scripts.train_request_types import digest_of, fit_tfidf_softmax  # noqa: E402

SOURCES = sorted((ROOT / "bot" / "lexicon").glob("matter_segments_*.yml"))
# The figures are given on the segments of the writers briefed only with the task (a-c) as well as on
# all: later files were written by engineers who knew the reader.
SCORED = ("matter_segments_a", "matter_segments_b", "matter_segments_c")
C = 4.0


def sources_digest() -> str:
    return digest_of(SOURCES)


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


def fit(cases: list[dict]) -> dict:
    params = fit_tfidf_softmax([features(c["text"]) for c in cases], [c["label"] for c in cases], LABELS, C)
    return {**params, "ask_below": np.float32(KEEP_FROM)}


def as_model(params: dict) -> SegmentModel:
    return SegmentModel([str(g) for g in params["vocab"]], params["idf"], params["weights"], params["bias"],
                        tuple(str(c) for c in params["classes"]), float(params["ask_below"]))


def out_of_fold(cases: list[dict], folds: int = 5) -> list[tuple[dict, np.ndarray]]:
    """Every segment with the probabilities of a model that never saw its message."""
    messages = sorted({c["message"] for c in cases})
    rng = np.random.default_rng(7)
    fold_of = {m: int(k) % folds for m, k in zip(rng.permutation(messages), range(len(messages)), strict=True)}
    scored = []
    for k in range(folds):
        model = as_model(fit([c for c in cases if fold_of[c["message"]] != k]))
        scored.extend((c, model.probabilities(c["text"])) for c in cases if fold_of[c["message"]] == k)
    return scored


def read_out_of_fold(scored: list[tuple[dict, np.ndarray]], keep_from: float) -> list[tuple[dict, str]]:
    """Each segment as the reader (rules, then the model) reads it in its message, out of fold."""
    profile = load_profile()
    by_message: dict[str, list[tuple[dict, np.ndarray]]] = {}
    for c, p in scored:
        by_message.setdefault(c["message"], []).append((c, p))
    read_ = []
    for segs in by_message.values():
        probabilities = {c["text"]: p for c, p in segs}
        labels = read_parts([c["segment"] for c, _ in segs], profile, probabilities.__getitem__, keep_from)
        read_.extend((c, r.label) for (c, _), r in zip(segs, labels, strict=True))
    return read_


def report(cases: list[dict], folds: int = 5) -> None:
    """Out of fold, by message: what the reader keeps and drops, on the first writers' segments (the
    ones in ``SCORED``) and on all."""
    scored = out_of_fold(cases, folds)
    for threshold in sorted({0.2, 0.25, 0.3, 0.35, 0.4, KEEP_FROM}):
        read_ = read_out_of_fold(scored, threshold)
        print(f"kept from {threshold}" + (" (the reader's)" if threshold == KEEP_FROM else ""))
        for name, chosen in (("writers a-c", [(c, r) for c, r in read_ if c["message"].split(":")[0] in SCORED]),
                             ("all", read_)):
            outcome: Counter[tuple[str, bool]] = Counter((c["label"], r in KEPT) for c, r in chosen)
            figures = []
            for label in LABELS:
                total = outcome[(label, True)] + outcome[(label, False)]
                figures.append(f"{label} {outcome[(label, True)] / max(1, total):.1%} of {total}")
            print(f"  {name:12s} kept: " + ", ".join(figures))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    cases = corpus()
    print(f"{len(cases)} segments from {len(SOURCES)} files: {dict(Counter(c['label'] for c in cases))}")
    if args.report:
        report(cases)
    params = fit(cases)
    np.savez_compressed(WEIGHTS, **params, digest=np.array(sources_digest()))
    print(f"wrote {WEIGHTS.relative_to(ROOT)} ({len(params['vocab'])} n-grams)")


if __name__ == "__main__":
    main()
