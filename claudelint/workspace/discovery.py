"""Which files to lint: walk the given paths like ruff does, then a bytes prefilter.

- Directories are walked for `*.py`, `*.pyi` and `*.ipynb`. Hidden files are not skipped.
- `exclude` + `extend-exclude` of the settings that apply to each folder: a pattern without `/`
  matches any path component (`build`, `*.egg-info`); a pattern with `/` is anchored at the
  settings root (the config file's folder) and also covers everything below what it matches.
  Excluded folders are pruned, never entered.
- `.gitignore` files are honoured when `respect-gitignore` is on, as git does inside a
  repository: every `.gitignore` from the repository root down to the folder, the deeper one
  deciding first, each relative to its own folder, then `.git/info/exclude`.
- Symlinked files are linted; symlinked folders are not entered during a walk (as ruff), and a
  folder reached twice is walked once, so link loops cannot hang a run.
- Paths given explicitly are always linted, even when excluded or not Python, unless
  force-exclude (flag or setting) is on; then `exclude`/`extend-exclude` apply to them too.
- Problems (a missing path, an unreadable folder) are collected, never fatal.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from claudelint.patterns import exclude_matcher, posix_abs
from claudelint.workspace.config import ConfigResolver

__all__ = [
    "PYTHON_SUFFIXES",
    "DiscoveryResult",
    "ImportSummary",
    "Importers",
    "constructs_one_of",
    "discover",
    "import_summary",
    "may_hold_call_site",
    "sending_classes",
]

PYTHON_SUFFIXES: tuple[str, ...] = (".py", ".pyi", ".ipynb")


@dataclass
class DiscoveryResult:
    files: list[Path] = field(default_factory=list)
    errors: list[tuple[Path, str]] = field(default_factory=list)


# --------------------------------------------------------------------------------- prefilter

# Every call site reaches the Messages resource through an attribute access `.messages`
# (`client.messages.create`, `client.beta.messages...`, `m = client.messages`,
# `.messages.batches.create`, `.with_raw_response.messages`, `with_options(...).messages`), and
# a notebook's JSON keeps `.messages` as it is. The slow path only runs on files that say
# "messages" without ".messages", to keep legal but odd spellings: `client.\<newline>messages`,
# `client. messages`, and a notebook line split after the dot (`client.\n", "messages`).
#
# Measured on this machine (Python 3.11.7, 2 cores) by walking each tree for .py/.pyi/.ipynb and
# testing each needle on every file's bytes:
#
#   python -c 'import os, sys; from claudelint.workspace.discovery import may_hold_call_site as keep
#   fs = [os.path.join(d, f) for r in sys.argv[1:] for d, _, n in os.walk(r) for f in n
#         if f.endswith((".py", ".pyi", ".ipynb"))]; bs = [open(f, "rb").read() for f in fs]
#   for name, t in [("messages", lambda b: b"messages" in b),
#                   (".messages", lambda b: b".messages" in b), ("chosen", keep)]:
#       k = [b for b in bs if t(b)]; print(name, len(k), len(bs), sum(map(len, k)))' TREE
#
#   tree (files, MB)                   b"messages"       b".messages"      chosen (below)
#   stdlib, no site-packages           84 files (5.2%)   4 (0.25%)         5 (0.31%)
#     1,623 files, 26.8 MB             4.77 MB (17.8%)   0.28 MB (1.05%)   0.33 MB (1.2%)
#   its site-packages (scipy, IPython, 310 (1.8%)        33 (0.19%)        34 (0.20%)
#     ...) 17,424 files, 144.9 MB      15.2 MB (10.5%)   0.40 MB (0.28%)   0.42 MB (0.29%)
#   /tmp/venv site-packages (holds     291 (4.6%)        86 (1.35%)        87 (1.37%)
#     the anthropic SDK) 6,361, 45.8   8.53 MB (18.6%)   3.72 MB (8.1%)    3.72 MB (8.1%)
#
# The check costs ~0.5 ms/MB on the fast path and ~4 ms/MB on files reaching the regex, against
# ~2,600 ms/MB for a libcst parse. b"anthropic" alone is no needle: a module that receives its
# client as a parameter never names the package.
_MESSAGES_NEEDLE = b".messages"
_MESSAGES_LOOSE = re.compile(rb'\.(?:[ \t\f\r\n\\]|\\[nrt]|"\s*,\s*")*messages')


# Second stage, run only on files that passed the first: some `.messages` must be used the way a
# request uses it — followed by a request method or sub-resource (`.create`, `.stream`,
# `.parse`, `.batches`, `.tool_runner`, `.with_raw_response`, `.with_streaming_response`), or
# ending a line (`m = client.beta.messages`, an aliased resource). `self.messages = []`,
# `self.messages.append(...)`, `len(self.messages)` and `errors.messages[...]` do not. On the
# stdlib this takes the files that reach the parser from 5 (all false alarms) to 2.
_SEP = rb'(?:[ \t\f\r\n\\]|\\[nrt]|"\s*,\s*")*'
_REQUEST_SHAPED = re.compile(
    rb"\." + _SEP + rb"messages" + _SEP
    + rb"(?:\." + _SEP
    + rb"(?:create|stream|parse|batches|tool_runner|with_raw_response|with_streaming_response)\b"
    + rb"|[ \t]*(?:#|;|\r?\n|\\n|$))",
    re.M,
)


def may_hold_call_site(data: bytes) -> bool:
    """False only for bytes that cannot hold a Claude Messages call site."""
    if _MESSAGES_NEEDLE not in data and not (
        b"messages" in data and _MESSAGES_LOOSE.search(data) is not None
    ):
        return False
    return _REQUEST_SHAPED.search(data) is not None


# `from ... import` statements. The patterns start with the literal `from`, not `^[ \t]*` in
# MULTILINE mode: the regex engine then jumps between occurrences of the word instead of trying
# a match at every byte (7x faster over a tree's files); `_line_starts` keeps the matches that
# begin a line.
_FROM_IMPORT = re.compile(rb"from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n#]*)")
_WORD = re.compile(rb"\w+")


def _from_imports(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """The `from ... import` statements of a file: (leading dots, module, what is imported)."""
    return [(len(m.group(1)), m.group(2), m.group(3)) for m in _line_starts(_FROM_IMPORT, data)]


def _line_starts(pattern: re.Pattern[bytes], data: bytes) -> Iterator[re.Match[bytes]]:
    """The matches of `pattern` in `data` that only spaces or tabs precede on their line."""
    for m in pattern.finditer(data):
        start = m.start()
        if not data[data.rfind(b"\n", 0, start) + 1:start].strip(b" \t"):
            yield m


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What the second look at a file without a call site needs of its bytes (see `Importers`
    and `constructs_one_of`): its `from ... import` statements as written, a few hundred bytes
    where keeping the file's bytes for that look would cost their size."""

    statements: tuple[tuple[int, bytes, bytes], ...]  # (leading dots, module, what is imported)

    def may_import_one_of(self, names: set[bytes]) -> bool:
        """Whether a statement importing from a named module names one of `names`
        (`constructs_one_of` then decides, on the file's bytes, whether it is called)."""
        return bool(names) and any(not names.isdisjoint(_WORD.findall(what))
                                   for _, module, what in self.statements if module)


