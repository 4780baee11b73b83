"""A fix must never break a working program (issue 15, items 1-4).

The project below reads its few-shot and tools constants elsewhere and keys a pricing dict by
its model constant. `claudelint check --fix` and `--fix --unsafe-fixes` run on it through the
CLI, and then the program itself runs against a stub `anthropic` package (no network): it
must still work, and the requests it sends must be ones the API accepts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import claudelint.workspace.atomic
from claudelint.cli import main
from claudelint.workspace.fixer import ConcurrentModification, write_atomic
from claudelint.workspace.source import read_source

POLICY = "You are a meticulous support agent for Acme Corp. Follow every rule below. "

APP = f'''\
import anthropic

client = anthropic.Anthropic()
MODEL = "claude-3-5-sonnet-20241022"
PRICE_PER_MTOK = {{MODEL: 3.0}}
POLICY = {POLICY!r} * 80
FEW_SHOT = [
    {{"role": "user", "content": POLICY}},
    {{"role": "assistant", "content": "Understood: I follow every rule."}},
]
TOOLS = [
    {{"name": "lookup_order", "description": POLICY,
      "input_schema": {{"type": "object", "properties": {{}}}}}},
]


def answer(question: str) -> tuple[str, float]:
    response = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        messages=FEW_SHOT + [{{"role": "user", "content": question}}],
    )
    cost = PRICE_PER_MTOK[MODEL] * response.usage.input_tokens / 1e6
    return response.content[0].text, cost


def act(question: str) -> str:
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        tools=TOOLS,
        messages=[{{"role": "user", "content": question}}],
    )
    return response.content[0].text


def summarise(doc: str) -> str:
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        system=POLICY,
        messages=[{{"role": "user", "content": doc}}],
    )
    return response.content[0].text


def as_json(question: str) -> str:
    response = client.messages.create(
        model="claude-3-5-sonnet-20241022",
        max_tokens=512,
        messages=[{{"role": "user", "content": question}},
                  {{"role": "assistant", "content": "{{"}}],
    )
    return "{{" + response.content[0].text


def tool_names() -> str:
    return ", ".join(tool["name"].upper() for tool in TOOLS)


def show_examples() -> str:
    return "\\n".join(m["role"] + ": " + m["content"][:40] for m in FEW_SHOT)


if __name__ == "__main__":
    print(answer("Where is my order?"))
    print(act("Find order 42"))
    print(summarise("A long report."))
    print(as_json("Give me JSON"))
    print(tool_names())
    print(show_examples())
'''

# A stand-in for the SDK: accepts what the API accepts, and rejects (like the API) a prefill
# on a model that does not take one.
STUB = '''\
class _Block:
    def __init__(self, text):
        self.type = "text"
        self.text = text


class _Usage:
    input_tokens = 1000


class _Response:
    def __init__(self):
        self.content = [_Block("ok")]
        self.usage = _Usage()


class _Messages:
    def create(self, *, model, max_tokens, messages, **kwargs):
        assert isinstance(model, str) and isinstance(max_tokens, int)
        for tool in kwargs.get("tools", []):
            assert isinstance(tool["name"], str)
        if messages[-1]["role"] == "assistant" and not model.startswith("claude-3"):
            raise ValueError("400: This model does not support assistant message prefill")
        return _Response()


class Anthropic:
    def __init__(self, **kwargs):
        self.messages = _Messages()
'''


def _project(root: Path) -> Path:
    (root / "stub" / "anthropic").mkdir(parents=True)
    (root / "stub" / "anthropic" / "__init__.py").write_text(STUB)
    app = root / "app.py"
    app.write_text(APP)
    return app


def _run_program(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "stub")}
    return subprocess.run([sys.executable, "app.py"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def _check(root: Path, *args: str) -> str:
    old = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", "--no-cache", "--isolated", *args, "app.py"])
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_the_stub_program_runs_before_any_fix(tmp_path: Path) -> None:
    _project(tmp_path)
    ran = _run_program(tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "LOOKUP_ORDER" in ran.stdout


@pytest.mark.parametrize("unsafe", [False, True], ids=["fix", "unsafe-fixes"])
def test_fixed_program_still_runs(tmp_path: Path, unsafe: bool) -> None:
    app = _project(tmp_path)
    before = app.read_text()
    _check(tmp_path, "--fix", *(["--unsafe-fixes"] if unsafe else []))
    after = app.read_text()
    assert after != before  # something was fixed
    # The safe fix that stays at the call site is applied ...
    assert ('system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}]'
            in after)
    # ... the shared constants are untouched ...
    for line in ('    {"role": "assistant", "content": "Understood: I follow every rule."},',
                 '      "input_schema": {"type": "object", "properties": {}}},',
                 'MODEL = "claude-3-5-sonnet-20241022"'):
        assert line in after
    if unsafe:
        # ... CL302 moves only the call's argument, and leaves the prefilled request alone.
        assert ('        model="claude-sonnet-5-5",\n        max_tokens=1024,\n'
                '        messages=FEW_SHOT') in after
        assert 'model="claude-3-5-sonnet-20241022",\n        max_tokens=512' in after
    ran = _run_program(tmp_path)
    assert ran.returncode == 0, ran.stderr + "\n" + after
    assert "LOOKUP_ORDER" in ran.stdout and "assistant: Understood" in ran.stdout


def test_messages_say_why_no_fix_is_offered(tmp_path: Path) -> None:
    _project(tmp_path)
    out = _check(tmp_path, "--output-format", "concise")
    assert "no fix offered: the breakpoint would go into `FEW_SHOT`, which other code also " \
        "reads" in out
    assert "no fix offered: the breakpoint would go into `TOOLS`" in out
    assert ("the fix changes this call's argument only: `MODEL` is also used other than as "
            "a `model=` argument") in out
    assert ("no successor fits this request: the request ends with an assistant prefill, "
            "which claude-sonnet-5-5 rejects") in out


# --- look-alikes: a constant read by this request alone is still fixed ---------------------

ONLY_HERE = f'''\
import anthropic

client = anthropic.Anthropic()
FEW_SHOT = [
    {{"role": "user", "content": {POLICY!r} * 80}},
    {{"role": "assistant", "content": "Understood."}},
]


def answer(question: str) -> str:
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        messages=FEW_SHOT + [{{"role": "user", "content": question}}],
    )
    return response.content[0].text
'''


def test_cl101_still_fixes_a_constant_only_this_request_reads(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ONLY_HERE)
    _check(tmp_path, "--fix")
    assert ('{"role": "assistant", "content": [{"type": "text", "text": "Understood.", '
            '"cache_control": {"type": "ephemeral"}}]}' in (tmp_path / "app.py").read_text())


MODEL_TWICE = '''\
import anthropic

client = anthropic.Anthropic()
MODEL = "claude-3-5-sonnet-20241022"


def ask(q: str) -> str:
    return client.messages.create(model=MODEL, max_tokens=512,
                                  messages=[{"role": "user", "content": q}]).content[0].text


def ask_again(q: str) -> str:
    return client.messages.create(model=MODEL, max_tokens=512,
                                  messages=[{"role": "user", "content": q}]).content[0].text
'''


def test_cl302_still_fixes_a_model_constant_used_only_as_model_arguments(
        tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(MODEL_TWICE)
    _check(tmp_path, "--fix", "--unsafe-fixes")
    text = (tmp_path / "app.py").read_text()
    assert 'MODEL = "claude-sonnet-5-5"' in text and text.count("model=MODEL") == 2


SMALL = '''\
import anthropic

client = anthropic.Anthropic()


def label(q: str) -> str:
    return client.messages.create(model="claude-3-5-sonnet-20241022", max_tokens=20,
                                  messages=[{"role": "user", "content": q}]).content[0].text


def summary(q: str) -> str:
    return client.messages.create(model="claude-3-5-sonnet-20241022", max_tokens=200,
                                  messages=[{"role": "user", "content": q}]).content[0].text
'''


def test_cl302_offers_no_thinking_successor_for_a_tiny_max_tokens(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SMALL)
    out = _check(tmp_path, "--output-format", "concise")
    lines = [line for line in out.splitlines() if "CL302" in line]
    assert len(lines) == 2
    # Sonnet 5.5 thinks by default: 20 tokens leave it no room; Sonnet 4.6 does not think.
    assert "use `claude-sonnet-4-6`" in lines[0]
    # Above 100 tokens the newest Sonnet is offered as before.
    assert "use `claude-sonnet-5-5`" in lines[1]


# --- item 4: two --fix runs on one file ------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_concurrent_writers_never_lose_a_fix_silently(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Run A passes its content check and is slow to replace the file; run B, which read the
    same original, must not write in between (A would then overwrite B's fix while both count
    theirs): B waits for A, finds the file changed, and reports "not written"."""
    path = tmp_path / "a.py"
    path.write_text("m = 'old'\n")
    src_a, src_b = read_source(path), read_source(path)
    real = claudelint.workspace.atomic._link_unnamed
    checked = threading.Event()

    def slow_link(fd: int, folder: Path) -> Path:
        if threading.current_thread().name == "A":
            checked.set()
            time.sleep(0.5)  # B runs now
        return real(fd, folder)

    monkeypatch.setattr(claudelint.workspace.atomic, "_link_unnamed", slow_link)
    errors: dict[str, BaseException] = {}

    def write(name: str, src: object, text: str) -> None:
        try:
            write_atomic(src, text)  # type: ignore[arg-type]
        except BaseException as exc:
            errors[name] = exc

    a = threading.Thread(target=write, args=("A", src_a, "m = 'fixed by A'\n"), name="A")
    a.start()
    assert checked.wait(10)
    write("B", src_b, "m = 'fixed by B'\n")
    a.join()
    assert "A" not in errors
    assert isinstance(errors.get("B"), ConcurrentModification)
    assert path.read_text() == "m = 'fixed by A'\n"


