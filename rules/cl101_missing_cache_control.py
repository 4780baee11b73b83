"""CL101 missing-cache-control."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import Invalid, Rule, Valid
from claudelint.rules._shared import caching_saving

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.api import Diagnostic, FixPlan, PrefixBlock, Request, RuleContext

_LONG = "You are a meticulous support agent for Acme Corp. " * 120  # ~6,000 characters


class MissingCacheControl(Rule):
    """## What it does
    Finds requests made repeatedly (in a function, method, handler, loop or agent step) whose
    static prefix — tools, then system, then leading messages that never change, then the
    static head of a block with a dynamic tail — is at or above the model's minimum cacheable
    length, and that set no cache breakpoint (`cache_control` on a block, or top-level
    `cache_control`).

    ## Why is this bad?
    Without a breakpoint the API bills the whole prefix as fresh input on every call. With
    one, calls within the cache lifetime read it at a tenth of the input price or less (Opus
    5.5 and Sonnet 5.5 read at 5%), after a one-time write at 1.25x. A 5,000-token system
    prompt on Sonnet 4.6 costs $15 per 1,000 calls uncached and about $1.50 cached. The
    finding's cost line gives the estimate for the request's own model and prompt.

    ## Known problems
    Token counts are estimated from characters; the rule uses the low end of the estimate,
    so a prefix just above the minimum may not be reported. A request made once per process
    at module level (a script) is not reported: caching needs a second call to pay off.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()
    POLICY = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80

    def answer(question: str) -> str:
        response = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=1024,
            system=POLICY,
            messages=[{"role": "user", "content": question}],
        )
        return response.content[0].text
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()
    POLICY = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80

    def answer(question: str) -> str:
        response = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=1024,
            system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": question}],
        )
        return response.content[0].text
    ```

    ## Fix safety
    The fix is safe when the breakpoint goes on a block that is already whole: a bare
    `system="..."` becomes a one-element list of a text block with `cache_control`, or the
    last static block (a tool, a system block, a message's content) gets `cache_control`.
    The response does not change; only billing does. When the static prefix ends inside a
    block whose tail changes per call (`f"{DOCUMENT} Question: {q}"`), the fix splits the
    block in two and caches the head: unsafe, because the model now sees two text blocks.

    A fix only changes what the request sends. When the block to mark lives in a variable
    (`FEW_SHOT = [...]`, `TOOLS = [...]`) that other code also reads — a few-shot list printed
    elsewhere, a tools list whose names are read — no fix is offered and the message says so:
    rewriting the constant would hand that other code a list of blocks where it expects a
    string (or a tool with an extra key). A variable read by this request alone is fixed.

    ## Options
    None. The minimum cacheable length per model comes from the knowledge base
    (`claudelint/knowledge/data/models.toml`), overridable with `[models]` in config.

    ## References
    - https://platform.claude.com/docs/en/build-with-claude/prompt-caching
    - https://platform.claude.com/docs/en/about-claude/pricing
    """

    code = "CL101"
    name = "missing-cache-control"
    summary = "Repeated request re-sends a large static prefix without a cache breakpoint"
    level = "warning"
    fix_safety = "safe"

    valid = (
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {_LONG!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': SYSTEM,
                             'cache_control': {{'type': 'ephemeral'}}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # One-shot module-level script: not repeated.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {_LONG!r}
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512, system=SYSTEM,
                messages=[{{'role': 'user', 'content': 'hi'}}])
            """,
        ),
        # Short system prompt: below the minimum.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system='You are terse.', messages=[{'role': 'user', 'content': q}])
            """,
        ),
        # OpenAI look-alike.
        Valid(
            f"""
            from openai import OpenAI
            client = OpenAI()
            SYSTEM = {_LONG!r}
            def answer(q, thread):
                return client.beta.threads.messages.create(thread_id=thread, role='user',
                    content=SYSTEM + q)
            """,
        ),
        # Top-level automatic caching counts as a breakpoint.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {_LONG!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=SYSTEM, cache_control={{'type': 'ephemeral'}},
                    messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # The history helper adds a breakpoint at run time: the request may carry one.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {_LONG!r}
            def _history(q):
                block = {{'type': 'text', 'text': q}}
                block['cache_control'] = {{'type': 'ephemeral'}}
                return [{{'role': 'user', 'content': [block]}}]
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=SYSTEM, messages=_history(q))
            """,
        ),
        # The function making the request marks the last message itself.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {_LONG!r}
            def answer(q, load):
                msgs = load(q)
                msgs[-1]['content'][-1]['cache_control'] = {{'type': 'ephemeral'}}
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=SYSTEM, messages=msgs)
            """,
        ),
    )
    invalid = (
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {_LONG!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=SYSTEM, messages=[{{'role': 'user', 'content': q}}])
            """,
            expected=((6, 16),),
            message="claude-sonnet-4-6",
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {_LONG!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{"type": "text", "text": SYSTEM, "cache_control": {{"type": "ephemeral"}}}}], messages=[{{'role': 'user', 'content': q}}])
            """,  # noqa: E501
        ),
        # The last static block of a block list gets the breakpoint.
        Invalid(
            f"""
            import anthropic
            client = anthropic.AsyncAnthropic()
            SYSTEM = {_LONG!r}
            async def answer(q):
                return await client.messages.create(model='claude-opus-4-8', max_tokens=512,
                    system=[{{'type': 'text', 'text': SYSTEM}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,
            expected=((6, 17),),
            message="claude-opus-4-8 caches prefixes from 1,024 tokens",
            fixed=f"""
            import anthropic
            client = anthropic.AsyncAnthropic()
            SYSTEM = {_LONG!r}
            async def answer(q):
                return await client.messages.create(model='claude-opus-4-8', max_tokens=512,
                    system=[{{'type': 'text', 'text': SYSTEM, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,  # noqa: E501
        ),
        # A static head with a dynamic tail: unsafe split.
        Invalid(
            rf"""
            import anthropic
            client = anthropic.Anthropic()
            DOC = {_LONG!r}
            def ask(q):
                return client.messages.create(model='claude-haiku-5-5', max_tokens=512,
                    messages=[{{'role': 'user', 'content': f'{{DOC}}\n\nQuestion: {{q}}'}}])
            """,
            expected=((6, 47),),
            message="static prefix (messages)",
            fixed=rf"""
            import anthropic
            client = anthropic.Anthropic()
            DOC = {_LONG!r}
            def ask(q):
                return client.messages.create(model='claude-haiku-5-5', max_tokens=512,
                    messages=[{{'role': 'user', 'content': [{{"type": "text", "text": f'{{DOC}}\n\nQuestion: ', "cache_control": {{"type": "ephemeral"}}}}, {{"type": "text", "text": f'{{q}}'}}]}}])
            """,  # noqa: E501
        ),
        # `cache_control` elsewhere in the file does not hide a breakpoint in a history built
        # by a helper that never mentions it.
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {_LONG!r}
            def _history(q):
                return [{{'role': 'user', 'content': q}}]
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=SYSTEM, messages=_history(q))
            def cached(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': SYSTEM,
                             'cache_control': {{'type': 'ephemeral'}}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,
            expected=((8, 16),),
            message="static prefix (system)",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        if not request.site.repeated or request.method == "tool_runner":
            return
        if request.breakpoints() or request.may_hide_breakpoint():
            return
        prefix = request.static_prefix()
        if not prefix.blocks:
            return
        # Unknown model: the least favourable figures — the smallest saving per cached token,
        # the highest minimum among active models, the tokenizer that counts fewest tokens.
        p = ctx.cache_pricing(request, worst=lambda m: -(m.input or 0) + (m.cache_read or 0))
        if p is None:
            return
        model, minimum = p.model, p.minimum
        whole = prefix.whole_blocks()
        whole_tokens = ctx.prefix_tokens("".join(b.text for b in whole), p)
        all_tokens = ctx.prefix_tokens(prefix.text, p)
        if all_tokens < minimum:
            return
        fix: FixPlan | None = None
        target = whole[-1] if whole and whole_tokens >= minimum else None
        tokens = whole_tokens if target is not None else all_tokens
        shared: str | None = None  # the variable a fix would edit that other code also reads
        fixed_block = target if target is not None else prefix.head
        if fixed_block is not None:
            from claudelint.api import edit_reach

            reach = edit_reach(request, _edited_node(fixed_block))
            if not reach.local:
                shared = reach.name or "a value built outside the call"
            elif target is not None:
                fix = _mark(target, ctx)
            else:
                fix = _split(fixed_block, request, ctx)
        in_prefix = prefix.blocks if target is None else whole[: whole.index(target) + 1]
        parts = sorted({b.where for b in in_prefix}, key=("tools", "system", "messages").index)
        where = " + ".join(parts)
        last = prefix.blocks[-1] if target is None else target
        model_name = model.id if p.countable else "an unknown model"
        message = (
            f"~{tokens:,}-token static prefix ({where}) is re-sent at full price on every call: "
            f"no cache breakpoint, and {model_name} caches prefixes from {minimum:,} tokens"
        )
        if shared is not None:
            what = f"`{shared}`" if shared.isidentifier() else shared
            message += (f" (no fix offered: the breakpoint would go into {what}, which other "
                        "code also reads)")
        cost = caching_saving(model, tokens, ctx.cost_basis_calls, assumed=p.assumed,
                              batch=request.site.batch)
        node: cst.CSTNode | None = _content_node(last) if last.where == "messages" else None
        if node is None and last.container is not None:
            node = last.container.node
        yield ctx.diagnostic(node or last.arg.node, message, fix=fix, cost=cost,
                             fallback=last.arg.node)


def _mark(block: PrefixBlock, ctx: RuleContext) -> FixPlan | None:
    from claudelint.api import FixPlan

    title = f"Add a cache breakpoint to the {block.where} prefix"
    if block.container is not None and block.container.node is not None:
        edit = ctx.edit.add_cache_control(block.container.node)
        return FixPlan(title, "safe", (edit,)) if edit is not None else None
    if block.where == "system" and block.value.node is not None:
        return FixPlan(title, "safe", (ctx.edit.wrap_in_cached_block(block.arg.node),))
    if block.where == "messages" and block.message is not None:
        content = _content_node(block)
        if content is not None:
            return FixPlan(title, "safe", (ctx.edit.wrap_in_cached_block(content),))
    return None


def _edited_node(block: PrefixBlock) -> cst.CSTNode | None:
    """The node a fix of this block rewrites: the block's dict, or the bare text it wraps."""
    if block.container is not None and block.container.node is not None:
        return block.container.node
    if block.where == "system":
        return block.arg.node
    return _content_node(block)


def _content_node(block: PrefixBlock) -> cst.BaseExpression | None:
    if block.message is None:
        return None
    el = block.message.key_nodes.get("content")
    value = getattr(el, "value", None)
    return value if value is not None and block.container is None else None


def _split(block: PrefixBlock, request: Request, ctx: RuleContext) -> FixPlan | None:
    from claudelint.api import FixPlan

    if block.container is not None:
        return None  # splitting a block inside a list of blocks: not handled
    if block.where == "system":
        node: cst.BaseExpression | None = block.arg.node
    elif block.where == "messages":
        node = _content_node(block)
    else:
        return None
    if node is None or block.value.node is not node:
        return None  # the text is built elsewhere (a variable): splitting here would not work
    edit = ctx.edit.split_cached_head(node, request.is_static_expr)
    if edit is None:
        return None
    return FixPlan(
        f"Split the static head of the {block.where} text into a cached block", "unsafe", (edit,)
    )
