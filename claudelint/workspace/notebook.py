"""Jupyter notebooks: lint the code cells as one module, map findings back to cells, and write
fixes into only the cells they change.

Plain `json` rather than nbformat: claudelint needs the cells' sources and must write the file
back byte-for-byte as it was except for the changed cells; nbformat validates and normalises
(and pulls in jsonschema), which is work claudelint does not need and a risk to the formatting
it must keep. A notebook whose JSON claudelint cannot reproduce exactly is linted but never
rewritten.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from claudelint.finding import Edit, Finding, Fix

# A comment line between cells: fixes never touch comments, so after fixing the text splits
# back into the same cells.
_BOUNDARY = "# --- claudelint cell {} ---"
_BOUNDARY_RE = re.compile(r"^# --- claudelint cell (\d+) ---$")
# Masked IPython lines carry the index of the original line, to be put back after fixing.
_MASKED = "# claudelint-magic {}"
_MASKED_RE = re.compile(r"^\s*(?:pass  )?# claudelint-magic (\d+)$")
# IPython syntax that is not Python: line magics, shell escapes, help.
_MAGIC_RE = re.compile(r"^(\s*)(?:[%!]|\?\??\w|[\w.]+\?\??\s*$)")
_ASSIGN_MAGIC_RE = re.compile(r"^(\s*)[\w.,\s]+=\s*[%!]")
# Cell magics whose body is still Python.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})


class NotebookError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Notebook:
    data: dict[str, Any]
    # Indices (into data["cells"]) of the code cells that were linted, in order.
    code_cells: list[int]
    # The linted text: code cells joined, each after a boundary comment line.
    text: str
    # For each linted cell: the 1-based line of the text where its first source line is.
    first_lines: list[int]
    # How the file was written, to write it back the same way.
    indent: int | str | None
    ensure_ascii: bool
    trailing_newline: bool
    reproducible: bool
    # Linted cells left out because they do not parse.
    masked: set[int] = field(default_factory=set)

    def _slot(self, line: int) -> int:
        """The linted cell (index into code_cells) that a text line belongs to; a boundary
        line counts as the first line of the cell after it."""
        k = 0
        for i, start in enumerate(self.first_lines):
            if start - 1 <= line:
                k = i
        return k

    def locate(self, line: int) -> tuple[int, int]:
        """Text line -> (cell index in the notebook, 1-based line in that cell)."""
        k = self._slot(line)
        return self.code_cells[k], max(1, line - self.first_lines[k] + 1)

    def mask_cell_at(self, line: int) -> int | None:
        """Leave out the cell holding `line` (one that does not parse), keeping every line
        number; returns its notebook index, or None when it was left out already."""
        if not self.first_lines:
            return None
        k = self._slot(line)
        if k in self.masked:
            return None
        self.masked.add(k)
        lines = self.text.split("\n")
        start = self.first_lines[k] - 1
        end = self.first_lines[k + 1] - 2 if k + 1 < len(self.first_lines) else len(lines) - 1
        for i in range(start, end):
            lines[i] = _MASKED.format(i - start)
        self.text = "\n".join(lines)
        return self.code_cells[k]

    def map_finding(self, f: Finding) -> Finding:
        cell, line = self.locate(f.line)
        _, end_line = self.locate(f.end_line)
        fix = f.fix
        if fix is not None:
            fix = Fix(fix.title, fix.applicability, tuple(_map_edit(self, e) for e in fix.edits))
        return replace(f, line=line, end_line=max(line, end_line), cell=cell, fix=fix)

    def with_text(self, new_text: str) -> str:
        """The notebook's JSON with the cells of `new_text` (the fixed linted text)."""
        if not self.reproducible:
            raise NotebookError("the notebook's JSON layout cannot be reproduced exactly")
        cells = _split_cells(new_text)
        if set(cells) != set(range(len(self.code_cells))):
            raise NotebookError("a fix crossed a cell boundary")
        data = json.loads(json.dumps(self.data))
        for k, index in enumerate(self.code_cells):
            cell = data["cells"][index]
            old_source = _source_text(cell)
            new_source = _unmask(cells[k], old_source)
            if new_source != old_source:
                cell["source"] = _as_source(new_source, cell.get("source"))
        return _dump(data, self.indent, self.ensure_ascii, self.trailing_newline)


