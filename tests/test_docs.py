"""README and CI stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from claudelint.lint.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_rule_has_a_row_in_the_readme_table() -> None:
    rows = dict(re.findall(r"^\| (CL\d{3}) \| ([a-z0-9-]+) \|", README, re.M))
    registered = {r.code: r.name for r in all_rules()}
    assert rows == registered


def test_readme_rows_match_levels_and_fix_safety() -> None:
    for rule in all_rules():
        row = re.search(rf"^\| {rule.code} \| {rule.name} \| (\w+) \| (\w+) \|", README, re.M)
        assert row is not None
        assert row.group(1) == rule.level
        assert row.group(2) == rule.fix_safety


def test_ci_runs_the_readme_test_command() -> None:
    quick = README.split("## Quick start", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    lines = [ln.strip() for ln in quick.strip().splitlines()]
    assert lines[0] == "pip install . && claudelint check examples/"
    install, test_command = (s.strip() for s in lines[1].split("&&"))
    assert install == 'pip install -e ".[test]"'
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(test_command)}$", ci, re.M), test_command


def test_example_exists_and_has_a_call_site() -> None:
    assert b".messages" in (ROOT / "examples" / "support_bot.py").read_bytes()


def test_readme_quick_start_output_is_what_the_command_prints() -> None:
    import os

    from click.testing import CliRunner

    from claudelint.cli import main

    block = README.split("What the first one prints:", 1)[1].split("```text\n", 1)[1]
    expected = block.split("```", 1)[0]
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, ["check", "--no-cache", "examples/"])
    finally:
        os.chdir(old)
    assert result.exit_code == 1
    assert result.output == expected
