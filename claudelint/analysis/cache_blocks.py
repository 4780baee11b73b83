"""Every block of a request in cache order (tools, system, message contents), with its
cache breakpoint and, when every character is known, its text: what the caching rules count
and price."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claudelint.analysis.request import static_json
from claudelint.analysis.values import DictV, ListV, Text, Unknown, const_str

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.analysis.request import Arg, Request
    from claudelint.analysis.values import Value


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
