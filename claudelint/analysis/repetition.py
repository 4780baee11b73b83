"""CL401's question: is a request made once per item of a collection, each request
independent of the previous responses?

That is a `for` loop, a `while queue: x = queue.pop()` loop, a comprehension,
`asyncio.gather(*[...])`, or an executor `map` / `submit` — around the call itself, or around the
calls of the local function that makes the request. Retry loops are looked through (the loop
around them counts); chat and agent loops (a response reaches the next request, or decides
whether it is made), interactive loops, web handlers and streaming generators stop the search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.callers import alias_calls
from claudelint.analysis.facts import (
    _COMPS,
    SMALL_LOOP,
    Facts,
    _chain,
    _facts,
    _func_name,
    _is_call_of,
    _positional,
    _repeating_loops,
    _small,
    _target_chains,
)
from claudelint.analysis.taint import Taint, _refs
from claudelint.syntax.scopes import Scope, dotted_name

if TYPE_CHECKING:
    from claudelint.analysis.request import Env, Request


@dataclass(frozen=True, eq=False)
class Repetition:
    """A request made once per item of a collection, no response feeding the next request.

    `kind`: "for", "while" (`while queue: item = queue.pop()`), "comprehension", "gather"
    (`asyncio.gather(*[... for ...])`) or "map" (an executor / pool / builtin `map`).
    `items` is the collection as written (`essays`, `rows[1:]`), `targets` the loop's target
    names (empty when the code names none), `node` the loop or fan-out call, and `via` the local
    function called per item when the request is made inside it, `through` the functions
    between it and the loop (the loop one or two calls up), `place` where the loop is when it is
    in another function ("`run()` (line 12)", "the module's top level")."""

    kind: str
    items: str
    targets: tuple[str, ...]
    node: cst.CSTNode
    via: str | None = None
    through: tuple[str, ...] = ()
    place: str | None = None
    # The loop calls the last function of the chain through a name bound to it (`call_api =
    # call_v2 if new else call_v1`): "`call_api` (line 12)", where the name is bound.
    alias: str | None = None



# --------------------------------------------------------------------------- vocabulary

_MAP_CALLS = frozenset({"map", "imap", "imap_unordered", "starmap", "thread_map",
                        "process_map", "map_async", "starmap_async"})
_SUBMIT_CALLS = frozenset({"submit", "run_in_executor", "to_thread", "apply_async", "spawn",
                           "start_soon", "create_task", "ensure_future"})
_ROUTE_ATTRS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "route",
                          "api_route", "websocket", "websocket_route", "on_message", "message",
                          "event", "on"})
_RETRY_TARGET = re.compile(r"^(_+|attempts?\w*|retr\w*|tries|n_?tries|try_?\w*|tr)$", re.I)
_RETRY_ITER = re.compile(r"retr|attempt|stamina|backoff|tenacity", re.I)
# Iterables that are streams or endless, not collections.
_STREAM_ITER = re.compile(
    r"stdin|\binput\b|\.listen\(|\.consume|consumer|\.poll\(|subscribe|websocket|socket|"
    r"\bcount\(|\bcycle\(|\bqueue\.get|\.receive|\.recv|\.watch\(", re.I)
# Calls that wait for a person (interactive or serving loops).
_INTERACTIVE_CALLS = frozenset({"input", "chat_input", "text_input", "prompt", "ask",
                                "getpass", "recv", "receive", "receive_text", "receive_json",
                                "receive_bytes", "get_message", "iter_text"})
# A collection written out in the code with at most this many items is a handful of examples
# (a demo, a notebook, a smoke test), not a data set worth a batch job.
SMALL_LITERAL = 10


# --------------------------------------------------------------------------- loops


def _literal_items(facts: Facts, expr: cst.BaseExpression,
                   seen: frozenset[str] = frozenset()) -> int | None:
    """The number of items of a collection written out in the code: an inline list, tuple
    or set literal, or a name whose every binding in reach is one (the largest counts), or
    one item per item of such a collection (`[f(x) for x in xs if ...]`, `map(f, xs)`,
    `executor.map(f, xs)`: at most as many)."""
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and \
            expr.func.value in ("enumerate", "list", "tuple", "sorted", "reversed") and expr.args:
        expr = expr.args[0].value
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)) and \
            expr.for_in.inner_for_in is None:
        return _literal_items(facts, expr.for_in.iter, seen)
    if isinstance(expr, cst.Call) and _func_name(expr) in ("map", *_MAP_CALLS):
        pos = _positional(expr)
        return _literal_items(facts, pos[1], seen) if len(pos) >= 2 else None
    if isinstance(expr, cst.Name):
        if expr.value in seen:
            return 0  # `xs = [x for x in xs if ...]`: no more than its other bindings
        if expr.value in facts.growth:
            return None  # appended to or extended somewhere: more than its literal
        found = facts.scope_at(expr).lookup(expr.value)
        if found is None or not found[1]:
            return None
        sizes: list[int] = []
        for b in found[1]:
            if b.kind != "assign" or b.value is None or isinstance(b.value, cst.Name):
                return None
            n = _literal_items(facts, b.value, seen | {expr.value})
            if n is None:
                return None
            sizes.append(n)
        return max(sizes)
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        if any(isinstance(e, cst.StarredElement) for e in expr.elements):
            return None
        return len(expr.elements)
    return None


def _few(facts: Facts, expr: cst.BaseExpression) -> str | None:
    """Why a loop over `expr` is too small to batch: a `range` of at most SMALL_LOOP, or a
    handful of items written out in the code (examples in a demo or a notebook, not data)."""
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and \
            expr.func.value == "zip" and expr.args:
        # `zip(outputs, examples)`: no more items than its smallest known argument.
        sizes = [_small(a.value) or _literal_items(facts, a.value) for a in expr.args]
        known = [n for n in sizes if n is not None]
        if known and min(known) <= SMALL_LITERAL:
            return f"only {min(known)} items, written out in the code"
        return None
    n = _small(expr)
    if n is not None and n <= SMALL_LOOP:
        return f"only {n} items"
    m = _literal_items(facts, expr)
    if m is not None and m <= SMALL_LITERAL:
        return f"only {m} items, written out in the code"
    return None


def _interactive(facts: Facts, body: cst.CSTNode) -> bool:
    for n in facts.nodes(body):
        if isinstance(n, cst.Call) and _func_name(n) in _INTERACTIVE_CALLS and (
                _func_name(n) != "input" or isinstance(n.func, cst.Name)):
            return True
        if isinstance(n, cst.Attribute) and n.attr.value == "stdin":
            return True
    return False


def _exits(facts: Facts, loop: cst.CSTNode) -> list[cst.CSTNode]:
    """`break` statements of this loop and `return` statements inside it."""
    assert isinstance(loop, (cst.For, cst.While))
    out: list[cst.CSTNode] = []
    for n in facts.nodes(loop.body):
        if isinstance(n, cst.Return):
            out.append(n)
        elif isinstance(n, cst.Break):
            owner = next((a for a in facts.ancestors(n) if isinstance(a, (cst.For, cst.While))),
                         None)
            if owner is loop:
                out.append(n)
    return out


def _exit_on_response(facts: Facts, taint: Taint, exit_node: cst.CSTNode) -> bool:
    """The exit is taken because of the response (or unconditionally, after one request)."""
    if isinstance(exit_node, cst.Return) and taint.depends(exit_node.value):
        return True
    conditional = False
    in_handler = False
    for a in facts.ancestors(exit_node):
        if a is taint.loop:
            break
        if isinstance(a, (cst.If, cst.While)):
            conditional = True
            if taint.depends(a.test):
                return True
        if isinstance(a, cst.Try) and id(a) in taint.call_path and not in_handler:
            return True  # success path of a try around the request
        if isinstance(a, cst.ExceptHandler):
            conditional = in_handler = True
    return not conditional


# A running total of what the requests cost: `total_cost += cost`, `spent += usage`.
_SPEND = re.compile(r"(cost|spent|spend|budget|price|usd|dollars|tokens)", re.I)


def _spending_cap(facts: Facts, taint: Taint, exit_node: cst.CSTNode) -> bool:
    """A `break` taken when a running total of spending reaches a limit
    (`total_cost += cost` ... `if total_cost >= max_cost: break`): a cap on the job's cost,
    not a response deciding the next request; the items stay independent."""
    if not isinstance(exit_node, cst.Break):
        return False
    tests = [a for a in facts.ancestors(exit_node) if isinstance(a, cst.If)]
    owner = next(a for a in facts.ancestors(exit_node) if a is taint.loop or
                 isinstance(a, (cst.For, cst.While)))
    if owner is not taint.loop:
        return False
    tests = [t for t in tests if facts.inside(t, taint.loop)]
    if len(tests) != 1 or any(isinstance(a, (cst.Try, cst.ExceptHandler)) and
                              facts.inside(a, taint.loop) for a in facts.ancestors(exit_node)):
        return False
    return _cap_test(facts, taint, tests[0].test)


def _cap_test(facts: Facts, taint: Taint, test: cst.BaseExpression) -> bool:
    """`total >= limit` (with untainted `and` parts): `total` a running total of spending
    grown with `+=` in the loop, `limit` not built from a response."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        parts = [test.left, test.right]
        capped = [p for p in parts if taint.depends(p)]
        return len(capped) == 1 and _cap_test(facts, taint, capped[0])
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    op = test.comparisons[0].operator
    left, right = test.left, test.comparisons[0].comparator
    if isinstance(op, (cst.LessThan, cst.LessThanEqual)):
        left, right = right, left
    elif not isinstance(op, (cst.GreaterThan, cst.GreaterThanEqual)):
        return False
    if not isinstance(left, cst.Name) or taint.depends(right) or \
            not _SPEND.search(left.value):
        return False
    grown = [g for g in facts.growth.get(left.value, []) if facts.inside(g, taint.loop)]
    assigned = [n for n, _ in facts.assigns.get(left.value, []) if facts.inside(n, taint.loop)]
    return bool(grown) and not assigned and all(isinstance(g, cst.AugAssign) for g in grown)


