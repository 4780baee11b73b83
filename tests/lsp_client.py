"""A minimal LSP client for tests and the benchmark: starts the real `python -m claudelint
server` as a subprocess and speaks JSON-RPC to it over stdio."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

Message = dict[str, Any]


class LspError(Exception):
    pass


class LspClient:
    def __init__(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "claudelint", "server"],
            cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        self._next_id = 0
        self._inbox: queue.Queue[Message | None] = queue.Queue()
        # Notifications received and not yet taken by `wait_notification`.
        self.notifications: list[Message] = []
        # Requests the server sent (each answered with a null result).
        self.server_requests: list[Message] = []
        self.stderr: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        # Drained, so a chatty server never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    # --- framing ----------------------------------------------------------------------

    def _send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self._inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(out.read(length))
            if "method" in message and "id" in message:
                # A request from the server (registerCapability, ...): accept it.
                self.server_requests.append(message)
                self._send({"id": message["id"], "result": None})
                continue
            self._inbox.put(message)

    def _take(self, deadline: float) -> Message:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no message from the server in time")
        try:
            message = self._inbox.get(timeout=left)
        except queue.Empty:
            raise TimeoutError("no message from the server in time") from None
        if message is None:
            self.proc.wait(timeout=10)
            stderr = b"".join(self.stderr).decode(errors="replace")
            raise LspError(f"the server closed its output; stderr:\n{stderr}")
        return message

    # --- requests and notifications ---------------------------------------------------

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        self._next_id += 1
        rid = self._next_id
        self._send({"id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._take(deadline)
            if message.get("id") == rid:
                if "error" in message:
                    raise LspError(str(message["error"]))
                return message.get("result")
            self.notifications.append(message)

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def wait_notification(self, method: str, predicate: Any = None,
                          timeout: float = 30) -> Message:
        """The first notification `method` (whose params satisfy `predicate`), received
        earlier or from now on; earlier ones are consumed up to it."""
        for i, message in enumerate(self.notifications):
            if message.get("method") == method and (predicate is None
                                                    or predicate(message["params"])):
                del self.notifications[: i + 1]
                return message["params"]  # type: ignore[no-any-return]
        self.notifications.clear()
        deadline = time.monotonic() + timeout
        while True:
            message = self._take(deadline)
            if message.get("method") == method and (predicate is None
                                                    or predicate(message["params"])):
                return message["params"]  # type: ignore[no-any-return]

    def diagnostics(self, uri: str, version: int | None = None,
                    timeout: float = 30) -> list[Message]:
        """The next diagnostics published for `uri` (for this document `version`)."""
        params = self.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == uri and (version is None or p.get("version") == version),
            timeout=timeout,
        )
        return params["diagnostics"]  # type: ignore[no-any-return]

    # --- life cycle -------------------------------------------------------------------

    def initialize(self, root: Path, options: Any = None) -> Any:
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(),
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}},
            },
            "initializationOptions": options,
        }, timeout=60)
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str, version: int = 1) -> str:
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": version, "text": text}})
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}],
        })

    def shutdown(self, timeout: float = 10) -> int:
        """shutdown, exit; the server's exit code."""
        try:
            self.request("shutdown", None, timeout=timeout)
            self.notify("exit", None)
            return self.proc.wait(timeout=timeout)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdin is not None:
            self.proc.stdin.close()


def apply_edits(text: str, edits: list[Message]) -> str:
    """Apply LSP TextEdits (UTF-16 positions) to `text`."""
    from claudelint.server.positions import Lines, Position

    lines = Lines(text)
    starts = [0]
    for line in lines.lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)  # tests use "\n" line breaks

    def offset(p: Message) -> int:
        line, column = lines.from_lsp(Position(p["line"], p["character"]))
        return starts[line - 1] + column - 1

    spans = sorted(((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"])
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
