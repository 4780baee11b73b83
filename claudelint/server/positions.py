"""Positions between claudelint and the Language Server Protocol.

claudelint counts lines from 1 and columns from 1 in characters (code points). LSP counts both
from 0, and a column ("character") in code units of the position encoding agreed at start-up:
UTF-16 unless the client offers another (`utf-8`, `utf-32`). A character outside the Basic
Multilingual Plane (an emoji in a prompt) is one code point, two UTF-16 units, four UTF-8
bytes. Lines end at `\\r\\n`, `\\r` or `\\n`, for both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their line breaks (one more than breaks: the last may be
    empty)."""
    out = [m.rstrip("\r\n") for m in _LINE.findall(text)]
    if len(out) > 1 and out[-1] == "":
        out.pop()  # findall's empty match at the very end
    if text.endswith(("\n", "\r")):
        out.append("")
    return out or [""]


def _units(ch: str, encoding: str) -> int:
    if encoding == UTF32:
        return 1
    cp = ord(ch)
    if encoding == UTF8:
        return 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4
    return 2 if cp >= 0x10000 else 1


def to_units(line: str, column: int, encoding: str = UTF16) -> int:
    """The code-unit offset of the 0-based character `column` in `line` (clamped to it)."""
    column = max(0, min(column, len(line)))
    if encoding == UTF32 or line.isascii():
        return column
    return sum(_units(ch, encoding) for ch in line[:column])


def from_units(line: str, units: int, encoding: str = UTF16) -> int:
    """The 0-based character column of the code-unit offset `units` in `line` (an offset
    inside a character counts as that character; past the end: the end)."""
    if encoding == UTF32 or line.isascii():
        return max(0, min(units, len(line)))
    seen = 0
    for i, ch in enumerate(line):
        if seen >= units:
            return i
        seen += _units(ch, encoding)
    return len(line)


@dataclass(frozen=True)
class Position:
    """An LSP position: 0-based line, code units."""

    line: int
    character: int


@dataclass(frozen=True)
class Range:
    start: Position
    end: Position


class Lines:
    """A text's lines, converting claudelint's positions to LSP's and back."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.lines = split_lines(text)
        self.encoding = encoding

    def to_lsp(self, line: int, column: int) -> Position:
        """claudelint's 1-based `line`, `column` (a column past a line's end: its end; a line
        past the text: the end of the text)."""
        if line > len(self.lines):
            last = len(self.lines) - 1
            return Position(last, to_units(self.lines[last], len(self.lines[last]),
                                           self.encoding))
        index = max(0, line - 1)
        return Position(index, to_units(self.lines[index], column - 1, self.encoding))

    def range(self, line: int, column: int, end_line: int, end_column: int) -> Range:
        return Range(self.to_lsp(line, column), self.to_lsp(end_line, end_column))

    def from_lsp(self, position: Position) -> tuple[int, int]:
        """claudelint's 1-based (line, column) of an LSP position."""
        index = max(0, min(position.line, len(self.lines) - 1))
        if position.line >= len(self.lines):
            return index + 1, len(self.lines[index]) + 1
        return index + 1, from_units(self.lines[index], position.character, self.encoding) + 1
