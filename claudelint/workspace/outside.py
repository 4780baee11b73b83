"""The second look at a file without a call site (runner.py's `_second_look`), for the
modules it imports that are not among the files of the run: a file's findings must not depend
on which other files are checked with it (`check jobs.py` alone, the per-file pre-commit hook,
an editor buffer). A module imported with `from X import name` is found the way the resolver
finds it (analysis/project.py, from the importer's folder, the top of its package and the
import roots of its settings), read once per run, and tested as the first look tests the files
of the run: whether `name` is one of its top-level functions making a request
(`Importers`), or a class whose requests send `model=self.…` (`sending_classes`) that the
file calls.

Only modules of the project outside the run are read: a module named by a statement whose
dotted path ends a file of the run is left to `Importers` (a whole-project run reads nothing
more), and a module whose first part is neither a file nor a folder under the search roots
is not looked for further (the standard library, installed packages)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from claudelint.workspace.discovery import (
    _WORD,
    ImportSummary,
    _request_functions,
    constructs_one_of,
    import_summary,
    may_hold_call_site,
    sending_classes,
)

if TYPE_CHECKING:
    from claudelint.analysis.project import Project

class OutsideModules:
    """The modules of the project that the files of a run import without being in it."""

    def __init__(self, run_files: list[Path], walked: list[Path] | None = None) -> None:
        self._walked = walked or []
        self._covered: dict[str, bool] = {}
        self._files = run_files
        # stem -> the dotted parts (as absolute path parts) of the run's modules of that name,
        # worked out when first needed
        self._run: dict[str, list[tuple[str, ...]]] | None = None
        # module file -> (its request functions, its sending classes), None: not a candidate
        self._tested: dict[Path, tuple[frozenset[str], frozenset[bytes]] | None] = {}
        self._present: dict[tuple[str, str], bool] = {}
        self._found: dict[tuple[str, str], bool] = {}
        self._top_str: dict[str, str] = {}

    def covered(self, importer: Path, reader_of: Callable[[], Reader]) -> bool:
        """Whether every folder `importer`'s imports are looked for in (its package's top,
        its folder, its import roots) lies in a folder the run walked: then every module it
        may import from the project is a file of the run, or excluded from it (a
        whole-project run looks no further)."""
        if not self._walked:
            return False
        key = os.path.dirname(importer)  # noqa: PTH120 (a string: cheaper than a Path)
        hit = self._covered.get(key)
        if hit is None:
            folder = os.path.abspath(key)  # noqa: PTH100
            roots = (self._top_of(folder), folder, *map(str, reader_of().roots))
            walked = [str(w) for w in self._walked]
            hit = self._covered[key] = all(
                any(r == w or r.startswith(w.rstrip(os.sep) + os.sep) for w in walked)
                for r in roots)
        return hit

    def _top_of(self, folder: str) -> str:
        """The top of the package `folder` is in (itself when it is not a package): one stat
        per folder, kept for the run."""
        top = self._top_str.get(folder)
        if top is None:
            parent = os.path.dirname(folder)  # noqa: PTH120
            is_package = parent != folder and os.path.isfile(  # noqa: PTH113
                os.path.join(folder, "__init__.py"))  # noqa: PTH118
            top = self._top_of(parent) if is_package else folder
            self._top_str[folder] = top
        return top

    def _in_run(self, parts: tuple[str, ...]) -> bool:
        if self._run is None:
            self._run = {}
            for f in self._files:
                name = str(f)
                if not name.endswith(".py"):
                    continue
                split = tuple(os.path.abspath(name[:-3]).split(os.sep))  # noqa: PTH100, PTH206
                if split and split[-1] == "__init__":
                    split = split[:-1]
                if split:
                    self._run.setdefault(split[-1], []).append(split)
        return any(p[-len(parts):] == parts for p in self._run.get(parts[-1], ()))

    def _may_exist(self, importer: Path, first: str, roots: tuple[Path, ...]) -> bool:
        """Whether a module whose dotted path starts with `first` may be found under the
        search roots of `importer` (a file or folder of that name): one stat per root and
        name, kept for the run."""
        folder = os.path.dirname(importer)  # noqa: PTH120
        found = self._found.get((folder, first))
        if found is None:
            found = False
            for root in (self._top_of(folder), folder, *map(str, roots)):
                key = (root, first)
                hit = self._present.get(key)
                if hit is None:
                    base = os.path.join(root, first)  # noqa: PTH118
                    hit = self._present[key] = (os.path.exists(base)  # noqa: PTH110
                                                or os.path.exists(base + ".py"))  # noqa: PTH110
                if hit:
                    found = True
                    break
            self._found[(folder, first)] = found
        return found

    def _test(self, path: Path,
              raw: bytes | None) -> tuple[frozenset[str], frozenset[bytes]] | None:
        found: tuple[frozenset[str], frozenset[bytes]] | None = None
        if raw is not None and may_hold_call_site(raw):
            functions = _request_functions(raw)
            classes = frozenset(sending_classes(raw))
            if functions or classes:
                found = (functions, classes)
        self._tested[path] = found
        return found

    def admits(self, importer: Path, summary: ImportSummary, raw: bytes | None,
               reader_of: Callable[[], Reader]) -> bool:
        """Whether `importer` (absolute), whose imports are `summary`, imports from a
        project module outside the run a function making a request, or a class sending a
        stored model that it calls (`raw`: its bytes, read when None and needed).
        `reader_of`: the project of the importer's settings, asked for only when a module
        must be looked for."""
        read: Reader | None = None
        for dots, source, what in summary.statements:
            name = source.decode("ascii", "replace")
            parts = tuple(p for p in name.split(".") if p)
            if not parts:
                continue  # `from . import x`: a module per name, not followed
            if self._in_run(parts):
                continue  # decided by `Importers` (a whole-project run stops here)
            if read is None:
                read = reader_of()
            if not dots and not self._may_exist(importer, parts[0], read.roots):
                continue
            words = {w.decode("ascii", "replace") for w in _WORD.findall(what)}
            module = "." * dots + name
            path = read.path(importer, module)
            if path is None:
                continue
            tested = (self._tested[path] if path in self._tested
                      else self._test(path, read.module(importer, module)))
            if tested is None:
                continue
            functions, classes = tested
            if functions.intersection(words):
                return True
            named = [c for c in classes if c.decode("ascii", "replace") in words]
            if named:
                raw = raw if raw is not None else _read_bytes(importer)
                if raw is not None and constructs_one_of(set(named))(raw):
                    return True
        return False


class Reader:
    """Reads modules through the project of the importer's settings (analysis/project.py)."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        self.roots = roots
        self._project: Project | None = None

    def _of(self) -> Project:
        if self._project is None:
            from claudelint.analysis.project import project_for

            self._project = project_for(self.roots)
        return self._project

    def path(self, importer: Path, module: str) -> Path | None:
        """The file of `module` imported from `importer`, when it is part of the project."""
        return self._of().module_path(importer, module)

    def module(self, importer: Path, module: str) -> bytes | None:
        """The bytes of that file (None when it cannot be read or is too large)."""
        return self._of().module_bytes(importer, module)


def _read_bytes(path: Path) -> bytes | None:
    from claudelint.workspace.source import read_file_bytes

    try:
        return read_file_bytes(path)
    except OSError:
        return None


def admits_alone(path: Path, raw: bytes, roots: tuple[Path, ...]) -> bool:
    """Whether a file checked on its own (standard input with `--stdin-filename`, an editor
    buffer) that holds no call site is to be linted for the modules it imports."""
    if path.suffix != ".py" or b"import" not in raw:
        return False
    summary = import_summary(raw)
    if summary is None:
        return False
    return OutsideModules([]).admits(path, summary, raw, lambda: Reader(roots))
