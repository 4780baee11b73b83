"""CL203 invalid-thinking-config."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import (
    Cost,
    DictV,
    Invalid,
    ListV,
    Rule,
    Text,
    Valid,
    const_int,
    const_str,
    walk_texts,
)

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.api import Diagnostic, Request, RuleContext, Value

_Q = "messages=[{'role': 'user', 'content': 'Prove it.'}]"
_INTERLEAVED = "interleaved-thinking"


class InvalidThinkingConfig(Rule):
    """## What it does
    Finds manual extended-thinking settings the API rejects:
    - `budget_tokens` below 1,024;
    - `budget_tokens` equal to or above `max_tokens` (the budget is part of `max_tokens`),
      unless interleaved thinking is on (the `interleaved-thinking-*` beta), where the
      budget covers the whole turn;
    - `thinking={"type": "enabled", ...}` on a model that does not accept manual thinking:
      Claude Opus 4.7 and later, Sonnet 5, Fable and Mythos 5.x accept only adaptive
      thinking (some also `disabled`), per the knowledge base's `thinking_modes`.

    ## Why is this bad?
    The API answers with `400 invalid_request_error`, so every call fails. Nothing is billed
    for a rejected request: the finding's cost line is $0 and the cost is the failed call.

    ## Known problems
    Only literal values are checked. A beta header set on the client (`default_headers`) in
    another module is not seen; when the file itself sets `default_headers` and mentions
    interleaved thinking, the budget-versus-`max_tokens` check stays silent.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=8000,
        thinking={"type": "enabled", "budget_tokens": 16000},
        messages=[{"role": "user", "content": "Prove that there are infinitely many primes."}],
    )
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=20000,
        thinking={"type": "enabled", "budget_tokens": 16000},
        messages=[{"role": "user", "content": "Prove that there are infinitely many primes."}],
    )
    ```

    ## Fix safety
    No fix: raising `max_tokens` raises the cost ceiling, lowering the budget changes the
    answer, and moving to adaptive thinking changes how much the model thinks. The right
    choice is the author's.

    ## Options
    None. The minimum budget and each model's thinking modes come from the knowledge base.

    ## References
    - https://platform.claude.com/docs/en/build-with-claude/extended-thinking
    - https://platform.claude.com/docs/en/build-with-claude/adaptive-thinking
    """

    code = "CL203"
    name = "invalid-thinking-config"
    summary = "Thinking budget or mode the API rejects"
    level = "error"
    fix_safety = "none"

    valid = (
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-opus-4-8', max_tokens=16000,
                thinking={{'type': 'adaptive'}}, {_Q})
            """,
        ),
        # Interleaved thinking: the budget may exceed max_tokens.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.beta.messages.create(model='claude-sonnet-4-6', max_tokens=4000,
                thinking={{'type': 'enabled', 'budget_tokens': 10000}},
                betas=['interleaved-thinking-2025-05-14'], {_Q})
            """,
        ),
        # Unknown budget, unknown model: silent.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            def ask(model, budget):
                return client.messages.create(model=model, max_tokens=4000,
                    thinking={{'type': 'enabled', 'budget_tokens': budget}}, {_Q})
            """,
        ),
        # A model with no thinking data (Sonnet 5.5): the mode is not judged.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-5-5', max_tokens=16000,
                thinking={{'type': 'enabled', 'budget_tokens': 4000}}, {_Q})
            """,
        ),
    )
    invalid = (
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=2048,
                thinking={{'type': 'enabled', 'budget_tokens': 4096}}, {_Q})
            """,
            expected=((4, 51),),
            message="less than max_tokens",
        ),
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            THINKING = {'type': 'enabled', 'budget_tokens': 512}
            def solve(q):
                return client.messages.create(model='claude-haiku-4-5', max_tokens=4000,
                    thinking=THINKING, messages=[{'role': 'user', 'content': q}])
            """,
            expected=((6, 18),),
            message="at least 1,024",
        ),
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-opus-5-5', max_tokens=16000,
                thinking={{'type': 'enabled', 'budget_tokens': 8000}}, {_Q})
            """,
            expected=((4, 23),),
            message="adaptive",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        thinking = request.value("thinking")
        arg = request.arg("thinking")
        if not isinstance(thinking, DictV) or arg is None:
            return
        kind = const_str(thinking.get("type"))
        model = ctx.model_of(request)
        model_name = model.id if model is not None else "unknown"
        cost = Cost(
            model_name, 0, 0.0, ctx.cost_basis_calls,
            ("the API rejects the request (400) before any tokens are processed: nothing is "
             "billed; the cost is a request that fails on every call",),
        )
        if kind == "enabled" and model is not None and model.accepts_thinking("enabled") is False:
            accepted = ", ".join(model.thinking_modes)
            yield ctx.diagnostic(
                _node(thinking.get("type"), arg.node),
                f"{model.id} rejects `thinking.type=\"enabled\"` (it accepts: {accepted}): use "
                "`{\"type\": \"adaptive\"}` and steer depth with `output_config` effort",
                cost=cost, fallback=arg.node if not arg.via_kwargs else request.call,
            )
            return
        if kind not in ("enabled", None):
            return
        budget_value = thinking.get("budget_tokens")
        budget = const_int(budget_value)
        if budget is None:
            return
        minimum = int(ctx.knowledge.thinking.get("budget_tokens_min", 1024))
        node = _node(budget_value, arg.node)
        if budget < minimum:
            yield ctx.diagnostic(
                node,
                f"thinking budget_tokens={budget:,} must be at least {minimum:,}: the API "
                "rejects the request",
                cost=cost, fallback=arg.node if not arg.via_kwargs else request.call,
            )
            return
        max_tokens = request.max_tokens
        if max_tokens is None or budget < max_tokens or self._interleaved(request):
            return
        yield ctx.diagnostic(
            node,
            f"thinking budget_tokens={budget:,} must be less than max_tokens={max_tokens:,} "
            "(thinking counts against max_tokens): the API rejects the request",
            cost=cost, fallback=arg.node if not arg.via_kwargs else request.call,
        )

    def _interleaved(self, request: Request) -> bool:
        """Interleaved thinking may be on: a beta or header of the request names it, a beta
        list or header dict is not fully known, or the file sets client default headers and
        mentions interleaved thinking."""
        for name in ("betas", "extra_headers"):
            value = request.value(name)
            if value is None:
                continue
            if not _fully_known(value):
                return True
            if any(_INTERLEAVED in t.known for t in walk_texts(value)):
                return True
        if request.unknown_kwargs or not request.in_file:
            return True
        # A client-wide beta header (`default_headers=` on the client or `with_options`).
        return request.file_mentions("interleaved", "default_headers")


def _fully_known(value: Value) -> bool:
    if isinstance(value, Text):
        return not value.holes
    if isinstance(value, (ListV, DictV)):
        items = value.items if isinstance(value, ListV) else tuple(v for _, v in value.items)
        return value.complete and all(_fully_known(v) for v in items)
    return False


def _node(value: Value | None, fallback: cst.CSTNode) -> cst.CSTNode:
    if value is not None and value.node is not None:
        return value.node
    return fallback
