"""Recognise Anthropic clients and the Messages requests made through them (SPEC §1)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import libcst as cst

from claudelint.analysis.batch_items import (
    BATCH_ITEM_TYPES,
    PARAMS_TYPES,
    appended,
    items_of,
    keyword,
    single_value,
    typed_call,
)
from claudelint.analysis.forwarding import forwarding_requests
from claudelint.analysis.provenance import _inputs
from claudelint.analysis.receivers import (  # noqa: F401  (re-exported)
    CLIENT_COPIES,
    NONE,
    OTHER,
    PREFIX_ATTRS,
    ClientTracer,
    Trace,
    _combine,
)
from claudelint.analysis.request import Arg, Env, Request, Site, WrapperCall
from claudelint.analysis.resolve import Resolver
from claudelint.analysis.values import DictV, Text, Unknown, Value
from claudelint.syntax.scopes import (
    REQUEST_METHODS,
    CallCandidate,
    ModuleIndex,
    NameCall,
    Scope,
)

# Test modules (pytest's default discovery and its conftest): a receiver claudelint cannot
# trace there is a fixture or a mock, not a client. (Other modules of a tests folder are not
# judged by their folder: which folder is "the project's" is not known from a path alone.)
_TEST_MODULE = re.compile(r"(?:\Atest_.*|.*_test|\Aconftest)\.pyi?\Z")


def _chain(func: cst.BaseExpression) -> tuple[cst.BaseExpression, list[str]]:
    """`client.beta.messages.with_raw_response.create` -> (client, [beta, messages,
    with_raw_response, create]); `self.api.with_options(...).messages.create` -> (self.api,
    [messages, create]). The base is what the first `beta`/`messages` is accessed on."""
    links: list[tuple[str, cst.BaseExpression]] = []
    node = func
    while True:
        if isinstance(node, cst.Attribute):
            links.append((node.attr.value, node.value))
            node = node.value
        elif (
            isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in CLIENT_COPIES
        ):
            node = node.func.value
        else:
            break
    links.reverse()
    names = [n for n, _ in links]
    for i, name in enumerate(names):
        if name == "messages" or (name == "beta" and "messages" in names[i + 1 :]):
            return links[i][1], names[i:]
    if links:
        return links[-1][1], names[-1:]
    return node, []


def _messages_path(attrs: list[str]) -> tuple[bool, bool] | None:
    """For attrs after the base: (is a Messages request path, beta)."""
    if not attrs or attrs[-1] not in REQUEST_METHODS:
        return None
    body = [a for a in attrs[:-1] if a not in PREFIX_ATTRS]
    if body == ["messages"]:
        return True, False
    if body in (["beta", "messages"], ["beta", "prompt_caching", "messages"]):
        return True, True
    return None


MESSAGES_SHAPE = ("model", "max_tokens", "messages")
# Calls of one wrapper analysed with their arguments bound; more are left to the wrapper's
# own Request.
MAX_WRAPPER_CALLERS = 64


class CallSiteFinder:
    """Turns candidate calls into Requests."""

    def __init__(self, index: ModuleIndex, module: cst.Module, resolver: Resolver,
                 client_factories: Sequence[str] = (), mentions_cache_control: bool = False,
                 is_known_model: object = None, source: str | None = None) -> None:
        self.source = source
        self.index = index
        self.module = module
        self.resolver = resolver
        self.tracer = ClientTracer(index, client_factories, source=resolver.project,
                                   path=resolver.path, deps=resolver.deps)
        self.mentions_cache_control = mentions_cache_control
        self._is_known_model = is_known_model

    def requests(self) -> list[Request]:
        out: list[Request] = []
        for cand in self.index.candidates:
            req = self._request(cand)
            if isinstance(req, list):
                out.extend(req)
            elif req is not None:
                out.append(req)
        return out

    def _batch(self, cand: CallCandidate, beta: bool, cls: str, traced: bool) -> list[Request]:
        """Each `params` of `messages.batches.create(requests=[...])` is a request."""
        requests_arg = next(
            (a.value for a in cand.call.args if a.keyword and a.keyword.value == "requests"),
            None,
        )
        if requests_arg is None:
            return []
        items: list[tuple[cst.BaseExpression, Scope]] = []
        expr = requests_arg
        if isinstance(expr, cst.Name):
            found = cand.scope.lookup(expr.value)
            assigns = [b for b in found[1] if b.kind == "assign"] if found else []
            if len(assigns) == 1 and assigns[0].value is not None:
                expr = assigns[0].value
                if isinstance(expr, cst.List) and found is not None:
                    # `requests = []` then `requests.append(item)` (in a loop): the items
                    # appended in the scope that binds the list.
                    items.extend(appended(expr, found[0], found[1], self.index))
        items.extend(items_of(expr, self.index, cand.scope))
        out: list[Request] = []
        for item_expr, item_scope in items:
            found_params = self._batch_params(item_expr, item_scope)
            if found_params is None:
                continue
            args, complete = found_params
            req = self._make(cand, "batch", beta, cls, traced, args, not complete,
                             item_scope, batch=True)
            if req is not None:
                out.append(req)
        return out

    def _batch_params(self, item_expr: cst.BaseExpression, scope: Scope
                      ) -> tuple[dict[str, Arg], bool] | None:
        """The `params` of one batch request item — a dict, or the SDK's typed constructors
        `Request(custom_id=..., params=MessageCreateParamsNonStreaming(...))` (TypedDicts:
        calling one builds a plain dict) — as arguments; with whether they are complete."""
        item_expr = single_value(item_expr, scope)
        params_expr: cst.BaseExpression | None = None
        if typed_call(item_expr, BATCH_ITEM_TYPES) is not None:
            assert isinstance(item_expr, cst.Call)
            params_expr = keyword(item_expr, "params")
            if params_expr is None:
                return None
            params_expr = single_value(params_expr, scope)
        if params_expr is not None and typed_call(params_expr, PARAMS_TYPES) is not None:
            assert isinstance(params_expr, cst.Call)
            args: dict[str, Arg] = {}
            complete = True
            for a in params_expr.args:
                if a.keyword is None:
                    complete = False
                    continue
                args[a.keyword.value] = Arg(
                    a.keyword.value, self.resolver.resolve(a.value, scope), a.value, True)
            return args, complete
        params: Value | None
        if params_expr is not None:
            params = self.resolver.resolve(params_expr, scope)
        else:
            item = self.resolver.resolve(item_expr, scope)
            params = item.get("params") if isinstance(item, DictV) else None
        if not isinstance(params, DictV):
            return None
        args = {}
        for key, v in params.items:
            el = params.key_nodes.get(key)
            node = _element_value(el) if el is not None else None
            args[key] = Arg(key, v, node if node is not None else item_expr, True)
        return args, params.complete

    def _request(self, cand: CallCandidate) -> Request | list[Request] | None:
        call = cand.call
        func = call.func
        scope = cand.scope
        if isinstance(func, cst.Name):
            t = self.tracer.trace(func, scope)
            if t.kind != "method":
                return None
            return self._build(cand, t.method, t.beta, t.cls, traced=True)
        base, attrs = _chain(func)
        if attrs[-3:] == ["messages", "batches", "create"] and attrs[:-3] in ([], ["beta"]):
            t = self.tracer.trace(base, scope)
            if t.kind in ("other", "messages"):
                return []
            return self._batch(cand, attrs[:-3] == ["beta"] or t.beta,
                               t.cls if t.kind == "client" else "untraced", t.kind == "client")
        path = _messages_path(attrs)
        if path is not None:
            _, beta = path
            t = self.tracer.trace(base, scope)
            if t.kind == "other":
                return None
            if t.kind == "client":
                return self._build(cand, attrs[-1], beta or t.beta, t.cls, traced=True)
            if t.kind == "messages":
                return None  # `resource.messages...` on a Messages resource: not a path
            return self._build(cand, attrs[-1], beta, "untraced", traced=False)
        # `m.create(...)` where m is a Messages resource; `m.with_raw_response.create(...)`
        body = [a for a in attrs[:-1] if a not in PREFIX_ATTRS]
        if not body:
            t = self.tracer.trace(base, scope)
            if t.kind == "messages":
                return self._build(cand, attrs[-1], t.beta, t.cls, traced=True)
        return None

    def _build(self, cand: CallCandidate, method: str, beta: bool, cls: str,
               traced: bool) -> Request | None:
        call = cand.call
        scope = cand.scope
        args: dict[str, Arg] = {}
        unknown_kwargs = False
        for a in call.args:
            if a.keyword is not None:
                value = self.resolver.resolve(a.value, scope)
                args[a.keyword.value] = Arg(a.keyword.value, value, a.value)
            elif a.star == "**":
                d = self.resolver.resolve(a.value, scope)
                if isinstance(d, DictV):
                    for key, v in d.items:
                        el = d.key_nodes.get(key)
                        node = _element_value(el) if el is not None else None
                        args[key] = Arg(key, v, node if node is not None else a.value, True,
                                        source=d.sources.get(key, ""),
                                        conditional=key in d.maybe)
                    if not d.complete:
                        unknown_kwargs = True
                else:
                    unknown_kwargs = True
            elif a.star == "*":
                unknown_kwargs = True
        return self._make(cand, method, beta, cls, traced, args, unknown_kwargs, scope)

    def _make(self, cand: CallCandidate, method: str, beta: bool, cls: str, traced: bool,
              args: dict[str, Arg], unknown_kwargs: bool, scope: Scope,
              batch: bool = False) -> Request | None:
        if not traced:
            # An untraced receiver counts only with the Messages shape and either an
            # `anthropic` import in the file or a Claude model ID.
            if not all(k in args for k in MESSAGES_SHAPE):
                return None
            model = args["model"].value
            is_claude = isinstance(model, Text) and (model.literal or "").startswith("claude")
            if not (self.index.imports_anthropic or is_claude):
                return None
            if isinstance(model, Text) and model.literal is not None and not is_claude:
                return None  # e.g. model="gpt-4o" on some other provider's client
            path = self.resolver.path
            if path is not None and _TEST_MODULE.match(path.name):
                return None  # a fixture or a mocked client in a test module
        fn = scope.function
        site = Site(
            scope_kind=fn.kind if fn is not None else scope.kind,
            function=fn.name if fn is not None else None,
            loops=cand.loops,
            is_async=bool(fn and fn.is_async),
            awaited=cand.awaited,
            batch=batch,
        )
        return Request(
            call=cand.call,
            statement=cand.statement,
            method=method,
            beta=beta,
            client=cls,
            args=args,
            unknown_kwargs=unknown_kwargs,
            site=site,
            file_mentions_cache_control=self.mentions_cache_control,
            env=Env(scope, self.index, self.resolver, self.module),
        )


    # --- wrapper functions ---------------------------------------------------------------

    def wrapper_requests(self, requests: Sequence[Request]) -> list[Request]:
        """For each wrapper function of this module — a plain function (not a method) making
        exactly one request, whose arguments are computed from the function's parameters —
        one Request per call of the function in this module (by its name, with plain
        positional and keyword arguments), resolved with the parameters bound to the
        caller's arguments and located at the caller (SPEC §2). Only one level: a wrapper of
        a wrapper is not followed; calls from other modules are analysis/bound_imports.py's."""
        out: list[Request] = forwarding_requests(self.index, self.resolver, requests,
                                                 self._make)
        forwarded = {id(r.via.inner) for r in out if r.via is not None}
        by_fn: dict[int, list[Request]] = {}
        for req in requests:
            fn = req.env.scope.function if req.env is not None else None
            if fn is None or fn.kind != "function" or fn.class_scope is not None \
                    or id(req) in forwarded:
                continue
            by_fn.setdefault(id(fn), []).append(req)
        for reqs in by_fn.values():
            if len(reqs) != 1 or reqs[0].site.batch:
                continue
            out.extend(self._wrapper_calls(reqs[0]))
        return out

    def _wrapper_calls(self, inner: Request) -> list[Request]:
        assert inner.env is not None
        fn_scope = inner.env.scope.function
        assert fn_scope is not None
        fn = fn_scope.node
        if not isinstance(fn, cst.FunctionDef) or fn_scope.parent is None:
            return []
        params = {
            p.name.value: p
            for p in (*fn.params.posonly_params, *fn.params.params, *fn.params.kwonly_params)
        }
        if not params or not self._uses_params(inner, fn_scope, set(params)):
            return []
        name = fn.name.value
        calls: list[NameCall] = []
        for nc in self.index.name_calls.get(name, []):
            if self.resolver.inside(fn, nc.call):
                continue  # recursion
            found = nc.scope.lookup(name)
            if found is None or not any(b.kind == "def" and b.node is fn for b in found[1]):
                continue
            if len(found[1]) != 1:
                continue  # the name is rebound: which function a call reaches is unclear
            calls.append(nc)
        if not calls:
            return []
        cand = next((c for c in self.index.candidates if c.call is inner.call), None)
        if cand is None:
            return []
        bound_calls: list[tuple[NameCall, dict[int, Value], dict[str, cst.BaseExpression]]] = []
        for nc in calls[:MAX_WRAPPER_CALLERS]:
            bound = self._bind_arguments(nc, fn)
            if bound is not None:
                bound_calls.append((nc, *bound))
        uses = len(re.findall(rf"(?<![\w.]){re.escape(name)}\b", self.source or ""))
        complete = len(bound_calls) == len(calls) and uses == len(calls) + 1
        out: list[Request] = []
        for nc, values, passed in bound_calls:
            req = self._for_caller(inner, cand, fn, fn_scope, nc, values, passed)
            if req is not None:
                out.append(req)
        via_complete = complete and len(out) == len(bound_calls)
        for req in out:
            req.via = WrapperCall(inner, fn, len(out), via_complete)
        return out

    def _uses_params(self, inner: Request, fn_scope: Scope, params: set[str]) -> bool:
        """Whether the request's arguments read a parameter of the function, directly or
        through locals of the function."""
        seen: set[str] = set()
        stack: list[cst.CSTNode] = [a.value for a in inner.call.args]
        while stack:
            for node in _inputs(stack.pop()):
                if not isinstance(node, cst.Name) or node.value in seen:
                    continue
                seen.add(node.value)
                bindings = fn_scope.bindings.get(node.value)
                if bindings is None:
                    continue
                if node.value in params:
                    return True
                stack.extend(b.value for b in bindings if b.value is not None)
        return False

    def _bind_arguments(self, nc: NameCall, fn: cst.FunctionDef
                        ) -> tuple[dict[int, Value], dict[str, cst.BaseExpression]] | None:
        return bind_arguments(self.resolver, nc, fn)

    def _for_caller(self, inner: Request, cand: CallCandidate, fn: cst.FunctionDef,
                    fn_scope: Scope, nc: NameCall, values: dict[int, Value],
                    passed: dict[str, cst.BaseExpression],
                    caller: Env | None = None) -> Request | None:
        """The wrapper's request resolved with its parameters bound to `values`, located at
        the call `nc`; `caller`: the calling module's scope, index, resolver and module when
        it is another module (analysis/bound_imports.py), else this one."""
        resolver = Resolver(self.index, self.module, path=self.resolver.path,
                            project=self.resolver.project)
        resolver.deps = caller.resolver.deps if caller is not None else self.resolver.deps
        resolver.bound_params = values
        saved = self.resolver
        self.resolver = resolver
        try:
            built = self._request(cand)
        finally:
            self.resolver = saved
        if not isinstance(built, Request):
            return None
        args: dict[str, Arg] = {}
        for key, arg in built.args.items():
            node = arg.node
            if not arg.via_kwargs and isinstance(node, cst.Name):
                found = fn_scope.bindings.get(node.value)
                if found and len(found) == 1 and found[0].kind == "param":
                    param = found[0].node
                    assert isinstance(param, cst.Param)
                    if node.value in passed:
                        node = passed[node.value]  # what the caller passes: findings go there
                    elif param.default is not None:
                        node = param.default  # the wrapper's own default
            args[key] = arg if node is arg.node else dataclasses.replace(
                arg, node=node, keyword_node=arg.node)
        caller_fn = nc.scope.function
        site = Site(
            scope_kind=caller_fn.kind if caller_fn is not None else nc.scope.kind,
            function=caller_fn.name if caller_fn is not None else None,
            loops=nc.loops,
            is_async=bool(caller_fn and caller_fn.is_async),
            awaited=nc.awaited,
            cell=built.site.cell if caller is None else None,
        )
        env = Env(nc.scope, self.index, resolver, self.module) if caller is None else caller
        return dataclasses.replace(
            built, call=nc.call, statement=nc.statement, args=args, site=site, env=env,
            _memo={},
        )


