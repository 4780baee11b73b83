"""CL104 too-many-cache-breakpoints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claudelint.analysis.request import static_json
from claudelint.analysis.values import DictV, ListV, Text, Unknown, const_str
from claudelint.finding import Cost
from claudelint.lint.rule import Invalid, Rule, Valid

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.analysis.request import Arg, Request
    from claudelint.analysis.values import Value
    from claudelint.lint.context import Diagnostic, RuleContext

_CC = "{'type': 'ephemeral'}"
_Q = "messages=[{'role': 'user', 'content': 'Hi'}]"


@dataclass(frozen=True, eq=False)
class Block:
    """One block of a request in cache order (tools, system, messages).

    `text` is what the block sends when every character is known, else None (its size is
    unknown). `breakpoint` is its `cache_control` value when that is certainly a breakpoint (a
    dict), `copies` how many blocks this stands for (a comprehension over a known list).
    """

    where: str
    text: str | None
    breakpoint: Value | None
    arg: Arg
    copies: int = 1
    node: cst.CSTNode | None = None


def _breakpoint(block: DictV) -> Value | None:
    cc = block.get("cache_control")
    return cc if isinstance(cc, DictV) else None


def _known_text(value: Value | None) -> str | None:
    if isinstance(value, Text):
        return value.literal
    return None


def _content_blocks(where: str, value: Value, arg: Arg, request: Request) -> Iterator[Block]:
    """The blocks of `system=` or a message's `content`."""
    if isinstance(value, Text):
        yield Block(where, value.literal, None, arg, node=value.node)
        return
    if not isinstance(value, ListV):
        yield from _comprehension(where, value, arg, request)
        return
    for item in value.items:
        if isinstance(item, DictV):
            kind = const_str(item.get("type"))
            if kind == "text" and item.complete:
                text = _known_text(item.get("text"))
            elif kind in ("tool_use", "tool_result") and item.complete:
                text = static_json(item)
            else:
                text = None  # images, documents, unknown blocks: size not known from text
            yield Block(where, text, _breakpoint(item), arg, node=item.node)
        else:
            yield from _comprehension(where, item, arg, request)
    if not value.complete:
        yield Block(where, None, None, arg)


def _comprehension(where: str, value: Value, arg: Arg, request: Request) -> Iterator[Block]:
    """A list comprehension over a known list (`[{..., "cache_control": CC} for d in DOCS]`)
    stands for one block per element; anything else is one block of unknown size."""
    expanded = expand_comprehension(value, request)
    if expanded is None:
        yield Block(where, None, None, arg, node=value.node)
        return
    elt, copies = expanded
    cc = _breakpoint(elt) if isinstance(elt, DictV) else None
    if copies:
        yield Block(where, None, cc, arg, copies, node=value.node)


def expand_comprehension(value: Value, request: Request) -> tuple[Value, int] | None:
    """(the element's value, how many elements) for `[elt for x in KNOWN_LIST]`."""
    if not isinstance(value, Unknown) or value.node is None or request.env is None:
        return None
    import libcst as cst  # only when linting, where libcst is loaded already

    node = value.node
    if not isinstance(node, cst.ListComp):
        return None
    for_in = node.for_in
    if for_in.inner_for_in is not None or for_in.ifs:
        return None
    env = request.env
    scope = next((s for s in env.index.scopes if s.node is node), None)
    if scope is None or scope.parent is None:
        return None
    iterable = env.resolver.resolve(for_in.iter, scope.parent)
    if not isinstance(iterable, ListV) or not iterable.complete:
        return None
    return env.resolver.resolve(node.elt, scope), len(iterable.items)


