"""Requests whose model is written at a constructor call (issue 14, gap 4).

`Sampler(model="claude-3-opus-20240229")` constructs a class of the project whose `__init__`
stores one of its parameters (`self.model = model`) and whose own methods send it
(`self.client.messages.create(model=self.model, ...)`): the model every request of that
instance sends is the argument written at the constructor call. For each such call in the
linted module (the class defined there, or imported from a module of the project:
`from .sampler import Sampler`), a Request holding only that argument (`model`) is built,
located at the call (`constructor_requests`); the engine keeps only the findings about that
argument (lint/engine.py), and the value's note says where the model is sent ("the `model`
argument of `Sampler()`, stored as `self.model` and sent by `messages.create()` at
sampler.py:70").

Only when it is certain that the instance sends what the constructor received:
- the class has no decorator (a dataclass writes its own `__init__`), no metaclass, and its
  bases are `object`/`ABC`/`Protocol` or classes of the project that neither store nor define
  the attribute (their bases too) — a base whose code is not read might set it;
- the class defines `__init__` (no decorator), which stores the attribute exactly once, as a
  statement of its own body (not under an `if`), from a plain parameter that is not rebound;
- nothing else in the class stores the attribute (`self.model = ...` in another method, a
  nested function, `setattr`), the class defines no class attribute or method of that name
  (a `model = "..."` class default or a property), and neither module assigns the attribute
  on some other object (`sampler.model = ...`);
- the request is made in a method of that class itself (a subclass that only inherits it may
  override the attribute: a call of the subclass is not followed), with `model=self.<attr>`
  written in the call.
The call must match `__init__` statically (no `*args`/`**kwargs` at the call, no unknown
keyword) and pass the parameter; a parameter left at its default is the class's own request's
finding (its default is what that request resolves to). Each constructor call gets its own
Request: two instances with different models are two findings, each at its own call.

A fix (CL302's, CL303's) may edit the literal at the constructor call: it changes what that
one instance sends. The engine drops it unless it edits only that argument.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.request import Arg, Env, Request, Site
from claudelint.analysis.values import Const, Text, noted
from claudelint.syntax.scopes import Binding, ModuleIndex, Scope, dotted_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from claudelint.analysis.resolve import Resolver

# The request arguments followed from a constructor call to the request.
SENT = ("model",)
# At most this many constructor calls of one class name get a Request.
MAX_CONSTRUCTOR_CALLS = 64
# What a module holding such a class says (checked on its bytes before it is parsed).
_SENDS_STORED = re.compile(rb"\b(?:" + "|".join(SENT).encode() + rb")\s*=\s*self\.")
# `Request._memo` key: whether a fix may edit the constructor's argument (`_Sink.fixable`).
FIXABLE = "constructors.fixable"
# How many bases deep a class's ancestors are read.
MAX_BASE_DEPTH = 4
# Bases that set no attribute of their instances.
_PLAIN_BASES = frozenset({"object", "ABC", "abc.ABC", "Protocol", "typing.Protocol"})


@dataclass(frozen=True, eq=False)
class _Home:
    """A module holding classes: the linted one, or one of the project's (project.ModuleCtx)."""

    index: ModuleIndex
    module: cst.Module
    resolver: Resolver
    path: Path | None
    factories: tuple[str, ...]
    requests: Sequence[Request] | None = None

    def all_requests(self) -> Sequence[Request]:
        if self.requests is not None:
            return self.requests
        memo = self.index.memo
        key = "constructors.requests:" + ",".join(self.factories)
        got = memo.get(key)
        if not isinstance(got, list):
            from claudelint.analysis.callsites import CallSiteFinder

            got = CallSiteFinder(self.index, self.module, self.resolver, self.factories,
                                 source=self.index.text or None).requests()
            memo[key] = got
        return got


@dataclass(frozen=True, eq=False)
class _Sink:
    """A parameter of `__init__` that the class's requests send as `arg`."""

    param: cst.Param
    attr: str
    arg: str
    inner: Request
    path: Path | None
    line: int
    # The class reads `self.<attr>` only as that argument of its requests: changing it at the
    # constructor call changes nothing else.
    fixable: bool


