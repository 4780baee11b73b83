"""Requests made by a function of another module of the project, with the caller's
arguments bound to its parameters.

`from pkg.llm import send` ... `send(config, log)` where `pkg/llm.py` does
`client.messages.create(**config)`: the request is made in `pkg/llm.py`, where `config` is a
parameter (not known), and its arguments are chosen here. For each call of such a name (a
plain top-level function of a project module, imported by name and not rebound here, called
with plain positional and keyword arguments), this builds the Request(s) the function makes,
resolved in that module with its parameters bound to this call's arguments (callsites.py's
`_for_caller`, the machinery of same-module wrappers), located at the call, with `via` set and
`Request.imported_from` naming the module. The engine reports what rules find on them under
the wrappers' policy (`Linter._with_wrapper_calls`): a finding in the caller's statement is
reported there; one about a node of the other module at the call, without a fix, unless the
function's own Request (unbound) already gives it, as that module's own report does.

The function qualifies when its request(s) read one of its parameters, it has no decorator
but retry decorators, every request sits directly in it (not in a nested function), none is
a Message Batch, and, when it makes several (`if cache: beta...create(**config) else:
create(**config)`), they all pass the same arguments (the engine then keeps only what every
one of them gives). A `**kwargs` it sends whole and does nothing else with is bound to the
caller's extra keywords; any other use of it (`kwargs.pop("temperature")`) leaves it unknown.

Files read (the other module and the files looked for before it) go into this module's
`deps`, so the results cache re-checks this file when that module changes. The other module
is parsed only when the function's text mentions `.messages` (`_requests_in`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.callsites import CallSiteFinder, bind_arguments
from claudelint.analysis.forwarding import _plain_decorators, kwargs_sent_whole
from claudelint.analysis.imported import top_function
from claudelint.analysis.project import ModuleCtx, Project
from claudelint.analysis.request import Env, Request, WrapperCall
from claudelint.analysis.resolve import Resolver

if TYPE_CHECKING:
    from claudelint.syntax.scopes import ModuleIndex, NameCall

# Calls of imported functions bound per module (the rest stay unseen).
MAX_BOUND_CALLS = 64
# A function making more requests than this is left alone.
MAX_REQUESTS = 4
_TOP = re.compile(rb"^(?:async[ \t]+)?def[ \t]+(\w+)|^(?:class|@)", re.M)


@functools.lru_cache(maxsize=256)
def _requests_in(raw: bytes, name: str) -> int:
    """How many times the text of the top-level function `name` mentions `.messages`."""
    marks = list(_TOP.finditer(raw))
    for i, m in enumerate(marks):
        if m.group(1) == name.encode():
            end = marks[i + 1].start() if i + 1 < len(marks) else len(raw)
            return raw.count(b".messages", m.end(), end)
    return 0


def bound_imported_requests(index: ModuleIndex, module: cst.Module, resolver: Resolver,
                            client_factories: Sequence[str] = ()) -> list[Request]:
    """The Requests made through calls of functions imported from other modules of the
    project, with the arguments bound (see the module's docstring)."""
    project = resolver.project
    path = resolver.path
    if project is None or path is None or not isinstance(project, Project):
        return []
    out: list[Request] = []
    seen = 0
    recorded: set[str] = set()  # modules already recorded as dependencies without a parse
    for name, calls in index.name_calls.items():
        for nc in calls:
            if not nc.call.args:
                continue  # nothing bound: the function's own Request says it all
            found = nc.scope.lookup(name)
            if found is None or len(found[1]) != 1:
                continue
            b = found[1][0]
            if b.kind != "import" or not b.module or not b.name or "." in b.name:
                continue
            raw = project.module_bytes(path, b.module)
            if raw is None or project.module_path(path, b.module) == path:
                continue  # not a module of the project, or this one
            count = _requests_in(raw, b.name)
            if not 1 <= count <= MAX_REQUESTS:
                # Not parsed; the module is still a dependency (it may gain a request).
                if b.module not in recorded:
                    recorded.add(b.module)
                    project.import_module(path, b.module, "\0", resolver.deps)
                continue
            seen += 1
            if seen > MAX_BOUND_CALLS:
                return out
            ctx = project.import_module(path, b.module, f"def {b.name}", resolver.deps)
            if not isinstance(ctx, ModuleCtx):
                continue
            got = _function(ctx, b.name, client_factories, b"cache_control" in raw)
            resolver.deps.update(ctx.deps)
            if got is None:
                continue
            finder, fn, inners, star_kwargs = got
            out.extend(_at_call(finder, fn, inners, star_kwargs, nc,
                                Env(nc.scope, index, resolver, module), b.module))
            resolver.deps.update(ctx.deps)
    return out


_Found = tuple[CallSiteFinder, cst.FunctionDef, list[Request], bool]


def _function(ctx: ModuleCtx, name: str, client_factories: Sequence[str],
              mentions_cache_control: bool) -> _Found | None:
    """The top-level function `name` of the module, with its requests, when it qualifies
    (computed once per module and run)."""
    memo = ctx.index.memo.setdefault("bound_imports.functions", {})
    assert isinstance(memo, dict)
    if name in memo:
        got = memo[name]
        return got if isinstance(got, tuple) else None
    memo[name] = None
    top = top_function(ctx, name)
    if top is None:
        return None
    fn, inside = top
    if not _plain_decorators(fn):
        return None
    if not inside or len(inside) > MAX_REQUESTS or any(c.scope.node is not fn for c in inside):
        return None
    finder = _finder(ctx, client_factories, mentions_cache_control)
    all_requests = ctx.index.memo.get("imported.all")
    if all_requests is None:
        all_requests = ctx.index.memo["imported.all"] = finder.requests()
    assert isinstance(all_requests, list)
    calls = {id(c.call) for c in inside}
    made = [r for r in all_requests if isinstance(r, Request) and id(r.call) in calls]
    if len(made) != len(inside) or any(r.site.batch or r.method == "batch" for r in made):
        return None
    if len({_args_code(ctx.module, r.call) for r in made}) != 1:
        return None  # the requests differ: which one a call makes is not known
    fn_scope = made[0].env.scope.function if made[0].env is not None else None
    params = {p.name.value for p in (*fn.params.posonly_params, *fn.params.params,
                                     *fn.params.kwonly_params)}
    star_kwargs = kwargs_sent_whole(fn, [r.call for r in made]) is not None
    if star_kwargs and isinstance(fn.params.star_kwarg, cst.Param):
        params.add(fn.params.star_kwarg.name.value)
    if fn_scope is None or not params or not finder._uses_params(made[0], fn_scope, params):
        return None
    found: _Found = (finder, fn, made, star_kwargs)
    memo[name] = found
    return found


def _finder(ctx: ModuleCtx, client_factories: Sequence[str],
            mentions_cache_control: bool) -> CallSiteFinder:
    got = ctx.index.memo.get("bound_imports.finder")
    if not isinstance(got, CallSiteFinder):
        got = ctx.index.memo["bound_imports.finder"] = CallSiteFinder(
            ctx.index, ctx.module, ctx.resolver, client_factories,
            mentions_cache_control=mentions_cache_control)
    return got


def _args_code(module: cst.Module, call: cst.Call) -> tuple[tuple[str, str, str], ...]:
    return tuple((a.keyword.value if a.keyword is not None else "", str(a.star),
                  module.code_for_node(a.value)) for a in call.args)


def _at_call(finder: CallSiteFinder, fn: cst.FunctionDef, inners: list[Request],
             star_kwargs: bool, nc: NameCall, caller: Env, imported_from: str) -> list[Request]:
    # The caller's arguments as they are when the call starts: a local dict passed to this
    # call only is known (the function's own changes to it are its own resolver's business).
    own = caller.resolver
    resolver = Resolver(caller.index, caller.module, path=own.path, project=own.project)
    resolver.deps = own.deps
    resolver.passed_to = nc.call
    bound = bind_arguments(resolver, nc, fn, star_kwargs=star_kwargs)
    if bound is None:
        return []
    values, passed = bound
    out: list[Request] = []
    for inner in inners:
        assert inner.env is not None
        fn_scope = inner.env.scope.function
        cand = next((c for c in finder.index.candidates if c.call is inner.call), None)
        if fn_scope is None or cand is None:
            return []
        req = finder._for_caller(inner, cand, fn, fn_scope, nc, values, passed, caller)
        if req is None:
            return []  # all of them or none: the engine keeps what every one gives
        req.via = WrapperCall(inner, fn, len(inners), False)
        req.imported_from = imported_from
        # File-wide hints (a breakpoint written somewhere) hold in either file.
        req.file_mentions_cache_control = inner.file_mentions_cache_control or \
            "cache_control" in (caller.index.text or caller.module.code)
        out.append(req)
    return out
