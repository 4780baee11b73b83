"""One pass over a module: scopes, bindings, loops and candidate call sites.

libcst's own ScopeProvider is thorough but costly; claudelint needs much less: which
expressions a name was bound to in which scope, which loops surround a call, and which
statement holds it. This visitor collects exactly that in a single traversal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from claudelint.syntax.walk import Visitor

# Method names that can end a Messages request chain.
REQUEST_METHODS = frozenset({"create", "stream", "parse", "tool_runner"})
# Calls that read the objects they are passed without changing them: a dict passed to any
# other call may lose keys there (`strip_sampling(params)`).
READ_ONLY_CALLS = frozenset({
    "print", "len", "str", "repr", "bool", "dict", "list", "tuple", "set", "sorted", "isinstance",
    "type", "id", "hash", "format", "json.dumps", "copy.copy", "copy.deepcopy", "deepcopy",
    "pprint", "pprint.pprint",
})
# Methods read-only on their arguments: a logger's (`logger.info(params)`), and a dict's or a
# string's that copy what they are passed (`d.update(params)`, `"{}".format(params)`).
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                          "log", "update", "get", "format", "join"})


@dataclass(eq=False)
class Binding:
    """One way a name got its value.

    kind: "assign" (value = the assigned expression), "param" (node = the Param), "import"
    (module/name), "loop" (for/comprehension target), "with" (value = the context expression),
    "def"/"class" (node = the definition), "setitem" (key, value: `name["key"] = value`),
    "mutate" (`name[...][...] = value`, `name.attr[...] = value`: changed in place; key =
    the first-level key when the chain starts `name["key"][...]`),
    "augassign", "unpack", "annotation" (a bare annotation), "other".
    """

    kind: str
    scope: Scope
    value: cst.BaseExpression | None = None
    node: cst.CSTNode | None = None
    annotation: cst.BaseExpression | None = None
    module: str | None = None
    name: str | None = None
    key: str | None = None
    in_loop: bool = False
    # For a "setitem": made inside a conditional block of its function (an `if` branch, a
    # loop body, a `try` part), so not on every path.
    conditional: bool = False
    # Order of the binding in the module's text (see `ModuleIndex.seq_of`), and the
    # module-level conditional blocks (if/else branches, try parts, loop bodies, match cases)
    # that hold it, outermost first, as node ids: a binding reaches a later use at module
    # level unconditionally when its blocks enclose the use's.
    seq: int = 0
    blocks: tuple[int, ...] = ()


@dataclass(eq=False)
class Scope:
    kind: str  # "module" | "class" | "function" | "lambda" | "comprehension"
    node: cst.CSTNode
    parent: Scope | None
    name: str = ""
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    # For a class scope: attribute name -> bindings from `self.attr = value` in its methods.
    self_attrs: dict[str, list[Binding]] = field(default_factory=dict)
    # For a method: the name of its `self` parameter and its class scope.
    self_name: str | None = None
    class_scope: Scope | None = None
    is_async: bool = False

    def bind(self, name: str, binding: Binding) -> None:
        target = self
        while target.kind == "loop" and target.parent is not None:
            target = target.parent  # a module-level loop body binds in its enclosing scope
        if name in target.global_names:
            target = self.module
        target.bindings.setdefault(name, []).append(binding)

    @property
    def evaluated_once(self) -> bool:
        """Code in this scope runs once per process: module or class level, outside loops."""
        s: Scope | None = self
        while s is not None:
            if s.kind not in ("module", "class"):
                return False
            s = s.parent
        return True

    @property
    def module(self) -> Scope:
        s = self
        while s.parent is not None:
            s = s.parent
        return s

    @property
    def function(self) -> Scope | None:
        """The innermost function or lambda scope, if any."""
        s: Scope | None = self
        while s is not None:
            if s.kind in ("function", "lambda"):
                return s
            s = s.parent
        return None

    def lookup(self, name: str) -> tuple[Scope, list[Binding]] | None:
        """LEGB lookup; class scopes are visible only from their own body."""
        s: Scope | None = self
        first = True
        while s is not None:
            if (first or s.kind != "class") and name in s.bindings:
                return s, s.bindings[name]
            first = False
            s = s.parent
        return None


@dataclass(eq=False)
class Loop:
    kind: str  # "for" | "while" | "comprehension"
    node: cst.CSTNode
    scope: Scope
    target_names: tuple[str, ...] = ()
    iter_node: cst.BaseExpression | None = None
    is_async: bool = False


@dataclass(frozen=True, eq=False)
class Removal:
    """A key taken out of a dict in place (`d.pop("k")`, `del d["k"]`, `d.clear()`): the
    scope of the statement, the key (None when not a literal, or all keys), the statement,
    and the loops around it in its function."""

    scope: Scope
    key: str | None
    statement: cst.CSTNode
    loops: tuple[Loop, ...]


@dataclass(eq=False)
class CallCandidate:
    call: cst.Call
    scope: Scope
    loops: tuple[Loop, ...]
    statement: cst.CSTNode
    awaited: bool


@dataclass(eq=False)
class NameCall:
    """A call of a plain name (`ask(...)`): where wrapper functions are called."""

    call: cst.Call
    scope: Scope
    loops: tuple[Loop, ...]
    statement: cst.CSTNode
    awaited: bool


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        out: list[str] = []
        for el in target.elements:
            out.extend(_target_names(el.value))
        return out
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def dotted_name(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = dotted_name(expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None


def _string_key(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.SimpleString):
        try:
            v = expr.evaluated_value
        except Exception:  # pragma: no cover - defensive
            return None
        return v if isinstance(v, str) else None
    return None


class ModuleIndex(Visitor):
    """Collects scopes, bindings, loops and candidate calls of one module."""

    def __init__(self, module: cst.Module) -> None:
        # The module's source text, when the engine has it (cheap substring pre-checks).
        self.text = ""
        self.module_scope = Scope("module", module, None, "<module>")
        self.scope = self.module_scope
        self.loops: list[Loop] = []
        self.statements: list[cst.CSTNode] = []
        self.candidates: list[CallCandidate] = []
        self.awaited: set[int] = set()
        self.imports_anthropic = False
        self.scopes: list[Scope] = [self.module_scope]
        # Flow order at module level: every binding and every name read at module level gets
        # a sequence number in text order (a binding's after the names its value reads).
        self._seq = 0
        self._blocks: tuple[int, ...] = ()
        # How many conditional blocks (if/else, try parts, loop bodies, match cases) of the
        # current function enclose the node being visited.
        self._conditional = 0
        self.name_seq: dict[int, tuple[int, tuple[int, ...]]] = {}
        # Calls of plain names, by name (callers of wrapper functions).
        self.name_calls: dict[str, list[NameCall]] = {}
        # Calls of `name.attr(...)` by attr (`self.ask(...)`): where wrapper methods are called.
        self.attr_calls: dict[str, list[NameCall]] = {}
        # Keys taken out of a dict in place, by the dict's name: `d.pop("k")`, `del d["k"]`,
        # `d.clear()`.
        self.removals: dict[str, list[Removal]] = {}
        # Keys perhaps added in place, by the dict's name: `d.update(...)`, `d.setdefault(...)`.
        self.additions: dict[str, list[Scope]] = {}
        # Names passed as an argument to a call that may change their object in place, by
        # name (`strip_sampling(params)`): a local dict may lose any key there.
        self.passed: dict[str, list[Scope]] = {}
        # What other modules derive from this index (flow facts), cached for its lifetime.
        self.memo: dict[str, object] = {}
        self.walk(module)

    def seq_of(self, name: cst.Name) -> tuple[int, tuple[int, ...]] | None:
        """Where a name read at module level sits in the module's flow: its sequence number
        and the conditional blocks around it; None for names read inside functions."""
        return self.name_seq.get(id(name))

    # --- helpers -------------------------------------------------------------------------

    def _push(self, scope: Scope) -> None:
        self.scopes.append(scope)
        self.scope = scope

    def _push_loop_scope(self, node: cst.CSTNode) -> bool:
        """Module-level loops get a scope of their own so that values computed in them are
        not taken as evaluated once; their names still bind in the module."""
        if self.scope.function is not None:
            return False
        self._push(Scope("loop", node, self.scope, "<loop>"))
        return True

    def _pop(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def _bind(self, ident: str, /, **kw: object) -> None:
        self._seq += 1
        binding = Binding(scope=self.scope, in_loop=bool(self.loops and self._current_loops()),
                          seq=self._seq, blocks=self._blocks, **kw)  # type: ignore[arg-type]
        self.scope.bind(ident, binding)

    def _enter_block(self, node: cst.CSTNode) -> tuple[int, ...]:
        """Enter a conditional block (recorded at module level); returns the blocks to
        restore with `_leave_block`."""
        saved = self._blocks
        if self.scope.function is None:
            self._blocks = (*saved, id(node))
        self._conditional += 1
        return saved

    def _leave_block(self, saved: tuple[int, ...]) -> None:
        self._blocks = saved
        self._conditional -= 1

    def _walk_block(self, block: cst.CSTNode, *parts: cst.CSTNode) -> None:
        """Walk `parts` inside the conditional block `block`."""
        saved = self._enter_block(block)
        for part in parts:
            self.walk(part)
        self._leave_block(saved)

    def visit_Name(self, node: cst.Name) -> None:
        if self.scope.function is None:
            self._seq += 1
            self.name_seq[id(node)] = (self._seq, self._blocks)

    def _current_loops(self) -> tuple[Loop, ...]:
        fn = self.scope.function
        return tuple(lp for lp in self.loops if lp.scope.function is fn)

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None,
                     kind: str = "assign", annotation: cst.BaseExpression | None = None) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, kind=kind, value=value, annotation=annotation)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for name in _target_names(target):
                self._bind(name, kind="unpack" if kind == "assign" else kind)
        elif isinstance(target, cst.Attribute):
            self._bind_attribute(target, value, kind, annotation)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            key = None
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = _string_key(target.slice[0].slice.value)
            self._bind(target.value.value, kind="setitem", value=value, key=key,
                       conditional=self._conditional > 0)
        elif isinstance(target, cst.Subscript):
            # `m["content"][-1]["cache_control"] = ...`: the object `m` names is changed in
            # place, below its first level; its value is no longer what was bound.
            root = _mutated_root(target)
            if root is not None:
                self._bind(root, kind="mutate", key=_first_key(target))

    def _bind_attribute(self, target: cst.Attribute, value: cst.BaseExpression | None,
                        kind: str, annotation: cst.BaseExpression | None) -> None:
        fn = self.scope.function
        if (
            fn is not None
            and fn.class_scope is not None
            and isinstance(target.value, cst.Name)
            and target.value.value == fn.self_name
        ):
            binding = Binding(kind=kind, scope=self.scope, value=value, annotation=annotation,
                              node=fn.node, name=fn.name)
            fn.class_scope.self_attrs.setdefault(target.attr.value, []).append(binding)

    # --- scopes --------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._bind(node.name.value, kind="class", node=node)
        self._push(Scope("class", node, self.scope, node.name.value))
        return True

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._bind(node.name.value, kind="def", node=node)
        # Decorators and defaults are evaluated in the enclosing scope.
        for dec in node.decorators:
            self.walk(dec)
        for param in _all_params(node.params):
            if param.default is not None:
                self.walk(param.default)
        scope = Scope("function", node, self.scope, node.name.value,
                      is_async=node.asynchronous is not None)
        if self.scope.kind == "class":
            is_static = any(
                dotted_name(d.decorator) in ("staticmethod",) for d in node.decorators
            )
            params = [*node.params.posonly_params, *node.params.params]
            if params and not is_static:
                scope.self_name = params[0].name.value
                scope.class_scope = self.scope
        self._push(scope)
        for param in _all_params(node.params):
            self._bind(param.name.value, kind="param", node=param,
                       annotation=param.annotation.annotation if param.annotation else None)
        saved_loops = self.loops
        saved_conditional = self._conditional
        self.loops = []
        self._conditional = 0
        self.walk(node.body)
        self.loops = saved_loops
        self._conditional = saved_conditional
        self._pop()
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        for param in _all_params(node.params):
            if param.default is not None:
                self.walk(param.default)
        self._push(Scope("lambda", node, self.scope, "<lambda>"))
        for param in _all_params(node.params):
            self._bind(param.name.value, kind="param", node=param)
        saved_loops = self.loops
        self.loops = []
        self.walk(node.body)
        self.loops = saved_loops
        self._pop()
        return False

    def _comprehension(self, node: cst.BaseComp | cst.DictComp, elts: list[cst.CSTNode]) -> bool:
        # The first iterable is evaluated in the enclosing scope.
        self.walk(node.for_in.iter)
        self._push(Scope("comprehension", node, self.scope, "<comprehension>"))
        comp: cst.CompFor | None = node.for_in
        first = True
        loop = Loop("comprehension", node, self.scope)
        while comp is not None:
            if not first:
                self.walk(comp.iter)
            for name in _target_names(comp.target):
                self._bind(name, kind="loop", node=comp)
            loop.target_names += tuple(_target_names(comp.target))
            if first:
                loop.iter_node = comp.iter
                loop.is_async = comp.asynchronous is not None
            for cond in comp.ifs:
                self.walk(cond)
            comp = comp.inner_for_in
            first = False
        loop.scope = self.scope
        self.loops.append(loop)
        for e in elts:
            self.walk(e)
        self.loops.pop()
        self._pop()
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_DictComp(self, node: cst.DictComp) -> bool:
        return self._comprehension(node, [node.key, node.value])

    def visit_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, (cst.Tuple, cst.List)) \
            else [node.target]
        for t in targets:
            target = t.value if isinstance(t, cst.BaseElement) else t
            if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                key = None
                if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                    key = _string_key(target.slice[0].slice.value)
                self._removal(target.value.value, key, node)

    def _removal(self, name: str, key: str | None, node: cst.CSTNode) -> None:
        self.removals.setdefault(name, []).append(Removal(
            self.scope, key, self.statements[-1] if self.statements else node,
            self._current_loops()))

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.global_names.add(item.name.value)

    # --- statements ----------------------------------------------------------------------

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.statements.append(node)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self.statements.pop()

    def _compound(self, node: cst.CSTNode) -> None:
        self.statements.append(node)

    def _leave_compound(self) -> None:
        self.statements.pop()

    def visit_If(self, node: cst.If) -> bool:
        self._compound(node)
        self.walk(node.test)
        self._walk_block(node, node.body)
        if node.orelse is not None:
            self._walk_block(node.orelse, node.orelse)
        self._leave_compound()
        return False

    def visit_Match(self, node: cst.Match) -> bool:
        self._compound(node)
        self.walk(node.subject)
        for case in node.cases:
            self._walk_block(case, case)
        self._leave_compound()
        return False

    def visit_With(self, node: cst.With) -> bool:
        self._compound(node)
        for item in node.items:
            self.walk(item.item)
            if item.asname is not None:
                self._bind_target(item.asname.name, item.item, kind="with")
        self.walk(node.body)
        self._leave_compound()
        return False

    def visit_Try(self, node: cst.Try | cst.TryStar) -> bool:
        self._compound(node)
        self._walk_block(node, node.body)
        parts: list[cst.CSTNode] = [*node.handlers]
        if node.orelse is not None:
            parts.append(node.orelse)
        if node.finalbody is not None:
            parts.append(node.finalbody)
        for part in parts:
            self._walk_block(part, part)
        self._leave_compound()
        return False

    def visit_TryStar(self, node: cst.TryStar) -> bool:
        return self.visit_Try(node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind(node.name.name.value, kind="other")

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self.visit_ExceptHandler(node)

    def visit_For(self, node: cst.For) -> bool:
        self._compound(node)
        self.walk(node.iter)
        pushed = self._push_loop_scope(node)
        loop = Loop("for", node, self.scope, tuple(_target_names(node.target)), node.iter,
                    node.asynchronous is not None)
        self.loops.append(loop)
        saved = self._enter_block(node)
        for name in _target_names(node.target):
            self._bind(name, kind="loop", node=node)
        self.walk(node.body)
        self._leave_block(saved)
        return self._leave_loop(node, pushed)

    def _leave_loop(self, node: cst.For | cst.While, pushed: bool) -> bool:
        """Close a loop whose body was visited: its `else` runs once, outside the loop."""
        self.loops.pop()
        if pushed:
            self._pop()
        if node.orelse is not None:
            self._walk_block(node.orelse, node.orelse)
        self._leave_compound()
        return False

    def visit_While(self, node: cst.While) -> bool:
        self._compound(node)
        pushed = self._push_loop_scope(node)
        self.loops.append(Loop("while", node, self.scope))
        self._walk_block(node, node.test, node.body)
        return self._leave_loop(node, pushed)

    # Assignments bind after their value is read (`x = x + 1` reads the earlier `x`).

    def visit_Assign(self, node: cst.Assign) -> bool:
        self.walk(node.value)
        for t in node.targets:
            self._bind_target(t.target, node.value)
        for t in node.targets:
            self.walk(t)
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        self.walk(node.annotation)
        if node.value is not None:
            self.walk(node.value)
        kind = "assign" if node.value is not None else "annotation"
        self._bind_target(node.target, node.value, kind=kind,
                          annotation=node.annotation.annotation)
        self.walk(node.target)
        return False

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        self.walk(node.value)
        self.walk(node.target)
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, kind="augassign", value=node.value)
        elif isinstance(node.target, cst.Attribute):
            self._bind_attribute(node.target, node.value, "augassign", None)
        return False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if full.split(".")[0] == "anthropic":
                self.imports_anthropic = True
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value, kind="import", module=full, name=None)
            else:
                top = full.split(".")[0]
                self._bind(top, kind="import", module=top, name=None)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted_name(node.module) if node.module is not None else ""
        module = "." * len(node.relative) + (module or "")
        if module.split(".")[0] == "anthropic":
            self.imports_anthropic = True
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self._bind(local, kind="import", module=module, name=name)

    # --- calls ---------------------------------------------------------------------------

    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(id(node.expression))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        self._passed_objects(node)
        if isinstance(func, cst.Name):
            self.name_calls.setdefault(func.value, []).append(NameCall(
                node, self.scope, self._current_loops(),
                self.statements[-1] if self.statements else node, id(node) in self.awaited))
        if isinstance(func, cst.Attribute):
            if isinstance(func.value, cst.Name):
                if func.attr.value in ("pop", "popitem", "clear"):
                    first = node.args[0].value if node.args and not node.args[0].star \
                        and node.args[0].keyword is None else None
                    key = _string_key(first) if first is not None \
                        and func.attr.value == "pop" else None
                    self._removal(func.value.value, key, node)
                elif func.attr.value in ("update", "setdefault"):
                    self.additions.setdefault(func.value.value, []).append(self.scope)
                self.attr_calls.setdefault(func.attr.value, []).append(NameCall(
                    node, self.scope, self._current_loops(),
                    self.statements[-1] if self.statements else node,
                    id(node) in self.awaited))
            if func.attr.value not in REQUEST_METHODS:
                return
        elif isinstance(func, cst.Name):
            # A bound method alias (`create = client.messages.create; create(...)`) — only
            # names bound to an attribute ending in a request method qualify.
            found = self.scope.lookup(func.value)
            if found is None or not any(
                b.kind == "assign"
                and isinstance(b.value, cst.Attribute)
                and b.value.attr.value in REQUEST_METHODS
                for b in found[1]
            ):
                return
        else:
            return
        statement = self.statements[-1] if self.statements else node
        self.candidates.append(
            CallCandidate(node, self.scope, self._current_loops(), statement,
                          id(node) in self.awaited)
        )


    def _passed_objects(self, node: cst.Call) -> None:
        """Names passed as arguments to a call that may change what they name (not a
        request, not a read-only builtin or a logger)."""
        names = [a.value.value for a in node.args
                 if not a.star and isinstance(a.value, cst.Name)]
        if not names:
            return
        func = node.func
        callee = dotted_name(func) or ""
        if callee in READ_ONLY_CALLS or (
            isinstance(func, cst.Attribute) and func.attr.value in _LOG_METHODS
        ):
            return
        if isinstance(func, cst.Attribute) and func.attr.value in REQUEST_METHODS:
            return
        for name in names:
            self.passed.setdefault(name, []).append(self.scope)


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    out = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    if params.star_kwarg is not None:
        out.append(params.star_kwarg)
    return out


def _first_key(target: cst.Subscript) -> str | None:
    """The string key of the first level of a nested item target (`"a"` for
    `m["a"][0]["b"]`), or None when the chain does not start with one."""
    node: cst.BaseExpression = target
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        inner = node.value
        if isinstance(inner, cst.Name):
            if not isinstance(node, cst.Subscript) or len(node.slice) != 1 \
                    or not isinstance(node.slice[0].slice, cst.Index):
                return None
            return _string_key(node.slice[0].slice.value)
        node = inner
    return None


def _mutated_root(target: cst.Subscript) -> str | None:
    """The name at the root of a nested item target (`m["a"][0]["b"]`, `m.parts[0]`), or None
    when the chain does not start at a plain name (`self.x[...]` belongs to the attribute)."""
    node: cst.BaseExpression = target.value
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    if not isinstance(node, cst.Name) or node.value in ("self", "cls"):
        return None
    return node.value