def constructor_requests(index: ModuleIndex, module: cst.Module, resolver: Resolver,
                         requests: Sequence[Request],
                         factories: Sequence[str] = ()) -> list[Request]:
    """One Request per constructor call of the linted module that fixes the model a project
    class's requests send (see the module docstring)."""
    here = _Home(index, module, resolver, resolver.path, tuple(sorted(factories)), requests)
    out: list[Request] = []
    for name, calls in index.name_calls.items():
        if not name[:1].isupper():
            continue  # classes are named in CapWords; a function call is never one of these
        for nc in calls[:MAX_CONSTRUCTOR_CALLS]:
            found = nc.scope.lookup(name)
            if found is None or len(found[1]) != 1:
                continue
            cls = _class_of(found[1][0], here)
            if cls is None:
                continue
            home, node, cls_scope = cls
            sinks = _sinks(home, node, cls_scope)
            if home is not here:
                stores = resolver._attribute_stores()
                sinks = [s for s in sinks if s.attr not in stores and "*" not in stores]
            if not sinks:
                continue
            init = _init(cls_scope)
            assert init is not None
            passed = _bind(nc.call, init)
            if passed is None:
                continue
            for sink in sinks:
                expr = passed.get(id(sink.param))
                if expr is None:
                    continue
                value = resolver.resolve(expr, nc.scope)
                if not isinstance(value, (Text, Const)):
                    continue  # not known: the rules would stay silent
                if sink.inner.client == "untraced" and sink.arg == "model" and not (
                        isinstance(value, Text)
                        and (value.literal or "").startswith("claude")):
                    continue  # as callsites.py: another provider's client may take it
                note = (f"the `{sink.param.name.value}` argument of `{name}()`, stored as "
                        f"`self.{sink.attr}` "
                        f"and sent by `{_method(sink.inner)}` at {_shown(sink, here.path)}")
                old = value.via
                value = noted(value, f"{old}, then {note}" if old else note, replace=True)
                site = Site(
                    scope_kind="function", function=sink.inner.site.function, loops=(),
                    is_async=sink.inner.site.is_async, awaited=sink.inner.site.awaited,
                )
                made = Request(
                    call=nc.call, statement=nc.statement, method=sink.inner.method,
                    beta=sink.inner.beta, client=sink.inner.client,
                    args={sink.arg: Arg(sink.arg, value, expr)}, unknown_kwargs=True,
                    site=site, env=Env(nc.scope, index, resolver, module),
                )
                made._memo[FIXABLE] = sink.fixable
                out.append(made)
    return out


def _class_of(b: Binding, here: _Home) -> tuple[_Home, cst.ClassDef, Scope] | None:
    """The class a name binds (defined in the linted module or imported from a module of
    the project), with the module holding it."""
    if b.kind == "class" and isinstance(b.node, cst.ClassDef):
        if b.scope is not here.index.module_scope:
            return None  # a class defined in a function or a class
        scope = _scope_of(here.index, b.node)
        return (here, b.node, scope) if scope is not None else None
    if b.kind != "import" or b.module is None or b.name is None:
        return None
    home = _imported_home(here, b.module, b.name, 0, _SENDS_STORED)
    if home is None:
        return None
    return _top_class(home, b.name)


def _imported_home(here: _Home, module: str, name: str, depth: int,
                   needle: re.Pattern[bytes] | None = None) -> _Home | None:
    project = here.resolver.project
    if project is None or here.path is None or depth > MAX_BASE_DEPTH:
        return None
    from claudelint.analysis.project import ModuleCtx

    ctx = project.import_module(here.path, module, name, here.resolver.deps, needle)
    if not isinstance(ctx, ModuleCtx):
        return None
    here.resolver.deps.update(ctx.deps)
    return _Home(ctx.index, ctx.module, ctx.resolver, ctx.path, here.factories)


def _top_class(home: _Home, name: str) -> tuple[_Home, cst.ClassDef, Scope] | None:
    bindings = home.index.module_scope.bindings.get(name, [])
    if len(bindings) != 1 or bindings[0].kind != "class":
        return None
    node = bindings[0].node
    if not isinstance(node, cst.ClassDef):
        return None
    scope = _scope_of(home.index, node)
    return (home, node, scope) if scope is not None else None


def _scope_of(index: ModuleIndex, node: cst.CSTNode) -> Scope | None:
    return next((s for s in index.scopes if s.node is node), None)