def import_summary(data: bytes) -> ImportSummary | None:
    """The imports of a file, for the second look; None when it has no `from ... import`."""
    statements = _from_imports(data) if b"import" in data else None
    return ImportSummary(tuple(statements)) if statements else None


class Importers:
    """Tells, from its bytes, whether a file that holds no call site imports, from one of the
    project modules that do, a top-level function whose body makes a request (one, or a few:
    `REQUEST_FUNCTION_MAX`) (`from pkg.llm import ask`, `from .llm import ask`, `from llm
    import ask` beside it): a call of it there may repeat its request (analysis/imported.py),
    or choose its arguments (analysis/bound_imports.py). Modules are matched by
    their dotted path, as the project loader finds them (the importer's folder, the top of
    its package)."""

    def __init__(self, modules: list[tuple[Path, bytes]]) -> None:
        # stem -> the modules of that name, their dotted path and functions making requests
        # worked out only when a file imports from a module of that name (`_modules`)
        self.by_stem: dict[str, list[tuple[Path, bytes]]] = {}
        self._known: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
        for m, raw in modules:
            if m.suffix == ".py":
                stem = m.parent.name if m.stem == "__init__" else m.stem
                self.by_stem.setdefault(stem, []).append((m, raw))

    def _modules(self, stem: str) -> list[tuple[tuple[str, ...], frozenset[str]]]:
        known = self._known.get(stem)
        if known is None:
            known = []
            for m, raw in self.by_stem.get(stem, []):
                functions = _request_functions(raw)
                parts = _abs_parts(m.with_suffix(""))
                if parts and parts[-1] == "__init__":
                    parts = parts[:-1]
                if functions and parts:
                    known.append((parts, functions))
            self._known[stem] = known
        return known

    def imports_one(self, path: Path, summary: ImportSummary) -> bool:
        if not self.by_stem:
            return False
        found: list[tuple[int, str, list[str]]] = []
        for dots, source, names in summary.statements:
            base = source.decode("ascii", "replace")
            if base.rsplit(".", 1)[-1] in self.by_stem:
                words = [w.split()[0] for w in names.strip(b"()").decode("ascii", "replace")
                         .split(",") if w.split()]
                found.append((dots, base, words))
        if not found:
            return False
        folder = _abs_parts(path.parent)
        top = _package_top(path.parent)
        for dots, name, words in found:
            parts = tuple(p for p in name.split(".") if p)
            for module, functions in self._modules(parts[-1]):
                if module[-len(parts):] != parts or not functions.intersection(words):
                    continue
                start = module[:-len(parts)]
                if dots:
                    if start == folder[:len(folder) - (dots - 1)]:
                        return True
                elif len(parts) >= 2 or start in (folder, top):
                    return True
        return False


