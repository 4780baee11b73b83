"""The prefilter index: files known to hold no call site, recognised by their stat, so a warm
run neither reads nor scans them again.

Most files of a project never talk to Claude. The bytes prefilter (workspace/discovery.py)
sets them aside after reading them; the results cache (workspace/cache.py), keyed by content,
only helps the files that reach the linter. This index remembers, beside the results cache,
the verdict on each set-aside file together with what its second look needs (its
`from ... import` statements, see `discovery.ImportSummary`), under the file's stat: device,
inode, size, mode, mtime and ctime. ruff's cache trusts a file's mtime the same way.

A stat can match after a change when the file is rewritten within one tick of the
filesystem's clock with the same size (git's "racy clean" entries). The index therefore
trusts an entry only when the file's mtime is at least `RACY_NS` older than the index file
itself: both times come from the same filesystem clock, so this never reads the real clock.
An entry that cannot be trusted is a miss: the file is read and scanned as without the index.

One JSON file per cache folder, written atomically once per run and only when it changed;
concurrent runs (pre-commit runs partitions in parallel) may overwrite each other's entries,
which costs only misses. A corrupt or foreign file is an empty index.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from claudelint.workspace.atomic import replace_atomically
from claudelint.workspace.discovery import ImportSummary

__all__ = ["RACY_NS", "Known", "PrefilterIndex"]

INDEX_NAME = "prefilter.json"
_FORMAT = 1
# An entry is trusted only for a file last modified this long before the index was written.
RACY_NS = 2_000_000_000
# Beyond this many entries, those of files this run did not look at are dropped.
_MAX_ENTRIES = 200_000

_Stat = tuple[int, int, int, int, int, int]  # device, inode, size, mode, mtime_ns, ctime_ns
# An entry is one string (one object per file keeps a warm run's memory low): the stat, then
# after a newline the file's `from ... import` statements, records of three units.
_RECORD = "\x1e"
_UNIT = "\x1f"


def _stat_text(key: _Stat) -> str:
    return ",".join(map(str, key))


class Known(NamedTuple):
    """A file the index knows holds no call site, and its imports (None: no
    `from ... import`, or not a `.py` file)."""

    summary: ImportSummary | None


class PrefilterIndex:
    def __init__(self, folder: Path, code: str, prepare: Callable[[], None]) -> None:
        """The index kept in `folder` (the results cache's versioned folder) for claudelint
        code digest `code` (a changed prefilter invalidates every verdict); `prepare` makes
        the folder, tagged as a cache, before the first write."""
        self.path = folder / INDEX_NAME
        self._code = code
        self._prepare = prepare
        self._entries: dict[str, Any] = {}
        self._seen: set[str] = set()
        self._dirty = False
        self._trust_before = 0  # mtimes from here on are racy
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                written = os.fstat(handle.fileno()).st_mtime_ns
                data = json.loads(handle.read())
            if data.get("format") != _FORMAT or data.get("code") != self._code:
                return
            entries = data["files"]
            if not isinstance(entries, dict):
                return
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return  # no index yet, or a corrupt one: every file is a miss
        self._entries = entries
        self._trust_before = written - RACY_NS

    @staticmethod
    def stat_key(path: Path) -> _Stat | None:
        """The stat the index compares, following a symlink; None for anything but a regular
        file, or a file that cannot be stat'ed (reading it reports why)."""
        try:
            st = os.stat(path)  # noqa: PTH116 (a str is as good, and cheaper)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mode, st.st_mtime_ns, st.st_ctime_ns)

    def known(self, path: Path, key: _Stat) -> Known | None:
        """What the index knows of the file at `path` with stat `key`; None for a miss."""
        name = str(path)
        self._seen.add(name)
        entry = self._entries.get(name)
        if not isinstance(entry, str):
            return None
        stat_text, _, statements = entry.partition("\n")
        if stat_text != _stat_text(key):
            return None
        if key[4] >= self._trust_before:
            # Racy: read the file again, and write the index again so that the next run,
            # once the file is old enough, can trust the entry.
            self._dirty = True
            return None
        if not statements:
            return Known(None)
        try:
            return Known(ImportSummary(tuple(
                (int(dots), module.encode("latin-1"), what.encode("latin-1"))
                for dots, module, what in (s.split(_UNIT) for s in statements.split(_RECORD)))))
        except (ValueError, TypeError, UnicodeEncodeError):
            return None

    def remember(self, path: Path, key: _Stat, summary: ImportSummary | None) -> None:
        """Record that the file at `path`, read with stat `key`, holds no call site."""
        entry = _stat_text(key)
        if summary is not None:
            if any(b"\x1e" in what or b"\x1f" in what for _, _, what in summary.statements):
                return  # a separator inside a statement: not remembered, read every time
            entry += "\n" + _RECORD.join(
                f"{dots}{_UNIT}{module.decode('latin-1')}{_UNIT}{what.decode('latin-1')}"
                for dots, module, what in summary.statements)
        name = str(path)
        self._seen.add(name)
        if self._entries.get(name) != entry:
            self._entries[name] = entry
            self._dirty = True

    def forget(self, path: Path) -> None:
        """The file at `path` holds a call site (now): drop what the index knew of it."""
        if self._entries.pop(str(path), None) is not None:
            self._dirty = True

    def save(self) -> None:
        """Write the index if this run changed it. A failure is no error: the next run
        reads the files again."""
        if not self._dirty:
            return
        entries = self._entries
        if len(entries) > _MAX_ENTRIES:
            entries = {k: v for k, v in entries.items() if k in self._seen}
        payload = json.dumps({"format": _FORMAT, "code": self._code, "files": entries},
                             separators=(",", ":"))
        try:
            self._prepare()
            replace_atomically(self.path, payload.encode("utf-8"), durable=False)
        except OSError:
            return
        self._dirty = False
