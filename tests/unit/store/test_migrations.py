"""The schema: several processes starting at once on a new database (a whole city's servers
after a deploy) bring it to the newest schema once, without tripping over each other."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support import services
from tests.support.stack import ROOT


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_four_processes_migrate_a_new_database_at_once(kind, tmp_path):
    url = services.create_database("mig") if kind == "postgresql" else f"sqlite:///{tmp_path / 'new.db'}"
    try:
        code = "from bot.store.db import migrate; migrate(); from bot.store import repository; " \
               "print(repository.get_order('AS-20260101-0001'))"
        env = {**os.environ, "HOTLINE_DB_URL": url}
        procs = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], [err[-500:] for _out, err in results]
        assert all(out.strip() == "None" for out, _err in results)
    finally:
        if kind == "postgresql":
            services.drop_database(url)
