"""How a request sits in the code around it: the loop that repeats it, whether its response
feeds the next request, whether the message list it sends grows.

Two questions, asked by CL401 and CL501:

- `FlowInfo.repetition`: is the request made once per item of a collection, each request
  independent of the previous responses? That is a `for` loop, a `while queue: x = queue.pop()`
  loop, a comprehension, `asyncio.gather(*[...])`, or an executor `map` / `submit` — around the
  call itself, or around the calls of the local function that makes the request. Retry loops are
  looked through (the loop around them counts); chat and agent loops (a response reaches the next
  request, or decides whether it is made), interactive loops, web handlers and streaming
  generators stop the search. `FlowInfo.not_batchable` says why nothing was found.
- `FlowInfo.history`: does the request send a message list (or a prompt string) that grows on
  every pass of a loop — `append`, `extend`, `insert`, `+=` — whole, with no trimming, no
  summary, no message-level cache breakpoint? Either in the loop around the call, or as
  `self.history` / a module global grown by a method or function that is called in a loop of the
  same file.

Everything here reads the syntax tree: one extra pass over the module (cached per module)
records parent links and, by dotted name, the calls, growth, trimming and resets the questions
need; loop bodies are then walked on demand. Rules read only the dataclasses below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.values import DictV, ListV, Value
from claudelint.syntax.scopes import ModuleIndex, Scope, dotted_name
from claudelint.syntax.walk import Visitor, children

if TYPE_CHECKING:
    from claudelint.analysis.request import Env, Request


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Repetition:
    """A request made once per item of a collection, no response feeding the next request.

    `kind`: "for", "while" (`while queue: item = queue.pop()`), "comprehension", "gather"
    (`asyncio.gather(*[... for ...])`) or "map" (an executor / pool / builtin `map`).
    `items` is the collection as written (`essays`, `rows[1:]`), `targets` the loop's target
    names (empty when the code names none), `node` the loop or fan-out call, and `via` the local
    function called per item when the request is made inside it."""

    kind: str
    items: str
    targets: tuple[str, ...]
    node: cst.CSTNode
    via: str | None = None


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


class FlowInfo:
    """The flow facts of one request; each part is computed on first use."""

    def __init__(self, request: Request) -> None:
        self._request = request

    @cached_property
    def _batch(self) -> tuple[Repetition | None, str]:
        return _analyze_repetition(self._request)

    @property
    def repetition(self) -> Repetition | None:
        """How the request repeats over a collection, when it could be batched."""
        return self._batch[0]

    @property
    def not_batchable(self) -> str:
        """Why `repetition` is None (a retry loop, a chat loop, a handler, ...)."""
        return self._batch[1]

    @cached_property
    def history(self) -> HistoryGrowth | None:
        return _analyze_history(self._request)


def analyze_flow(request: Request) -> FlowInfo:
    return FlowInfo(request)


# --------------------------------------------------------------------------- vocabulary

_COMPS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_DEFS = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
# Calls that add to a container: their arguments flow into the receiver.
_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "appendleft",
                       "extendleft", "put", "put_nowait", "setdefault"})
_GROW = frozenset({"append", "extend", "insert", "appendleft", "extendleft"})
_TRIM_METHODS = frozenset({"pop", "popleft", "clear", "remove"})
# A call named like this that receives the history trims, summarises or caches it.
_TRIM_CALL = re.compile(
    r"trim|truncat|compact|summar|prun|shrink|window|condens|compress|limit|evict|forget|"
    r"rotate|cache|clip|fit_|budget|reduce", re.I)
_MAP_CALLS = frozenset({"map", "imap", "imap_unordered", "starmap", "thread_map",
                        "process_map", "map_async", "starmap_async"})
_SUBMIT_CALLS = frozenset({"submit", "run_in_executor", "to_thread", "apply_async", "spawn",
                           "start_soon", "create_task", "ensure_future"})
_ROUTE_ATTRS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "route",
                          "api_route", "websocket", "websocket_route", "on_message", "message",
                          "event", "on"})
_RETRY_TARGET = re.compile(r"^(_+|attempts?\w*|retr\w*|tries|n_?tries|try_?\w*|tr)$", re.I)
_RETRY_ITER = re.compile(r"retr|attempt|stamina|backoff|tenacity", re.I)
# Iterables that are streams or endless, not collections.
_STREAM_ITER = re.compile(
    r"stdin|\binput\b|\.listen\(|\.consume|consumer|\.poll\(|subscribe|websocket|socket|"
    r"\bcount\(|\bcycle\(|\bqueue\.get|\.receive|\.recv|\.watch\(", re.I)
# Calls that wait for a person (interactive or serving loops).
_INTERACTIVE_CALLS = frozenset({"input", "chat_input", "text_input", "prompt", "ask",
                                "getpass", "recv", "receive", "receive_text", "receive_json",
                                "receive_bytes", "get_message", "iter_text"})
SMALL_LOOP = 3
# A collection written out in the code with at most this many items is a handful of examples
# (a demo, a notebook, a smoke test), not a data set worth a batch job.
SMALL_LITERAL = 10


def _chain(expr: cst.CSTNode | None) -> str | None:
    """`history`, `self.history`, `state.chat.messages`: a name or attribute chain."""
    if isinstance(expr, (cst.Name, cst.Attribute)):
        return dotted_name(expr)
    return None


def _base_chain(expr: cst.BaseExpression) -> str | None:
    """The chain an assignment target writes to: `d[k]` writes `d`."""
    if isinstance(expr, cst.Subscript):
        return _base_chain(expr.value)
    return _chain(expr)


def _target_chains(expr: cst.BaseExpression) -> list[str]:
    if isinstance(expr, (cst.Tuple, cst.List)):
        out: list[str] = []
        for el in expr.elements:
            out.extend(_target_chains(el.value))
        return out
    if isinstance(expr, cst.StarredElement):
        return _target_chains(expr.value)
    c = _base_chain(expr)
    return [c] if c else []


def _linked(ref: str, names: Iterable[str]) -> bool:
    """`ref` reads (part of) one of `names`: equal, or one is an attribute path of the other."""
    return any(ref == t or ref.startswith(t + ".") or t.startswith(ref + ".") for t in names)


def _func_name(call: cst.Call) -> str:
    f = call.func
    if isinstance(f, cst.Name):
        return f.value
    if isinstance(f, cst.Attribute):
        return f.attr.value
    return ""


def _positional(call: cst.Call) -> list[cst.BaseExpression]:
    return [a.value for a in call.args if a.keyword is None and not a.star]


# --------------------------------------------------------------------------- module facts


@dataclass(eq=False)
class _Facts:
    module: cst.Module
    index: ModuleIndex
    parents: dict[int, cst.CSTNode] = field(default_factory=dict)
    uses_batches: bool = False
    # callee's last name -> calls (`f(...)`, `x.f(...)`)
    calls: dict[str, list[cst.Call]] = field(default_factory=dict)
    # function name passed as a positional argument -> (the argument, the call)
    refs: dict[str, list[tuple[cst.CSTNode, cst.Call]]] = field(default_factory=dict)
    # chain -> statements or calls that grow / trim / assign it
    growth: dict[str, list[cst.CSTNode]] = field(default_factory=dict)
    trims: dict[str, list[cst.CSTNode]] = field(default_factory=dict)
    assigns: dict[str, list[tuple[cst.CSTNode, cst.BaseExpression | None]]] = field(
        default_factory=dict)
    cache_marks: list[cst.CSTNode] = field(default_factory=list)
    scope_of: dict[int, Scope] = field(default_factory=dict)
    _nodes: dict[int, list[cst.CSTNode]] = field(default_factory=dict)

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> Iterable[cst.CSTNode]:
        p = self.parent(node)
        while p is not None:
            yield p
            p = self.parent(p)

    def inside(self, node: cst.CSTNode, region: cst.CSTNode | None) -> bool:
        if region is None or node is region:
            return True
        return any(a is region for a in self.ancestors(node))

    def nodes(self, root: cst.CSTNode) -> list[cst.CSTNode]:
        """Every node under `root` in document order, not entering nested definitions."""
        got = self._nodes.get(id(root))
        if got is None:
            v = _Collect(root)
            v.walk(root)
            got = self._nodes[id(root)] = v.nodes
        return got

    def scope_at(self, node: cst.CSTNode) -> Scope:
        for a in self.ancestors(node):
            s = self.scope_of.get(id(a))
            if s is not None:
                return s
        return self.index.module_scope

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node).strip()


class _Collect(Visitor):
    def __init__(self, root: cst.CSTNode) -> None:
        self.root = root
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node is not self.root and isinstance(node, _DEFS):
            return False
        self.nodes.append(node)
        return True


def _growth_form(target: str, value: cst.BaseExpression | None) -> bool:
    """`value` extends `target`: `target + [...]`, `[*target, ...]`, `f"{target}..."`."""
    if value is None:
        return False
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        left: cst.BaseExpression = value
        while isinstance(left, cst.BinaryOperation) and isinstance(left.operator, cst.Add):
            left = left.left
        return _chain(left) == target
    if isinstance(value, cst.List) and value.elements:
        first = value.elements[0]
        return isinstance(first, cst.StarredElement) and _chain(first.value) == target
    if isinstance(value, cst.FormattedString) and value.parts:
        first_part = value.parts[0]
        return (isinstance(first_part, cst.FormattedStringExpression)
                and _chain(first_part.expression) == target)
    return False


def _collect_facts(f: _Facts) -> None:
    """One pass over the module: every node's parent, and the facts by node type. A plain
    loop over `children` (document order), not a visitor: this runs on every node."""
    parents = f.parents
    stack: list[cst.CSTNode] = [f.module]
    while stack:
        node = stack.pop()
        kids = children(node)
        for kid in kids:
            parents[id(kid)] = node
        kids.reverse()
        stack.extend(kids)
        handle = _FACT_HANDLERS.get(type(node))
        if handle is not None:
            handle(f, node)


def _on_call(f: _Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.Call)
    func = node.func
    name = _func_name(node)
    if name:
        f.calls.setdefault(name, []).append(node)
    if isinstance(func, cst.Attribute):
        base = _chain(func.value)
        if base:
            if name in _GROW:
                f.growth.setdefault(base, []).append(node)
            elif name in _TRIM_METHODS:
                f.trims.setdefault(base, []).append(node)
    trimming = bool(name) and _TRIM_CALL.search(name) is not None
    for a in node.args:
        if a.keyword is not None or a.star:
            if trimming and a.keyword is not None and (c := _chain(a.value)):
                f.trims.setdefault(c, []).append(node)
            continue
        v = a.value
        if isinstance(v, cst.Name):
            f.refs.setdefault(v.value, []).append((v, node))
        elif isinstance(v, cst.Attribute) and isinstance(v.value, cst.Name):
            f.refs.setdefault(v.attr.value, []).append((v, node))
        if trimming and (c := _chain(v)):
            f.trims.setdefault(c, []).append(node)


def _on_attribute(f: _Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.Attribute)
    attr = node.attr.value
    if attr == "batches" and isinstance(node.value, cst.Attribute) and \
            node.value.attr.value == "messages":
        f.uses_batches = True
    elif attr == "cache_control":
        f.cache_marks.append(node)


def _on_string(f: _Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.SimpleString)
    if "cache_control" in node.value:
        f.cache_marks.append(node)


def _on_arg(f: _Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.Arg)
    if node.keyword is not None and node.keyword.value == "cache_control":
        f.cache_marks.append(node)


def _on_assign(f: _Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, (cst.Assign, cst.AnnAssign))
    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
    for t in targets:
        if isinstance(t, cst.Subscript):
            c = _chain(t.value)
            if c and any(isinstance(s.slice, cst.Slice) for s in t.slice):
                f.trims.setdefault(c, []).append(node)  # H[:] = H[-10:]
            continue
        for c in _target_chains(t):
            if _growth_form(c, node.value):
                f.growth.setdefault(c, []).append(node)
            else:
                f.assigns.setdefault(c, []).append((node, node.value))


def _on_augassign(f: _Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.AugAssign)
    c = _chain(node.target)
    if c and isinstance(node.operator, cst.AddAssign):
        f.growth.setdefault(c, []).append(node)


def _on_del(f: _Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.Del)
    for c in _target_chains(node.target):
        f.trims.setdefault(c, []).append(node)


_FACT_HANDLERS: dict[type, Callable[[_Facts, cst.CSTNode], None]] = {
    cst.Call: _on_call, cst.Attribute: _on_attribute, cst.SimpleString: _on_string,
    cst.Arg: _on_arg, cst.Assign: _on_assign, cst.AnnAssign: _on_assign,
    cst.AugAssign: _on_augassign, cst.Del: _on_del,
}


def module_parents(index: ModuleIndex) -> dict[int, cst.CSTNode]:
    """The module's node -> parent links (by id; trivia not included), from its flow facts,
    built now if no rule needed them yet."""
    return _facts_of(index).parents


def _facts(env: Env) -> _Facts:
    return _facts_of(env.index)


def _facts_of(index: ModuleIndex) -> _Facts:
    # Kept on the index, so they live exactly as long as the module's analysis (a cache keyed
    # by the index would keep every module of the run alive: the facts refer to it).
    got = index.memo.get("flow.facts")
    if got is None:
        module = index.module_scope.node
        assert isinstance(module, cst.Module)
        got = _Facts(module, index)
        _collect_facts(got)
        for s in index.scopes:
            got.scope_of[id(s.node)] = s
        index.memo["flow.facts"] = got
    assert isinstance(got, _Facts)
    return got


# --------------------------------------------------------------------------- references


class _Refs(Visitor):
    """The chains an expression reads, the calls it makes, and whether it holds `target`."""

    def __init__(self, target: cst.CSTNode | None) -> None:
        self.target = target
        self.refs: set[str] = set()
        self.calls: list[str] = []
        self.hit = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node is self.target:
            self.hit = True
            return False
        if isinstance(node, cst.Name):
            self.refs.add(node.value)
            return False
        if isinstance(node, cst.Attribute):
            c = dotted_name(node)
            if c:
                self.refs.add(c)
                return False
            self.walk(node.value)
            return False
        if isinstance(node, cst.Arg):
            self.walk(node.value)
            return False
        if isinstance(node, cst.Call):
            c = dotted_name(node.func)
            if c:
                self.calls.append(c)
        return True


def _refs(expr: cst.CSTNode, target: cst.CSTNode | None = None) -> _Refs:
    v = _Refs(target)
    v.walk(expr)
    return v


class _Taint:
    """What a response reaches inside one loop body: names assigned from it (directly or through
    other names), containers it is added to, and everything assigned under a condition on it
    (or after it in the same `try`, which runs only when the request succeeded)."""

    def __init__(self, facts: _Facts, loop: cst.CSTNode, call: cst.CSTNode) -> None:
        self.facts = facts
        self.loop = loop
        self.call = call
        self.names: set[str] = set()
        self.call_path = {id(a) for a in facts.ancestors(call)}
        self._hidden: dict[str, set[str]] = {}
        body = loop.body if isinstance(loop, (cst.For, cst.While)) else loop
        self.body_nodes = facts.nodes(body)
        self._run()

    def depends(self, expr: cst.CSTNode | None) -> bool:
        if expr is None:
            return False
        r = _refs(expr, self.call)
        if r.hit or any(_linked(x, self.names) for x in r.refs):
            return True
        # A helper called here may read state the response wrote (`self.build()` reading
        # `self.history`, a module function reading a global list).
        return any(self._hidden_reads(c) for c in r.calls)

    def _hidden_reads(self, callee: str) -> bool:
        if not self.names:
            return False
        reads = self._hidden.get(callee)
        if reads is None:
            reads = set()
            fn = _local_function(self.facts, callee, self.loop)
            if fn is not None:
                reads = _refs(fn.body).refs
            self._hidden[callee] = reads
        return any(_linked(x, self.names) for x in reads)

    def under_response(self, node: cst.CSTNode) -> bool:
        """`node` runs only depending on the response."""
        child = node
        for a in self.facts.ancestors(node):
            if a is self.loop:
                return False
            if isinstance(a, (cst.If, cst.While)) and child is not a.test and self.depends(a.test):
                return True
            if isinstance(a, cst.Try) and id(a.body) in self.call_path:
                if child is a.orelse:
                    return True
                if child is a.body and isinstance(a.body, cst.IndentedBlock) and \
                        _after(self.facts, node, self.call, a.body):
                    return True
            child = a
        return False

    def _run(self) -> None:
        changed = True
        while changed:
            changed = False
            for n in self.body_nodes:
                for targets, src in [*_flows(n), *self._call_flows(n)]:
                    new = [t for t in targets if t not in self.names]
                    if new and (self.depends(src) or self.under_response(n)):
                        self.names.update(new)
                        changed = True


    def _call_flows(self, n: cst.CSTNode) -> list[tuple[list[str], cst.CSTNode | None]]:
        """Calls that may store their arguments: `history.add_turn(reply)` (any method of an
        object that is not a module), `self.remember(reply)` (the `self.` attributes the
        method writes), `add_turn(history, reply)` (a local function that mutates a
        parameter)."""
        if not isinstance(n, cst.Call) or n is self.call or not n.args:
            return []
        facts = self.facts
        func = n.func
        if isinstance(func, cst.Attribute):
            if func.attr.value in _MUTATORS:
                return []  # handled by _flows
            base = _base_chain(func.value)
            if base is None:
                return []
            root = base.split(".")[0]
            if base == root and root in ("self", "cls"):
                fn = _local_function(facts, f"{root}.{func.attr.value}", n)
                written = _written(facts, fn, lambda c: c.startswith(root + "."))
                return [(written, a.value) for a in n.args] if written else []
            found = facts.scope_at(n).lookup(root)
            if found is None or any(b.kind == "import" for b in found[1]):
                return []  # a module's function (`json.dumps`), or a builtin
            return [([base], a.value) for a in n.args]
        if isinstance(func, cst.Name):
            fn = _local_function(facts, func.value, n)
            if fn is None:
                return []
            params = [p.name.value for p in fn.params.params]
            mutated = set(_written(facts, fn, lambda c: c.split(".")[0] in params))
            out: list[tuple[list[str], cst.CSTNode | None]] = []
            args = _positional(n)
            for i, p in enumerate(params[: len(args)]):
                chain = _chain(args[i])
                if chain and any(m == p or m.startswith(p + ".") for m in mutated):
                    out.extend(([chain], a.value) for a in n.args if a.value is not args[i])
            return out
        return []


def _written(facts: _Facts, fn: cst.FunctionDef | None, keep: Callable[[str], bool]) -> list[str]:
    """Chains a function writes (assigns, augments, or adds to), filtered by `keep`."""
    if fn is None:
        return []
    out: list[str] = []
    for n in facts.nodes(fn.body):
        targets: list[str] = []
        if isinstance(n, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            targets = [t for pair in _flows(n) for t in pair[0]]
        elif isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and \
                n.func.attr.value in _MUTATORS | _GROW:
            c = _base_chain(n.func.value)
            targets = [c] if c else []
        out.extend(t for t in targets if keep(t) and t not in out)
    return out


def _after(facts: _Facts, node: cst.CSTNode, call: cst.CSTNode, block: cst.IndentedBlock) -> bool:
    """`node` is in a later statement of `block` than `call`, or in the same one."""
    def stmt_index(n: cst.CSTNode) -> int:
        child = n
        for a in facts.ancestors(n):
            if a is block:
                return next(i for i, s in enumerate(block.body) if s is child)
            child = a
        return -1
    i, j = stmt_index(node), stmt_index(call)
    return i >= 0 and j >= 0 and i >= j


def _flows(n: cst.CSTNode) -> list[tuple[list[str], cst.CSTNode | None]]:
    """(targets, source) pairs: data flows from source into targets at node `n`."""
    if isinstance(n, cst.Assign):
        return [([c for t in n.targets for c in _target_chains(t.target)], n.value)]
    if isinstance(n, cst.AnnAssign) and n.value is not None:
        return [(_target_chains(n.target), n.value)]
    if isinstance(n, cst.AugAssign):
        return [(_target_chains(n.target), n.value)]
    if isinstance(n, cst.NamedExpr):
        return [(_target_chains(n.target), n.value)]
    if isinstance(n, (cst.For, cst.CompFor)):
        return [(_target_chains(n.target), n.iter)]
    if isinstance(n, cst.With):
        return [(_target_chains(i.asname.name), i.item) for i in n.items
                if i.asname is not None and isinstance(i.asname.name, cst.BaseExpression)]
    if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and \
            n.func.attr.value in _MUTATORS:
        base = _base_chain(n.func.value)
        if base:
            return [([base], a.value) for a in n.args]
    return []


def _local_function(facts: _Facts, callee: str, near: cst.CSTNode) -> cst.FunctionDef | None:
    """The definition of `f` / `self.m` in this module, seen from `near`."""
    parts = callee.split(".")
    scope = facts.scope_at(near)
    if len(parts) == 1:
        found = scope.lookup(parts[0])
        if found is not None:
            for b in found[1]:
                if b.kind == "def" and isinstance(b.node, cst.FunctionDef):
                    return b.node
        return None
    fn = scope.function
    if len(parts) == 2 and fn is not None and fn.class_scope is not None and \
            parts[0] == fn.self_name:
        for b in fn.class_scope.bindings.get(parts[1], []):
            if b.kind == "def" and isinstance(b.node, cst.FunctionDef):
                return b.node
    return None


# --------------------------------------------------------------------------- loops


def _repeating_loops(facts: _Facts, node: cst.CSTNode) -> tuple[list[cst.CSTNode],
                                                                cst.CSTNode | None]:
    """The loops that repeat `node` within its function, innermost first, and the function
    (FunctionDef or Lambda) that holds them, or None at module level or in a class body."""
    loops: list[cst.CSTNode] = []
    path: list[cst.CSTNode] = [node]
    for a in facts.ancestors(node):
        child = path[-1]
        if isinstance(a, (cst.FunctionDef, cst.Lambda)):
            return loops, a
        if isinstance(a, cst.ClassDef):
            return loops, None
        if (isinstance(a, cst.For) and child is a.body) or (
                isinstance(a, cst.While) and (child is a.body or child is a.test)):
            loops.append(a)
        elif isinstance(a, _COMPS):
            first_iter = child is a.for_in and len(path) >= 2 and path[-2] is a.for_in.iter
            if not first_iter:
                loops.append(a)
        path.append(a)
    return loops, None


def _small(expr: cst.BaseExpression) -> int | None:
    """The number of items of `range(<constants>)` or an inline literal collection."""
    while isinstance(expr, cst.Call) and _func_name(expr) in ("enumerate", "list", "tuple",
                                                               "sorted", "reversed") \
            and isinstance(expr.func, cst.Name) and expr.args:
        expr = expr.args[0].value
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and \
            expr.func.value == "range":
        ints: list[int] = []
        for a in expr.args:
            v = a.value
            sign = 1
            if isinstance(v, cst.UnaryOperation) and isinstance(v.operator, cst.Minus):
                v, sign = v.expression, -1
            if not isinstance(v, cst.Integer) or a.keyword is not None:
                return None
            ints.append(sign * int(v.evaluated_value))
        try:
            return len(range(*ints))
        except (TypeError, ValueError):
            return None
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        if any(isinstance(e, cst.StarredElement) for e in expr.elements):
            return None
        return len(expr.elements)
    return None


def _literal_items(facts: _Facts, expr: cst.BaseExpression) -> int | None:
    """The number of items of a collection written out in the code: an inline list, tuple
    or set literal, or a name whose every binding in reach is one (the largest counts)."""
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and \
            expr.func.value in ("enumerate", "list", "tuple", "sorted", "reversed") and expr.args:
        expr = expr.args[0].value
    if isinstance(expr, cst.Name):
        if expr.value in facts.growth:
            return None  # appended to or extended somewhere: more than its literal
        found = facts.scope_at(expr).lookup(expr.value)
        if found is None or not found[1]:
            return None
        sizes: list[int] = []
        for b in found[1]:
            if b.kind != "assign" or b.value is None or isinstance(b.value, cst.Name):
                return None
            n = _literal_items(facts, b.value)
            if n is None:
                return None
            sizes.append(n)
        return max(sizes)
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        if any(isinstance(e, cst.StarredElement) for e in expr.elements):
            return None
        return len(expr.elements)
    return None


def _few(facts: _Facts, expr: cst.BaseExpression) -> str | None:
    """Why a loop over `expr` is too small to batch: a `range` of at most SMALL_LOOP, or a
    handful of items written out in the code (examples in a demo or a notebook, not data)."""
    n = _small(expr)
    if n is not None and n <= SMALL_LOOP:
        return f"only {n} items"
    m = _literal_items(facts, expr)
    if m is not None and m <= SMALL_LITERAL:
        return f"only {m} items, written out in the code"
    return None


def _interactive(facts: _Facts, body: cst.CSTNode) -> bool:
    for n in facts.nodes(body):
        if isinstance(n, cst.Call) and _func_name(n) in _INTERACTIVE_CALLS and (
                _func_name(n) != "input" or isinstance(n.func, cst.Name)):
            return True
        if isinstance(n, cst.Attribute) and n.attr.value == "stdin":
            return True
    return False


def _exits(facts: _Facts, loop: cst.CSTNode) -> list[cst.CSTNode]:
    """`break` statements of this loop and `return` statements inside it."""
    assert isinstance(loop, (cst.For, cst.While))
    out: list[cst.CSTNode] = []
    for n in facts.nodes(loop.body):
        if isinstance(n, cst.Return):
            out.append(n)
        elif isinstance(n, cst.Break):
            owner = next((a for a in facts.ancestors(n) if isinstance(a, (cst.For, cst.While))),
                         None)
            if owner is loop:
                out.append(n)
    return out


def _exit_on_response(facts: _Facts, taint: _Taint, exit_node: cst.CSTNode) -> bool:
    """The exit is taken because of the response (or unconditionally, after one request)."""
    if isinstance(exit_node, cst.Return) and taint.depends(exit_node.value):
        return True
    conditional = False
    in_handler = False
    for a in facts.ancestors(exit_node):
        if a is taint.loop:
            break
        if isinstance(a, (cst.If, cst.While)):
            conditional = True
            if taint.depends(a.test):
                return True
        if isinstance(a, cst.Try) and id(a) in taint.call_path and not in_handler:
            return True  # success path of a try around the request
        if isinstance(a, cst.ExceptHandler):
            conditional = in_handler = True
    return not conditional


def _serving(facts: _Facts, fn: cst.CSTNode | None) -> str | None:
    """Why the function (or one around it) serves a waiting user, if it evidently does."""
    while fn is not None:
        if isinstance(fn, cst.FunctionDef):
            for dec in fn.decorators:
                d = dec.decorator
                if isinstance(d, cst.Call):
                    d = d.func
                name = dotted_name(d) or ""
                parts = name.split(".")
                if len(parts) >= 2 and (parts[-1] in _ROUTE_ATTRS or
                                        any("router" in p.lower() for p in parts[:-1])):
                    return f"a web handler (`@{name}`)"
            for p in [*fn.params.params, *fn.params.kwonly_params]:
                ann = dotted_name(p.annotation.annotation) if p.annotation else None
                if p.name.value in ("websocket", "ws") or (ann or "").endswith("WebSocket"):
                    return "a websocket handler"
            if any(isinstance(n, (cst.Yield)) for n in facts.nodes(fn.body)):
                return "a streaming generator"
        fn = next((a for a in facts.ancestors(fn) if isinstance(a, (cst.FunctionDef,
                                                                       cst.Lambda))), None)
    return None


# Parameters that carry one user's question: a loop that pairs it with each candidate
# (`for doc in retrieved: score(query, doc)`) is online reranking or fan-out for that user.
_QUERY_PARAM = re.compile(
    r"^(user_)?(query|question|q|search_query|user_input|user_message|user_request)$", re.I)


def _per_query(facts: _Facts, fn: cst.CSTNode | None, loop: cst.CSTNode) -> str | None:
    """The loop pairs a function's query parameter with each item of another collection:
    the answers serve that one query now (a reranker, a per-question fan-out)."""
    if not isinstance(fn, cst.FunctionDef):
        return None
    if isinstance(loop, (cst.For, *_COMPS)):
        iter_expr = loop.iter if isinstance(loop, cst.For) else loop.for_in.iter
    else:
        return None
    params = {p.name.value for p in [*fn.params.params, *fn.params.kwonly_params]
              if _QUERY_PARAM.match(p.name.value)}
    if not params:
        return None
    in_iter = {n.value for n in facts.nodes(iter_expr) if isinstance(n, cst.Name)}
    body = loop.body if isinstance(loop, cst.For) else loop
    used = {n.value for n in facts.nodes(body) if isinstance(n, cst.Name)} & params
    if used and not (used & in_iter):
        name = sorted(used)[0]
        return f"a function answering one `{name}` (each request pairs it with an item)"
    return None


def _pop_collection(facts: _Facts, loop: cst.While, taint: _Taint) -> str | None:
    """`while queue: item = queue.pop()`: the collection the loop drains."""
    tested = _refs(loop.test).refs
    for n in facts.nodes(loop.body):
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and \
                n.func.attr.value in ("pop", "popleft", "get_nowait"):
            base = _chain(n.func.value)
            if base and base in tested and base not in taint.names:
                return base
    return None


def _loop_verdict(facts: _Facts, loop: cst.CSTNode, call: cst.CSTNode,
                  fn: cst.CSTNode | None) -> tuple[str, str | Repetition]:
    """("found", Repetition) / ("skip", why) to look at the loop around it / ("stop", why)."""
    if isinstance(loop, _COMPS):
        comp = loop.for_in
        if comp.asynchronous is not None:
            return "stop", "an `async for` over a stream"
        if _STREAM_ITER.search(facts.code(comp.iter)):
            return "stop", "a loop over a stream, not a collection"
        few = _few(facts, comp.iter)
        if few is not None:
            return "skip", few
        kind = "comprehension"
        holder = facts.parent(loop)
        outer = facts.parent(holder) if holder is not None else None
        if isinstance(holder, cst.Arg) and holder.star == "*" and isinstance(outer, cst.Call) \
                and _func_name(outer) == "gather":
            kind = "gather"
        targets = tuple(_target_chains(comp.target))
        return "found", Repetition(kind, facts.code(comp.iter), targets, loop)
    assert isinstance(loop, (cst.For, cst.While))
    taint = _Taint(facts, loop, call)
    args = call.args if isinstance(call, cst.Call) else ()
    if any(taint.depends(a.value) for a in args):
        return "stop", "a chat or agent loop: a response feeds the next request"
    if _interactive(facts, loop.body):
        return "stop", "an interactive loop"
    if _timed(facts, loop.body):
        return "stop", "the loop measures each request's latency"
    exits = [e for e in _exits(facts, loop) if _exit_on_response(facts, taint, e)]
    if isinstance(loop, cst.For):
        iter_code = facts.code(loop.iter)
        targets = tuple(_target_chains(loop.target))
        retry_shaped = (
            (isinstance(loop.iter, cst.Call) and _func_name(loop.iter) == "range")
            or any(_RETRY_TARGET.match(t) for t in targets)
            or bool(_RETRY_ITER.search(iter_code))
        )
        if taint.depends(loop.iter):
            return "stop", "the responses decide what the loop visits next"
        if exits or (retry_shaped and _RETRY_ITER.search(iter_code)):
            if retry_shaped:
                return "skip", "a retry loop"
            return "stop", "the loop stops on a response"
        if loop.asynchronous is not None:
            return "stop", "an `async for` over a stream"
        if _STREAM_ITER.search(iter_code):
            return "stop", "a loop over a stream, not a collection"
        n = _small(loop.iter)
        if n is None and isinstance(call, cst.Call) and _model_loop(call, targets):
            n = _small(_bound_once(facts, loop.iter) or loop.iter)
        if n is not None and n <= SMALL_LOOP:
            return "skip", f"only {n} iterations"
        few = _few(facts, loop.iter)
        if few is not None:
            return "skip", few
        return "found", Repetition("for", iter_code, targets, loop)
    # while
    if taint.depends(loop.test) or exits:
        if taint.depends(loop.test) and _tool_loop(facts, loop.test):
            return "stop", "an agent tool loop"
        return "skip", "a retry loop"
    drained = _pop_collection(facts, loop, taint)
    if drained is None:
        return "stop", "a `while` loop that is not over a collection"
    item = _popped_target(facts, loop, drained)
    return "found", Repetition("while", drained, item, loop)


_CLOCKS = frozenset({"time", "perf_counter", "monotonic", "time_ns", "perf_counter_ns",
                     "monotonic_ns", "default_timer"})


def _timed(facts: _Facts, body: cst.CSTNode) -> bool:
    """Two clock readings in the loop: it measures latency, which a batch cannot give."""
    clocks = 0
    for n in facts.nodes(body):
        if isinstance(n, cst.Call) and _func_name(n) in _CLOCKS and \
                (dotted_name(n.func) or "").split(".")[0] in ("time", "timeit", "perf_counter",
                                                               "monotonic", "default_timer"):
            clocks += 1
    return clocks >= 2


def _model_loop(call: cst.Call, targets: tuple[str, ...]) -> bool:
    """The loop variable is the request's model: a comparison of models."""
    return any(a.keyword is not None and a.keyword.value == "model"
               and isinstance(a.value, cst.Name) and a.value.value in targets for a in call.args)


