"""Embed the knowledge base and the dispatch catalogue once, before the servers start
(``make train`` runs it), so that a fresh action server does not spend its first half minute
embedding while citizens wait. Cheap when the caches in var/ are current.

    .venv/bin/python -m scripts.warm_caches
"""

from __future__ import annotations

import time

from bot.orders.suggest import suggester_for
from bot.profile import load_profile
from kb.content import ARTICLES_DIR, load_dir
from kb.index import KnowledgeBase


def main() -> None:
    started = time.perf_counter()
    profile = load_profile()
    articles, _errors = load_dir(ARTICLES_DIR)
    kb = KnowledgeBase(articles, profile)
    suggester_for(profile, kb.embedder)
    print(f"embedding caches ready ({len(articles)} articles, dispatch catalogue) "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
