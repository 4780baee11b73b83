"""Resolve expressions to static values (text with holes, constants, containers, unknown).

Everything here works on one module's `ModuleIndex`: literals, f-strings, `%`, `.format`,
`+`, implicit concatenation, names bound once in a function or module, parameter and
dataclass defaults, attributes set once in `__init__`, class attributes, `textwrap.dedent`,
`inspect.cleandoc`, `.strip()`, `"sep".join([...])`, `dict(...)`, `params["k"] = v` updates,
`os.environ.get("X", "default")`, and simple subscripts of known dicts and lists.
"""

from __future__ import annotations

import ast
import codecs
import inspect
import string
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.values import (
    CHANGING_ORIGINS,
    Const,
    DictV,
    Hole,
    ListV,
    Part,
    Text,
    Unknown,
    Value,
    retag,
)
from claudelint.syntax.scopes import Binding, ModuleIndex, Scope, dotted_name
from claudelint.syntax.walk import children, iter_nodes

if TYPE_CHECKING:
    from claudelint.analysis.project import Project

MAX_DEPTH = 40
# Texts built by repetition (`"..." * n`) are capped: a prompt larger than this is already
# far above every cache minimum.
MAX_TEXT = 4_000_000

# Calls whose result differs on every evaluation.
VOLATILE_CALLS = frozenset(
    {
        "datetime.now", "datetime.utcnow", "datetime.today", "datetime.datetime.now",
        "datetime.datetime.utcnow", "datetime.datetime.today", "date.today",
        "datetime.date.today", "time.time", "time.time_ns", "time.monotonic",
        "time.perf_counter", "time.strftime", "time.ctime", "time.localtime", "time.gmtime",
        "uuid.uuid1", "uuid.uuid4", "uuid4", "uuid1", "os.urandom", "secrets.token_hex",
        "secrets.token_urlsafe", "random.random", "random.randint", "random.choice",
        "random.sample", "random.shuffle", "random.uniform", "now", "utcnow",
    }
)
# Modules whose every function returns something new on each call.
VOLATILE_MODULES = ("random.", "uuid.", "secrets.")

_STRING_METHODS: dict[str, Callable[[str], str]] = {
    "strip": str.strip,
    "lstrip": str.lstrip,
    "rstrip": str.rstrip,
    "lower": str.lower,
    "upper": str.upper,
}


def code_of(module: cst.Module, node: cst.CSTNode) -> str:
    return module.code_for_node(node)


