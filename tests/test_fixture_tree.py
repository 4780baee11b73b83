"""The realistic fixture tree: every line marked `# error: [CODE, ...]` reports exactly those
codes, no unmarked line reports anything, and `--fix` (safe and unsafe) leaves files that
parse and no longer report what was fixed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from claudelint.lint.engine import Linter
from claudelint.settings import Settings
from claudelint.workspace.fixer import fix_text, parses

TREE = Path(__file__).parent / "fixtures" / "tree"
FILES = sorted(TREE.rglob("*.py"))
MARK = re.compile(r"#\s*error:\s*\[([A-Z0-9, ]+)\]")


def _expected(text: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for i, line in enumerate(text.splitlines(), 1):
        m = MARK.search(line)
        if m:
            out[i] = sorted(c.strip() for c in m.group(1).split(",") if c.strip())
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(TREE)))
def test_marked_lines_report_exactly_their_codes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    findings = Linter(Settings()).lint_text(text, str(path))
    got: dict[int, list[str]] = {}
    for f in findings:
        got.setdefault(f.line, []).append(f.code)
    assert {k: sorted(v) for k, v in got.items()} == _expected(text)


def test_tree_has_positive_and_negative_cases() -> None:
    marked = sum(len(_expected(p.read_text(encoding="utf-8"))) for p in FILES)
    assert marked >= 6
    assert any(not _expected(p.read_text(encoding="utf-8")) for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(TREE)))
def test_fix_then_check_is_clean(path: Path, tmp_path: Path) -> None:
    linter = Linter(Settings(unsafe_fixes=True))
    text = path.read_text(encoding="utf-8")
    findings = linter.lint_text(text, str(path))
    result = fix_text(text, findings, unsafe=True,
                      relint=lambda t: linter.lint_text(t, str(path)), parses=parses)
    assert parses(result.text)
    compile(result.text, str(path), "exec")
    remaining = [f for f in linter.lint_text(result.text, str(path)) if f.fix is not None]
    assert remaining == []
    if any(f.fix for f in findings):
        assert result.text != text
        assert result.applied >= 1


def test_cli_fix_on_a_copy_of_the_tree(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from claudelint.cli import main

    work = tmp_path / "tree"
    shutil.copytree(TREE, work)
    runner = CliRunner()
    # Run from the checkout: --no-cache, or the cache would land in it.
    before = runner.invoke(main, ["check", "--isolated", "--no-cache", "--output-format",
                                  "concise", str(work)])
    assert before.exit_code == 1, before.output
    assert "CL101" in before.output
    fixed = runner.invoke(main, ["check", "--isolated", "--fix", "--unsafe-fixes", str(work)])
    assert fixed.exit_code in (0, 1), fixed.output
    assert "Fixed" in fixed.output
    after = runner.invoke(main, ["check", "--isolated", "--no-cache", "--unsafe-fixes",
                                 "--output-format", "json", str(work)])
    import json

    remaining = json.loads(after.output)
    assert not [f for f in remaining if f["code"] == "CL101"]
    assert not [f for f in remaining if f["fix"] is not None], remaining
    for p in work.rglob("*.py"):
        assert parses(p.read_text(encoding="utf-8")), p
