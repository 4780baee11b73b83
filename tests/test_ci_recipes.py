"""The README's CI recipes: every YAML block parses, and every `claudelint` command in them
runs, on a small project, with the exit code and output the recipe relies on."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import UNCACHED_APP

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BAD = UNCACHED_APP


def _yaml_blocks() -> list[Any]:
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", README, re.S)]


def _commands() -> list[str]:
    """Every `claudelint ...` command of a GitHub `run:` step or a GitLab `script:` line."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("run", "script"):
                    for line in value if isinstance(value, list) else [value]:
                        if isinstance(line, str) and line.startswith("claudelint "):
                            out.append(line)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for block in _yaml_blocks():
        walk(block)
    return out


def test_yaml_blocks_parse_and_name_the_expected_tools() -> None:
    blocks = _yaml_blocks()
    hooks = [b for b in blocks if isinstance(b, dict) and "repos" in b]
    assert len(hooks) == 3  # pre-commit without and with --fix, and the whole-project hook
    ids = [h["repos"][0]["hooks"][0] for h in hooks]
    assert [i["id"] for i in ids] == ["claudelint", "claudelint", "claudelint-project"]
    assert [i.get("args") for i in ids] == [None, ["--fix"], None]
    text = json.dumps(blocks)
    assert "github/codeql-action/upload-sarif" in text
    assert any(isinstance(b, dict) and "claudelint" in b and "script" in b["claudelint"]
               for b in blocks)  # the GitLab job


def test_recipe_commands_cover_each_format() -> None:
    commands = _commands()
    assert "claudelint check --output-format sarif -o claudelint.sarif --exit-zero" in commands
    assert "claudelint check --output-format github" in commands
    assert any("--output-format json" in c for c in commands)
    assert any("--output-format gitlab" in c for c in commands)
    assert any("--output-format markdown" in c for c in commands)


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    args = shlex.split(command)
    assert args[0] == "claudelint"
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "claudelint.cli", *args[1:]], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", _commands())
def test_recipe_command_runs(command: str, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(BAD, encoding="utf-8")
    result = _run(command.replace('"$GITHUB_STEP_SUMMARY"', "summary.md"), tmp_path)
    assert result.returncode == (0 if "--exit-zero" in command else 1), result.stderr
    assert "\x1b[" not in result.stdout
    if "markdown" in command:
        table = (tmp_path / "summary.md").read_text(encoding="utf-8")
        assert "| [CL101](" in table and "`src/app.py:9:" in table
    elif "gitlab" in command:
        (issue,) = json.loads((tmp_path / "gl-code-quality-report.json").read_text("utf-8"))
        assert issue["check_name"] == "CL101" and issue["location"]["path"] == "src/app.py"
        assert issue["location"]["lines"]["begin"] == 9 and len(issue["fingerprint"]) == 64
    elif "sarif" in command:
        log = json.loads((tmp_path / "claudelint.sarif").read_text(encoding="utf-8"))
        (run,) = log["runs"]
        assert log["version"] == "2.1.0" and run["results"]
        uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "src/app.py"  # relative to the repository root, as code scanning needs
    elif "github" in command:
        assert result.stdout.startswith("::warning file=src/app.py,line=9,")
    elif "json" in command:
        findings = json.loads((tmp_path / "claudelint.json").read_text(encoding="utf-8"))
        assert findings[0]["code"] == "CL101" and findings[0]["cost"]["assumptions"]
    else:
        assert "src/app.py:9:" in result.stdout
