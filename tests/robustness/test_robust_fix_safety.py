"""Fix safety over every fixture: the output parses, a second --fix changes nothing, newlines,
BOM, encoding and mode bits stay; a concurrent change is never overwritten; a run killed at any
moment leaves each file old or new (never partial) and no temp file behind."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from robustness_helpers import FIXTURE_TREE

import claudelint.workspace.fixer
from claudelint.syntax.parsing import cpython_accepts
from claudelint.workspace.atomic import TEMP_PREFIX
from claudelint.workspace.config import ConfigResolver
from claudelint.workspace.fixer import parses
from claudelint.workspace.runner import RunOptions, RunResult, run
from claudelint.workspace.source import decode_source

COOKIE = b"# -*- coding: latin-1 -*-\n"
VARIANTS = {
    "lf": lambda b: b,
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "bom": lambda b: b"\xef\xbb\xbf" + b,
    "latin1": lambda b: COOKIE + b.decode("utf-8").encode("latin-1"),
}


def _copy_tree(dst: Path, transform: object = None) -> None:
    for src in sorted(FIXTURE_TREE.rglob("*.py")):
        out = dst / src.relative_to(FIXTURE_TREE)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(transform(src.read_bytes()) if callable(transform) else src.read_bytes())


def _fix(root: Path, *paths: str) -> RunResult:
    resolver = ConfigResolver(isolated=True, overrides={"unsafe_fixes": True})
    old = Path.cwd()
    os.chdir(root)
    try:
        return run(list(paths) or ["."], resolver, RunOptions(fix=True, use_cache=False))
    finally:
        os.chdir(old)


def _compiles(text: str) -> bool:
    return cpython_accepts(text, compiled=True)


def test_fixes_over_all_fixtures_in_every_encoding(tmp_path: Path) -> None:
    latin1_ok = all(p.read_bytes().decode("utf-8").isascii() or
                    all(ord(c) < 256 for c in p.read_text(encoding="utf-8"))
                    for p in FIXTURE_TREE.rglob("*.py"))
    variants = {k: v for k, v in VARIANTS.items() if k != "latin1" or latin1_ok}
    modes: dict[Path, int] = {}
    for name, transform in variants.items():
        _copy_tree(tmp_path / name, transform)
    for i, p in enumerate(sorted(tmp_path.rglob("*.py"))):
        mode = (0o755, 0o600, 0o644, 0o664)[i % 4]
        p.chmod(mode)
        modes[p] = mode
    before = {p: p.read_bytes() for p in modes}

    first = _fix(tmp_path)
    assert first.errors == []
    assert first.fixed > 0
    after = {p: p.read_bytes() for p in modes}
    changed = [p for p in modes if after[p] != before[p]]
    assert changed
    for p in modes:
        assert stat.S_IMODE(p.stat().st_mode) == modes[p], p
        src = decode_source(after[p], p)
        variant = p.relative_to(tmp_path).parts[0]
        if p in changed:
            assert parses(src.text), p
            if _compiles(decode_source(before[p], p).text):
                assert _compiles(src.text), p
        if variant == "crlf":
            assert b"\n" not in after[p].replace(b"\r\n", b""), p
        if variant == "bom":
            assert after[p].startswith(b"\xef\xbb\xbf"), p
        if variant == "latin1":
            assert after[p].startswith(COOKIE) and src.encoding == "iso8859-1", p
    # Every variant gets the same fix as the plain file.
    for p in modes:
        rel = p.relative_to(tmp_path)
        if rel.parts[0] == "lf":
            continue
        plain = after[tmp_path / "lf" / Path(*rel.parts[1:])]
        assert after[p] == variants[rel.parts[0]](plain), p
    # A second --fix changes nothing, and reports nothing fixed.
    second = _fix(tmp_path)
    assert second.errors == [] and second.fixed == 0
    assert {p: p.read_bytes() for p in modes} == after
    assert not list(tmp_path.rglob(TEMP_PREFIX + "*"))


def test_a_file_changed_during_fix_is_not_overwritten(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _copy_tree(tmp_path)
    target = tmp_path / "caching" / "ticket_triage.py"
    theirs = b"# edited by someone else while claudelint was fixing\n"
    real = claudelint.workspace.fixer.fix_text

    def fix_text(
        text: str, *args: object, **kwargs: object
    ) -> claudelint.workspace.fixer.FixResult:
        result = real(text, *args, **kwargs)  # type: ignore[arg-type]
        if "draft_replies" in text:
            target.write_bytes(theirs)
        return result

    monkeypatch.setattr(claudelint.workspace.fixer, "fix_text", fix_text)
    result = _fix(tmp_path, str(target.relative_to(tmp_path)))
    assert target.read_bytes() == theirs
    assert any("ticket_triage.py: changed by another process" in e for e in result.errors)
    assert not list(tmp_path.rglob(TEMP_PREFIX + "*"))


# --- killed runs --------------------------------------------------------------------------------

COPIES = 12


def _fixable(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_killed_fix_run_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    ref = tmp_path / "ref"
    _copy_tree(ref / "copy")
    _fix(ref)
    new = {p.relative_to(ref / "copy"): p.read_bytes() for p in _fixable(ref / "copy")}
    old = {p.relative_to(FIXTURE_TREE): p.read_bytes() for p in FIXTURE_TREE.rglob("*.py")}
    assert any(new[k] != old[k] for k in new)

    rng = random.Random(7)
    work = tmp_path / "work"
    outcomes: list[tuple[float, int, int]] = []
    for attempt in range(3):
        if work.exists():
            shutil.rmtree(work)
        for i in range(COPIES):
            _copy_tree(work / f"copy{i}" / "copy")
        # The full run takes ~2.5 s here: kill it early, in the middle and late.
        delay = (0.5, 1.1, 1.7)[attempt] + rng.uniform(0, 0.4)
        proc = subprocess.Popen(
            [sys.executable, "-m", "claudelint.cli", "check", "--isolated", "--fix",
             "--unsafe-fixes", "--no-cache", "-j", "2", "--quiet", "."],
            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):  # already finished
            os.killpg(proc.pid, signal.SIGKILL)  # the main process and its workers
        proc.wait(timeout=30)
        n_new = n_old = 0
        for i in range(COPIES):
            base = work / f"copy{i}" / "copy"
            for p in _fixable(base):
                data = p.read_bytes()
                rel = p.relative_to(base)
                assert data in (old[rel], new[rel]), f"{p} is neither old nor new"
                n_new += data == new[rel] != old[rel]
                n_old += data == old[rel] != new[rel]
        leftovers = [p for p in work.rglob("*") if p.name.startswith(TEMP_PREFIX)]
        assert leftovers == [], leftovers
        outcomes.append((delay, n_old, n_new))
    # The kills landed at different stages (at least one run was stopped part-way).
    assert any(n_old and n_new for _, n_old, n_new in outcomes), outcomes
