"""--exact-tokens against a local count_tokens server (127.0.0.1, started and stopped here).

The server implements the endpoint's request/response shape — `POST /v1/messages/count_tokens`
with `{"model", "messages"}` in, `{"input_tokens": N}` out — and the real `anthropic` SDK
talks to it through `ANTHROPIC_BASE_URL`. Nothing is mocked.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from claudelint.workspace import token_counter as exact
from claudelint.workspace.atomic import TEMP_PREFIX
from claudelint.workspace.token_counter import BASELINE, TokenCounter

pytest.importorskip("anthropic")

OVERHEAD = 7  # tokens the server adds for the request's framing
BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80
APP = f'''import anthropic

client = anthropic.Anthropic()
POLICY = {BIG!r}


def answer(question: str) -> str:
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        system=POLICY,
        messages=[{{"role": "user", "content": question}}],
    )
    return response.content[0].text


def answer_again(question: str) -> str:
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        system=POLICY,
        messages=[{{"role": "user", "content": question}}],
    )
    return response.content[0].text
'''


@dataclass
class Server:
    url: str
    # (model, text) of every request received.
    requests: list[tuple[str, str]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    # Characters per token the server pretends; `status` forces an error response.
    chars_per_token: float = 4.0
    status: int = 200
    reject_models: set[str] = field(default_factory=set)


@pytest.fixture()
def server() -> Iterator[Server]:
    state = Server(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.split("?")[0] != "/v1/messages/count_tokens":
                self._send(404, {"type": "error", "error": {"type": "not_found_error",
                                                            "message": self.path}})
                return
            model, messages = body["model"], body["messages"]
            content = messages[0]["content"]
            state.requests.append((model, content))
            state.headers.append({k.lower(): v for k, v in self.headers.items()})
            if state.status != 200:
                self._send(state.status, {"type": "error", "error": {
                    "type": "api_error", "message": "Internal server error"}})
                return
            if model in state.reject_models:
                self._send(404, {"type": "error", "error": {
                    "type": "not_found_error", "message": f"model: {model}"}})
                return
            tokens = math.ceil(len(content) / state.chars_per_token) + OVERHEAD
            self._send(200, {"input_tokens": tokens})

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture()
def api_env(server: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    return server


# ------------------------------------------------------------------------------ the counter


def test_counter_counts_text_without_framing_and_caches_on_disk(
    api_env: Server, tmp_path: Path
) -> None:
    counter = TokenCounter(tmp_path)
    assert counter.count("a" * 400, "claude-sonnet-4-6") == 100
    # Text and baseline, one request each; the key went in the header, not the body.
    assert sorted(t for _, t in api_env.requests) == sorted(["a" * 400, BASELINE])
    sent = api_env.headers[0]
    assert "sk-test-key" in (sent.get("x-api-key", "") + sent.get("authorization", ""))
    # The same text again in this run: no request.
    assert counter.count("a" * 400, "claude-sonnet-4-6") == 100
    assert len(api_env.requests) == 2
    # A new counter (a new run) reads the disk cache: still no request.
    again = TokenCounter(tmp_path)
    assert again.count("a" * 400, "claude-sonnet-4-6") == 100
    assert len(api_env.requests) == 2
    assert again.take_stats().cached == 2
    files = list((tmp_path / ".claudelint_cache" / "tokens").rglob("*"))
    entries = [p for p in files if p.is_file()]
    assert len(entries) == 2 and not [p for p in entries if p.name.startswith(TEMP_PREFIX)]
    data = json.loads(entries[0].read_text(encoding="utf-8"))
    assert set(data) == {"model", "input_tokens"}
    # Another model is another key.
    assert counter.count("a" * 400, "claude-haiku-4-5") == 100
    assert len(api_env.requests) == 4
    assert counter.count("", "claude-haiku-4-5") == 0


def test_counter_without_key_gives_none_and_one_warning(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    counter = TokenCounter(tmp_path)
    assert counter.count("hello", "claude-sonnet-4-6") is None
    assert counter.count("hello again", "claude-sonnet-4-6") is None
    assert server.requests == []
    warnings = counter.take_warnings()
    assert len(warnings) == 1 and "ANTHROPIC_API_KEY" in warnings[0]


def test_counter_gives_up_after_a_server_error(api_env: Server, tmp_path: Path) -> None:
    api_env.status = 500
    counter = TokenCounter(tmp_path)
    assert counter.count("hello", "claude-sonnet-4-6") is None
    sent = len(api_env.requests)
    assert 1 <= sent <= 1 + exact._MAX_RETRIES
    assert counter.count("something else", "claude-sonnet-4-6") is None
    assert len(api_env.requests) == sent  # no more requests this run
    (warning,) = counter.take_warnings()
    assert "HTTP 500" in warning and "estimates" in warning
    assert not (tmp_path / ".claudelint_cache" / "tokens").exists()


def test_counter_rejected_model_falls_back_for_that_model_only(
    api_env: Server, tmp_path: Path
) -> None:
    api_env.reject_models = {"claude-opus-4-1"}
    counter = TokenCounter(tmp_path)
    assert counter.count("hello", "claude-opus-4-1") is None
    assert counter.count("hello there", "claude-opus-4-1") is None
    assert counter.count("a" * 40, "claude-sonnet-4-6") == 10
    (warning,) = counter.take_warnings()
    assert "claude-opus-4-1" in warning and "HTTP 404" in warning


def test_unreachable_server_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{port}")
    counter = TokenCounter(tmp_path)
    assert counter.count("hello", "claude-sonnet-4-6") is None
    (warning,) = counter.take_warnings()
    assert "count_tokens request failed" in warning


# ------------------------------------------------------------------------------ the command


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items()
            if k not in ("NO_COLOR", "FORCE_COLOR", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "claudelint.cli", *args], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


def _cl101_tokens(stdout: str) -> list[int]:
    import re

    return [int(m.replace(",", "")) for m in re.findall(r"~([\d,]+)-token static prefix", stdout)]


def test_rules_use_exact_counts_and_repeated_text_is_counted_once(
    server: Server, project: Path
) -> None:
    env = {"ANTHROPIC_API_KEY": "sk-test-key", "ANTHROPIC_BASE_URL": server.url}
    estimated = _run(["check", "--isolated", "--no-cache", "app.py"], project, {})
    assert len(_cl101_tokens(estimated.stdout)) == 2
    server.chars_per_token = 2.0  # the "API" counts twice the estimate's tokens
    first = _run(["check", "--isolated", "--no-cache", "--exact-tokens", "app.py"], project, env)
    assert first.returncode == 1, first.stderr
    assert _cl101_tokens(first.stdout) == [len(BIG) // 2] * 2 != _cl101_tokens(estimated.stdout)
    # Both call sites share POLICY: each distinct text is sent once.
    assert len(server.requests) == len(set(server.requests))
    assert (server.requests[0][0]) == "claude-sonnet-4-6"
    assert "from the count_tokens endpoint" in first.stderr
    sent = len(server.requests)
    # A second run reads every count from .claudelint_cache/tokens: no request at all.
    second = _run(["check", "--isolated", "--no-cache", "--exact-tokens", "app.py"], project,
                  env)
    assert second.stdout == first.stdout
    assert len(server.requests) == sent
    assert f"0 from the count_tokens endpoint, {sent} from the cache" in second.stderr


def test_exact_counts_can_silence_a_rule(server: Server, project: Path) -> None:
    env = {"ANTHROPIC_API_KEY": "sk-test-key", "ANTHROPIC_BASE_URL": server.url}
    server.chars_per_token = 8.0  # ~750 tokens: below Sonnet 4.6's 1,024 minimum
    out = _run(["check", "--isolated", "--no-cache", "--exact-tokens", "--select", "CL101",
                "app.py"], project, env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All checks passed!" in out.stdout


def test_missing_key_warns_and_uses_estimates(server: Server, project: Path) -> None:
    estimated = _run(["check", "--isolated", "--no-cache", "app.py"], project, {})
    out = _run(["check", "--isolated", "--no-cache", "--exact-tokens", "app.py"], project,
               {"ANTHROPIC_BASE_URL": server.url})
    assert out.returncode == estimated.returncode == 1
    assert out.stdout == estimated.stdout
    assert out.stderr.count("ANTHROPIC_API_KEY") == 1
    assert "warning: --exact-tokens needs ANTHROPIC_API_KEY" in out.stderr
    assert server.requests == []


def test_server_error_warns_once_and_uses_estimates(server: Server, project: Path) -> None:
    server.status = 500
    estimated = _run(["check", "--isolated", "--no-cache", "app.py"], project, {})
    out = _run(["check", "--isolated", "--no-cache", "--exact-tokens", "app.py"], project,
               {"ANTHROPIC_API_KEY": "sk-test-key", "ANTHROPIC_BASE_URL": server.url})
    assert out.returncode == 1
    assert out.stdout == estimated.stdout
    assert out.stderr.count("count_tokens request failed (HTTP 500") == 1
    assert len(server.requests) <= 1 + exact._MAX_RETRIES


def test_exact_tokens_results_are_cached_apart_from_estimates(
    server: Server, project: Path
) -> None:
    """The results cache keys exact-token runs apart: an estimate run's cached findings are
    never served to an --exact-tokens run."""
    env = {"ANTHROPIC_API_KEY": "sk-test-key", "ANTHROPIC_BASE_URL": server.url}
    server.chars_per_token = 2.0
    estimated = _run(["check", "--isolated", "app.py"], project, {})
    exact_run = _run(["check", "--isolated", "--exact-tokens", "app.py"], project, env)
    assert _cl101_tokens(estimated.stdout) != _cl101_tokens(exact_run.stdout)
    again = _run(["check", "--isolated", "app.py"], project, {})
    assert again.stdout == estimated.stdout
