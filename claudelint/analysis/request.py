"""The Request model: one Messages request as static analysis sees it. Rules read these.

A Request holds each argument as a resolved value (see values.py), where the call sits
(function, loops, module level, notebook cell), and answers the questions every caching rule
asks: what is the static prefix in cache order, and where are the cache breakpoints?
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claudelint.analysis.breakpoint_sources import unknown_parts
from claudelint.analysis.values import (
    CHANGING_ORIGINS,
    Const,
    DictV,
    Hole,
    ListV,
    Text,
    Unknown,
    Value,
    const_int,
    const_str,
    walk_texts,
)

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.analysis.resolve import Resolver
    from claudelint.syntax.scopes import Loop, ModuleIndex, Scope


@dataclass(frozen=True, eq=False)
class Arg:
    """A keyword argument of the request. `node` is the expression as written where the
    argument is passed (in the call, or in the `**params` dict literal). For a Request built
    for a call of a wrapper function, `node` is what the caller passes for the wrapper's
    parameter, and `keyword_node` the expression in the wrapper's own request call, where the
    keyword itself is written: a finding about the keyword (not its value) belongs there."""

    name: str
    value: Value
    node: cst.BaseExpression
    via_kwargs: bool = False
    keyword_node: cst.BaseExpression | None = None
    # For a keyword given by a `**` dict found elsewhere: where ("the return value of
    # `make_params()`"); "" when the dict is written where it is used.
    source: str = ""
    # Given by a `**` dict that holds the key on some paths only.
    conditional: bool = False

    @property
    def written_at(self) -> cst.BaseExpression:
        """Where the keyword is written: in the wrapper for a wrapper's parameter, else
        `node`."""
        return self.keyword_node if self.keyword_node is not None else self.node


@dataclass(frozen=True, eq=False)
class Env:
    """Where the request was found: its scope, the module's index and the value resolver."""

    scope: Scope
    index: ModuleIndex
    resolver: Resolver
    module: cst.Module


@dataclass(frozen=True, eq=False)
class Site:
    """Where the request is made."""

    scope_kind: str  # "module" | "function" | "lambda" | "class"
    function: str | None
    loops: tuple[Loop, ...]
    is_async: bool
    awaited: bool
    cell: int | None = None
    # One of several requests of a Message Batch (`messages.batches.create(requests=...)`).
    batch: bool = False

    @property
    def repeated(self) -> bool:
        """Made more than once per process: in a function, lambda or loop, or as one of many
        requests of a batch. Module-level script code (and a notebook cell) runs once."""
        return self.scope_kind in ("function", "lambda") or bool(self.loops) or self.batch


@dataclass(frozen=True, eq=False)
class WrapperCall:
    """What a Request built for one call of a wrapper function carries (callsites.py): the
    wrapper's own Request (`inner`), the wrapper's definition, how many of the wrapper's calls
    in the module got a Request, and whether those are all its uses in the module
    (`complete`: the name is used nowhere else, so "every caller" is known)."""

    inner: Request
    function: cst.FunctionDef
    callers: int
    complete: bool
    # The wrapper forwards its `**kwargs` whole to the request (`create(**kwargs)`): the
    # request's arguments are the caller's keywords (forwarding.py).
    forwards: bool = False

    @property
    def name(self) -> str:
        return self.function.name.value


@dataclass(eq=False)
class PrefixBlock:
    """One block of the static prefix, in cache order.

    `where` is "tools", "system" or "messages"; `value` the block's value; `text` its static
    characters; `whole` False when only the head of the block is static (a dynamic tail
    follows); `container` the DictV holding the block's text (a system/content block or a tool),
    or None when the text is given bare (`system="..."`, `"content": "..."`); `arg` the
    request argument it belongs to; `message` the message DictV for message content.
    """

    where: str
    value: Value
    text: str
    whole: bool
    arg: Arg
    container: DictV | None = None
    message: DictV | None = None
    tail_hole: Hole | None = None


@dataclass(eq=False)
class Prefix:
    blocks: list[PrefixBlock] = field(default_factory=list)
    # Why the prefix stops where it does (the first dynamic value, or an unknown).
    stop: str = ""

    @property
    def text(self) -> str:
        return "".join(b.text for b in self.blocks)

    def whole_blocks(self) -> list[PrefixBlock]:
        return [b for b in self.blocks if b.whole]

    @property
    def head(self) -> PrefixBlock | None:
        """The final, partly static block, if the prefix ends inside a block."""
        if self.blocks and not self.blocks[-1].whole:
            return self.blocks[-1]
        return None


