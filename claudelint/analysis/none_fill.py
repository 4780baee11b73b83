"""A value filled in when it is None: `if model is None: model = DEFAULT_MODEL` (issue 14,
gap 4).

A function that takes `model=None` (or a configuration object whose `config.model` may be
None) and fills the default in its body sends that default whenever its caller leaves the
value out — the same fact as a parameter default written in the signature (names.py reports
a parameter's default as what the request most often sends, noted as a default). `fill_of`
finds the default expression for a read of `name` or `name.attr`, when it is certain:

- the fill is a statement of the function's own body (not under another `if` or a loop):
  `if X is None:` whose body is the one assignment `X = D` (no `else`), or `X = X or D`
  when the value left out is falsy (`model=""`), before the statement holding the read, in
  the same function;
- nothing else in the function stores `X` (for `name.attr`: no other `name.attr = ...`, and
  `name` is not rebound after the fill; a rebinding before it — `if config is None: config =
  Config()` — is fine), and for a plain name its only other binding is the parameter.

A caller's value other than None is what the function sends: the resolver uses the fill only
where the parameter is not bound to an argument (names.py, `_param`).
"""

from __future__ import annotations

import re

import libcst as cst

from claudelint.syntax.scopes import Scope


def _is_none_test(test: cst.BaseExpression, code: str, module: cst.Module) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    comp = test.comparisons[0]
    return (isinstance(comp.operator, cst.Is) and isinstance(comp.comparator, cst.Name)
            and comp.comparator.value == "None" and module.code_for_node(test.left) == code)


def _or_fill(stmt: cst.BaseStatement, code: str, module: cst.Module
             ) -> cst.BaseExpression | None:
    """`D` when `stmt` is `X = X or D` for `X` written as `code`."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    assign = stmt.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    value = assign.value
    if not isinstance(value, cst.BooleanOperation) or not isinstance(value.operator, cst.Or):
        return None
    if module.code_for_node(assign.targets[0].target) != code \
            or module.code_for_node(value.left) != code:
        return None
    return value.right


def _fill(stmt: cst.BaseStatement, code: str, module: cst.Module) -> cst.BaseExpression | None:
    """`D` when `stmt` is `if X is None: X = D` (no else) for `X` written as `code`."""
    if not isinstance(stmt, cst.If) or stmt.orelse is not None \
            or not _is_none_test(stmt.test, code, module):
        return None
    body = stmt.body
    inner: list[cst.BaseSmallStatement] = []
    if isinstance(body, cst.IndentedBlock):
        if len(body.body) != 1 or not isinstance(body.body[0], cst.SimpleStatementLine):
            return None
        inner = list(body.body[0].body)
    elif isinstance(body, cst.SimpleStatementSuite):
        inner = list(body.body)
    if len(inner) != 1 or not isinstance(inner[0], cst.Assign) or len(inner[0].targets) != 1:
        return None
    assign = inner[0]
    if module.code_for_node(assign.targets[0].target) != code:
        return None
    return assign.value


def fill_of(expr: cst.Name | cst.Attribute, scope: Scope, module: cst.Module,
            inside: object, falsy: bool = False
            ) -> tuple[cst.BaseExpression, cst.BaseStatement] | None:
    """The default expression filled in for `expr` read in `scope`'s function, and the
    statement that fills it; None when not certain (see the module docstring). `inside` is
    the resolver's `inside(container, node)`; with `falsy` (the value left out is falsy, not
    only None), `X = X or D` fills too."""
    fn = scope.function
    if fn is None or not isinstance(fn.node, cst.FunctionDef) or scope is not fn:
        return None
    body = fn.node.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    if isinstance(expr, cst.Attribute) and not isinstance(expr.value, cst.Name):
        return None
    code = module.code_for_node(expr)
    assert callable(inside)
    at = next((i for i, st in enumerate(body.body) if inside(st, expr)), None)
    if at is None:
        return None
    fills = [(i, d) for i, st in enumerate(body.body[:at])
             if (d := _fill(st, code, module)) is not None
             or (falsy and (d := _or_fill(st, code, module)) is not None)]
    if len(fills) != 1:
        return None
    index, default = fills[0]
    stmt = body.body[index]
    fn_code = module.code_for_node(fn.node)
    if isinstance(expr, cst.Name):
        bindings = fn.bindings.get(expr.value, [])
        if [b.kind for b in bindings].count("param") != 1 or len(bindings) != 2:
            return None
        return default, stmt
    head = expr.value
    assert isinstance(head, cst.Name)
    stores = re.findall(rf"(?<![\w.]){re.escape(head.value)}\s*\.\s*{re.escape(expr.attr.value)}"
                        r"\s*(?::[^=\n]*)?(?:[-+*/%|&^@]|//|\*\*|>>|<<)?=(?!=)", fn_code)
    if len(stores) != 1 or "setattr" in fn_code:
        return None
    for b in fn.bindings.get(head.value, []):
        if b.kind == "param":
            continue
        if b.kind != "assign" or b.value is None:
            return None
        later = next((i for i, st in enumerate(body.body) if inside(st, b.value)), None)
        if later is None or later >= index:
            return None  # rebound after the fill (or somewhere not followed)
    return default, stmt