def _bound_once(facts: _Facts, expr: cst.BaseExpression) -> cst.BaseExpression | None:
    if not isinstance(expr, cst.Name):
        return None
    found = facts.scope_at(expr).lookup(expr.value)
    if found is None or len(found[1]) != 1 or found[1][0].kind != "assign":
        return None
    return found[1][0].value


def _tool_loop(facts: _Facts, test: cst.BaseExpression) -> bool:
    return "stop_reason" in facts.code(test) or "tool_use" in facts.code(test)


def _popped_target(facts: _Facts, loop: cst.While, drained: str) -> tuple[str, ...]:
    for n in facts.nodes(loop.body):
        if isinstance(n, cst.Assign) and isinstance(n.value, cst.Call) and \
                isinstance(n.value.func, cst.Attribute) and _chain(n.value.func.value) == drained:
            return tuple(_target_chains(n.targets[0].target))
    return ()


def _walk(facts: _Facts, call: cst.CSTNode) -> tuple[Repetition | None, str,
                                                    cst.CSTNode | None, bool]:
    """Search the loops around `call`. Returns (repetition, why not, the function reached,
    whether the search was stopped)."""
    loops, fn = _repeating_loops(facts, call)
    reason = ""
    for loop in loops:
        verdict, what = _loop_verdict(facts, loop, call, fn)
        if verdict == "found":
            assert isinstance(what, Repetition)
            serving = _serving(facts, fn) or _per_query(facts, fn, loop)
            if serving is not None:
                return None, f"inside {serving}", fn, True
            return what, "", fn, False
        assert isinstance(what, str)
        if verdict == "stop":
            return None, what, fn, True
        reason = what
    return None, reason, fn, False


