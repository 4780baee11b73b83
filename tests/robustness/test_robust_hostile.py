"""Hostile files: each gets a clear CL000 or is skipped, within bounded time, and the rest of
the run (a good file next to it) is unaffected.

Everything runs `claudelint` in a fresh process: were libcst's parser to crash on a file, it
would take the process down, and the test would see it instead of dying with it.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
from robustness_helpers import CALL_LINE, GOOD_FILE, claudelint, no_traceback

HEAD = b"import anthropic\nclient = anthropic.Anthropic()\n"


def deep(n: int, opener: str, closer: str, inner: str = "1") -> bytes:
    return HEAD + f"x = {opener * n}{inner}{closer * n}\n".encode() + CALL_LINE


# name -> (bytes, the start of the CL000 message, or None for "no CL000 expected")
HOSTILE: dict[str, tuple[bytes, str | None]] = {
    "syntax_error.py": (HEAD + b"def f(:\n" + CALL_LINE, "SyntaxError"),
    "null_byte.py": (HEAD + b"x = 1\x00\n" + CALL_LINE, "file contains a null byte"),
    "bad_utf8.py": (HEAD + b"x = '\xff\xfe'\n" + CALL_LINE, "invalid UTF-8"),
    "bad_cookie.py": (b"# -*- coding: klingon -*-\n" + HEAD + CALL_LINE, "unknown encoding"),
    "bom_and_latin1.py": (b"\xef\xbb\xbf# -*- coding: latin-1 -*-\n" + HEAD + CALL_LINE,
                          "coding cookie"),
    "unterminated.py": (HEAD + CALL_LINE + b"s = '''never closed\n", "SyntaxError"),
    "bad_indent.py": (HEAD + b"if x:\n  a = 1\n    b = 2\n" + CALL_LINE, "IndentationError"),
    "tabs_mixed.py": (HEAD + b"if x:\n\ta = 1\n        b = 2\n" + CALL_LINE, "TabError"),
    "deep_list.py": (deep(5000, "[", "]", ""), "the file is nested too deeply"),
    "deep_parens.py": (deep(100_000, "(", ")"), "the file is nested too deeply"),
    "deep_unary.py": (HEAD + b"x = " + b"-" * 100_000 + b"1\n" + CALL_LINE,
                      "the file is nested too deeply"),
    "deep_not.py": (HEAD + b"x = " + b"not " * 20_000 + b"1\n" + CALL_LINE,
                    "the file is nested too deeply"),
    "deep_lambda.py": (HEAD + b"x = " + b"lambda: " * 2500 + b"1\n" + CALL_LINE,
                       "the file is nested too deeply"),
    "deep_ifelse.py": (HEAD + b"x = " + b"1 if a else " * 2500 + b"1\n" + CALL_LINE,
                       "the file is nested too deeply"),
    "deep_attr.py": (HEAD + b"x = a" + b".b" * 20_000 + b"\n" + CALL_LINE,
                     "the file is nested too deeply"),
    "deep_subscript.py": (HEAD + b"x = a" + b"[0]" * 2500 + b"\n" + CALL_LINE,
                          "the file is nested too deeply"),
    "long_or_chain.py": (HEAD + b"x = " + b" or ".join([b"a"] * 20_000) + b"\n" + CALL_LINE,
                         "the file is nested too deeply"),
    "long_elif_chain.py": (HEAD + b"if a:\n    pass\n" + b"elif a:\n    pass\n" * 20_000
                           + CALL_LINE, "the file is nested too deeply"),
    "deep_blocks.py": (HEAD + b"".join(b" " * i + b"if x:\n" for i in range(150)) + b" " * 150
                       + CALL_LINE, "IndentationError: too many levels of indentation"),
    # 300 nested f-strings (3.12 syntax): deep, but not too deep to analyse.
    "deep_fstring.py": (HEAD + b"x = " + b"f'{" * 300 + b"1" + b"}'" * 300 + b"\n" + CALL_LINE,
                        None),
    "empty_with_name.py": (b"", None),
    "only_call.py": (CALL_LINE, None),
    "crlf.py": (GOOD_FILE.encode().replace(b"\n", b"\r\n"), None),
    "cr.py": (GOOD_FILE.encode().replace(b"\n", b"\r"), None),
    "bom.py": (b"\xef\xbb\xbf" + GOOD_FILE.encode(), None),
    "latin1.py": (b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + GOOD_FILE.encode(), None),
    "tabs.py": (GOOD_FILE.replace("    ", "\t").encode(), None),
    "form_feed.py": (b"\x0c\n" + GOOD_FILE.encode().replace(b"\n\n\n", b"\n\x0c\n\n"), None),
    "big_list.py": (HEAD + b"X = [" + b", ".join(str(i).encode() for i in range(100_000))
                    + b"]\n" + CALL_LINE, None),
    "nb_bad_json.ipynb": (b'{"cells": [ {"source": "client.messages.create("', "invalid notebook"),
    "nb_no_cells.ipynb": (b'{"metadata": {}, "x": "client.messages.create("}',
                          "not a Jupyter notebook"),
    "nb_cells_not_list.ipynb": (b'{"cells": {"a": 1}, "x": "client.messages.create("}',
                                "not a Jupyter notebook"),
    "nb_huge_int.ipynb": (b'{"cells": [], "n": ' + b"9" * 5000
                          + b', "x": "client.messages.create("}', "invalid notebook JSON"),
    "nb_deep.ipynb": (b'{"cells": [], "n": ' + b"[" * 100_000 + b"]" * 100_000
                      + b', "x": "client.messages.create("}', "invalid notebook JSON"),
    "nb_not_object.ipynb": (b'["client.messages.create("]', "not a Jupyter notebook"),
    "nb_odd_cells.ipynb": (json.dumps({"cells": [1, None, {"cell_type": "code", "source": 5},
                                                 {"cell_type": "code", "source": [1, None]},
                                                 {"cell_type": "code"}],
                                       "metadata": {"language_info": 3},
                                       "x": "client.messages.create("}).encode(),
                            "SyntaxError"),  # cell 4's source [1, None] reads "1None"
}
# The good file's finding, wherever its text is (CRLF, CR, BOM, latin-1, tabs: same finding).
GOOD_CODE = "CL101"
GOOD_VARIANTS = ("good.py", "crlf.py", "cr.py", "bom.py", "latin1.py", "tabs.py", "form_feed.py")


def by_path(stdout: str) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for f in json.loads(stdout):
        out.setdefault(str(f["path"]), []).append(f)
    return out


def test_hostile_files_each_get_a_cl000_or_pass_and_the_run_goes_on(tmp_path: Path) -> None:
    """In worker processes (more than 12 files reach the parser); the serial path is the same
    `_lint_one`, covered by the other tests."""
    for name, (data, _) in HOSTILE.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.py").write_text(GOOD_FILE, encoding="utf-8")
    (tmp_path / "dir.py").mkdir()  # a folder named like a module: walked, not read
    (tmp_path / "dir.py" / "inner.py").write_text(GOOD_FILE, encoding="utf-8")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "loop_a.py").symlink_to(tmp_path / "loop_b.py")
    (tmp_path / "loop_b.py").symlink_to(tmp_path / "loop_a.py")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path)  # a folder link loop
    os.mkfifo(tmp_path / "fifo.py")  # reading it would block forever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock.py"))
    try:
        start = time.monotonic()
        proc = claudelint("check", "--isolated", "--no-cache", "--output-format", "json",
                          "-j", "2", ".", cwd=tmp_path, timeout=120)
        elapsed = time.monotonic() - start
    finally:
        sock.close()
    no_traceback(proc)
    assert elapsed < 60, elapsed
    assert proc.returncode == 1, proc.stderr  # findings, no internal error
    assert proc.stderr == "", proc.stderr
    found = by_path(proc.stdout)
    for name, (_, cl000) in HOSTILE.items():
        codes = [f["code"] for f in found.get(name, [])]
        if cl000 is None:
            assert "CL000" not in codes, (name, found.get(name))
        else:
            assert codes == ["CL000"], (name, found.get(name))
            message = str(found[name][0]["message"])
            assert message.startswith(cl000) or cl000 in message, (name, message)
    for name in (*GOOD_VARIANTS, "dir.py/inner.py"):
        assert [f["code"] for f in found[name]] == [GOOD_CODE], (name, found.get(name))
    assert set(found) <= {*HOSTILE, *GOOD_VARIANTS, "dir.py/inner.py"}, set(found)
    # `claudelint sites` reads and parses the same files (but the slow 100,000-element list:
    # ~9 s of full-module visits in the rules; a cost, not a robustness problem).
    (tmp_path / "big_list.py").unlink()
    sites = claudelint("sites", "--isolated", "--output-format", "json", ".", cwd=tmp_path,
                       timeout=120)
    no_traceback(sites)
    assert sites.returncode == 0, sites.stderr


def test_latin1_file_is_linted_like_its_utf8_twin(tmp_path: Path) -> None:
    body = GOOD_FILE.replace("Acme Corp.", "Acme Caf\u00e9.")
    (tmp_path / "utf8.py").write_text(body, encoding="utf-8")
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\n"
                                        + body.encode("latin-1"))
    proc = claudelint("check", "--isolated", "--no-cache", "--output-format", "json", ".",
                      cwd=tmp_path)
    no_traceback(proc)
    found = by_path(proc.stdout)
    def key(f: dict[str, object]) -> tuple[object, ...]:
        return f["code"], f["message"], f["column"], f["end_column"], json.dumps(f["cost"])

    assert [key(f) for f in found["utf8.py"]] == [key(f) for f in found["latin.py"]]
    assert [f["code"] for f in found["latin.py"]] == [GOOD_CODE]


def test_explicit_paths_that_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD_FILE, encoding="utf-8")
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "loop_a.py").symlink_to(tmp_path / "loop_b.py")
    (tmp_path / "loop_b.py").symlink_to(tmp_path / "loop_a.py")
    (tmp_path / "x.py").mkdir()
    (tmp_path / "link_to_fifo.py").symlink_to(tmp_path / "fifo.py")
    proc = claudelint("check", "--isolated", "--no-cache", "--output-format", "json",
                      "fifo.py", "dangling.py", "loop_a.py", "x.py", "link_to_fifo.py",
                      "nope.py", "good.py", cwd=tmp_path, timeout=60)
    no_traceback(proc)
    assert proc.returncode == 2  # unreadable paths given explicitly are errors
    found = json.loads(proc.stdout)
    # The readable file's finding, and a CL000 for each file that exists but cannot be read.
    assert [f["code"] for f in found if f["path"] == "good.py"] == [GOOD_CODE]
    assert sorted(f["path"] for f in found if f["code"] == "CL000") == [
        "fifo.py", "link_to_fifo.py"]
    err = proc.stderr
    assert "fifo.py: cannot read: not a regular file" in err
    assert "link_to_fifo.py: cannot read: not a regular file" in err
    assert "dangling.py: broken symbolic link" in err
    assert "loop_a.py: " in err
    assert "nope.py: no such file or directory" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod-000 file anyway; "
                    "test_unreadable_file_in_process covers the error path")
def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD_FILE, encoding="utf-8")
    locked = tmp_path / "locked.py"
    locked.write_text(GOOD_FILE, encoding="utf-8")
    locked.chmod(0)
    proc = claudelint("check", "--isolated", "--no-cache", "--output-format", "json", ".",
                      cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2
    assert "locked.py: cannot read: permission denied" in proc.stderr.lower()


def test_unreadable_file_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root nothing is unreadable by mode bits: make reading one file fail instead."""
    from click.testing import CliRunner

    import claudelint.workspace.runner
    from claudelint.cli import main

    (tmp_path / "good.py").write_text(GOOD_FILE, encoding="utf-8")
    (tmp_path / "locked.py").write_text(GOOD_FILE, encoding="utf-8")
    real = claudelint.workspace.runner.read_file_bytes

    def read(path: Path) -> bytes:
        if path.name == "locked.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(claudelint.workspace.runner, "read_file_bytes", read)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", "--output-format",
                                  "json", "."])
    assert r.exit_code == 2, r.output
    assert "locked.py: cannot read: Permission denied" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


