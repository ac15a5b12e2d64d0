"""Start the real Rasa server and action server for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "hotline.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    url: str
    db_url: str
    workdir: Path
    procs: list[subprocess.Popen]

    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        r = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout)
        r.raise_for_status()
        return r.json()

    def text(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))

    def tracker(self, sender: str) -> dict:
        return requests.get(f"{self.url}/conversations/{sender}/tracker", timeout=10).json()

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def start_stack(workdir: Path, profile: str = "anshan", timeout: float = 240) -> Stack:
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train` first")
    rasa_port, action_port = free_port(), free_port()
    db_url = f"sqlite:///{workdir / 'hotline.db'}"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {workdir / 'tracker.db'}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HOTLINE_DB_URL": db_url, "HOTLINE_PROFILE": profile,
           "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "HOTLINE_KB_WARMUP": "1"}
    actions_log = open(workdir / "actions.log", "wb")
    rasa_log = open(workdir / "rasa.log", "wb")
    procs = [
        subprocess.Popen([str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
                         cwd=ROOT, env=env, stdout=actions_log, stderr=subprocess.STDOUT),
        subprocess.Popen([str(BIN / "rasa"), "run", "--enable-api", "--port", str(rasa_port), "--model", str(MODEL),
                          "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml")],
                         cwd=ROOT, env=env, stdout=rasa_log, stderr=subprocess.STDOUT),
    ]
    stack = Stack(f"http://127.0.0.1:{rasa_port}", db_url, workdir, procs)
    deadline = time.monotonic() + timeout
    ready = {"rasa": False, "actions": False}
    while time.monotonic() < deadline and not all(ready.values()):
        for p in procs:
            if p.poll() is not None:
                stack.stop()
                raise RuntimeError(f"server exited early; see {workdir}/rasa.log and actions.log")
        try:
            ready["actions"] = requests.get(f"http://127.0.0.1:{action_port}/health", timeout=2).ok
            status = requests.get(f"{stack.url}/status", timeout=2)
            ready["rasa"] = status.ok and bool(status.json().get("model_file"))
        except requests.RequestException:
            pass
        time.sleep(1)
    if not all(ready.values()):
        stack.stop()
        raise RuntimeError(f"servers not ready after {timeout}s: {ready}")
    return stack