def _serving(facts: Facts, fn: cst.CSTNode | None) -> str | None:
    """Why the function (or one around it) serves a waiting user, if it evidently does."""
    while fn is not None:
        if isinstance(fn, cst.FunctionDef):
            for dec in fn.decorators:
                d = dec.decorator
                if isinstance(d, cst.Call):
                    d = d.func
                name = dotted_name(d) or ""
                parts = name.split(".")
                if len(parts) >= 2 and (parts[-1] in _ROUTE_ATTRS or
                                        any("router" in p.lower() for p in parts[:-1])):
                    return f"a web handler (`@{name}`)"
            for p in [*fn.params.params, *fn.params.kwonly_params]:
                ann = dotted_name(p.annotation.annotation) if p.annotation else None
                if p.name.value in ("websocket", "ws") or (ann or "").endswith("WebSocket"):
                    return "a websocket handler"
            if any(isinstance(n, (cst.Yield)) for n in facts.nodes(fn.body)):
                return "a streaming generator"
        fn = next((a for a in facts.ancestors(fn) if isinstance(a, (cst.FunctionDef,
                                                                       cst.Lambda))), None)
    return None


# Parameters that carry one user's question: a loop that pairs it with each candidate
# (`for doc in retrieved: score(query, doc)`) is online reranking or fan-out for that user.
_QUERY_PARAM = re.compile(
    r"^(user_)?(query|question|q|search_query|user_input|user_message|user_request)$", re.I)


