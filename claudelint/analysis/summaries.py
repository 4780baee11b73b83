"""What the project's own functions return, for `Resolver` (analysis/resolve.py).

A call of a function or method of the project (`_history(ticket)`, `build_prompt(doc)`,
`self._params()` — a method of the class or inherited from a base class of the module —,
`helpers.make_payload(...)` after `import helpers`) takes the value the
function returns: its *summary*, computed once per function and run (kept in the module
index's memo) with every parameter left as a hole, then filled at each call with the values
the caller passes (a parameter not passed takes its default).

A summary exists only when it is certain: the function returns one value (several `return`
statements must give the same constant or literal text), is no generator, and the call
matches its parameters (no `*args`/`**kwargs` at the call). Recursion and depth are bounded
(a function being summarised is not known inside itself).

A value from a summary keeps the text and the holes, but not the syntax nodes of the
function's body: rules point at the call and never edit the function for one of its callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.names import NameLookup
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
    noted,
)
from claudelint.syntax.scopes import Scope, dotted_name

if TYPE_CHECKING:
    pass

# How many summaries deep a chain of helper calls is followed.
MAX_SUMMARY_DEPTH = 6


@dataclass(eq=False)
class Summary:
    """The value a function returns, with its parameters as holes (`Hole.bound_at` is the
    `Param`), and what the call needs to fill them."""

    value: Value
    fn: cst.FunctionDef
    # The parameters a caller passes positionally (after `self` for a method call).
    positional: tuple[cst.Param, ...]
    by_name: dict[str, cst.Param]
    # id(Param) -> the default's value (resolved where the function is defined).
    defaults: dict[int, Value] = field(default_factory=dict)
    star: bool = False
    star_kwarg: bool = False
    name: str = ""


def _returns(fn: cst.FunctionDef) -> tuple[list[cst.Return], bool]:
    """The `return` statements of `fn` itself (not of nested functions or classes), and
    whether it is a generator."""
    out: list[cst.Return] = []
    gen = False
    stack: list[cst.CSTNode] = [fn.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Return):
            out.append(node)
        elif isinstance(node, cst.Yield):
            gen = True
        stack.extend(node.children)
    return out, gen


def _same(a: Value, b: Value) -> bool:
    if isinstance(a, Const) and isinstance(b, Const):
        return type(a.value) is type(b.value) and a.value == b.value
    if isinstance(a, Text) and isinstance(b, Text):
        return a.literal is not None and a.literal == b.literal
    return False


class Summaries(NameLookup):
    """The resolver part that follows calls into the project's own functions."""

    # True for the resolver that computes summaries: parameters stay holes (no defaults, no
    # values bound by a caller).
    summarizing: bool = False

    def function_summary(self, name: str) -> Summary | None:
        """The summary of the module-level function `name` of this module (for importers)."""
        bindings = self.index.module_scope.bindings.get(name)
        if not bindings or len(bindings) != 1 or bindings[0].kind != "def":
            return None
        node = bindings[0].node
        assert isinstance(node, cst.FunctionDef)
        return self._summary(node, method=False)

    def _summarizer(self) -> Summaries:
        memo = self.index.memo
        hit = memo.get("summarizer")
        if isinstance(hit, Summaries):
            return hit
        made = type(self)(self.index, self.module, path=self.path,  # type: ignore[call-arg]
                          project=self.project)
        made.summarizing = True
        made.deps = self.deps
        memo["summarizer"] = made
        return made

    def _summary(self, fn: cst.FunctionDef, method: bool) -> Summary | None:
        memo = self.index.memo.setdefault("summaries", {})
        assert isinstance(memo, dict)
        key = (id(fn), method)
        if key in memo:
            hit = memo[key]
            return hit if isinstance(hit, Summary) else None
        memo[key] = None  # recursion sees "not known"
        active = self.index.memo.setdefault("summary_depth", [0])
        assert isinstance(active, list)
        if active[0] >= MAX_SUMMARY_DEPTH:
            del memo[key]
            return None
        active[0] += 1
        try:
            summary = self._compute(fn, method)
        finally:
            active[0] -= 1
        memo[key] = summary
        return summary

    def _compute(self, fn: cst.FunctionDef, method: bool) -> Summary | None:
        if fn.asynchronous is not None:
            return None  # the call gives a coroutine
        if any(dotted_name(d.decorator) not in ("staticmethod", "classmethod")
               for d in fn.decorators):
            return None  # a decorator may change what the call returns
        fn_scope = next((s for s in self.index.scopes if s.node is fn), None)
        if fn_scope is None or fn_scope.parent is None:
            return None
        returns, gen = _returns(fn)
        if gen or not returns or any(r.value is None for r in returns):
            return None
        summarizer = self._summarizer()
        values = [summarizer.resolve(r.value, fn_scope) for r in returns if r.value is not None]
        value = values[-1]
        if len(values) > 1 and not all(_same(v, value) for v in values):
            return None
        if isinstance(value, Unknown) and value.origin == "unknown":
            return None
        params = fn.params
        positional = [*params.posonly_params, *params.params]
        if method:
            decorators = {dotted_name(d.decorator) for d in fn.decorators}
            if "staticmethod" not in decorators:
                if not positional:
                    return None
                positional = positional[1:]
        kept = {id(p) for p in (*positional, *params.kwonly_params)}
        by_name = {p.name.value: p for p in (*params.params, *params.kwonly_params)
                   if id(p) in kept}
        defaults: dict[int, Value] = {}
        for p in (*positional, *params.kwonly_params):
            if p.default is not None:
                defaults[id(p)] = self.resolve(p.default, fn_scope.parent)
        return Summary(value, fn, tuple(positional), by_name, defaults,
                       isinstance(params.star_arg, cst.Param), params.star_kwarg is not None,
                       fn.name.value)

    # --- calls ---------------------------------------------------------------------------

    def call_summary(self, call: cst.Call, scope: Scope, depth: int) -> Value | None:
        """The value a call of one of the project's functions returns, or None."""
        summary = self._callee(call.func, scope)
        if summary is None:
            return None
        bound = self._bind_call(summary, call, scope, depth)
        if bound is None:
            return None
        value = _Filler(self, bound, call, scope).fill(summary.value, top=True)
        return noted(value, f"the return value of `{summary.name}()`")

    def _callee(self, func: cst.BaseExpression, scope: Scope) -> Summary | None:
        if isinstance(func, cst.Name):
            found = scope.lookup(func.value)
            if found is None or len(found[1]) != 1:
                return None
            b = found[1][0]
            if b.kind == "def" and isinstance(b.node, cst.FunctionDef):
                if found[0].kind == "class":
                    return None
                return self._summary(b.node, method=False)
            if b.kind == "import" and b.name is not None and b.module is not None:
                if self.project is None or self.path is None:
                    return None
                got = self.project.import_summary(self.path, b.module, b.name, self.deps)
                return got if isinstance(got, Summary) else None
            return None
        if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
            return None
        fn = scope.function
        head = func.value.value
        name = func.attr.value
        if fn is not None and fn.class_scope is not None and head == fn.self_name:
            # self.method(...): a method of the same class, or inherited from a base class
            # of this module (not overridden in sight).
            owner = self._defining_class(fn.class_scope, name)
            if owner is None:
                return None
            bindings = owner.bindings[name]
            if len(bindings) != 1 or bindings[0].kind != "def":
                return None
            node = bindings[0].node
            assert isinstance(node, cst.FunctionDef)
            decorators = {dotted_name(d.decorator) for d in node.decorators}
            if "classmethod" in decorators or fn.class_scope.self_attrs.get(name) \
                    or owner.self_attrs.get(name):
                return None
            if any(s.kind == "class" and s is not owner and name in s.bindings
                   for s in self.index.scopes):
                return None  # another class of the module defines it too (an override?)
            if owner is not fn.class_scope and self._shadowed_reads(node, fn.class_scope, owner):
                return None
            return self._summary(node, method=True)
        found = scope.lookup(head)
        if found is None or len(found[1]) != 1:
            return None
        b = found[1][0]
        if b.kind == "import" and b.module is not None and self.project is not None \
                and self.path is not None:
            # helpers.make_payload(...) after `import helpers` / `from pkg import helpers`
            module = b.module if b.name is None else (
                b.module + b.name if b.module.endswith(".") else f"{b.module}.{b.name}")
            got = self.project.import_summary(self.path, module, name, self.deps)
            return got if isinstance(got, Summary) else None
        return None

    def _defining_class(self, cls: Scope, name: str) -> Scope | None:
        """The class scope whose `name` a `self.name(...)` call in a method of `cls` finds:
        `cls` itself, else the base class of this module that defines it, in method
        resolution order for a tree of classes in sight; None when it is not found, or when
        a base not in sight (imported, computed) may define it before."""
        got = self._lookup_in_bases(cls, name, 0)
        return got if isinstance(got, Scope) else None

    def _shadowed_reads(self, method: cst.FunctionDef, cls: Scope, owner: Scope) -> bool:
        """Whether an inherited `method` (of `owner`) reads a `self.X` that `cls`, or a class
        searched on the way to `owner`, sets or defines itself: the summary, made in
        `owner`, would read `owner`'s."""
        params = [*method.params.posonly_params, *method.params.params]
        if not params:
            return True
        me = params[0].name.value
        reads: set[str] = set()
        stack: list[cst.CSTNode] = [method.body]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) \
                    and node.value.value == me:
                reads.add(node.attr.value)
            stack.extend(node.children)
        between: list[Scope] = []
        self._lookup_in_bases(cls, method.name.value, 0, between)
        return any(r in c.bindings or r in c.self_attrs
                   for c in between if c is not owner for r in reads)

    def _lookup_in_bases(self, cls: Scope, name: str, depth: int,
                         seen: list[Scope] | None = None) -> Scope | bool:
        """The defining scope; False when no class of the tree defines `name` (all in
        sight); True when that cannot be known. `seen` collects the classes searched."""
        if seen is not None:
            seen.append(cls)
        if name in cls.bindings:
            return cls
        node = cls.node
        if not isinstance(node, cst.ClassDef) or depth > 4:
            return True
        for arg in node.bases:
            if arg.keyword is not None or arg.star or not isinstance(arg.value, cst.Name):
                return True
            if arg.value.value == "object":
                continue
            found = self.index.module_scope.bindings.get(arg.value.value)
            if not found or len(found) != 1 or found[0].kind != "class" \
                    or not isinstance(found[0].node, cst.ClassDef):
                return True
            base = self._class_scope(found[0].node)
            if base is None or base is cls:
                return True
            got = self._lookup_in_bases(base, name, depth + 1, seen)
            if got is not False:
                return got
        return False

    def _bind_call(self, summary: Summary, call: cst.Call, scope: Scope,
                   depth: int) -> dict[int, tuple[Value, cst.BaseExpression | None]] | None:
        """id(Param) -> the value passed (and its expression), for every parameter the
        summary's value reads; None when the call does not match statically."""
        bound: dict[int, tuple[Value, cst.BaseExpression | None]] = {}
        i = 0
        for a in call.args:
            if a.star:
                return None
            if a.keyword is None:
                if i >= len(summary.positional):
                    if summary.star:
                        continue
                    return None
                param = summary.positional[i]
                i += 1
            else:
                found = summary.by_name.get(a.keyword.value)
                if found is None:
                    if summary.star_kwarg:
                        continue
                    return None
                param = found
            if id(param) in bound:
                return None
            bound[id(param)] = (self.resolve(a.value, scope, depth), a.value)
        for p in (*summary.positional, *summary.by_name.values()):
            if id(p) in bound:
                continue
            default = summary.defaults.get(id(p))
            if default is None:
                if p.default is None:
                    return None  # a required argument is missing: the call fails
                continue  # a default not known: its holes stay unknown
            bound[id(p)] = (default, None)
        return bound


