"""Resolve expressions to static values (text with holes, constants, containers, unknown).

Everything here works on one module's `ModuleIndex`: literals, f-strings, `%`, `.format`,
`+`, implicit concatenation, names bound once in a function or module, parameter and
dataclass defaults (and defaults filled in when None: `if model is None: model = D`,
analysis/none_fill.py), `typing.cast(T, v)`, attributes set once in `__init__`, class
attributes, `textwrap.dedent`, `inspect.cleandoc`, `.strip()`, `"sep".join([...])`,
`dict(...)`, `params["k"] = v` updates, `a | b` of two dicts,
`os.environ.get("X", "default")` and `os.getenv("X") or "default"`, simple subscripts of
known dicts and lists, and calls of the project's own functions (their summaries:
analysis/summaries.py). Values found away from where they are used carry a `via`
note (values.py) for messages.
"""

from __future__ import annotations

import ast
import inspect
import string
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.names import MAX_DEPTH, code_of
from claudelint.analysis.prompt_files import PromptFiles
from claudelint.analysis.provenance import Provenance
from claudelint.analysis.summaries import Summaries
from claudelint.analysis.values import (
    Const,
    DictV,
    Hole,
    ListV,
    Part,
    Text,
    Unknown,
    Value,
    merged_sources,
    noted,
    some_paths_only,
)
from claudelint.syntax.scopes import ModuleIndex, Scope, dotted_name
from claudelint.syntax.walk import iter_nodes

if TYPE_CHECKING:
    from claudelint.analysis.module_source import ModuleSource

# Texts built by repetition (`"..." * n`) are capped: a prompt larger than this is already
# far above every cache minimum.
MAX_TEXT = 4_000_000

_STRING_METHODS: dict[str, Callable[[str], str]] = {
    "strip": str.strip,
    "lstrip": str.lstrip,
    "rstrip": str.rstrip,
    "lower": str.lower,
    "upper": str.upper,
}



