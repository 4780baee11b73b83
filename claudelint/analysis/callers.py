"""How a function of the module is called from its callers, beyond a call by its own name
(analysis/repetition.py follows the loops around those calls): through a local name bound to
it, alone or as one of several functions of the module."""

from __future__ import annotations

import libcst as cst

from claudelint.analysis.facts import Facts


def alias_calls(facts: Facts, fn: cst.FunctionDef) -> list[tuple[cst.Call, str, cst.CSTNode]]:
    """Calls of `fn` through a name bound to it: `call = fn`, `call = fn if c else g`, or an
    `if`/`else` binding it to one of several functions. Every binding of the name the call
    sees must name functions defined in this module (at least one of them `fn`): a name that
    may hold anything else (an imported function, a parameter) is not followed. Each call
    comes with the name and the first statement binding it (for the message's provenance)."""
    out: list[tuple[cst.Call, str, cst.CSTNode]] = []
    for alias, sites in _aliases(facts).get(fn.name.value, {}).items():
        for site in sites:
            found = facts.scope_at(site).lookup(alias)
            if found is None or not found[1] or len(found[1]) > 4:
                continue
            reached: list[cst.FunctionDef] = []
            first: cst.CSTNode | None = None
            for b in found[1]:
                if b.kind != "assign" or b.value is None:
                    reached = []
                    break
                fns = _functions_named(facts, b.value)
                if fns is None:
                    reached = []
                    break
                reached.extend(fns)
                first = first or b.value
            if not any(f is fn for f in reached) or first is None:
                continue
            out.append((site, alias, facts.parent(first) or first))
    return out


def _aliases(facts: Facts) -> dict[str, dict[str, list[cst.Call]]]:
    """Function name -> name assigned from it (`call = fn`, `call = fn if c else g`) -> the
    calls of that name; computed once per module."""
    got = facts.index.memo.get("repetition.aliases")
    if isinstance(got, dict):
        return got
    out: dict[str, dict[str, list[cst.Call]]] = {}
    for chain, pairs in facts.assigns.items():
        if "." in chain or chain not in facts.calls:
            continue
        for _, value in pairs:
            for leaf in _leaves(value):
                if leaf != chain:
                    out.setdefault(leaf, {})[chain] = [
                        c for c in facts.calls[chain] if isinstance(c.func, cst.Name)]
    facts.index.memo["repetition.aliases"] = out
    return out


def _leaves(value: cst.BaseExpression | None) -> list[str]:
    """The names an alias may hold: `fn`, or each branch of `a if c else b` (nested)."""
    if isinstance(value, cst.Name):
        return [value.value]
    if isinstance(value, cst.IfExp):
        return [*_leaves(value.body), *_leaves(value.orelse)]
    return []


def _functions_named(facts: Facts, value: cst.BaseExpression) -> list[cst.FunctionDef] | None:
    """The functions of this module `value` names (each branch of a conditional expression),
    or None when one branch is anything else."""
    if isinstance(value, cst.IfExp):
        a = _functions_named(facts, value.body)
        b = _functions_named(facts, value.orelse)
        return None if a is None or b is None else [*a, *b]
    if not isinstance(value, cst.Name):
        return None
    found = facts.scope_at(value).lookup(value.value)
    if found is None or len(found[1]) != 1 or found[1][0].kind != "def":
        return None
    node = found[1][0].node
    if not isinstance(node, cst.FunctionDef):
        return None
    scope = facts.scope_of.get(id(node))
    if scope is None or scope.class_scope is not None:
        return None
    return [node]
