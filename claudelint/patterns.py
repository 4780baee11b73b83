"""Path patterns: the one glob implementation, for `exclude`, `extend-exclude` and
`per-file-ignores` (config validation, discovery and the engine all use it).

Patterns are globs: `*` and `?` stay within one path component, `**` (a whole component)
crosses folders, `[...]` is a character class (`[!...]` or `[^...]` negated), `{a,b}` an
alternation, and `\\` escapes the next character. `per-file-ignores` follows ruff: there `*`
and `?` match `/` too.

A base-layer module: it imports only the standard library and `claudelint.settings`.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from claudelint.settings import Settings

__all__ = [
    "GlobError",
    "PathMatcher",
    "escape_glob",
    "exclude_matcher",
    "glob_to_regex",
    "is_excluded",
    "per_file_ignores_for",
    "per_file_pattern",
    "posix_abs",
    "reanchor_exclude",
    "reanchor_per_file",
    "validate_glob",
]


class GlobError(ValueError):
    """A pattern that is not a usable glob; the message says why."""


# --------------------------------------------------------------------------------- globs


def glob_to_regex(pattern: str, literal_separator: bool = True) -> str:
    """A glob as a regex (for `fullmatch`). Without `literal_separator` (ruff's
    per-file-ignores), `*` and `?` match `/` too. Raises `GlobError` for a malformed pattern
    (an unclosed `[` or `{`, an unmatched `}`, `**` that is not a whole path component, a
    character class the regex engine refuses such as `[z-a]`)."""
    star, one = ("[^/]*", "[^/]") if literal_separator else (".*", ".")
    out: list[str] = []
    i, n, depth = 0, len(pattern), 0
    while i < n:
        c = pattern[i]
        if c == "*" and pattern.startswith("**", i):
            at_start = i == 0 or pattern[i - 1] == "/"
            at_end = i + 2 == n or pattern[i + 2] == "/"
            if not (at_start and at_end):
                raise GlobError("'**' must be a whole path component (as in 'a/**/b')")
            if i + 2 < n:  # "**/" -> zero or more folders
                out.append("(?:.*/)?")
                i += 3
            else:  # trailing "**" -> anything below
                out.append(".*")
                i += 2
        elif c == "*":
            out.append(star)
            i += 1
        elif c == "?":
            out.append(one)
            i += 1
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] in "!^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                raise GlobError(f"unclosed character class '[' at position {i + 1}")
            body = pattern[i + 1 : j]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            klass = "[" + body.replace("\\", "\\\\") + "]"
            try:
                re.compile(klass)
            except re.error as exc:
                raise GlobError(
                    f"bad character class '{pattern[i : j + 1]}' at position {i + 1}: {exc.msg}"
                ) from None
            out.append(klass)
            i = j + 1
        elif c == "{":
            depth += 1
            out.append("(?:")
            i += 1
        elif c == "}":
            if not depth:
                raise GlobError(f"unmatched '}}' at position {i + 1}")
            depth -= 1
            out.append(")")
            i += 1
        elif c == "," and depth:
            out.append("|")
            i += 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    if depth:
        raise GlobError("unclosed alternation '{'")
    return "".join(out)


@lru_cache(maxsize=1024)
def validate_glob(pattern: str) -> str | None:
    """Why a path pattern is unusable, or None when it is fine (see `glob_to_regex`)."""
    if not pattern.strip():
        return "empty pattern"
    if "\x00" in pattern:
        return "pattern holds a NUL character"
    try:
        glob_to_regex(pattern)
    except GlobError as exc:
        return str(exc)
    return None


_GLOB_SPECIAL = frozenset("*?[]{},\\")
_GLOB_CHARS = frozenset("*?[{\\")


def escape_glob(text: str) -> str:
    """`text` as a glob that matches just itself."""
    return "".join("\\" + c if c in _GLOB_SPECIAL else c for c in text)


# --------------------------------------------------------------------------------- anchoring


def reanchor_exclude(pattern: str, root: str) -> str:
    """An `exclude` pattern written in folder `root` (posix, no trailing `/`), made absolute so
    it means the same when read elsewhere. A pattern without `/` matches a name anywhere and
    stays as it is."""
    dir_only = pattern.endswith("/") and pattern.strip("/") != ""
    body = pattern.rstrip("/") if dir_only else pattern
    if body.startswith("./"):
        body = body[2:]
    elif "/" not in body or body.startswith("/"):
        return pattern
    return f"{escape_glob(root)}/{body}" + ("/" if dir_only else "")


def reanchor_per_file(pattern: str, root: str) -> str:
    """A `per-file-ignores` pattern written in folder `root`, made absolute (as
    `reanchor_exclude`; a leading `!` is kept)."""
    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    if "/" not in body or body.startswith("/"):
        return pattern
    return ("!" if negated else "") + f"{escape_glob(root)}/{body}"


# --------------------------------------------------------------------------------- exclude


class PathMatcher:
    """A set of exclude patterns, anchored at a root folder.

    A pattern without `/` (a trailing `/` aside, which limits it to folders) matches any
    component of a path below the root; a pattern with `/` matches the path relative to the
    root (an absolute pattern, the absolute path) and everything below what it matches.
    Raises `GlobError` for a malformed pattern.
    """

    def __init__(self, patterns: Iterable[str], root: str) -> None:
        self.root = root.rstrip("/") or "/"
        names: set[str] = set()
        dir_names: set[str] = set()
        name_globs: list[str] = []
        dir_globs: list[str] = []
        anchored: list[str] = []
        for raw in patterns:
            pattern = raw.replace(os.sep, "/") if os.sep != "/" else raw
            dir_only = pattern.endswith("/") and pattern.strip("/") != ""
            pattern = pattern.rstrip("/") if dir_only else pattern
            if pattern.startswith("./"):  # explicitly anchored at the root
                anchored.append(re.escape(self._prefix()) + glob_to_regex(pattern[2:]))
                continue
            if "/" not in pattern:
                if _GLOB_CHARS.isdisjoint(pattern):
                    (dir_names if dir_only else names).add(pattern)
                else:
                    (dir_globs if dir_only else name_globs).append(glob_to_regex(pattern))
            elif pattern.startswith("/"):
                anchored.append(glob_to_regex(posixpath.normpath(pattern)))
            else:
                anchored.append(re.escape(self._prefix()) + glob_to_regex(pattern))
        self._names = frozenset(names)
        self._dir_names = frozenset(dir_names)
        self._name_re = re.compile("|".join(name_globs)) if name_globs else None
        self._dir_re = re.compile("|".join(dir_globs)) if dir_globs else None
        self._anchored_re = (
            re.compile("(?:" + "|".join(anchored) + ")(?:/.*)?") if anchored else None
        )

    def _prefix(self) -> str:
        return self.root if self.root.endswith("/") else self.root + "/"

    def __bool__(self) -> bool:
        return bool(
            self._names or self._dir_names or self._name_re or self._dir_re or self._anchored_re
        )

    def match_name(self, name: str, is_dir: bool) -> bool:
        if name in self._names or (self._name_re is not None and self._name_re.fullmatch(name)):
            return True
        return is_dir and (
            name in self._dir_names
            or (self._dir_re is not None and self._dir_re.fullmatch(name) is not None)
        )

    def match_entry(self, abs_path: str, name: str, is_dir: bool) -> bool:
        """During a walk: the entry's own name, and its path against anchored patterns (its
        parents have been checked already)."""
        if self.match_name(name, is_dir):
            return True
        return self._anchored_re is not None and self._anchored_re.fullmatch(abs_path) is not None

    def match_path(self, abs_path: str, is_dir: bool = False) -> bool:
        """For a path not reached by a walk: every component below the root (only its name
        when it lies outside the root), and its whole path."""
        if self._anchored_re is not None and self._anchored_re.fullmatch(abs_path):
            return True
        prefix = self._prefix()
        if abs_path.startswith(prefix):
            parts = abs_path[len(prefix) :].split("/")
        else:
            parts = [posixpath.basename(abs_path)]
        last = len(parts) - 1
        return any(
            self.match_name(part, is_dir or k < last) for k, part in enumerate(parts) if part
        )


def posix_abs(path: Path | str) -> str:
    """An absolute path with `/` separators, symlinks not resolved."""
    text = os.path.abspath(path)  # noqa: PTH100
    return text.replace(os.sep, "/") if os.sep != "/" else text


def _root_of(settings: Settings) -> str:
    return posix_abs(settings.root if settings.root is not None else Path.cwd())


@lru_cache(maxsize=256)
def _matcher(patterns: tuple[str, ...], root: str) -> PathMatcher:
    return PathMatcher(patterns, root)


def exclude_matcher(settings: Settings) -> PathMatcher:
    """The `exclude` + `extend-exclude` patterns of `settings`, anchored at its root."""
    return _matcher((*settings.exclude, *settings.extend_exclude), _root_of(settings))


def is_excluded(path: Path, settings: Settings) -> bool:
    """Whether `exclude` / `extend-exclude` of `settings` cover `path` (or a folder above it,
    up to the settings root)."""
    abs_path = posix_abs(path)
    return exclude_matcher(settings).match_path(abs_path, is_dir=os.path.isdir(abs_path))  # noqa: PTH112


# --------------------------------------------------------------------------------- per-file


def per_file_ignores_for(settings: Settings, path: Path | str) -> tuple[str, ...]:
    """The selectors `per-file-ignores` of `settings` ignores for `path`.

    Ruff's semantics: a pattern applies when it matches the file's name, or when the pattern
    joined to the settings root (unless absolute) matches the file's absolute path. `*`, `?`
    and `**` match across `/` (so `tests/*` covers `tests/sub/x.py`), `{a,b}` alternates, and
    a leading `!` applies the codes to every file the rest does NOT match. A folder name alone
    (`tests`, `tests/`) matches only a file of that name: write `tests/*` or `**/tests/*`.
    """
    if not settings.per_file_ignores:
        return ()
    abs_path = posix_abs(path)
    root = _root_of(settings)
    out: list[str] = []
    for pattern, codes in settings.per_file_ignores:
        if _per_file_hit(pattern, root, abs_path):
            out.extend(codes)
    return tuple(out)


def per_file_matches(settings: Settings, pattern: str, path: Path | str) -> bool:
    """Whether one pattern with `per-file-ignores` semantics (above), anchored at the root of
    `settings`, covers `path` (the `[traffic]` table's patterns read this way too)."""
    return _per_file_hit(pattern, _root_of(settings), posix_abs(path))


def _per_file_hit(pattern: str, root: str, abs_path: str) -> bool:
    negated, by_name, by_path = per_file_pattern(pattern, root)
    name = posixpath.basename(abs_path)
    hit = by_name.fullmatch(name) is not None or by_path.fullmatch(abs_path) is not None
    return hit != negated


@lru_cache(maxsize=256)
def per_file_pattern(pattern: str, root: str) -> tuple[bool, re.Pattern[str], re.Pattern[str]]:
    """(negated, regex for the file name, regex for the absolute path) of one
    `per-file-ignores` pattern anchored at `root`. Raises `GlobError` for a malformed one."""
    negated = pattern.startswith("!")
    if negated:
        pattern = pattern[1:]
    glob = pattern.replace("\\", "/") if os.sep == "\\" else pattern
    by_name = re.compile(glob_to_regex(glob, literal_separator=False), re.DOTALL)
    # As ruff's normalize_path_to: relative to the root, "." and ".." and a trailing "/" folded.
    if posixpath.isabs(glob):
        by_path = glob_to_regex(posixpath.normpath(glob), literal_separator=False)
    else:
        joined = posixpath.normpath(posixpath.join(root, glob))
        prefix = root.rstrip("/") + "/"
        if joined.startswith(prefix):
            by_path = re.escape(prefix) + glob_to_regex(
                joined[len(prefix):], literal_separator=False)
        else:  # "../x" climbed above the root
            by_path = glob_to_regex(joined, literal_separator=False)
    return negated, by_name, re.compile(by_path, re.DOTALL)