def _per_query(facts: Facts, fn: cst.CSTNode | None, loop: cst.CSTNode) -> str | None:
    """The loop pairs a function's query parameter with each item of another collection:
    the answers serve that one query now (a reranker, a per-question fan-out)."""
    if not isinstance(fn, cst.FunctionDef):
        return None
    if isinstance(loop, (cst.For, *_COMPS)):
        iter_expr = loop.iter if isinstance(loop, cst.For) else loop.for_in.iter
    else:
        return None
    params = {p.name.value for p in [*fn.params.params, *fn.params.kwonly_params]
              if _QUERY_PARAM.match(p.name.value)}
    if not params:
        return None
    in_iter = {n.value for n in facts.nodes(iter_expr) if isinstance(n, cst.Name)}
    body = loop.body if isinstance(loop, cst.For) else loop
    used = {n.value for n in facts.nodes(body) if isinstance(n, cst.Name)} & params
    if used and not (used & in_iter):
        name = sorted(used)[0]
        return f"a function answering one `{name}` (each request pairs it with an item)"
    return None


def _pop_collection(facts: Facts, loop: cst.While, taint: Taint) -> str | None:
    """`while queue: item = queue.pop()`: the collection the loop drains."""
    tested = _refs(loop.test).refs
    for n in facts.nodes(loop.body):
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and \
                n.func.attr.value in ("pop", "popleft", "get_nowait"):
            base = _chain(n.func.value)
            if base and base in tested and base not in taint.names:
                return base
    return None