@dataclass(eq=False)
class CacheBlock:
    """One block of the request in cache order (tools, system, messages), known or not.

    `value` is the block: a tool or content-block DictV, a Text given bare (`system="..."`,
    `"content": "..."`), or an Unknown; `container` the DictV when the block is one (where
    `cache_control` goes); `list_value` the ListV literal holding it; `message` and
    `message_index` the message it belongs to.
    """

    where: str
    value: Value
    arg: Arg
    container: DictV | None = None
    list_value: ListV | None = None
    message: DictV | None = None
    message_index: int | None = None

    @property
    def breakpoint(self) -> bool:
        """The block carries a block-level `cache_control`."""
        if self.container is None:
            return False
        cc = self.container.get("cache_control")
        return cc is not None and not (isinstance(cc, Const) and cc.value is None)

    @property
    def text(self) -> Text | None:
        """The text of a text block or of a bare string."""
        if isinstance(self.value, Text):
            return self.value
        if self.container is not None and const_str(self.container.get("type")) == "text":
            t = self.container.get("text")
            return t if isinstance(t, Text) else None
        return None

    def texts(self) -> list[Text]:
        """Every text in the block, in document order (a tool's description and schema too)."""
        return list(walk_texts(self.value))

    @property
    def known(self) -> str:
        """The block's known characters (as JSON for blocks that are not plain text)."""
        t = self.text
        if t is not None:
            return t.known
        if isinstance(self.value, Unknown):
            return ""
        return "".join(x.known for x in walk_texts(self.value))