def _fan_out_call(facts: _Facts, ref: cst.CSTNode, holder: cst.Call) -> tuple[
        Repetition | None, str]:
    """A function handed to `executor.map(f, items)` or `executor.submit(f, item)` in a loop."""
    name = _func_name(holder)
    pos = _positional(holder)
    if name in _MAP_CALLS and pos and pos[0] is ref and len(pos) >= 2:
        _, fn = _repeating_loops(facts, holder)
        serving = _serving(facts, fn)
        if serving is not None:
            return None, f"inside {serving}"
        return Repetition("map", facts.code(pos[1]), (), holder), ""
    if name in _SUBMIT_CALLS:
        rep, why, _, _ = _walk(facts, holder)
        return rep, why
    return None, ""


def _requests_in(env: Env, fn_scope: Scope) -> int:
    count = 0
    for c in env.index.candidates:
        if c.scope.function is fn_scope:
            code = dotted_name(c.call.func) or ""
            if ".messages." in f".{code}" and "batches" not in code:
                count += 1
    return count


def _is_call_of(facts: _Facts, call: cst.Call, fn: cst.FunctionDef, fn_scope: Scope) -> bool:
    func = call.func
    cls = fn_scope.class_scope
    if cls is None:
        return isinstance(func, cst.Name) and func.value == fn.name.value
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return False
    receiver = func.value.value
    scope = facts.scope_at(call)
    caller = scope.function
    if caller is not None and caller.class_scope is cls and receiver == caller.self_name:
        return True
    found = scope.lookup(receiver)
    class_name = cls.name
    return found is not None and any(
        b.kind == "assign" and isinstance(b.value, cst.Call)
        and (dotted_name(b.value.func) or "").split(".")[-1] == class_name
        for b in found[1]
    )


