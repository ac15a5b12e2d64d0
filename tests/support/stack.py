"""Start the real servers for end-to-end tests: Rasa, the action server and the gateway.

Each runs as its own process on a free port with its own SQLite files under the test's
folder; a test may stop one part and start it again (fault tests).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "hotline.tar.gz"


def _procfile_env(process: str) -> dict[str, str]:
    """The variables the Procfile sets for a process (``name: VAR=value ... command``): the
    tests start it as ``make run`` does."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{process}:"):
            words = line.split(":", 1)[1].split()
            return dict(w.split("=", 1) for w in words[:next(i for i, w in enumerate(words) if "=" not in w)])
    return {}


# Sanic answers 503 after 60 s by default, and closes a connection whose request it has not
# read within 5 s as idle: a saturated action server's answers would be lost to Rasa (which
# waits 5 minutes for them). The Procfile gives it longer.
ACTION_SERVER_ENV = _procfile_env("actions")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    workdir: Path
    db_url: str
    env: dict[str, str]
    ports: dict[str, int]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The gateway: what citizens' channels and the public talk to."""
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['rasa']}"

    @property
    def wechat_api_url(self) -> str:
        """The local stand-in for WeChat's API that the gateway's WeChat channel talks to."""
        return f"http://127.0.0.1:{self.ports['wechat_api']}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['actions']}"

    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        r = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout)
        r.raise_for_status()
        return r.json()

    def text(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))

    def tracker(self, sender: str) -> dict:
        return requests.get(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=10).json()

    # ------------------------------------------------------------------ processes

    endpoints: Path | None = None  # Rasa's endpoints file (default: the one written into workdir)

    def gateway_url(self, name: str = "gateway") -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def command(self, name: str) -> list[str]:
        if name == "actions":
            return [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(self.ports["actions"])]
        if name.startswith("rasa"):
            return [str(BIN / "rasa"), "run", "--enable-api", "--interface", "127.0.0.1",
                    "--port", str(self.ports[name]), "--model", str(MODEL),
                    "--endpoints", str(self.endpoints or self.workdir / "endpoints.yml"),
                    "--credentials", str(ROOT / "credentials.yml"), "--logging-config-file", str(ROOT / "logging.yml")]
        if name == "wechat_api":
            return [str(BIN / "python"), "-m", "channels.wechat.fake_api", "--port", str(self.ports["wechat_api"])]
        return [str(BIN / "python"), "-m", "bot.gateway"]

    def env_for(self, name: str) -> dict[str, str]:
        """A gateway talks to the Rasa server of its own number (gateway2 -> rasa2); the action
        server gets its settings from the Procfile."""
        if name == "actions":
            return {**ACTION_SERVER_ENV, **self.env}  # what the environment sets wins
        if not name.startswith("gateway"):
            return self.env
        rasa = "rasa" + name.removeprefix("gateway")
        return {**self.env, "GATEWAY_PORT": str(self.ports[name]), "RASA_URL": f"http://127.0.0.1:{self.ports[rasa]}"}

    def start(self, name: str) -> None:
        log = open(self.workdir / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(self.command(name), cwd=ROOT, env=self.env_for(name), stdout=log,
                                            stderr=subprocess.STDOUT)

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            proc.kill()
            proc.wait(timeout=20)

    def ready(self, name: str) -> bool:
        try:
            if name == "actions":
                return requests.get(f"{self.actions_url}/health", timeout=2).ok
            if name.startswith("rasa"):
                status = requests.get(f"http://127.0.0.1:{self.ports[name]}/status", timeout=2)
                return status.ok and bool(status.json().get("model_file"))
            if name == "wechat_api":
                return requests.get(f"{self.wechat_api_url}/_fake/stats", timeout=2).ok
            return requests.get(f"{self.gateway_url(name)}/webhooks/rest/", timeout=2).ok
        except requests.RequestException:
            return False

    def wait_ready(self, names: list[str], timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(names)
        while waiting and time.monotonic() < deadline:
            for name in list(waiting):
                proc = self.procs.get(name)
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"{name} exited early; see {self.workdir}/{name}.log")
                if self.ready(name):
                    waiting.remove(name)
            time.sleep(0.5)
        if waiting:
            raise RuntimeError(f"not ready after {timeout}s: {waiting}; logs in {self.workdir}")

    def stop(self) -> None:
        for p in self.procs.values():
            p.terminate()
        for p in self.procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs.clear()


def start_stack(workdir: Path, profile: str = "anshan", timeout: float = 240, **extra_env: str) -> Stack:
    _require_model()
    ports = {"rasa": free_port(), "actions": free_port(), "gateway": free_port(), "wechat_api": free_port()}
    db_url = f"sqlite:///{workdir / 'hotline.db'}"
    (workdir / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{ports["actions"]}/webhook"\n'
        f"tracker_store:\n  type: bot.rasa.tracker_store.EncryptedSQLTrackerStore\n  dialect: sqlite\n  db: {workdir / 'tracker.db'}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HOTLINE_ENV": "development", "HOTLINE_EXEMPT_LOOPBACK": "1", "HOTLINE_DB_URL": db_url,
           "HOTLINE_PROFILE": profile, "PYTHONPATH": _this_checkout(),
           "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "HOTLINE_KB_WARMUP": "1",
           "RASA_URL": f"http://127.0.0.1:{ports['rasa']}", "ACTIONS_URL": f"http://127.0.0.1:{ports['actions']}",
           "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(ports["gateway"]),
           "HOTLINE_UPLOAD_DIR": str(workdir / "uploads"), "HOTLINE_WARNINGS_EVERY": "2",
           "HOTLINE_REPORTS_EVERY": "2",
           "HOTLINE_WECHAT_API_BASE": f"http://127.0.0.1:{ports['wechat_api']}/cgi-bin/", **extra_env}
    return _launch(Stack(workdir, db_url, env, ports), ["wechat_api", "actions", "rasa", "gateway"], timeout)


def _this_checkout() -> str:
    """Rasa and the action server start from the virtualenv's ``rasa`` script, whose first path is
    the virtualenv's bin: without this they would import ``bot`` and ``actions`` from wherever the
    project is installed (editable) rather than from the checkout under test."""
    return os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])