_TOP_DEF = re.compile(rb"^(?:async[ \t]+)?def[ \t]+(\w+)|^(?:class|@)", re.M)


# Functions whose text holds more request-shaped uses than this are not followed from
# other modules (analysis/bound_imports.py's `MAX_REQUESTS`).
REQUEST_FUNCTION_MAX = 4


def _request_functions(raw: bytes) -> frozenset[str]:
    """The top-level functions of a module whose text holds one to `REQUEST_FUNCTION_MAX`
    request-shaped `.messages` uses (see `_REQUEST_SHAPED`)."""
    out: set[str] = set()
    marks = list(_TOP_DEF.finditer(raw))
    for i, m in enumerate(marks):
        if m.group(1) is None:
            continue
        end = marks[i + 1].start() if i + 1 < len(marks) else len(raw)
        body = raw[m.end():end]
        if 1 <= len(_REQUEST_SHAPED.findall(body)) <= REQUEST_FUNCTION_MAX:
            out.add(m.group(1).decode("ascii", "replace"))
    return frozenset(out)


def _abs_parts(p: Path) -> tuple[str, ...]:
    try:
        return p.resolve().parts
    except OSError:
        return p.absolute().parts


def _package_top(folder: Path) -> tuple[str, ...]:
    top = folder
    while (top / "__init__.py").is_file() and top.parent != top:
        top = top.parent
    return _abs_parts(top)


# A file that holds no call site may still fix the model of one: `Sampler(model="...")`
# constructs a class of the project whose requests send what its constructor stored
# (analysis/constructors.py). Such a file is kept when it imports and calls a class (named in
# CapWords) that a file holding a call site defines, and that file sends `model=self.<attr>`.
_CLASS_DEF = re.compile(rb"^[ \t]*class[ \t]+([A-Z]\w*)", re.M)
_SENDS_SELF_MODEL = re.compile(rb"model\s*=\s*self\.")  # a literal start: fast; a superset