def _analyze_repetition(request: Request) -> tuple[Repetition | None, str]:
    env = request.env
    if env is None:
        return None, "no source"
    facts = _facts(env)
    if facts.uses_batches:
        return None, "the file already uses Message Batches"
    rep, why, fn, stopped = _walk(facts, request.call)
    if rep is not None or stopped:
        return rep, why
    if isinstance(fn, cst.Lambda):
        holder = facts.parent(fn)
        outer = facts.parent(holder) if isinstance(holder, cst.Arg) else None
        if isinstance(outer, cst.Call):
            rep, why2 = _fan_out_call(facts, fn, outer)
            return rep, why2 or why or "not in a loop"
        return None, why or "not in a loop"
    fn_scope = env.scope.function
    if not isinstance(fn, cst.FunctionDef) or fn_scope is None or fn_scope.node is not fn:
        return None, why or "not in a loop"
    if _requests_in(env, fn_scope) != 1:
        return None, why or "the function makes more than one request"
    serving = _serving(facts, fn)
    if serving is not None:
        return None, f"inside {serving}"
    name = fn.name.value
    first_why = ""
    for site in facts.calls.get(name, []):
        if facts.inside(site, fn) or not _is_call_of(facts, site, fn, fn_scope):
            continue
        rep, why3, _, _ = _walk(facts, site)
        if rep is not None:
            return _via(rep, name), ""
        first_why = first_why or why3
    for ref, holder in facts.refs.get(name, []):
        if facts.inside(ref, fn):
            continue
        if isinstance(ref, cst.Attribute) != (fn_scope.class_scope is not None):
            continue
        rep, why4 = _fan_out_call(facts, ref, holder)
        if rep is not None:
            return _via(rep, name), ""
        first_why = first_why or why4
    return None, first_why or why or "not in a loop"