def _require_model() -> None:
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train` first")


def _launch(stack: Stack, names: list[str], timeout: float) -> Stack:
    """Start the processes in this order and wait until all answer (or stop them all)."""
    for name in names:
        stack.start(name)
    try:
        stack.wait_ready(names, timeout)
    except RuntimeError:
        stack.stop()
        raise
    return stack


def start_cluster(workdir: Path, db_url: str, tracker_db: str | None, redis_prefix: str, servers: int = 2,
                  timeout: float = 300, **extra_env: str) -> Stack:
    """The production form on one machine: ``servers`` Rasa servers and as many gateways, one
    action server, PostgreSQL for the work orders (``db_url``) and for Rasa's tracker store
    (database ``tracker_db``), Redis for Rasa's lock store and the gateways' shared state, with
    Rasa reading the committed endpoints.production.yml from the environment."""
    from sqlalchemy.engine import make_url

    _require_model()
    names = ["rasa" if i == 0 else f"rasa{i + 1}" for i in range(servers)]
    gateways = ["gateway" if i == 0 else f"gateway{i + 1}" for i in range(servers)]
    ports = {name: free_port() for name in ["actions", "wechat_api", *names, *gateways]}
    pg = make_url(db_url)
    redis_url = os.environ.get("HOTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    redis_host = urlparse(redis_url).hostname or "127.0.0.1"
    env = {**os.environ, "HOTLINE_ENV": "development", "HOTLINE_EXEMPT_LOOPBACK": "1", "HOTLINE_DB_URL": db_url,
           "HOTLINE_PROFILE": "anshan", "PYTHONPATH": _this_checkout(),
           "HOTLINE_REDIS_URL": redis_url,
           "HOTLINE_REDIS_PREFIX": redis_prefix, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "HOTLINE_KB_WARMUP": "1", "ACTIONS_URL": f"http://127.0.0.1:{ports['actions']}", "GATEWAY_HOST": "127.0.0.1",
           "HOTLINE_UPLOAD_DIR": str(workdir / "uploads"),
           "HOTLINE_WECHAT_API_BASE": f"http://127.0.0.1:{ports['wechat_api']}/cgi-bin/",
           # endpoints.production.yml
           "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
           "RASA_DB_HOST": pg.host or "127.0.0.1", "RASA_DB_PORT": str(pg.port or 5432), "RASA_DB_NAME": tracker_db or "",
           "RASA_DB_USER": pg.username or "postgres", "RASA_DB_PASSWORD": pg.password or "",
           "REDIS_HOST": redis_host, "REDIS_PORT": "6379", "REDIS_DB": "0", "REDIS_PASSWORD": "",
           "RASA_LOCK_PREFIX": "".join(c for c in redis_prefix if c.isalnum()), **extra_env}
    endpoints = ROOT / "endpoints.production.yml"
    if db_url.startswith("sqlite"):  # the same form on one machine's SQLite files (figures to compare)
        endpoints = workdir / "endpoints.yml"
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{ports["actions"]}/webhook"\n'
            f"tracker_store:\n  type: bot.rasa.tracker_store.EncryptedSQLTrackerStore\n  dialect: sqlite\n"
            f"  db: {workdir / 'tracker.db'}\n"
            f"lock_store:\n  type: redis\n  url: {redis_host}\n  port: 6379\n  db: 0\n"
            f"  key_prefix: {env['RASA_LOCK_PREFIX']}\n", encoding="utf-8")
    return _launch(Stack(workdir, db_url, env, ports, endpoints=endpoints), ["wechat_api", "actions", *names, *gateways],
                   timeout)
