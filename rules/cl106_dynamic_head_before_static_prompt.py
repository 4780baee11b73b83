"""CL106 dynamic-head-before-static-prompt."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import Invalid, Rule, Valid
from claudelint.rules._shared import caching_saving, where_of

if TYPE_CHECKING:
    from claudelint.api import CacheBlock, Diagnostic, FixPlan, Hole, Request, RuleContext, Text

_POLICY = "You are Acme Corp's support agent. Follow every rule of the policy below. " * 80


class DynamicHeadBeforeStaticPrompt(Rule):
    """## What it does
    Finds a repeated request (in a function, method, handler, loop or agent step) with no
    cache breakpoint whose first value that changes between calls — a date, a user's name, a
    parameter — sits in a text (the system prompt or a message) ahead of a static part that
    alone reaches the model's minimum cacheable length:
    `system=f"Today is {today}. {POLICY}"`.

    Not reported: a small static tail, a head that is fixed for the process (a value computed
    once at module level or in `__init__`, or before the loop that makes the calls), a
    request made once at module level, and a request that sets a breakpoint (CL102 reports a
    changing value before a breakpoint).

    ## Why is this bad?
    A cache prefix ends at the first byte that changes. With the changing part first, the
    large static text after it can never be cached: every call re-sends it at full input
    price. Put first, it could be cached (CL101 then offers the breakpoint) and read at a
    tenth of the input price or less. The finding's cost line gives the estimate for the
    request's own model and prompt.

    ## Known problems
    Token counts are estimated from characters (the low end of the estimate). Only the text
    holding the first changing value is read: a static prompt in a later block, after a
    changing system prompt, is not reported. When the changing head is a long document the
    question is about, Anthropic's long-context advice puts it first for answer quality: weigh
    the saving against that before moving it.

    ## Example
    ```python
    import datetime

    import anthropic

    client = anthropic.Anthropic()
    POLICY = "You are Acme Corp's support agent. Follow every rule of the policy below. " * 80

    def answer(question: str) -> str:
        response = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=1024,
            system=f"Today is {datetime.date.today()}. {POLICY}",
            messages=[{"role": "user", "content": question}],
        )
        return response.content[0].text
    ```

    ## Use instead
    ```python
    import datetime

    import anthropic

    client = anthropic.Anthropic()
    POLICY = "You are Acme Corp's support agent. Follow every rule of the policy below. " * 80

    def answer(question: str) -> str:
        response = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=1024,
            system=[
                {"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": f"Today is {datetime.date.today()}."},
            ],
            messages=[{"role": "user", "content": question}],
        )
        return response.content[0].text
    ```

    ## Fix safety
    The fix moves the head, up to its last changing field, after the static part of the same
    f-string (`f"{POLICY} Today is {today}."`), or a changing f-string head after the static
    operand it is added to (`POLICY + f"\\n\\nToday is {today}."`); a breakpoint can then be
    added (CL101). It is unsafe: the model sees the parts in a different order, which may
    change its answers. It is offered only when the text is written in the call or in a
    variable this request alone reads.

    ## Options
    None. The minimum cacheable length per model comes from the knowledge base
    (`claudelint/knowledge/data/models.toml`), overridable with `[models]` in config.

    ## References
    - https://platform.claude.com/docs/en/build-with-claude/prompt-caching
    - https://platform.claude.com/docs/en/about-claude/pricing
    """

    code = "CL106"
    name = "dynamic-head-before-static-prompt"
    summary = ("A value that changes per call comes before a large static prompt, which is "
               "never cached")
    level = "warning"
    fix_safety = "unsafe"

    valid = (
        # The date is computed once at import: the whole system prompt is static.
        Valid(
            f"""
            import datetime, anthropic
            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            SYSTEM = f"Today is {{datetime.date.today()}}. {{POLICY}}"
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=SYSTEM, messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # A small static tail: nothing worth caching after the head.
        Valid(
            """
            import datetime, anthropic
            client = anthropic.Anthropic()
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=f"Today is {datetime.date.today()}. Be terse.",
                    messages=[{'role': 'user', 'content': q}])
            """,
        ),
        # Made once, at module level.
        Valid(
            f"""
            import datetime, anthropic
            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                system=f"Today is {{datetime.date.today()}}. {{POLICY}}",
                messages=[{{'role': 'user', 'content': 'hi'}}])
            """,
        ),
        # The static part comes first already.
        Valid(
            f"""
            import datetime, anthropic
            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=f"{{POLICY}} Today is {{datetime.date.today()}}.",
                    messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # The head is fixed before the loop that makes the calls.
        Valid(
            f"""
            import datetime, anthropic
            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def run(questions):
                today = datetime.date.today()
                for q in questions:
                    client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        system=f"Today is {{today}}. {{POLICY}}",
                        messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
    )
    invalid = (
        Invalid(
            f"""
            import datetime, anthropic
            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=f"Today is {{datetime.date.today()}}. {{POLICY}}",
                    messages=[{{'role': 'user', 'content': q}}])
            """,
            expected=((6, 28),),
            message="static text (system prompt) after `datetime.date.today()`",
            fixed=f"""
            import datetime, anthropic
            client = anthropic.Anthropic()
            POLICY = {_POLICY!r}
            def answer(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    system=f"{{POLICY}} Today is {{datetime.date.today()}}.",
                    messages=[{{'role': 'user', 'content': q}}])
            """,
        ),
        # A parameter first in the user message, a large document after it.
        Invalid(
            rf"""
            import anthropic
            client = anthropic.Anthropic()
            DOC = {_POLICY!r}
            def ask(user, q):
                prompt = f"User: {{user}}\n\n{{DOC}}\n\nQuestion: {{q}}"
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=[{{'role': 'user', 'content': prompt}}])
            """,
            expected=((7, 18),),
            message="after `user`",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        if not request.site.repeated or request.method == "tool_runner":
            return
        if request.breakpoints() or request.may_hide_breakpoint():
            return
        found = _first_changing(request)
        if found is None:
            return
        block, text, hole, static = found
        p = ctx.cache_pricing(request, worst=lambda m: -(m.input or 0) + (m.cache_read or 0))
        if p is None:
            return
        tokens = ctx.prefix_tokens(static, p)
        if tokens < p.minimum:
            return
        fix: FixPlan | None = None
        shared: str | None = None
        if text.node is not None:
            from claudelint.api import FixPlan, edit_reach

            edit = ctx.edit.move_dynamic_head_last(text.node, request.expr_changes)
            if edit is not None:
                reach = edit_reach(request, text.node)
                if reach.local:
                    fix = FixPlan("Move the changing head after the static text", "unsafe",
                                  (edit,))
                else:
                    shared = reach.name
        model_name = p.model.id if p.countable else "an unknown model"
        message = (
            f"~{tokens:,}-token static text ({where_of(block)}) after `{hole.expr}`, which "
            f"changes between calls, is re-sent at full price on every call: a cache prefix "
            f"ends at the first change, and {model_name} caches prefixes from "
            f"{p.minimum:,} tokens; put the changing part after the static text"
        )
        if shared is not None:
            message += f" (no fix offered: `{shared}` is also read by other code)"
        cost = caching_saving(p.model, tokens, ctx.cost_basis_calls, assumed=p.assumed,
                              batch=request.site.batch)
        node = hole.node if request.encloses(hole.node) else None
        yield ctx.diagnostic(node or block.arg.node, message, fix=fix, cost=cost,
                             fallback=block.arg.node)


def _first_changing(request: Request) -> tuple[CacheBlock, Text, Hole, str] | None:
    """The text holding the request's first value that changes between calls (in cache
    order), that value, and the longest static run of the text after it; None when the first
    change is not in a text or something before it is not known."""
    from claudelint.api import static_json

    for block in request.cache_blocks():
        text = block.text
        if text is None:
            if block.container is not None and static_json(block.container) is not None:
                continue  # a static tool or non-text block
            return None
        holes = [h for h in text.holes if request.changes(h)]
        if not holes:
            continue
        return block, text, holes[0], _longest_static_run(text, holes)
    return None


def _longest_static_run(text: Text, changing: list[Hole]) -> str:
    """The longest run of known characters after the first changing hole, between holes
    that change or whose origin is not known (a value fixed for the process, or for the
    loop making the calls, is part of a run, with no known characters)."""
    first = changing[0]
    ids = {id(h) for h in changing}
    ids.update(id(h) for h in text.holes
               if not h.stable and h.origin not in ("param", "loop", "call"))
    best: list[str] = []
    run: list[str] = []
    after = False
    for part in text.parts:
        if part is first:
            after = True
            continue
        if not after:
            continue
        if isinstance(part, str):
            run.append(part)
        elif id(part) in ids:
            best = max(best, run, key=lambda r: len("".join(r)))
            run = []
    best = max(best, run, key=lambda r: len("".join(r)))
    return "".join(best)
