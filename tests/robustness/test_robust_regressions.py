"""Regression tests, one per crash found while building this suite (see each docstring)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

import claudelint.workspace.atomic
from claudelint.syntax.parsing import MAX_CHARS, MAX_DEPTH, ParseLimitExceeded, check_limits
from claudelint.workspace.atomic import TEMP_PREFIX
from claudelint.workspace.cache import ResultsCache
from claudelint.workspace.fixer import parses, write_atomic
from claudelint.workspace.notebook import NotebookError, read_notebook
from claudelint.workspace.source import decode_source, read_file_bytes

# Each would crash libcst's native parser with SIGSEGV (or take gigabytes): see parsing.py.
DEEP = {
    "brackets": "x = " + "[" * 5000 + "]" * 5000 + "\n",
    "unary": "x = " + "-" * 100_000 + "1\n",
    "not": "x = " + "not " * 20_000 + "1\n",
    "attribute chain": "x = a" + ".b" * 20_000 + "\n",
    "or chain": "x = " + " or ".join(["a"] * 20_000) + "\n",
    "elif chain": "if a:\n    pass\n" + "elif a:\n    pass\n" * 20_000,
    "conditional expressions": "x = " + "1 if a else " * 2500 + "1\n",
    "lambdas": "x = " + "lambda: " * 2500 + "1\n",
    "power chain": "x = " + "**".join(["2"] * 2500) + "\n",
    "subscripts": "x = a" + "[0]" * 2500 + "\n",
    "walrus in parens": "x = " + "(y := " * 300 + "1" + ")" * 300 + "\n",
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_refused_before_libcst(text: str) -> None:
    """libcst segfaulted on these (the whole run died); now CL000 "nested too deeply"."""
    with pytest.raises(ParseLimitExceeded, match="nested too deeply"):
        check_limits(text)
    assert isinstance(ParseLimitExceeded("x"), RecursionError)  # old handlers catch it
    assert parses(text) is False  # --fix's parse check refuses it too, without crashing


def test_ordinary_nesting_passes() -> None:
    check_limits("x = " + "[" * 150 + "]" * 150 + "\n")
    check_limits("if a:\n    pass\n" + "elif a:\n    pass\n" * (MAX_DEPTH - 10))
    check_limits("def f(:\n")  # a syntax error is libcst's to report
    check_limits("type X = int\n")  # newer syntax than this interpreter: libcst decides


def test_huge_text_is_refused() -> None:
    with pytest.raises(ParseLimitExceeded, match="too large to analyse"):
        check_limits("#" * (MAX_CHARS + 1))


@pytest.mark.parametrize("text", [
    '{"cells": [], "n": ' + "9" * 5000 + "}",  # int over 4,300 digits: ValueError, not JSON's
    '{"cells": [], "n": ' + "[" * 100_000 + "]" * 100_000 + "}",  # RecursionError
])
def test_notebook_json_that_json_cannot_load_is_a_notebook_error(text: str) -> None:
    """Both escaped read_notebook's JSONDecodeError handler: a traceback ended the run."""
    with pytest.raises(NotebookError, match="invalid notebook JSON"):
        read_notebook(text)


def test_fifo_is_refused_not_read() -> None:
    """Path.read_bytes() on a FIFO named x.py blocked the run forever."""
    with tempfile.TemporaryDirectory() as tmp:
        fifo = Path(tmp) / "x.py"
        os.mkfifo(fifo)
        with pytest.raises(OSError, match="not a regular file"):
            read_file_bytes(fifo)


def test_fix_keeps_mode_bits_of_a_file_the_run_read(tmp_path: Path) -> None:
    """The run decodes the bytes it read (no mode): write_atomic reset 0o755 to 0o644."""
    path = tmp_path / "tool.py"
    path.write_text("a = 1\n")
    path.chmod(0o751)
    src = decode_source(read_file_bytes(path), path)
    assert src.mode is None
    write_atomic(src, "a = 2\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert path.read_text() == "a = 2\n"


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="Linux only")
def test_fix_writes_through_an_unnamed_file(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A named temp file written then renamed was left behind when the run was killed during
    the write (1 kill in 25): the bytes now go to an O_TMPFILE file, named just before the
    rename."""
    def no_mkstemp(*args: object, **kwargs: object) -> None:
        raise AssertionError("mkstemp used")

    monkeypatch.setattr(tempfile, "mkstemp", no_mkstemp)
    path = tmp_path / "a.py"
    path.write_text("a = 1\n")
    path.chmod(0o640)
    write_atomic(decode_source(path.read_bytes(), path), "a = 2\n")
    assert path.read_text() == "a = 2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


def test_fix_falls_back_to_a_named_temp_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claudelint.workspace.atomic, "_unnamed_file", lambda folder: None)
    path = tmp_path / "a.py"
    path.write_text("a = 1\n")
    path.chmod(0o600)
    write_atomic(decode_source(path.read_bytes(), path), "a = 2\n")
    assert path.read_text() == "a = 2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(TEMP_PREFIX + "*"))


def test_deeply_nested_cache_entry_is_a_miss(tmp_path: Path) -> None:
    """json.loads raised RecursionError on it, which the cache did not catch."""
    cache = ResultsCache(tmp_path)
    key = "ab" + "0" * 62
    cache.put(key, [])
    entry = cache.dir / key[:2] / key
    assert cache.get(key) == []
    entry.write_text('{"findings": ' + "[" * 100_000)
    assert cache.get(key) is None
    entry.write_text('{"findings": [[1]]}')
    assert cache.get(key) is None


def test_a_deeply_nested_imported_module_does_not_crash_the_run(tmp_path: Path) -> None:
    """project.py parsed imported modules with libcst directly: SIGSEGV of the whole run."""
    from robustness_helpers import claudelint, no_traceback

    (tmp_path / "deep.py").write_text(
        "PROMPT = 'You are terse.'\nX = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    (tmp_path / "a.py").write_text(
        "import anthropic\nfrom deep import PROMPT\n\nclient = anthropic.Anthropic()\n"
        "client.messages.create(model='claude-sonnet-4-6', max_tokens=4096, system=PROMPT,\n"
        "                       messages=[{'role': 'user', 'content': 'hi'}])\n",
        encoding="utf-8")
    proc = claudelint("check", "--isolated", "--no-cache", "a.py", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode in (0, 1), proc.stderr
