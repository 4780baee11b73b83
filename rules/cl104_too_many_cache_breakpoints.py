"""CL104 too-many-cache-breakpoints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import Cost, Invalid, Rule, Valid, request_blocks, top_level_breakpoint

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.api import Arg, Diagnostic, Request, RuleContext

_CC = "{'type': 'ephemeral'}"
_Q = "messages=[{'role': 'user', 'content': 'Hi'}]"


class TooManyCacheBreakpoints(Rule):
    """## What it does
    Counts the cache breakpoints of a request — `cache_control` on tool definitions, system
    blocks and message content blocks, plus a top-level `cache_control` (automatic caching),
    which takes one of the slots — and reports more than 4. Breakpoints added by spreading a
    dict (`{**CACHED, "text": ...}`) or by a list comprehension over a known list
    (`[{..., "cache_control": CC} for doc in DOCS]`) are counted when they can be resolved.

    ## Why is this bad?
    The API allows at most 4 breakpoints and answers a fifth with `400
    invalid_request_error`: every call fails. Nothing is billed for the rejected request, so
    the finding's cost line is $0; the cost is the failed call. Four breakpoints are enough
    for every layout: one each for tools, system, the stable conversation history and the
    newest turn, and the 20-block lookback finds earlier entries.

    ## Known problems
    Only breakpoints whose `cache_control` is a dict are counted; a conditional one
    (`CC if last else None`) is not, so some requests over the limit go unreported.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()
    CC = {"type": "ephemeral"}
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        cache_control=CC,
        system=[
            {"type": "text", "text": "Policies ...", "cache_control": CC},
            {"type": "text", "text": "Catalogue ...", "cache_control": CC},
            {"type": "text", "text": "FAQ ...", "cache_control": CC},
            {"type": "text", "text": "Style guide ...", "cache_control": CC},
        ],
        messages=[{"role": "user", "content": "Hi"}],
    )
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()
    CC = {"type": "ephemeral"}
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        system=[
            {"type": "text", "text": "Policies ..."},
            {"type": "text", "text": "Catalogue ..."},
            {"type": "text", "text": "FAQ ..."},
            {"type": "text", "text": "Style guide ...", "cache_control": CC},
        ],
        messages=[{"role": "user", "content": "Hi"}],
    )
    ```

    ## Fix safety
    No fix: which breakpoints to keep depends on which parts of the prompt change together.

    ## Options
    None. The limit comes from the knowledge base (`[caching] max_breakpoints`).

    ## References
    - https://platform.claude.com/docs/en/build-with-claude/prompt-caching
    """

    code = "CL104"
    name = "too-many-cache-breakpoints"
    summary = "More than 4 cache breakpoints in one request"
    level = "error"
    fix_safety = "none"

    valid = (
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                system=[{{'type': 'text', 'text': 'a', 'cache_control': {{'type': 'ephemeral'}}}},
                        {{'type': 'text', 'text': 'b', 'cache_control': {{'type': 'ephemeral'}}}}],
                cache_control={_CC}, {_Q})
            """,
        ),
        # A comprehension over an unknown list: not counted.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            def ask(docs):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': d, 'cache_control': {_CC}}} for d in docs],
                    messages=[{{'role': 'user', 'content': 'Hi'}}])
            """,
        ),
        # A conditional breakpoint may be None: not counted.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            DOCS = ['a', 'b', 'c', 'd', 'e']
            def ask(last):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': d, 'cache_control': ({_CC} if d == last else None)}} for d in DOCS],
                    messages=[{{'role': 'user', 'content': 'Hi'}}])
            """,  # noqa: E501
        ),
    )
    invalid = (
        # Four block-level breakpoints plus top-level automatic caching.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            CC = {'type': 'ephemeral'}
            def ask(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=512,
                    tools=[{'name': 'search', 'description': 'Search', 'input_schema': {},
                            'cache_control': CC}],
                    system=[{'type': 'text', 'text': 'a', 'cache_control': CC},
                            {'type': 'text', 'text': 'b', 'cache_control': CC}],
                    messages=[{'role': 'user', 'content': [
                        {'type': 'text', 'text': q, 'cache_control': CC}]}],
                    cache_control=CC,
                )
            """,
            expected=((13, 23),),
            message="5 cache breakpoints",
        ),
        # Spread dicts and a comprehension over a known list.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            CACHED = {'type': 'text', 'cache_control': {'type': 'ephemeral'}}
            SECTIONS = ['Policies', 'Catalogue', 'FAQ', 'Returns', 'Shipping']
            def ask(q):
                return client.messages.create(model='claude-haiku-4-5', max_tokens=512,
                    system=[{**CACHED, 'text': s} for s in SECTIONS],
                    messages=[{'role': 'user', 'content': q}])
            """,
            expected=((7, 16),),
            message="5 cache breakpoints",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        limit = int(ctx.knowledge.caching.get("max_breakpoints", 4))
        count = 0
        culprit: tuple[cst.CSTNode | None, Arg] | None = None
        for block in request_blocks(request):
            if block.breakpoint is None:
                continue
            count += block.copies
            if count > limit and culprit is None:
                culprit = (block.node, block.arg)
        top = top_level_breakpoint(request)
        top_arg = request.arg("cache_control")
        if top is not None and top_arg is not None:
            count += 1
            if count > limit and culprit is None:
                culprit = (top_arg.node, top_arg)
        if culprit is None:
            return
        node, arg = culprit
        blocks = count - (1 if top is not None else 0)
        detail = f"{blocks} on blocks" + (" + top-level `cache_control`" if top else "")
        model = ctx.model_of(request)
        cost = Cost(
            model.id if model is not None else "unknown", 0, 0.0, ctx.cost_basis_calls,
            ("the API rejects the request (400) before any tokens are processed: nothing is "
             "billed; the cost is a request that fails on every call",),
        )
        yield ctx.diagnostic(
            node or arg.node,
            f"{count} cache breakpoints ({detail}): the API allows {limit} and rejects the "
            "request",
            cost=cost, fallback=arg.node if not arg.via_kwargs else request.call,
        )


__all__ = ["TooManyCacheBreakpoints"]
