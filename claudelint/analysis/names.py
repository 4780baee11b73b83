"""How `Resolver` (analysis/resolve.py) gives names their values: the binding that reaches a
read, parameters (and the values callers pass), `self.X` set once in `__init__`, class
attributes, and names imported from other modules of the project (through its
`ModuleSource`). `NameLookup` is the base of the resolver's parts: it declares the state
`Resolver.__init__` sets up and the entry point `resolve` the parts call back into.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.values import (
    Const,
    DictV,
    Hole,
    Text,
    Unknown,
    Value,
    noted,
    retag,
)
from claudelint.syntax.scopes import Binding, ModuleIndex, Removal, Scope, dotted_name
from claudelint.syntax.walk import children

if TYPE_CHECKING:
    from claudelint.analysis.module_source import ModuleSource

MAX_DEPTH = 40


def code_of(module: cst.Module, node: cst.CSTNode) -> str:
    return module.code_for_node(node)


class NameLookup:
    """Names, attributes and imports; the shared base of the resolver's parts."""

    index: ModuleIndex
    module: cst.Module
    # The file being resolved (absolute; None for stdin or a bare text) and the project it
    # belongs to (for imported names and prompt files).
    path: Path | None
    project: ModuleSource | None
    # Files other than this one that resolutions read: path -> digest (project.py).
    deps: dict[str, str]
    # Parameter -> the value a caller passes (a wrapper analysed for one of its calls).
    bound_params: dict[int, Value]
    # A call whose arguments are being bound (bound_imports.py): a local dict passed to it,
    # and to no other call that may change it, is read as it is when the call starts.
    passed_to: cst.Call | None = None

    def resolve(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Value:
        raise NotImplementedError  # Resolver.resolve (analysis/resolve.py)

    def at_module_level(self, scope: Scope) -> bool:
        return scope.evaluated_once

    def module_name_value(self, name: str) -> Value | None:
        """The value `name` has at the end of this module's top level (what an importer
        sees), or None when the module does not bind it."""
        if "." in name:
            return self._dotted_module_value(name)
        bindings = self.index.module_scope.bindings.get(name)
        if not bindings:
            return None
        if len(bindings) > 1:
            reaching = reaching_bindings(bindings, (1 << 62, ()))
            if reaching is None:
                return Unknown(f"{name} rebound conditionally", None, stable=True)
            bindings = reaching
        return self.from_bindings(cst.Name(name), self.index.module_scope, bindings, True, 0)

    def _dotted_module_value(self, name: str) -> Value | None:
        """`Config.MODEL` / `settings.model` at the end of this module's top level."""
        head, _, attr = name.partition(".")
        if "." in attr or head not in self.index.module_scope.bindings:
            return None
        # Kept for the index's life: the resolver's cache is keyed by node identity.
        nodes = self.index.memo.setdefault("dotted_nodes", {})
        assert isinstance(nodes, dict)
        node = nodes.get(name)
        if node is None:
            node = nodes[name] = cst.Attribute(value=cst.Name(head), attr=cst.Name(attr))
        value = self.resolve(node, self.index.module_scope)
        return None if isinstance(value, Unknown) and not value.stable else value

    def final_binding(self, name: str, bindings: list[Binding]) -> list[Binding] | None:
        """The module-level bindings of `name` that a function sees when it runs after the
        module's top level: the last one (with its `name["k"] = v` updates), when it is
        unconditional, no function assigns the name (`global`), and no function or class of
        this module is called (or referred to) at import between the first binding and the
        last — a call there could run a function while an earlier value holds. Else None."""
        if any(b.scope is not self.index.module_scope or b.kind == "augassign"
               for b in bindings):
            return None
        reaching = reaching_bindings(bindings, (1 << 62, ()))
        if reaching is None:
            return None
        first = min(b.seq for b in bindings)
        last = reaching[-1].seq
        if any(first < s <= last for s in self._import_time_risks()):
            return None
        return reaching

    def _import_time_risks(self) -> list[int]:
        """Sequence numbers of the module-level reads of names that can run this module's
        code: its functions and classes, and instances of its classes."""
        memo = self.index.memo
        hit = memo.get("import_time_risks")
        if isinstance(hit, list):
            return hit
        mod = self.index.module_scope
        local = {n for n, bs in mod.bindings.items() if any(b.kind in ("def", "class") for b in bs)}
        risky = set(local)
        for n, bs in mod.bindings.items():
            for b in bs:
                if isinstance(b.value, cst.Call):
                    head = (dotted_name(b.value.func) or "").split(".")[0]
                    if head in local:
                        risky.add(n)
        out: list[int] = []
        if risky:
            from claudelint.syntax.walk import iter_nodes

            for node in iter_nodes(self.module):
                if isinstance(node, cst.Name) and node.value in risky:
                    at = self.index.seq_of(node)
                    if at is not None:
                        out.append(at[0])
        memo["import_time_risks"] = out
        return out

    def qualified_name(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """`dedent` -> `textwrap.dedent` when imported with `from textwrap import dedent`;
        `dt.now` -> `datetime.now` for `from datetime import datetime as dt`."""
        name = dotted_name(expr)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        found = scope.lookup(head)
        if found is None:
            return name
        for b in found[1]:
            if b.kind == "import":
                if b.name is None:
                    base = b.module or head
                else:
                    base = b.name if b.module in ("", None) else f"{b.module}.{b.name}"
                    # `from datetime import datetime` -> "datetime.datetime"; rules list both.
                return f"{base}.{rest}" if rest else base
        return name

    def _single_binding(self, expr: cst.Name, scope: Scope) -> Binding | None:
        """The one binding that gives a name its value where it is read: the only binding
        of its scope, or at module level the one that reaches the read."""
        found = scope.lookup(expr.value)
        if found is None:
            return None
        owner, bindings = found
        if owner.kind == "module" and len(bindings) > 1 and scope.function is None:
            at = self.index.seq_of(expr)
            reaching = reaching_bindings(bindings, at) if at is not None else None
            if reaching is None:
                return None
            bindings = reaching
        return bindings[0] if len(bindings) == 1 else None

    # --- names ---------------------------------------------------------------------------

    def _name(self, expr: cst.Name, scope: Scope, depth: int) -> Value:
        found = scope.lookup(expr.value)
        if found is None:
            return Unknown(f"name {expr.value}", expr, stable=True)
        owner, bindings = found
        owner_is_module = owner.kind in ("module", "class")
        if owner.kind == "module" and len(bindings) > 1 and scope.function is None:
            # Read at module level (a script, a notebook cell): the binding that reaches
            # this point in the text.
            at = self.index.seq_of(expr)
            if at is not None:
                reaching = reaching_bindings(bindings, at)
                if reaching is None:
                    return Unknown("rebound conditionally", expr, stable=True)
                bindings = reaching
        elif owner.kind == "module" and len(bindings) > 1:
            # Read in a function: the binding that reaches the end of the module's top level,
            # when no code of this module can run at import while an earlier one holds.
            final = self.final_binding(expr.value, bindings)
            if final is not None:
                bindings = final
        return self.from_bindings(expr, owner, bindings, owner_is_module, depth, scope)

    def from_bindings(self, expr: cst.CSTNode, owner: Scope, bindings: list[Binding],
                      owner_is_module: bool, depth: int, scope: Scope | None = None) -> Value:
        """The value of `expr` given its bindings in `owner`; `scope`, where `expr` is read
        (when known), places the read among the in-place removals of a local dict."""
        code = code_of(self.module, expr)
        assigns = [b for b in bindings if b.kind in ("assign", "with")]
        setitems = [b for b in bindings if b.kind == "setitem"]
        others = [b for b in bindings if b.kind not in ("assign", "with", "setitem", "annotation")]
        mutated = [b for b in others if b.kind == "mutate"]
        if mutated and all(b.key is not None for b in mutated):
            # Changed in place below a first-level key (`d["messages"][0]["k"] = v`): the
            # other keys keep their values; those keys' values are no longer known.
            value = self.from_bindings(expr, owner, [b for b in bindings if b.kind != "mutate"],
                                       owner_is_module, depth)
            if not isinstance(value, DictV):
                return Unknown("changed in place", expr, stable=owner_is_module)
            keys = {b.key for b in mutated}
            return dataclasses.replace(value, items=tuple(
                (k, Unknown("changed in place", expr, stable=owner_is_module) if k in keys
                 else v) for k, v in value.items))
        if mutated:
            # Changed in place below its first level (`m["content"][-1]["k"] = v`): neither
            # the bound value nor a caller's argument is what is read here.
            return Unknown("changed in place", expr, stable=owner_is_module)
        if others:
            b = others[0]
            if b.kind == "param":
                value = self._param(b, code, expr, depth)
                if id(b.node) in self.bound_params and isinstance(value, DictV) \
                        and isinstance(expr, cst.Name):
                    # A caller's dict: what the function itself sets or takes out of it
                    # before this read changes what is sent.
                    if setitems or assigns or len(others) > 1:
                        # set in place, or rebound (`params = {...params, ...}`)
                        return Unknown("changed in place", expr, stable=False)
                    return self._after_removals(expr, owner, value, None)
                return value
            if b.kind == "loop":
                return Text.of(Hole(code, "loop", expr, bound_at=b.node), node=expr)
            if b.kind == "import":
                if b.name is not None and b.module is not None:
                    imported = self._imported(b.module, b.name)
                    if imported is not None:
                        return imported
                return Unknown(f"imported {b.module}.{b.name or ''}", expr, stable=True)
            return Unknown(f"{b.kind} binding", expr, stable=owner_is_module)
        joined = self._joined_dicts(assigns, depth) \
            if len(assigns) > 1 and owner.kind == "function" else None
        if joined is None and (len(assigns) != 1 or assigns[0].value is None):
            return Unknown("bound more than once" if assigns else "unbound", expr,
                           stable=owner_is_module)
        b = assigns[0]
        assert b.value is not None
        value = joined if joined is not None else self.resolve(b.value, b.scope, depth)
        if setitems and isinstance(value, DictV):
            items = list(value.items)
            complete = value.complete
            always = {k for k, _ in value.items if k not in value.maybe}
            maybe = set(value.maybe)
            for s in setitems:
                if s.key is None or s.value is None:
                    complete = False
                    continue
                items.append((s.key, self.resolve(s.value, s.scope, depth)))
                if s.conditional or joined is not None:
                    maybe.add(s.key)  # not on every path, or perhaps before a rebinding
                else:
                    always.add(s.key)
            written = {s.key for s in setitems}
            value = DictV(tuple(items), value.node, complete, value.stable, value.key_nodes,
                          {k: v for k, v in value.sources.items() if k not in written},
                          frozenset(maybe - always))
        if isinstance(value, DictV) and isinstance(expr, cst.Name):
            value = self._after_removals(expr, owner, value, scope if _fresh_dict(b.value)
                                         and owner is scope else None)
        if not owner_is_module and isinstance(value, Unknown) and (
            b.in_loop or not value.stable
        ):
            # A local computed in the function: fixed where its inputs are (or, with no
            # visible input, where it is assigned).
            bound_at = value.bound_at if value.origin != "unknown" else b.value
            node = expr if b.in_loop else value.node
            return Unknown(value.reason, node, False, value.origin, value.volatile, bound_at)
        return value

    def _joined_dicts(self, assigns: list[Binding], depth: int) -> DictV | None:
        """A local bound to a dict in several places (`if ...: d = {...} else: d = {...}`):
        whichever binding reaches a read, the dict has the same keys when every binding
        gives a complete dict with the same keys. A key's value is kept when every binding
        gives the same constant, else unknown; keys on some paths only in one are so in all.
        None when the bindings differ."""
        dicts: list[DictV] = []
        for b in assigns:
            if b.kind != "assign" or b.value is None:
                return None
            v = self.resolve(b.value, b.scope, depth)
            if not isinstance(v, DictV) or not v.complete:
                return None
            if dicts and set(v.keys()) != set(dicts[0].keys()):
                return None
            dicts.append(v)
        first = dicts[0]
        items: list[tuple[str, Value]] = []
        for key in dict.fromkeys(first.keys()):
            values = [d.get(key) for d in dicts]
            v0 = values[0]
            if isinstance(v0, (Const, Text)) and all(_same_constant(v0, v) for v in values[1:]):
                # the same in every binding; no node: an edit of one would miss the others
                items.append((key, dataclasses.replace(v0, node=None)))
                continue
            items.append((key, Unknown("differs between bindings", None,
                                       all(getattr(v, "stable", False) for v in values))))
        maybe: frozenset[str] = frozenset().union(*(d.maybe for d in dicts))
        return DictV(tuple(items), None, True, all(d.stable for d in dicts), {}, {}, maybe)

    def _after_removals(self, expr: cst.Name, owner: Scope, value: DictV,
                        local: Scope | None) -> Value:
        """`value` without the keys the code takes out in place (`d.pop("k")`, `del d["k"]`,
        anywhere the name is this variable, on any path: a key perhaps removed is not known
        to be sent), and not complete when keys may be added (`d.update(...)`); unknown when a
        key removed is not a literal, or when a local dict is passed to a call that may change
        it. `local`: the function that builds the dict afresh on each call and reads it here,
        directly in its body; a removal in that body that can only run after this read
        (`_removed_after`) does not change what the read sees."""
        complete = value.complete and not any(
            (found := scope.lookup(expr.value)) is not None and found[0] is owner
            for scope in self.index.additions.get(expr.value, []))
        removed: set[str] = set()
        passes = [scope for scope in self.index.passed.get(expr.value, [])
                  if (found := scope.lookup(expr.value)) is not None and found[0] is owner]
        if owner.kind == "function" and passes and not (
            len(passes) == 1 and self.passed_to is not None and self._passes(expr.value)
        ):
            # A local dict handed to a call that may take keys out (`strip(params)`).
            return Unknown("passed to a call that may change it", expr, stable=False)
        for removal in self.index.removals.get(expr.value, []):
            found = removal.scope.lookup(expr.value)
            if found is None or found[0] is not owner:
                continue
            if local is not None and _removed_after(removal, local, expr, self.inside):
                continue
            key = removal.key
            if key is None:
                return Unknown("keys removed in place", expr, stable=owner.kind == "module")
            removed.add(key)
        if not removed and complete == value.complete:
            return value
        return DictV(tuple((k, v) for k, v in value.items if k not in removed), value.node,
                     complete, value.stable,
                     {k: n for k, n in value.key_nodes.items() if k not in removed},
                     {k: v for k, v in value.sources.items() if k not in removed},
                     value.maybe - removed)

    def _passes(self, name: str) -> bool:
        """Whether `passed_to` takes the name as a plain argument (the one pass allowed)."""
        call = self.passed_to
        return call is not None and any(
            not a.star and isinstance(a.value, cst.Name) and a.value.value == name
            for a in call.args)

    def inside(self, container: cst.CSTNode, node: cst.CSTNode) -> bool:
        raise NotImplementedError  # Resolver.inside (analysis/resolve.py)

    def _param(self, b: Binding, code: str, expr: cst.CSTNode, depth: int) -> Value:
        param = b.node
        assert isinstance(param, cst.Param)
        if getattr(self, "summarizing", False):
            # A function's summary (summaries.py): every parameter is a hole its callers fill.
            return Text.of(Hole(code, "param", expr, bound_at=param), node=expr)
        bound = self.bound_params.get(id(param))
        if bound is not None:
            return bound
        if param.default is not None and b.scope.parent is not None:
            # A parameter default is evaluated once, in the enclosing scope; the value used
            # when callers don't pass one. Report it as what the request most often sends.
            default = self.resolve(param.default, b.scope.parent, depth)
            none = isinstance(default, Const) and default.value is None
            if none or (isinstance(default, Const) and not default.value) or (
                    isinstance(default, Text) and default.literal == ""):
                # `if model is None: model = D` (a None default), `model = model or D` (any
                # falsy default): D is what a call that leaves the argument out sends.
                filled = self._none_filled(expr, b.scope, depth, if_none=none)
                if filled is not None:
                    return noted(filled[0], f"default of parameter `{param.name.value}` "
                                            f"(`{filled[1]}`, filled in when "
                                            f"{'None' if none else 'empty'})", replace=True)
            if none:
                return Text.of(Hole(code, "param", expr, bound_at=param), node=expr)
            return noted(default, f"default of parameter `{param.name.value}`")
        return Text.of(Hole(code, "param", expr, bound_at=param), node=expr)

    def _attribute(self, expr: cst.Attribute, scope: Scope, depth: int) -> Value:
        module_level = self.at_module_level(scope)
        attr = expr.attr.value
        fn = scope.function
        # self.X inside a method: attributes set once in __init__, or class attributes.
        if (
            fn is not None and fn.class_scope is not None
            and isinstance(expr.value, cst.Name) and expr.value.value == fn.self_name
        ):
            cls = fn.class_scope
            sets = cls.self_attrs.get(attr, [])
            if sets:
                if len(sets) == 1 and sets[0].name == "__init__" and sets[0].value is not None:
                    v = self.resolve(sets[0].value, sets[0].scope, depth)
                    if isinstance(v, Text) and v.dynamic_holes and all(
                        h.origin == "param" for h in v.dynamic_holes
                    ):
                        # Set once per instance from constructor arguments: stable for the
                        # instance's life.
                        return Unknown("set from __init__ arguments", expr, stable=True,
                                       origin="instance")
                    if isinstance(v, Text) and v.dynamic_holes:
                        # `self.started = datetime.now()` in __init__: fixed for the
                        # instance's life, not per call.
                        return retag(v, "instance")
                    if isinstance(v, Unknown) and not v.stable:
                        return Unknown(v.reason, v.node, True, "instance")
                    return v
                return Unknown(f"self.{attr} set in several places", expr)
            if attr in cls.bindings:
                return noted(self.from_bindings(expr, cls, cls.bindings[attr], True, depth),
                             f"`{cls.name}.{attr}` default")
            return Unknown(f"self.{attr}", expr)
        # ClassName.ATTR for a class of this module
        if isinstance(expr.value, cst.Name):
            found = scope.lookup(expr.value.value)
            if found is not None:
                for b in found[1]:
                    if b.kind == "class" and isinstance(b.node, cst.ClassDef):
                        cls_scope = self._class_scope(b.node)
                        if cls_scope is not None and attr in cls_scope.bindings:
                            return noted(self.from_bindings(expr, cls_scope,
                                                            cls_scope.bindings[attr], True,
                                                            depth),
                                         f"`{b.node.name.value}.{attr}`")
                    if b.kind == "import":
                        imported = self._module_attribute(expr, b)
                        if imported is None and b.name is not None and b.module is not None:
                            # `Config.MODEL` / `settings.model` for a class or an instance
                            # imported from a module of the project.
                            imported = self._imported(b.module, f"{b.name}.{attr}")
                        if imported is not None:
                            return imported
                        return Unknown("imported attribute", expr, stable=True)
        elif isinstance(expr.value, cst.Attribute):
            # `pkg.prompts.SYSTEM` after `import pkg.prompts`
            head = dotted_name(expr.value)
            found = scope.lookup(head.split(".")[0]) if head else None
            if found is not None:
                for b in found[1]:
                    if b.kind == "import":
                        imported = self._module_attribute(expr, b)
                        if imported is not None:
                            return imported
                        return Unknown("imported attribute", expr, stable=True)
        instance = self._instance_attribute(expr, scope, depth)
        if instance is not None:
            return instance
        if isinstance(expr.value, cst.Name) and not getattr(self, "summarizing", False):
            found = scope.lookup(expr.value.value)
            if found is not None and any(b.kind == "param" for b in found[1]):
                # `if config.model is None: config.model = DEFAULT` on a parameter's object
                filled = self._none_filled(expr, scope, depth)
                if filled is not None:
                    return noted(filled[0], f"`{filled[1]}`, filled in when "
                                            f"`{code_of(self.module, expr)}` is None",
                                 replace=True)
        return Unknown("attribute", expr, stable=module_level)

    def _none_filled(self, expr: cst.CSTNode, scope: Scope, depth: int,
                     if_none: bool = True) -> tuple[Value, str] | None:
        """The value `if X is None: X = D` (when `if_none`: the value left out is None) or
        `X = X or D` fills in for the read `expr` (none_fill.py), when it is a known text or
        constant, and `D` as written."""
        if not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        from claudelint.analysis.none_fill import fill_of

        got = fill_of(expr, scope, self.module, self.inside,
                      falsy=True)
        if got is None or (not if_none and isinstance(got[1], cst.If)):
            return None
        value = self.resolve(got[0], scope, depth)
        if not isinstance(value, (Text, Const)) or (
                isinstance(value, Const) and value.value is None):
            return None
        return value, code_of(self.module, got[0])

    # --- configuration objects -----------------------------------------------------------

    def _instance_attribute(self, expr: cst.Attribute, scope: Scope, depth: int
                            ) -> Value | None:
        """`config.model` where `config` is an instance of a class of the project made with
        no argument for that field (`config = Config()`, `self.config = config or
        Config()`, `Settings().model`): the class's default for it (a dataclass or
        pydantic field, a class attribute, or what `__init__` sets from a parameter's
        default), noted as a default — the deployed value may differ. A keyword argument
        of the same name at the construction gives its value instead."""
        attr = expr.attr.value
        stores = self._attribute_stores()
        if attr in stores or "*" in stores:
            return None  # `config.model = ...` somewhere: the default may not hold
        made = self._instance_call(expr.value, scope, 0)
        if made is None:
            return None
        call, call_scope = made
        if any(a.star or a.keyword is None for a in call.args):
            return None
        for a in call.args:
            if a.keyword is not None and a.keyword.value == attr:
                return self.resolve(a.value, call_scope, depth)
        if not isinstance(call.func, cst.Name):
            return None
        found = call_scope.lookup(call.func.value)
        if found is None or len(found[1]) != 1:
            return None
        b = found[1][0]
        cls_name = call.func.value
        if b.kind == "import" and b.name is not None and b.module is not None:
            if call.args:
                return None
            got = self._imported(b.module, f"{b.name}.{attr}")
            if got is None or isinstance(got, Unknown):
                return None
            return noted(got, f"`{b.name}.{attr}` default", replace=True)
        if b.kind != "class" or not isinstance(b.node, cst.ClassDef):
            return None
        cls_scope = self._class_scope(b.node)
        if cls_scope is None:
            return None
        init = cls_scope.bindings.get("__init__")
        if attr in cls_scope.bindings and (init is None or not call.args):
            bindings = cls_scope.bindings[attr]
            declared = _field_default(bindings)
            value = (self.resolve(declared, cls_scope, depth) if declared is not None
                     else self.from_bindings(expr, cls_scope, bindings, True, depth))
        else:
            sets = cls_scope.self_attrs.get(attr, [])
            if call.args or len(sets) != 1 or sets[0].name != "__init__" or sets[0].value is None:
                return None
            value = self.resolve(sets[0].value, sets[0].scope, depth)
        if isinstance(value, Unknown):
            return None
        return noted(value, f"`{cls_name}.{attr}` default")

    def _attribute_stores(self) -> frozenset[str]:
        """Attributes this module assigns on something other than `self` (`cfg.model =
        ...`, `self.config.model = ...`), and every attribute ("*") when it calls
        `setattr`."""
        memo = self.index.memo
        hit = memo.get("attribute_stores")
        if isinstance(hit, frozenset):
            return hit
        from claudelint.syntax.walk import iter_nodes

        out: set[str] = set()
        for node in iter_nodes(self.module):
            targets: list[cst.BaseExpression] = []
            if isinstance(node, cst.Assign):
                targets = [t.target for t in node.targets]
            elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
                targets = [node.target]
            elif isinstance(node, cst.Call) and dotted_name(node.func) == "setattr":
                out.add("*")
            for t in targets:
                if isinstance(t, cst.Attribute) and not (
                    isinstance(t.value, cst.Name) and t.value.value in ("self", "cls")
                ):
                    out.add(t.attr.value)
        got = frozenset(out)
        memo["attribute_stores"] = got
        return got

    def _instance_call(self, expr: cst.BaseExpression, scope: Scope, depth: int
                       ) -> tuple[cst.Call, Scope] | None:
        """The construction an instance expression comes from, and the scope it is in."""
        if depth > 4:
            return None
        if isinstance(expr, cst.Call):
            return expr, scope
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            # `config or Config()`: the fallback, as a default.
            return self._instance_call(expr.right, scope, depth + 1)
        if isinstance(expr, cst.Name):
            found = scope.lookup(expr.value)
            if found is None:
                return None
            assigns = [b for b in found[1] if b.kind == "assign"]
            others = [b for b in found[1] if b.kind not in ("assign", "annotation")]
            if len(assigns) != 1 or assigns[0].value is None:
                return None
            value = assigns[0].value
            if others and not (
                len(others) == 1 and others[0].kind == "param"
                and isinstance(value, cst.BooleanOperation)
                and isinstance(value.left, cst.Name) and value.left.value == expr.value
            ):
                return None  # `config = config or Config()` after the parameter only
            return self._instance_call(value, assigns[0].scope, depth + 1)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            fn = scope.function
            if fn is None or fn.class_scope is None or expr.value.value != fn.self_name:
                return None
            sets = fn.class_scope.self_attrs.get(expr.attr.value, [])
            if len(sets) != 1 or sets[0].name != "__init__" or sets[0].value is None:
                return None
            return self._instance_call(sets[0].value, sets[0].scope, depth + 1)
        return None

    # --- other modules of the project ----------------------------------------------------

    def _imported(self, module: str, name: str) -> Value | None:
        """`from module import name`: the name's value in that module of the project."""
        if self.project is None or self.path is None:
            return None
        return self.project.import_value(self.path, module, name, self.deps)

    def _module_attribute(self, expr: cst.Attribute, b: Binding) -> Value | None:
        """`alias.NAME` / `pkg.mod.NAME` where the head is an imported module."""
        if self.project is None or self.path is None or b.module is None:
            return None
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        _, _, rest = dotted.partition(".")
        if b.name is None:  # `import a.b as x` (x.NAME), `import a.b` (binds a: a.b.NAME)
            base = b.module
        else:  # from m import sub
            base = b.module + b.name if b.module.endswith(".") else f"{b.module}.{b.name}"
        module, _, attr = f"{base}.{rest}".rpartition(".")
        # None when `module` is not part of the project (its absence is recorded in deps).
        return self.project.import_value(self.path, module, attr, self.deps)

    def _class_scope(self, node: cst.ClassDef) -> Scope | None:
        for s in self.index.scopes:
            if s.node is node:
                return s
        return None


def _same_constant(a: Value | None, b: Value | None) -> bool:
    if isinstance(a, Const) and isinstance(b, Const):
        return type(a.value) is type(b.value) and a.value == b.value
    if isinstance(a, Text) and isinstance(b, Text):
        if a.literal is not None:
            return a.literal == b.literal
        # the same parameter (or other input fixed at one place) in both
        return len(a.parts) == len(b.parts) and all(
            p == q if isinstance(p, str) else (
                isinstance(q, Hole) and p.bound_at is not None and p.bound_at is q.bound_at
                and p.origin == q.origin)
            for p, q in zip(a.parts, b.parts, strict=True))
    return False


def _field_default(bindings: list[Binding]) -> cst.BaseExpression | None:
    """The default of a field declared with `field(default=...)` (dataclasses) or
    `Field(...)` / `Field(default=...)` (pydantic), when that is its one binding."""
    assigns = [b for b in bindings if b.kind != "annotation"]
    if len(assigns) != 1 or assigns[0].kind != "assign":
        return None
    call = assigns[0].value
    if not isinstance(call, cst.Call):
        return None
    name = (dotted_name(call.func) or "").rpartition(".")[2]
    if name not in ("field", "Field"):
        return None
    for a in call.args:
        if a.keyword is not None and a.keyword.value == "default":
            return a.value
    if name == "Field" and call.args and call.args[0].keyword is None and not call.args[0].star:
        return call.args[0].value
    return None


def reaching_bindings(bindings: list[Binding],
                      at: tuple[int, tuple[int, ...]]) -> list[Binding] | None:
    """The module-level bindings of a name that reach a read at `at` (its sequence number
    and conditional blocks): the last binding before the read whose blocks enclose the read,
    with the `name["k"] = v` updates after it. None when no binding surely reaches the read,
    or when a binding in a block that does not enclose the read (an `if` branch, a `try`
    body, a loop the read is not in) comes after the last sure one."""
    seq, blocks = at
    updates: list[Binding] = []
    for b in sorted((b for b in bindings if b.seq < seq), key=lambda b: b.seq, reverse=True):
        if b.blocks != blocks[: len(b.blocks)]:
            return None  # rebound conditionally since
        if b.kind == "setitem":
            updates.append(b)
            continue
        if b.kind == "annotation":
            continue
        return [b, *reversed(updates)]
    return None


def _fresh_dict(value: cst.BaseExpression | None) -> bool:
    """Whether the expression makes a new dict each time it runs (a display, a comprehension,
    `dict(...)`, `x.copy()`): removing its keys in place changes no other name's dict."""
    if isinstance(value, (cst.Dict, cst.DictComp)):
        return True
    if isinstance(value, cst.Call):
        func = value.func
        return (isinstance(func, cst.Name) and func.value == "dict") or (
            isinstance(func, cst.Attribute) and func.attr.value == "copy" and not value.args)
    return False


def _removed_after(removal: Removal, scope: Scope, read: cst.CSTNode,
                   inside: Callable[[cst.CSTNode, cst.CSTNode], bool]) -> bool:
    """Whether `removal` can only run after `read`: both directly in the body of the function
    `scope` (not in a nested function, lambda or comprehension, which may run later), no loop
    around the removal also holds the read, and the removal's statement comes after the read
    in the function's text (a removal in the statement that holds the read counts as before)."""
    if removal.scope is not scope or scope.kind != "function":
        return False
    if any(inside(loop.node, read) for loop in removal.loops):
        return False
    stack: list[cst.CSTNode] = [scope.node]
    while stack:
        node = stack.pop()
        if node is removal.statement:
            return False
        if node is read:
            return True
        kids = children(node)
        kids.reverse()
        stack.extend(kids)
    return False