@dataclass(eq=False)
class Request:
    call: cst.Call
    statement: cst.CSTNode
    method: str  # "create" | "stream" | "parse" | "tool_runner" | "batch"
    beta: bool
    client: str  # the traced client class, or "untraced"
    args: dict[str, Arg]
    # A `**kwargs` whose keys could not be read: any argument may be hidden in it.
    unknown_kwargs: bool
    site: Site
    # The file mentions `cache_control` somewhere (a breakpoint may be added at run time).
    file_mentions_cache_control: bool = False
    # Engine-side handles for analyses that look beyond the call (the response's uses, the
    # loop around the call). Rules reach them only through engine helpers.
    env: Env | None = None
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    # Set on a Request built for a call of a wrapper function: `call`, `statement`, `site` and
    # `env` are the caller's; the argument values are the wrapper's request resolved with its
    # parameters bound to the caller's arguments. None for a call site.
    via: WrapperCall | None = None
    # Set when the wrapper is a function of another module of the project (imported.py):
    # that module as the caller imports it (`pkg.llm`). Its argument values are the wrapper's
    # own, the caller's arguments not bound.
    imported_from: str | None = None

    # --- facts about the file around the call (computed once per file) ------------------

    @property
    def in_file(self) -> bool:
        """Whether the request was found in a parsed file (the file-wide facts below need
        one); False for a Request built without its module."""
        return self.env is not None

    def file_mentions(self, *words: str) -> bool:
        """Whether the file's text holds every one of `words` (a cheap, file-wide hint: a
        client-wide header, a `timeout=` set somewhere). False without a file."""
        if self.env is None:
            return False
        inner = self.via.inner if self.via is not None else None
        if inner is not None and inner.env is not None and inner.env.index is not \
                self.env.index and inner.file_mentions(*words):
            return True  # made in another module (bound_imports.py): what either file says
        memo = self.env.index.memo
        key = "mentions:" + "\0".join(words)
        got = memo.get(key)
        if got is None:
            text = memo.get("text")
            if text is None:
                text = memo["text"] = self.env.index.text or self.env.module.code
            got = memo[key] = all(w in text for w in words)  # type: ignore[operator]
        return bool(got)

    def file_imports(self, package: str) -> bool:
        """Whether the file imports `package` (or a module of it) at module level."""
        if self.env is None:
            return False
        inner = self.via.inner if self.via is not None else None
        if inner is not None and inner.env is not None and inner.env.index is not \
                self.env.index and inner.file_imports(package):
            return True  # made in another module (bound_imports.py): what either file does
        memo = self.env.index.memo
        key = "imports:" + package
        got = memo.get(key)
        if got is None:
            got = memo[key] = any(
                b.kind == "import" and package in ((b.module or "").split(".")[0], b.name)
                for bindings in self.env.index.module_scope.bindings.values()
                for b in bindings
            )
        return bool(got)

    def qualified_name(self, node: cst.CSTNode) -> str | None:
        """The dotted name an expression at the call refers to through the file's imports
        (`anthropic.HUMAN_PROMPT` for `HUMAN_PROMPT` imported from anthropic), or None."""
        if self.env is None:
            return None
        return self.env.resolver.qualified_name(node, self.env.scope)  # type: ignore[arg-type]

    def is_static_expr(self, expr: cst.BaseExpression) -> bool:
        """Whether an expression, evaluated where the request is made, is the same on every
        call."""
        if self.env is None:
            return False
        return is_static_value(self.env.resolver.resolve(expr, self.env.scope))

    # --- arguments -----------------------------------------------------------------------

    def arg(self, name: str) -> Arg | None:
        return self.args.get(name)

    def value(self, name: str) -> Value | None:
        a = self.args.get(name)
        return a.value if a is not None else None

    @property
    def model_id(self) -> str | None:
        return const_str(self.value("model"))

    @property
    def max_tokens(self) -> int | None:
        """The literal `max_tokens`; None when unknown or below 1 (the API rejects such a
        request, so no cost or limit can be computed from it, and no arithmetic may see it)."""
        value = const_int(self.value("max_tokens"))
        return value if value is not None and value >= 1 else None

    # --- caching -------------------------------------------------------------------------

    def breakpoints(self) -> list[Value]:
        """Every known cache breakpoint: block-level `cache_control` keys in tools, system and
        messages, and a top-level `cache_control` argument."""
        found: list[Value] = []
        for name in ("tools", "system", "messages"):
            _collect_cache_control(self.value(name), found)
        top = self.value("cache_control")
        if top is not None and not (isinstance(top, Const) and top.value is None):
            found.append(top)
        return found

    def may_hide_breakpoint(self) -> bool:
        """Some part of the request could carry a breakpoint that static analysis cannot see."""
        if self.unknown_kwargs:
            return True
        if not self.file_mentions_cache_control:
            return False
        if self.arg("extra_body") is not None:
            return True
        if self.env is None or self.via is not None:
            return any(self.args.get(n) is not None and unknown_parts(self.args[n].value)
                       for n in ("tools", "system", "messages"))
        from claudelint.analysis.breakpoint_sources import may_carry_breakpoint

        return any(
            may_carry_breakpoint(a.value, a.node, self.env)
            for a in (self.args.get(n) for n in ("tools", "system", "messages"))
            if a is not None
        )

    @property
    def automatic_cache_control(self) -> Arg | None:
        """The top-level `cache_control` argument (automatic caching), when set."""
        a = self.arg("cache_control")
        if a is None or (isinstance(a.value, Const) and a.value.value is None):
            return None
        return a

    def cache_blocks(self) -> list[CacheBlock]:
        """Every block of tools, system and messages in cache order. Unknown parts appear as
        one block with an Unknown value; elements a starred unknown hides are missing (the
        lists are then not `complete`)."""
        out: list[CacheBlock] = []
        for name in ("tools", "system", "messages"):
            arg = self.arg(name)
            if arg is None:
                continue
            value = arg.value
            if name == "messages" and isinstance(value, ListV):
                for i, message in enumerate(value.items):
                    content = message.get("content") if isinstance(message, DictV) else None
                    msg = message if isinstance(message, DictV) else None
                    if isinstance(content, ListV):
                        for block in content.items:
                            out.append(CacheBlock(name, block, arg, _dict(block), content, msg, i))
                    else:
                        out.append(CacheBlock(name, content if content is not None else message,
                                              arg, None, None, msg, i))
            elif isinstance(value, ListV):
                for block in value.items:
                    out.append(CacheBlock(name, block, arg, _dict(block), value))
            else:
                out.append(CacheBlock(name, value, arg))
        return out

    def changes(self, hole: Hole) -> bool:
        """Whether a hole's value differs between the calls this request makes: its origin is
        evidence of change (a parameter, loop variable, volatile call or a local computed from
        one) and it is fixed inside the unit that repeats the request — the innermost loop
        around the call, else the function making it. A value computed before the loop, in an
        enclosing function, once at module level or in `__init__` does not change."""
        if hole.stable or hole.origin not in CHANGING_ORIGINS or self.env is None:
            return False
        site = hole.site
        if site is None:
            return True
        if self.via is not None and self.env.resolver.inside(self.via.function, site):
            return True  # fixed inside the wrapper, which runs once per call
        if self.site.loops:
            unit: cst.CSTNode = self.site.loops[-1].node
        else:
            fn = self.env.scope.function
            if fn is None:
                return False  # module level, outside loops: made once
            unit = fn.node
        return self.env.resolver.inside(unit, site)

    def encloses(self, node: cst.CSTNode | None) -> bool:
        """Whether a node lies within the request's statement (where findings point)."""
        if node is None or self.env is None:
            return False
        return self.env.resolver.inside(self.statement, node)

    def may_share_cache(self, hole: Hole) -> bool:
        """Whether another request could read what this one writes although the hole
        changes: the value is evaluated outside this request's statement, and another request
        call sits in the same innermost loop (or, outside loops, the same function)."""
        if self.env is None:
            return False
        site = hole.site
        if site is not None and self.env.resolver.inside(self.statement, site):
            return False
        fn = self.env.scope.function
        for c in self.env.index.candidates:
            if c.call is self.call:
                continue
            if self.site.loops:
                if any(lp is self.site.loops[-1] for lp in c.loops):
                    return True
            elif fn is not None and c.scope.function is fn:
                return True
        return False

    def changing_holes(self, value: Value | None) -> list[Hole]:
        """The holes of a value (in document order) whose content changes between calls;
        an unknown value computed from a changing input counts as one hole."""
        out: list[Hole] = []
        if isinstance(value, Unknown):
            if value.origin in CHANGING_ORIGINS and not value.stable:
                h = Hole(self._code(value.node), value.origin, value.node, value.volatile,
                         value.bound_at)
                if self.changes(h):
                    out.append(h)
            return out
        if isinstance(value, ListV):
            for item in value.items:
                out.extend(self.changing_holes(item))
        elif isinstance(value, DictV):
            for _, item in value.items:
                out.extend(self.changing_holes(item))
        elif isinstance(value, Text):
            out.extend(h for h in value.holes if self.changes(h))
        return out

    def expr_changes(self, expr: cst.BaseExpression) -> bool:
        """Whether an expression, evaluated where the request is made, changes between its
        calls (in the sense of `changes`)."""
        if self.env is None:
            return False
        return bool(self.changing_holes(self.env.resolver.resolve(expr, self.env.scope)))

    def single_turn(self) -> bool:
        """`messages` is a list literal written at the request, fully known, whose messages
        before the last one never change (no conversation history is carried), and whose last
        message is the user's."""
        arg = self.arg("messages")
        if arg is None:
            return False
        value = arg.value
        if not isinstance(value, ListV) or not value.complete or not value.items:
            return False
        if value.node is not arg.node or type(value.node).__name__ != "List":
            return False
        if not all(isinstance(m, DictV) and m.complete for m in value.items):
            return False
        last = value.items[-1]
        assert isinstance(last, DictV)
        if const_str(last.get("role")) != "user":
            return False
        return not any(self.changing_holes(m) for m in value.items[:-1])

    def _code(self, node: cst.CSTNode | None) -> str:
        if node is None or self.env is None:
            return "?"
        return self.env.module.code_for_node(node)

    def static_prefix(self) -> Prefix:
        """The static prefix in cache order: tools, then system, then messages, up to the
        first value that changes between calls (whose static head is included)."""
        prefix = Prefix()
        for name in ("tools", "system", "messages"):
            arg = self.arg(name)
            if arg is None:
                continue
            if not _extend(prefix, name, arg):
                return prefix
        prefix.stop = "end of request"
        return prefix