def _map_edit(nb: Notebook, e: Edit) -> Edit:
    _, line = nb.locate(e.line)
    _, end_line = nb.locate(e.end_line)
    return Edit(line, e.column, end_line, e.end_column, e.content)


def _source_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return str(source)


def _as_source(text: str, like: object) -> list[str] | str:
    if isinstance(like, str):
        return text
    return text.splitlines(keepends=True)


def _mask(source: str) -> str:
    """Replace IPython-only lines by `pass` lines of the same indentation (the line count is
    kept), each tagged with its line index so that `_unmask` can put it back."""
    lines = source.split("\n")
    if lines and lines[0].startswith("%%"):
        words = lines[0][2:].split()
        if not words or words[0] not in _PYTHON_CELL_MAGICS:
            return "\n".join(_MASKED.format(i) for i in range(len(lines)))
        lines[0] = "pass  " + _MASKED.format(0)
        start = 1
    else:
        start = 0
    i = start
    while i < len(lines):
        m = _MAGIC_RE.match(lines[i]) or _ASSIGN_MAGIC_RE.match(lines[i])
        if m:
            # A magic continued with backslashes spans several lines: mask them all.
            while lines[i].rstrip().endswith("\\") and i + 1 < len(lines):
                lines[i] = f"{m.group(1)}pass  " + _MASKED.format(i)
                i += 1
            lines[i] = f"{m.group(1)}pass  " + _MASKED.format(i)
        i += 1
    return "\n".join(lines)


def _unmask(new: str, old: str) -> str:
    """Put the original IPython lines back in place of their tagged `pass` lines."""
    old_lines = old.split("\n")
    out = []
    for line in new.split("\n"):
        m = _MASKED_RE.match(line)
        k = int(m.group(1)) if m else -1
        out.append(old_lines[k] if 0 <= k < len(old_lines) else line)
    return "\n".join(out)


def _split_cells(text: str) -> dict[int, str]:
    """The cells of a linted text: each is its boundary line, its source and one separating
    newline (a source's own trailing newline is kept)."""
    out: dict[int, str] = {}
    current: int | None = None
    lines: list[str] = []
    for line in text.split("\n"):
        m = _BOUNDARY_RE.match(line)
        if m:
            if current is not None:
                out[current] = "\n".join(lines)
            current = int(m.group(1))
            lines = []
        elif current is not None:
            lines.append(line)
    if current is not None:
        # The last cell: its separating newline ends the text, one more empty piece.
        out[current] = "\n".join(lines[:-1] if lines and lines[-1] == "" else lines)
    return out


def _detect_layout(raw: str) -> tuple[int | str | None, bool, bool]:
    trailing = raw.endswith("\n")
    m = re.search(r"^\{\n([ \t]+)\"", raw)
    indent: int | str | None
    if m:
        ws = m.group(1)
        indent = len(ws) if set(ws) == {" "} else ws
    else:
        indent = None
    ensure_ascii = bool(re.search(r"\\u[0-9a-fA-F]{4}", raw)) and not any(
        ord(c) > 127 for c in raw
    )
    return indent, ensure_ascii, trailing


def _dump(data: Any, indent: int | str | None, ensure_ascii: bool, trailing: bool) -> str:
    separators = (",", ": ") if indent is not None else (", ", ": ")
    out = json.dumps(data, indent=indent, ensure_ascii=ensure_ascii, separators=separators)
    return out + ("\n" if trailing else "")


