"""Where a value that changes between requests comes from, for `Resolver`
(analysis/resolve.py): a volatile call (`datetime.now()`, `uuid4()`), a loop variable, a
changing local or a parameter; the hole a value leaves in a text and the origin it is tagged
with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.names import MAX_DEPTH, NameLookup, code_of
from claudelint.analysis.values import (
    CHANGING_ORIGINS,
    DictV,
    Hole,
    ListV,
    Text,
    Unknown,
    Value,
)
from claudelint.syntax.scopes import Scope, dotted_name
from claudelint.syntax.walk import children

if TYPE_CHECKING:
    pass

# Calls whose result differs on every evaluation.
VOLATILE_CALLS = frozenset(
    {
        "datetime.now", "datetime.utcnow", "datetime.today", "datetime.datetime.now",
        "datetime.datetime.utcnow", "datetime.datetime.today", "date.today",
        "datetime.date.today", "time.time", "time.time_ns", "time.monotonic",
        "time.perf_counter", "time.strftime", "time.ctime", "time.localtime", "time.gmtime",
        "uuid.uuid1", "uuid.uuid4", "uuid4", "uuid1", "os.urandom", "secrets.token_hex",
        "secrets.token_urlsafe", "random.random", "random.randint", "random.choice",
        "random.sample", "random.shuffle", "random.uniform", "now", "utcnow",
    }
)
# Modules whose every function returns something new on each call.
VOLATILE_MODULES = ("random.", "uuid.", "secrets.")



class Provenance(NameLookup):
    """Provenance of unknown values: the resolver part that tags holes with their origin."""

    def _hole_for(self, value: Value, expr: cst.CSTNode, scope: Scope) -> Hole:
        if isinstance(value, Text) and value.holes and len(value.parts) == 1:
            return value.holes[0]
        if value.stable or self.at_module_level(scope):
            return Hole(code_of(self.module, expr), "module", expr)
        if isinstance(value, Text):
            h = value.first_dynamic_hole()
            if h is not None:
                return Hole(code_of(self.module, expr), h.origin, expr, h.volatile, h.site)
        if isinstance(value, Unknown):
            return Hole(code_of(self.module, expr), value.origin, expr, value.volatile,
                        value.bound_at)
        return Hole(code_of(self.module, expr), _origin_of(value), expr,
                    _is_volatile(value))

    # --- provenance ----------------------------------------------------------------------

    def _with_provenance(self, value: Unknown, expr: cst.CSTNode, scope: Scope,
                         depth: int) -> Unknown:
        """An unknown computed in a function from a parameter, a loop variable or a volatile
        call takes that input's origin (and is fixed where that input is); else unchanged."""
        source = self.changing_source(expr, scope, depth)
        if source is None:
            return value
        return Unknown(value.reason, value.node, False, source.origin, source.volatile,
                       source.site)

    def changing_source(self, expr: cst.CSTNode, scope: Scope, depth: int = 0) -> Hole | None:
        """The input an expression is computed from that changes between evaluations: a
        volatile call, a loop variable, a changing local or a parameter (preferred in that
        order), or None. `self`/`cls` and names bound once at module level are not inputs."""
        if depth > MAX_DEPTH:
            return None
        fn = scope.function
        best: Hole | None = None
        for node in _inputs(expr):
            if isinstance(node, cst.Call):
                if self._is_volatile_call(node, scope):
                    return Hole(code_of(self.module, node), "call", node, True)
                continue
            if fn is not None and node.value == fn.self_name:
                continue
            found = scope.lookup(node.value)
            if found is None or found[0].evaluated_once:
                continue
            h = _changing_hole(self.resolve(node, scope, depth + 1))
            if h is not None and (best is None or _RANK[h.origin] < _RANK[best.origin]):
                best = h
        return best

    def _is_volatile_call(self, call: cst.Call, scope: Scope) -> bool:
        name = dotted_name(call.func) or ""
        qual = self.qualified_name(call.func, scope) or name
        return qual in VOLATILE_CALLS or name in VOLATILE_CALLS or qual.startswith(
            VOLATILE_MODULES
        )

    def _volatile_base(self, base: cst.BaseExpression, scope: Scope, depth: int) -> bool:
        """`datetime.now().isoformat()`, `uuid4().hex`, `now.strftime(...)`: a method or
        attribute of a volatile value is volatile too."""
        if not isinstance(base, (cst.Call, cst.Name, cst.Attribute)):
            return False
        if isinstance(base, cst.Attribute) and not isinstance(base.value, cst.Call):
            return False
        v = self.resolve(base, scope, depth)
        if isinstance(v, Text):
            return any(h.volatile and not h.stable for h in v.holes)
        return isinstance(v, Unknown) and v.volatile and not v.stable


def _origin_of(value: Value) -> str:
    if isinstance(value, Text):
        h = value.first_dynamic_hole()
        return h.origin if h else "module"
    if isinstance(value, Unknown):
        return value.origin
    return "unknown"


# Preference among inputs when an unknown value is computed from several.
_RANK = {"call": 0, "loop": 1, "param": 2}


def _changing_hole(value: Value) -> Hole | None:
    """The most telling input of a value that changes between evaluations, if any."""
    best: Hole | None = None
    candidates: list[Hole] = []
    if isinstance(value, Unknown):
        if value.origin in CHANGING_ORIGINS and not value.stable:
            return Hole("", value.origin, value.node, value.volatile, value.bound_at)
        return None
    if isinstance(value, Text):
        candidates = [h for h in value.holes if not h.stable]
    elif isinstance(value, (ListV, DictV)):
        items = value.items if isinstance(value, ListV) else tuple(v for _, v in value.items)
        for item in items:
            h = _changing_hole(item)
            if h is not None:
                candidates.append(h)
    for h in candidates:
        if h.origin in CHANGING_ORIGINS and (best is None or _RANK[h.origin] < _RANK[best.origin]):
            best = h
    return best


def _inputs(expr: cst.CSTNode) -> list[cst.Name | cst.Call]:
    """The names an expression reads and the calls it makes (not attribute names, keyword
    names or the called function's own name)."""
    out: list[cst.Name | cst.Call] = []
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            if node.value not in ("True", "False", "None"):
                out.append(node)
            continue
        if isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Call):
            out.append(node)
            if not isinstance(node.func, cst.Name):
                stack.append(node.func)
            stack.extend(a.value for a in node.args)
            continue
        if isinstance(node, cst.Arg):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Lambda):
            continue
        stack.extend(children(node))
    return out


def _is_volatile(value: Value) -> bool:
    return isinstance(value, Text) and any(h.volatile for h in value.holes)
