"""Whether an unknown part of a request could carry a cache breakpoint at run time.

The file holding the request mentions `cache_control` somewhere; this decides per value
(issue 14, gap 1) instead of per file. A plain string never carries one; a value built by a
function of this module whose code (and the code of the module's functions and module-level
names it reads) never mentions `cache_control` does not either, unless the function making
the request adds one itself. Anything else (an attribute, an imported helper, a list whose
elements are not all known) may: the caching rules then stay silent.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

from claudelint.analysis.values import DictV, ListV, Unknown

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.analysis.resolve import Resolver
    from claudelint.analysis.values import Value
    from claudelint.syntax.scopes import ModuleIndex, Scope


class _Env(Protocol):
    """Where a request was found (request.Env)."""

    @property
    def scope(self) -> Scope: ...
    @property
    def index(self) -> ModuleIndex: ...
    @property
    def resolver(self) -> Resolver: ...
    @property
    def module(self) -> cst.Module: ...


def may_carry_breakpoint(value: Value, node: cst.BaseExpression, env: _Env) -> bool:
    """Whether the value of one of tools/system/messages, passed as `node`, could hold a
    `cache_control` key that static analysis cannot see."""
    if _plain_string(node, env) or _built_by_helper_without_breakpoints(node, env):
        return False
    parts: list[tuple[Value, str | None]] = []
    _unknown_parts(value, None, parts)
    return any(_may_carry(part, key, env) for part, key in parts)


def unknown_parts(value: Value) -> bool:
    """Whether a value has parts static analysis cannot see."""
    parts: list[tuple[Value, str | None]] = []
    _unknown_parts(value, None, parts)
    return bool(parts)


def _built_by_helper_without_breakpoints(node: cst.BaseExpression, env: _Env) -> bool:
    """`messages=_turns(q, past)`: the value is what a function of this module returns, and
    neither it (nor what it calls or reads in the module) nor the function making the request
    mentions `cache_control`, whatever the helper's summary resolved of it."""
    import libcst as cst  # not at import time: `claudelint rule` stays light

    if not isinstance(node, cst.Call) or env.scope.function is None:
        return False
    fn = _module_function(node.func, env)
    if fn is None or _mentions_cache_control(env.scope.function.node, env):
        return False
    return not _mentions_cache_control(fn, env)


def _may_carry(part: Value, key: str | None, env: _Env) -> bool:
    import libcst as cst  # not at import time: `claudelint rule` stays light

    if not isinstance(part, Unknown):
        return True  # a list or dict with elements not all known
    if key == "text" or _plain_string(part.node, env):
        return False
    if env.scope.function is None:
        return True  # module level: any statement of the module may add one
    if _mentions_cache_control(env.scope.function.node, env):
        return True  # the function making the request may add one at run time
    fn = _module_function(part.node.func, env) if isinstance(part.node, cst.Call) else None
    if fn is None:
        return True
    return _mentions_cache_control(fn, env)


def _unknown_parts(value: Value | None, key: str | None,
                   out: list[tuple[Value, str | None]]) -> None:
    """The parts of a value static analysis cannot see: unknown values (with the dict key
    they sit under) and lists or dicts with elements not all known (themselves)."""
    if isinstance(value, Unknown):
        out.append((value, key))
    elif isinstance(value, DictV):
        if not value.complete:
            out.append((value, key))
        for k, v in value.items:
            _unknown_parts(v, k, out)
    elif isinstance(value, ListV):
        if not value.complete:
            out.append((value, key))
        for v in value.items:
            _unknown_parts(v, None, out)


# Calls whose result is a str (or bytes): never a list of blocks, so never a breakpoint.
_STR_METHODS = frozenset({
    "read", "read_text", "format", "format_map", "join", "strip", "lstrip", "rstrip",
    "lower", "upper", "title", "capitalize", "replace", "decode", "removeprefix",
    "removesuffix", "expandtabs", "casefold", "zfill", "center", "ljust", "rjust",
})
_STR_FUNCS = frozenset({"str", "repr", "textwrap.dedent", "textwrap.indent", "inspect.cleandoc",
                        "json.dumps", "yaml.dump", "yaml.safe_dump"})