class _Filler:
    """Fills a summary's parameter holes with what one call passes."""

    def __init__(self, resolver: Summaries, bound: dict[int, tuple[Value, cst.BaseExpression
                                                                   | None]],
                 call: cst.Call, scope: Scope) -> None:
        self.r = resolver
        self.bound = bound
        self.call = call
        self.scope = scope

    def _rebind(self, h: Hole) -> Hole | Value:
        site = h.bound_at
        if site is not None and id(site) in self.bound:
            return self.bound[id(site)][0]
        if isinstance(site, cst.Param):
            # A parameter of the function that the call leaves at an unknown default.
            return Hole(h.expr, "unknown", None)
        if not h.stable and h.origin in CHANGING_ORIGINS:
            # Computed inside the function: fixed when the call is evaluated.
            return Hole(h.expr, h.origin, h.node, h.volatile, self.call)
        return h

    def fill(self, value: Value, top: bool = False) -> Value:
        if isinstance(value, Text):
            return self._text(value, top)
        if isinstance(value, Const):
            return Const(value.value, None, value.stable, value.via)
        if isinstance(value, ListV):
            return ListV(tuple(self.fill(v) for v in value.items), None, value.complete,
                         value.stable)
        if isinstance(value, DictV):
            return DictV(tuple((k, self.fill(v)) for k, v in value.items), None,
                         value.complete, value.stable, {}, value.sources, value.maybe)
        site = value.bound_at
        if site is not None and id(site) in self.bound:
            arg, expr = self.bound[id(site)]
            if arg.stable or expr is None:
                return Unknown(value.reason, None, True, "module")
            h = self.r._hole_for(arg, expr, self.scope)  # type: ignore[attr-defined]
            return Unknown(value.reason, None, False, h.origin, h.volatile, h.site)
        if isinstance(site, cst.Param):
            return Unknown(value.reason, None, value.stable)
        if not value.stable and value.origin in CHANGING_ORIGINS:
            return Unknown(value.reason, None, False, value.origin, value.volatile, self.call)
        return Unknown(value.reason, None, value.stable, value.origin, value.volatile,
                       value.bound_at)

    def _text(self, value: Text, top: bool) -> Value:
        if len(value.parts) == 1 and isinstance(value.parts[0], Hole):
            got = self._rebind(value.parts[0])
            if isinstance(got, Hole):
                return Text((got,), None, got.stable, value.via)
            return got  # the argument itself: any value
        parts: list[Part] = []
        stable = True
        for p in value.parts:
            if isinstance(p, str):
                parts.append(p)
                continue
            got = self._rebind(p)
            if isinstance(got, Hole):
                parts.append(got)
                stable = stable and got.stable
                continue
            bound = self.bound.get(id(p.bound_at)) if p.bound_at is not None else None
            expr = bound[1] if bound is not None else None
            if isinstance(got, Text):
                parts.extend(got.parts)
                stable = stable and got.stable
            elif isinstance(got, Const):
                parts.append(str(got.value))
            elif expr is not None:
                h = self.r._hole_for(got, expr, self.scope)  # type: ignore[attr-defined]
                parts.append(h)
                stable = stable and h.stable
            else:
                parts.append(Hole(p.expr, "module" if got.stable else "unknown", None))
                stable = stable and got.stable
        return Text(Text.of(*parts).parts, None, stable, value.via)
