"""Headless Chromium over the DevTools protocol: open a page, collect console errors, read the
DOM, take a screenshot. Only what the docs check needs; websocket-client carries the protocol.

Chromium is Debian's package (``/usr/bin/chromium``). :func:`find_or_install_chromium` installs
it with apt-get when it is missing and we are root; otherwise it says why it cannot.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import websocket

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1280,1800",
    "--hide-scrollbars",
)
_LISTENING = "DevTools listening on "


class ChromiumUnavailable(Exception):
    """Chromium is not installed and cannot be installed here; the message says why."""


def find_or_install_chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if not shutil.which("apt-get"):
        raise ChromiumUnavailable("chromium is not installed and there is no apt-get to install it")
    if os.geteuid() != 0:
        raise ChromiumUnavailable("chromium is not installed; run `apt-get install chromium` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ChromiumUnavailable(f"`{' '.join(command)}` failed: {tail[0]}")
    found = shutil.which("chromium")
    if not found:
        raise ChromiumUnavailable("apt-get installed chromium but there is no chromium on PATH")
    return found


class Session:
    """One page's DevTools session: commands in order, events kept for inspection."""

    def __init__(self, ws: websocket.WebSocket, session_id: str) -> None:
        self._ws = ws
        self._session_id = session_id
        self._ids = itertools.count(1000)
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        self._ws.send(json.dumps({"id": message_id, "method": method, "params": params, "sessionId": self._session_id}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event: str) -> dict[str, Any]:
        for seen in self.events:
            if seen["method"] == event:
                return seen
        while True:
            message = json.loads(self._ws.recv())
            if "method" in message:
                self.events.append(message)
                if message["method"] == event:
                    return message

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def console_errors(self) -> list[str]:
        errors = []
        for event in self.events:
            params = event.get("params", {})
            if event["method"] == "Runtime.exceptionThrown":
                errors.append(str(params["exceptionDetails"].get("text")))
            elif event["method"] == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif event["method"] == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}".strip())
        return errors


def _read_lines(stream: Any, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


@contextmanager
def chromium_page(executable: str, profile: Path, url: str) -> Iterator[Session]:
    """Start Chromium with a fresh profile, open ``url`` and yield its session once loaded."""
    process = subprocess.Popen(
        [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_read_lines, args=(process.stderr, lines), daemon=True).start()
        while True:  # Chromium announces its DevTools endpoint on stderr when it is ready.
            line = lines.get(timeout=60)
            if line.startswith(_LISTENING):
                endpoint = line[len(_LISTENING) :].strip()
                break
        ws = websocket.create_connection(endpoint, timeout=60, suppress_origin=True)
        try:
            target = _browser_call(ws, "Target.createTarget", url="about:blank")["targetId"]
            session_id = _browser_call(ws, "Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            session = Session(ws, session_id)
            for domain in ("Page", "Runtime", "Log"):
                session.send(f"{domain}.enable")
            session.send("Page.navigate", url=url)
            session.wait_for("Page.loadEventFired")
            yield session
        finally:
            ws.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _browser_call(ws: websocket.WebSocket, method: str, **params: Any) -> dict[str, Any]:
    ws.send(json.dumps({"id": 1, "method": method, "params": params}))
    while True:
        message = json.loads(ws.recv())
        if message.get("id") == 1:
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            return dict(message["result"])


def screenshot(session: Session) -> bytes:
    return base64.b64decode(session.send("Page.captureScreenshot", format="png")["data"])