def _dict(value: Value) -> DictV | None:
    return value if isinstance(value, DictV) else None


def _collect_cache_control(value: Value | None, out: list[Value]) -> None:
    if isinstance(value, DictV):
        cc = value.get("cache_control")
        if cc is not None and not (isinstance(cc, Const) and cc.value is None):
            out.append(cc)
        for _, v in value.items:
            _collect_cache_control(v, out)
    elif isinstance(value, ListV):
        for item in value.items:
            _collect_cache_control(item, out)


def _extend(prefix: Prefix, where: str, arg: Arg) -> bool:
    """Add the static part of one argument to the prefix. False when the prefix stops."""
    value = arg.value
    if where == "system":
        if isinstance(value, Text):
            return _add_text(prefix, where, value, arg, None, None)
        if isinstance(value, ListV):
            return _add_blocks(prefix, where, value, arg, None, "system blocks not all known")
        return _stop_unknown(prefix, where, value)
    if where == "tools":
        if not isinstance(value, ListV):
            return _stop_unknown(prefix, where, value)
        for tool in value.items:
            if isinstance(tool, DictV):
                text = static_json(tool)
                if text is None:
                    prefix.stop = "a tool definition changes between calls"
                    return False
                prefix.blocks.append(PrefixBlock(where, tool, text, True, arg, tool))
            elif isinstance(tool, Unknown) and tool.stable:
                continue  # a constant tool definition we cannot read: stable, size unknown
            else:
                prefix.stop = "a tool definition is not known"
                return False
        if not value.complete:
            prefix.stop = "tools not all known"
            return False
        return True
    # messages
    if not isinstance(value, ListV):
        return _stop_unknown(prefix, where, value)
    for message in value.items:
        if not isinstance(message, DictV) or not message.complete:
            prefix.stop = "a message is not known"
            return False
        content = message.get("content")
        if isinstance(content, Text):
            if not _add_text(prefix, where, content, arg, None, message):
                return False
        elif isinstance(content, ListV):
            if not _add_blocks(prefix, where, content, arg, message,
                               "message content not all known"):
                return False
        else:
            prefix.stop = "message content is not known"
            return False
    if not value.complete:
        prefix.stop = "messages not all known"
        return False
    return True


