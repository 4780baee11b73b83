"""What a rule receives besides the Request: settings, knowledge, edits, token counts, and
the questions every rule asks (which model, what the cache costs, what task the request does,
how it repeats) answered once here, so a rule reads like its one-sentence description."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from claudelint.finding import Cost, Level
from claudelint.knowledge.tokens import TokenEstimate, estimate_tokens
from claudelint.lint.diagnostic import (
    Diagnostic,
    FixPlan,
    ModelChoice,
    Option,
    Pricing,
    TokenCounter,
)

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.analysis.history import HistoryGrowth
    from claudelint.analysis.narrowing import Narrowed
    from claudelint.analysis.repetition import Repetition
    from claudelint.analysis.request import Request
    from claudelint.analysis.task import TaskEvidence
    from claudelint.knowledge.entries import ModelInfo
    from claudelint.knowledge.models import Knowledge
    from claudelint.lint.edits import Edits
    from claudelint.settings import Settings


class RuleInfo(Protocol):
    """What the context reads of a rule class: its name and options."""

    name: ClassVar[str]
    options: ClassVar[dict[str, Option]]


# CL201's options: the `max_tokens` a short-answer task needs at most (CL301 reads them too).
CLASSIFICATION_CAP = 64
EXTRACTION_CAP = 1024
_TASK_CAP_RULE = "oversized-max-tokens"
_TASK_CAPS = {"extraction": ("extraction-cap", EXTRACTION_CAP),
              "classification": ("classification-cap", CLASSIFICATION_CAP)}


class RuleContext:
    def __init__(self, rule: type[RuleInfo], settings: Settings, knowledge: Knowledge,
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

    def least_favourable(self, worst: Callable[[ModelInfo], float | int | None]) -> ModelChoice:
        """For a request whose model is not known (SPEC §2): the active model whose `worst`
        figure is smallest, the one that makes the rule hardest to fire (assumed). Raises
        LookupError when no active model has the figure."""
        return ModelChoice(self.knowledge.least_favourable(worst), True)

    def diagnostic(self, node: cst.CSTNode, message: str, *, fix: FixPlan | None = None,
                   cost: Cost | None = None, fallback: cst.CSTNode | None = None,
                   level: Level | None = None) -> Diagnostic:
        return Diagnostic(node, message, fix, cost, fallback, level)

    # --- the task and the code around the request (analysis/task.py, analysis/flow.py) -----

    def task(self, request: Request) -> TaskEvidence:
        """What kind of task the request performs, with the evidence."""
        cached = request._memo.get("task")
        if cached is None:
            from claudelint.analysis.task import classify_task

            cached = request._memo["task"] = classify_task(request)
        return cached

    def _flow(self, request: Request) -> Any:
        cached = request._memo.get("flow")
        if cached is None:
            from claudelint.analysis.flow import analyze_flow

            cached = request._memo["flow"] = analyze_flow(request)
        return cached

    def repetition(self, request: Request) -> Repetition | None:
        """The loop (or fan-out) that makes this request once per item, if any (CL401)."""
        return self._flow(request).repetition  # type: ignore[no-any-return]

    def not_batchable(self, request: Request) -> str | None:
        """Why the repetition search found nothing batchable, when it says."""
        return self._flow(request).not_batchable  # type: ignore[no-any-return]

    def history(self, request: Request) -> HistoryGrowth | None:
        """The message history the request re-sends and how it grows, if it does (CL501)."""
        return self._flow(request).history  # type: ignore[no-any-return]

    def narrowed(self, request: Request, name: str) -> Narrowed | None:
        """The strings argument `name` (a name the resolver cannot pin) is one of where the
        request is made, by the test of the `if` branch around it (CL302)."""
        key = "narrowed:" + name
        if key not in request._memo:
            from claudelint.analysis.narrowing import narrowed

            request._memo[key] = narrowed(request, name)
        return request._memo[key]  # type: ignore[no-any-return]

    def task_cap(self, kind: str) -> int:
        """The `max_tokens` a short-answer task of this kind needs at most (CL201's options,
        shared with CL301)."""
        key, default = _TASK_CAPS["extraction" if kind == "extraction" else "classification"]
        return int(self.settings.option(_TASK_CAP_RULE, key, default))

    # --- caching: minimums, the model a caching rule prices with, and what a miss costs ----

    def min_cacheable(self, model: ModelInfo | None) -> int:
        """The minimum cacheable prefix of `model`: its own, else the highest of its line, else
        (and for an unknown model) the highest among active models."""
        if model is not None:
            if model.min_cacheable_tokens:
                return model.min_cacheable_tokens
            same_line = [m.min_cacheable_tokens for m in self.knowledge.models()
                         if m.line == model.line and m.min_cacheable_tokens]
            if same_line:
                return max(same_line)
        return max(m.min_cacheable_tokens or 0 for m in self.knowledge.active_models())

    def cache_pricing(self, request: Request,
                      worst: Callable[[ModelInfo], float | None]) -> Pricing | None:
        """The request's model, the configured default, or (SPEC §2) the least favourable
        active model by `worst` with the highest minimum and the tokenizer that counts fewest
        tokens. None when no active model qualifies."""
        choice = self.model_or_default(request)
        if choice is not None:
            model = choice.info
            return Pricing(model, self.min_cacheable(model), model.tokenizer, choice.assumed)
        try:
            model = self.knowledge.least_favourable(worst)
        except LookupError:
            return None
        return Pricing(model, self.min_cacheable(None), "legacy", True, countable=False)

    def prefix_tokens(self, text: str, p: Pricing) -> int:
        """Low estimate (the end of the range that makes a caching rule harder to fire), or
        the exact count with --exact-tokens."""
        return self.tokens(text, p.model if p.countable else None, p.tokenizer).low

    def never_read_cost(self, p: Pricing, written: int, head: int, *, batch: bool,
                        why: str) -> Cost | None:
        """Every call writes `written` tokens at the 5-minute write price and reads nothing;
        after the fix the `head` is written once and read on every later call, and the rest
        is plain input."""
        calls = self.cost_basis_calls
        now = p.model.cost_usd(cache_write_tokens=written, batch=batch)
        first = p.model.cost_usd(cache_write_tokens=head, input_tokens=written - head,
                                 batch=batch)
        later = p.model.cost_usd(cache_read_tokens=head, input_tokens=written - head,
                                 batch=batch)
        if now is None or first is None or later is None:
            return None
        saved = now * calls - (first + later * (calls - 1))
        assumptions: tuple[str, ...] = (
            f"{written:,} tokens written to the cache on every call (low estimate from "
            "characters)",
            why,
            f"after the fix: {head:,} static tokens written once at 1.25x input, then read "
            "(calls within the 5-minute lifetime)",
        )
        if p.assumed:
            assumptions += ("model not known statically: least favourable active model",)
        if batch:
            assumptions += ("Message Batches prices (50%); batch cache hits are best-effort",)
        return Cost(p.model.id, written, max(0.0, saved), calls, assumptions)
