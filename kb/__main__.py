"""Command line for the units that keep the knowledge base current.

    python -m kb import PATH...        add or update articles from YAML files, a folder, JSONL or CSV
    python -m kb search QUESTION [--json] [--k 5] [--mode hybrid|bm25|dense]
    python -m kb check                 broken files, duplicate ids, near-duplicate questions
    python -m kb stale [--today DATE]  articles past their review date (the units' reminder)

Exit status: 0 fine, 1 problems found (check/stale/import), 2 bad usage.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.profile import load_profile
from kb.content import ARTICLES_DIR, ArticleError, article_from_dict, load_dir, write_article


def _records(path: Path) -> list[dict[str, Any]]:
    if path.is_dir():
        return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(path.rglob("*.yml"))]
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if path.suffix == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        for row in rows:
            for key in ("questions", "confirm", "tags"):
                if row.get(key):
                    row[key] = [q.strip() for q in row[key].replace("｜", "|").split("|") if q.strip()]
        return rows
    return [yaml.safe_load(text)]


def cmd_import(args: argparse.Namespace) -> int:
    directory = Path(args.dir)
    ok, bad = 0, 0
    for raw in args.paths:
        path = Path(raw)
        if not path.exists():
            print(f"找不到文件: {path}", file=sys.stderr)
            bad += 1
            continue
        try:
            records = _records(path)
        except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
            print(f"{path}: 无法读取: {exc}", file=sys.stderr)
            bad += 1
            continue
        for n, record in enumerate(records, 1):
            try:
                article = article_from_dict(record)
            except ArticleError as exc:
                print(f"{path} 第{n}条: {exc}", file=sys.stderr)
                bad += 1
                continue
            write_article(article, directory)
            ok += 1
    print(f"导入 {ok} 篇，失败 {bad} 篇")
    return 1 if bad else 0


def cmd_search(args: argparse.Namespace) -> int:
    from kb.index import KnowledgeBase

    articles, _ = load_dir(Path(args.dir))
    kb = KnowledgeBase(articles, load_profile())
    hits = kb.search(args.question, k=args.k, mode=args.mode)
    decision = kb.decide(args.question)
    if args.json:
        print(json.dumps({
            "query": args.question,
            "decision": decision.kind,
            "hits": [{"id": h.article.id, "title": h.article.title, "unit": h.article.unit, "score": round(h.score, 4),
                      "dense": round(h.dense, 4), "bm25": round(h.bm25, 3)} for h in hits],
        }, ensure_ascii=False, indent=2))
    else:
        print(f"判断: {decision.kind}")
        for h in hits:
            print(f"{h.dense:.3f} {h.bm25:6.2f}  {h.article.id}  {h.article.title}（{h.article.unit}）")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bot.language.sentences import Tokenizer

    articles, errors = load_dir(Path(args.dir))
    for path, problem in errors:
        print(f"错误 {path}: {problem}")
    tok = Tokenizer(load_profile())
    owner: dict[str, str] = {}
    dupes = 0
    for a in articles:
        for q in (a.title, *a.questions):
            key = "".join(t for t in tok(q) if not t.startswith("#"))
            if key in owner and owner[key] != a.id:
                print(f"重复问法: 「{q}」同时出现在 {owner[key]} 和 {a.id}")
                dupes += 1
            owner.setdefault(key, a.id)
        if a.review_by < a.updated_at:
            print(f"错误 {a.id}: review_by 早于 updated_at")
            errors.append((a.id, "dates"))
    print(f"共 {len(articles)} 篇，错误 {len(errors)} 处，重复问法 {dupes} 处")
    return 1 if errors or dupes else 0


def cmd_stale(args: argparse.Namespace) -> int:
    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    articles, _ = load_dir(Path(args.dir))
    stale = sorted((a for a in articles if a.review_by < today), key=lambda a: (a.unit, a.review_by))
    for a in stale:
        print(f"{a.review_by}  {a.unit}  {a.id}  {a.title}")
    print(f"需要复核 {len(stale)} 篇（截至 {today}）")
    return 1 if stale else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kb", description="知识库维护 / knowledge base upkeep")
    ap.add_argument("--dir", default=str(ARTICLES_DIR), help="articles folder")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("import")
    p.add_argument("paths", nargs="+")
    p = sub.add_parser("search")
    p.add_argument("question")
    p.add_argument("--json", action="store_true")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid")
    sub.add_parser("check")
    p = sub.add_parser("stale")
    p.add_argument("--today")
    args = ap.parse_args(argv)
    return {"import": cmd_import, "search": cmd_search, "check": cmd_check, "stale": cmd_stale}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
