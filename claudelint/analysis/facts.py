"""The facts about one module that the flow questions (analysis/repetition.py, CL401, and
analysis/history.py, CL501) read: one extra pass over the syntax tree, cached on the module's
index, records parent links and, by dotted name, the calls, growth, trimming and resets; the
helpers below walk loops and local definitions on demand.

The underscored names are shared by the flow modules of this package (facts, taint,
repetition, history) and are not for rules: rules read `FlowInfo` (analysis/flow.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.syntax.scopes import Binding, ModuleIndex, Scope, dotted_name
from claudelint.syntax.walk import Visitor, children

if TYPE_CHECKING:
    from claudelint.analysis.request import Env


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
SMALL_LOOP = 3


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
class Facts:
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
    # id of a top-level statement -> its index in the module's body (filled on first use)
    top_order: dict[int, int] = field(default_factory=dict)

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


def _collect_facts(f: Facts) -> None:
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


def _on_call(f: Facts, node: cst.CSTNode) -> None:
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


def _on_attribute(f: Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.Attribute)
    attr = node.attr.value
    if attr == "batches" and isinstance(node.value, cst.Attribute) and \
            node.value.attr.value == "messages":
        f.uses_batches = True
    elif attr == "cache_control":
        f.cache_marks.append(node)


def _on_string(f: Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.SimpleString)
    if "cache_control" in node.value:
        f.cache_marks.append(node)


def _on_arg(f: Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.Arg)
    if node.keyword is not None and node.keyword.value == "cache_control":
        f.cache_marks.append(node)


def _on_assign(f: Facts, node: cst.CSTNode) -> None:
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


def _on_augassign(f: Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.AugAssign)
    c = _chain(node.target)
    if c and isinstance(node.operator, cst.AddAssign):
        f.growth.setdefault(c, []).append(node)


def _on_del(f: Facts, node: cst.CSTNode) -> None:
    assert isinstance(node, cst.Del)
    for c in _target_chains(node.target):
        f.trims.setdefault(c, []).append(node)


_FACT_HANDLERS: dict[type, Callable[[Facts, cst.CSTNode], None]] = {
    cst.Call: _on_call, cst.Attribute: _on_attribute, cst.SimpleString: _on_string,
    cst.Arg: _on_arg, cst.Assign: _on_assign, cst.AnnAssign: _on_assign,
    cst.AugAssign: _on_augassign, cst.Del: _on_del,
}


def module_parents(index: ModuleIndex) -> dict[int, cst.CSTNode]:
    """The module's node -> parent links (by id; trivia not included), from its flow facts,
    built now if no rule needed them yet."""
    return _facts_of(index).parents


def _facts(env: Env) -> Facts:
    return _facts_of(env.index)


def _facts_of(index: ModuleIndex) -> Facts:
    # Kept on the index, so they live exactly as long as the module's analysis (a cache keyed
    # by the index would keep every module of the run alive: the facts refer to it).
    got = index.memo.get("flow.facts")
    if got is None:
        module = index.module_scope.node
        assert isinstance(module, cst.Module)
        got = Facts(module, index)
        _collect_facts(got)
        for s in index.scopes:
            got.scope_of[id(s.node)] = s
        index.memo["flow.facts"] = got
    assert isinstance(got, Facts)
    return got



def _local_function(facts: Facts, callee: str, near: cst.CSTNode) -> cst.FunctionDef | None:
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


def _repeating_loops(facts: Facts, node: cst.CSTNode) -> tuple[list[cst.CSTNode],
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


def _top_index(facts: Facts, node: cst.CSTNode) -> int:
    """The index of the module's top-level statement holding `node`."""
    top = node
    for a in facts.ancestors(node):
        if a is facts.module:
            break
        top = a
    if not facts.top_order:
        facts.top_order.update({id(st): i for i, st in enumerate(facts.module.body)})
    return facts.top_order.get(id(top), -1)


def _reaching(facts: Facts, call: cst.Call, bindings: list[Binding]) -> cst.CSTNode | None:
    """Of a name bound more than once (a notebook or a script that defines `grade()` again),
    the binding a call reaches: at the top level, the last one before the call's statement;
    inside a function (run later), the last one in the module."""
    at_top = not any(isinstance(a, (cst.FunctionDef, cst.Lambda)) for a in facts.ancestors(call))
    limit = _top_index(facts, call) if at_top else len(facts.module.body)
    best, last = -1, None
    for b in bindings:
        where = b.node if b.node is not None else b.value
        if where is None:
            return None
        i = _top_index(facts, where)
        if i < 0 or (at_top and i >= limit):
            continue
        if i > best:
            best, last = i, (b.node if b.kind == "def" else None)
        elif i == best:
            last = None  # two bindings in one statement (`if`/`else`): not known
    return last


def _is_call_of(facts: Facts, call: cst.Call, fn: cst.FunctionDef, fn_scope: Scope) -> bool:
    func = call.func
    cls = fn_scope.class_scope
    if cls is None:
        if not isinstance(func, cst.Name) or func.value != fn.name.value:
            return False
        found = facts.scope_at(call).lookup(func.value)
        if found is None or len(found[1]) == 1:
            return True
        return _reaching(facts, call, found[1]) is fn

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