def read_notebook(text: str) -> Notebook:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise NotebookError(f"invalid notebook JSON: {e.msg} at line {e.lineno}") from None
    except (ValueError, RecursionError) as e:  # an integer over 4,300 digits; deep nesting
        reason = "nested too deeply" if isinstance(e, RecursionError) else str(e)[:80]
        raise NotebookError(f"invalid notebook JSON: {reason}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("not a Jupyter notebook: no 'cells' list")
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    lang = ""
    if isinstance(meta, dict):
        info = meta.get("language_info")
        kernel = meta.get("kernelspec")
        if isinstance(info, dict) and isinstance(info.get("name"), str):
            lang = info["name"]
        elif isinstance(kernel, dict) and isinstance(kernel.get("language"), str):
            lang = kernel["language"]
    code_cells: list[int] = []
    parts: list[str] = []
    first_lines: list[int] = []
    line = 1
    if not lang or lang.lower() in ("python", "python3", "ipython", "ipython3"):
        for i, cell in enumerate(data["cells"]):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = _mask(_source_text(cell))
            k = len(code_cells)
            code_cells.append(i)
            parts.append(_BOUNDARY.format(k) + "\n")
            line += 1
            first_lines.append(line)
            parts.append(source + "\n")
            line += source.count("\n") + 1
    indent, ensure_ascii, trailing = _detect_layout(text)
    try:
        reproducible = _dump(data, indent, ensure_ascii, trailing) == text
    except (ValueError, RecursionError):
        reproducible = False
    return Notebook(data, code_cells, "".join(parts), first_lines, indent, ensure_ascii,
                    trailing, reproducible)


_MARK = "\x00claudelint-{}\x00"
_MARK_RE = re.compile(r'"\\u0000claudelint-(\d+)\\u0000"')


@dataclass(frozen=True)
class _Piece:
    """One source string of a code cell, where the raw .ipynb file holds it."""

    first_line: int  # 1-based line of the cell the string starts on
    text: str
    raw_line: int  # 1-based line of the .ipynb file
    quote: int  # 0-based index of its opening quote on that line (-1: not known)


class RawIndex:
    """Cell positions -> positions in the raw .ipynb JSON text, for formats whose locations
    address the file itself (SARIF)."""

    def __init__(self, pieces: dict[int, list[_Piece]], ensure_ascii: bool) -> None:
        self._pieces = pieces
        self._ensure_ascii = ensure_ascii

    def position(self, cell: int, line: int, column: int) -> tuple[int, int | None] | None:
        """(1-based line, 1-based column or None when unknown) in the .ipynb file of `line`,
        `column` of notebook cell `cell` (0-based index); None when not known."""
        pieces = self._pieces.get(cell)
        if not pieces:
            return None
        piece = pieces[0]
        for p in pieces:
            if p.first_line <= line:
                piece = p
        if piece.quote < 0:
            return piece.raw_line, None
        lines = piece.text.split("\n")
        k = line - piece.first_line
        if k >= len(lines):
            return piece.raw_line, None
        offset = sum(len(s) + 1 for s in lines[:k]) + min(max(column - 1, 0), len(lines[k]))
        escaped = json.dumps(piece.text[:offset], ensure_ascii=self._ensure_ascii)[1:-1]
        return piece.raw_line, piece.quote + 2 + len(escaped)


def raw_index(raw: str) -> RawIndex | None:
    """Where each code cell's source lines are in the raw JSON `raw`; None when the file's
    layout cannot be reproduced exactly (then no position in it can be trusted)."""
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
            return None
        indent, ensure_ascii, trailing = _detect_layout(raw)
        if _dump(data, indent, ensure_ascii, trailing) != raw:
            return None
        # The same document with every code source string replaced by a marker: only string
        # contents change (and JSON strings never hold a raw newline), so every marker lands
        # on the line of the string it replaces.
        found: dict[int, tuple[int, str]] = {}
        n = 0
        for i, cell in enumerate(data["cells"]):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = cell.get("source")
            parts = [source] if isinstance(source, str) else source
            if not isinstance(parts, list) or not all(isinstance(s, str) for s in parts):
                continue
            marks = []
            for s in parts:
                found[n] = (i, s)
                marks.append(_MARK.format(n))
                n += 1
            cell["source"] = marks[0] if isinstance(source, str) else marks
        marked = _dump(data, indent, ensure_ascii, trailing)
    except (ValueError, RecursionError):
        return None
    pieces: dict[int, list[_Piece]] = {}
    firsts: dict[int, int] = {}
    for lineno, row in enumerate(marked.split("\n"), 1):
        for m in _MARK_RE.finditer(row):
            cell, text = found[int(m.group(1))]
            first = firsts.get(cell, 1)
            firsts[cell] = first + text.count("\n")
            # On a one-line file the strings before it have other lengths than the markers.
            quote = m.start() if indent is not None else -1
            pieces.setdefault(cell, []).append(_Piece(first, text, lineno, quote))
    return RawIndex(pieces, ensure_ascii)
