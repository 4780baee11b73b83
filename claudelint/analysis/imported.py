"""Requests made by a function of another module of the project, called here in a loop.

`from pkg.llm import ask` ... `for doc in docs: ask(doc)`: the request is made in `pkg/llm.py`,
but the loop that repeats it is here, where neither the other module's analysis nor the local
wrapper machinery (callsites.py, one module) sees it. For each call of such a name inside a
loop of its own function, when the imported function (a plain top-level function) makes
exactly one request, this builds a Request located at the call: the imported function's own
Request (its arguments as resolved there: the caller's arguments are not bound), with this
module's scope, loops and resolver, and `via` naming the function.

Only rules that ask for these (`Rule.imported_wrappers`) check them: the values come from the
other module without the caller's arguments, so a finding about them belongs to that module's
own report; a finding about the repetition of the whole call belongs here. (The Requests with
the caller's arguments bound, analysis/bound_imports.py, are for the other rules: a call in a
loop gets both, and each rule checks one of them.) The other module's
file (and the files looked for before it) go into this module's `deps`, so the results cache
drops the finding when that module changes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.project import ModuleCtx, Project
from claudelint.analysis.request import Env, Request, Site, WrapperCall

if TYPE_CHECKING:
    from claudelint.analysis.resolve import Resolver
    from claudelint.syntax.scopes import CallCandidate, ModuleIndex, NameCall

# Calls of imported functions followed per module (the rest stay unseen).
MAX_IMPORTED_CALLS = 64
_TOP = re.compile(rb"^(?:async[ \t]+)?def[ \t]+(\w+)|^(?:class|@)", re.M)


def _may_request(raw: bytes, name: str) -> bool:
    """Whether the text of the top-level function `name` (up to the next top-level statement
    that defines something) mentions `.messages` once: only then is the module parsed."""
    marks = list(_TOP.finditer(raw))
    for i, m in enumerate(marks):
        if m.group(1) == name.encode():
            end = marks[i + 1].start() if i + 1 < len(marks) else len(raw)
            return raw.count(b".messages", m.end(), end) == 1
    return False


def imported_requests(index: ModuleIndex, module: cst.Module, resolver: Resolver,
                      client_factories: Sequence[str] = ()) -> list[Request]:
    """One Request per call, inside a loop, of a function imported from another module of
    the project that makes exactly one request (see the module's docstring)."""
    project = resolver.project
    path = resolver.path
    if project is None or path is None:
        return []
    out: list[Request] = []
    seen = 0
    for name, calls in index.name_calls.items():
        for nc in calls:
            if not nc.loops:
                continue
            found = nc.scope.lookup(name)
            if found is None or len(found[1]) != 1:
                continue
            b = found[1][0]
            if b.kind != "import" or not b.module or not b.name or "." in b.name:
                continue
            seen += 1
            if seen > MAX_IMPORTED_CALLS:
                return out
            if isinstance(project, Project):
                raw = project.module_bytes(path, b.module)
                if raw is not None and not _may_request(raw, b.name):
                    # Not parsed; the module is still a dependency (it may gain a request).
                    project.import_module(path, b.module, "\0", resolver.deps)
                    continue
            ctx = project.import_module(path, b.module, f"def {b.name}", resolver.deps)
            if not isinstance(ctx, ModuleCtx):
                continue
            inner = _inner_request(ctx, b.name, client_factories)
            resolver.deps.update(ctx.deps)
            if inner is None:
                continue
            out.append(_at_caller(inner, nc, index, module, resolver, b.module))
    return out


def _inner_request(ctx: ModuleCtx, name: str,
                   client_factories: Sequence[str]) -> Request | None:
    """The one Request made by the top-level plain function `name` of the module, computed
    once per module and run."""
    memo = ctx.index.memo.setdefault("imported.requests", {})
    assert isinstance(memo, dict)
    if name in memo:
        got = memo[name]
        return got if isinstance(got, Request) else None
    memo[name] = None
    top = top_function(ctx, name)
    if top is None:
        return None
    fn, inside = top
    if len(inside) != 1 or inside[0].scope.node is not fn:
        return None
    all_requests = ctx.index.memo.get("imported.all")
    if all_requests is None:
        from claudelint.analysis.callsites import CallSiteFinder

        finder = CallSiteFinder(ctx.index, ctx.module, ctx.resolver, client_factories)
        all_requests = ctx.index.memo["imported.all"] = finder.requests()
    assert isinstance(all_requests, list)
    made = [r for r in all_requests if isinstance(r, Request) and r.call is inside[0].call]
    if len(made) != 1 or made[0].site.batch or made[0].method == "batch":
        return None
    one: Request = made[0]
    memo[name] = one
    return one


def top_function(ctx: ModuleCtx, name: str
                 ) -> tuple[cst.FunctionDef, list[CallCandidate]] | None:
    """The module's top-level function `name` (bound once, by its `def`), with the call
    candidates inside it (nested functions included); None for anything else."""
    bindings = ctx.index.module_scope.bindings.get(name, [])
    if len(bindings) != 1 or bindings[0].kind != "def" or \
            not isinstance(bindings[0].node, cst.FunctionDef):
        return None
    fn = bindings[0].node
    return fn, [c for c in ctx.index.candidates if _within(c.scope, fn)]


def _within(scope: object, fn: cst.FunctionDef) -> bool:
    s = scope
    while s is not None:
        if getattr(s, "node", None) is fn:
            return True
        s = getattr(s, "parent", None)
    return False


def _at_caller(inner: Request, nc: NameCall, index: ModuleIndex, module: cst.Module,
               resolver: Resolver, imported_from: str) -> Request:
    assert inner.env is not None
    fn = inner.env.scope.node
    assert isinstance(fn, cst.FunctionDef)
    caller_fn = nc.scope.function
    site = Site(
        scope_kind=caller_fn.kind if caller_fn is not None else nc.scope.kind,
        function=caller_fn.name if caller_fn is not None else None,
        loops=nc.loops,
        is_async=bool(caller_fn and caller_fn.is_async),
        awaited=nc.awaited,
    )
    req = dataclasses.replace(inner, call=nc.call, statement=nc.statement, site=site,
                              env=Env(nc.scope, index, resolver, module), _memo={})
    req.via = WrapperCall(inner, fn, 1, False)
    req.imported_from = imported_from
    return req