def _loop_verdict(facts: Facts, loop: cst.CSTNode, call: cst.CSTNode,
                  fn: cst.CSTNode | None) -> tuple[str, str | Repetition]:
    """("found", Repetition) / ("skip", why) to look at the loop around it / ("stop", why)."""
    if isinstance(loop, _COMPS):
        comp = loop.for_in
        if comp.asynchronous is not None:
            return "stop", "an `async for` over a stream"
        if _STREAM_ITER.search(facts.code(comp.iter)):
            return "stop", "a loop over a stream, not a collection"
        few = _few(facts, comp.iter)
        if few is not None:
            return "skip", few
        kind = "comprehension"
        holder = facts.parent(loop)
        outer = facts.parent(holder) if holder is not None else None
        if isinstance(holder, cst.Arg) and holder.star == "*" and isinstance(outer, cst.Call) \
                and _func_name(outer) == "gather":
            kind = "gather"
        elif isinstance(holder, cst.Assign) and _gathered(facts, holder, fn):
            kind = "gather"  # `tasks = [f(x) for x in xs]` then `asyncio.gather(*tasks)`
        targets = tuple(_target_chains(comp.target))
        return "found", Repetition(kind, facts.code(comp.iter), targets, loop)
    assert isinstance(loop, (cst.For, cst.While))
    taint = Taint(facts, loop, call)
    args = call.args if isinstance(call, cst.Call) else ()
    if any(taint.depends(a.value) for a in args):
        return "stop", "a chat or agent loop: a response feeds the next request"
    if _interactive(facts, loop.body):
        return "stop", "an interactive loop"
    if _timed(facts, loop.body):
        return "stop", "the loop measures each request's latency"
    exits = [e for e in _exits(facts, loop) if _exit_on_response(facts, taint, e)
             and not _spending_cap(facts, taint, e)]
    if isinstance(loop, cst.For):
        iter_code = facts.code(loop.iter)
        targets = tuple(_target_chains(loop.target))
        retry_shaped = (
            (isinstance(loop.iter, cst.Call) and _func_name(loop.iter) == "range")
            or any(_RETRY_TARGET.match(t) for t in targets)
            or bool(_RETRY_ITER.search(iter_code))
        )
        if taint.depends(loop.iter):
            return "stop", "the responses decide what the loop visits next"
        if _TOOL_ITEMS.search(iter_code):
            return "stop", "an agent step: the loop runs the tools a response asked for"
        if _due_filter(facts, loop):
            return "stop", "a scheduler: the loop runs only the items due now"
        if exits or (retry_shaped and _RETRY_ITER.search(iter_code)):
            if retry_shaped:
                return "skip", "a retry loop"
            return "stop", "the loop stops on a response"
        if _leaves_after(facts, loop, call):
            # One request at most: as if there were no loop (a loop around it may repeat it).
            return "skip", "the loop ends after its first request (a search)"
        if loop.asynchronous is not None:
            return "stop", "an `async for` over a stream"
        if _STREAM_ITER.search(iter_code):
            return "stop", "a loop over a stream, not a collection"
        n = _small(loop.iter)
        if n is None and isinstance(call, cst.Call) and _model_loop(call, targets):
            n = _small(_bound_once(facts, loop.iter) or loop.iter)
        if n is not None and n <= SMALL_LOOP:
            return "skip", f"only {n} iterations"
        few = _few(facts, loop.iter)
        if few is not None:
            return "skip", few
        return "found", Repetition("for", iter_code, targets, loop)
    # while
    if taint.depends(loop.test) or exits:
        if taint.depends(loop.test) and _tool_loop(facts, loop.test):
            return "stop", "an agent tool loop"
        return "skip", "a retry loop"
    drained = _pop_collection(facts, loop, taint)
    if drained is None:
        return "stop", "a `while` loop that is not over a collection"
    item = _popped_target(facts, loop, drained)
    return "found", Repetition("while", drained, item, loop)