def request_blocks(request: Request) -> Iterator[Block]:
    """Every block of the request in cache order: tools, system, then message contents."""
    tools = request.arg("tools")
    if tools is not None:
        if isinstance(tools.value, ListV):
            for tool in tools.value.items:
                if isinstance(tool, DictV):
                    yield Block("tools", static_json(tool), _breakpoint(tool), tools,
                                node=tool.node)
                else:
                    yield from _comprehension("tools", tool, tools, request)
            if not tools.value.complete:
                yield Block("tools", None, None, tools)
        else:
            yield from _comprehension("tools", tools.value, tools, request)
    system = request.arg("system")
    if system is not None:
        yield from _content_blocks("system", system.value, system, request)
    messages = request.arg("messages")
    if messages is not None:
        if not isinstance(messages.value, ListV):
            yield from _comprehension("messages", messages.value, messages, request)
            return
        for message in messages.value.items:
            content = message.get("content") if isinstance(message, DictV) else None
            if content is None:
                yield from _comprehension("messages", message, messages, request)
                continue
            yield from _content_blocks("messages", content, messages, request)
        if not messages.value.complete:
            yield Block("messages", None, None, messages)


def top_level_breakpoint(request: Request) -> Value | None:
    top = request.value("cache_control")
    return top if isinstance(top, DictV) else None


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
            "import anthropic\nclient = anthropic.Anthropic()\n"
            "r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,\n"
            f"    system=[{{'type': 'text', 'text': 'a', 'cache_control': {_CC}}},\n"
            f"            {{'type': 'text', 'text': 'b', 'cache_control': {_CC}}}],\n"
            f"    cache_control={_CC}, {_Q})\n"
        ),
        # A comprehension over an unknown list: not counted.
        Valid(
            "import anthropic\nclient = anthropic.Anthropic()\n"
            "def ask(docs):\n"
            "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,\n"
            "        system=[{'type': 'text', 'text': d, 'cache_control': "
            f"{_CC}}} for d in docs],\n"
            f"        {_Q})\n"
        ),
        # A conditional breakpoint may be None: not counted.
        Valid(
            "import anthropic\nclient = anthropic.Anthropic()\n"
            "DOCS = ['a', 'b', 'c', 'd', 'e']\n"
            "def ask(last):\n"
            "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,\n"
            "        system=[{'type': 'text', 'text': d, 'cache_control': "
            f"({_CC} if d == last else None)}} for d in DOCS],\n"
            f"        {_Q})\n"
        ),
    )
    invalid = (
        # Four block-level breakpoints plus top-level automatic caching.
        Invalid(
            "import anthropic\nclient = anthropic.Anthropic()\n"
            "CC = {'type': 'ephemeral'}\n"
            "def ask(q):\n"
            "    return client.messages.create(\n"
            "        model='claude-sonnet-4-6', max_tokens=512,\n"
            "        tools=[{'name': 'search', 'description': 'Search', 'input_schema': {},\n"
            "                'cache_control': CC}],\n"
            "        system=[{'type': 'text', 'text': 'a', 'cache_control': CC},\n"
            "                {'type': 'text', 'text': 'b', 'cache_control': CC}],\n"
            "        messages=[{'role': 'user', 'content': [\n"
            "            {'type': 'text', 'text': q, 'cache_control': CC}]}],\n"
            "        cache_control=CC,\n"
            "    )\n",
            expected_lines=(13,),
            message="5 cache breakpoints",
        ),
        # Spread dicts and a comprehension over a known list.
        Invalid(
            "import anthropic\nclient = anthropic.Anthropic()\n"
            "CACHED = {'type': 'text', 'cache_control': {'type': 'ephemeral'}}\n"
            "SECTIONS = ['Policies', 'Catalogue', 'FAQ', 'Returns', 'Shipping']\n"
            "def ask(q):\n"
            "    return client.messages.create(model='claude-haiku-4-5', max_tokens=512,\n"
            "        system=[{**CACHED, 'text': s} for s in SECTIONS],\n"
            "        messages=[{'role': 'user', 'content': q}])\n",
            expected_lines=(7,),
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


__all__ = ["Block", "TooManyCacheBreakpoints", "expand_comprehension",
           "request_blocks", "top_level_breakpoint"]
