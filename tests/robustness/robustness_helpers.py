"""Shared pieces of the robustness suite: fixture files, mutations, running the command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_TREE = ROOT / "tests" / "fixtures" / "tree"
FIXTURES: list[Path] = sorted(FIXTURE_TREE.rglob("*.py"))
FIXTURE_BYTES: dict[str, bytes] = {str(p.relative_to(FIXTURE_TREE)): p.read_bytes()
                                   for p in FIXTURES}

# A file with one finding (CL101: a long system prompt without cache_control): the "rest of
# the run" that a hostile file must leave unaffected.
GOOD_FILE = (
    "import anthropic\n\nclient = anthropic.Anthropic()\n"
    "POLICY = " + repr("You are a meticulous support agent for Acme Corp. Follow every rule. " * 80)
    + "\n\n\ndef answer(q):\n"
    "    return client.messages.create(\n"
    '        model="claude-sonnet-4-6", max_tokens=100, system=POLICY,\n'
    '        messages=[{"role": "user", "content": q}],\n'
    "    )\n"
)
# Something every hostile file carries so that it passes the bytes prefilter and reaches the
# parser (a file without it is never parsed).
CALL_LINE = b"client.messages.create(model='claude-sonnet-4-6', max_tokens=10, messages=[])\n"


def robust_settings(**overrides: Any) -> Callable[[Any], Any]:
    """The active profile (conftest.py), scaled: `examples` multiplies its example count."""
    name = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    base = settings.get_profile("claudelint-long" if name == "long" else "claudelint-ci")
    scale = overrides.pop("examples", 1.0)
    return settings(base, max_examples=max(1, int(base.max_examples * scale)), **overrides)


# --- mutations --------------------------------------------------------------------------------

INSERTS = [b"(", b")", b"[", b"]", b"{", b"}", b"'", b'"', b'"""', b"'''", b"\\", b":", b"\n",
           b"\r", b"\r\n", b"\t", b"    ", b"#", b"f'", b"\xff", b"\xc3", b"\xef\xbb\xbf",
           b"lambda ", b"await ", b"*", b"**", b",", b"=", b":=", b"@", b"\x0c", b"\\\n"]


@st.composite
def mutated_fixture(draw: st.DrawFn) -> tuple[str, bytes]:
    """A fixture file with 1-4 random mutations: a bit flip, a truncation, a deleted or
    duplicated line, an inserted bracket / quote / keyword / odd byte."""
    name = draw(st.sampled_from(sorted(FIXTURE_BYTES)))
    data = FIXTURE_BYTES[name]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "delete", "duplicate", "insert",
                                     "insert"]))
        if kind == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data = data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1:]
        elif kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind in ("delete", "duplicate"):
            lines = data.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                if kind == "delete":
                    del lines[i]
                else:
                    lines.insert(i, lines[i])
                data = b"".join(lines)
        else:
            i = draw(st.integers(0, len(data)))
            data = data[:i] + draw(st.sampled_from(INSERTS)) + data[i:]
    return name, data


# --- running the command ----------------------------------------------------------------------


def claudelint(*args: str, cwd: Path, timeout: float = 60,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`claudelint ...` in a fresh process (a crash of the parser kills only that process)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "claudelint.cli", *args], cwd=cwd, capture_output=True,
        text=True, timeout=timeout, env=full_env, check=False,
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr[-2000:])
