"""The GitHub Action (`action.yml`): its steps' commands, run here as the runner would run them
(bash -eo pipefail, inputs through the step's `env`), against a copy of `examples/`.

The install step is checked, not run: it installs the action's own checkout, and the tests use
the claudelint of the interpreter running them instead."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
BASH = shutil.which("bash")
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

pytestmark = pytest.mark.skipif(BASH is None, reason="the action's steps run in bash")


def steps() -> list[dict[str, Any]]:
    return list(ACTION["runs"]["steps"])


def step(name: str) -> dict[str, Any]:
    (found,) = [s for s in steps() if s.get("name") == name]
    return found


def defaults() -> dict[str, str]:
    return {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}


def substitute(text: str, inputs: dict[str, str]) -> str:
    """`${{ inputs.x }}` and `${{ github.action_path }}` as the runner fills them in."""

    def value(m: re.Match[str]) -> str:
        expr = m.group(1)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        if expr == "github.action_path":
            return str(ROOT)
        raise AssertionError(f"unexpected expression {expr!r}")

    return EXPR.sub(value, text)


def run_check(tmp_path: Path, summary_file: Path | None = None,
              **overrides: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run the action's check step with `overrides` for its inputs; also returns what it
    wrote to $GITHUB_OUTPUT."""
    inputs = defaults()
    inputs.update({k.replace("_", "-"): v for k, v in overrides.items()})
    s = step("Run claudelint")
    assert s["shell"] == "bash"
    assert not EXPR.search(s["run"])  # inputs reach the script only through env
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "claudelint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m claudelint.cli "$@"\n',
                    encoding="utf-8")
    shim.chmod(0o755)
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT")}
    env.update({k: substitute(str(v), inputs) for k, v in s.get("env", {}).items()})
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["GITHUB_OUTPUT"] = str(output)
    if summary_file is not None:
        env["GITHUB_STEP_SUMMARY"] = str(summary_file)
    script = tmp_path / "step.sh"
    script.write_text(s["run"], encoding="utf-8")
    work = tmp_path / "repo"
    if not work.exists():
        shutil.copytree(ROOT / "examples", work / "examples")
    result = subprocess.run([str(BASH), "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                            cwd=work, env=env, capture_output=True, text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
    return result, outputs


def test_action_definition() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {"args", "output-format", "sarif-file", "fail-on", "summary",
                                     "python-version"}
    setup = step("Set up Python")
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    install = step("Install claudelint")
    # Installs the action's own checkout: the revision named in `uses:`, not PyPI.
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert install["run"].startswith("python -m pip install ")
    assert install["run"].endswith('"$ACTION_PATH"')
    assert (ROOT / "pyproject.toml").is_file()  # what github.action_path points at
    assert ACTION["outputs"]["sarif-file"]["value"] == "${{ steps.check.outputs.sarif-file }}"


def test_default_inputs_annotate_and_fail(tmp_path: Path) -> None:
    result, outputs = run_check(tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::warning file=examples/") for line in lines)
    assert any("title=CL101 (missing-cache-control)" in line for line in lines)
    assert outputs == {}


def test_fail_on_error_and_never(tmp_path: Path) -> None:
    # The examples hold warnings only.
    result, _ = run_check(tmp_path, fail_on="error")
    assert result.returncode == 0, result.stderr
    assert "::warning file=examples/support_bot.py" in result.stdout
    result, _ = run_check(tmp_path, fail_on="never")
    assert result.returncode == 0, result.stderr
    result, _ = run_check(tmp_path, fail_on="sometimes")
    assert result.returncode == 2
    assert "fail-on must be warning, error or never" in result.stdout


def test_sarif_output(tmp_path: Path) -> None:
    # The folder of sarif-file is created.
    result, outputs = run_check(tmp_path, output_format="sarif", sarif_file="out/cl.sarif",
                                fail_on="never")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert outputs == {"sarif-file": "out/cl.sarif"}
    log = json.loads((tmp_path / "repo" / "out" / "cl.sarif").read_text(encoding="utf-8"))
    (run,) = log["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]}
    assert uris == {"examples/support_bot.py", "examples/ticket_router.py"}
    # With the default fail-on, findings fail the step after the log is written.
    result, _ = run_check(tmp_path, output_format="sarif")
    assert result.returncode == 1 and (tmp_path / "repo" / "claudelint.sarif").is_file()


def test_args_paths_and_options(tmp_path: Path) -> None:
    result, _ = run_check(tmp_path, args="examples/ticket_router.py  --select CL401",
                          output_format="concise")
    assert result.returncode == 1, result.stderr
    assert "examples/ticket_router.py:33:15: CL401" in result.stdout
    assert "CL201" not in result.stdout and "support_bot" not in result.stdout


def test_args_over_several_lines(tmp_path: Path) -> None:
    result, _ = run_check(tmp_path, args="examples/support_bot.py\n--select\n  CL101\n",
                          output_format="concise")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("examples/support_bot.py:21:16: CL101")
    assert "ticket_router" not in result.stdout
    result, _ = run_check(tmp_path, args="examples/*.py", output_format="concise")
    assert result.returncode == 2  # no globbing: the literal name does not exist


def test_job_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result, _ = run_check(tmp_path, summary)
    assert result.returncode == 1, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## claudelint\n")  # appended, not overwritten
    assert "| Rule | Location | Message | Est. savings | Fix |" in text
    assert text.count("| [CL") == 3
    # summary: false leaves it alone.
    summary.write_text("", encoding="utf-8")
    result, _ = run_check(tmp_path, summary, summary="false")
    assert result.returncode == 1 and summary.read_text(encoding="utf-8") == ""
