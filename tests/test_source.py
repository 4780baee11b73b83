from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from claudelint.workspace.source import (
    SourceError,
    SourceFile,
    decode_source,
    encode_source,
    line_starts,
    offset,
    read_source,
)

P = Path("example.py")


def test_plain_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    raw = "x = 'héllo ✓'\n".encode()
    path.write_bytes(raw)
    src = read_source(path)
    assert src.text == "x = 'héllo ✓'\n"
    assert src.encoding == "utf-8"
    assert src.bom is False
    assert src.newline == "\n"
    assert src.path == path
    assert src.raw == raw
    assert src.digest == hashlib.sha256(raw).hexdigest()
    assert src.mode == stat.S_IMODE(path.stat().st_mode)


def test_bom_is_stripped_from_text_and_restored_on_encode() -> None:
    raw = b"\xef\xbb\xbfx = 1\n"
    src = decode_source(raw, P)
    assert src.bom is True
    assert src.text == "x = 1\n"
    assert not src.text.startswith("\ufeff")
    assert encode_source(src, src.text) == raw
    assert encode_source(src, "y = 2\n") == b"\xef\xbb\xbfy = 2\n"


def test_bom_with_utf8_cookie_is_fine() -> None:
    src = decode_source(b"\xef\xbb\xbf# -*- coding: utf-8 -*-\nx = 1\n", P)
    assert src.bom is True
    assert src.encoding == "utf-8"


def test_bom_with_conflicting_cookie_is_an_error() -> None:
    with pytest.raises(SourceError, match="conflicts"):
        decode_source(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", P)


@pytest.mark.parametrize(
    "header",
    [
        b"# -*- coding: latin-1 -*-\n",
        b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n",
        b"\n# vim: set fileencoding=latin-1 :\n",
    ],
)
def test_latin1_cookie_on_line_one_or_two(header: bytes) -> None:
    raw = header + b"s = '\xe9t\xe9'\n"
    src = decode_source(raw, P)
    assert src.encoding == "iso8859-1"
    assert "s = 'été'" in src.text
    assert encode_source(src, src.text) == raw


def test_cookie_after_code_on_line_one_is_ignored() -> None:
    # Line 1 is code, so line 2's cookie does not count: the file is UTF-8 and invalid.
    raw = b"import os\n# coding: latin-1\ns = '\xe9'\n"
    with pytest.raises(SourceError) as info:
        decode_source(raw, P)
    assert info.value.reason == "invalid UTF-8 at byte 33"
    assert raw[33:34] == b"\xe9"


def test_cookie_on_line_three_is_ignored() -> None:
    src = decode_source(b"#\n#\n# coding: latin-1\nx = '\xc3\xa9'\n", P)
    assert src.encoding == "utf-8"
    assert src.text.endswith("x = 'é'\n")


def test_unknown_encoding_in_cookie() -> None:
    with pytest.raises(SourceError) as info:
        decode_source(b"# coding: foo\nx = 1\n", P)
    assert info.value.reason == "unknown encoding 'foo' in coding cookie"
    assert str(info.value) == info.value.reason


def test_invalid_utf8_reports_byte_offset_and_line() -> None:
    raw = b"x = 1\ny = '\xff'\n"
    with pytest.raises(SourceError) as info:
        decode_source(raw, P)
    assert info.value.reason == "invalid UTF-8 at byte 11"
    assert (info.value.line, info.value.column) == (2, 6)


def test_invalid_utf8_offset_counts_the_bom() -> None:
    with pytest.raises(SourceError, match="invalid UTF-8 at byte 5"):
        decode_source(b"\xef\xbb\xbfx=\xff\n", P)


def test_null_byte_is_rejected() -> None:
    with pytest.raises(SourceError, match="null byte") as info:
        decode_source(b"x = 1\ny = 2\x00\n", P)
    assert info.value.line == 2


def test_newlines_are_kept_exactly() -> None:
    raw = b"a = 1\r\nb = 2\rc = 3\nd = 4"
    src = decode_source(raw, P)
    assert src.text == "a = 1\r\nb = 2\rc = 3\nd = 4"
    assert src.newline == "\r\n"
    assert encode_source(src, src.text) == raw


@pytest.mark.parametrize(
    ("raw", "newline"),
    [(b"x\ny\r\n", "\n"), (b"x\r\ny\n", "\r\n"), (b"x\ry\n", "\r"), (b"x = 1", "\n"), (b"", "\n")],
)
def test_first_newline_wins(raw: bytes, newline: str) -> None:
    assert decode_source(raw, P).newline == newline


def test_decode_source_for_stdin_has_no_mode() -> None:
    src = decode_source(b"x = 1\n", Path("-"))
    assert src.mode is None
    assert isinstance(src, SourceFile)


def test_read_source_of_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        read_source(tmp_path)
    assert info.value.reason == "is a directory"
    assert info.value.path == tmp_path


def test_read_source_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read_source(tmp_path / "missing.py")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_read_source_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.py"
    path.write_text("x = 1\n")
    path.chmod(0)
    try:
        with pytest.raises(SourceError) as info:
            read_source(path)
        assert info.value.reason == "permission denied"
    finally:
        path.chmod(0o644)


def test_line_starts_breaks_only_on_cr_lf_crlf() -> None:
    text = "a\x0cb\x1cc\u2028d\x85e\nf\r\ng\rh"
    assert line_starts(text) == [0, 10, 13, 15]
    assert len(text.splitlines()) > len(line_starts(text))  # the trap this avoids


def test_line_starts_trailing_newline_adds_empty_line() -> None:
    assert line_starts("") == [0]
    assert line_starts("x\n") == [0, 2]
    assert line_starts("x\r\n\r\n") == [0, 3, 5]


def test_offset_uses_code_points() -> None:
    text = "é = '✓'\r\nab = 1\n"
    assert offset(text, 1, 1) == 0
    assert text[offset(text, 1, 6) :].startswith("✓")
    assert text[offset(text, 2, 1) :].startswith("ab")
    starts = line_starts(text)
    assert offset(starts, 2, 4) == offset(text, 2, 4)
    assert text[offset(text, 3, 1) :] == ""


def test_offset_allows_end_of_line_but_not_beyond() -> None:
    text = "ab\ncd"
    assert offset(text, 1, 3) == 2  # just before the line break
    assert offset(text, 1, 4) == 3  # just after it (= start of line 2)
    with pytest.raises(ValueError):
        offset(text, 1, 5)
    assert offset(text, 2, 3) == 5
    with pytest.raises(ValueError):
        offset(text, 2, 4)


@pytest.mark.parametrize(("line", "column"), [(0, 1), (3, 1), (1, 0)])
def test_offset_rejects_out_of_range(line: int, column: int) -> None:
    with pytest.raises(ValueError):
        offset("a\nb", line, column)


def test_encode_source_raises_on_unrepresentable_char() -> None:
    src = decode_source(b"# coding: latin-1\nx = 1\n", P)
    with pytest.raises(UnicodeEncodeError):
        encode_source(src, "x = '€'\n")


def test_read_source_permission_denied_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import claudelint.workspace.source as source_module

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(source_module, "open", denied, raising=False)
    with pytest.raises(SourceError) as info:
        read_source(tmp_path / "x.py")
    assert info.value.reason == "permission denied"
