"""Atomic file replacement: the one writer for fixed source files and cache entries.

The bytes go to a temp file in the target's folder, are flushed (and fsynced), get the file's
mode, and the temp file is renamed over the target: a reader sees the old content or the new,
never a part. No temp file is left behind, whatever happens. Where the platform allows it
(Linux), the bytes go to an unnamed file (O_TMPFILE) that gets its temp name only just before
the rename, so even a run killed while writing (SIGKILL) leaves nothing.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

__all__ = ["TEMP_PREFIX", "TempFileError", "replace_atomically"]

TEMP_PREFIX = ".claudelint-"


class TempFileError(OSError):
    """No temp file could be made in the target's folder; nothing was written."""


def replace_atomically(
    path: Path,
    data: bytes,
    *,
    mode: int | None = None,
    guard: Callable[[Path], contextlib.AbstractContextManager[object]] | None = None,
    durable: bool = True,
) -> None:
    """Replace the content of `path` with `data` atomically. Raises OSError.

    A symlink is kept: its target is replaced. `mode` defaults to the file's own (the default
    for a new file when there is none). `guard(target)`, when given, is entered once the bytes
    are written and left after the rename: a compare-and-swap that raises to cancel the write
    (the fixer locks the file and checks it still holds what was read). `durable=False` skips
    the fsyncs, for data that may be lost in a crash (a cache entry: a miss).
    """
    target = Path(os.path.realpath(path))
    folder = target.parent
    if mode is None:
        mode = _mode_of(target)
    fd = _unnamed_file(folder)
    tmp: Path | None = None
    if fd is None:
        import tempfile  # here: tempfile costs ~7 ms to import, and Linux rarely needs it

        try:
            fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=".tmp")
        except OSError as exc:
            raise TempFileError(exc.errno, exc.strerror or str(exc)) from exc
        tmp = Path(tmp_name)
    with contextlib.ExitStack() as held:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                if durable:
                    os.fsync(handle.fileno())
                if tmp is not None:
                    tmp.chmod(mode)
                else:  # the unnamed file (Linux only)
                    os.fchmod(handle.fileno(), mode)
                if guard is not None:
                    held.enter_context(guard(target))
                if tmp is None:
                    tmp = _link_unnamed(handle.fileno(), folder)
            tmp.replace(target)
            tmp = None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()
    if durable:
        _fsync_dir(folder)


def _unnamed_file(folder: Path) -> int | None:
    """A file descriptor of a new unnamed file in `folder` (O_TMPFILE), or None where that is
    not supported (then a named temp file is used)."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not Path("/proc/self/fd").is_dir():
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o600)
    except OSError:  # EOPNOTSUPP, EISDIR on old kernels, a read-only folder (mkstemp says)
        return None


def _link_unnamed(fd: int, folder: Path) -> Path:
    """Give the unnamed file `fd` a temp name in `folder` (linkat with AT_SYMLINK_FOLLOW on
    its /proc link; os.link only passes that flag when given a dir fd)."""
    dir_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for _ in range(100):
            name = f"{TEMP_PREFIX}{os.urandom(6).hex()}.tmp"
            try:
                os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=dir_fd, follow_symlinks=True)
            except FileExistsError:
                continue
            return folder / name
    finally:
        os.close(dir_fd)
    raise FileExistsError(f"no free temp file name in {folder}")


def _mode_of(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return _default_mode()


def _default_mode() -> int:
    """The mode a new file gets (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the platform allows it (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