def _gathered(facts: Facts, assign: cst.Assign, fn: cst.CSTNode | None) -> bool:
    """The list assigned is handed to `asyncio.gather(*name)` in the same function."""
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return False
    name = assign.targets[0].target.value
    for call in facts.calls.get("gather", []):
        if any(a.star == "*" and isinstance(a.value, cst.Name) and a.value.value == name
               for a in call.args) and facts.inside(call, fn) and (
                fn is not None or not any(isinstance(a, _DEFS_FN) for a in
                                          facts.ancestors(call))):
            return True
    return False


_DEFS_FN = (cst.FunctionDef, cst.Lambda)


_CLOCKS = frozenset({"time", "perf_counter", "monotonic", "time_ns", "perf_counter_ns",
                     "monotonic_ns", "default_timer"})


def _timed(facts: Facts, body: cst.CSTNode) -> bool:
    """Two clock readings in the loop: it measures latency, which a batch cannot give."""
    clocks = 0
    for n in facts.nodes(body):
        if isinstance(n, cst.Call) and _func_name(n) in _CLOCKS and \
                (dotted_name(n.func) or "").split(".")[0] in ("time", "timeit", "perf_counter",
                                                               "monotonic", "default_timer"):
            clocks += 1
    return clocks >= 2


def _model_loop(call: cst.Call, targets: tuple[str, ...]) -> bool:
    """The loop variable is the request's model: a comparison of models."""
    return any(a.keyword is not None and a.keyword.value == "model"
               and isinstance(a.value, cst.Name) and a.value.value in targets for a in call.args)


def _bound_once(facts: Facts, expr: cst.BaseExpression) -> cst.BaseExpression | None:
    if not isinstance(expr, cst.Name):
        return None
    found = facts.scope_at(expr).lookup(expr.value)
    if found is None or len(found[1]) != 1 or found[1][0].kind != "assign":
        return None
    return found[1][0].value


# A loop over the tool calls a response asked for (an agent's step, the user waiting on it).
_TOOL_ITEMS = re.compile(r"\btool_(?:uses?|calls?|use_blocks|requests)\b", re.I)
# A scheduler's tick: items are skipped until they are due (`if now < job.next_run: continue`).
_DUE = re.compile(r"\bnow\b|time\(\)|\.now\(|monotonic|\bnext_run|\bdue\b|\bscheduled?_?at\b",
                  re.I)


def _due_filter(facts: Facts, loop: cst.For) -> bool:
    """Whether the loop body starts by skipping the items that are not due yet, comparing
    against the clock: a scheduler, whose tick runs the one or two items due now."""
    body = loop.body.body if isinstance(loop.body, cst.IndentedBlock) else ()
    for stmt in body[:3]:
        if not isinstance(stmt, cst.If):
            continue
        test = stmt.test
        if not (_DUE.search(facts.code(test)) and _compares(test)):
            continue
        inner = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ()
        if any(isinstance(line, cst.SimpleStatementLine)
               and any(isinstance(small, cst.Continue) for small in line.body)
               for line in inner) or (
            isinstance(stmt.body, cst.SimpleStatementSuite)
            and any(isinstance(small, cst.Continue) for small in stmt.body.body)
        ):
            return True
    return False


