"""The items of a Message Batch (`client.messages.batches.create(requests=...)`), found in the
syntax: a list display or comprehension, a list bound once and filled by `.append(item)` in the
same scope (a loop), and the SDK's typed constructors for an item and its params, which are
TypedDicts (calling one builds a plain dict): `Request(custom_id=..., params=
MessageCreateParamsNonStreaming(...))`. `CallSiteFinder` (callsites.py) turns each item's
params into a batch Request.
"""

from __future__ import annotations

import libcst as cst

from claudelint.syntax.scopes import Binding, ModuleIndex, Scope, dotted_name
from claudelint.syntax.walk import Visitor

__all__ = ["BATCH_ITEM_TYPES", "PARAMS_TYPES", "appended", "items_of", "keyword",
           "single_value", "typed_call"]

# The SDK's TypedDicts for a Message Batch item and its params (`anthropic.types.messages.
# batch_create_params.Request`, `anthropic.types.message_create_params.
# MessageCreateParamsNonStreaming`, and their beta twins), and `dict(...)`.
BATCH_ITEM_TYPES = frozenset({"Request", "dict"})
PARAMS_TYPES = frozenset({"MessageCreateParamsNonStreaming", "MessageCreateParamsBase",
                           "dict"})


def typed_call(expr: cst.BaseExpression, names: frozenset[str]) -> str | None:
    if not isinstance(expr, cst.Call):
        return None
    name = dotted_name(expr.func)
    last = name.rsplit(".", 1)[-1] if name else None
    return last if last in names else None


def keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    return next((a.value for a in call.args if a.keyword and a.keyword.value == name), None)


def single_value(expr: cst.BaseExpression, scope: Scope) -> cst.BaseExpression:
    """A name assigned exactly once in reach (`params = MessageCreateParamsNonStreaming(...)`):
    the assigned expression; else the expression itself."""
    if isinstance(expr, cst.Name):
        found = scope.lookup(expr.value)
        if found is not None and len(found[1]) == 1 and found[1][0].kind == "assign":
            value = found[1][0].value
            if value is not None:
                return value
    return expr


def items_of(expr: cst.BaseExpression, index: ModuleIndex, scope: Scope
              ) -> list[tuple[cst.BaseExpression, Scope]]:
    """The items of a list display or comprehension, each with the scope it is evaluated in."""
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp)):
        comp_scope = next((s for s in index.scopes if s.node is expr), None)
        return [(expr.elt, comp_scope)] if comp_scope is not None else []
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [(el.value, scope) for el in expr.elements if isinstance(el, cst.Element)]
    return []


def appended(empty: cst.List, owner: Scope, bindings: list[Binding], index: ModuleIndex
             ) -> list[tuple[cst.BaseExpression, Scope]]:
    """The items added to a list bound once in `owner` (a function or the module) by
    `name.append(item)`, `name.extend([...])` and `name += [...]` (a display or a
    comprehension) in that scope's own body (not in nested functions)."""
    if owner.node is None or not any(b.value is empty for b in bindings):
        return []
    finder = _AppendFinder(empty)
    target = _binding_name(owner, empty)
    if target is None:
        return []
    finder.target = target
    node = owner.node
    if isinstance(node, cst.FunctionDef):
        finder.walk(node.body)
    elif isinstance(node, cst.Module):
        for stmt in node.body:
            finder.walk(stmt)
    else:
        return []
    out = [(item, owner) for item in finder.items]
    for more in finder.extended:
        out.extend(items_of(more, index, owner))
    return out


def _binding_name(owner: Scope, value: cst.BaseExpression) -> str | None:
    for name, bindings in owner.bindings.items():
        if any(b.value is value for b in bindings):
            return name
    return None


class _AppendFinder(Visitor):
    def __init__(self, empty: cst.List) -> None:
        self.empty = empty
        self.target = ""
        self.items: list[cst.BaseExpression] = []
        self.extended: list[cst.BaseExpression] = []

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if (
            isinstance(node.operator, cst.AddAssign) and isinstance(node.target, cst.Name)
            and node.target.value == self.target
        ):
            self.extended.append(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # nested functions: their own scope

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return False  # a comprehension's own scope

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute) and func.attr.value in ("append", "extend")
            and isinstance(func.value, cst.Name) and func.value.value == self.target
            and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star
        ):
            into = self.items if func.attr.value == "append" else self.extended
            into.append(node.args[0].value)
