"""CL105 cache-write-never-read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import DictV, Invalid, Rule, Text, Valid, const_str
from claudelint.rules._shared import known_before, pricing

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.api import CacheBlock, Diagnostic, FixPlan, NodeEdit, Request, RuleContext

_POLICY = "You are Acme Corp's support agent. Follow every rule of the policy below. " * 80
_CC = "{'type': 'ephemeral'}"


class CacheWriteNeverRead(Rule):
    """## What it does
    Finds automatic caching (a top-level `cache_control` argument) on a single-turn request
    — `messages` is a list literal holding one new user message, no conversation history —
    whose last block changes on every call (the user's question, a loop item, a timestamp).
    Automatic caching puts the breakpoint on the last block, so every call writes a cache
    entry that ends with content no later call will send again.

    ## Why is this bad?
    Writes happen only at breakpoints, and a read needs an entry written for exactly the same
    prefix. Each call writes tools + system + question at 1.25x the input price, and the next
    call, with another question, finds nothing to read: caching costs 25% more than not
    caching. A breakpoint on the last static block instead is written once and then read at a
    tenth of the input price. With a 3,000-token system prompt on Sonnet 4.6 that is about
    $11 per 1,000 calls in premiums against $0.90 of reads. The finding's cost line gives the
    estimate for the request's own model and prompt. (A conversation that grows turn by turn
    is what automatic caching is for, and is not reported.)

    ## Known problems
    A request whose question repeats often (the same prompt sent many times) does read the
    entry; static analysis cannot see how often values repeat. Requests with block-level
    breakpoints too, or with parts that may hide one, are left alone.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()
    POLICY = "You are Acme Corp's support agent. Follow every rule of the policy below. " * 80

    def answer(question: str) -> str:
        response = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=1024,
            system=POLICY,
            messages=[{"role": "user", "content": question}],
            cache_control={"type": "ephemeral"},
        )
        return response.content[0].text
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()
    POLICY = "You are Acme Corp's support agent. Follow every rule of the policy below. " * 80

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
    The fix removes the top-level `cache_control` and puts `cache_control` on the last static
    block instead (a bare `system="..."` becomes a one-element list of a cached text block),
    or, when the static part is the head of the user's text, splits that text into a cached
    head and an uncached tail. Both edits are one fix. It is unsafe: the request's blocks
    change shape, and a request that did repeat its question would stop reading the whole
    prompt. It is offered only when the block is a literal in the file and the top-level
    `cache_control` has the default 5-minute lifetime.

    ## Options
    None. Prices and minimum cacheable lengths come from the knowledge base
    (`claudelint/knowledge/data/models.toml`), overridable with `[models]` in config.

    ## References
    - https://platform.claude.com/docs/en/build-with-claude/prompt-caching
    - https://platform.claude.com/docs/en/about-claude/pricing
    """

    code = "CL105"
    name = "cache-write-never-read"
    summary = "Automatic caching on a single-turn request whose last block changes every call"
    level = "warning"
    fix_safety = "unsafe"

    valid = (
        # A growing conversation: what automatic caching is for.
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def chat(history, q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=POLICY, cache_control={{'type': 'ephemeral'}},
                    messages=[*history, {{'role': 'user', 'content': q}}])
            """,
        ),
        # The last block never changes.
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def digest():
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=POLICY, cache_control={{'type': 'ephemeral'}},
                    messages=[{{'role': 'user', 'content': 'Summarise the policy.'}}])
            """,
        ),
        # No caching at all (CL101's business).
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=POLICY, messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # A block-level breakpoint on the static part already.
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # A question fixed before the loop that makes the calls (a sampling loop).
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def sample(q, n):
                for _ in range(n):
                    client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        system=POLICY, cache_control={{'type': 'ephemeral'}},
                        messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # A short static prefix: nothing would be cached anyway.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system='Be terse.', cache_control={'type': 'ephemeral'},
                    messages=[{'role': 'user', 'content': q}])
            """,
        ),
    )
    invalid = (
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=POLICY, messages=[{{'role': 'user', 'content': q}}],
                    cache_control={{'type': 'ephemeral'}})
            """,
            expected=((7, 62),),
            message="last block",
            fixed=f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{"type": "text", "text": POLICY, "cache_control": {{"type": "ephemeral"}}}}], messages=[{{'role': 'user', 'content': q}}])
            """,  # noqa: E501
        ),
        # A block list: the last static block gets the breakpoint.
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(
                    model='claude-opus-4-8',
                    cache_control={{'type': 'ephemeral'}},
                    max_tokens=512,
                    system=[{{'type': 'text', 'text': POLICY}}],
                    messages=[{{'role': 'user', 'content': [{{'type': 'text', 'text': q}}]}}],
                )
            """,
            expected=((11, 73),),
            message="`q` in it changes on every call",
            fixed=f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(
                    model='claude-opus-4-8',
                    max_tokens=512,
                    system=[{{'type': 'text', 'text': POLICY, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{'role': 'user', 'content': [{{'type': 'text', 'text': q}}]}}],
                )
            """,  # noqa: E501
        ),
        # A document in the question's own text: split it, cache the head.
        Invalid(
            rf"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def ask(question):
                return client.messages.create(model='claude-haiku-5-5', max_tokens=512,
                    cache_control={{'type': 'ephemeral'}},
                    messages=[{{'role': 'user', 'content': f'{{POLICY}}\n\nQuestion: {{question}}'}}])
            """,  # noqa: E501
            expected=((8, 72),),
            message="`question`",
            fixed=rf"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def ask(question):
                return client.messages.create(model='claude-haiku-5-5', max_tokens=512,
                    messages=[{{'role': 'user', 'content': [{{"type": "text", "text": f'{{POLICY}}\n\nQuestion: ', "cache_control": {{"type": "ephemeral"}}}}, {{"type": "text", "text": f'{{question}}'}}]}}])
            """,  # noqa: E501
        ),
        # A loop over items at module level.
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            for ticket in ['t1', 't2']:
                client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=POLICY, cache_control={{'type': 'ephemeral'}},
                    messages=[{{'role': 'user', 'content': ticket}}])
            """,
            expected=((8, 47),),
            message="every call writes",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        if not request.site.repeated or request.method == "tool_runner":
            return
        auto = request.automatic_cache_control
        if auto is None or request.may_hide_breakpoint():
            return
        blocks = request.cache_blocks()
        if not blocks or any(b.breakpoint for b in blocks) or not request.single_turn():
            return
        last = blocks[-1]
        earlier = blocks[:-1]
        text = last.text
        holes = request.changing_holes(text if text is not None else last.value)
        if not holes or any(request.may_share_cache(h) for h in holes):
            return
        if any(request.changing_holes(b.value) for b in earlier):
            return  # an earlier block changes too: CL102's finding
        p = pricing(request, ctx)
        if p is None:
            return
        hole = holes[0]
        earlier_text = "".join(b.known for b in earlier)
        head_text = known_before(text, hole)
        head = ctx.prefix_tokens(earlier_text + head_text, p)
        if head < p.minimum:
            return  # nothing worth caching: no write premium to speak of
        written = max(head, ctx.prefix_tokens(earlier_text + last.known, p))
        message = (
            "automatic caching (top-level `cache_control`) puts the breakpoint on the last "
            f"block, and `{hole.expr}` in it changes on every call: every call writes a new "
            f"~{written:,}-token cache entry at 1.25x and never reads one"
        )
        cost = ctx.never_read_cost(
            p, written, head, batch=request.site.batch,
            why="the last block differs on every call, so no later call sends the same prefix",
        )
        fix = _fix(request, ctx, earlier, last, ctx.prefix_tokens(earlier_text, p) >= p.minimum)
        node = hole.node if hole.node is not None else auto.node
        yield ctx.diagnostic(node, message, fix=fix, cost=cost, fallback=auto.node)


def _fix(request: Request, ctx: RuleContext, earlier: list[CacheBlock], last: CacheBlock,
         earlier_enough: bool) -> FixPlan | None:
    from claudelint.api import FixPlan

    auto = request.automatic_cache_control
    if auto is None or not _default_ttl(auto.value):
        return None
    mark: NodeEdit | None = None
    title = ""
    if earlier and earlier_enough:
        mark = _mark(earlier[-1], ctx)
        title = f"Move the cache breakpoint to the last static block ({earlier[-1].where})"
    if mark is None:
        mark = _split(last, request, ctx)
        title = "Move the cache breakpoint to the static head of the last message"
    if mark is None:
        return None
    edits = ctx.edit.remove_keyword(request.call, "cache_control", mark)
    if edits is None:
        return None
    return FixPlan(title, "unsafe", edits)


def _default_ttl(value: object) -> bool:
    if not isinstance(value, DictV) or not value.complete:
        return False
    if const_str(value.get("type")) != "ephemeral":
        return False
    ttl = value.get("ttl")
    return ttl is None or const_str(ttl) == "5m"


def _mark(block: CacheBlock, ctx: RuleContext) -> NodeEdit | None:
    if block.container is not None:
        node = block.container.node
        return ctx.edit.add_cache_control(node) if node is not None else None
    if isinstance(block.value, Text) and block.value.node is not None:
        if block.where == "system":
            return ctx.edit.wrap_in_cached_block(block.arg.node)
        content = _content_node(block)
        if content is not None:
            return ctx.edit.wrap_in_cached_block(content)
    return None


def _content_node(block: CacheBlock) -> cst.BaseExpression | None:
    if block.message is None or block.container is not None:
        return None
    el = block.message.key_nodes.get("content")
    value: cst.BaseExpression | None = getattr(el, "value", None)
    if value is None or not isinstance(block.value, Text) or block.value.node is not value:
        return None
    return value


def _split(block: CacheBlock, request: Request, ctx: RuleContext) -> NodeEdit | None:
    text = block.text
    if text is None or text.node is None:
        return None
    if block.container is None:
        content = _content_node(block)
        if content is None:
            return None
        return ctx.edit.split_cached_head(text.node, lambda e: not request.expr_changes(e))
    if block.list_value is None or block.list_value.node is None or block.container.node is None:
        return None
    return ctx.edit.split_cached_block(block.container.node, block.list_value.node, text.node,
                                       lambda e: not request.expr_changes(e))
