"""What a response reaches inside a loop body: the dataflow ("taint") behind "a response
feeds the next request", which tells a chat or agent loop from a loop over independent items
(analysis/repetition.py)."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from claudelint.analysis.facts import (
    _GROW,
    _MUTATORS,
    Facts,
    _base_chain,
    _chain,
    _linked,
    _local_function,
    _positional,
    _target_chains,
)
from claudelint.syntax.scopes import dotted_name
from claudelint.syntax.walk import Visitor


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


class Taint:
    """What a response reaches inside one loop body: names assigned from it (directly or through
    other names), containers it is added to, and everything assigned under a condition on it
    (or after it in the same `try`, which runs only when the request succeeded)."""

    def __init__(self, facts: Facts, loop: cst.CSTNode, call: cst.CSTNode) -> None:
        self.facts = facts
        self.loop = loop
        self.call = call
        self.names: set[str] = set()
        self.call_path = {id(a) for a in facts.ancestors(call)}
        self._hidden: dict[str, set[str]] = {}
        body = loop.body if isinstance(loop, (cst.For, cst.While)) else loop
        self.body_nodes = facts.nodes(body)
        self.fresh = _fresh_names(facts, loop, call)
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
                    new = [t for t in targets if t not in self.names
                           and t.split(".")[0] not in self.fresh]
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


def _written(facts: Facts, fn: cst.FunctionDef | None, keep: Callable[[str], bool]) -> list[str]:
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


def _after(facts: Facts, node: cst.CSTNode, call: cst.CSTNode, block: cst.IndentedBlock) -> bool:
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



_FRESH = (cst.Dict, cst.List, cst.Set, cst.DictComp, cst.ListComp, cst.SetComp)


def _fresh_names(facts: Facts, loop: cst.CSTNode, call: cst.CSTNode) -> frozenset[str]:
    """Names whose value at the request is this pass's own, whatever a response wrote into
    them on an earlier pass: the `for` loop's target (the next item), and names bound to a
    new dict, list or set by a statement of the loop's body that runs before the request's
    (`out = {"id": item.id}` ... `out["answer"] = reply`). Not for a loop nested in another
    loop of the function (an item may come round again)."""
    if not isinstance(loop, cst.For) or not isinstance(loop.body, cst.IndentedBlock):
        return frozenset()
    for a in facts.ancestors(loop):
        if isinstance(a, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            break
        if isinstance(a, (cst.For, cst.While, *_COMP_TYPES)):
            return frozenset()
    out = {t for t in _target_chains(loop.target) if "." not in t}
    stmt: cst.CSTNode | None = None
    for a in [call, *facts.ancestors(call)]:
        if facts.parent(a) is loop.body:
            stmt = a
            break
    if stmt is None:
        return frozenset(out)
    for line in loop.body.body:
        if line is stmt:
            break
        if isinstance(line, cst.SimpleStatementLine):
            for small in line.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
                        isinstance(small.targets[0].target, cst.Name) and (
                        isinstance(small.value, _FRESH) or (
                            isinstance(small.value, cst.Call)
                            and isinstance(small.value.func, cst.Name)
                            and small.value.func.value in ("dict", "list", "set")
                            and all(isinstance(a.value, (*_FRESH, cst.SimpleString))
                                    or a.keyword is not None for a in small.value.args))):
                    out.add(small.targets[0].target.value)
    return frozenset(out)


_COMP_TYPES = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