def sending_classes(data: bytes) -> set[bytes]:
    """The classes a file that holds a call site defines, when one of its requests may send
    a model stored on `self` (empty otherwise)."""
    if _SENDS_SELF_MODEL.search(data) is None:
        return set()
    return set(_CLASS_DEF.findall(data))




def constructs_one_of(names: set[bytes]) -> Callable[[bytes], bool]:
    """A test of whether a file imports one of the classes `names` (`from m import Name`)
    and calls it: one pass over the file's `from ... import` lines (about 7 ms/MB)."""
    if not names:
        return lambda data: False

    def test(data: bytes) -> bool:
        imported: set[bytes] = set()
        for _, module, what in _from_imports(data):
            if module:
                imported.update(_WORD.findall(what))
        return any(re.search(rb"\b" + re.escape(n) + rb"\s*\(", data) is not None
                   for n in imported & names)

    return test


# --------------------------------------------------------------------------------- gitignore


@lru_cache(maxsize=4096)
def _gitignore_spec(path: str, mtime_ns: int, size: int) -> Any | None:
    """The compiled patterns of one ignore file (None when it holds none)."""
    import pathspec

    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    try:
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # a pattern pathspec refuses: skip it, keep the others (as git does)
        good = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except Exception:
                continue
            good.append(line)
        spec = pathspec.GitIgnoreSpec.from_lines(good)
    return spec if len(spec) else None


