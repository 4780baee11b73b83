"""workspace/atomic.py: the one atomic writer (fixed files, cache entries)."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import claudelint.workspace.atomic as atomic
from claudelint.workspace.atomic import TEMP_PREFIX, TempFileError, replace_atomically
from claudelint.workspace.cache import write_entry


@pytest.fixture(params=["unnamed", "named"])
def temp_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the O_TMPFILE path (where the platform has it) and the mkstemp one."""
    if request.param == "named":
        monkeypatch.setattr(atomic, "_unnamed_file", lambda folder: None)
    elif not hasattr(os, "O_TMPFILE"):
        pytest.skip("Linux only")
    return str(request.param)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


def test_replaces_content_and_keeps_mode(tmp_path: Path, temp_kind: str) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    path.chmod(0o751)
    replace_atomically(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


def test_explicit_mode_and_new_file(tmp_path: Path, temp_kind: str) -> None:
    path = tmp_path / "x.json"
    replace_atomically(path, b"{}", mode=0o640)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    fresh = tmp_path / "y.json"
    replace_atomically(fresh, b"{}")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # as a plain new file
    assert leftovers(tmp_path) == []


def test_symlink_is_kept(tmp_path: Path, temp_kind: str) -> None:
    target = tmp_path / "real.py"
    target.write_bytes(b"old")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    replace_atomically(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_guard_wraps_the_rename_and_can_cancel_it(tmp_path: Path, temp_kind: str) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"old")
    seen: list[str] = []

    @contextlib.contextmanager
    def watching(target: Path) -> Iterator[None]:
        seen.append(f"enter {target.read_bytes()!r}")
        yield
        seen.append(f"exit {target.read_bytes()!r}")

    replace_atomically(path, b"new", guard=watching)
    assert seen == ["enter b'old'", "exit b'new'"]

    @contextlib.contextmanager
    def refusing(target: Path) -> Iterator[None]:
        raise RuntimeError("changed on disk")
        yield  # pragma: no cover

    with pytest.raises(RuntimeError, match="changed on disk"):
        replace_atomically(path, b"newer", guard=refusing)
    assert path.read_bytes() == b"new"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_no_temp_file_is_left_on_error(tmp_path: Path, temp_kind: str,
                                       monkeypatch: pytest.MonkeyPatch,
                                       error: BaseException) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"old")

    def boom(*args: object) -> None:
        raise error

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(type(error)):
        replace_atomically(path, b"new")
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_failed_rename_leaves_no_temp_file(tmp_path: Path, temp_kind: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"old")

    def boom(self: Path, target: object) -> Path:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(Path, "replace", boom)
    with pytest.raises(OSError, match="cross-device"):
        replace_atomically(path, b"new")
    assert path.read_bytes() == b"old" and leftovers(tmp_path) == []


def test_no_temp_file_possible_is_a_temp_file_error(tmp_path: Path, temp_kind: str) -> None:
    with pytest.raises(TempFileError) as info:
        replace_atomically(tmp_path / "missing" / "a.py", b"x")
    assert info.value.strerror


def test_not_durable_skips_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd))
    replace_atomically(tmp_path / "a", b"1", durable=False)
    assert calls == []
    replace_atomically(tmp_path / "a", b"2")
    assert len(calls) == 2  # the file, then its folder


def test_cache_entries_go_through_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[tuple[Path, bytes, bool]] = []

    def spy(path: Path, data: bytes, *, durable: bool = True, **kw: object) -> None:
        written.append((path, data, durable))

    monkeypatch.setattr("claudelint.workspace.cache.replace_atomically", spy)
    write_entry(tmp_path / "k", '{"é": 1}')
    assert written == [(tmp_path / "k", '{"é": 1}'.encode(), False)]
