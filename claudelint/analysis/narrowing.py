"""Value narrowing by the test of the branch a request sits in: inside
`if name in ["a", "b"]:` (or `if name == "a":`, `elif ...`, the `else` of `not in` / `!=`)
the name holds one of the listed strings, though the resolver cannot tell its value
(a command-line argument, a parameter). Used by CL302 for `model=`.

Only tests that pin the value: a membership test in a literal list, tuple or set of strings, or
an equality with a string, alone, under `not`, or as a part of an `and` (in the branch taken
when it holds) or of an `or` (in the branch taken when it fails). The name must not be re-bound
in the branch (nor, for an attribute, handed to a call or changed by a method of its object)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.facts import _DEFS, _chain, _facts
from claudelint.analysis.values import Text

if TYPE_CHECKING:
    from claudelint.analysis.request import Env, Request


@dataclass(frozen=True)
class Narrowed:
    """The strings an argument's name holds where the request is made: `name` as written,
    `values` in the test's order, `test` the code of the test that narrows it (`args.model
    in ["a", "b"]`), `negated` when the request sits in the branch where the test fails."""

    name: str
    values: tuple[str, ...]
    test: str
    negated: bool = False


def narrowed(request: Request, name: str) -> Narrowed | None:
    """What the branch around the request says of argument `name`'s value, when the argument
    is a name or attribute the resolver could not pin to one string."""
    env = request.env
    arg = request.arg(name)
    if env is None or arg is None or arg.via_kwargs or request.via is not None:
        return None
    if isinstance(arg.value, Text) and arg.value.literal is not None:
        return None
    chain = _chain(arg.node)
    if chain is None:
        return None
    facts = _facts(env)
    child: cst.CSTNode = arg.node
    for a in facts.ancestors(arg.node):
        if isinstance(a, _DEFS):
            return None
        if isinstance(a, cst.If) and (child is a.body or child is a.orelse):
            positive = child is a.body
            values = _narrow(a.test, chain, positive, env)
            if values is not None:
                if _changed(child, chain, request):
                    return None
                code = env.module.code_for_node(a.test).strip()
                return Narrowed(chain, values, code, not positive)
        child = a
    return None


def _narrow(test: cst.BaseExpression, chain: str, holds: bool,
            env: Env) -> tuple[str, ...] | None:
    """The strings `chain` is one of when `test` is `holds`, or None when the test does not
    pin it."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _narrow(test.expression, chain, not holds, env)
    if isinstance(test, cst.BooleanOperation):
        # Both parts hold in the `and` branch; both fail in the `else` of an `or`.
        if isinstance(test.operator, cst.And) != holds:
            return None
        first = _narrow(test.left, chain, holds, env)
        second = _narrow(test.right, chain, holds, env)
        if first is not None and second is not None:
            both = tuple(v for v in first if v in second)
            return both or None
        return first if first is not None else second
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    op = test.comparisons[0].operator
    right = test.comparisons[0].comparator
    if isinstance(op, (cst.In, cst.NotIn)):
        if holds != isinstance(op, cst.In) or _chain(test.left) != chain or \
                not isinstance(right, (cst.List, cst.Tuple, cst.Set)):
            return None
        items = [_literal(el.value, env) if not isinstance(el, cst.StarredElement) else None
                 for el in right.elements]
        if not items or any(v is None for v in items):
            return None
        return tuple(dict.fromkeys(v for v in items if v is not None))
    if isinstance(op, (cst.Equal, cst.NotEqual)):
        if holds != isinstance(op, cst.Equal):
            return None
        if _chain(test.left) == chain:
            other = right
        elif _chain(right) == chain:
            other = test.left
        else:
            return None
        v = _literal(other, env)
        return (v,) if v is not None else None
    return None


def _literal(expr: cst.BaseExpression, env: Env) -> str | None:
    if not isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        return None
    value = env.resolver.resolve(expr, env.scope)
    return value.literal if isinstance(value, Text) else None


def _changed(block: cst.CSTNode, chain: str, request: Request) -> bool:
    """Whether the branch may change what `chain` holds before the request reads it: a binding
    of the name (or of the object an attribute belongs to), or, for an attribute, a call that
    is handed the object or is one of its methods."""
    root = chain.split(".")[0]
    for node in _walk(block):
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr)):
            targets = [node.target]
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            targets = [node.asname.name]
        elif isinstance(node, cst.Del):
            targets = [node.target]
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            if any(n.name.value == root for n in node.names):
                return True
        elif isinstance(node, cst.Call) and "." in chain and node is not request.call:
            func = _chain(node.func)
            if func is not None and func.split(".")[0] == root and func.count(".") == 1:
                return True  # `self.switch()`, `config.update(...)`
            if any(_chain(a.value) in (root, chain) for a in node.args):
                return True
        if any(_binds(t, chain, root) for t in targets):
            return True
    return False


def _binds(target: cst.BaseExpression, chain: str, root: str) -> bool:
    if isinstance(target, (cst.Tuple, cst.List)):
        return any(_binds(el.value, chain, root) for el in target.elements)
    if isinstance(target, cst.StarredElement):
        return _binds(target.value, chain, root)
    written = _chain(target)
    if written is None:
        return False
    return written in (chain, root) or chain.startswith(written + ".")


def _walk(root: cst.CSTNode) -> list[cst.CSTNode]:
    """Every node under `root`, not entering nested definitions (their bindings are their
    own, save `global`, which a nested function cannot run before the request anyway)."""
    out: list[cst.CSTNode] = []
    stack = [root]
    while stack:
        n = stack.pop()
        out.append(n)
        if n is not root and isinstance(n, _DEFS):
            continue
        stack.extend(n.children)
    return out
