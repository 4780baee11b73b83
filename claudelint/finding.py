"""What a run produces: findings, their fixes and their estimated cost.

These types are plain data, shared by the engine, the fixer and every reporter. They carry
positions already resolved (1-based lines and columns), never syntax-tree nodes, so they can
cross process boundaries and be cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["error", "warning"]
Applicability = Literal["safe", "unsafe"]


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions (1-based line, 1-based column, end exclusive)."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_json(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "location": {"row": self.line, "column": self.column},
            "end_location": {"row": self.end_line, "column": self.end_column},
        }


@dataclass(frozen=True)
class Fix:
    title: str
    applicability: Applicability
    edits: tuple[Edit, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability,
            "title": self.title,
            "edits": [e.to_json() for e in self.edits],
        }


@dataclass(frozen=True)
class Cost:
    """An estimated cost impact: what fixing the finding saves per `calls` calls."""

    model: str
    tokens: int
    usd_saved: float
    calls: int = 1000
    assumptions: tuple[str, ...] = ()
    # A worst case avoided (e.g. a runaway answer capped by max_tokens), not an expected
    # saving: shown as "up to", and left out of the run's estimated total.
    upper_bound: bool = False

    @property
    def summary(self) -> str:
        lead = "up to " if self.upper_bound else "~"
        return f"{lead}{format_usd(self.usd_saved)} per {format_calls(self.calls)} calls"

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "tokens": self.tokens,
            "usd_per_1k_calls": round(self.usd_saved * 1000 / self.calls, 6),
            "usd_saved": round(self.usd_saved, 6),
            "calls": self.calls,
            "upper_bound": self.upper_bound,
            "assumptions": list(self.assumptions),
        }


def format_usd(amount: float) -> str:
    if amount >= 100:
        return f"${amount:,.0f}"
    if amount >= 1:
        return f"${amount:,.2f}"
    if amount >= 0.005:  # rounds to $0.01 at least
        return f"${amount:.2f}"
    # Below a cent: no "$0.0000" (or a misleading "$0.00") for a saving too small to count.
    return "<$0.01" if amount > 0 else "$0"


def format_calls(calls: int) -> str:
    if calls % 1_000_000 == 0:
        return f"{calls // 1_000_000}M"
    if calls % 1000 == 0:
        return f"{calls // 1000}k"
    return str(calls)


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    message: str
    level: Level
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Fix | None = None
    cost: Cost | None = None
    # Notebook cell (0-based index) the finding is in, when the file is a notebook; every
    # output numbers cells from 1 (JSON included).
    cell: int | None = None
    # Lines (1-based, inclusive) on which a suppression comment covers this finding.
    suppress_lines: tuple[int, int] = (0, 0)
    # Line of the statement that holds the call, for a comment on its own line above it.
    statement_line: int = 0
    source_line: str = field(default="", compare=False)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "level": self.level,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            # Numbered from 1, as text output and ruff number them.
            "cell": None if self.cell is None else self.cell + 1,
            "fix": self.fix.to_json() if self.fix else None,
            "cost": self.cost.to_json() if self.cost else None,
        }


PARSE_ERROR_CODE = "CL000"
PARSE_ERROR_NAME = "parse-error"
PARSE_ERROR_SUMMARY = "File could not be read, decoded or parsed"
PARSE_ERROR_TEXT = (
    "claudelint could not read, decode or parse this file (a syntax error, "
    "undecodable bytes, an unreadable file or a broken notebook), so it was not checked."
)


def parse_error_page() -> str:
    """The page `claudelint rule CL000` prints: CL000 is no rule class, but it is reported."""
    return (
        f"# {PARSE_ERROR_NAME} ({PARSE_ERROR_CODE})\n\n"
        "Level: error. No fix.\n\n"
        "## What it does\n\n"
        f"{PARSE_ERROR_TEXT}\n\n"
        "## Why is this bad?\n\n"
        "A file claudelint cannot parse is not checked at all: none of its calls are seen. "
        "The message names the reason and, for a syntax error, its position (in a notebook, "
        "the cell). A notebook cell that does not parse (e.g. unusual IPython syntax) is left "
        "out and reported; the other cells are still checked.\n\n"
        "## How to fix\n\n"
        "Fix the syntax error or the encoding, or exclude the file (`extend-exclude`). "
        "CL000 can be selected and ignored like a rule (`--ignore CL000`).\n"
    )


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """A file that could not be read, decoded or parsed."""
    return Finding(
        code=PARSE_ERROR_CODE,
        name=PARSE_ERROR_NAME,
        message=message,
        level="error",
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column,
    )
