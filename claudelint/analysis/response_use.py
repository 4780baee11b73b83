"""How the code around a request uses the response (analysis/task.py reads what is found):
the names that hold the Message, its content, a text block or the text, followed through the
function body and one level up through the callers of a function that returns it; a comparison
with a short literal, membership in a short collection, `int(text)`, `json.loads(text)` or a
dict lookup says the whole answer is short.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.values import Const, DictV, ListV, Value, const_str
from claudelint.syntax.scopes import Scope, dotted_name
from claudelint.syntax.walk import Visitor

if TYPE_CHECKING:
    from claudelint.analysis.request import Request


_TEXT_METHODS = frozenset({
    "strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "capitalize",
    "removeprefix", "removesuffix",
})
_YES_NO = frozenset({"yes", "no", "true", "false", "y", "n"})
_MAX_SHORT = 40  # characters of a short answer literal


def _short_literal(value: Value | None) -> str | None:
    s = const_str(value)
    if s is None or not s.strip() or len(s) > _MAX_SHORT or len(s.split()) > 4:
        return None
    return s


def _short_collection(value: Value) -> list[str] | None:
    """The short strings of a literal list/tuple/set, or the keys of a literal dict."""
    if isinstance(value, ListV) and value.complete and value.items:
        items = [_short_literal(v) for v in value.items]
        return [s for s in items if s is not None] if all(items) else None
    if isinstance(value, DictV) and value.complete and value.items:
        keys = [k for k, _ in value.items]
        if all(k.strip() and len(k) <= _MAX_SHORT and len(k.split()) <= 4 for k in keys):
            return keys
    return None


@dataclass
class _Found:
    strong: list[str]
    support: list[str]
    kinds: list[str]
    returned: str | None = None  # the level of a `return`ed response value
    compared: list[str] = field(default_factory=list)  # short literals compared with


class _Flow(Visitor):
    """Follows a response through one function body (not into nested functions or classes):
    which names hold the Message, its content, a text block, or the response text, and how
    that text is used."""

    def __init__(self, root: cst.CSTNode, source: Callable[[cst.Call], str | None],
                 resolve: Callable[[cst.BaseExpression], Value], module: cst.Module,
                 who: str) -> None:
        self.root = root
        self.source = source
        self.value_of = resolve
        self.module = module
        self.who = who  # "response" or "`fn()` result"
        self.names: dict[str, str] = {}
        self.found = _Found([], [], [])
        self.collect = False

    def run(self) -> _Found:
        for _ in range(3):  # bindings to a fixpoint (names used before, in loops)
            before = dict(self.names)
            self.walk(self.root)
            if self.names == before:
                break
        self.collect = True
        self.walk(self.root)
        return self.found

    # --- scope: stay in this body ---------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node is self.root

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return node is self.root

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    # --- levels ---------------------------------------------------------------------------

    def level(self, e: cst.BaseExpression) -> str | None:
        if isinstance(e, cst.Await):
            return self.level(e.expression)
        if isinstance(e, cst.NamedExpr):
            return self.level(e.value)
        if isinstance(e, cst.Name):
            return self.names.get(e.value)
        if isinstance(e, cst.Attribute):
            base = self.level(e.value)
            if base == "response" and e.attr.value == "content":
                return "content"
            if base == "block" and e.attr.value == "text":
                return "text"
            return None
        if isinstance(e, cst.Subscript):
            base = self.level(e.value)
            if (
                base == "content" and len(e.slice) == 1
                and isinstance(e.slice[0].slice, cst.Index)
            ):
                return "block"
            return None
        if isinstance(e, cst.Call):
            src = self.source(e)
            if src is not None:
                return src
            func = e.func
            if isinstance(func, cst.Attribute):
                method = func.attr.value
                if method == "join" and len(e.args) == 1 and isinstance(
                    e.args[0].value, (cst.GeneratorExp, cst.ListComp)
                ):
                    comp = e.args[0].value
                    if self.level(comp.for_in.iter) == "content":
                        return "text"
                    return None
                base = self.level(func.value)
                if base == "text" and method in _TEXT_METHODS:
                    return "text"
                if base == "stream" and method == "get_final_text":
                    return "text"
                if base == "stream" and method == "get_final_message":
                    return "response"
                return None
            if isinstance(func, cst.Name) and func.value == "str" and len(e.args) == 1:
                return "text" if self.level(e.args[0].value) == "text" else None
        return None

    def _bind(self, target: cst.BaseExpression, level: str | None) -> None:
        if level is not None and isinstance(target, cst.Name):
            self.names[target.value] = level

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.collect:
            lvl = self.level(node.value)
            for t in node.targets:
                self._bind(t.target, lvl)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not self.collect and node.value is not None:
            self._bind(node.target, self.level(node.value))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if not self.collect:
            self._bind(node.target, self.level(node.value))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if not self.collect and node.asname is not None:
            self._bind(node.asname.name, self.level(node.item))

    def visit_For(self, node: cst.For) -> None:
        if not self.collect and self.level(node.iter) == "content":
            self._bind(node.target, "block")

    # --- uses -----------------------------------------------------------------------------

    def _code(self, node: cst.CSTNode) -> str:
        code = " ".join(self.module.code_for_node(node).split())
        return code if len(code) <= 60 else code[:57] + "..."

    def visit_Return(self, node: cst.Return) -> None:
        if self.collect and node.value is not None:
            lvl = self.level(node.value)
            if lvl is not None:
                self.found.returned = lvl

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if not self.collect:
            return
        left = node.left
        for target in node.comparisons:
            op, right = target.operator, target.comparator
            if isinstance(op, (cst.Equal, cst.NotEqual)):
                for a, b in ((left, right), (right, left)):
                    if self.level(a) != "text":
                        continue
                    lit = _short_literal(self.value_of(b))
                    if lit is None:
                        continue
                    sym = "==" if isinstance(op, cst.Equal) else "!="
                    what = f"{self.who} compared with `{sym} {self._code(b)}`"
                    if lit.strip().strip(".").lower() in _YES_NO:
                        self.found.strong.append(what)
                        self.found.kinds.append("yes-no")
                    else:
                        # One literal may be a sentinel (`== "NONE"`); two or more are
                        # categories.
                        self.found.compared.append(lit)
                        self.found.support.append(what)
                        if len(set(self.found.compared)) == 2:
                            self.found.strong.append(what)
                            self.found.kinds.append("classification")
            elif isinstance(op, (cst.In, cst.NotIn)) and self.level(left) == "text":
                values = _short_collection(self.value_of(right))
                if values is not None and len(values) >= 2:
                    self.found.strong.append(f"{self.who} checked `in {self._code(right)}`")
                    yes_no = {v.strip().lower() for v in values} <= _YES_NO
                    self.found.kinds.append("yes-no" if yes_no else "classification")
                elif isinstance(right, (cst.Name, cst.Attribute)):
                    self.found.support.append(f"{self.who} checked `in {self._code(right)}`")
            left = right

    def visit_Match(self, node: cst.Match) -> None:
        if not self.collect or self.level(node.subject) != "text":
            return
        values: list[str] = []
        for case in node.cases:
            pat = case.pattern
            if isinstance(pat, cst.MatchValue) and isinstance(pat.value, cst.SimpleString):
                v = pat.value.evaluated_value
                if isinstance(v, str) and len(v) <= _MAX_SHORT:
                    values.append(v)
        if values:
            self.found.strong.append(f"{self.who} matched against `case {values[0]!r}`")
            yes_no = {v.strip().lower() for v in values} <= _YES_NO
            self.found.kinds.append("yes-no" if yes_no else "classification")

    def visit_Call(self, node: cst.Call) -> None:
        if not self.collect or not node.args:
            return
        first = node.args[0].value
        if self.level(first) != "text":
            return
        name = dotted_name(node.func) or ""
        if name in ("int", "float", "Decimal", "decimal.Decimal"):
            self.found.strong.append(f"{self.who} parsed with `{name}(...)`")
            self.found.kinds.append("scoring")
        elif name in ("json.loads", "loads", "orjson.loads") or name.endswith(
            ("model_validate_json", "parse_raw")
        ):
            self.found.support.append(f"{self.who} parsed with `{name}(...)`")
            self.found.kinds.append("extraction")
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
            self._dict_key(node.func.value, node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if (
            self.collect and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)
            and self.level(node.slice[0].slice.value) == "text"
        ):
            self._dict_key(node.value, node)

    def _dict_key(self, mapping: cst.BaseExpression, use: cst.CSTNode) -> None:
        value = self.value_of(mapping)
        keys = _short_collection(value) if isinstance(value, DictV) else None
        if keys is not None:
            self.found.strong.append(f"{self.who} used as a key of `{self._code(mapping)}`")
            self.found.kinds.append("routing")
        else:
            self.found.support.append(f"{self.who} used as a dict key: `{self._code(use)}`")


def _body_of(scope: Scope) -> cst.CSTNode | None:
    s: Scope | None = scope
    while s is not None and s.kind in ("comprehension", "loop"):
        s = s.parent
    if s is None or s.kind == "lambda":
        return None
    return s.node


def _response_uses(request: Request) -> _Found:
    env = request.env
    found = _Found([], [], [])
    if env is None:
        return found
    stream_arg = request.value("stream")
    if isinstance(stream_arg, Const) and stream_arg.value is not False:
        return found  # an event stream: the text is assembled from deltas
    root = _body_of(env.scope)
    if root is None:
        return found
    call = request.call
    level = "stream" if request.method == "stream" else "response"
    if request.method in ("batch", "tool_runner"):
        return found

    def source(c: cst.Call) -> str | None:
        return level if c is call else None

    scope = env.scope

    def resolve(e: cst.BaseExpression) -> Value:
        return env.resolver.resolve(e, scope)

    found = _Flow(root, source, resolve, env.module, "response").run()
    fn = scope.function
    if (
        found.returned is not None and fn is not None and fn.kind == "function"
        and isinstance(fn.node, cst.FunctionDef)
    ):
        _callers(request, fn, found)
    return found


def _callers(request: Request, fn: Scope, found: _Found) -> None:
    """The function returns the response (or its text): follow calls to it in this module,
    one level up."""
    env = request.env
    assert env is not None and found.returned is not None
    name = fn.name
    returned = found.returned
    is_method = fn.class_scope is not None

    def source(c: cst.Call) -> str | None:
        f = c.func
        if isinstance(f, cst.Name) and f.value == name and not is_method:
            return returned
        if isinstance(f, cst.Attribute) and f.attr.value == name and is_method:
            return returned
        return None

    text = env.index.text
    if text and len(re.findall(rf"\b{re.escape(name)}\s*\(", text)) < 2:
        return  # only the definition names it: no caller in this module
    seen = 0
    for scope in env.index.scopes:
        if scope is fn or scope.kind not in ("function", "module"):
            continue
        root = scope.node
        if not isinstance(root, (cst.FunctionDef, cst.Module)):
            continue
        if seen >= 40:
            break
        seen += 1

        def resolve(e: cst.BaseExpression, s: Scope = scope) -> Value:
            return env.resolver.resolve(e, s)

        sub = _Flow(root, source, resolve, env.module, f"`{name}()` result").run()
        found.strong.extend(sub.strong)
        found.support.extend(sub.support)
        found.kinds.extend(sub.kinds)