def _load_ignore_file(path: str) -> Any | None:
    try:
        st = os.stat(path)  # noqa: PTH116
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return _gitignore_spec(path, st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class _IgnoreLevel:
    folder: str  # absolute, posix, no trailing slash
    spec: Any  # pathspec.GitIgnoreSpec


@dataclass(frozen=True)
class _GitState:
    """The ignore files that apply inside one folder of a git work tree."""

    levels: tuple[_IgnoreLevel, ...]  # repository root first
    info_exclude: _IgnoreLevel | None

    def with_folder(self, folder: str, has_gitignore: bool) -> _GitState:
        if not has_gitignore:
            return self
        spec = _load_ignore_file(folder + "/.gitignore")
        if spec is None:
            return self
        return _GitState((*self.levels, _IgnoreLevel(folder, spec)), self.info_exclude)

    def ignored(self, abs_path: str, is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        for level in reversed(self.levels):
            rel = abs_path[len(level.folder) + 1 :] + suffix
            result = level.spec.check_file(rel)
            if result.include is not None:
                return bool(result.include)
        if self.info_exclude is not None:
            level = self.info_exclude
            result = level.spec.check_file(abs_path[len(level.folder) + 1 :] + suffix)
            return bool(result.include)
        return False


def _new_repo(repo_root: str) -> _GitState:
    spec = _load_ignore_file(repo_root + "/.git/info/exclude")
    info = _IgnoreLevel(repo_root, spec) if spec is not None else None
    return _GitState((), info)


def _git_state_for(folder: str) -> _GitState | None:
    """The ignore state at `folder` (absolute, posix): the .gitignore files of its ancestors
    within its repository (not its own: the walk adds that one). None outside a repository."""
    chain: list[str] = []
    current = folder
    while True:
        chain.append(current)
        if os.path.lexists(posixpath.join(current, ".git")):
            break
        parent = posixpath.dirname(current)
        if parent == current:
            return None
        current = parent
    repo_root = chain[-1]
    state = _new_repo(repo_root)
    for ancestor in reversed(chain[1:]):  # repo root ... folder's parent
        state = state.with_folder(ancestor.rstrip("/"), True)
    return state


# --------------------------------------------------------------------------------- walking

# The walk works on strings with os / os.path on purpose: building Path objects per entry costs
# several times more than the rest of the loop. Exclude patterns: claudelint.patterns.


def _is_python(name: str) -> bool:
    return name.endswith(PYTHON_SUFFIXES)


class _Walker:
    def __init__(self, resolver: ConfigResolver, result: DiscoveryResult) -> None:
        self.resolver = resolver
        self.result = result
        self.seen_dirs: set[tuple[int, int]] = set()
        self.files: list[str] = []

    def walk(self, top: str) -> None:
        """Walk one folder given on the command line (`top` as the user wrote it)."""
        top_abs = posix_abs(top)
        git: _GitState | None = None
        if self.resolver.settings_for_folder(Path(top_abs)).respect_gitignore:
            git = _git_state_for(top_abs)
            if git is not None and git.ignored(top_abs, is_dir=True):
                # The user asked for an ignored folder by name: lint it, minding only the
                # .gitignore files inside it (ripgrep and ruff do the same).
                git = _GitState((), None)
        stack: list[tuple[str, str, _GitState | None]] = [(top, top_abs, git)]
        while stack:
            folder, folder_abs, git = stack.pop()
            try:
                st = os.stat(folder)  # noqa: PTH116
            except OSError as exc:
                self.result.errors.append((Path(folder), _reason(exc)))
                continue
            key = (st.st_dev, st.st_ino)
            if key in self.seen_dirs:
                continue
            self.seen_dirs.add(key)
            try:
                with os.scandir(folder) as it:
                    entries = list(it)
            except OSError as exc:
                self.result.errors.append((Path(folder), _reason(exc)))
                continue

            settings = self.resolver.settings_for_folder(Path(folder_abs))
            matcher = exclude_matcher(settings)
            names = {e.name for e in entries}
            if settings.respect_gitignore:
                if ".git" in names:  # a repository (or submodule) starts here
                    git = _new_repo(folder_abs)
                if git is not None:
                    git = git.with_folder(folder_abs, ".gitignore" in names)
            else:
                git = None

            prefix = folder_abs if folder_abs.endswith("/") else folder_abs + "/"
            for entry in entries:
                name = entry.name
                try:
                    is_link = entry.is_symlink()
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_link:
                    if not _is_python(name):
                        continue
                    try:
                        if not entry.is_file():  # broken link, or a link to a folder
                            continue
                    except OSError:
                        continue
                elif not is_dir and not _is_python(name):
                    continue
                elif not is_dir and not _is_regular(entry):
                    continue  # a FIFO, socket or device named *.py: reading it could block
                entry_abs = prefix + name
                if matcher and matcher.match_entry(entry_abs, name, is_dir):
                    continue
                if git is not None and git.ignored(entry_abs, is_dir):
                    continue
                if is_dir:
                    stack.append((os.path.join(folder, name), entry_abs, git))  # noqa: PTH118
                else:
                    self.files.append(os.path.join(folder, name))  # noqa: PTH118


def _is_regular(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)


def discover(
    paths: Sequence[Path], resolver: ConfigResolver, *, force_exclude: bool = False
) -> DiscoveryResult:
    """The files to lint under `paths`, sorted and without duplicates, each spelled from the
    path the user gave (relative stays relative). Errors are collected, never raised."""
    result = DiscoveryResult()
    walker = _Walker(resolver, result)
    for given in paths:
        text = os.fspath(given)
        if not os.path.lexists(text):
            result.errors.append((Path(text), "no such file or directory"))
            continue
        if not os.path.exists(text):  # noqa: PTH110
            result.errors.append((Path(text), "broken symbolic link"))
            continue
        is_dir = os.path.isdir(text)  # noqa: PTH112
        settings = (
            resolver.settings_for_folder(Path(posix_abs(text)).parent)
            if is_dir
            else resolver.settings_for(Path(text))
        )
        if (force_exclude or settings.force_exclude) and exclude_matcher(settings).match_path(
            posix_abs(text), is_dir=is_dir
        ):
            continue
        if is_dir:
            walker.walk(text)
        else:
            walker.files.append(text)

    unique: dict[str, Path] = {}
    for f in walker.files:
        unique.setdefault(os.path.normcase(posix_abs(f)), Path(f))
    result.files = sorted(unique.values())
    return result