def _leaves_after(facts: Facts, loop: cst.For, call: cst.CSTNode) -> bool:
    """Whether a `return` (or a `break` of this loop) follows the request in its own block or
    a block around it inside the loop (`for job in jobs: if job.id == wanted: run(job);
    return ...`): the loop makes one request at most."""
    chain: list[cst.CSTNode] = [call]
    while chain[-1] is not loop:
        parent = facts.parent(chain[-1])
        if parent is None:
            return False
        chain.append(parent)
    for i in range(len(chain) - 2):
        block = chain[i + 1]
        if not isinstance(block, cst.IndentedBlock):
            continue
        # A `break` ends the innermost loop around it: this loop's only with none between.
        inner_loop = any(isinstance(a, (cst.For, cst.While)) for a in chain[i + 2:-1])
        stops: tuple[type[cst.CSTNode], ...] = (
            (cst.Return,) if inner_loop else (cst.Return, cst.Break))
        body: list[cst.CSTNode] = list(block.body)
        after = body[body.index(chain[i]) + 1:] if chain[i] in body else []
        if any(isinstance(stmt, cst.SimpleStatementLine)
               and any(isinstance(small, stops) for small in stmt.body)
               for stmt in after):
            return True
    return False


def _compares(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.Comparison):
        return any(isinstance(c.operator, (cst.LessThan, cst.LessThanEqual, cst.GreaterThan,
                                           cst.GreaterThanEqual))
                   for c in test.comparisons)
    if isinstance(test, cst.BooleanOperation):
        return _compares(test.left) or _compares(test.right)
    if isinstance(test, cst.UnaryOperation):
        return _compares(test.expression)
    return False


def _tool_loop(facts: Facts, test: cst.BaseExpression) -> bool:
    return "stop_reason" in facts.code(test) or "tool_use" in facts.code(test)


def _popped_target(facts: Facts, loop: cst.While, drained: str) -> tuple[str, ...]:
    for n in facts.nodes(loop.body):
        if isinstance(n, cst.Assign) and isinstance(n.value, cst.Call) and \
                isinstance(n.value.func, cst.Attribute) and _chain(n.value.func.value) == drained:
            return tuple(_target_chains(n.targets[0].target))
    return ()


def _walk(facts: Facts, call: cst.CSTNode) -> tuple[Repetition | None, str,
                                                    cst.CSTNode | None, bool]:
    """Search the loops around `call`. Returns (repetition, why not, the function reached,
    whether the search was stopped)."""
    loops, fn = _repeating_loops(facts, call)
    reason = ""
    for loop in loops:
        verdict, what = _loop_verdict(facts, loop, call, fn)
        if verdict == "found":
            assert isinstance(what, Repetition)
            serving = _serving(facts, fn)
            if serving is not None:
                return None, f"inside {serving}", fn, True
            one_query = _per_query(facts, fn, loop)
            if one_query is not None:
                # Answers for one query: batchable only when the function itself is called
                # once per item of a collection (a loop around its calls).
                return None, f"inside {one_query}", fn, False
            return what, "", fn, False
        assert isinstance(what, str)
        if verdict == "stop":
            return None, what, fn, True
        reason = what
    return None, reason, fn, False


def _fan_out_call(facts: Facts, ref: cst.CSTNode, holder: cst.Call) -> tuple[
        Repetition | None, str]:
    """A function handed to `executor.map(f, items)` or `executor.submit(f, item)` in a loop."""
    name = _func_name(holder)
    pos = _positional(holder)
    if name in _MAP_CALLS and pos and pos[0] is ref and len(pos) >= 2:
        _, fn = _repeating_loops(facts, holder)
        serving = _serving(facts, fn)
        if serving is not None:
            return None, f"inside {serving}"
        few = _few(facts, pos[1])
        if few is not None:
            return None, few
        return Repetition("map", facts.code(pos[1]), (), holder), ""
    if name in _SUBMIT_CALLS:
        rep, why, _, _ = _walk(facts, holder)
        if rep is not None and isinstance(holder.func, cst.Attribute):
            # `[ex.submit(f, x) for x in xs]`: fanned out through the executor.
            rep = Repetition("map", rep.items, rep.targets, holder)
        return rep, why
    return None, ""