def bind_arguments(resolver: Resolver, nc: NameCall, fn: cst.FunctionDef,
                   star_kwargs: bool = False
                   ) -> tuple[dict[int, Value], dict[str, cst.BaseExpression]] | None:
    """The caller's argument values by parameter (id of its `Param`), and the argument
    expressions by parameter name; None when the call cannot be matched statically. With
    `star_kwargs`, the keywords no parameter names are bound to the function's `**kwargs`
    as a dict (for a function that sends that dict whole and does nothing else with it)."""
    positional = [*fn.params.posonly_params, *fn.params.params]
    by_keyword = {p.name.value: p for p in (*fn.params.params, *fn.params.kwonly_params)}
    values: dict[int, Value] = {}
    passed: dict[str, cst.BaseExpression] = {}
    extra: list[tuple[str, Value]] = []
    extra_nodes: dict[str, cst.Arg] = {}
    i = 0
    for a in nc.call.args:
        if a.star:
            return None
        if a.keyword is None:
            if i >= len(positional):
                if isinstance(fn.params.star_arg, cst.Param):
                    continue
                return None
            param = positional[i]
            i += 1
        else:
            found = by_keyword.get(a.keyword.value)
            if found is None:
                if fn.params.star_kwarg is not None:
                    if star_kwargs:
                        extra.append((a.keyword.value, resolver.resolve(a.value, nc.scope)))
                        extra_nodes[a.keyword.value] = a
                    continue
                return None
            param = found
        values[id(param)] = resolver.resolve(a.value, nc.scope)
        passed[param.name.value] = a.value
    star = fn.params.star_kwarg
    if star_kwargs and isinstance(star, cst.Param):
        values[id(star)] = DictV(tuple(extra), None, True, key_nodes=dict(extra_nodes))
    return values, passed


def _element_value(el: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(el, (cst.DictElement, cst.Arg)):
        return el.value
    return None


__all__ = ["CallSiteFinder", "ClientTracer", "Trace", "Unknown"]
