"""A finding must never hide (issue 15, items 5-9): valid Python is never CL000, no input
makes a run exit 2, the results cache notices a missing module coming back, notebook fixes
keep the cells they do not change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from claudelint.cli import main

CALL = ('import anthropic\n'
        'anthropic.Anthropic().messages.create(model="claude-3-opus-20240229", '
        'max_tokens={mt}, messages=[{{"role": "user", "content": "hi"}}])\n')


def invoke(args: list[str], cwd: Path) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


@pytest.mark.parametrize("max_tokens", ["-1", "0"])
@pytest.mark.parametrize("thinking", ["", ", thinking={'type': 'enabled', 'budget_tokens': -5}"])
def test_non_positive_max_tokens_is_no_internal_error(tmp_path: Path, max_tokens: str,
                                                       thinking: str) -> None:
    text = CALL.format(mt=max_tokens).replace("}])\n", "}]" + thinking + ")\n")
    for model in ("claude-3-opus-20240229", "claude-haiku-4-5"):
        (tmp_path / "demo.py").write_text(text.replace("claude-3-opus-20240229", model))
        code, out = invoke(["check", "--no-cache", "demo.py"], tmp_path)
        assert code in (0, 1), out
        assert "internal error" not in out
        code, out = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "demo.py"],
                           tmp_path)
        assert code in (0, 1), out
        assert "internal error" not in out


def test_negative_max_tokens_still_reports_the_retired_model(tmp_path: Path) -> None:
    (tmp_path / "demo.py").write_text(CALL.format(mt="-1"))
    code, out = invoke(["check", "--no-cache", "demo.py"], tmp_path)
    assert code == 1
    assert "CL302" in out
