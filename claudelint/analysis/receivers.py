"""What a receiver is: an Anthropic client, its Messages resource, a bound request method, or
another provider's object (SPEC §1). `ClientTracer` follows names, attributes of `self`, the
project's own factory functions (in this module and, through the project's `ModuleSource`, in
imported project modules) and local classes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.branches import parent_map, reaching
from claudelint.syntax.scopes import REQUEST_METHODS, Binding, ModuleIndex, Scope, dotted_name
from claudelint.syntax.walk import Visitor

if TYPE_CHECKING:
    from claudelint.analysis.module_source import ModuleSource

CLIENT_CLASSES = frozenset(
    {
        "Anthropic", "AsyncAnthropic", "Client", "AsyncClient",
        "AnthropicBedrock", "AsyncAnthropicBedrock",
        "AnthropicBedrockMantle", "AsyncAnthropicBedrockMantle",
        "AnthropicVertex", "AsyncAnthropicVertex",
        "AnthropicAWS", "AsyncAnthropicAWS",
        "AnthropicGoogleCloud", "AsyncAnthropicGoogleCloud",
        "AnthropicFoundry", "AsyncAnthropicFoundry",
    }
)
# Resource classes whose instances are `client.messages` / `client.beta.messages`.
MESSAGES_CLASSES = frozenset({"Messages", "AsyncMessages"})
# Calls that return a copy of a client.
CLIENT_COPIES = frozenset({"with_options", "copy"})
PREFIX_ATTRS = frozenset({"with_raw_response", "with_streaming_response"})

MAX_TRACE_DEPTH = 12
# Calls that make a test double (unittest.mock, pytest-mock's `mocker.*`), and attributes
# only a mock has.
MOCK_FACTORIES = frozenset({"Mock", "MagicMock", "AsyncMock", "NonCallableMock",
                            "NonCallableMagicMock", "create_autospec"})
MOCK_ATTRS = frozenset({"return_value", "side_effect"})


@dataclass(frozen=True)
class Trace:
    """What an expression is: "client", "messages" (a Messages resource), "method" (a bound
    request method), "other" (another provider's object), or "none" (not known)."""

    kind: str
    cls: str = ""
    beta: bool = False
    method: str = ""


NONE = Trace("none")
OTHER = Trace("other")


class ClientTracer:
    def __init__(self, index: ModuleIndex, client_factories: Sequence[str] = (), *,
                 source: ModuleSource | None = None, path: Path | None = None,
                 deps: dict[str, str] | None = None) -> None:
        self.index = index
        self.factories = frozenset(client_factories)
        self._cache: dict[tuple[int, int], Trace] = {}
        # The project around the module (for factories defined in imported project modules)
        # and the files those traces read (the resolver's `deps`, for the results cache).
        self.source = source
        self.path = path
        self.deps: dict[str, str] = deps if deps is not None else {}
        self._parents: dict[int, dict[int, cst.CSTNode]] = {}

    # --- classes and annotations ---------------------------------------------------------

    def _imported(self, name: str, scope: Scope) -> Binding | None:
        found = scope.lookup(name)
        if found is None:
            return None
        for b in found[1]:
            if b.kind == "import":
                return b
        return None

    def class_of(self, expr: cst.BaseExpression, scope: Scope) -> Trace:
        """Whether `expr` names an Anthropic client class (or another provider's class)."""
        name = dotted_name(expr)
        if name is None:
            return NONE
        head, _, rest = name.partition(".")
        b = self._imported(head, scope)
        if b is None:
            if name in self.factories:
                return Trace("client", name)
            return NONE
        if b.name is None:  # import module [as alias]
            full = f"{b.module}.{rest}" if rest else (b.module or "")
        else:
            full = f"{b.module}.{b.name}" + (f".{rest}" if rest else "")
        top = full.split(".")[0]
        last = full.rsplit(".", 1)[-1]
        if full in self.factories or f"{b.module}.{b.name}" in self.factories:
            return Trace("client", last)
        if top == "anthropic":
            if last in CLIENT_CLASSES:
                return Trace("client", last)
            if last in MESSAGES_CLASSES:
                return Trace("messages", last, beta=".beta" in full)
            return NONE
        if top in ("", ".") or full.startswith("."):
            return NONE
        return OTHER

    def annotation(self, ann: cst.BaseExpression | None, scope: Scope) -> Trace:
        if ann is None:
            return NONE
        if isinstance(ann, cst.SimpleString):
            try:
                text = ann.evaluated_value
                if isinstance(text, str):
                    return self.annotation(cst.parse_expression(text), scope)
            except Exception:
                return NONE
        if isinstance(ann, cst.BinaryOperation) and isinstance(ann.operator, cst.BitOr):
            # `Anthropic | AnthropicVertex`: either; `Anthropic | None`: a client when set.
            return _combine([self.annotation(ann.left, scope), self.annotation(ann.right, scope)])
        if isinstance(ann, cst.Subscript):
            base = dotted_name(ann.value) or ""
            if base.split(".")[-1] in ("Optional", "Union", "Annotated"):
                for el in ann.slice:
                    if isinstance(el.slice, cst.Index):
                        t = self.annotation(el.slice.value, scope)
                        if t.kind != "none":
                            return t
            return NONE
        t = self.class_of(ann, scope)
        return t if t.kind in ("client", "messages") else NONE

    # --- expressions ---------------------------------------------------------------------

    def trace(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Trace:
        key = (id(expr), id(scope))
        if key in self._cache:
            return self._cache[key]
        self._cache[key] = NONE  # cycle guard
        result = self._trace(expr, scope, depth) if depth < MAX_TRACE_DEPTH else NONE
        self._cache[key] = result
        return result

    def _trace(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Trace:
        if isinstance(expr, cst.Await):
            return self.trace(expr.expression, scope, depth + 1)
        if isinstance(expr, (cst.BooleanOperation, cst.IfExp)):
            # `client or Anthropic()`, `A() if x else B()`: either side may be the value.
            sides = (
                (expr.left, expr.right) if isinstance(expr, cst.BooleanOperation)
                else (expr.body, expr.orelse)
            )
            return _combine([self.trace(side, scope, depth + 1) for side in sides])
        if isinstance(expr, cst.Call):
            return self._trace_call(expr, scope, depth)
        if isinstance(expr, cst.Name):
            found = scope.lookup(expr.value)
            if found is None:
                return NONE
            bindings = found[1]
            if found[0] is scope and scope.kind == "function" and len(bindings) > 1:
                bindings = reaching(self._parent_map(scope.node), expr, bindings, scope)
            return self._trace_bindings(bindings, depth)
        if isinstance(expr, cst.Attribute):
            attr = expr.attr.value
            fn = scope.function
            if (
                fn is not None and fn.class_scope is not None
                and isinstance(expr.value, cst.Name) and expr.value.value == fn.self_name
            ):
                return self._trace_self_attr(fn.class_scope, attr, depth)
            base = self.trace(expr.value, scope, depth + 1)
            if base.kind == "client":
                if attr == "messages":
                    return Trace("messages", base.cls, base.beta)
                if attr == "beta":
                    return Trace("client", base.cls, True)
                if attr == "prompt_caching" and base.beta:
                    return Trace("client", base.cls, True)
                if attr in PREFIX_ATTRS:
                    return base
                return NONE
            if base.kind == "messages":
                if attr in PREFIX_ATTRS:
                    return base
                if attr in REQUEST_METHODS:
                    return Trace("method", base.cls, base.beta, attr)
                return NONE
            if base.kind == "other":
                return OTHER
            if attr in MOCK_ATTRS:
                return OTHER  # `mock_cls.return_value`: only a mock has it
            # Module attribute: `anthropic.Anthropic` used as a value is a class, not a client.
            return NONE
        return NONE

    def _trace_call(self, call: cst.Call, scope: Scope, depth: int) -> Trace:
        func = call.func
        cls = self.class_of(func, scope)
        if cls.kind == "client":
            return cls
        imported = self._trace_imported_call(func, scope, depth)
        if imported is not None:
            return imported
        if cls.kind == "other":
            name = dotted_name(func) or ""
            if name.endswith("from_anthropic") and call.args:
                inner = self.trace(call.args[0].value, scope, depth + 1)
                return inner if inner.kind == "client" else Trace("client", "instructor")
            return OTHER
        if isinstance(func, cst.Attribute) and func.attr.value in CLIENT_COPIES:
            base = self.trace(func.value, scope, depth + 1)
            if base.kind == "client":
                return base
        callee = dotted_name(func)
        if callee is not None and callee.rsplit(".", 1)[-1] in MOCK_FACTORIES:
            return OTHER  # `mocker.MagicMock()`, `mock.create_autospec(Anthropic)`: a test double
        if isinstance(func, cst.Name):
            # A local factory: `def make_client() -> Anthropic` or one that returns a client.
            found = scope.lookup(func.value)
            if found is not None:
                for b in found[1]:
                    if b.kind == "def" and isinstance(b.node, cst.FunctionDef):
                        return self._trace_factory(b.node, b.scope, depth)
                    if b.kind == "class" and isinstance(b.node, cst.ClassDef):
                        return self._trace_local_class(b.node, b.scope, depth)
        return NONE

    def _trace_imported_call(self, func: cst.BaseExpression, scope: Scope,
                             depth: int) -> Trace | None:
        """`get_client()` after `from pkg.helpers import get_client` (or `helpers.get_client()`
        after `from pkg import helpers`), where the function is defined in a module of the
        project and returns a client: that client. None otherwise (the caller keeps its own
        judgement of the name)."""
        target = _imported_target(func, scope)
        if target is None or self.source is None or self.path is None:
            return None
        return self._trace_in_module(target[0], target[1], depth + 1)

    def _trace_in_module(self, module: str, name: str, depth: int) -> Trace | None:
        if self.source is None or self.path is None or depth >= MAX_TRACE_DEPTH:
            return None
        from claudelint.analysis.project import ModuleCtx

        ctx = self.source.import_module(self.path, module, name, self.deps)
        if not isinstance(ctx, ModuleCtx):
            return None
        key = "receivers.tracer:" + ",".join(sorted(self.factories))
        tracer = ctx.index.memo.get(key)
        if not isinstance(tracer, ClientTracer):
            tracer = ClientTracer(ctx.index, sorted(self.factories), source=self.source,
                                  path=ctx.path, deps=ctx.deps)
            ctx.index.memo[key] = tracer
        result: Trace | None = None
        bindings = ctx.index.module_scope.bindings.get(name, [])
        if len(bindings) == 1:
            b = bindings[0]
            if b.kind == "def" and isinstance(b.node, cst.FunctionDef):
                result = tracer._trace_factory(b.node, b.scope, depth + 1)
            elif b.kind == "import" and b.module is not None and b.name is not None:
                result = tracer._trace_in_module(b.module, b.name, depth + 1)  # a re-export
        self.deps.update(ctx.deps)
        if result is not None and result.kind in ("client", "messages"):
            return result
        return None

    def _parent_map(self, fn: cst.CSTNode) -> dict[int, cst.CSTNode]:
        got = self._parents.get(id(fn))
        if got is None:
            got = self._parents[id(fn)] = parent_map(fn)
        return got

    def _trace_local_class(self, node: cst.ClassDef, scope: Scope, depth: int) -> Trace:
        """An instance of a class of this module: a client when it subclasses one; when it
        has its own `messages` (a test double such as `FakeAnthropic`), what that is — a
        wrapper exposing a real client's `messages` counts, anything else is not a client;
        NONE when the class has bases or a `__getattr__` that may supply `messages`."""
        for base in node.bases:
            t = self.class_of(base.value, scope)
            if t.kind in ("client", "other"):
                return t
        cls_scope = next((s for s in self.index.scopes if s.node is node), None)
        if cls_scope is None:
            return NONE
        if "messages" in cls_scope.self_attrs or "messages" in cls_scope.bindings:
            t = self._trace_self_attr(cls_scope, "messages", depth + 1)
            for b in cls_scope.bindings.get("messages", []):
                if b.kind == "def" and isinstance(b.node, cst.FunctionDef):
                    t = _combine([t, self._trace_returns(b.node, depth + 1)])  # a property
            if t.kind == "messages":
                return Trace("client", t.cls, t.beta)
            return OTHER if t.kind == "other" else NONE
        if node.bases or "__getattr__" in cls_scope.bindings:
            return NONE
        return OTHER

    def _trace_factory(self, fn: cst.FunctionDef, scope: Scope, depth: int) -> Trace:
        if fn.returns is not None:
            t = self.annotation(fn.returns.annotation, scope)
            if t.kind != "none":
                return t
        return self._trace_returns(fn, depth, ("client", "other"))

    def _trace_returns(self, fn: cst.FunctionDef, depth: int,
                       kinds: tuple[str, ...] = ("client", "messages", "other")) -> Trace:
        """What the function returns: the first of its returned values of one of `kinds`."""
        fn_scope = next((s for s in self.index.scopes if s.node is fn), None)
        if fn_scope is None:
            return NONE
        finder = _ReturnFinder()
        finder.walk(fn.body)
        for value in finder.values:
            t = self.trace(value, fn_scope, depth + 1)
            if t.kind in kinds:
                return t
        return NONE

    def _trace_bindings(self, bindings: list[Binding], depth: int) -> Trace:
        results: list[Trace] = []
        for b in bindings:
            if b.kind in ("assign", "with") and b.value is not None:
                results.append(self.trace(b.value, b.scope, depth + 1))
            elif b.kind in ("param", "annotation"):
                results.append(self.annotation(b.annotation, b.scope))
            elif b.kind == "augassign":
                return NONE
        return _combine(results)

    def _trace_self_attr(self, cls: Scope, attr: str, depth: int) -> Trace:
        bindings = cls.self_attrs.get(attr, [])
        results = []
        for b in bindings:
            if b.value is not None:
                results.append(self.trace(b.value, b.scope, depth + 1))
            elif b.annotation is not None:
                results.append(self.annotation(b.annotation, b.scope))
        # Class-level annotation or attribute: `client: Anthropic` / `client = Anthropic()`.
        if attr in cls.bindings:
            results.append(self._trace_bindings(cls.bindings[attr], depth))
        return _combine(results)


def _combine(traces: list[Trace]) -> Trace:
    """What a value that may be any of `traces` (the sides of `a or b`, the bindings of a name)
    is: OTHER when any of them is known to be something else, else the first known one, NONE
    when none is known. Clients of different platforms (`AnthropicBedrock(...)` in one
    branch, `Anthropic(...)` in the other) give a client of the joined classes,
    `AnthropicBedrock|Anthropic`: rules that depend on the platform see each of them."""
    known = [t for t in traces if t.kind != "none"]
    if any(t.kind == "other" for t in known):
        return OTHER
    if not known:
        return NONE
    first = known[0]
    classes: list[str] = []
    platforms: set[str] = set()
    for t in known:
        if t.kind == first.kind:
            for c in t.cls.split("|"):
                if c and c not in classes and c.removeprefix("Async") not in platforms:
                    classes.append(c)
                    platforms.add(c.removeprefix("Async"))
    if len(classes) > 1:
        return dataclasses.replace(first, cls="|".join(classes))
    return first


class _ReturnFinder(Visitor):
    def __init__(self) -> None:
        self.values: list[cst.BaseExpression] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # nested functions return their own values

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.values.append(node.value)


def _imported_target(func: cst.BaseExpression, scope: Scope) -> tuple[str, str] | None:
    """(module, name) of a called function imported from another module: `name(...)` after
    `from module import name`, `alias.name(...)` after `import module as alias` or
    `from pkg import module`."""
    if isinstance(func, cst.Name):
        found = scope.lookup(func.value)
        if found is None or len(found[1]) != 1:
            return None
        b = found[1][0]
        if b.kind == "import" and b.module is not None and b.name is not None:
            return b.module, b.name
        return None
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    found = scope.lookup(func.value.value)
    if found is None or len(found[1]) != 1:
        return None
    b = found[1][0]
    if b.kind != "import" or b.module is None:
        return None
    if b.name is None:
        module = b.module
    else:
        module = b.module + b.name if b.module.endswith(".") else f"{b.module}.{b.name}"
    return module, func.attr.value
