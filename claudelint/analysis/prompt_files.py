"""Prompt files read by `Resolver` (analysis/resolve.py): `open(p).read()`, `f.read()` after
`with open(p) as f`, `Path(p).read_text()`, when the path is known statically (literals,
`__file__`, `Path(...) / "x"`, `os.path.join`, `.parent`); the text comes from the project's
`ModuleSource`, which caps size and records the file as a dependency.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.names import MAX_DEPTH, NameLookup
from claudelint.analysis.values import (
    Text,
    Unknown,
    Value,
)
from claudelint.syntax.scopes import Scope

if TYPE_CHECKING:
    pass


class PromptFiles(NameLookup):
    """The resolver part that reads prompt files."""

    def _read_file(self, call: cst.Call, func: cst.Attribute, scope: Scope,
                   depth: int) -> Value | None:
        """`open(p).read()`, `f.read()` after `with open(p) as f`, `Path(p).read_text()`:
        the file's text when `p` is known statically (a Text with no holes: the same on
        every call); None when the call is not such a read."""
        if func.attr.value == "read":
            if call.args:
                return None  # read(n): a part of the file
            opened = self._opener(func.value, scope, depth)
            if opened is None:
                return None
            open_call, open_scope = opened
            path_expr, encoding = _open_arguments(open_call)
            if path_expr is None:
                return None
        else:
            path_expr, open_scope = func.value, scope
            read_encoding = _encoding_arg(call, 0)
            if read_encoding is None:
                return None
            encoding = read_encoding
        if self.project is None or self.path is None:
            return None
        where = self._path(path_expr, open_scope, depth)
        if where is None:
            return None
        target, anchored = where
        if not anchored:
            found = self._relative_file(target)
            if found is None:
                return Unknown("prompt file not found", call, stable=True)
            target = found
        got = self.project.read_text(target, encoding)
        self.deps[str(target)] = got.digest
        if got.text is None:
            return Unknown(got.reason, call, stable=True)
        return Text.of(got.text, node=call, stable=True)

    def _relative_file(self, relative: Path) -> Path | None:
        """A bare relative path is relative to the working directory at run time, which
        claudelint does not know: the reading module's folder first, then the project's
        import roots (the config's `src`, by default the project root and its `src/`) —
        taken only when exactly one of them holds the file. Places looked in without a
        file are recorded, so the file appearing there later invalidates cached results."""
        assert self.path is not None
        local = self.path.parent / relative
        if local.is_file():
            return local
        self.deps[str(local)] = "-"
        roots: tuple[Path, ...] = tuple(getattr(self.project, "roots", ()) or ())
        found: list[Path] = []
        for root in roots:
            candidate = root / relative
            if candidate in found or candidate == local:
                continue
            if candidate.is_file():
                found.append(candidate)
            else:
                self.deps[str(candidate)] = "-"
        if len(found) == 1:
            return found[0]
        if self.project is not None:
            for candidate in found:  # ambiguous: the result depends on every one of them
                self.deps[str(candidate)] = self.project.read_text(candidate).digest
        return None

    def _opener(self, expr: cst.BaseExpression, scope: Scope,
                depth: int) -> tuple[cst.Call, Scope] | None:
        """The `open(...)` call a file object comes from: the expression itself, or the one
        binding of a name (`with open(p) as f`, `f = open(p)`)."""
        if isinstance(expr, cst.Call):
            qual = self.qualified_name(expr.func, scope)
            if qual in ("io.open", "codecs.open") or (
                qual == "open" and scope.lookup("open") is None
            ):
                return expr, scope
            return None
        if isinstance(expr, cst.Name) and depth < MAX_DEPTH:
            b = self._single_binding(expr, scope)
            if b is not None and b.kind in ("assign", "with") and b.value is not None:
                return self._opener(b.value, b.scope, depth + 1)
        return None

    def _path(self, expr: cst.BaseExpression, scope: Scope,
              depth: int) -> tuple[Path, bool] | None:
        """A file system path known statically, and whether it is anchored (absolute, or
        built from `__file__`) rather than relative to the working directory."""
        if depth > MAX_DEPTH:
            return None
        depth += 1
        if isinstance(expr, cst.Name):
            if expr.value == "__file__" and scope.lookup("__file__") is None:
                return (self.path, True) if self.path is not None else None
            b = self._single_binding(expr, scope)
            if b is None or b.kind != "assign" or b.value is None:
                return None
            return self._path(b.value, b.scope, depth)
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            v = self.resolve(expr, scope, depth)
            lit = v.literal if isinstance(v, Text) else None
            if not lit or "\0" in lit:
                return None
            p = Path(lit)
            return p, p.is_absolute()
        if isinstance(expr, cst.Attribute):
            if expr.attr.value == "parent":
                base = self._path(expr.value, scope, depth)
                return (base[0].parent, base[1]) if base is not None else None
            return None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            return _join_paths([self._path(expr.left, scope, depth),
                                self._path(expr.right, scope, depth)])
        if not isinstance(expr, cst.Call) or any(a.star or a.keyword for a in expr.args):
            return None
        qual = self.qualified_name(expr.func, scope) or ""
        if not expr.args and (qual == "os.getcwd" or (
                isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "cwd"
                and (self.qualified_name(expr.func.value, scope) or "") in _PATH_TYPES)):
            return Path(), False  # the working directory: a relative path
        args = [self._path(a.value, scope, depth) for a in expr.args]
        if qual in _PATH_TYPES or qual in ("os.path.join", "posixpath.join"):
            return _join_paths(args) if args else None
        if qual == "os.path.dirname" and len(args) == 1 and args[0] is not None:
            return args[0][0].parent, args[0][1]
        if qual in ("os.path.abspath", "os.path.realpath", "os.path.normpath") and len(args) == 1:
            return args[0]
        if isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            if method in ("resolve", "absolute") and not args:
                return self._path(expr.func.value, scope, depth)
            if method == "joinpath" and args:
                return _join_paths([self._path(expr.func.value, scope, depth), *args])
        return None


_PATH_TYPES = frozenset({
    "Path", "PurePath", "PosixPath", "PurePosixPath", "pathlib.Path", "pathlib.PurePath",
    "pathlib.PosixPath", "pathlib.PurePosixPath",
})
_READ_MODES = frozenset({"r", "rt", "tr"})


def _join_paths(parts: list[tuple[Path, bool] | None]) -> tuple[Path, bool] | None:
    if not parts or any(p is None for p in parts):
        return None
    out, anchored = parts[0]  # type: ignore[misc]
    for p in parts[1:]:
        assert p is not None
        out = out / p[0]
        anchored = anchored or p[0].is_absolute()
    return out, anchored


def _literal_str(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.SimpleString):
        v = expr.evaluated_value
        return v if isinstance(v, str) else None
    return None


def _encoding_arg(call: cst.Call, position: int) -> str | None:
    """The `encoding` of a read (keyword, or the positional argument at `position`),
    "utf-8" when not given, None when not a literal or not a text codec we can use."""
    expr: cst.BaseExpression | None = None
    for i, a in enumerate(call.args):
        if a.star:
            return None
        if a.keyword is not None:
            if a.keyword.value == "encoding":
                expr = a.value
            elif a.keyword.value != "errors":
                return None
        elif i == position:
            expr = a.value
        else:
            return None
    if expr is None:
        return "utf-8"
    enc = _literal_str(expr)
    if enc is None:
        return None
    try:
        return codecs.lookup(enc).name
    except LookupError:
        return None


def _open_arguments(call: cst.Call) -> tuple[cst.BaseExpression | None, str]:
    """The path of `open(path, mode, encoding=...)` when it opens a file to read text."""
    path: cst.BaseExpression | None = None
    mode = "r"
    encoding = "utf-8"
    for i, a in enumerate(call.args):
        if a.star:
            return None, ""
        key = a.keyword.value if a.keyword is not None else ("file", "mode", "buffering",
                                                             "encoding")[min(i, 3)]
        if key == "file":
            path = a.value
        elif key == "mode":
            m = _literal_str(a.value)
            if m is None:
                return None, ""
            mode = m
        elif key == "encoding":
            enc = _literal_str(a.value)
            try:
                encoding = codecs.lookup(enc).name if enc is not None else ""
            except LookupError:
                encoding = ""
            if not encoding:
                return None, ""
        elif key not in ("errors", "newline", "buffering"):
            return None, ""
    if mode not in _READ_MODES:
        return None, ""
    return path, encoding
