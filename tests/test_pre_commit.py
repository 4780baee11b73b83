"""The pre-commit hook, installed by pre-commit itself from this checkout (`try-repo`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import BIG, UNCACHED_APP

ROOT = Path(__file__).resolve().parents[1]
BAD = UNCACHED_APP

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="pre-commit try-repo needs git"
)
# pre-commit installs the hook from a git repository: this checkout. An unpacked sdist is
# none (CI runs the sdist's own tests that way), so the test skips there.
IN_GIT_CHECKOUT = (ROOT / ".git").exists()
NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": ["# Support bot\n"]},
        {"cell_type": "code", "execution_count": None, "id": "c", "metadata": {},
         "outputs": [], "source": BAD.splitlines(keepends=True)},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _new_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An empty git repository to run hooks in, and the environment to run pre-commit with."""
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.invalid")
    _git(repo, "config", "user.name", "t")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    env.pop("NO_COLOR", None)
    return repo, env


def _head() -> str:
    """This checkout's commit, for a `rev:` that names it."""
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()


def test_hook_definition() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "id: claudelint" in text
    assert "entry: claudelint check --force-exclude" in text
    assert "types_or: [python, pyi, jupyter]" in text
    assert "require_serial: true" in text


@pytest.mark.skipif(not IN_GIT_CHECKOUT, reason="needs a git checkout of claudelint")
def test_try_repo(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    repo, env = _new_repo(tmp_path)
    (repo / "app.py").write_text(BAD, encoding="utf-8")
    (repo / "notes.ipynb").write_text(json.dumps(NOTEBOOK, indent=1) + "\n", encoding="utf-8")
    (repo / "vendor").mkdir()
    (repo / "vendor" / "skip.py").write_text(BAD, encoding="utf-8")
    (repo / ".claudelint.toml").write_text('extend-exclude = ["vendor"]\n', encoding="utf-8")
    _git(repo, "add", ".")

    def try_repo(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "claudelint",
             "--all-files", "--color", "never", *extra],
            cwd=repo, env=env, capture_output=True, text=True, timeout=900,
        )

    failed = try_repo()
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out
    assert "app.py:9:" in out and "CL101" in out
    assert "notes.ipynb:cell 2:9:" in out  # notebooks are linted too (types_or: jupyter)
    assert "vendor/skip.py" not in out  # --force-exclude applies the config's excludes

    # `args: [--fix]` from a .pre-commit-config.yaml: the hook rewrites the file, pre-commit
    # fails the first run ("files were modified") and passes the second.
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {_head()}\n  hooks:\n  - id: claudelint\n"
        "    args: [--fix]\n", encoding="utf-8")
    _git(repo, "add", ".")

    def run_hooks() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
            cwd=repo, env=env, capture_output=True, text=True, timeout=900,
        )

    first = run_hooks()
    assert first.returncode == 1, first.stdout + first.stderr
    assert '"cache_control": {"type": "ephemeral"}' in (repo / "app.py").read_text("utf-8")
    notebook = json.loads((repo / "notes.ipynb").read_text("utf-8"))
    assert "cache_control" in "".join(notebook["cells"][1]["source"])
    second = run_hooks()
    assert second.returncode == 0, second.stdout + second.stderr


def test_project_hook_definition() -> None:
    yaml = pytest.importorskip("yaml")
    hooks = {h["id"]: h for h in yaml.safe_load(
        (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    project = hooks["claudelint-project"]
    assert project["entry"] == "claudelint check"
    assert project["pass_filenames"] is False and project["always_run"] is True
    assert project["language"] == hooks["claudelint"]["language"] == "python"


@pytest.mark.skipif(not IN_GIT_CHECKOUT, reason="needs a git checkout of claudelint")
def test_project_hook_checks_the_callers_of_a_changed_module(tmp_path: Path) -> None:
    """A commit that only enlarges a shared prompt module: the per-file hook checks that
    module alone and passes; the whole-project hook reports the caller's CL101."""
    pytest.importorskip("pre_commit")
    repo, env = _new_repo(tmp_path)
    (repo / "prompts.py").write_text('POLICY = "Be brief."\n', encoding="utf-8")
    (repo / "caller.py").write_text(
        "import anthropic\n\nfrom prompts import POLICY\n\nclient = anthropic.Anthropic()\n\n\n"
        "def answer(q):\n"
        "    return client.messages.create(\n"
        '        model="claude-sonnet-4-6", max_tokens=100, system=POLICY,\n'
        '        messages=[{"role": "user", "content": q}],\n'
        "    )\n", encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {_head()}\n  hooks:\n  - id: claudelint\n"
        "  - id: claudelint-project\n", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "start")
    (repo / "prompts.py").write_text(f"POLICY = {BIG!r}\n", encoding="utf-8")
    _git(repo, "add", "prompts.py")

    def run_hook(hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", hook, "--color", "never"],
            cwd=repo, env=env, capture_output=True, text=True, timeout=900,
        )

    per_file = run_hook("claudelint")
    assert per_file.returncode == 0, per_file.stdout + per_file.stderr
    project = run_hook("claudelint-project")
    out = project.stdout + project.stderr
    assert project.returncode == 1, out
    assert "caller.py:10:" in out and "CL101" in out
