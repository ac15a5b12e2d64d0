"""Train the learned reader of legal routes (bot/language/routes.npz) beside bot/language/scope.py's rules.

    .venv/bin/python -m scripts.train_routes            # writes bot/language/routes.npz
    .venv/bin/python -m scripts.train_routes --report   # also the out-of-fold figures per threshold

Sources (never the independent evaluation set, tests/data/scope_dev.yml / scope_sealed.yml, nor the
look-alikes of tests/data/scope_lookalikes_dev.yml, which are scored, not learned):
- ``bot/lexicon/route_cases_*.yml``: citizens' chat lines, letters and operators' call records at the edge
  of the hotline's remit, labelled with the route of 鞍山条例第十一条 or null (in scope), written for
  training by writers briefed only with the regulation's routes and the look-alikes the hotline must
  take (session 16: three writers, long letters with the point buried, short dialect lines, call
  records asking the hotline itself to rule or obtain);
- ``tests/data/scope_cases.yml``: the project's first legal-route cases;
- the NLU's request intents (complain, consult, seek_help, suggest, report_violation) as in scope: what
  the hotline takes every day.

The reader mostly adds to the rules: a message the rules send nowhere is sent to a route when the reader
gives that route at least the threshold stored with the weights, chosen out of fold (by writer's case)
as the lowest at which the reader adds at most ``MAX_ADDED`` (half a point) to the share of in-scope cases
sent away: a citizen told to go to court with a matter the hotline must take is a lost request. And a
message of some length the rules send away is kept when the reader is sure it is in scope, from the
lowest certainty at which that lost no out-of-scope case out of fold.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.language import scope  # noqa: E402
from bot.language.request_types import features  # noqa: E402
from bot.language.scope import IN_SCOPE, ROUTE_CLASSES, ROUTES_WEIGHTS  # noqa: E402
from bot.profile import Profile, load_profile  # noqa: E402
from scripts.train_request_types import digest_of, fit_tfidf_softmax  # noqa: E402

WRITTEN = sorted((ROOT / "bot" / "lexicon").glob("route_cases_*.yml"))
OWN = ROOT / "tests" / "data" / "scope_cases.yml"
NLU = ROOT / "data" / "nlu"
NLU_INTENTS = ("complain", "consult", "seek_help", "suggest", "report_violation")
C = 8.0
MAX_ADDED = 0.005
VETO_MARGIN = 0.10         # above the lowest certainty that lost nothing: a case or two decides it
_ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def sources() -> list[Path]:
    return [*WRITTEN, OWN, *(NLU / f"{i}.yml" for i in NLU_INTENTS)]


def sources_digest() -> str:
    return digest_of(sources())


def _label(route: object) -> str:
    if not route:
        return IN_SCOPE
    route = str(route)
    return "privacy" if route == "secrets" else route


def corpus() -> list[dict]:
    cases = []
    for path in [*WRITTEN, OWN]:
        for c in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            label = _label(c.get("route"))
            if label in ROUTE_CLASSES and str(c.get("text") or "").strip():
                cases.append({"text": str(c["text"]), "label": label, "source": "written", "id": f"{path.stem}:{c.get('id')}"})
    for intent in NLU_INTENTS:
        path = NLU / f"{intent}.yml"
        if not path.exists():
            continue
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                text = _ENTITY.sub(r"\1", line.strip().removeprefix("- ").strip())
                if text:
                    cases.append({"text": text, "label": IN_SCOPE, "source": "nlu", "id": f"nlu:{intent}"})
    return cases


def fit(cases: list[dict]) -> dict:
    weight = {"written": 1.0, "nlu": 0.3}
    return fit_tfidf_softmax([features(c["text"]) for c in cases], [c["label"] for c in cases], ROUTE_CLASSES, C,
                             [weight[c["source"]] for c in cases])


Scored = list[tuple[dict, np.ndarray, scope.RouteModel]]


def out_of_fold(cases: list[dict], folds: int = 5) -> Scored:
    written = [i for i, c in enumerate(cases) if c["source"] == "written"]
    order = np.random.default_rng(16).permutation(written)
    scored = []
    for k in range(folds):
        held = set(order[k::folds].tolist())
        params = fit([c for i, c in enumerate(cases) if i not in held])
        m = scope.RouteModel.from_params({**params, "ask_below": np.float32(1.0)})
        scored.extend((cases[i], m.probabilities(cases[i]["text"]), m) for i in sorted(held))
    return scored


def choose_threshold(scored: Scored, rules: dict[int, str | None], profile: Profile, show: bool) -> float:
    """The lowest threshold at which the reader adds at most MAX_ADDED to the in-scope cases sent away
    (``rules``: each case's route by the rules alone, by ``id`` of the case)."""
    best = 1.0
    in_scope_cases = [c for c, _, _ in scored if c["label"] == IN_SCOPE]
    ruled_away = sum(1 for c in in_scope_cases if rules[id(c)] is not None) / max(1, len(in_scope_cases))
    for threshold in [x / 100 for x in range(95, 29, -5)]:
        refused = sent = right = 0
        in_scope = out = 0
        for c, _, m in scored:
            got = rules[id(c)]
            if got is None:
                found = scope.learned_route(m, threshold, c["text"], scope.prepared(c["text"]), profile)
                got = found.route if found else None
            if c["label"] == IN_SCOPE:
                in_scope += 1
                refused += got is not None
            else:
                out += 1
                sent += got is not None
                right += got == c["label"]
        rate = refused / max(1, in_scope)
        if show:
            print(f"  from {threshold:.2f}: out of scope sent away {sent / max(1, out):.1%} (right route {right / max(1, out):.1%}), "
                  f"in scope sent away {rate:.1%}")
        if rate <= ruled_away + MAX_ADDED:
            best = threshold
    return best


def choose_veto(scored: Scored, rules: dict[int, str | None], show: bool) -> float:
    """The lowest certainty of "in scope" from which the reader overrules the rules without losing
    any out-of-scope case the rules caught (out of fold), plus VETO_MARGIN; 1.01 (never) when none is safe."""
    none = ROUTE_CLASSES.index(IN_SCOPE)
    flagged = [(c, float(p[none])) for c, p, _ in scored
               if len(scope.prepared(c["text"])) >= scope.LEARNED_FROM_CHARS and rules[id(c)]]
    best = 1.01
    for threshold in [x / 100 for x in range(95, 59, -5)]:
        fixed = sum(1 for c, q in flagged if c["label"] == IN_SCOPE and q >= threshold)
        lost = sum(1 for c, q in flagged if c["label"] != IN_SCOPE and q >= threshold)
        if show:
            print(f"  veto from {threshold:.2f}: in-scope cases the rules sent away kept {fixed}, out-of-scope lost {lost}"
                  f" (of {len(flagged)} the rules sent away)")
        if lost:
            break
        best = threshold
    return best if best > 1.0 else min(0.95, best + VETO_MARGIN)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    cases = corpus()
    print(f"{len(cases)} cases: {dict(Counter(c['label'] for c in cases))}")
    scored = out_of_fold(cases)
    written: Scored = [(c, p, m) for c, p, m in scored if c["source"] == "written"]
    profile = load_profile()
    rules = {id(c): scope.rules_read(c["text"], profile) for c, _, _ in written}
    if args.report:
        out = [c for c, _, _ in written if c["label"] != IN_SCOPE]
        ruled = sum(1 for c in out if rules[id(c)] is not None)
        print(f"rules alone send away {ruled / max(1, len(out)):.1%} of the out-of-scope written cases; rules and reader:")
    threshold = choose_threshold(written, rules, profile, args.report)
    veto = choose_veto(written, rules, args.report)
    params = fit(cases)
    np.savez_compressed(ROUTES_WEIGHTS, **params, ask_below=np.float32(threshold), veto_from=np.float32(veto),
                        digest=np.array(sources_digest()))
    print(f"wrote {ROUTES_WEIGHTS.relative_to(ROOT)} ({len(params['vocab'])} n-grams), sends away from {threshold:.2f}, "
          f"keeps what the rules send away from {veto:.2f}")


if __name__ == "__main__":
    main()
