"""Helpers several test modules share: an in-process CLI run and the classic CL101 program."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from claudelint.cli import main

BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80
# A program whose large system prompt is re-sent at full price (CL101).
UNCACHED_APP = (
    "import anthropic\n\nclient = anthropic.Anthropic()\n"
    f"POLICY = {BIG!r}\n\n\n"
    "def answer(q):\n"
    "    return client.messages.create(\n"
    '        model="claude-sonnet-4-6", max_tokens=100, system=POLICY,\n'
    '        messages=[{"role": "user", "content": q}],\n'
    "    )\n"
)


def invoke(args: list[str], cwd: Path) -> tuple[int, str]:
    """`claudelint ARGS` in this process, run from `cwd`: (exit code, output)."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output
