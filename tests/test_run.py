"""Runs over many files: the results cache and parallel workers give the same findings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from claudelint.cli import main

BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80


def make_tree(root: Path, n: int) -> None:
    for i in range(n):
        (root / f"svc_{i}.py").write_text(
            "import anthropic\n\nclient = anthropic.Anthropic()\n"
            f"POLICY = {BIG!r} + 'variant {i}'\n\n\n"
            "def answer(q):\n"
            "    return client.messages.create(\n"
            '        model="claude-sonnet-4-6", max_tokens=100, system=POLICY,\n'
            '        messages=[{"role": "user", "content": q}],\n'
            "    )\n",
            encoding="utf-8",
        )
        (root / f"plain_{i}.py").write_text("self_messages = []\n", encoding="utf-8")


def check(root: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    old = Path.cwd()
    os.chdir(root)
    try:
        r = CliRunner().invoke(main, ["check", "--isolated", "--output-format", "json", *args],
                               catch_exceptions=False)
    finally:
        os.chdir(old)
    return r.exit_code, json.loads(r.output)


def test_parallel_and_serial_agree(tmp_path: Path) -> None:
    make_tree(tmp_path, 20)
    code1, serial = check(tmp_path, "--no-cache", "--jobs", "1")
    code2, parallel = check(tmp_path, "--no-cache", "--jobs", "2")
    assert code1 == code2 == 1
    assert serial == parallel
    assert len(serial) == 20


def test_linting_runs_with_a_larger_young_generation_then_restores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from claudelint.workspace import runner as run

    make_tree(tmp_path, 2)
    seen: list[int] = []
    real = run._lint_one

    def spy(*args: object, **kwargs: object) -> None:
        seen.append(gc.get_threshold()[0])
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run, "_lint_one", spy)
    before = gc.get_threshold()
    code, found = check(tmp_path, "--no-cache", "--jobs", "1")
    assert code == 1 and len(found) == 2
    assert seen == [run.GC_YOUNG_THRESHOLD] * 2
    assert gc.get_threshold() == before


def test_cache_hit_miss_and_corruption(tmp_path: Path) -> None:
    make_tree(tmp_path, 3)
    _, first = check(tmp_path)
    cache = tmp_path / ".claudelint_cache"
    assert (cache / "CACHEDIR.TAG").is_file()
    assert (cache / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    entries = [p for p in cache.rglob("*") if p.is_file() and len(p.name) == 64]
    assert len(entries) == 3
    _, second = check(tmp_path)
    assert second == first
    # A changed file is linted again: its finding moves with the code.
    p = tmp_path / "svc_0.py"
    p.write_text("\n\n" + p.read_text(encoding="utf-8"), encoding="utf-8")
    _, third = check(tmp_path)
    lines = sorted(f["line"] for f in third if f["path"] == "svc_0.py")  # type: ignore[type-var]
    assert lines == [11]
    # A corrupt entry is a miss, not an error.
    for e in entries:
        e.write_text("{not json", encoding="utf-8")
    code, fourth = check(tmp_path)
    assert code == 1 and len(fourth) == 3


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    make_tree(tmp_path, 2)
    check(tmp_path, "--no-cache")
    assert not (tmp_path / ".claudelint_cache").exists()


@pytest.mark.parametrize("fix_flag", ["--fix", "--diff"])
def test_fix_and_diff_bypass_the_cache(tmp_path: Path, fix_flag: str) -> None:
    make_tree(tmp_path, 1)
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        CliRunner().invoke(main, ["check", "--isolated", fix_flag, "."])
    finally:
        os.chdir(old)
    assert not (tmp_path / ".claudelint_cache").exists()
