"""CL102 dynamic-cached-prefix."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claudelint.api import Invalid, Rule, Valid
from claudelint.rules._shared import known_before, pricing, where_of

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.api import (
        CacheBlock,
        Diagnostic,
        FixPlan,
        Hole,
        Pricing,
        Request,
        RuleContext,
    )

_POLICY = "You are Acme Corp's support agent. Follow every rule of the policy below. " * 80
_CC = "{'type': 'ephemeral'}"


# --- the rule -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    index: int
    block: CacheBlock
    hole: Hole
    kind: str  # "volatile" | "loop" | "param"
    head_text: str  # known characters of the block before the hole


class DynamicCachedPrefix(Rule):
    """## What it does
    Finds a value that changes between calls placed at or before a cache breakpoint: in the
    tools, system prompt or messages up to a block that carries `cache_control`, or anywhere
    before the last block when top-level `cache_control` (automatic caching) is set. A value
    changes between calls when it is a time or randomness source (`datetime.now()`,
    `date.today()`, `time.time()`, `uuid4()`, `random.*`, `os.urandom`, `secrets.*`, and
    methods of their results, such as `datetime.now().strftime(...)`) evaluated with each call,
    or a variable of the loop that makes the calls, whether it sits in an f-string field, a
    `%` or `.format()` argument or a `+` operand, directly or through a local variable. A
    function parameter (or a value computed from one) counts too when a static head large
    enough to cache on its own comes before it: the breakpoint was meant for that head.

    Not changing: module constants, `.format()` of constants, values computed once at module
    level, values computed before the loop that makes the calls (a local bound before the
    `for`, not rebound inside it), attributes set once in `__init__`, and anything after the
    last breakpoint.

    ## Why is this bad?
    A cache entry is keyed by the exact bytes of the prefix up to the breakpoint. When a
    timestamp sits in the system prompt before the breakpoint, every call writes a new entry
    at 1.25x the input price and no call ever reads one: caching costs 25% more than not
    caching at all, instead of 90% less. With a 3,000-token system prompt on Sonnet 4.6 that
    is about $11 per 1,000 calls in write premiums, where reading the cache would cost $0.90.
    The finding's cost line compares the two for the request's own model and prompt.

    ## Known problems
    A parameter is reported only after a cacheable static head: the same document or user
    may come with many calls (a document asked several questions), and then the entry is
    read. Values whose origin cannot be seen (an attribute set in several methods, the result
    of a helper called without arguments) are not reported. A loop variable is not reported
    when another request in the same loop may read the entry.

    ## Example
    ```python
    import anthropic
    from datetime import datetime

    client = anthropic.Anthropic()
    POLICY = "You are Acme Corp's support agent. Follow every rule of the policy below. " * 80

    def answer(question: str) -> str:
        response = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=1024,
            system=[{
                "type": "text",
                "text": f"{POLICY}\\n\\nToday is {datetime.now():%A %d %B %Y}.",
                "cache_control": {"type": "ephemeral"},
            }],
            messages=[{"role": "user", "content": question}],
        )
        return response.content[0].text
    ```

    ## Use instead
    ```python
    import anthropic
    from datetime import datetime

    client = anthropic.Anthropic()
    POLICY = "You are Acme Corp's support agent. Follow every rule of the policy below. " * 80

    def answer(question: str) -> str:
        response = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=1024,
            system=[
                {"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": f"Today is {datetime.now():%A %d %B %Y}."},
            ],
            messages=[{"role": "user", "content": question}],
        )
        return response.content[0].text
    ```

    ## Fix safety
    When the changing value is the tail of the cached text block itself (a literal f-string
    or `+` in a block literal of a list), the fix splits the block in two: the static head
    keeps the block and its `cache_control`, the tail moves into a following block without
    one. The fix is unsafe: the model now sees two text blocks instead of one, and the text
    is otherwise unchanged. No fix is offered when the value sits in an earlier block or in
    the middle of the text.

    ## Options
    None. Prices and minimum cacheable lengths come from the knowledge base
    (`claudelint/knowledge/data/models.toml`), overridable with `[models]` in config.

    ## References
    - https://platform.claude.com/docs/en/build-with-claude/prompt-caching
    - https://platform.claude.com/docs/en/about-claude/pricing
    """

    code = "CL102"
    name = "dynamic-cached-prefix"
    summary = "A value that changes on every call precedes a cache breakpoint"
    level = "warning"
    fix_safety = "unsafe"

    valid = (
        # A date computed once at module level.
        Valid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            TODAY = datetime.now().strftime('%Y-%m-%d')
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': f'{{POLICY}} Today is {{TODAY}}.', 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,  # noqa: E501
        ),
        # `.format()` of constants.
        Valid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            COMPANY = 'Acme'
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': '{{}} rules for {{}}'.format(POLICY, COMPANY),
                             'cache_control': {{'type': 'ephemeral'}}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # A value computed before the loop that makes the calls.
        Valid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def grade_all(essays):
                today = datetime.now().date().isoformat()
                for essay in essays:
                    client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        system=[{{'type': 'text', 'text': f'{{POLICY}} Date: {{today}}', 'cache_control': {_CC}}}],
                        messages=[{{'role': 'user', 'content': essay}}])
            """,  # noqa: E501
        ),
        # The dynamic value comes after the breakpoint.
        Valid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[
                        {{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}},
                        {{'type': 'text', 'text': f'Today is {{datetime.now():%d %B %Y}}.'}},
                    ],
                    messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # A multi-turn conversation with automatic caching: the new turn is meant to change.
        Valid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def chat(history, q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=POLICY, cache_control={{'type': 'ephemeral'}},
                    messages=[*history, {{'role': 'user', 'content': f'[{{datetime.now()}}] {{q}}'}}])
            """,  # noqa: E501
        ),
        # No cache breakpoint at all: CL101's business, not this rule's.
        Valid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=f'{{POLICY}} Today is {{datetime.now()}}.',
                    messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # A document passed in and cached: the caller may ask it many questions.
        Valid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def ask(document, q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=[{{'role': 'user', 'content': [
                        {{'type': 'text', 'text': f'<doc>{{document}}</doc>', 'cache_control': {_CC}}},
                        {{'type': 'text', 'text': q}}]}}])
            """,  # noqa: E501
        ),
        # An attribute set once in __init__.
        Valid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            class Bot:
                def __init__(self):
                    self.started = datetime.now().isoformat()
                def answer(self, q):
                    return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        system=[{{'type': 'text', 'text': f'{{POLICY}} Session {{self.started}}', 'cache_control': {_CC}}}],
                        messages=[{{'role': 'user', 'content': q}}])
            """,  # noqa: E501
        ),
    )
    invalid = (
        Invalid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': f'{{POLICY}} Today is {{datetime.now()}}.', 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,  # noqa: E501
            expected=((8, 63),),
            message="`datetime.now()` in the system prompt precedes the cache breakpoint",
            fixed=f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': f'{{POLICY}} Today is ', 'cache_control': {_CC}}}, {{"type": "text", "text": f'{{datetime.now()}}.'}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,  # noqa: E501
        ),
        # Bound to a local first; `%` formatting.
        Invalid(
            rf"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            import uuid
            def answer(q):
                request_id = uuid.uuid4().hex
                system = POLICY + '\nRequest id: %s' % request_id
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': system, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,
            expected=((11, 17),),
            message="every call writes a new",
        ),
        # A loop variable before the breakpoint, at module level.
        Invalid(
            f"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            for topic in ['refunds', 'shipping']:
                client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=[{{'type': 'text', 'text': f'Topic: {{topic}}. ' + POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': 'Write the FAQ.'}}])
            """,  # noqa: E501
            expected=((8, 52),),
            message="every iteration writes a new",
        ),
        # Automatic caching with a timestamp in the system prompt.
        Invalid(
            rf"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            import time
            def chat(history):
                return client.messages.create(model='claude-opus-4-8', max_tokens=512,
                    cache_control={{'type': 'ephemeral'}},
                    system=POLICY + f'\nClock: {{time.time()}}',
                    messages=history)
            """,
            expected=((10, 37),),
            message="automatic cache breakpoint",
        ),
        # A parameter after a cacheable static head, inside the cached block.
        Invalid(
            rf"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(user_name, q):
                return client.messages.create(model='claude-haiku-5-5', max_tokens=512,
                    system=[{{'type': 'text', 'text': f'{{POLICY}}\nCustomer: {{user_name}}', 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,  # noqa: E501
            expected=((8, 65),),
            message="`user_name` (a parameter)",
            fixed=rf"""
            import anthropic
            from datetime import datetime

            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(user_name, q):
                return client.messages.create(model='claude-haiku-5-5', max_tokens=512,
                    system=[{{'type': 'text', 'text': f'{{POLICY}}\nCustomer: ', 'cache_control': {_CC}}}, {{"type": "text", "text": f'{{user_name}}'}}],
                    messages=[{{'role': 'user', 'content': q}}])
            """,  # noqa: E501
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        if not request.site.repeated or request.method == "tool_runner":
            return
        blocks = request.cache_blocks()
        auto = request.automatic_cache_control is not None
        bps = [i for i, b in enumerate(blocks) if b.breakpoint]
        if not bps and not auto:
            return
        p = pricing(request, ctx)
        if p is None:
            return
        single = request.single_turn()
        # The last block the cached prefix reaches. With automatic caching that is the last
        # block: in a conversation the new turn is meant to change (skip the messages), and
        # in a single-turn request a changing last block is CL105's finding.
        if auto:
            last = len(blocks) - 1
            end = last - 1 if single else last
        else:
            last = end = bps[-1]
        found = self._first_changing(request, blocks, end, single, p, ctx)
        if found is None:
            return
        i = found.index
        readable = [j for j in bps if j < i]
        start = readable[-1] + 1 if readable else 0
        total = ctx.prefix_tokens("".join(b.known for b in blocks[: last + 1]), p)
        if total < p.minimum:
            return  # nothing is written at all (CL103's finding)
        written = ctx.prefix_tokens("".join(b.known for b in blocks[start : last + 1]), p)
        head = ctx.prefix_tokens("".join(b.known for b in blocks[start:i]) + found.head_text, p)
        head = min(head, written)
        bp = (
            "the automatic cache breakpoint (top-level `cache_control`)"
            if auto and (not bps or bps[-1] < i) else "the cache breakpoint"
        )
        expr = found.hole.expr
        label = ""
        if found.kind == "volatile":
            tail = f"every call writes a new ~{written:,}-token cache entry and never reads one"
            why = f"`{expr}` differs on every call"
        elif found.kind == "loop":
            label = " (loop variable)"
            tail = (f"every iteration writes a new ~{written:,}-token cache entry and never "
                    "reads one")
            why = f"`{expr}` differs on every iteration of the loop"
        else:
            label = " (a parameter)"
            tail = (f"each new value writes a new ~{written:,}-token cache entry that calls "
                    "with other values never read")
            why = f"`{expr}` differs between calls"
        message = f"`{expr}`{label} in the {where_of(found.block)} precedes {bp}: {tail}"
        cost = ctx.never_read_cost(p, written, head,
                                   batch=request.site.batch, why=why)
        fix = None
        if not auto and i == bps[-1]:
            fix = _split(found.block, request, ctx)
        # Point at the changing expression, else at its block, else at the argument.
        block = found.block
        node: cst.CSTNode = block.arg.node
        for candidate in (found.hole.node, block.container.node if block.container else None):
            if candidate is not None and request.encloses(candidate):
                node = candidate
                break
        yield ctx.diagnostic(node, message, fix=fix, cost=cost, fallback=block.arg.node)

    def _first_changing(self, request: Request, blocks: list[CacheBlock], end: int,
                        single: bool, p: Pricing, ctx: RuleContext) -> _Found | None:
        before: list[str] = []
        for i, block in enumerate(blocks[: end + 1]):
            if block.where == "messages" and not single:
                before.append(block.known)
                continue
            texts = block.texts()
            for text in texts:
                for hole in request.changing_holes(text):
                    head_text = known_before(text, hole)
                    kind = _evidence(request, hole, "".join(before) + head_text, p, ctx)
                    if kind is not None:
                        return _Found(i, block, hole, kind, head_text)
            if not texts:
                for hole in request.changing_holes(block.value):
                    kind = _evidence(request, hole, "".join(before), p, ctx)
                    if kind is not None:
                        return _Found(i, block, hole, kind, "")
            before.append(block.known)
        return None


def _evidence(request: Request, hole: Hole, head: str, p: Pricing,
              ctx: RuleContext) -> str | None:
    """How sure it is that the value differs between the calls that could read the entry."""
    if request.may_share_cache(hole):
        return None
    if hole.volatile:
        return "volatile"
    if hole.origin == "loop":
        return "loop"
    if hole.origin == "param" and ctx.prefix_tokens(head, p) >= p.minimum:
        return "param"
    return None


def _split(block: CacheBlock, request: Request, ctx: RuleContext) -> FixPlan | None:
    from claudelint.api import FixPlan

    container = block.container
    text = block.text
    if container is None or container.node is None or text is None or text.node is None:
        return None
    if block.list_value is None or block.list_value.node is None:
        return None
    edit = ctx.edit.split_cached_block(
        container.node, block.list_value.node, text.node,
        lambda e: not request.expr_changes(e),
    )
    if edit is None:
        return None
    return FixPlan(
        f"Move the changing tail of the cached {where_of(block)} block into a block after the "
        "breakpoint", "unsafe", (edit,),
    )