PREFILL_CLASSIFIER = '''\
import anthropic

client = anthropic.Anthropic()


def is_spam(text: str) -> bool:
    r = client.messages.create(model="claude-opus-4-8", max_tokens=200,
        system="Answer yes or no: is this spam?",
        messages=[{"role": "user", "content": text}, {"role": "assistant", "content": "Answer:"}])
    return r.content[0].text.strip().lower() == "yes"


def is_spam_plain(text: str) -> bool:
    r = client.messages.create(model="claude-opus-4-8", max_tokens=200,
        system="Answer yes or no: is this spam?",
        messages=[{"role": "user", "content": text}])
    return r.content[0].text.strip().lower() == "yes"
'''


def test_cl301_suggests_only_a_haiku_that_takes_the_request(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(PREFILL_CLASSIFIER)
    out = _check(tmp_path, "--output-format", "concise")
    lines = [line for line in out.splitlines() if "CL301" in line]
    assert len(lines) == 2
    # Haiku 5.5 rejects the prefill: Haiku 4.5 takes it. Without one, Haiku 5.5 has room
    # to think in 200 tokens.
    assert "claude-haiku-4-5-20251001 is enough" in lines[0]
    assert "claude-haiku-5-5 is enough" in lines[1]


ENV_DEFAULT = '''\
import os

import anthropic

client = anthropic.Anthropic()
MODEL = "claude-3-5-sonnet-20241022"
PRICES = {MODEL: 3.0}


def ask(q: str) -> str:
    return client.messages.create(model=os.getenv("CLAUDE_MODEL", MODEL), max_tokens=512,
                                  messages=[{"role": "user", "content": q}]).content[0].text
'''


def test_cl302_never_replaces_an_expression_that_does_more_than_name_the_model(
        tmp_path: Path) -> None:
    """`os.getenv("X", MODEL)` lets the environment choose: replacing the whole argument
    with a literal would drop that, and `MODEL` keys a dict: no fix, and the message says so."""
    (tmp_path / "app.py").write_text(ENV_DEFAULT)
    out = _check(tmp_path, "--fix", "--unsafe-fixes", "--output-format", "concise")
    assert (tmp_path / "app.py").read_text() == ENV_DEFAULT
    assert "no fix offered: `MODEL` is also used other than as a `model=` argument" in out
