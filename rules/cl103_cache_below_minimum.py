"""CL103 cache-below-minimum."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import (
    Cost,
    Invalid,
    Rule,
    Valid,
    estimate_tokens,
    request_blocks,
    top_level_breakpoint,
)

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.api import Diagnostic, ModelInfo, Request, RuleContext

# Per block (role, block framing): added to the high estimate so a finding stays sure.
_BLOCK_OVERHEAD = 10
# The hidden tool-use system prompt the API adds when tools are present (up to ~804 tokens,
# facts §6); whether it counts toward the minimum is not documented, so assume it does.
_TOOLS_OVERHEAD = 850
_CC = "{'type': 'ephemeral'}"
_DOC = 'Section 4.2: refunds are issued within 14 days of a return. ' * 120


class CacheBelowMinimum(Rule):
    """## What it does
    Finds a cache breakpoint whose prefix — everything from the tools through the block that
    carries `cache_control`, or the whole prompt for a top-level `cache_control` — is clearly
    shorter than the model's minimum cacheable length (512 to 4,096 tokens depending on the
    model). Only the request's last breakpoint is judged, and only when every character up to
    it is known: the rule takes the high end of the token estimate, adds the framing of each
    block and the hidden tool-use prompt when tools are present, and fires only when even
    that is below the minimum.

    ## Why is this bad?
    Below the minimum the API caches nothing and says nothing: the request succeeds, and
    `cache_creation_input_tokens` and `cache_read_input_tokens` both come back 0. The prefix
    is billed as plain input on every call while the code looks cached. No write premium is
    charged either, so removing the breakpoint saves nothing: the finding's cost line is $0,
    and its assumptions give the saving the breakpoint was meant to bring, which caching a
    longer prefix (or nothing) would settle.

    ## Known problems
    An earlier breakpoint below the minimum followed by a later one is not reported: the
    later breakpoint may cache the longer prefix, and the earlier one then only costs a slot.
    With an unknown model the smallest minimum among active models (512) is used.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()

    def answer(question: str) -> str:
        response = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=512,
            system=[
                {
                    "type": "text",
                    "text": "You are a helpful assistant for Acme. Answer briefly.",
                    "cache_control": {"type": "ephemeral"},
                }
            ],
            messages=[{"role": "user", "content": question}],
        )
        return response.content[0].text
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()

    def answer(question: str) -> str:
        response = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=512,
            system="You are a helpful assistant for Acme. Answer briefly.",
            messages=[{"role": "user", "content": question}],
        )
        return response.content[0].text
    ```

    ## Fix safety
    No fix: whether to drop the breakpoint or to cache a longer prefix (tools, a longer
    system prompt, few-shot examples) is the author's choice.

    ## Options
    None. Minimums per model come from the knowledge base (`min_cacheable_tokens`).

    ## References
    - https://platform.claude.com/docs/en/build-with-claude/prompt-caching#cache-limitations
    """

    code = "CL103"
    name = "cache-below-minimum"
    summary = "Cache breakpoint on a prefix below the model's minimum cacheable length"
    level = "warning"
    fix_safety = "none"

    valid = (
        # Long enough.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            DOC = {_DOC!r}
            def ask(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': DOC, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # The prefix includes a value of unknown size: not surely below.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q, policy):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{'type': 'text', 'text': 'Policy: ' + policy,
                             'cache_control': {'type': 'ephemeral'}}],
                    messages=[{'role': 'user', 'content': q}])
            """,
        ),
        # A small breakpoint followed by a later one: the later one decides.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            def ask(q, history):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': 'Be brief.', 'cache_control': {_CC}}}],
                    messages=[*history, {{'role': 'user', 'content': [
                        {{'type': 'text', 'text': q, 'cache_control': {{'type': 'ephemeral'}}}}]}}])
            """,
        ),
    )
    invalid = (
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(model='claude-opus-4-6', max_tokens=512,
                    system=[{'type': 'text', 'text': 'You are a concise assistant.',
                             'cache_control': {'type': 'ephemeral'}}],
                    messages=[{'role': 'user', 'content': q}])
            """,
            expected=((5, 17),),
            message="4,096",
        ),
        # Top-level automatic caching on a short, fully static prompt.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            for _ in range(3):
                client.messages.create(model='claude-sonnet-4-6', max_tokens=64,
                    system='Reply with OK.', cache_control={'type': 'ephemeral'},
                    messages=[{'role': 'user', 'content': 'ping'}])
            """,
            expected=((5, 48),),
            message="1,024",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        blocks = list(request_blocks(request))
        top_arg = request.arg("cache_control")
        node: cst.CSTNode
        if top_level_breakpoint(request) is not None and top_arg is not None:
            # Automatic caching: the breakpoint goes on the last block, the whole prompt.
            prefix, arg, node = blocks, top_arg, top_arg.node
        else:
            marked = [i for i, b in enumerate(blocks) if b.breakpoint is not None]
            if not marked:
                return
            last = blocks[marked[-1]]
            prefix, arg, node = blocks[: marked[-1] + 1], last.arg, last.node or last.arg.node
        if not prefix or any(b.text is None for b in prefix):
            return  # some part of the prefix has an unknown size: not surely below
        choice = ctx.model_or_default(request)
        model = choice.info if choice is not None else None
        minimum, who = _minimum(ctx, model)
        if minimum is None:
            return
        if model is not None:
            tokens = sum(_BLOCK_OVERHEAD + ctx.tokens(b.text or "", model).high for b in prefix)
        else:
            tokens = sum(
                _BLOCK_OVERHEAD + max(estimate_tokens(b.text or "", t).high
                                      for t in ctx.knowledge.tokenizer_names())
                for b in prefix
            )
        if any(b.where == "tools" for b in prefix):
            tokens += _TOOLS_OVERHEAD
        if tokens >= minimum:
            return
        wheres: list[str] = []
        for b in prefix:
            if b.where not in wheres:
                wheres.append(b.where)
        message = (
            f"cache breakpoint on a prefix of at most ~{tokens:,} tokens "
            f"({' + '.join(wheres)}): {who} caches prefixes from {minimum:,} tokens, so "
            "nothing is cached or read"
        )
        yield ctx.diagnostic(node, message, cost=_cost(model, tokens, ctx.cost_basis_calls),
                             fallback=arg.node if not arg.via_kwargs else request.call)


def _minimum(ctx: RuleContext, model: ModelInfo | None) -> tuple[int | None, str]:
    """The smallest minimum the model may have (the least favourable figure for firing)."""
    if model is not None:
        if model.min_cacheable_tokens:
            return model.min_cacheable_tokens, model.id
        same_line = [m.min_cacheable_tokens for m in ctx.knowledge.models()
                     if m.line == model.line and m.min_cacheable_tokens]
        return (min(same_line) if same_line else None), model.id
    active = [m.min_cacheable_tokens for m in ctx.knowledge.active_models()
              if m.min_cacheable_tokens]
    return (min(active) if active else None), "no current model"


def _cost(model: ModelInfo | None, tokens: int, calls: int) -> Cost:
    assumptions = [
        "below the minimum the API neither writes nor reads the cache and charges no write "
        "premium: the prefix is billed as plain input on every call, so removing the "
        "breakpoint saves nothing",
        f"{tokens:,} tokens is the high estimate of the prefix",
    ]
    if model is not None:
        plain = model.cost_usd(input_tokens=tokens * calls)
        cached = model.cost_usd(cache_write_tokens=tokens, cache_read_tokens=tokens * (calls - 1))
        if plain is not None and cached is not None and plain > cached:
            assumptions.append(
                f"the breakpoint was meant to save up to ~${plain - cached:,.4f} per "
                f"{calls:,} calls; none of it happens"
            )
    return Cost(model.id if model is not None else "unknown", tokens, 0.0, calls,
                tuple(assumptions))