def _init(cls_scope: Scope) -> cst.FunctionDef | None:
    bindings = cls_scope.bindings.get("__init__", [])
    if len(bindings) != 1 or bindings[0].kind != "def":
        return None
    node = bindings[0].node
    if not isinstance(node, cst.FunctionDef) or node.decorators or node.asynchronous:
        return None
    return node


def _sinks(home: _Home, node: cst.ClassDef, cls_scope: Scope) -> list[_Sink]:
    memo = home.index.memo.setdefault("constructors.sinks", {})
    assert isinstance(memo, dict)
    hit = memo.get(id(node))
    if isinstance(hit, list):
        return hit
    memo[id(node)] = []  # a cycle through the bases sees "none"
    got = _compute_sinks(home, node, cls_scope)
    memo[id(node)] = got
    return got


def _compute_sinks(home: _Home, node: cst.ClassDef, cls_scope: Scope) -> list[_Sink]:
    if node.decorators or node.keywords:
        return []
    init = _init(cls_scope)
    if init is None:
        return []
    wanted: dict[tuple[str, str], list[Request]] = {}
    for req in home.all_requests():
        if req.via is not None or req.env is None:
            continue
        fn = req.env.scope.function
        if fn is None or fn.class_scope is not cls_scope or fn.self_name is None:
            continue
        if isinstance(fn.node, cst.FunctionDef) and any(
                dotted_name(d.decorator) in ("classmethod", "staticmethod")
                for d in fn.node.decorators):
            continue  # `cls.model` is the class's attribute, not the instance's
        for key in SENT:
            arg = req.args.get(key)
            if arg is None or arg.via_kwargs or not isinstance(arg.node, cst.Attribute):
                continue
            target = arg.node
            if isinstance(target.value, cst.Name) and target.value.value == fn.self_name:
                wanted.setdefault((target.attr.value, key), []).append(req)
    out: list[_Sink] = []
    for (attr, key), reqs in wanted.items():
        param = _stored_param(home, node, cls_scope, init, attr)
        if param is None or not _bases_clear(home, node, attr, 0):
            continue
        inner = reqs[0]
        sent = sum(1 for r in home.all_requests() for a in r.args.values()
                   if isinstance(a.node, cst.Attribute) and a.node.attr.value == attr
                   and home.resolver.inside(node, a.node))
        reads = len(re.findall(rf"\.\s*{re.escape(attr)}\b", home.module.code_for_node(node)))
        out.append(_Sink(param, attr, key, inner, home.path, _line(home, inner),
                         reads == sent + 1))
    return out


def _stored_param(home: _Home, node: cst.ClassDef, cls_scope: Scope, init: cst.FunctionDef,
                  attr: str) -> cst.Param | None:
    """The parameter of `__init__` stored once and unconditionally as `self.<attr>`, when
    nothing else in the class (or its module, on another object) stores that attribute."""
    sets = cls_scope.self_attrs.get(attr, [])
    if len(sets) != 1 or sets[0].kind != "assign" or sets[0].node is not init:
        return None
    value = sets[0].value
    if not isinstance(value, cst.Name):
        return None
    if any(b.kind != "annotation" for b in cls_scope.bindings.get(attr, [])):
        return None  # a class default, a property or a method of that name
    init_scope = sets[0].scope
    bindings = init_scope.bindings.get(value.value, [])
    if len(bindings) != 1 or bindings[0].kind != "param":
        return None
    param = bindings[0].node
    if not isinstance(param, cst.Param) or not any(
        param is p for p in (*init.params.params, *init.params.kwonly_params)
    ) or param is _self_param(init):
        return None
    if not _unconditional_store(init, attr):
        return None
    code = home.module.code_for_node(node)
    if len(_stores(attr).findall(code)) != 1 or "setattr" in code or "__dict__" in code:
        return None  # stored again (a nested function, another statement)
    stores = home.resolver._attribute_stores()
    if attr in stores or "*" in stores:
        return None  # `sampler.model = ...` somewhere in the class's module
    return param


def _stores(attr: str) -> re.Pattern[str]:
    return re.compile(rf"\.\s*{re.escape(attr)}\s*(?::[^=\n]*)?(?:[-+*/%|&^@]|//|\*\*|>>|<<)?="
                      r"(?!=)")


