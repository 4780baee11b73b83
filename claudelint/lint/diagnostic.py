"""What rules yield and receive besides the context: diagnostics, fix plans, file facts, the
model a rule reasons about, and rule options. A leaf of the lint layer: it imports nothing else
from claudelint.lint, so the context, the edits and the rule base can all use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from claudelint.finding import Applicability, Cost, Fix, Level

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.knowledge.entries import ModelInfo
    from claudelint.lint.suppress import Suppressions


@dataclass(frozen=True)
class Option:
    """A per-rule option, set under `[options.<rule-name>]`."""

    default: Any
    type: type
    help: str


class TokenCounter(Protocol):
    """Exact token counts (`--exact-tokens`): `count` returns None when it has no count."""

    def count(self, text: str, model: str) -> int | None: ...


@dataclass(frozen=True, eq=False)
class NodeEdit:
    """Replace a syntax node with new source text (built from the user's own nodes)."""

    node: cst.CSTNode
    content: str


@dataclass(frozen=True, eq=False)
class FixPlan:
    title: str
    applicability: Applicability
    edits: tuple[NodeEdit, ...]


@dataclass(frozen=True, eq=False)
class Diagnostic:
    node: cst.CSTNode
    message: str
    fix: FixPlan | None = None
    cost: Cost | None = None
    # Reported instead of `node` when `node` lies outside the request's statement (a
    # constant defined elsewhere in the file): findings point into the call.
    fallback: cst.CSTNode | None = None
    # Overrides the rule's level for this finding (CL302: retired is an error, deprecated a
    # warning).
    level: Level | None = None


@dataclass(frozen=True, eq=False)
class LineDiagnostic:
    """What a file rule yields: a finding at a position in the file's text (1-based lines and
    columns, end exclusive), with a fix made of text edits."""

    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    fix: Fix | None = None
    cost: Cost | None = None


@dataclass(frozen=True, eq=False)
class FileFacts:
    """What a file rule reads: the file's text and lines, its suppression comments (after the
    other rules' findings were matched against them), and which rules are checked in it."""

    path: str
    text: str
    lines: list[str]
    suppressions: Suppressions
    # Whether the rule with this code is enabled for this file (selected, and not ignored for
    # the file by `per-file-ignores`).
    checked: Callable[[str], bool]
    # The code of the claudelint rule a token names (its code in any case, or its name), or
    # None when no rule has that code or name.
    rule_code: Callable[[str], str | None]


@dataclass(frozen=True)
class ModelChoice:
    """The model a rule reasons about: the request's own, the configured default, or the
    least favourable active model (`assumed` True for the last two)."""

    info: ModelInfo
    assumed: bool


@dataclass(frozen=True)
class Pricing:
    """The model a caching rule prices with, its minimum cacheable length and tokenizer."""

    model: ModelInfo
    minimum: int
    tokenizer: str
    assumed: bool
    # The model is the request's own or the configured default (not the least favourable
    # stand-in): token counts can be exact (--exact-tokens).
    countable: bool = True

    @property
    def name(self) -> str:
        return "an unknown model" if self.assumed else self.model.id