def _requests_in(env: Env, fn_scope: Scope) -> int:
    count = 0
    for c in env.index.candidates:
        if c.scope.function is fn_scope:
            code = dotted_name(c.call.func) or ""
            if ".messages." in f".{code}" and "batches" not in code:
                count += 1
    return count


def _analyze_repetition(request: Request) -> tuple[Repetition | None, str]:
    env = request.env
    if env is None:
        return None, "no source"
    facts = _facts(env)
    if facts.uses_batches:
        return None, "the file already uses Message Batches"
    if request.via is not None and request.via.inner.env is not None:
        # A call of a wrapper function that continues a conversation kept across its calls.
        inner_env = request.via.inner.env
        kept = _conversation(request.via.inner, _facts(inner_env), inner_env)
        if kept is not None:
            return None, kept
        if request.imported_from is not None:
            inside = _inside_imported(request.via.inner, request.via.function)
            if inside is not None:
                return None, inside
    rep, why, fn, stopped = _walk(facts, request.call)
    if rep is not None or stopped:
        return rep, why
    if isinstance(fn, cst.Lambda):
        holder = facts.parent(fn)
        outer = facts.parent(holder) if isinstance(holder, cst.Arg) else None
        if isinstance(outer, cst.Call):
            rep, why2 = _fan_out_call(facts, fn, outer)
            return rep, why2 or why or "not in a loop"
        return None, why or "not in a loop"
    fn_scope = env.scope.function
    if not isinstance(fn, cst.FunctionDef) or fn_scope is None or fn_scope.node is not fn:
        return None, why or "not in a loop"
    # A request built for a call of a wrapper function (`request.via`) stands for that call.
    if request.via is None and _requests_in(env, fn_scope) != 1:
        return None, why or "the function makes more than one request"
    kept = _conversation(request, facts, env)
    if kept is not None:
        return None, kept
    rep, why_up = _up(facts, fn, fn_scope, (), {id(fn)})
    return rep, why_up or why or "not in a loop"


def _inside_imported(inner: Request, fn: cst.FunctionDef) -> str | None:
    """Why the one request of a function of another module does not stand for one request per
    call: the loops around it there (a loop over items is reported there; a chat or agent
    loop makes the calls dependent), or a function that serves a user or waits for input."""
    assert inner.env is not None
    facts = _facts(inner.env)
    rep, why, _, stopped = _walk(facts, inner.call)
    if rep is not None:
        return "the request is repeated inside the imported function"
    if stopped:
        return why
    serving = _serving(facts, fn)
    if serving is not None:
        return f"inside {serving}"
    if _interactive(facts, fn.body):
        return "an interactive step (it waits for input)"
    return None


# How many calls up the search for the loop goes (the loop in the caller, or its caller).
MAX_CALL_DEPTH = 2


