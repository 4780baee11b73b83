"""Cross-module machinery: the modules and prompt files of one project, read lazily.

A `Project` answers two questions for the resolver of the file being linted:
- what value a module-level name of another module of the same project has
  (`from .prompts import SYSTEM`, `from pkg.prompts import SYSTEM`, `p.SYSTEM` after
  `import pkg.prompts as p`);
- what text a prompt file holds (`open(p).read()`, `Path(p).read_text()`).

Modules are found from the importing file's path (relative imports from its package; absolute
ones from the top of its package — walking up while `__init__.py` exists —, from its own
folder, and from the import roots of its settings, `import_roots`: the config's `src`, by
default the config file's folder and its `src/`; the working directory only when no config
file applies, so a run finds the same modules from any working directory),
parsed with libcst once per process and only when a request needs one of their names, and
resolved with the same `Resolver` as the linted file (so f-strings, `dedent`, chained imports
and prompt files read there work too). Each process of a run has its own `Project` (the
worker pool forks fresh processes per run), and `reset()` drops everything at the start of a
run.

Why libcst and not `ast` for imported modules: `ast.parse` is about 7x faster (PERF-NOTES),
but values must be resolved with the resolver, which reads libcst nodes; a second resolver
over `ast` would duplicate it and drift. The cost is kept down by laziness instead: a module
is parsed only when a request reads one of its names, and not at all when the name does not
occur in its bytes. Measured on this machine: a 60-line prompts module parses and indexes in
about 3 ms; a run reads each module once.

Everything that fails — a module that is not found, a syntax error, a cycle of imports, a
file that is missing, too big, not UTF-8 — gives "not known" (the resolver's `Unknown`),
never an error.

Every file a resolution reads (modules and prompt files, and prompt files that were looked
for and missing) is recorded with a digest, so the results cache can tell when a file's
findings depend on a file that changed (`file_digest`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from claudelint.analysis.module_source import FileText

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.analysis.resolve import Resolver
    from claudelint.analysis.values import Value
    from claudelint.settings import Settings
    from claudelint.syntax.scopes import ModuleIndex

# Prompt files larger than this are not read (their content stays unknown).
MAX_PROMPT_FILE = 2 * 1024 * 1024
# Modules larger than this are not parsed for their constants.
MAX_MODULE = 2 * 1024 * 1024
# How many modules deep a chain of imports is followed.
MAX_IMPORT_DEPTH = 8

MISSING = "-"


def file_digest(path: str | Path) -> str:
    """What the results cache compares: the sha256 of a file's bytes, `-` for a missing or
    unreadable file, `big:<size>` for a file over the prompt-file cap."""
    try:
        p = Path(path)
        st = p.stat()
        if st.st_size > max(MAX_PROMPT_FILE, MAX_MODULE):
            return f"big:{st.st_size}"
        return hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError:
        return MISSING


@dataclass(eq=False)
class ModuleCtx:
    """One parsed module of the project, with its own index and resolver. `deps` holds every
    file its resolutions read so far (itself included): path -> digest."""

    path: Path
    module: cst.Module
    index: ModuleIndex
    resolver: Resolver
    deps: dict[str, str] = field(default_factory=dict)


class Project:
    """The modules and files of one project, read on demand and kept for the process; the
    resolver reads it as its `ModuleSource` (analysis/module_source.py)."""

    def __init__(self, roots: Iterable[Path] = ()) -> None:
        self.roots = _unique(_abs(r) for r in roots)
        self._modules: dict[Path, ModuleCtx | None] = {}
        self._raw: dict[Path, bytes | None] = {}
        self._found: dict[tuple[Path, str], Path | None] = {}
        self._missed: dict[tuple[Path, str], list[Path]] = {}
        self._files: dict[tuple[Path, str], FileText] = {}
        self._active: set[tuple[Path, str]] = set()
        self._sigs: dict[Path, tuple[int, int]] = {}
        self._loading: set[Path] = set()

    def _check(self, path: Path) -> None:
        """Forget what is kept for `path` when the file changed (size or mtime) since it was
        read: a long-lived process, or a test that edits a file. Not during a load (the
        sentinel that breaks import cycles must stay)."""
        if path in self._loading or _overlay(path) is not None:
            return  # an open buffer's text changes through `set_overlay`
        try:
            st = path.stat()
            sig = (st.st_size, st.st_mtime_ns)
        except OSError:
            sig = (-1, -1)
        old = self._sigs.get(path)
        self._sigs[path] = sig
        if old is not None and old != sig:
            self._modules.pop(path, None)
            self._raw.pop(path, None)
            for key in [k for k in self._files if k[0] == path]:
                del self._files[key]

    # --- modules -------------------------------------------------------------------------

    def module_path(self, importer: Path, module: str) -> Path | None:
        """The file of `module` (dotted, maybe relative: `.prompts`, `..pkg.x`) imported from
        the file `importer`, when it is part of the project; else None."""
        key = (importer.parent, module)
        if key in self._found:
            return self._found[key]
        missed: list[Path] = []
        found = self._find(importer, module, missed)
        self._found[key] = found
        self._missed[key] = missed
        return found

    def missed(self, importer: Path, module: str) -> list[Path]:
        """The files `module_path` looked for before it found `module` (all of them when it
        did not): one appearing would change what the import means."""
        self.module_path(importer, module)
        return self._missed.get((importer.parent, module), [])

    def _find(self, importer: Path, module: str, missed: list[Path]) -> Path | None:
        dots = len(module) - len(module.lstrip("."))
        parts = [p for p in module[dots:].split(".") if p]
        if dots:
            base = importer.parent
            for _ in range(dots - 1):
                base = base.parent
            return _module_file(base, parts, missed)
        if not parts:
            return None
        for root in self._search_roots(importer):
            found = _module_file(root, parts, missed)
            if found is not None:
                return found
        return None

    def _search_roots(self, importer: Path) -> list[Path]:
        folder = importer.parent
        top = folder
        while (top / "__init__.py").is_file() and top.parent != top:
            top = top.parent
        return _unique([top, folder, *self.roots])

    def load(self, path: Path) -> ModuleCtx | None:
        """The parsed module at `path` (None when it cannot be read or parsed)."""
        if path in self._modules:
            return self._modules[path]
        self._modules[path] = None  # a cycle while loading sees "not known"
        raw = self._read_module(path)
        if raw is None:
            return None
        import libcst as cst

        from claudelint.analysis.resolve import Resolver
        from claudelint.syntax.parsing import parse_module
        from claudelint.syntax.scopes import ModuleIndex

        try:
            text = raw.decode("utf-8")
            module = parse_module(text)  # bounded (parsing.py): deep nesting crashed libcst
            index = ModuleIndex(module)
        except (UnicodeDecodeError, cst.ParserSyntaxError, RecursionError):
            return None
        resolver = Resolver(index, module, path=path, project=self)
        ctx = ModuleCtx(path, module, index, resolver)
        ctx.deps[str(path)] = hashlib.sha256(raw).hexdigest()
        resolver.deps = ctx.deps
        self._modules[path] = ctx
        return ctx

    def _read_module(self, path: Path) -> bytes | None:
        if path not in self._raw:
            overlay = _overlay(path)
            if overlay is not None:
                self._raw[path] = overlay
                return overlay
            try:
                raw: bytes | None = path.read_bytes() if path.stat().st_size <= MAX_MODULE else None
            except OSError:
                raw = None
            self._raw[path] = raw
        return self._raw[path]

    def import_value(self, importer: Path, module: str, name: str,
                     deps: dict[str, str]) -> Value | None:
        """The value of `name` bound at the top level of `module` as seen from `importer`,
        or None when the module is not part of the project or does not bind the name (then
        the caller keeps its own "not known"). Files read are added to `deps`."""
        path = self.module_path(importer, module)
        # A module that is missing (or shadowed by a file that may appear) is a dependency
        # too: the results cache must notice when it comes (back).
        deps.update(dict.fromkeys(map(str, self.missed(importer, module)), MISSING))
        if path is None:
            return None
        self._check(path)
        raw = self._read_module(path)
        if raw is None or name.split(".")[0].encode() not in raw:
            # Not bound there: no need to parse; but binding it later changes the finding.
            deps[str(path)] = hashlib.sha256(raw).hexdigest() if raw else file_digest(path)
            return None
        key = (path, name)
        if key in self._active or len(self._active) >= MAX_IMPORT_DEPTH:
            from claudelint.analysis.values import Unknown

            return Unknown(f"import cycle through {module}", None, stable=True)
        ctx = self.load(path)
        if ctx is None:
            return None
        self._active.add(key)
        self._loading.add(path)
        try:
            value = ctx.resolver.module_name_value(name)
        finally:
            self._active.discard(key)
            if not any(k[0] == path for k in self._active):
                self._loading.discard(path)
            deps.update(ctx.deps)
        return value

    def import_summary(self, importer: Path, module: str, name: str,
                       deps: dict[str, str]) -> object | None:
        """The summary of the function `name` defined at the top level of `module`
        (analysis/summaries.py), or None; computed once per run and module."""
        path = self.module_path(importer, module)
        deps.update(dict.fromkeys(map(str, self.missed(importer, module)), MISSING))
        if path is None:
            return None
        self._check(path)
        raw = self._read_module(path)
        if raw is None or f"def {name}".encode() not in raw:
            deps[str(path)] = hashlib.sha256(raw).hexdigest() if raw else file_digest(path)
            return None
        key = (path, name)
        if key in self._active or len(self._active) >= MAX_IMPORT_DEPTH:
            return None
        ctx = self.load(path)
        if ctx is None:
            return None
        self._active.add(key)
        self._loading.add(path)
        try:
            summary = ctx.resolver.function_summary(name)
        finally:
            self._active.discard(key)
            if not any(k[0] == path for k in self._active):
                self._loading.discard(path)
            deps.update(ctx.deps)
        return summary

    def module_bytes(self, importer: Path, module: str) -> bytes | None:
        """The bytes of the project module `module` as seen from `importer` (None when it is
        not part of the project or cannot be read); no dependency is recorded."""
        path = self.module_path(importer, module)
        if path is None:
            return None
        self._check(path)
        return self._read_module(path)

    def import_module(self, importer: Path, module: str, name: str,
                      deps: dict[str, str], needle: re.Pattern[bytes] | None = None
                      ) -> ModuleCtx | None:
        """The parsed project module `module` as seen from `importer`, when it is part of
        the project and its text mentions `name` (and matches `needle`, when given; else
        None, without parsing it). What the caller derives from it must add `ctx.deps` to its
        own `deps` afterwards; the module's file (and the files looked for before it) are
        added here."""
        path = self.module_path(importer, module)
        deps.update(dict.fromkeys(map(str, self.missed(importer, module)), MISSING))
        if path is None:
            return None
        self._check(path)
        raw = self._read_module(path)
        if raw is None or name.encode() not in raw or (
                needle is not None and needle.search(raw) is None):
            deps[str(path)] = hashlib.sha256(raw).hexdigest() if raw else file_digest(path)
            return None
        ctx = self.load(path)
        if ctx is None:
            deps[str(path)] = file_digest(path)
            return None
        deps.update(ctx.deps)
        return ctx

    def forget(self, path: Path, *, layout: bool = False) -> None:
        """Drop what was read from `path` and every module whose values read it; with
        `layout`, also where modules were found (a file was created or deleted)."""
        key = str(path)
        for p, ctx in list(self._modules.items()):
            if p == path or (ctx is not None and key in ctx.deps):
                del self._modules[p]
        self._raw.pop(path, None)
        self._sigs.pop(path, None)
        for k in [k for k in self._files if k[0] == path]:
            del self._files[k]
        if layout:
            self._found.clear()
            self._missed.clear()

    # --- prompt files --------------------------------------------------------------------

    def read_text(self, path: Path, encoding: str = "utf-8") -> FileText:
        """A prompt file's text, once per process; size-capped, decoded strictly."""
        self._check(path)
        key = (path, encoding)
        hit = self._files.get(key)
        if hit is not None:
            return hit
        try:
            st = path.stat()
            if not path.is_file():
                got = FileText(None, "not a file", MISSING)
            elif st.st_size > MAX_PROMPT_FILE:
                got = FileText(None, f"prompt file over {MAX_PROMPT_FILE} bytes",
                               f"big:{st.st_size}")
            else:
                raw = path.read_bytes()
                digest = hashlib.sha256(raw).hexdigest()
                try:
                    got = FileText(raw.decode(encoding), "", digest)
                except (UnicodeDecodeError, LookupError):
                    got = FileText(None, f"prompt file is not {encoding}", digest)
        except OSError:
            got = FileText(None, "prompt file not found", MISSING)
        self._files[key] = got
        return got


