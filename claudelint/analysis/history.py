"""CL501's question: does a request send a message list (or a prompt string) that grows on
every pass of a loop — `append`, `extend`, `insert`, `+=` — whole, with no trimming, no summary,
no message-level cache breakpoint? Either in the loop around the call, or as `self.history` / a
module global grown by a method or function that is called in a loop of the same file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.facts import (
    _DEFS,
    SMALL_LOOP,
    Facts,
    _chain,
    _facts,
    _func_name,
    _growth_form,
    _is_call_of,
    _local_function,
    _positional,
    _repeating_loops,
    _small,
)
from claudelint.analysis.values import DictV, ListV, Value
from claudelint.syntax.scopes import Binding, Scope, dotted_name

if TYPE_CHECKING:
    from claudelint.analysis.request import Env, Request


@dataclass(frozen=True, eq=False)
class HistoryGrowth:
    """A message list or prompt string sent whole by a request and grown on every pass of a loop.

    `name` as written (`messages`, `self.history`), `growth` the code of one growing statement,
    `loop` says what repeats it ("on every pass of a `while True` loop", "on every call of
    `Bot.chat()`, which runs in a `for` loop over `lines`"), and `node` the expression of the
    request that sends it."""

    name: str
    growth: str
    loop: str
    node: cst.CSTNode
    # For a list joined into a text of the request (`"\n".join(notes)` in the system prompt
    # or a message): the join as written, and where its text goes ("system", "messages").
    joined: str = ""
    into: str = ""
    joined_name: str = ""  # the list the join reads, as the request's code names it


def _whole(expr: cst.BaseExpression) -> str | None:
    """The list an expression sends whole: `h`, `self.h`, `[*h, x]`, `h + [x]`, `list(h)`,
    `h.copy()`, `copy.deepcopy(h)`, `h[:]`."""
    c = _chain(expr)
    if c:
        return c
    if isinstance(expr, cst.List) and expr.elements:
        first = expr.elements[0]
        if isinstance(first, cst.StarredElement):
            return _chain(first.value)
        return None
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left: cst.BaseExpression = expr
        while isinstance(left, cst.BinaryOperation) and isinstance(left.operator, cst.Add):
            left = left.left
        return _chain(left)
    if isinstance(expr, cst.Call):
        name = _func_name(expr)
        pos = _positional(expr)
        if name in ("list", "deepcopy", "copy") and len(pos) == 1:
            return _chain(pos[0]) or (_whole(pos[0]) if name == "list" else None)
        if name == "copy" and isinstance(expr.func, cst.Attribute) and not expr.args:
            return _chain(expr.func.value)
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp)) and expr.for_in.inner_for_in is None:
        # A filtered or reshaped copy, `[m for m in history if ...]`: it grows with the list.
        return _whole(expr.for_in.iter)
    if isinstance(expr, cst.Call) and _func_name(expr) == "filter" and \
            isinstance(expr.func, cst.Name) and len(_positional(expr)) == 2:
        return _whole(_positional(expr)[1])
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
        s = expr.slice[0].slice
        if isinstance(s, cst.Slice) and s.lower is None and s.upper is None and s.step is None:
            return _chain(expr.value)
    return None


def _texts_sent(expr: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]]:
    """Names whose text is sent as message content: `{"content": transcript}`,
    `f"{transcript}..."`, `transcript + q`."""
    out: list[tuple[str, cst.BaseExpression]] = []

    def take(e: cst.BaseExpression) -> None:
        c = _chain(e)
        if c:
            out.append((c, e))
        elif isinstance(e, cst.FormattedString):
            for p in e.parts:
                if isinstance(p, cst.FormattedStringExpression):
                    take(p.expression)
        elif isinstance(e, cst.BinaryOperation) and isinstance(e.operator, cst.Add):
            take(e.left)
            take(e.right)

    if isinstance(expr, (cst.List, cst.Tuple)):
        for el in expr.elements:
            d = el.value
            if isinstance(d, cst.Dict):
                for de in d.elements:
                    if isinstance(de, cst.DictElement) and isinstance(de.key, cst.SimpleString) \
                            and de.key.evaluated_value == "content":
                        take(de.value)
    return out


def _sent(request: Request, facts: Facts, fn: cst.CSTNode | None) -> list[
        tuple[str, cst.BaseExpression]]:
    out: list[tuple[str, cst.BaseExpression]] = []
    arg = request.arg("messages")
    if arg is not None and not arg.via_kwargs:
        node = arg.node
        c = _whole(node)
        if c is None and isinstance(node, cst.Name) and request.env is not None:
            # One alias: `msgs = [*history, turn]` then `messages=msgs`.
            found = request.env.scope.lookup(node.value)
            assigns = [b for b in found[1] if b.kind == "assign"] if found else []
            if len(assigns) == 1 and assigns[0].value is not None:
                c = _whole(assigns[0].value)
        if c is not None:
            out.append((c, node))
        else:
            out.extend(_texts_sent(node))
    system = request.arg("system")
    if system is not None and not system.via_kwargs and (c := _chain(system.node)):
        out.append((c, system.node))
    return out


@dataclass(frozen=True, eq=False)
class _Joined:
    """A list joined whole into a text the request sends: the list's chain, the node to
    report (the join when the call's argument holds it, else the argument), the join call,
    and which argument ("system", "messages")."""

    chain: str
    node: cst.BaseExpression
    join: cst.Call
    into: str


def _joined_sent(request: Request) -> list[_Joined]:
    """Lists joined whole (`"\n".join(notes)`, `sep.join(f"- {n}" for n in notes)`) into the
    system prompt or a message's text, directly or through names bound once
    (`context = "\n".join(notes)`, then `system=context`). A slice (`notes[-5:]`) is not
    whole."""
    env = request.env
    if env is None or request.via is not None:
        return []
    facts = _facts(env)
    loops = [lp for lp in _repeating_loops(facts, request.call)[0]
             if isinstance(lp, (cst.For, cst.While))]

    def fresh(binding: Binding) -> bool:
        # A name bound in the request's own scope, inside every loop around the request: its
        # text is built again for each request (`summary = "\n".join(notes)` before the
        # loop is a snapshot that never grows).
        value = binding.value
        return binding.scope is env.scope and value is not None and \
            all(facts.inside(value, lp) for lp in loops)

    out: list[_Joined] = []
    for into in ("system", "messages"):
        arg = request.arg(into)
        if arg is None or arg.via_kwargs:
            continue
        for join in _joins_in(arg.node, env.scope, fresh, 0):
            c = _whole(_positional(join)[0])
            if c is not None:
                # Point at the join where the call writes it, else at the argument.
                node = join if env.resolver.inside(arg.node, join) else arg.node
                out.append(_Joined(c, node, join, into))
    return out


def _joins_in(expr: cst.BaseExpression, scope: Scope, fresh: Callable[[Binding], bool],
              hops: int, level: int = 0) -> list[cst.Call]:
    """The `str.join(...)` calls whose result is part of the text `expr` builds (through at
    most 4 names, each bound once and `fresh`)."""
    if hops > 4 or level > 40:
        return []
    if isinstance(expr, cst.Name):
        found = scope.lookup(expr.value)
        bindings = found[1] if found is not None else []
        if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None \
                or not fresh(bindings[0]):
            return []
        return _joins_in(bindings[0].value, scope, fresh, hops + 1, level + 1)
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value == "join" and \
                isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString, cst.Name)) \
                and len(expr.args) == 1 and expr.args[0].keyword is None and \
                not expr.args[0].star:
            return [expr]
        return []
    out: list[cst.Call] = []
    if isinstance(expr, (cst.List, cst.Tuple)):
        for el in expr.elements:
            if not isinstance(el, cst.StarredElement):
                out.extend(_joins_in(el.value, scope, fresh, hops, level + 1))
    elif isinstance(expr, cst.Dict):
        for de in expr.elements:
            if isinstance(de, cst.DictElement) and isinstance(de.key, cst.SimpleString) \
                    and de.key.evaluated_value in ("content", "text"):
                out.extend(_joins_in(de.value, scope, fresh, hops, level + 1))
    elif isinstance(expr, cst.FormattedString):
        for p in expr.parts:
            if isinstance(p, cst.FormattedStringExpression):
                out.extend(_joins_in(p.expression, scope, fresh, hops, level + 1))
    elif isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        out.extend(_joins_in(expr.left, scope, fresh, hops, level + 1))
        out.extend(_joins_in(expr.right, scope, fresh, hops, level + 1))
    elif isinstance(expr, cst.IfExp):
        out.extend(_joins_in(expr.body, scope, fresh, hops, level + 1))
        out.extend(_joins_in(expr.orelse, scope, fresh, hops, level + 1))
    return out


def _in_caller(request: Request, sent: list[tuple[str, cst.BaseExpression]]
               ) -> list[tuple[str, cst.BaseExpression]]:
    """For a call of a wrapper, the names it sends are the wrapper's: a parameter becomes the
    list the caller passes for it (`ask(history)`), and a local of the wrapper is a new list
    on every call, not the caller's list of the same name."""
    assert request.via is not None
    fn = request.via.function
    params = [*fn.params.posonly_params, *fn.params.params]
    names = [p.name.value for p in params]
    pos = _positional(request.call)
    out: list[tuple[str, cst.BaseExpression]] = []
    for chain, _node in sent:
        root = chain.split(".")[0]
        if root != chain or root not in names:
            continue
        i = names.index(root)
        given = pos[i] if i < len(pos) else next(
            (a.value for a in request.call.args
             if a.keyword is not None and a.keyword.value == root), None)
        c = _whole(given) if given is not None else None
        if c is not None and given is not None:
            out.append((c, given))
    return out


def _cached_or_compacted(request: Request) -> bool:
    if request.unknown_kwargs:
        return True
    for name in ("cache_control", "context_management", "compaction"):
        if request.arg(name) is not None:
            return True
    betas = request.arg("betas")
    if betas is not None and re.search(r"compact|context-management", str(betas.value)):
        return True
    return _has_cache_key(request.value("messages"))


def _has_cache_key(value: Value | None) -> bool:
    if isinstance(value, DictV):
        return value.get("cache_control") is not None or any(
            _has_cache_key(v) for _, v in value.items)
    if isinstance(value, ListV):
        return any(_has_cache_key(v) for v in value.items)
    return False


@dataclass(frozen=True)
class _Region:
    """Where a history lives: a function's locals, a class's `self.` attributes, or the
    module's globals; `node` bounds the search for trims and resets (None: the module)."""

    kind: str  # "local" | "self" | "global"
    node: cst.CSTNode | None
    init: frozenset[str] = frozenset()  # functions whose assignments are the initial value


def _region(env: Env, chain: str, scope: Scope) -> _Region | None:
    root = chain.split(".")[0]
    fn = scope.function
    if fn is not None and fn.class_scope is not None and root == fn.self_name:
        if chain.count(".") != 1:
            return None
        return _Region("self", fn.class_scope.node, frozenset({"__init__", "__post_init__",
                                                                "setup", "setUp"}))
    if "." in chain:
        return None
    s: Scope | None = scope
    while s is not None and s.kind not in ("function", "lambda", "module"):
        s = s.parent
    if s is None:
        return None
    if s.kind == "module":
        return _Region("global", None)
    if root in s.bindings and root not in s.global_names:
        return _Region("local", s.node)
    # A closure's free name: the list of the function that made the closure
    # (`def make_turn(msgs): def turn(): msgs.append(...)`).
    outer = s.parent
    while outer is not None and root not in s.global_names:
        if outer.kind == "function":
            if root in outer.bindings and root not in outer.global_names:
                return _Region("local", outer.node)
        elif outer.kind == "module":
            break
        outer = outer.parent
    if root in env.index.module_scope.bindings:
        return _Region("global", None)
    return None


def _in_init(facts: Facts, node: cst.CSTNode, region: _Region) -> bool:
    fn = next((a for a in facts.ancestors(node) if isinstance(a, cst.FunctionDef)), None)
    if region.kind == "global":
        return fn is None
    return fn is not None and fn.name.value in region.init


def _bounded(facts: Facts, chain: str, region: _Region, loop: cst.CSTNode | None,
             request: Request) -> bool:
    """Trimmed, reset, summarised, bounded or cached somewhere it can act."""
    for node in facts.trims.get(chain, []):
        if facts.inside(node, region.node) and not _rollback(facts, node):
            return True
    for ref, call in facts.refs.get(chain, []) if "." not in chain else ():
        # `drop_oldest(messages)`: a function of this module that trims that parameter.
        if not facts.inside(call, region.node):
            continue
        index = next((i for i, a in enumerate(_positional(call)) if a is ref), None)
        callee = _local_function(facts, dotted_name(call.func) or "", call)
        if index is not None and callee is not None and _param_facts(
                facts, callee, index, facts.trims):
            return True
    for node, value in facts.assigns.get(chain, []):
        if not facts.inside(node, region.node):
            continue
        if isinstance(value, cst.Call) and _func_name(value) == "deque" and any(
                a.keyword is not None and a.keyword.value == "maxlen" for a in value.args):
            return True
        if loop is not None and facts.inside(node, loop):
            return True  # a fresh list (or a summary, or a slice) on every pass
        if region.kind != "local" and not _in_init(facts, node, region):
            return True
    excluded = [a.node for a in (request.arg("system"), request.arg("tools")) if a is not None]
    for mark in facts.cache_marks:
        if facts.inside(mark, region.node if region.kind != "global" else None) and \
                not any(facts.inside(mark, x) for x in excluded):
            return True
    return False


def _rollback(facts: Facts, node: cst.CSTNode) -> bool:
    """A removal of the newest item that takes back (part of) the current turn, which does not
    bound the history: `history.pop()` (or `del history[-1]`) in an `except` handler, or in a
    loop that pops until the last message is the user's again
    (`while h and h[-1]["role"] != "user": h.pop()`). A loop on the length
    (`while len(h) > N: h.pop()`) trims."""
    chain = _last_removed(node)
    if chain is None:
        return False  # pop(0), del h[:k]: the oldest turns go
    for a in facts.ancestors(node):
        if isinstance(a, cst.ExceptHandler):
            return True
        if isinstance(a, cst.While):
            # Inside an `except` or not, a loop that stops at the last message undoes the
            # turn; one that measures the list bounds it.
            return _tests_last_only(a.test, chain)
        if isinstance(a, (cst.For, *_DEFS)):
            return False
    return False


def _last_removed(node: cst.CSTNode) -> str | None:
    """The list whose last item `node` removes: `h.pop()`, `h.pop(-1)`, `del h[-1]`."""
    if isinstance(node, cst.Del):
        t = node.target
        if isinstance(t, cst.Subscript) and len(t.slice) == 1 and \
                isinstance(t.slice[0].slice, cst.Index) and _minus_one(t.slice[0].slice.value):
            return _chain(t.value)
        return None
    if not (isinstance(node, cst.Call) and _func_name(node) == "pop" and
            isinstance(node.func, cst.Attribute)):
        return None
    pos = _positional(node)
    if pos and not _minus_one(pos[0]):
        return None
    return _chain(node.func.value)


def _minus_one(e: cst.BaseExpression) -> bool:
    return isinstance(e, cst.UnaryOperation) and isinstance(e.operator, cst.Minus) and \
        isinstance(e.expression, cst.Integer) and e.expression.value == "1"


def _tests_last_only(test: cst.BaseExpression, chain: str) -> bool:
    """Whether a loop test looks at `chain[-1]` and at no measure of the list (`len(h)`,
    `count_tokens(h)`)."""
    last = False
    for n in _walk(test):
        if isinstance(n, cst.Subscript) and _chain(n.value) == chain and len(n.slice) == 1 \
                and isinstance(n.slice[0].slice, cst.Index) and \
                _minus_one(n.slice[0].slice.value):
            last = True
        elif isinstance(n, cst.Call) and any(_chain(a.value) == chain for a in n.args):
            return False
    return last


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(n.children)
    return out


def _growth_in(facts: Facts, chain: str, where: cst.CSTNode) -> cst.CSTNode | None:
    for node in facts.growth.get(chain, []):
        if facts.inside(node, where) and not any(
                isinstance(a, _DEFS) for a in _between(facts, node, where)):
            return node
    # `add_user(messages, text)`: a function of this module that appends to that parameter.
    for ref, call in facts.refs.get(chain, []) if "." not in chain else ():
        if not facts.inside(call, where) or any(
                isinstance(a, _DEFS) for a in _between(facts, call, where)):
            continue
        pos = _positional(call)
        index = next((i for i, a in enumerate(pos) if a is ref), None)
        callee = _local_function(facts, dotted_name(call.func) or "", call)
        if index is not None and callee is not None and _grows_param(facts, callee, index):
            return call
    return None


def _grows_param(facts: Facts, fn: cst.FunctionDef, index: int) -> bool:
    """Whether `fn` appends to (extends, inserts into) its positional parameter `index`."""
    return _param_facts(facts, fn, index, facts.growth)


def _param_facts(facts: Facts, fn: cst.FunctionDef, index: int,
                 table: dict[str, list[cst.CSTNode]]) -> bool:
    """Whether `table` (growth or trims) has a method call on `fn`'s positional parameter
    `index` inside `fn` (`messages.append(...)`, `messages.pop(0)`)."""
    params = [*fn.params.posonly_params, *fn.params.params]
    if index >= len(params):
        return False
    name = params[index].name.value
    return any(facts.inside(g, fn) and isinstance(g, (cst.Call, cst.Del)) and
               not _rollback(facts, g) for g in table.get(name, []))


def _between(facts: Facts, node: cst.CSTNode, top: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    for a in facts.ancestors(node):
        if a is top:
            break
        out.append(a)
    return out


def _loop_words(facts: Facts, loop: cst.CSTNode) -> str:
    if isinstance(loop, cst.While):
        return f"`while {facts.code(loop.test)}` loop"
    assert isinstance(loop, cst.For)
    return f"`for` loop over `{facts.code(loop.iter)}`"


def _analyze_history(request: Request) -> HistoryGrowth | None:
    env = request.env
    if env is None or request.method == "tool_runner" or request.site.batch:
        return None
    if _cached_or_compacted(request):
        return None
    facts = _facts(env)
    loops, fn = _repeating_loops(facts, request.call)
    loops = [lp for lp in loops if isinstance(lp, (cst.For, cst.While))]
    sent: list[tuple[str, cst.BaseExpression, _Joined | None]] = [
        (c, n, None) for c, n in _sent(request, facts, fn)]
    if request.via is not None:
        sent = [(c, n, None) for c, n in _in_caller(request, [(c, n) for c, n, _ in sent])]
    sent.extend((j.chain, j.node, j) for j in _joined_sent(request))

    def found(chain: str, growth: cst.CSTNode, loop: str, node: cst.CSTNode,
              joined: _Joined | None) -> HistoryGrowth:
        if joined is None:
            return HistoryGrowth(chain, facts.code(growth), loop, node)
        return HistoryGrowth(chain, facts.code(growth), loop, node, facts.code(joined.join),
                             joined.into, joined.chain)

    for chain, node, joined in sent:
        region = _region(env, chain, env.scope)
        if region is None:
            continue
        # In the loop around the request.
        grown = False
        for loop in loops:
            growth = _growth_in(facts, chain, loop)
            if growth is None:
                continue
            grown = True
            if isinstance(loop, cst.For):
                n = _small(loop.iter)
                if n is not None and n <= SMALL_LOOP:
                    continue
            if _bounded(facts, chain, region, loop, request):
                break
            return found(chain, growth, f"on every pass of a {_loop_words(facts, loop)}", node,
                         joined)
        fn_scope = env.scope.function
        if grown or not isinstance(fn, cst.FunctionDef) or fn_scope is None:
            continue
        if region.kind == "local":
            if joined is not None and "." not in chain:
                # `"\n".join(notes)` of a parameter the caller fills in its loop.
                got = _from_caller_loop(facts, env, request, fn, fn_scope, chain)
                if got is not None:
                    return found(got[0], got[1], got[2], node, joined)
            # An agent loop written as recursion: `step(messages)` grows and calls itself.
            # (Not for a joined text: a recursive call is most often a one-off continuation.)
            growth = _recursion(facts, chain, fn, fn_scope) if joined is None else None
            if growth is not None:
                return found(chain, growth, f"on every recursive call of `{fn.name.value}()`",
                             node, joined)
            continue
        # A persistent list grown by this method / function (or by the one that calls it),
        # which is called in a loop.
        if _bounded(facts, chain, region, None, request):
            continue
        growth = _growth_in(facts, chain, fn)
        if growth is not None:
            loop_desc = _called_in_loop(facts, fn, fn_scope)
            if loop_desc is not None:
                return found(chain, growth, loop_desc, node, joined)
            continue
        for caller, caller_scope in _callers(facts, fn, fn_scope):
            growth = _growth_in(facts, chain, caller)
            if growth is None:
                continue
            loop_desc = _called_in_loop(facts, caller, caller_scope)
            if loop_desc is not None:
                return found(chain, growth, loop_desc, node, joined)
    return None


def _from_caller_loop(facts: Facts, env: Env, request: Request, fn: cst.FunctionDef,
                      fn_scope: Scope, param: str) -> tuple[str, cst.CSTNode, str] | None:
    """A parameter of `fn` that a call of `fn` in this module fills, on every pass of a loop
    around the call, with a list that grows in that loop and is never bounded: the caller's
    list, its growth and the loop. `fn` must not rebind the parameter (an empty default,
    `if notes is None: notes = []`, aside) nor trim it."""
    params = [p.name.value for p in (*fn.params.posonly_params, *fn.params.params)]
    if fn_scope.class_scope is not None and not any(
            dotted_name(d.decorator) == "staticmethod" for d in fn.decorators):
        params = params[1:]  # `self.ask(q, notes)`: the receiver is not a positional argument
    if param not in params:
        return None
    index = params.index(param)
    for b in fn_scope.bindings.get(param, []):
        if b.kind == "param" or (b.kind == "assign" and isinstance(b.value, cst.List) and
                                 not b.value.elements):
            continue
        return None
    if any(facts.inside(t, fn) for t in facts.trims.get(param, [])):
        return None
    for site in facts.calls.get(fn.name.value, []):
        if facts.inside(site, fn) or not _is_call_of(facts, site, fn, fn_scope):
            continue
        pos = _positional(site)
        given = pos[index] if index < len(pos) else next(
            (a.value for a in site.args if a.keyword is not None and a.keyword.value == param),
            None)
        if given is None or any(a.star for a in site.args):
            continue
        loops, _ = _repeating_loops(facts, site)
        scope = facts.scope_at(site)
        for loop in loops:
            if not isinstance(loop, (cst.For, cst.While)):
                continue
            if isinstance(loop, cst.For):
                n = _small(loop.iter)
                if n is not None and n <= SMALL_LOOP:
                    continue
            chain = _grown_list(facts, given, scope, loop)
            if chain is None:
                continue
            region = _region(env, chain, scope)
            growth = _growth_in(facts, chain, loop)
            if region is None or growth is None or _bounded(facts, chain, region, loop,
                                                             request):
                break
            return (chain, growth, f"on every pass of a {_loop_words(facts, loop)} around the "
                                   f"call of `{fn.name.value}()`")
    return None


def _grown_list(facts: Facts, given: cst.BaseExpression, scope: Scope,
                loop: cst.CSTNode) -> str | None:
    """The list an argument passes whole: the list itself, or the one a name bound once
    copies — `prev = [r for _, r in log]` on every pass of `loop` (a copy made before the
    loop does not grow), or `prev = log` anywhere."""
    chain = _whole(given)
    if chain is None or "." in chain or _growth_in(facts, chain, loop) is not None:
        return chain
    found = scope.lookup(chain)
    bindings = found[1] if found is not None else []
    if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None:
        return chain
    value = bindings[0].value
    if _chain(value) is not None:
        return _chain(value)
    copied = _whole(value)
    if copied is not None and facts.inside(value, loop):
        return copied
    return chain


def _callers(facts: Facts, fn: cst.FunctionDef, fn_scope: Scope, *, persistent: bool = False
             ) -> list[tuple[cst.FunctionDef, Scope]]:
    """The functions of this module that call `fn` (by name, or as a method of its class);
    `persistent`: not through an object the caller creates (`bot = Bot(); bot.chat(x)`
    starts a new history on every call of the caller)."""
    out: list[tuple[cst.FunctionDef, Scope]] = []
    for site in facts.calls.get(fn.name.value, []):
        if facts.inside(site, fn) or not _is_call_of(facts, site, fn, fn_scope):
            continue
        caller = next((a for a in facts.ancestors(site) if isinstance(a, _DEFS)), None)
        if not isinstance(caller, cst.FunctionDef) or any(c is caller for c, _ in out):
            continue
        if persistent and isinstance(site.func, cst.Attribute) and \
                _fresh_receiver(facts, site, caller):
            continue
        scope = facts.scope_of.get(id(caller))
        if scope is not None and scope.function is scope:
            out.append((caller, scope))
    return out


def _recursion(facts: Facts, chain: str, fn: cst.FunctionDef,
               fn_scope: Scope) -> cst.CSTNode | None:
    """The growth of a local list that `fn` passes on to its own recursive call, with no
    trimming or reassignment in `fn`."""
    growth = _growth_in(facts, chain, fn)
    passes = False
    for site in facts.calls.get(fn.name.value, []):
        if not facts.inside(site, fn) or not _is_call_of(facts, site, fn, fn_scope):
            continue
        for a in site.args:
            if _chain(a.value) == chain:
                passes = True
            elif _growth_form(chain, a.value):
                passes = True
                growth = growth or a.value
    if not passes or growth is None:
        return None
    if any(facts.inside(t, fn) and not _rollback(facts, t) for t in facts.trims.get(chain, [])):
        return None
    if any(facts.inside(n, fn) for n, _ in facts.assigns.get(chain, [])):
        return None
    return growth


def _called_in_loop(facts: Facts, fn: cst.FunctionDef, fn_scope: Scope,
                    depth: int = 1) -> str | None:
    """How `fn` is repeated: called in a loop of this module, or called by a function that is
    (the loop in the caller's caller)."""
    name = fn.name.value
    cls = fn_scope.class_scope
    shown = f"{cls.name}.{name}()" if cls is not None else f"{name}()"
    for site in facts.calls.get(name, []):
        if facts.inside(site, fn) or not _is_call_of(facts, site, fn, fn_scope):
            continue
        loops, _ = _repeating_loops(facts, site)
        for loop in loops:
            if not isinstance(loop, (cst.For, cst.While)):
                continue
            if isinstance(loop, cst.For):
                n = _small(loop.iter)
                if n is not None and n <= SMALL_LOOP:
                    continue
            if isinstance(site.func, cst.Attribute) and _fresh_receiver(facts, site, loop):
                break
            return f"on every call of `{shown}`, which runs in a {_loop_words(facts, loop)}"
    if depth < 2:
        for caller, caller_scope in _callers(facts, fn, fn_scope, persistent=True):
            if caller is fn:
                continue
            desc = _called_in_loop(facts, caller, caller_scope, depth + 1)
            if desc is not None:
                return f"on every call of `{shown}`, from {desc[len('on every call of '):]}"
    return None


def _fresh_receiver(facts: Facts, site: cst.Call, loop: cst.CSTNode) -> bool:
    """`for x in xs: bot = Bot(); bot.chat(x)`: a new object (and history) each pass."""
    assert isinstance(site.func, cst.Attribute)
    receiver = _chain(site.func.value)
    if receiver is None:
        return True
    return any(facts.inside(node, loop) for node, _ in facts.assigns.get(receiver, []))