def _via(rep: Repetition, name: str) -> Repetition:
    return Repetition(rep.kind, rep.items, rep.targets, rep.node, name)


# --------------------------------------------------------------------------- history


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
            return _chain(pos[0])
        if name == "copy" and isinstance(expr.func, cst.Attribute) and not expr.args:
            return _chain(expr.func.value)
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


def _sent(request: Request, facts: _Facts, fn: cst.CSTNode | None) -> list[
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
    if root in env.index.module_scope.bindings:
        return _Region("global", None)
    return None


def _in_init(facts: _Facts, node: cst.CSTNode, region: _Region) -> bool:
    fn = next((a for a in facts.ancestors(node) if isinstance(a, cst.FunctionDef)), None)
    if region.kind == "global":
        return fn is None
    return fn is not None and fn.name.value in region.init


def _bounded(facts: _Facts, chain: str, region: _Region, loop: cst.CSTNode | None,
             request: Request) -> bool:
    """Trimmed, reset, summarised, bounded or cached somewhere it can act."""
    for node in facts.trims.get(chain, []):
        if facts.inside(node, region.node):
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


def _growth_in(facts: _Facts, chain: str, where: cst.CSTNode) -> cst.CSTNode | None:
    for node in facts.growth.get(chain, []):
        if facts.inside(node, where) and not any(
                isinstance(a, _DEFS) for a in _between(facts, node, where)):
            return node
    return None


def _between(facts: _Facts, node: cst.CSTNode, top: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    for a in facts.ancestors(node):
        if a is top:
            break
        out.append(a)
    return out


def _loop_words(facts: _Facts, loop: cst.CSTNode) -> str:
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
    for chain, node in _sent(request, facts, fn):
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
        if grown or region.kind == "local" or not isinstance(fn, cst.FunctionDef):
            continue
        # A persistent list grown by this method / function, which is called in a loop.
        growth = _growth_in(facts, chain, fn)
        fn_scope = env.scope.function
        if growth is None or fn_scope is None or _bounded(facts, chain, region, None, request):
            continue
        loop_desc = _called_in_loop(facts, fn, fn_scope)
        if loop_desc is not None:
            return HistoryGrowth(chain, facts.code(growth), loop_desc, node)
    return None


def _called_in_loop(facts: _Facts, fn: cst.FunctionDef, fn_scope: Scope) -> str | None:
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
    return None


def _fresh_receiver(facts: _Facts, site: cst.Call, loop: cst.CSTNode) -> bool:
    """`for x in xs: bot = Bot(); bot.chat(x)`: a new object (and history) each pass."""
    assert isinstance(site.func, cst.Attribute)
    receiver = _chain(site.func.value)
    if receiver is None:
        return True
    return any(facts.inside(node, loop) for node, _ in facts.assigns.get(receiver, []))


__all__: Sequence[str] = ("FlowInfo", "HistoryGrowth", "Repetition", "analyze_flow")
