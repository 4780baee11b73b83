"""CL501's question: does a request send a message list (or a prompt string) that grows on
every pass of a loop — `append`, `extend`, `insert`, `+=` — whole, with no trimming, no summary,
no message-level cache breakpoint? Either in the loop around the call, or as `self.history` / a
module global grown by a method or function that is called in a loop of the same file.
"""

from __future__ import annotations

import re
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
from claudelint.syntax.scopes import Scope, dotted_name

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
    sent = _sent(request, facts, fn)
    if request.via is not None:
        sent = _in_caller(request, sent)
    for chain, node in sent:
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
            return HistoryGrowth(chain, facts.code(growth),
                                 f"on every pass of a {_loop_words(facts, loop)}", node)
        fn_scope = env.scope.function
        if grown or not isinstance(fn, cst.FunctionDef) or fn_scope is None:
            continue
        if region.kind == "local":
            # An agent loop written as recursion: `step(messages)` grows and calls itself.
            growth = _recursion(facts, chain, fn, fn_scope)
            if growth is not None:
                return HistoryGrowth(chain, facts.code(growth),
                                     f"on every recursive call of `{fn.name.value}()`", node)
            continue
        # A persistent list grown by this method / function (or by the one that calls it),
        # which is called in a loop.
        if _bounded(facts, chain, region, None, request):
            continue
        growth = _growth_in(facts, chain, fn)
        if growth is not None:
            loop_desc = _called_in_loop(facts, fn, fn_scope)
            if loop_desc is not None:
                return HistoryGrowth(chain, facts.code(growth), loop_desc, node)
            continue
        for caller, caller_scope in _callers(facts, fn, fn_scope):
            growth = _growth_in(facts, chain, caller)
            if growth is None:
                continue
            loop_desc = _called_in_loop(facts, caller, caller_scope)
            if loop_desc is not None:
                return HistoryGrowth(chain, facts.code(growth), loop_desc, node)
    return None


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