def _unconditional_store(init: cst.FunctionDef, attr: str) -> bool:
    body = init.body
    if not isinstance(body, cst.IndentedBlock):
        return False
    for stmt in body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, (cst.Assign, cst.AnnAssign)):
                targets = ([t.target for t in small.targets] if isinstance(small, cst.Assign)
                           else [small.target])
                if any(isinstance(t, cst.Attribute) and t.attr.value == attr for t in targets):
                    return True
    return False


def _bases_clear(home: _Home, node: cst.ClassDef, attr: str, depth: int) -> bool:
    """Whether no ancestor of the class may store or define `attr`: every base is a plain
    one or a class of the project whose code does neither (and whose bases are clear)."""
    if depth > MAX_BASE_DEPTH:
        return False
    for base in node.bases:
        if base.keyword is not None or base.star:
            return False
        expr = base.value
        if isinstance(expr, cst.Subscript) and dotted_name(expr.value) in (
                "Generic", "typing.Generic"):
            continue
        name = dotted_name(expr)
        if name is None:
            return False
        if name in _PLAIN_BASES:
            continue
        if "." in name:
            return False
        found = home.index.module_scope.lookup(name)
        if found is None or len(found[1]) != 1:
            return False
        b = found[1][0]
        got: tuple[_Home, cst.ClassDef, Scope] | None = None
        if b.kind == "class" and isinstance(b.node, cst.ClassDef) \
                and b.scope is home.index.module_scope:
            scope = _scope_of(home.index, b.node)
            got = (home, b.node, scope) if scope is not None else None
        elif b.kind == "import" and b.module is not None and b.name is not None:
            there = _imported_home(home, b.module, b.name, depth + 1)
            got = _top_class(there, b.name) if there is not None else None
        if got is None:
            return False
        base_home, base_node, base_scope = got
        if base_node is node or base_node.decorators or base_node.keywords:
            return False
        code = base_home.module.code_for_node(base_node)
        if _stores(attr).search(code) or "setattr" in code or "__dict__" in code:
            return False
        if any(b.kind != "annotation" for b in base_scope.bindings.get(attr, [])):
            return False
        if not _bases_clear(base_home, base_node, attr, depth + 1):
            return False
    return True


def _bind(call: cst.Call, init: cst.FunctionDef) -> dict[int, cst.BaseExpression] | None:
    """id(Param) -> the expression the call passes for it; None when the call does not match
    `__init__` statically."""
    params = init.params
    positional = [*params.posonly_params, *params.params][1:]
    by_name = {p.name.value: p for p in (*params.params, *params.kwonly_params)
               if p is not _self_param(init)}
    out: dict[int, cst.BaseExpression] = {}
    i = 0
    for a in call.args:
        if a.star:
            return None
        if a.keyword is None:
            if i >= len(positional):
                if isinstance(params.star_arg, cst.Param):
                    continue
                return None
            param = positional[i]
            i += 1
        else:
            found = by_name.get(a.keyword.value)
            if found is None:
                if params.star_kwarg is not None:
                    continue
                return None
            param = found
        if id(param) in out:
            return None
        out[id(param)] = a.value
    return out


def _method(inner: Request) -> str:
    return f"{'beta.' if inner.beta else ''}messages.{inner.method}()"


def _self_param(init: cst.FunctionDef) -> cst.Param | None:
    first = [*init.params.posonly_params, *init.params.params]
    return first[0] if first else None


def _line(home: _Home, inner: Request) -> int:
    """The line of the request's call in its module (0 when not known)."""
    memo = home.index.memo
    positions = memo.get("constructors.positions")
    if not isinstance(positions, dict):
        from libcst.metadata import MetadataWrapper, PositionProvider

        wrapper = MetadataWrapper(home.module, unsafe_skip_copy=True)
        positions = memo["constructors.positions"] = dict(wrapper.resolve(PositionProvider))
    rng = positions.get(inner.call)
    return rng.start.line if rng is not None else 0


def _shown(sink: _Sink, linted: Path | None) -> str:
    """`file:line` of the request: the file relative to the linted module's folder, or just
    the line when it is in the linted module."""
    if sink.path is None or sink.path == linted:
        return f"line {sink.line}"
    if linted is None:
        return f"{sink.path.name}:{sink.line}"
    try:
        rel = os.path.relpath(sink.path, linted.parent)
    except ValueError:
        rel = sink.path.name
    return f"{Path(rel).as_posix()}:{sink.line}"