def _up(facts: Facts, fn: cst.FunctionDef, fn_scope: Scope, path: tuple[str, ...],
        seen: set[int]) -> tuple[Repetition | None, str]:
    """The loop around the calls of `fn` in this module (each call made once per item),
    following callers up to MAX_CALL_DEPTH functions; `path` names the functions between."""
    serving = _serving(facts, fn)
    if serving is not None:
        return None, f"inside {serving}"
    if _interactive(facts, fn.body):
        return None, "an interactive step (it waits for input)"
    name = fn.name.value
    chain = (*path, name)
    first_why = ""
    deeper: list[cst.FunctionDef] = []
    for site in facts.calls.get(name, []):
        if facts.inside(site, fn) or not _is_call_of(facts, site, fn, fn_scope):
            continue
        rep, why3, site_fn, stopped = _walk(facts, site)
        if rep is not None:
            return _via(facts, rep, chain, site_fn), ""
        first_why = first_why or why3
        if not stopped and isinstance(site_fn, cst.FunctionDef) and id(site_fn) not in seen:
            deeper.append(site_fn)
    if fn_scope.class_scope is None:
        for site, alias, bound in alias_calls(facts, fn):
            rep, why3, site_fn, stopped = _walk(facts, site)
            if rep is not None:
                line = _line_of(facts, bound)
                shown = f"`{alias}`" + (f" (line {line})" if line is not None else "")
                return _via(facts, rep, chain, site_fn, shown), ""
            first_why = first_why or why3
            if not stopped and isinstance(site_fn, cst.FunctionDef) and id(site_fn) not in seen:
                deeper.append(site_fn)
    for ref, holder in facts.refs.get(name, []):
        if facts.inside(ref, fn):
            continue
        if isinstance(ref, cst.Attribute) != (fn_scope.class_scope is not None):
            continue
        rep, why4 = _fan_out_call(facts, ref, holder)
        if rep is not None:
            _, site_fn = _repeating_loops(facts, holder)
            return _via(facts, rep, chain, site_fn), ""
        first_why = first_why or why4
    if len(chain) < MAX_CALL_DEPTH:
        for caller in deeper:
            caller_scope = facts.scope_of.get(id(caller))
            if caller_scope is None or caller_scope.function is not caller_scope:
                continue
            seen.add(id(caller))
            rep, why5 = _up(facts, caller, caller_scope, chain, seen)
            if rep is not None:
                return rep, ""
            first_why = first_why or why5
    return None, first_why


def _conversation(request: Request, facts: Facts, env: Env) -> str | None:
    """The request sends a conversation kept across calls of its function (`self.messages`
    or a module-level list, grown in the class or module): each call continues the last
    one, so the calls are not independent."""
    from claudelint.analysis.history import _in_init, _region, _sent

    for chain, _ in _sent(request, facts, None):
        region = _region(env, chain, env.scope)
        if region is None or region.kind == "local":
            continue
        if any(facts.inside(g, region.node) for g in facts.growth.get(chain, [])) or any(
                facts.inside(n, region.node) and not _in_init(facts, n, region)
                for n, _ in facts.assigns.get(chain, [])):
            return f"a conversation kept in `{chain}` across calls"
    return None


def _via(facts: Facts, rep: Repetition, chain: tuple[str, ...],
         site_fn: cst.CSTNode | None, alias: str | None = None) -> Repetition:
    place = None
    if isinstance(site_fn, cst.FunctionDef):
        scope = facts.scope_of.get(id(site_fn))
        cls = scope.class_scope if scope is not None else None
        place = f"{cls.name}.{site_fn.name.value}" if cls is not None else site_fn.name.value
        place = f"`{place}()`"
    elif site_fn is None:
        place = "the module's top level"
    line = _line_of(facts, rep.node)
    if place is not None and line is not None:
        place = f"{place} (line {line})"
    return Repetition(rep.kind, rep.items, rep.targets, rep.node, chain[0],
                      chain[1:], place, alias)


def _line_of(facts: Facts, node: cst.CSTNode) -> int | None:
    """The line where `node` starts, when its first lines occur once in the module's text (a
    search of the text, not positions: those are the lint layer's)."""
    text = getattr(facts.index, "text", None)
    if not isinstance(text, str) or text.startswith("# --- claudelint cell "):
        return None  # a notebook's cells joined: its lines are not the reader's lines
    if isinstance(node, (cst.For, cst.While)):
        node = node.with_changes(leading_lines=())
    wanted = [ln.strip() for ln in facts.module.code_for_node(node).strip().splitlines()]
    wanted = [ln for ln in wanted if ln][:3]
    if not wanted:
        return None
    lines = text.splitlines()
    hits = [i for i, ln in enumerate(lines) if wanted[0] in ln and all(
        i + k < len(lines) and w in lines[i + k] for k, w in enumerate(wanted))]
    return hits[0] + 1 if len(hits) == 1 else None

