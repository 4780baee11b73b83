"""Requests made through a wrapper that forwards its `**kwargs` to the request.

`def ask(self, **kwargs): return self.client.messages.create(**kwargs)` sends what its
caller passes: each call `self.ask(model=..., **params)` (a method of the same class called
on `self`) or `ask(...)` (a module-level function called by its name) is a request whose
arguments are the caller's keywords, resolved where the caller is, plus the keywords the
wrapper's own call writes. The wrapper has no decorator but retry decorators. Only a
wrapper that does nothing else with its `**kwargs` (no other use of the name in the
function: a `kwargs.pop("temperature")` changes what is sent) qualifies, and only calls
that match it statically (no `*args` at the call).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import libcst as cst

from claudelint.analysis.request import Arg, Request, WrapperCall
from claudelint.analysis.resolve import Resolver
from claudelint.analysis.values import DictV
from claudelint.syntax.scopes import CallCandidate, ModuleIndex, NameCall, Scope, dotted_name

# At most this many calls of one forwarding wrapper get a Request.
MAX_FORWARD_CALLERS = 64

Make = Callable[[CallCandidate, str, bool, str, bool, dict[str, Arg], bool, Scope],
                "Request | None"]


def _element_value(el: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(el, (cst.DictElement, cst.Arg)):
        return el.value
    return None


def _forwarded(inner: Request, fn: cst.FunctionDef) -> str | None:
    """The name of `fn`'s `**kwargs` when the request forwards it whole and the function
    uses it nowhere else; None otherwise."""
    return kwargs_sent_whole(fn, [inner.call])


def kwargs_sent_whole(fn: cst.FunctionDef, calls: Sequence[cst.Call]) -> str | None:
    """The name of `fn`'s `**kwargs` when every one of `calls` sends it whole
    (`create(**kwargs)`, no `*args` beside it) and the function uses the name nowhere else
    (no `pop`, no item set); None otherwise."""
    star = fn.params.star_kwarg
    if not isinstance(star, cst.Param):
        return None
    name = star.name.value
    for call in calls:
        spread = [a for a in call.args if a.star == "**"]
        if len(spread) != 1 or not isinstance(spread[0].value, cst.Name) \
                or spread[0].value.value != name or any(a.star == "*" for a in call.args):
            return None
    uses = 0
    stack: list[cst.CSTNode] = [fn.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name) and node.value == name:
            uses += 1
        stack.extend(node.children)
    return name if uses == len(calls) else None


def _plain_decorators(fn: cst.FunctionDef) -> bool:
    """Whether `fn`'s decorators leave its arguments alone: none, or retry decorators
    (`@retry(...)`, `@backoff.on_exception(...)`, `@retry_with_backoff(...)`), which call the
    function again with the same arguments."""
    for d in fn.decorators:
        node = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
        name = (dotted_name(node) or "").lower()
        if not name or not re.search(r"retry|backoff", name):
            return False
    return True


def _callers(index: ModuleIndex, fn: cst.FunctionDef, fn_scope: Scope) -> list[NameCall] | None:
    name = fn.name.value
    out: list[NameCall] = []
    owner = fn_scope.class_scope
    if owner is not None:
        # A method: `self.name(...)` in a method of the same class.
        if not _plain_decorators(fn):
            return None
        for nc in index.attr_calls.get(name, []):
            caller = nc.scope.function
            func = nc.call.func
            assert isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
            if caller is None or caller.class_scope is not owner \
                    or func.value.value != caller.self_name or caller.node is fn:
                continue
            out.append(nc)
        return out
    if not _plain_decorators(fn):
        return None
    for nc in index.name_calls.get(name, []):
        found = nc.scope.lookup(name)
        if found is None or len(found[1]) != 1 or found[1][0].node is not fn:
            continue
        if nc.scope.function is not None and nc.scope.function.node is fn:
            continue  # recursion
        out.append(nc)
    return out


def forwarding_requests(index: ModuleIndex, resolver: Resolver, requests: Sequence[Request],
                        make: Make) -> list[Request]:
    """One Request per call of each forwarding wrapper of the module (see the module
    docstring), with `via` set (`WrapperCall.forwards`)."""
    by_fn: dict[int, list[Request]] = {}
    for req in requests:
        fn = req.env.scope.function if req.env is not None else None
        if fn is None or fn.kind != "function":
            continue
        by_fn.setdefault(id(fn), []).append(req)
    out: list[Request] = []
    for reqs in by_fn.values():
        if len(reqs) != 1 or reqs[0].site.batch:
            continue
        out.extend(_for_wrapper(index, resolver, reqs[0], make))
    return out


def _for_wrapper(index: ModuleIndex, resolver: Resolver, inner: Request,
                 make: Make) -> list[Request]:
    assert inner.env is not None
    fn_scope = inner.env.scope.function
    assert fn_scope is not None
    fn = fn_scope.node
    if not isinstance(fn, cst.FunctionDef) or _forwarded(inner, fn) is None:
        return []
    calls = _callers(index, fn, fn_scope)
    if not calls:
        return []
    method = fn_scope.class_scope is not None
    params = [*fn.params.posonly_params, *fn.params.params]
    if method:
        params = params[1:]
    named = {p.name.value for p in (*params, *fn.params.kwonly_params)}
    made: list[Request] = []
    for nc in calls[:MAX_FORWARD_CALLERS]:
        args: dict[str, Arg] = {}
        unknown = False
        positional = 0
        ok = True
        for a in nc.call.args:
            if a.star == "*":
                ok = False
                break
            if a.star == "**":
                d = resolver.resolve(a.value, nc.scope)
                if isinstance(d, DictV):
                    for key, v in d.items:
                        if key in named:
                            continue
                        el = d.key_nodes.get(key)
                        node = _element_value(el) if el is not None else None
                        args[key] = Arg(key, v, node if node is not None else a.value, True,
                                        source=d.sources.get(key, ""),
                                        conditional=key in d.maybe)
                    unknown = unknown or not d.complete
                else:
                    unknown = True
            elif a.keyword is None:
                positional += 1
            elif a.keyword.value not in named:
                args[a.keyword.value] = Arg(a.keyword.value,
                                            resolver.resolve(a.value, nc.scope), a.value)
        if not ok or positional > len(params):
            continue
        for key, arg in inner.args.items():
            if not arg.via_kwargs:
                args[key] = arg  # written in the wrapper's own call
        cand = CallCandidate(nc.call, nc.scope, nc.loops, nc.statement, nc.awaited)
        req = make(cand, inner.method, inner.beta, inner.client, inner.client != "untraced",
                   args, unknown, nc.scope)
        if req is not None:
            made.append(req)
    for req in made:
        req.via = WrapperCall(inner, fn, len(made), False, forwards=True)
    return made
