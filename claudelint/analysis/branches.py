"""Which bindings of a local name can reach one of its uses, judged from the if/else
structure of the function alone (no full data-flow): a binding in one branch of an `if`
cannot reach a use in the other branch of the same `if` (unless a loop inside the function
runs the `if` again), nor a use in the opposite branch of a later `if` that tests the same
unchanging condition (`if use_openai: client = OpenAI() ... if use_openai: ... else:
client.messages.create(...)`). Used by the client tracer (analysis/receivers.py) so that an
OpenAI client bound for the other branch does not hide an Anthropic one."""

from __future__ import annotations

import libcst as cst

from claudelint.syntax.scopes import Binding, Scope

_EMPTY = cst.Module([])
# Condition parts whose value cannot change between two tests when their names do not.
_PURE = (cst.Name, cst.SimpleString, cst.Integer, cst.UnaryOperation, cst.BooleanOperation,
         cst.Comparison)


def parent_map(root: cst.CSTNode) -> dict[int, cst.CSTNode]:
    """id(node) -> its parent, for every node under `root`."""
    parents: dict[int, cst.CSTNode] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            parents[id(child)] = node
            stack.append(child)
    return parents


def _branches(node: cst.CSTNode, root: cst.CSTNode,
              parents: dict[int, cst.CSTNode]) -> tuple[list[tuple[cst.If, str]], set[int]] | None:
    """The `if` statements around `node` inside `root` with the branch ("body"/"orelse") it
    is in, innermost first, and the ids of the `if`s that a loop inside `root` encloses.
    None when `node` is not under `root`."""
    out: list[tuple[cst.If, str]] = []
    looped: set[int] = set()
    child = node
    while child is not root:
        parent = parents.get(id(child))
        if parent is None:
            return None
        if parent is root:
            break
        if isinstance(parent, cst.If):
            if child is parent.body:
                out.append((parent, "body"))
            elif child is parent.orelse:
                out.append((parent, "orelse"))
        elif isinstance(parent, (cst.For, cst.While)):
            looped.update(id(s) for s, _ in out)
        elif isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return None  # a nested definition: its own flow
        child = parent
    return out, looped


def _stable(test: cst.BaseExpression, scope: Scope) -> bool:
    """Whether `test` has the same value wherever the function evaluates it: made of names,
    literals, `not`/`and`/`or` and comparisons, and each name is a parameter of the function
    never re-bound there, or is not bound in the function at all and bound once where it is."""
    stack: list[cst.CSTNode] = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                continue
            found = scope.lookup(node.value)
            if found is None:
                return False
            owner, bindings = found
            if owner is scope:
                if not all(b.kind == "param" for b in bindings):
                    return False
            elif len(bindings) != 1 or bindings[0].kind not in ("param", "assign", "import"):
                return False
            continue
        if isinstance(node, cst.Comparison):
            stack.append(node.left)
            stack.extend(t.comparator for t in node.comparisons)
            continue
        if isinstance(node, cst.UnaryOperation):
            if not isinstance(node.operator, cst.Not):
                return False
            stack.append(node.expression)
            continue
        if isinstance(node, cst.BooleanOperation):
            stack.extend((node.left, node.right))
            continue
        if not isinstance(node, _PURE):
            return False
    return True


def _exclusive(b_ifs: list[tuple[cst.If, str]], b_looped: set[int],
               u_ifs: list[tuple[cst.If, str]], scope: Scope) -> bool:
    for s, side in b_ifs:
        for t, other in u_ifs:
            if side == other:
                continue
            if s is t and id(s) not in b_looped:
                return True
            if s is not t and _EMPTY.code_for_node(s.test) == _EMPTY.code_for_node(t.test) \
                    and _stable(s.test, scope):
                return True
    return False


def reaching(parents: dict[int, cst.CSTNode], use: cst.Name, bindings: list[Binding],
             scope: Scope) -> list[Binding]:
    """The bindings (of a name of the function `scope`) that may reach `use`: all of them
    except assignments that sit in a branch the use's branch excludes."""
    root = scope.node
    u = _branches(use, root, parents)
    if u is None or not u[0]:
        return bindings
    kept: list[Binding] = []
    for b in bindings:
        if b.kind == "assign" and b.value is not None:
            got = _branches(b.value, root, parents)
            if got is not None and got[0] and _exclusive(got[0], got[1], u[0], scope):
                continue
        kept.append(b)
    return kept
