"""The results cache under concurrent runs (pre-commit runs partitions in parallel): entries
are written atomically, a corrupt entry is a miss, and the findings never change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from robustness_helpers import GOOD_FILE, claudelint, no_traceback

from claudelint.workspace.atomic import TEMP_PREFIX
from claudelint.workspace.cache import CACHE_DIR

N_FILES = 30


def _tree(root: Path) -> None:
    for i in range(N_FILES):
        # Distinct contents, so that every file is its own cache entry.
        (root / f"svc_{i:02d}.py").write_text(GOOD_FILE + f"VARIANT = {i}\n", encoding="utf-8")


def _entries(root: Path) -> list[Path]:
    return [p for p in (root / CACHE_DIR).rglob("*")
            if p.is_file() and len(p.name) == 64]


ARGS = ("check", "--isolated", "--output-format", "json", "-j", "2", ".")


def test_concurrent_runs_share_the_cache_without_corrupting_it(tmp_path: Path) -> None:
    _tree(tmp_path)
    expected = claudelint(*ARGS, "--no-cache", cwd=tmp_path)
    no_traceback(expected)
    assert expected.returncode == 1
    for _ in range(3):
        procs = [subprocess.Popen([sys.executable, "-m", "claudelint.cli", *ARGS], cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 1, err
            assert err == "", err
            assert json.loads(out) == json.loads(expected.stdout)
    entries = _entries(tmp_path)
    assert len(entries) == N_FILES
    for e in entries:
        json.loads(e.read_text(encoding="utf-8"))  # complete JSON, never a partial write
    assert not [p for p in (tmp_path / CACHE_DIR).rglob(TEMP_PREFIX + "*")]


def test_corrupt_cache_entries_are_misses(tmp_path: Path) -> None:
    _tree(tmp_path)
    first = claudelint(*ARGS, cwd=tmp_path)
    entries = sorted(_entries(tmp_path))
    assert len(entries) == N_FILES
    corruptions = [b"", b"{", b"\x00\xff\xfe", b'{"findings": 5}', b'{"findings": [{"code": 1}]}',
                   b"[]", b'{"findings": [null]}', json.dumps({"findings": [{}]}).encode(),
                   b'{"findings": [{"fix": {"edits": 3}}]}', b'{"findings": [[1]]}',
                   b'{"findings": ["x"]}', b'{"findings": {"a": 1}}', b"1e999999",
                   b'{"findings": [' * 50_000]
    for entry, junk in zip(entries, corruptions, strict=False):
        entry.write_bytes(junk)
    entries[-1].unlink()
    second = claudelint(*ARGS, cwd=tmp_path)
    no_traceback(second)
    assert second.returncode == first.returncode == 1
    assert json.loads(second.stdout) == json.loads(first.stdout)
    # The corrupt entries were rewritten.
    for e in _entries(tmp_path):
        json.loads(e.read_text(encoding="utf-8"))


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / CACHE_DIR).write_text("not a folder", encoding="utf-8")
    proc = claudelint(*ARGS, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1 and proc.stderr == ""
    assert len(json.loads(proc.stdout)) == N_FILES
