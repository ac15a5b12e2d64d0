"""Train the request-type classifier (bot/language/request_types/model.npz).

    python -m scripts.train_request_types          # train, report out-of-fold figures, write the weights

Sources (never the independent evaluation set, tests/data/request_types_*):
- data/types/*.yml: citizens' letters, operators' call records and chat lines labelled with their
  type, written for training from the regulations' definitions (briefs in tests/data/briefs/);
- the NLU's request intents (complain, consult, seek_help, suggest, report_violation): chat turns;
- the knowledge base's questions: how citizens ask (咨询).

The threshold below which the form asks the citizen is chosen out of fold: the lowest confidence
at which the readings kept are right at least ``SURE_PRECISION`` of the time.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

from bot.language.extract import REQUEST_TYPES
from bot.language.request_types import INTENT_TYPES, WEIGHTS, Model, features

ROOT = Path(__file__).resolve().parent.parent
TYPES = ROOT / "data" / "types"
NLU = ROOT / "data" / "nlu"
KB = ROOT / "kb" / "articles"
C = 6.0
SURE_PRECISION = 0.9
KB_SAMPLE = 400            # the KB's questions are many and alike: a sample keeps 咨询 from crowding out the rest
_ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def source_files() -> list[Path]:
    return [*sorted(TYPES.glob("*.yml")), *(NLU / f"{i}.yml" for i in INTENT_TYPES), *sorted(KB.rglob("*.yml"))]


def sources_digest() -> str:
    return digest_of(source_files())


def digest_of(paths: list[Path]) -> str:
    """What the weights were trained on: the sources' paths and bytes (a test compares it)."""
    h = hashlib.sha1()
    for path in paths:
        if path.exists():
            h.update(path.relative_to(ROOT).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def load_types() -> list[dict]:
    out = []
    for path in sorted(TYPES.glob("*.yml")):
        for m in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("messages") or []:
            if m.get("type") in REQUEST_TYPES and str(m.get("text") or "").strip():
                out.append({"text": str(m["text"]).strip(), "type": m["type"], "source": "letters",
                            "style": m.get("style", "chat")})
    return out


def load_nlu() -> list[dict]:
    out = []
    for intent, kind in INTENT_TYPES.items():
        doc = yaml.safe_load((NLU / f"{intent}.yml").read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            if block.get("intent") != intent:
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = _ENTITY.sub(r"\1", line.strip().lstrip("-").strip())
                if text:
                    out.append({"text": text, "type": kind, "source": "nlu", "style": "chat"})
    return out


def load_kb() -> list[dict]:
    questions = []
    for path in sorted(KB.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        questions += [q.strip() for q in doc.get("questions") or [] if isinstance(q, str) and q.strip()]
    rng = np.random.default_rng(3)
    keep = sorted(rng.choice(len(questions), size=min(KB_SAMPLE, len(questions)), replace=False)) if questions else []
    return [{"text": questions[i], "type": "咨询", "source": "kb", "style": "chat"} for i in keep]


def corpus() -> list[dict]:
    return load_types() + load_nlu() + load_kb()


def fit(cases: list[dict]) -> dict:
    weights_of = {"letters": 1.0, "nlu": 0.6, "kb": 0.3}
    params = fit_tfidf_softmax([features(c["text"]) for c in cases], [c["type"] for c in cases], REQUEST_TYPES,
                               C, [weights_of.get(c["source"], 1.0) for c in cases])
    return {**params, "ask_below": np.float32(0.5)}


def fit_tfidf_softmax(counted: list[Counter[str]], labels: list[str], classes: tuple[str, ...], c: float,
                      sample_weight: list[float] | None = None) -> dict:
    """TF-IDF (n-grams seen twice or more) and a balanced logistic regression, as the arrays
    ``bot.language.request_types.Model`` reads (the segment reader of bot/language/matter too)."""
    from sklearn.linear_model import LogisticRegression

    df: Counter[str] = Counter()
    for f in counted:
        df.update(f.keys())
    vocab = sorted(g for g, n in df.items() if n >= 2)
    index = {g: i for i, g in enumerate(vocab)}
    idf = (np.log((1 + len(counted)) / (1 + np.array([df[g] for g in vocab], dtype=np.float64))) + 1).astype(np.float32)
    X = _matrix(counted, index, idf)
    y = np.array([classes.index(label) for label in labels])
    clf = LogisticRegression(C=c, max_iter=4000, class_weight="balanced")
    clf.fit(X, y, sample_weight=None if sample_weight is None else np.array(sample_weight))
    weights = np.zeros((len(vocab), len(classes)), dtype=np.float32)
    bias = np.full(len(classes), -30.0, dtype=np.float32)
    for j, cls in enumerate(clf.classes_):
        weights[:, cls] = clf.coef_[j]
        bias[cls] = clf.intercept_[j]
    return {"vocab": np.array(vocab), "idf": idf, "weights": weights, "bias": bias, "classes": np.array(classes)}


def _matrix(counted: list[Counter[str]], index: dict[str, int], idf: np.ndarray):  # type: ignore[no-untyped-def]
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for r, f in enumerate(counted):
        items = [(index[g], n) for g, n in f.items() if g in index]
        if not items:
            continue
        v = np.array([(1 + np.log(n)) * idf[i] for i, n in items])
        v = v / np.linalg.norm(v)
        for (i, _), x in zip(items, v, strict=True):
            rows.append(r)
            cols.append(i)
            vals.append(x)
    return csr_matrix((vals, (rows, cols)), shape=(len(counted), len(index)))


def as_model(params: dict) -> Model:
    return Model([str(g) for g in params["vocab"]], params["idf"], params["weights"], params["bias"],
                 tuple(str(c) for c in params["classes"]), float(params["ask_below"]))


def out_of_fold(cases: list[dict], folds: int = 5) -> list[dict]:
    """Each letter scored by a model that never saw it (the NLU and KB lines always train)."""
    letters = [i for i, c in enumerate(cases) if c["source"] == "letters"]
    rng = np.random.default_rng(11)
    order = rng.permutation(letters)
    scored = []
    for k in range(folds):
        held = set(order[k::folds].tolist())
        m = as_model(fit([c for i, c in enumerate(cases) if i not in held]))
        for i in sorted(held):
            p = m.probabilities(cases[i]["text"])
            scored.append({**cases[i], "p": p})
    return scored


def macro_f1(pairs: list[tuple[str, str]], labels: tuple[str, ...]) -> float:
    f1s = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s)


def three(kind: str) -> str:
    """The three classes real hotline data is often labelled with: 咨询, 建言, 投诉/求助 (举报 with them)."""
    return {"咨询": "咨询", "意见建议": "建言"}.get(kind, "投诉求助")


def choose_ask_below(scored: list[dict]) -> float:
    best = 1.0
    for t in np.arange(0.3, 0.95, 0.01):
        kept = [s for s in scored if s["p"].max() >= t]
        if len(kept) >= 20 and sum(REQUEST_TYPES[int(s["p"].argmax())] == s["type"] for s in kept) / len(kept) >= SURE_PRECISION:
            best = float(t)
            break
    return round(best, 2)


def main() -> None:
    cases = corpus()
    print(f"{len(cases)} examples: " + ", ".join(f"{k} {n}" for k, n in Counter(c['source'] for c in cases).items()))
    print("types: " + ", ".join(f"{k} {n}" for k, n in Counter(c['type'] for c in cases).items()))
    scored = out_of_fold(cases)
    pairs = [(s["type"], REQUEST_TYPES[int(s["p"].argmax())]) for s in scored]
    print(f"out of fold on the letters ({len(scored)}): accuracy {sum(g == p for g, p in pairs) / len(pairs):.3f}, "
          f"macro-F1 {macro_f1(pairs, REQUEST_TYPES):.3f}, three classes "
          f"{macro_f1([(three(g), three(p)) for g, p in pairs], ('咨询', '建言', '投诉求助')):.3f}")
    ask_below = choose_ask_below(scored)
    kept = [s for s in scored if s["p"].max() >= ask_below]
    print(f"ask below {ask_below}: {len(kept) / len(scored):.1%} filed without asking")
    params = fit(cases)
    params["ask_below"] = np.float32(ask_below)
    np.savez_compressed(WEIGHTS, **params, digest=np.array(sources_digest()))
    print(f"wrote {WEIGHTS.relative_to(ROOT)} ({WEIGHTS.stat().st_size // 1024} KB, {len(params['vocab'])} features)")


if __name__ == "__main__":
    main()