def _module_file(base: Path, parts: list[str], missed: list[Path]) -> Path | None:
    """The file of the module `parts` under `base`, or None; the files looked for and not
    found are added to `missed`."""
    folder = base.joinpath(*parts[:-1])
    candidates = ([base / "__init__.py"] if not parts
                  else [folder / f"{parts[-1]}.py", folder / parts[-1] / "__init__.py"])
    for candidate in candidates:
        if candidate.is_file():
            return candidate
        missed.append(candidate)
    return None


def _abs(p: Path) -> Path:
    try:
        return p.resolve()
    except OSError:
        return p.absolute()


def _unique(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p not in out:
            out.append(p)
    return out


def import_roots(settings: Settings) -> tuple[Path, ...]:
    """Where absolute imports of the project are looked for (after the importing file's own
    package and folder): `settings.src`, which the config loader always fills (`src`, or the
    config file's folder and its `src/`; the working directory and its `src/` without a
    config file); for settings built by hand, their `root` (else the working directory) and
    its `src/`."""
    if settings.src is not None:
        return settings.src
    from claudelint.settings import default_src

    return default_src(settings.root if settings.root is not None else Path.cwd())


# One Project per process and set of roots; `reset` at the start of each run.
_PROJECTS: dict[tuple[Path, ...], Project] = {}


def project_for(roots: Iterable[Path]) -> Project:
    key = tuple(_unique(_abs(r) for r in roots))
    hit = _PROJECTS.get(key)
    if hit is None:
        hit = _PROJECTS[key] = Project(key)
    return hit


# `claudelint server`: the unsaved text of open editor buffers, read instead of the file on
# disk when another file imports the module (keyed by the real path).
_OVERLAYS: dict[str, bytes] = {}


def _overlay(path: Path) -> bytes | None:
    return _OVERLAYS.get(os.path.realpath(path)) if _OVERLAYS else None


def set_overlay(path: Path, text: str | None) -> None:
    """Read `text` as the content of the module at `path` (None: the file on disk again)."""
    key = os.path.realpath(path)
    if text is None:
        _OVERLAYS.pop(key, None)
    else:
        _OVERLAYS[key] = text.encode("utf-8")
    invalidate(path)


def invalidate(path: Path, *, layout: bool = False) -> None:
    """Forget `path` (and what was resolved through it) in every project kept."""
    for project in _PROJECTS.values():
        project.forget(path, layout=layout)
        real = Path(os.path.realpath(path))
        if real != path:
            project.forget(real, layout=False)


def reset() -> None:
    """Forget every module and file read (a new run may see changed files)."""
    _PROJECTS.clear()
