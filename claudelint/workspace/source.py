"""Reading Python sources exactly as they are on disk.

A `SourceFile` keeps the raw bytes, the decoded text and everything needed to write the text
back byte for byte: the encoding (UTF-8 or a PEP 263 coding cookie), whether the file starts
with a UTF-8 byte order mark, and its newline convention. Newlines are never translated: the
text holds `\\r\\n` or `\\r` exactly where the file does, so `encode_source(src, src.text)`
gives back `src.raw`.

Line breaks are `\\r\\n`, `\\r` and `\\n` only, as Python's tokenizer and libcst see them; not
the wider set `str.splitlines` uses (form feed, `\\x1c`..`\\x1e`, `\\x85`, `\\u2028`, ...).
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

UTF8_BOM = codecs.BOM_UTF8

# PEP 263, as the tokenizer reads it (tokenize.cookie_re / blank_re).
_COOKIE_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
_BLANK_RE = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)", re.ASCII)
_BYTE_BREAK_RE = re.compile(rb"\r\n|\r|\n")
_BREAK_RE = re.compile(r"\r\n|\r|\n")


class SourceError(Exception):
    """A file that cannot be read or decoded; `reason` says why, in a few words."""

    def __init__(self, reason: str, path: Path | None = None, line: int = 1, column: int = 1):
        super().__init__(reason)
        self.reason = reason
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class SourceFile:
    path: Path
    raw: bytes
    text: str
    # A codec name as `codecs.lookup` spells it ("utf-8", "iso8859-1", ...); never "utf-8-sig":
    # the byte order mark is `bom`.
    encoding: str
    bom: bool
    # The first line break in the file ("\n" when there is none).
    newline: str
    # Permission bits (stat.S_IMODE) of the file, None for stdin.
    mode: int | None
    # sha256 hex digest of `raw`.
    digest: str


def read_file_bytes(path: Path) -> bytes:
    """The bytes of a regular file (a symlink to one included).

    Raises OSError for anything else: a FIFO would block the run forever (it is opened
    without blocking, then refused), a device might never end.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb", closefd=True) as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return handle.read()


def read_source(path: Path) -> SourceFile:
    """Read and decode a file; raise `SourceError` with the reason when that is not possible."""
    try:
        with open(path, "rb") as handle:
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
            raw = handle.read()
    except IsADirectoryError:
        raise SourceError("is a directory", path) from None
    except PermissionError:
        raise SourceError("permission denied", path) from None
    except FileNotFoundError:
        raise SourceError("no such file", path) from None
    except OSError as exc:
        reason = (exc.strerror or str(exc) or type(exc).__name__).lower()
        raise SourceError(reason, path) from None
    return decode_source(raw, path, mode=mode)


def decode_source(raw: bytes, path: Path, *, mode: int | None = None) -> SourceFile:
    """Decode bytes read from a file or stdin, honouring a UTF-8 BOM and a coding cookie."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(raw, nul)
        raise SourceError(f"file contains a null byte (at byte {nul})", path, line, column)
    bom = raw.startswith(UTF8_BOM)
    body = raw[len(UTF8_BOM) :] if bom else raw
    cookie = _find_cookie(body)
    if cookie is None:
        encoding = "utf-8"
    else:
        try:
            encoding = codecs.lookup(cookie).name
        except LookupError:
            raise SourceError(f"unknown encoding {cookie!r} in coding cookie", path) from None
        if bom and encoding != "utf-8":
            raise SourceError(
                f"coding cookie {cookie!r} conflicts with the UTF-8 byte order mark", path
            )
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        at = exc.start + (len(UTF8_BOM) if bom else 0)
        line, column = _byte_position(raw, at)
        label = "UTF-8" if encoding == "utf-8" else encoding
        raise SourceError(f"invalid {label} at byte {at}", path, line, column) from None
    except (UnicodeError, LookupError) as exc:  # a codec that is not a text encoding
        raise SourceError(f"cannot decode with {cookie!r}: {exc}", path) from None
    if "\x00" in text:  # a multi-byte codec can decode to NUL without a zero byte
        raise SourceError("file contains a null byte", path)
    found = _BREAK_RE.search(text)
    return SourceFile(
        path=path,
        raw=raw,
        text=text,
        encoding=encoding,
        bom=bom,
        newline=found.group() if found else "\n",
        mode=mode,
        digest=hashlib.sha256(raw).hexdigest(),
    )


def encode_source(src: SourceFile, text: str) -> bytes:
    """Encode `text` the way `src` was stored (same codec, BOM re-added).

    Raises `UnicodeEncodeError` when the text holds a character the codec cannot represent.
    """
    data = text.encode(src.encoding)
    return UTF8_BOM + data if src.bom else data


def line_starts(text: str) -> list[int]:
    """Offsets at which each line starts; line breaks are `\\r\\n`, `\\r` and `\\n` only.

    A text ending with a line break has one more (empty) line starting at `len(text)`.
    """
    starts = [0]
    starts.extend(m.end() for m in _BREAK_RE.finditer(text))
    return starts


def offset(text_or_starts: str | Sequence[int], line: int, column: int) -> int:
    """The str offset of a 1-based line and 1-based column (counted in code points).

    A column may point past the end of its line's content up to the start of the next line
    (its line break included), never beyond. With a text, the offset is also bounded by its
    length; with line starts alone the last line cannot be bounded.
    """
    if isinstance(text_or_starts, str):
        starts: Sequence[int] = line_starts(text_or_starts)
        end: int | None = len(text_or_starts)
    else:
        starts = text_or_starts
        end = None
    if line < 1 or line > len(starts):
        raise ValueError(f"line {line} out of range (1..{len(starts)})")
    if column < 1:
        raise ValueError(f"column {column} out of range (columns start at 1)")
    result = starts[line - 1] + column - 1
    limit = starts[line] if line < len(starts) else end
    if limit is not None and result > limit:
        raise ValueError(f"column {column} is past the end of line {line}")
    return result


def _find_cookie(body: bytes) -> str | None:
    """The coding cookie on line 1, or on line 2 when line 1 is blank or a comment."""
    lines: list[bytes] = []
    pos = 0
    for match in _BYTE_BREAK_RE.finditer(body):
        lines.append(body[pos : match.start()])
        pos = match.end()
        if len(lines) == 2:
            break
    else:
        lines.append(body[pos:])
    for index, line in enumerate(lines[:2]):
        cookie = _COOKIE_RE.match(line)
        if cookie:
            return cookie.group(1).decode("ascii")
        if index == 0 and not _BLANK_RE.match(line):
            return None
    return None


def _byte_position(raw: bytes, at: int) -> tuple[int, int]:
    """1-based line and 1-based byte column of a byte offset (for error messages)."""
    head = raw[:at]
    breaks = list(_BYTE_BREAK_RE.finditer(head))
    if not breaks:
        return 1, at + 1
    return len(breaks) + 1, at - breaks[-1].end() + 1