class Resolver(Provenance, PromptFiles, Summaries):
    """Resolves expressions of one module; its parts live in analysis/names.py (names,
    attributes, imports), analysis/provenance.py (where changing values come from) and
    analysis/prompt_files.py (prompt files read from disk)."""

    def __init__(self, index: ModuleIndex, module: cst.Module, *, path: Path | None = None,
                 project: ModuleSource | None = None) -> None:
        self.index = index
        self.module = module
        # The file being resolved (absolute; None for stdin or a bare text) and the project
        # it belongs to (for imported names and prompt files).
        self.path = path
        self.project = project
        # Files other than this one that resolutions read: path -> digest (project.py).
        self.deps: dict[str, str] = {}
        self._cache: dict[tuple[int, int], Value] = {}
        self._active: set[tuple[int, int]] = set()
        self._descendants: dict[int, set[int]] = {}
        # Parameter -> the value a caller passes (a wrapper analysed for one of its calls).
        self.bound_params: dict[int, Value] = {}

    # --- entry point ---------------------------------------------------------------------

    def resolve(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Value:
        key = (id(expr), id(scope))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if depth > MAX_DEPTH or key in self._active:
            return Unknown("too deep or recursive", expr)
        self._active.add(key)
        try:
            value = self._resolve(expr, scope, depth + 1)
            if (
                isinstance(value, Unknown) and not value.stable and value.origin == "unknown"
                and not isinstance(expr, cst.Name) and not scope.evaluated_once
            ):
                value = self._with_provenance(value, expr, scope, depth + 1)
        except RecursionError:
            value = Unknown("too deep", expr)
        finally:
            self._active.discard(key)
        self._cache[key] = value
        return value

    def inside(self, container: cst.CSTNode, node: cst.CSTNode) -> bool:
        """Whether `node` is `container` or lies within it."""
        ids = self._descendants.get(id(container))
        if ids is None:
            ids = {id(n) for n in iter_nodes(container, trivia=True)}
            self._descendants[id(container)] = ids
        return id(node) in ids

    def hole(self, expr: cst.CSTNode, scope: Scope, origin: str, volatile: bool = False) -> Hole:
        if self.at_module_level(scope):
            origin = "module"
        return Hole(code_of(self.module, expr), origin, expr, volatile)

    def _dict_copy(self, expr: cst.DictComp, scope: Scope, depth: int) -> Value:
        """`{k: v for k, v in d.items()}` (or `{k: f(v) ...}`) of a known dict: the same keys,
        each value kept when it is `v` itself. A filter (`if ...`) may drop keys: unknown."""
        comp = expr.for_in
        target = comp.target
        it = comp.iter
        unknown = Unknown("dict comprehension", expr)
        if comp.ifs or comp.inner_for_in is not None or comp.asynchronous is not None \
                or not isinstance(target, cst.Tuple) or len(target.elements) != 2 \
                or not isinstance(it, cst.Call) or it.args \
                or not isinstance(it.func, cst.Attribute) or it.func.attr.value != "items":
            return unknown
        k, v = (el.value for el in target.elements)
        if not isinstance(k, cst.Name) or not isinstance(v, cst.Name) \
                or not isinstance(expr.key, cst.Name) or expr.key.value != k.value:
            return unknown
        source = self.resolve(it.func.value, scope, depth)
        if not isinstance(source, DictV):
            return unknown
        same = isinstance(expr.value, cst.Name) and expr.value.value == v.value
        items = tuple((key, val if same else Unknown("computed per key", expr.value))
                      for key, val in source.items)
        return DictV(items, expr, source.complete, source.stable and same, source.key_nodes,
                     source.sources, source.maybe)

    def _as_text(self, value: Value, expr: cst.CSTNode, scope: Scope) -> Text:
        """A value used inside a string: text stays text, constants become text, the rest a
        hole."""
        if isinstance(value, Text):
            return value
        if isinstance(value, Const):
            v = value.value
            return Text.of(str(v), node=expr, stable=True)
        return Text.of(self._hole_for(value, expr, scope), node=expr, stable=value.stable)

    # --- dispatch ------------------------------------------------------------------------

    def _resolve(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Value:
        module_level = self.at_module_level(scope)
        if isinstance(expr, cst.SimpleString):
            try:
                v = expr.evaluated_value
            except Exception:
                return Unknown("bad string", expr)
            if isinstance(v, bytes):
                return Unknown("bytes", expr, stable=True)
            return Text.of(v, node=expr, stable=True)
        if isinstance(expr, cst.ConcatenatedString):
            left = self.resolve(expr.left, scope, depth)
            right = self.resolve(expr.right, scope, depth)
            if isinstance(left, Text) and isinstance(right, Text):
                return Text(_join(left.parts, right.parts), expr, left.stable and right.stable)
            return Unknown("concatenation", expr, stable=module_level)
        if isinstance(expr, cst.FormattedString):
            return self._fstring(expr, scope, depth)
        if isinstance(expr, cst.Integer):
            return Const(int(expr.evaluated_value), expr)
        if isinstance(expr, cst.Float):
            return Const(float(expr.evaluated_value), expr)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
            inner = self.resolve(expr.expression, scope, depth)
            if isinstance(inner, Const) and isinstance(inner.value, (int, float)):
                return Const(-inner.value, expr)
            return Unknown("unary", expr, stable=module_level)
        if isinstance(expr, cst.Name):
            if expr.value in ("True", "False", "None"):
                return Const({"True": True, "False": False, "None": None}[expr.value], expr)
            return self._name(expr, scope, depth)
        if isinstance(expr, (cst.List, cst.Tuple)):
            items: list[Value] = []
            complete = True
            for el in expr.elements:
                if isinstance(el, cst.StarredElement):
                    inner = self.resolve(el.value, scope, depth)
                    if isinstance(inner, ListV):
                        items.extend(inner.items)
                        complete = complete and inner.complete
                    else:
                        complete = False
                else:
                    items.append(self.resolve(el.value, scope, depth))
            return ListV(tuple(items), expr, complete, stable=module_level)
        if isinstance(expr, cst.Dict):
            return self._dict(expr, scope, depth)
        if isinstance(expr, cst.DictComp):
            return self._dict_copy(expr, scope, depth)
        if isinstance(expr, cst.BinaryOperation):
            return self._binop(expr, scope, depth)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, depth)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope, depth)
        if isinstance(expr, cst.Subscript):
            return self._subscript(expr, scope, depth)
        if (
            isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or)
            and isinstance(expr.left, cst.Call) and len(expr.left.args) == 1
            and self.qualified_name(expr.left.func, scope) in ("os.environ.get", "os.getenv")
        ):
            # `os.getenv("MODEL") or "claude-..."`: the fallback, as the variable's default.
            default = self.resolve(expr.right, scope, depth)
            if isinstance(default, (Text, Const)):
                return noted(default, _env_note(self.resolve(expr.left.args[0].value, scope,
                                                             depth)))
            return Unknown("or", expr, stable=module_level)
        if isinstance(expr, cst.IfExp):
            body = self.resolve(expr.body, scope, depth)
            orelse = self.resolve(expr.orelse, scope, depth)
            if isinstance(body, Const) and isinstance(orelse, Const) and body.value == orelse.value:
                return body
            return Unknown("conditional", expr, stable=module_level)
        return Unknown(type(expr).__name__, expr, stable=module_level)

    # --- strings -------------------------------------------------------------------------

    def _fstring(self, expr: cst.FormattedString, scope: Scope, depth: int) -> Value:
        prefix = expr.prefix.lower().replace("f", "")
        raw = "r" in prefix
        parts: list[Part] = []
        stable = True
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(_unescape_fstring_text(part.value, raw))
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            inner = self.resolve(part.expression, scope, depth)
            simple = part.format_spec is None and part.conversion is None
            stable = self._splice(parts, inner, part.expression, scope, simple) and stable
        return Text(_join((), tuple(parts)), expr, stable)

    def _binop(self, expr: cst.BinaryOperation, scope: Scope, depth: int) -> Value:
        module_level = self.at_module_level(scope)
        if isinstance(expr.operator, cst.Add):
            left = self.resolve(expr.left, scope, depth)
            right = self.resolve(expr.right, scope, depth)
            if isinstance(left, Text) or isinstance(right, Text):
                lt = left if isinstance(left, Text) else self._operand_text(left, expr.left, scope)
                rt = (
                    right if isinstance(right, Text)
                    else self._operand_text(right, expr.right, scope)
                )
                if lt is None or rt is None:
                    return Unknown("+", expr, stable=module_level)
                return Text(_join(lt.parts, rt.parts), expr, lt.stable and rt.stable)
            if isinstance(left, ListV) and isinstance(right, ListV):
                return ListV(left.items + right.items, expr, left.complete and right.complete,
                             module_level)
            if (
                isinstance(left, Const) and isinstance(right, Const)
                and isinstance(left.value, (int, float)) and isinstance(right.value, (int, float))
            ):
                return Const(left.value + right.value, expr)
            return Unknown("+", expr, stable=module_level or (left.stable and right.stable))
        if isinstance(expr.operator, cst.BitOr):
            # `defaults | {"messages": m}`: the right dict's keys win.
            left = self.resolve(expr.left, scope, depth)
            right = self.resolve(expr.right, scope, depth)
            if isinstance(left, DictV) and isinstance(right, DictV):
                return DictV(left.items + right.items, expr, left.complete and right.complete,
                             module_level, {**left.key_nodes, **right.key_nodes},
                             merged_sources((left, right)), some_paths_only((left, right)))
            return Unknown("|", expr, stable=module_level or (left.stable and right.stable))
        if isinstance(expr.operator, cst.Modulo):
            left = self.resolve(expr.left, scope, depth)
            if isinstance(left, Text) and left.literal is not None:
                return self._percent(left.literal, expr, scope, depth)
            return Unknown("%", expr, stable=module_level)
        if isinstance(expr.operator, cst.Multiply):
            left = self.resolve(expr.left, scope, depth)
            right = self.resolve(expr.right, scope, depth)
            if (
                isinstance(left, Const) and isinstance(right, Const)
                and isinstance(left.value, (int, float)) and isinstance(right.value, (int, float))
            ):
                return Const(left.value * right.value, expr)
            if (
                isinstance(left, Text) and left.literal is not None
                and isinstance(right, Const) and isinstance(right.value, int)
                and right.value >= 0 and len(left.literal) * right.value <= MAX_TEXT
            ):
                return Text.of(left.literal * right.value, node=expr, stable=True)
        return Unknown("operator", expr, stable=module_level)

    def _operand_text(self, value: Value, expr: cst.CSTNode, scope: Scope) -> Text | None:
        if isinstance(value, (ListV, DictV, Const)):
            return None  # `"a" + 1` would fail at run time; `list + str` too
        return Text.of(self._hole_for(value, expr, scope), node=expr, stable=value.stable)

    def _splice(self, parts: list[Part], value: Value, node: cst.CSTNode, scope: Scope,
                plain: bool) -> bool:
        """Append a formatted value to `parts`: its text when it is inserted as is (`plain`)
        and known, else a hole. Returns whether the value is stable."""
        if plain and isinstance(value, (Text, Const)):
            t = self._as_text(value, node, scope)
            parts.extend(t.parts)
            return t.stable
        h = self._hole_for(value, node, scope)
        parts.append(h)
        return h.stable

    def _percent(self, template: str, expr: cst.BinaryOperation, scope: Scope,
                 depth: int) -> Value:
        """`template % args`, with a tuple, a single value, or a dict for `%(name)s`."""
        args_expr = expr.right
        mapping: DictV | None = None
        arg_exprs: list[cst.BaseExpression] = []
        if isinstance(args_expr, cst.Dict):
            d = self._dict(args_expr, scope, depth)
            if not isinstance(d, DictV):
                return Unknown("% mapping", expr)
            mapping = d
        elif isinstance(args_expr, cst.Tuple):
            arg_exprs = [el.value for el in args_expr.elements]
        else:
            arg_exprs = [args_expr]
        parts: list[Part] = []
        i = 0
        pos = 0
        stable = True
        while pos < len(template):
            j = template.find("%", pos)
            if j < 0:
                parts.append(template[pos:])
                break
            parts.append(template[pos:j])
            if template[j + 1 : j + 2] == "%":
                parts.append("%")
                pos = j + 2
                continue
            k = j + 1
            name = ""
            if mapping is not None:
                close = template.find(")", j)
                if template[k : k + 1] != "(" or close < 0:
                    return Unknown("bad % format", expr)
                name = template[j + 2 : close]
                k = close + 1
            spec_start = k
            while k < len(template) and template[k] in "#0- +123456789.*hlL":
                k += 1
            if k >= len(template):
                return Unknown("bad % format", expr)
            node: cst.CSTNode
            if mapping is not None:
                v = mapping.get(name)
                if v is None:
                    return Unknown("% key", expr)
                node = v.node if v.node is not None else expr
            else:
                if i >= len(arg_exprs):
                    return Unknown("% arity", expr)
                node = arg_exprs[i]
                i += 1
                v = self.resolve(arg_exprs[i - 1], scope, depth)
            plain = template[k] == "s" and k == spec_start
            stable = self._splice(parts, v, node, scope, plain) and stable
            pos = k + 1
        return Text(_join((), tuple(parts)), expr, stable)

    def _format(self, template: str, call: cst.Call, scope: Scope, depth: int) -> Value:
        positional: list[cst.BaseExpression] = []
        named: dict[str, cst.BaseExpression] = {}
        for arg in call.args:
            if arg.star:
                return Unknown(".format(*args)", call)
            if arg.keyword is not None:
                named[arg.keyword.value] = arg.value
            else:
                positional.append(arg.value)
        parts: list[Part] = []
        auto = 0
        stable = True
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError:
            return Unknown("bad format string", call)
        for literal, field_name, spec, conversion in parsed:
            parts.append(literal)
            if field_name is None:
                continue
            base = field_name.split(".")[0].split("[")[0]
            if base == "":
                idx: int | str = auto
                auto += 1
            elif base.isdigit():
                idx = int(base)
            else:
                idx = base
            if isinstance(idx, int):
                if idx >= len(positional):
                    return Unknown(".format arity", call)
                a = positional[idx]
            else:
                if idx not in named:
                    return Unknown(".format key", call)
                a = named[idx]
            v = self.resolve(a, scope, depth)
            plain = field_name == base and not spec and not conversion
            stable = self._splice(parts, v, a, scope, plain) and stable
        return Text(_join((), tuple(parts)), call, stable)

    # --- containers ----------------------------------------------------------------------

    def _dict(self, expr: cst.Dict, scope: Scope, depth: int) -> Value:
        items: list[tuple[str, Value]] = []
        parts: list[DictV | str] = []
        key_nodes: dict[str, cst.CSTNode] = {}
        complete = True
        for el in expr.elements:
            if isinstance(el, cst.StarredDictElement):
                inner = self.resolve(el.value, scope, depth)
                if isinstance(inner, DictV):
                    items.extend(inner.items)
                    key_nodes.update(inner.key_nodes)
                    complete = complete and inner.complete
                    parts.append(inner)
                else:
                    complete = False
                continue
            assert isinstance(el, cst.DictElement)
            key = self.resolve(el.key, scope, depth)
            k = key.literal if isinstance(key, Text) else None
            if k is None:
                complete = False
                continue
            items.append((k, self.resolve(el.value, scope, depth)))
            key_nodes[k] = el
            parts.append(k)
        return DictV(tuple(items), expr, complete, self.at_module_level(scope), key_nodes,
                     merged_sources(parts), some_paths_only(parts))

    def _dict_call(self, call: cst.Call, scope: Scope, depth: int) -> Value:
        items: list[tuple[str, Value]] = []
        complete = True
        key_nodes: dict[str, cst.CSTNode] = {}
        parts: list[DictV | str] = []
        for arg in call.args:
            if arg.keyword is not None:
                items.append((arg.keyword.value, self.resolve(arg.value, scope, depth)))
                key_nodes[arg.keyword.value] = arg
                parts.append(arg.keyword.value)
            else:
                inner = self.resolve(arg.value, scope, depth)
                if isinstance(inner, DictV):
                    items.extend(inner.items)
                    key_nodes.update(inner.key_nodes)
                    complete = complete and inner.complete
                    parts.append(inner)
                else:
                    complete = False
        return DictV(tuple(items), call, complete, self.at_module_level(scope), key_nodes,
                     merged_sources(parts), some_paths_only(parts))

    def _subscript(self, expr: cst.Subscript, scope: Scope, depth: int) -> Value:
        module_level = self.at_module_level(scope)
        base = self.resolve(expr.value, scope, depth)
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return Unknown("slice", expr, stable=module_level)
        idx = self.resolve(expr.slice[0].slice.value, scope, depth)
        if isinstance(base, DictV) and isinstance(idx, Text) and idx.literal is not None:
            v = base.get(idx.literal)
            if v is not None and base.complete:
                return v
        if (
            isinstance(base, ListV) and base.complete and isinstance(idx, Const)
            and isinstance(idx.value, int) and not isinstance(idx.value, bool)
            and -len(base.items) <= idx.value < len(base.items)
        ):
            return base.items[idx.value]
        return Unknown("subscript", expr, stable=module_level or (base.stable and idx.stable))

    # --- calls ---------------------------------------------------------------------------

    def _call(self, call: cst.Call, scope: Scope, depth: int) -> Value:
        module_level = self.at_module_level(scope)
        func = call.func
        name = dotted_name(func)
        qual = self.qualified_name(func, scope) or name or ""
        if self._is_volatile_call(call, scope) or (
            isinstance(func, cst.Attribute) and self._volatile_base(func.value, scope, depth)
        ):
            if module_level:
                return Unknown(qual, call, stable=True)
            return Text.of(Hole(code_of(self.module, call), "call", call, volatile=True),
                           node=call)
        if qual == "typing.cast" and len(call.args) == 2 and not any(
                a.keyword or a.star for a in call.args):
            return self.resolve(call.args[1].value, scope, depth)  # the value, unchanged
        if qual in ("textwrap.dedent", "inspect.cleandoc") and len(call.args) == 1:
            inner = self.resolve(call.args[0].value, scope, depth)
            if isinstance(inner, Text):
                fn = textwrap.dedent if qual == "textwrap.dedent" else inspect.cleandoc
                return inner.map(fn, call)
            return Unknown(qual, call, stable=module_level or inner.stable)
        if qual == "str" and len(call.args) == 1:
            inner = self.resolve(call.args[0].value, scope, depth)
            if isinstance(inner, (Text, Const)):
                return self._as_text(inner, call.args[0].value, scope)
            return Unknown("str()", call, stable=module_level or inner.stable)
        if qual == "dict":
            return self._dict_call(call, scope, depth)
        if qual in ("list", "tuple") and len(call.args) == 1:
            inner = self.resolve(call.args[0].value, scope, depth)
            if isinstance(inner, ListV):
                return ListV(inner.items, call, inner.complete, inner.stable)
        if qual in ("os.environ.get", "os.getenv") and len(call.args) >= 2:
            default = self.resolve(call.args[1].value, scope, depth)
            if isinstance(default, (Text, Const)):
                return noted(default, _env_note(self.resolve(call.args[0].value, scope, depth)))
        if isinstance(func, cst.Attribute) and func.attr.value in ("read", "read_text"):
            read = self._read_file(call, func, scope, depth)
            if read is not None:
                return read
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _STRING_METHODS and not call.args:
                inner = self.resolve(func.value, scope, depth)
                if isinstance(inner, Text):
                    return inner.map(_STRING_METHODS[method], call)
            if method == "format":
                inner = self.resolve(func.value, scope, depth)
                if isinstance(inner, Text) and inner.literal is not None:
                    return self._format(inner.literal, call, scope, depth)
            if method == "join" and len(call.args) == 1 and not call.args[0].star:
                sep = self.resolve(func.value, scope, depth)
                items = self.resolve(call.args[0].value, scope, depth)
                if (
                    isinstance(sep, Text) and sep.literal is not None
                    and isinstance(items, ListV) and items.complete
                ):
                    parts: list[Part] = []
                    stable = True
                    for i, item in enumerate(items.items):
                        if i:
                            parts.append(sep.literal)
                        node = item.node if item.node is not None else call
                        t = (
                            self._as_text(item, node, scope)
                            if not isinstance(item, (ListV, DictV))
                            else None
                        )
                        if t is None:
                            return Unknown("join of non-strings", call)
                        parts.extend(t.parts)
                        stable = stable and t.stable
                    return Text(_join((), tuple(parts)), call, stable)
        summary = self.call_summary(call, scope, depth)
        if summary is not None:
            return summary
        return Unknown(f"call {name or ''}".strip(), call, stable=module_level)


def _env_note(name: Value) -> str:
    var = name.literal if isinstance(name, Text) else None
    if var:
        return f"default of environment variable `{var}`"
    return "default of an environment variable"


def _join(a: tuple[Part, ...], b: tuple[Part, ...]) -> tuple[Part, ...]:
    return Text.of(*a, *b).parts


def _unescape_fstring_text(value: str, raw: bool) -> str:
    text = value.replace("{{", "{").replace("}}", "}")
    if raw or "\\" not in text or '"""' in text:
        return text
    try:
        out = ast.literal_eval('"""' + text + ' """')
    except (SyntaxError, ValueError):
        return text
    return str(out)[:-1]
