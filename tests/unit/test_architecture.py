"""The house plan (docs/architecture.md), read from the imports: a room reaches only downward.

    bot/language   pure text understanding: the profile and the word lists only
    bot/store      storage: nothing above it (the profile, working days and language's labels below)
    bot/orders     the work-order domain: never the gateway, the console, the channels or actions
    bot/analytics  研判: reads the store (and masks names with bot/language; the gateway and the
                   console serve it)
    bot/gateway    the hub and the HTTP API: the channels and the console only from app.py, the
                   composition root
    channels       the citizen's doors: never the console; the hub only through its port
                   (bot/gateway/port.py)
    bot/console    the agents' console: never the channels; the hub only through its port
    bot            never the action server (actions/)
    kb             the knowledge base: its sentence tools from bot/language and the profile only
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.stack import ROOT

PACKAGES = ("bot", "channels", "actions", "kb")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(base: str, name: str) -> str:
    """``from bot import dispatch`` imports the module bot.dispatch when there is one."""
    candidate = f"{base}.{name}"
    as_path = ROOT.joinpath(*candidate.split("."))
    return candidate if as_path.with_suffix(".py").exists() or (as_path / "__init__.py").exists() else base


def project_imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            names: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(a.name for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.update(_resolve(node.module, a.name) for a in node.names)
            found[_module_name(path)] = {n for n in names if n.split(".")[0] in PACKAGES}
    return found


IMPORTS = project_imports()


def _inside(module: str, *rooms: str) -> bool:
    return any(module == r or module.startswith(r + ".") for r in rooms)


RULES = [
    # (rooms the rule is about, what they may import from the project, except these modules)
    ("bot.language", lambda m: _inside(m, "bot.language", "bot.profile"), ()),
    ("bot.store", lambda m: _inside(m, "bot.store", "bot.profile", "bot.workdays", "bot.language"), ()),
    ("bot.orders", lambda m: not _inside(m, "bot.gateway", "bot.console", "channels", "actions", "bot.analytics"), ()),
    ("bot.analytics", lambda m: _inside(m, "bot.analytics", "bot.store", "bot.profile", "bot.language"), ()),
    ("bot.gateway", lambda m: not _inside(m, "channels", "bot.console", "actions"), ("bot.gateway.app",)),
    ("channels", lambda m: not _inside(m, "bot.console", "actions", "bot.gateway.hub"), ()),
    ("bot.console", lambda m: not _inside(m, "channels", "actions", "bot.gateway.hub", "bot.gateway.app"), ()),
    ("bot", lambda m: not _inside(m, "actions"), ()),
    ("kb", lambda m: _inside(m, "kb", "bot.language", "bot.profile"), ()),
]


@pytest.mark.parametrize(("room", "allowed", "exempt"), RULES, ids=[r[0] for r in RULES])
def test_a_room_reaches_only_downward(room, allowed, exempt):
    wrong = sorted(f"{module} -> {target}" for module, targets in IMPORTS.items()
                   if _inside(module, room) and module not in exempt
                   for target in targets if not allowed(target))
    assert not wrong, "imports against the house plan (docs/architecture.md):\n" + "\n".join(wrong)


def test_the_rules_see_the_imports():
    """The reader works: known imports are found (a reader that finds nothing passes every rule)."""
    assert "bot.orders.suggest" in IMPORTS["bot.orders.filing"]
    assert "channels.web.uploads" in IMPORTS["bot.gateway.app"]
    assert "bot.language.scope" in IMPORTS["bot.language.triage"]


def test_the_hub_offers_every_method_of_the_channels_port():
    import inspect

    from bot.gateway.hub import Hub
    from bot.gateway.port import ChannelPort

    wanted = [n for n, v in vars(ChannelPort).items() if inspect.isfunction(v) and not n.startswith("_")]
    assert wanted, "the port lists no methods"
    for name in wanted:
        assert inspect.signature(getattr(Hub, name)).parameters.keys() == \
            inspect.signature(getattr(ChannelPort, name)).parameters.keys(), name
