"""`--add-noqa`: write a `# noqa: CODE` for every current finding, to adopt claudelint in an
existing codebase with a clean baseline.

A comment goes at the end of a line of the reported call whose end is not inside a string and
not continued with a backslash (the reported line first). Existing directives are read by the
suppression parser (`lint.suppress`), as the next run will read them: a `# noqa: ...` list on
that line gets the new codes appended after its last code; codes already there are not
repeated; a bare `# noqa` already covers everything; a `# noqa:` without a readable code gets
a new directive after it.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence

from claudelint.finding import PARSE_ERROR_CODE, Finding
from claudelint.lint.suppress import parse_suppressions

# CL001 unused-suppression: a finding about a suppression is never answered with another.
_UNUSED_SUPPRESSION = "CL001"
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def _lines(text: str) -> list[str]:
    parts = _LINE_RE.findall(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def _safe_line_ends(text: str) -> set[int]:
    """Lines whose end is a real line end (not inside a string, not a backslash
    continuation)."""
    normalized = re.sub(r"\r\n|\r", "\n", text)
    safe: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(normalized).readline):
            if tok.type in (tokenize.NEWLINE, tokenize.NL):
                safe.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass
    return safe


def add_noqa(text: str, findings: Sequence[Finding]) -> tuple[str, int]:
    """The text with noqa comments for `findings`, and how many codes were added."""
    safe = _safe_line_ends(text)
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
    if not wanted:
        return text, 0
    # The directives already there, read as the suppressions will read them.
    existing = parse_suppressions(text).lines
    lines = _lines(text)
    added = 0
    for line, codes in wanted.items():
        if line > len(lines):
            continue
        raw = lines[line - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body):]
        noqas = [d for d in existing.get(line, ()) if d.kind == "noqa"]
        if any(d.codes is None for d in noqas):
            continue  # a bare noqa directive covers everything
        listed = next((d for d in noqas if d.codes), None)
        if listed is not None and listed.codes:
            present = {c.upper() for c in listed.codes}
            new = [c for c in codes if c.upper() not in present]
            if not new:
                continue
            start = listed.end_column - 1
            body = body[:start] + ", " + ", ".join(new) + body[start:]
            added += len(new)
        else:
            body = body.rstrip() + "  # noqa: " + ", ".join(codes)
            added += len(codes)
        lines[line - 1] = body + ending
    return "".join(lines), added