def _plain_string(node: cst.CSTNode | None, env: _Env) -> bool:
    """Whether an expression's value is certainly a str: a string literal or f-string, str
    concatenation or `%` formatting with a string literal, a str method or a function of
    this module annotated `-> str`, a name every binding of which is annotated `str`."""
    import libcst as cst  # not at import time: `claudelint rule` stays light

    if isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(
        node.operator, (cst.Add, cst.Modulo)
    ):
        return _plain_string(node.left, env) or (
            isinstance(node.operator, cst.Add) and _plain_string(node.right, env)
        )
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _STR_METHODS:
            return True
        qual = env.resolver.qualified_name(func, env.scope) or ""
        if qual in _STR_FUNCS:
            return True
        fn = _module_function(func, env)
        return fn is not None and _is_str(fn.returns.annotation if fn.returns else None)
    if isinstance(node, cst.Name):
        found = env.scope.lookup(node.value)
        return bool(found) and all(
            _is_str(b.annotation) for b in found[1]  # type: ignore[index]
        )
    return False


def _is_str(annotation: cst.BaseExpression | None) -> bool:
    import libcst as cst  # not at import time: `claudelint rule` stays light

    return isinstance(annotation, cst.Name) and annotation.value == "str"


def _module_function(func: cst.BaseExpression, env: _Env) -> cst.FunctionDef | None:
    """The function of this module a call refers to: a plain name bound once, by a `def` at
    module level, or `self.name` with `name` defined by exactly one method of the module's
    classes (a subclass overriding it elsewhere in the module makes it ambiguous); else
    None."""
    import libcst as cst  # not at import time: `claudelint rule` stays light

    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and (
        func.value.value == "self"
    ):
        methods = _methods(env).get(func.attr.value, [])
        return methods[0] if len(methods) == 1 else None
    if not isinstance(func, cst.Name):
        return None
    found = env.index.module_scope.bindings.get(func.value)
    if found is None or len(found) != 1 or found[0].kind != "def":
        return None
    node = found[0].node
    return node if isinstance(node, cst.FunctionDef) else None


def _methods(env: _Env) -> dict[str, list[cst.FunctionDef]]:
    """The methods of the module's classes by name (once per file)."""
    import libcst as cst  # not at import time: `claudelint rule` stays light

    got = env.index.memo.get("cc-methods")
    if got is None:
        out: dict[str, list[cst.FunctionDef]] = {}
        for scope in env.index.scopes:
            if scope.kind != "class":
                continue
            for name, bindings in scope.bindings.items():
                out.setdefault(name, []).extend(
                    b.node for b in bindings if isinstance(b.node, cst.FunctionDef))
        got = env.index.memo["cc-methods"] = out
    return got  # type: ignore[return-value]


def _mentions_cache_control(fn: cst.CSTNode, env: _Env) -> bool:
    """Whether a function's code mentions `cache_control`, reads a module-level name whose
    value does (`CACHED = [{..., "cache_control": ...}]`, or a name built from one), or
    calls a function of this module that does (transitively). Once per function and file."""
    memo = env.index.memo
    key = f"cc-mention:{id(fn)}"
    got = memo.get(key)
    if got is None:
        got = False
        marked = _cache_control_globals(env)
        todo, seen = [fn], {id(fn)}
        while todo and not got:
            node = todo.pop()
            if "cache_control" in env.module.code_for_node(node):
                got = True
                break
            calls, names = _calls_and_names(node)
            if names & marked:
                got = True
                break
            for call in calls:
                callee = _module_function(call.func, env)
                if callee is not None and id(callee) not in seen:
                    seen.add(id(callee))
                    todo.append(callee)
        memo[key] = got
    return bool(got)


def _cache_control_globals(env: _Env) -> set[str]:
    """Module-level names whose value mentions `cache_control`, or reads such a name (once
    per file)."""
    got = env.index.memo.get("cc-globals")
    if got is None:
        values: dict[str, list[str]] = {}
        for name, bindings in env.index.module_scope.bindings.items():
            values[name] = [env.module.code_for_node(b.value) for b in bindings
                            if b.value is not None and b.kind != "def"]
        marked = {n for n, codes in values.items() if any("cache_control" in c for c in codes)}
        changed = bool(marked)
        while changed:
            changed = False
            word = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(marked))) + r")\b")
            for n, codes in values.items():
                if n not in marked and any(word.search(c) for c in codes):
                    marked.add(n)  # a textual test: may over-mark, which keeps rules silent
                    changed = True
        got = env.index.memo["cc-globals"] = marked
    return got  # type: ignore[return-value]


def _calls_and_names(fn: cst.CSTNode) -> tuple[list[cst.Call], set[str]]:
    """The calls in a function and the plain names it reads."""
    import libcst as cst  # not at import time: `claudelint rule` stays light

    calls: list[cst.Call] = []
    names: set[str] = set()

    class _V(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            calls.append(node)

        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    fn.visit(_V())
    return calls, names