class Resolver:
    def __init__(self, index: ModuleIndex, module: cst.Module, *, path: Path | None = None,
                 project: Project | None = None) -> None:
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

    def module_name_value(self, name: str) -> Value | None:
        """The value `name` has at the end of this module's top level (what an importer
        sees), or None when the module does not bind it."""
        bindings = self.index.module_scope.bindings.get(name)
        if not bindings:
            return None
        if len(bindings) > 1:
            reaching = reaching_bindings(bindings, (1 << 62, ()))
            if reaching is None:
                return Unknown(f"{name} rebound conditionally", None, stable=True)
            bindings = reaching
        return self.from_bindings(cst.Name(name), self.index.module_scope, bindings, True, 0)

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

    def at_module_level(self, scope: Scope) -> bool:
        return scope.evaluated_once

    def hole(self, expr: cst.CSTNode, scope: Scope, origin: str, volatile: bool = False) -> Hole:
        if self.at_module_level(scope):
            origin = "module"
        return Hole(code_of(self.module, expr), origin, expr, volatile)

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
        if isinstance(expr, cst.BinaryOperation):
            return self._binop(expr, scope, depth)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, depth)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope, depth)
        if isinstance(expr, cst.Subscript):
            return self._subscript(expr, scope, depth)
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

    def _hole_for(self, value: Value, expr: cst.CSTNode, scope: Scope) -> Hole:
        if isinstance(value, Text) and value.holes and len(value.parts) == 1:
            return value.holes[0]
        if value.stable or self.at_module_level(scope):
            return Hole(code_of(self.module, expr), "module", expr)
        if isinstance(value, Text):
            h = value.first_dynamic_hole()
            if h is not None:
                return Hole(code_of(self.module, expr), h.origin, expr, h.volatile, h.site)
        if isinstance(value, Unknown):
            return Hole(code_of(self.module, expr), value.origin, expr, value.volatile,
                        value.bound_at)
        return Hole(code_of(self.module, expr), _origin_of(value), expr,
                    _is_volatile(value))

    # --- provenance ----------------------------------------------------------------------

    def _with_provenance(self, value: Unknown, expr: cst.CSTNode, scope: Scope,
                         depth: int) -> Unknown:
        """An unknown computed in a function from a parameter, a loop variable or a volatile
        call takes that input's origin (and is fixed where that input is); else unchanged."""
        source = self.changing_source(expr, scope, depth)
        if source is None:
            return value
        return Unknown(value.reason, value.node, False, source.origin, source.volatile,
                       source.site)

    def changing_source(self, expr: cst.CSTNode, scope: Scope, depth: int = 0) -> Hole | None:
        """The input an expression is computed from that changes between evaluations: a
        volatile call, a loop variable, a changing local or a parameter (preferred in that
        order), or None. `self`/`cls` and names bound once at module level are not inputs."""
        if depth > MAX_DEPTH:
            return None
        fn = scope.function
        best: Hole | None = None
        for node in _inputs(expr):
            if isinstance(node, cst.Call):
                if self._is_volatile_call(node, scope):
                    return Hole(code_of(self.module, node), "call", node, True)
                continue
            if fn is not None and node.value == fn.self_name:
                continue
            found = scope.lookup(node.value)
            if found is None or found[0].evaluated_once:
                continue
            h = _changing_hole(self.resolve(node, scope, depth + 1))
            if h is not None and (best is None or _RANK[h.origin] < _RANK[best.origin]):
                best = h
        return best

    def _is_volatile_call(self, call: cst.Call, scope: Scope) -> bool:
        name = dotted_name(call.func) or ""
        qual = self.qualified_name(call.func, scope) or name
        return qual in VOLATILE_CALLS or name in VOLATILE_CALLS or qual.startswith(
            VOLATILE_MODULES
        )

    def _volatile_base(self, base: cst.BaseExpression, scope: Scope, depth: int) -> bool:
        """`datetime.now().isoformat()`, `uuid4().hex`, `now.strftime(...)`: a method or
        attribute of a volatile value is volatile too."""
        if not isinstance(base, (cst.Call, cst.Name, cst.Attribute)):
            return False
        if isinstance(base, cst.Attribute) and not isinstance(base.value, cst.Call):
            return False
        v = self.resolve(base, scope, depth)
        if isinstance(v, Text):
            return any(h.volatile and not h.stable for h in v.holes)
        return isinstance(v, Unknown) and v.volatile and not v.stable

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
        key_nodes: dict[str, cst.CSTNode] = {}
        complete = True
        for el in expr.elements:
            if isinstance(el, cst.StarredDictElement):
                inner = self.resolve(el.value, scope, depth)
                if isinstance(inner, DictV):
                    items.extend(inner.items)
                    key_nodes.update(inner.key_nodes)
                    complete = complete and inner.complete
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
        return DictV(tuple(items), expr, complete, self.at_module_level(scope), key_nodes)

    def _dict_call(self, call: cst.Call, scope: Scope, depth: int) -> Value:
        items: list[tuple[str, Value]] = []
        complete = True
        key_nodes: dict[str, cst.CSTNode] = {}
        for arg in call.args:
            if arg.keyword is not None:
                items.append((arg.keyword.value, self.resolve(arg.value, scope, depth)))
                key_nodes[arg.keyword.value] = arg
            else:
                inner = self.resolve(arg.value, scope, depth)
                if isinstance(inner, DictV):
                    items.extend(inner.items)
                    key_nodes.update(inner.key_nodes)
                    complete = complete and inner.complete
                else:
                    complete = False
        return DictV(tuple(items), call, complete, self.at_module_level(scope), key_nodes)

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
                return default
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
        return Unknown(f"call {name or ''}".strip(), call, stable=module_level)

    # --- prompt files --------------------------------------------------------------------

    def _read_file(self, call: cst.Call, func: cst.Attribute, scope: Scope,
                   depth: int) -> Value | None:
        """`open(p).read()`, `f.read()` after `with open(p) as f`, `Path(p).read_text()`:
        the file's text when `p` is known statically (a Text with no holes: the same on
        every call); None when the call is not such a read."""
        if func.attr.value == "read":
            if call.args:
                return None  # read(n): a part of the file
            opened = self._opener(func.value, scope, depth)
            if opened is None:
                return None
            open_call, open_scope = opened
            path_expr, encoding = _open_arguments(open_call)
            if path_expr is None:
                return None
        else:
            path_expr, open_scope = func.value, scope
            read_encoding = _encoding_arg(call, 0)
            if read_encoding is None:
                return None
            encoding = read_encoding
        if self.project is None or self.path is None:
            return None
        where = self._path(path_expr, open_scope, depth)
        if where is None:
            return None
        target, anchored = where
        if not anchored:
            # A bare relative path is relative to the working directory at run time; the
            # reading module's folder is the best guess, taken only when the file is there.
            target = self.path.parent / target
            if not target.is_file():
                self.deps[str(target)] = "-"
                return Unknown("prompt file not found", call, stable=True)
        got = self.project.read_text(target, encoding)
        self.deps[str(target)] = got.digest
        if got.text is None:
            return Unknown(got.reason, call, stable=True)
        return Text.of(got.text, node=call, stable=True)

    def _opener(self, expr: cst.BaseExpression, scope: Scope,
                depth: int) -> tuple[cst.Call, Scope] | None:
        """The `open(...)` call a file object comes from: the expression itself, or the one
        binding of a name (`with open(p) as f`, `f = open(p)`)."""
        if isinstance(expr, cst.Call):
            qual = self.qualified_name(expr.func, scope)
            if qual in ("io.open", "codecs.open") or (
                qual == "open" and scope.lookup("open") is None
            ):
                return expr, scope
            return None
        if isinstance(expr, cst.Name) and depth < MAX_DEPTH:
            b = self._single_binding(expr, scope)
            if b is not None and b.kind in ("assign", "with") and b.value is not None:
                return self._opener(b.value, b.scope, depth + 1)
        return None

    def _single_binding(self, expr: cst.Name, scope: Scope) -> Binding | None:
        """The one binding that gives a name its value where it is read: the only binding
        of its scope, or at module level the one that reaches the read."""
        found = scope.lookup(expr.value)
        if found is None:
            return None
        owner, bindings = found
        if owner.kind == "module" and len(bindings) > 1 and scope.function is None:
            at = self.index.seq_of(expr)
            reaching = reaching_bindings(bindings, at) if at is not None else None
            if reaching is None:
                return None
            bindings = reaching
        return bindings[0] if len(bindings) == 1 else None

    def _path(self, expr: cst.BaseExpression, scope: Scope,
              depth: int) -> tuple[Path, bool] | None:
        """A file system path known statically, and whether it is anchored (absolute, or
        built from `__file__`) rather than relative to the working directory."""
        if depth > MAX_DEPTH:
            return None
        depth += 1
        if isinstance(expr, cst.Name):
            if expr.value == "__file__" and scope.lookup("__file__") is None:
                return (self.path, True) if self.path is not None else None
            b = self._single_binding(expr, scope)
            if b is None or b.kind != "assign" or b.value is None:
                return None
            return self._path(b.value, b.scope, depth)
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            v = self.resolve(expr, scope, depth)
            lit = v.literal if isinstance(v, Text) else None
            if not lit or "\0" in lit:
                return None
            p = Path(lit)
            return p, p.is_absolute()
        if isinstance(expr, cst.Attribute):
            if expr.attr.value == "parent":
                base = self._path(expr.value, scope, depth)
                return (base[0].parent, base[1]) if base is not None else None
            return None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            return _join_paths([self._path(expr.left, scope, depth),
                                self._path(expr.right, scope, depth)])
        if not isinstance(expr, cst.Call) or any(a.star or a.keyword for a in expr.args):
            return None
        qual = self.qualified_name(expr.func, scope) or ""
        args = [self._path(a.value, scope, depth) for a in expr.args]
        if qual in _PATH_TYPES or qual in ("os.path.join", "posixpath.join"):
            return _join_paths(args) if args else None
        if qual == "os.path.dirname" and len(args) == 1 and args[0] is not None:
            return args[0][0].parent, args[0][1]
        if qual in ("os.path.abspath", "os.path.realpath", "os.path.normpath") and len(args) == 1:
            return args[0]
        if isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            if method in ("resolve", "absolute") and not args:
                return self._path(expr.func.value, scope, depth)
            if method == "joinpath" and args:
                return _join_paths([self._path(expr.func.value, scope, depth), *args])
        return None

    def qualified_name(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """`dedent` -> `textwrap.dedent` when imported with `from textwrap import dedent`;
        `dt.now` -> `datetime.now` for `from datetime import datetime as dt`."""
        name = dotted_name(expr)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        found = scope.lookup(head)
        if found is None:
            return name
        for b in found[1]:
            if b.kind == "import":
                if b.name is None:
                    base = b.module or head
                else:
                    base = b.name if b.module in ("", None) else f"{b.module}.{b.name}"
                    # `from datetime import datetime` -> "datetime.datetime"; rules list both.
                return f"{base}.{rest}" if rest else base
        return name

    # --- names ---------------------------------------------------------------------------

    def _name(self, expr: cst.Name, scope: Scope, depth: int) -> Value:
        found = scope.lookup(expr.value)
        if found is None:
            return Unknown(f"name {expr.value}", expr, stable=True)
        owner, bindings = found
        owner_is_module = owner.kind in ("module", "class")
        if owner.kind == "module" and len(bindings) > 1 and scope.function is None:
            # Read at module level (a script, a notebook cell): the binding that reaches
            # this point in the text.
            at = self.index.seq_of(expr)
            if at is not None:
                reaching = reaching_bindings(bindings, at)
                if reaching is None:
                    return Unknown("rebound conditionally", expr, stable=True)
                bindings = reaching
        return self.from_bindings(expr, owner, bindings, owner_is_module, depth)

    def from_bindings(self, expr: cst.CSTNode, owner: Scope, bindings: list[Binding],
                      owner_is_module: bool, depth: int) -> Value:
        code = code_of(self.module, expr)
        assigns = [b for b in bindings if b.kind in ("assign", "with")]
        setitems = [b for b in bindings if b.kind == "setitem"]
        others = [b for b in bindings if b.kind not in ("assign", "with", "setitem", "annotation")]
        if others:
            b = others[0]
            if b.kind == "param":
                return self._param(b, code, expr, depth)
            if b.kind == "loop":
                return Text.of(Hole(code, "loop", expr, bound_at=b.node), node=expr)
            if b.kind == "import":
                if b.name is not None and b.module is not None:
                    imported = self._imported(b.module, b.name)
                    if imported is not None:
                        return imported
                return Unknown(f"imported {b.module}.{b.name or ''}", expr, stable=True)
            return Unknown(f"{b.kind} binding", expr, stable=owner_is_module)
        if len(assigns) != 1 or assigns[0].value is None:
            return Unknown("bound more than once" if assigns else "unbound", expr,
                           stable=owner_is_module)
        b = assigns[0]
        assert b.value is not None
        value = self.resolve(b.value, b.scope, depth)
        if setitems and isinstance(value, DictV):
            items = list(value.items)
            complete = value.complete
            for s in setitems:
                if s.key is None or s.value is None:
                    complete = False
                    continue
                items.append((s.key, self.resolve(s.value, s.scope, depth)))
            value = DictV(tuple(items), value.node, complete, value.stable, value.key_nodes)
        if not owner_is_module and isinstance(value, Unknown) and (
            b.in_loop or not value.stable
        ):
            # A local computed in the function: fixed where its inputs are (or, with no
            # visible input, where it is assigned).
            bound_at = value.bound_at if value.origin != "unknown" else b.value
            node = expr if b.in_loop else value.node
            return Unknown(value.reason, node, False, value.origin, value.volatile, bound_at)
        return value

    def _param(self, b: Binding, code: str, expr: cst.CSTNode, depth: int) -> Value:
        param = b.node
        assert isinstance(param, cst.Param)
        bound = self.bound_params.get(id(param))
        if bound is not None:
            return bound
        if param.default is not None and b.scope.parent is not None:
            # A parameter default is evaluated once, in the enclosing scope; the value used
            # when callers don't pass one. Report it as what the request most often sends.
            default = self.resolve(param.default, b.scope.parent, depth)
            if isinstance(default, Const) and default.value is None:
                return Text.of(Hole(code, "param", expr, bound_at=param), node=expr)
            return default
        return Text.of(Hole(code, "param", expr, bound_at=param), node=expr)

    def _attribute(self, expr: cst.Attribute, scope: Scope, depth: int) -> Value:
        module_level = self.at_module_level(scope)
        attr = expr.attr.value
        fn = scope.function
        # self.X inside a method: attributes set once in __init__, or class attributes.
        if (
            fn is not None and fn.class_scope is not None
            and isinstance(expr.value, cst.Name) and expr.value.value == fn.self_name
        ):
            cls = fn.class_scope
            sets = cls.self_attrs.get(attr, [])
            if sets:
                if len(sets) == 1 and sets[0].name == "__init__" and sets[0].value is not None:
                    v = self.resolve(sets[0].value, sets[0].scope, depth)
                    if isinstance(v, Text) and v.dynamic_holes and all(
                        h.origin == "param" for h in v.dynamic_holes
                    ):
                        # Set once per instance from constructor arguments: stable for the
                        # instance's life.
                        return Unknown("set from __init__ arguments", expr, stable=True,
                                       origin="instance")
                    if isinstance(v, Text) and v.dynamic_holes:
                        # `self.started = datetime.now()` in __init__: fixed for the
                        # instance's life, not per call.
                        return retag(v, "instance")
                    if isinstance(v, Unknown) and not v.stable:
                        return Unknown(v.reason, v.node, True, "instance")
                    return v
                return Unknown(f"self.{attr} set in several places", expr)
            if attr in cls.bindings:
                return self.from_bindings(expr, cls, cls.bindings[attr], True, depth)
            return Unknown(f"self.{attr}", expr)
        # ClassName.ATTR for a class of this module
        if isinstance(expr.value, cst.Name):
            found = scope.lookup(expr.value.value)
            if found is not None:
                for b in found[1]:
                    if b.kind == "class" and isinstance(b.node, cst.ClassDef):
                        cls_scope = self._class_scope(b.node)
                        if cls_scope is not None and attr in cls_scope.bindings:
                            return self.from_bindings(expr, cls_scope, cls_scope.bindings[attr],
                                                      True, depth)
                    if b.kind == "import":
                        imported = self._module_attribute(expr, b)
                        if imported is not None:
                            return imported
                        return Unknown("imported attribute", expr, stable=True)
        elif isinstance(expr.value, cst.Attribute):
            # `pkg.prompts.SYSTEM` after `import pkg.prompts`
            head = dotted_name(expr.value)
            found = scope.lookup(head.split(".")[0]) if head else None
            if found is not None:
                for b in found[1]:
                    if b.kind == "import":
                        imported = self._module_attribute(expr, b)
                        if imported is not None:
                            return imported
                        return Unknown("imported attribute", expr, stable=True)
        return Unknown("attribute", expr, stable=module_level)

    # --- other modules of the project ----------------------------------------------------

    def _imported(self, module: str, name: str) -> Value | None:
        """`from module import name`: the name's value in that module of the project."""
        if self.project is None or self.path is None:
            return None
        return self.project.import_value(self.path, module, name, self.deps)

    def _module_attribute(self, expr: cst.Attribute, b: Binding) -> Value | None:
        """`alias.NAME` / `pkg.mod.NAME` where the head is an imported module."""
        if self.project is None or self.path is None or b.module is None:
            return None
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        _, _, rest = dotted.partition(".")
        if b.name is None:  # `import a.b as x` (x.NAME), `import a.b` (binds a: a.b.NAME)
            base = b.module
        else:  # from m import sub
            base = b.module + b.name if b.module.endswith(".") else f"{b.module}.{b.name}"
        module, _, attr = f"{base}.{rest}".rpartition(".")
        # None when `module` is not part of the project (its absence is recorded in deps).
        return self.project.import_value(self.path, module, attr, self.deps)

    def _class_scope(self, node: cst.ClassDef) -> Scope | None:
        for s in self.index.scopes:
            if s.node is node:
                return s
        return None


def reaching_bindings(bindings: list[Binding],
                      at: tuple[int, tuple[int, ...]]) -> list[Binding] | None:
    """The module-level bindings of a name that reach a read at `at` (its sequence number
    and conditional blocks): the last binding before the read whose blocks enclose the read,
    with the `name["k"] = v` updates after it. None when no binding surely reaches the read,
    or when a binding in a block that does not enclose the read (an `if` branch, a `try`
    body, a loop the read is not in) comes after the last sure one."""
    seq, blocks = at
    updates: list[Binding] = []
    for b in sorted((b for b in bindings if b.seq < seq), key=lambda b: b.seq, reverse=True):
        if b.blocks != blocks[: len(b.blocks)]:
            return None  # rebound conditionally since
        if b.kind == "setitem":
            updates.append(b)
            continue
        if b.kind == "annotation":
            continue
        return [b, *reversed(updates)]
    return None


_PATH_TYPES = frozenset({
    "Path", "PurePath", "PosixPath", "PurePosixPath", "pathlib.Path", "pathlib.PurePath",
    "pathlib.PosixPath", "pathlib.PurePosixPath",
})
_READ_MODES = frozenset({"r", "rt", "tr"})


def _join_paths(parts: list[tuple[Path, bool] | None]) -> tuple[Path, bool] | None:
    if not parts or any(p is None for p in parts):
        return None
    out, anchored = parts[0]  # type: ignore[misc]
    for p in parts[1:]:
        assert p is not None
        out = out / p[0]
        anchored = anchored or p[0].is_absolute()
    return out, anchored


def _literal_str(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.SimpleString):
        v = expr.evaluated_value
        return v if isinstance(v, str) else None
    return None


def _encoding_arg(call: cst.Call, position: int) -> str | None:
    """The `encoding` of a read (keyword, or the positional argument at `position`),
    "utf-8" when not given, None when not a literal or not a text codec we can use."""
    expr: cst.BaseExpression | None = None
    for i, a in enumerate(call.args):
        if a.star:
            return None
        if a.keyword is not None:
            if a.keyword.value == "encoding":
                expr = a.value
            elif a.keyword.value != "errors":
                return None
        elif i == position:
            expr = a.value
        else:
            return None
    if expr is None:
        return "utf-8"
    enc = _literal_str(expr)
    if enc is None:
        return None
    try:
        return codecs.lookup(enc).name
    except LookupError:
        return None


def _open_arguments(call: cst.Call) -> tuple[cst.BaseExpression | None, str]:
    """The path of `open(path, mode, encoding=...)` when it opens a file to read text."""
    path: cst.BaseExpression | None = None
    mode = "r"
    encoding = "utf-8"
    for i, a in enumerate(call.args):
        if a.star:
            return None, ""
        key = a.keyword.value if a.keyword is not None else ("file", "mode", "buffering",
                                                             "encoding")[min(i, 3)]
        if key == "file":
            path = a.value
        elif key == "mode":
            m = _literal_str(a.value)
            if m is None:
                return None, ""
            mode = m
        elif key == "encoding":
            enc = _literal_str(a.value)
            try:
                encoding = codecs.lookup(enc).name if enc is not None else ""
            except LookupError:
                encoding = ""
            if not encoding:
                return None, ""
        elif key not in ("errors", "newline", "buffering"):
            return None, ""
    if mode not in _READ_MODES:
        return None, ""
    return path, encoding


def _origin_of(value: Value) -> str:
    if isinstance(value, Text):
        h = value.first_dynamic_hole()
        return h.origin if h else "module"
    if isinstance(value, Unknown):
        return value.origin
    return "unknown"


# Preference among inputs when an unknown value is computed from several.
_RANK = {"call": 0, "loop": 1, "param": 2}


def _changing_hole(value: Value) -> Hole | None:
    """The most telling input of a value that changes between evaluations, if any."""
    best: Hole | None = None
    candidates: list[Hole] = []
    if isinstance(value, Unknown):
        if value.origin in CHANGING_ORIGINS and not value.stable:
            return Hole("", value.origin, value.node, value.volatile, value.bound_at)
        return None
    if isinstance(value, Text):
        candidates = [h for h in value.holes if not h.stable]
    elif isinstance(value, (ListV, DictV)):
        items = value.items if isinstance(value, ListV) else tuple(v for _, v in value.items)
        for item in items:
            h = _changing_hole(item)
            if h is not None:
                candidates.append(h)
    for h in candidates:
        if h.origin in CHANGING_ORIGINS and (best is None or _RANK[h.origin] < _RANK[best.origin]):
            best = h
    return best


def _inputs(expr: cst.CSTNode) -> list[cst.Name | cst.Call]:
    """The names an expression reads and the calls it makes (not attribute names, keyword
    names or the called function's own name)."""
    out: list[cst.Name | cst.Call] = []
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            if node.value not in ("True", "False", "None"):
                out.append(node)
            continue
        if isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Call):
            out.append(node)
            if not isinstance(node.func, cst.Name):
                stack.append(node.func)
            stack.extend(a.value for a in node.args)
            continue
        if isinstance(node, cst.Arg):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Lambda):
            continue
        stack.extend(children(node))
    return out


def _is_volatile(value: Value) -> bool:
    return isinstance(value, Text) and any(h.volatile for h in value.holes)


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