@pytest.mark.parametrize("with_call", [True, False])
def test_fifty_megabyte_file_is_bounded(tmp_path: Path, with_call: bool) -> None:
    line = b"VALUE_%08d = 'some generated data for a very large module, padded out'\n"
    n = 50 * 1024 * 1024 // len(line % 0) + 1
    with open(tmp_path / "huge.py", "wb") as fh:
        fh.write(HEAD)
        for start in range(0, n, 100_000):
            fh.write(b"".join(line % i for i in range(start, min(n, start + 100_000))))
        if with_call:
            fh.write(CALL_LINE)
    assert (tmp_path / "huge.py").stat().st_size > 50 * 1024 * 1024
    (tmp_path / "good.py").write_text(GOOD_FILE, encoding="utf-8")
    start = time.monotonic()
    proc = claudelint("check", "--isolated", "--no-cache", "--output-format", "json", ".",
                      cwd=tmp_path, timeout=120)
    elapsed = time.monotonic() - start
    no_traceback(proc)
    assert elapsed < 20, elapsed  # measured: about 2 s (with the call) on 2 cores
    found = by_path(proc.stdout)
    assert [f["code"] for f in found["good.py"]] == [GOOD_CODE]
    if with_call:
        assert [f["code"] for f in found["huge.py"]] == ["CL000"]
        assert "too large to analyse" in str(found["huge.py"][0]["message"])
    else:  # cannot hold a call site: never parsed
        assert "huge.py" not in found
