"""`--add-noqa`: write a `# noqa: CODE` for every current finding, to adopt claudelint in an
existing codebase with a clean baseline.

A comment goes at the end of a line of the reported call whose end is not inside a string and
not continued with a backslash (the reported line first). An existing `# noqa: ...` list on
that line gets the new codes appended; codes already there are not repeated; a bare `# noqa`
already covers everything.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence

from claudelint.finding import PARSE_ERROR_CODE, Finding

_NOQA_CODES = re.compile(
    r"#\s*noqa\s*:\s*(?P<codes>[A-Za-z0-9_\-]+(?:(?:\s*,\s*|\s+)[A-Za-z][A-Za-z0-9_\-]*)*)",
    re.IGNORECASE,
)
_BARE_NOQA = re.compile(r"#\s*noqa(?!\s*:)(?![\w-])", re.IGNORECASE)
# CL001 unused-suppression: a finding about a suppression is never answered with another.
_UNUSED_SUPPRESSION = "CL001"
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def _lines(text: str) -> list[str]:
    parts = _LINE_RE.findall(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def _safe_line_ends(text: str) -> tuple[set[int], dict[int, tuple[int, str]]]:
    """Lines whose end is a real line end (not inside a string, not a backslash
    continuation), and the comment on each line (column, text)."""
    normalized = re.sub(r"\r\n|\r", "\n", text)
    safe: set[int] = set()
    comments: dict[int, tuple[int, str]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(normalized).readline):
            if tok.type in (tokenize.NEWLINE, tokenize.NL):
                safe.add(tok.start[0])
            elif tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = (tok.start[1], tok.string)
    except (tokenize.TokenError, SyntaxError):
        pass
    return safe, comments


def add_noqa(text: str, findings: Sequence[Finding]) -> tuple[str, int]:
    """The text with noqa comments for `findings`, and how many codes were added."""
    safe, comments = _safe_line_ends(text)
    wanted: dict[int, list[str]] = {}
    for f in findings:
        if f.code in (PARSE_ERROR_CODE, _UNUSED_SUPPRESSION):
            continue
        lo, hi = f.suppress_lines if f.suppress_lines != (0, 0) else (f.line, f.end_line)
        candidates = [f.line, *range(lo, hi + 1)]
        line = next((ln for ln in candidates if ln in safe), None)
        if line is None:
            continue
        codes = wanted.setdefault(line, [])
        if f.code not in codes:
            codes.append(f.code)
    lines = _lines(text)
    added = 0
    for line, codes in wanted.items():
        if line > len(lines):
            continue
        raw = lines[line - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body):]
        comment = comments.get(line)
        if comment is not None and _BARE_NOQA.search(comment[1]):
            continue
        if comment is not None and (m := _NOQA_CODES.search(comment[1])):
            present = [c.upper() for c in re.split(r"[\s,]+", m.group("codes")) if c]
            new = [c for c in codes if c.upper() not in present]
            if not new:
                continue
            start = comment[0] + m.end("codes")
            body = body[:start] + ", " + ", ".join(new) + body[start:]
            added += len(new)
        else:
            body = body.rstrip() + "  # noqa: " + ", ".join(codes)
            added += len(codes)
        lines[line - 1] = body + ending
    return "".join(lines), added
