"""Suppression comments (SPEC §7).

Line suppressions, on the reported line, on any line of the call, or on comment-only lines
directly above the statement:

    # noqa                         every code (like flake8 and ruff)
    # noqa: CL101, CL102           codes or rule names, separated by commas or spaces
    # noqa: missing-cache-control
    # claudelint: ignore[CL101, CL401]
    # claudelint: ignore           every code

File suppressions, on a comment-only line before the first statement (a module docstring may
come first):

    # claudelint: file-ignore[CL101]
    # claudelint: file-ignore      every code except CL000, which must be named

Only real comments count, found with `tokenize`; text in strings never suppresses. Matching is
case-insensitive. Parse errors (CL000) are never suppressed by line comments.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from claudelint.finding import PARSE_ERROR_CODE, Finding

Kind = Literal["noqa", "ignore", "file-ignore"]
ALL = "*"

_CODE = r"[A-Za-z]{1,8}[0-9]{1,5}"
_NAME = r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+"
_TOKEN = rf"(?:{_NAME}|{_CODE})(?![\w-])"
_NOQA_RE = re.compile(
    rf"#\s*noqa(?![\w-])(?P<colon>\s*:\s*(?P<codes>{_TOKEN}(?:(?:\s*,\s*|\s+){_TOKEN})*)?)?",
    re.IGNORECASE,
)
_CLAUDELINT_RE = re.compile(
    r"#\s*claudelint\s*:\s*(?P<kind>file-ignore|ignore)(?![\w-])"
    r"(?:\s*\[(?P<codes>[^\]\n]*)\]|(?!\s*\[))",
    re.IGNORECASE,
)
_CODE_RE = re.compile(_CODE)
_SPLIT_RE = re.compile(r"[\s,]+")
_BREAK_RE = re.compile(r"\r\n|\r")


@dataclass(frozen=True)
class Directive:
    """One suppression comment."""

    line: int
    column: int  # 1-based column of its `#`
    kind: Kind
    # Codes upper-cased and rule names lower-cased, as written; None for a bare directive.
    codes: tuple[str, ...] | None
    comment_only: bool
    text: str
    # A directive with a colon or brackets but no readable code: it suppresses nothing.
    invalid: bool = False
    # The whole comment the directive is part of, and the 1-based column of its `#` (for
    # edits that remove the directive: CL001).
    comment: str = ""
    comment_column: int = 0
    # The 1-based column just past the directive (past its last code when it lists codes):
    # where `--add-noqa` appends codes.
    end_column: int = 0

    def match(self, finding: Finding, *, bare: bool = True) -> str | None:
        """The token of this directive that covers `finding` (`ALL` for a bare one), or None."""
        if self.codes is None:
            return ALL if bare else None
        code, name = finding.code.upper(), finding.name.lower()
        for token in self.codes:
            if token in (code, name):
                return token
        return None

    @property
    def tokens(self) -> tuple[str, ...]:
        return (ALL,) if self.codes is None else self.codes


@dataclass
class Suppressions:
    # Line suppressions (noqa, ignore) by line.
    lines: dict[int, list[Directive]] = field(default_factory=dict)
    # File suppressions from the top of the file.
    file: list[Directive] = field(default_factory=list)
    # File suppressions found after the first statement: they suppress nothing.
    misplaced: list[Directive] = field(default_factory=list)
    # Lines that hold nothing but a comment.
    comment_only: set[int] = field(default_factory=set)
    # (line, token) of each directive token that suppressed something; token is `ALL` for a
    # bare directive, else the code or name as normalised in `Directive.codes`.
    used: set[tuple[int, str]] = field(default_factory=set)

    @property
    def directives(self) -> list[Directive]:
        found = [d for ds in self.lines.values() for d in ds] + self.file + self.misplaced
        return sorted(found, key=lambda d: (d.line, d.column))

    def covers(self, finding: Finding, *, bare: bool = True) -> bool:
        """Whether a suppression covers `finding`; records the suppression used. With
        `bare=False` only a directive that names the finding's code covers it (for findings
        about the suppressions themselves: a bare directive does not hide its own)."""
        parse_error = finding.code.upper() == PARSE_ERROR_CODE
        for directive in self.file:
            token = directive.match(finding, bare=bare and not parse_error)
            if token is not None:
                self.used.add((directive.line, token))
                return True
        if parse_error:
            return False
        for line in self._candidate_lines(finding):
            for directive in self.lines.get(line, ()):
                token = directive.match(finding, bare=bare)
                if token is not None:
                    self.used.add((directive.line, token))
                    return True
        return False

    def unused(self) -> list[tuple[Directive, str]]:
        """Directive tokens that suppressed nothing (call after `covers` has seen everything)."""
        return [
            (d, token)
            for d in self.directives
            if d.kind != "file-ignore" or d in self.file
            for token in d.tokens
            if (d.line, token) not in self.used
        ]

    def _candidate_lines(self, finding: Finding) -> Iterator[int]:
        first, last = finding.suppress_lines
        if first <= 0:
            first, last = finding.line, max(finding.line, finding.end_line)
        yield finding.line
        yield from range(first, last + 1)
        line = (finding.statement_line or min(first, finding.line)) - 1
        while line in self.comment_only:
            yield line
            line -= 1


def parse_suppressions(text: str) -> Suppressions:
    """Find the suppression comments of a module."""
    result = Suppressions()
    lowered = text.lower()
    if "noqa" not in lowered and "claudelint" not in lowered:
        return result  # the common case: no need to tokenize
    comments, first_statement = _scan(text)
    for line, column, comment, comment_only in comments:
        if comment_only:
            result.comment_only.add(line)
        for directive in _directives(line, column, comment, comment_only):
            if directive.kind != "file-ignore":
                result.lines.setdefault(line, []).append(directive)
            elif comment_only and line < first_statement:
                result.file.append(directive)
            else:
                result.misplaced.append(directive)
    return result


def filter_suppressed(findings: Iterable[Finding], text: str) -> list[Finding]:
    """The findings no suppression comment of `text` covers."""
    suppressions = parse_suppressions(text)
    return [f for f in findings if not suppressions.covers(f)]


# --- reading comments ------------------------------------------------------------------------

# (line, 0-based column, comment text, whether the line holds nothing else)
Comment = tuple[int, int, str, bool]

_SKIP = frozenset({tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING})


def _scan(text: str) -> tuple[list[Comment], int]:
    """The comments of `text` and the line of its first statement (a docstring excepted).

    Lines are split on `\\r\\n`, `\\r` and `\\n`, as libcst does. When tokenizing fails, the
    lines after the last token read are scanned with a quote-aware heuristic.
    """
    normalized = _BREAK_RE.sub("\n", text)
    lines = normalized.split("\n")
    comments: list[Comment] = []
    first_statement: int | None = None
    docstring: int | None = None  # line where a leading string starts
    docstring_done = False  # that string was a whole statement: a docstring
    last_row = 0
    failed = False
    in_string = False
    try:
        for tok in tokenize.generate_tokens(io.StringIO(normalized).readline):
            last_row = max(last_row, tok.end[0])
            if tok.type == tokenize.COMMENT:
                row, col = tok.start
                only = lines[row - 1][:col].strip() == ""
                comments.append((row, col, tok.string, only))
            elif first_statement is not None or tok.type == tokenize.ENDMARKER:
                pass
            elif tok.type == tokenize.NEWLINE:
                docstring_done = docstring is not None
            elif tok.type in _SKIP:
                pass
            elif docstring_done:
                first_statement = tok.start[0]
            elif tok.type == tokenize.STRING and docstring is None:
                docstring = tok.start[0]
            elif tok.type == tokenize.STRING:
                pass  # implicit concatenation
            else:  # a statement, or a leading string that is part of an expression
                first_statement = docstring if docstring is not None else tok.start[0]
    except (tokenize.TokenError, SyntaxError) as exc:
        failed = True
        # The message only: from Python 3.12 `str(exc)` also names the file, "<string>".
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc.args[0] if exc.args else "")
        in_string = "string" in message.lower()
    if failed and not in_string:
        seen = {c[0] for c in comments}
        for row in range(last_row + 1, len(lines) + 1):
            line = lines[row - 1]
            at = _heuristic_comment(line)
            if at is not None and row not in seen:
                comments.append((row, at, line[at:], line[:at].strip() == ""))
    if first_statement is None:
        if docstring is not None and not docstring_done:
            first_statement = docstring
        elif failed and last_row == 0:
            first_statement = _first_code_line(lines)
        else:
            first_statement = len(lines) + 1
    return comments, first_statement


def _heuristic_comment(line: str) -> int | None:
    """The column of a `#` outside quotes on a line, by a simple scan."""
    quote: str | None = None
    escaped = False
    for index, char in enumerate(line):
        if quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            return index
    return None


def _first_code_line(lines: list[str]) -> int:
    for index, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return index
    return len(lines) + 1


def _directives(line: int, column: int, comment: str, comment_only: bool) -> Iterator[Directive]:
    for kind, match, codes in _matches(comment):
        yield Directive(
            line,
            column + match.start() + 1,
            kind,
            codes,
            comment_only,
            match.group().strip(),
            invalid=codes == (),
            comment=comment,
            comment_column=column + 1,
            end_column=column + match.end() + 1,
        )


def _matches(comment: str) -> Iterator[tuple[Kind, re.Match[str], tuple[str, ...] | None]]:
    """The directives of one comment: (kind, match, codes; None for a bare directive, () for
    one with a colon or brackets but no readable code)."""
    for match in _NOQA_RE.finditer(comment):
        codes_text = match.group("codes")
        if match.group("colon") is not None and codes_text is None:
            yield "noqa", match, ()
        else:
            yield "noqa", match, _normalise(codes_text) if codes_text is not None else None
    for match in _CLAUDELINT_RE.finditer(comment):
        kind: Kind = "file-ignore" if match.group("kind").lower() == "file-ignore" else "ignore"
        codes_text = match.group("codes")
        yield kind, match, _normalise(codes_text) if codes_text is not None else None


def _normalise(codes_text: str) -> tuple[str, ...]:
    tokens = (t for t in _SPLIT_RE.split(codes_text.strip()) if t)
    return tuple(normalise_token(t) for t in tokens)


def normalise_token(token: str) -> str:
    """A code upper-cased, a rule name lower-cased, as in `Directive.codes`."""
    return token.upper() if _CODE_RE.fullmatch(token) else token.lower()
