"""What a rule receives besides the Request, and what it yields."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from claudelint.finding import Applicability, Cost, Fix, Level
from claudelint.knowledge.tokens import TokenEstimate, estimate_tokens

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.analysis.request import Request
    from claudelint.knowledge.models import Knowledge, ModelInfo
    from claudelint.lint.edits import Edits
    from claudelint.lint.rule import Rule
    from claudelint.lint.suppress import Suppressions
    from claudelint.settings import Settings


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


@dataclass(frozen=True)
class ModelChoice:
    """The model a rule reasons about: the request's own, the configured default, or the
    least favourable active model (`assumed` True for the last two)."""

    info: ModelInfo
    assumed: bool


class RuleContext:
    def __init__(self, rule: type[Rule], settings: Settings, knowledge: Knowledge,
                 edits: Edits, path: str = "", counter: TokenCounter | None = None) -> None:
        self.rule = rule
        self.settings = settings
        self.knowledge = knowledge
        self.edit = edits
        # The path of the file being linted, as given (for rules that read file names).
        self.path = path
        # Exact counts from the count_tokens endpoint (`--exact-tokens`), or None.
        self.counter = counter

    @property
    def cost_basis_calls(self) -> int:
        return self.settings.cost_basis_calls

    @property
    def today(self) -> datetime.date:
        """The date date-dependent verdicts are judged on (`Settings.today`)."""
        return self.settings.today

    def option(self, key: str) -> Any:
        opt = self.rule.options[key]
        return self.settings.option(self.rule.name, key, opt.default)

    def tokens(self, text: str, model: ModelInfo | None = None,
               tokenizer: str | None = None) -> TokenEstimate:
        """How many tokens `text` is. With `--exact-tokens` and a known model, the count the
        API gives for `model` (an exact `TokenEstimate`, low == high); otherwise, or when the
        API gives no count, the offline estimate for `tokenizer` (default: the model's, else
        "legacy"). Rules take `.low` or `.high` as before: with an exact count both agree."""
        if self.counter is not None and model is not None and text and model.status != "retired":
            exact = self.counter.count(text, model.id)
            if exact is not None:
                return TokenEstimate.exact(exact)
        if tokenizer is None:
            tokenizer = model.tokenizer if model is not None else "legacy"
        return estimate_tokens(text, tokenizer)

    def model_of(self, request: Request) -> ModelInfo | None:
        model_id = request.model_id
        if model_id is None:
            return None
        return self.knowledge.get(model_id)

    def model_or_default(self, request: Request) -> ModelChoice | None:
        """The request's model if known; else `default-model` from config; else None (the
        caller picks the least favourable figure for its own question)."""
        info = self.model_of(request)
        if info is not None:
            return ModelChoice(info, False)
        if request.model_id is None and self.settings.default_model:
            default = self.knowledge.get(self.settings.default_model)
            if default is not None:
                return ModelChoice(default, True)
        return None

    def diagnostic(self, node: cst.CSTNode, message: str, *, fix: FixPlan | None = None,
                   cost: Cost | None = None, fallback: cst.CSTNode | None = None,
                   level: Level | None = None) -> Diagnostic:
        return Diagnostic(node, message, fix, cost, fallback, level)