def _add_blocks(prefix: Prefix, where: str, blocks: ListV, arg: Arg, message: DictV | None,
                incomplete: str) -> bool:
    """Add a list of content blocks (`_add_block`); when the list is not all known, the
    prefix stops there with the reason `incomplete`. False when the prefix stops."""
    for block in blocks.items:
        if not _add_block(prefix, where, block, arg, message):
            return False
    if not blocks.complete:
        prefix.stop = incomplete
        return False
    return True


def _stop_unknown(prefix: Prefix, where: str, value: Value) -> bool:
    prefix.stop = f"`{where}` is not known"
    return False


def _add_block(prefix: Prefix, where: str, block: Value, arg: Arg,
               message: DictV | None) -> bool:
    if not isinstance(block, DictV):
        prefix.stop = f"a {where} block is not known"
        return False
    kind = const_str(block.get("type"))
    text = block.get("text")
    if kind == "text" and isinstance(text, Text):
        return _add_text(prefix, where, text, arg, block, message)
    # Non-text blocks (images, documents, tool results): static only when fully literal.
    js = static_json(block)
    if js is None:
        prefix.stop = f"a {kind or 'non-text'} block changes between calls"
        return False
    prefix.blocks.append(PrefixBlock(where, block, js, True, arg, block, message))
    return True


def _add_text(prefix: Prefix, where: str, text: Text, arg: Arg, container: DictV | None,
              message: DictV | None) -> bool:
    if text.is_static:
        prefix.blocks.append(PrefixBlock(where, text, text.known, True, arg, container, message))
        return True
    head = text.static_head()
    hole = text.first_dynamic_hole()
    if head:
        prefix.blocks.append(
            PrefixBlock(where, text, head, False, arg, container, message, tail_hole=hole)
        )
    prefix.stop = f"`{hole.expr if hole else '?'}` changes between calls"
    return False


def is_static_value(value: Value) -> bool:
    """The value is the same on every call."""
    if isinstance(value, Text):
        return value.is_static
    if isinstance(value, Const):
        return True
    if isinstance(value, (ListV, DictV)):
        items = value.items if isinstance(value, ListV) else tuple(v for _, v in value.items)
        return value.complete and all(is_static_value(v) for v in items)
    return value.stable


def static_json(value: Value) -> str | None:
    """The JSON text of a value whose every part is static, else None."""

    def conv(v: Value) -> Any:
        if isinstance(v, Text):
            if not v.is_static:
                raise ValueError
            return v.known
        if isinstance(v, Const):
            return v.value
        if isinstance(v, ListV):
            if not v.complete:
                raise ValueError
            return [conv(i) for i in v.items]
        if isinstance(v, DictV):
            if not v.complete:
                raise ValueError
            return {k: conv(i) for k, i in v.items}
        if v.stable:
            return ""
        raise ValueError

    try:
        return json.dumps(conv(value), ensure_ascii=False)
    except ValueError:
        return None
