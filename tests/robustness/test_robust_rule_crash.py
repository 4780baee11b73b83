"""A rule that raises on one file: an internal error naming the rule and the file (exit 2 at
the end); the other files are still linted and reported.

Decision: the crashed file's other findings are not reported (its analysis is incomplete, and
fixes must not be applied from it); the file is not cached, so the next run tries it again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from robustness_helpers import GOOD_FILE

from claudelint.cli import main
from claudelint.lint.registry import get_rule

MARKER = "# make-the-rule-crash"


def _tree(root: Path, n: int) -> None:
    for i in range(n):
        (root / f"good_{i:02d}.py").write_text(GOOD_FILE, encoding="utf-8")
    (root / "bad.py").write_text(MARKER + "\n" + GOOD_FILE, encoding="utf-8")


def _invoke(root: Path, *args: str) -> Any:
    old = Path.cwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, ["check", "--isolated", "--output-format", "json",
                                         *args])
    finally:
        os.chdir(old)


@pytest.mark.parametrize(("n_good", "jobs", "cache"),
                         [(2, "1", "--no-cache"), (14, "2", "--no-cache"), (2, "1", "")])
def test_a_crashing_request_rule_is_an_internal_error_for_that_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n_good: int, jobs: str,
        cache: str) -> None:
    rule = get_rule("CL101")
    assert rule is not None
    real = rule.check

    def check(self: Any, request: Any, ctx: Any) -> Iterator[Any]:
        if ctx.path.endswith("bad.py"):
            raise KeyError("boom")
        yield from real(self, request, ctx)

    monkeypatch.setattr(rule, "check", check)
    _tree(tmp_path, n_good)
    args = ["-j", jobs, *([cache] if cache else []), "."]
    r = _invoke(tmp_path, *args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert ("bad.py: internal error: RuleError: rule CL101 (missing-cache-control) failed: "
            "KeyError: 'boom'") in r.output
    findings = json.loads(r.output[: r.output.rindex("]") + 1])
    paths = sorted({f["path"] for f in findings})
    assert paths == [f"good_{i:02d}.py" for i in range(n_good)]
    if cache:  # the crashed file is not cached: a second run reports it again
        again = _invoke(tmp_path, *args)
        assert again.exit_code == 2 and "bad.py: internal error" in again.output


def test_a_crashing_file_rule_is_an_internal_error_for_that_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rule = get_rule("CL001")
    assert rule is not None

    def check_file(self: Any, facts: Any, ctx: Any) -> Iterator[Any]:
        if ctx.path.endswith("bad.py"):
            raise ValueError("file rule boom")
        return iter(())

    monkeypatch.setattr(rule, "check_file", check_file)
    _tree(tmp_path, 2)
    r = _invoke(tmp_path, "--no-cache", "--extend-select", "CL001", ".")
    assert r.exit_code == 2, r.output
    assert ("bad.py: internal error: RuleError: rule CL001 (unused-suppression) failed: "
            "ValueError: file rule boom") in r.output
    assert '"path": "good_01.py"' in r.output


def test_a_rule_recursing_too_deep_is_a_parse_error(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rule = get_rule("CL101")
    assert rule is not None

    def check(self: Any, request: Any, ctx: Any) -> Iterator[Any]:
        raise RecursionError("maximum recursion depth exceeded")
        yield

    monkeypatch.setattr(rule, "check", check)
    _tree(tmp_path, 1)
    r = _invoke(tmp_path, "--no-cache", "bad.py")
    assert r.exit_code == 1, r.output
    assert "nested too deeply to analyse" in r.output
