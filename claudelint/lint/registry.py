"""All rules, and how codes, prefixes and names select them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from functools import cache

from claudelint.finding import PARSE_ERROR_CODE, PARSE_ERROR_NAME
from claudelint.lint.rule import Rule


@cache
def all_rules() -> tuple[type[Rule], ...]:
    from claudelint.rules import RULES

    return tuple(sorted(RULES, key=lambda r: r.code))


@cache
def _by_key() -> dict[str, type[Rule]]:
    table: dict[str, type[Rule]] = {}
    for rule in all_rules():
        table[rule.code.upper()] = rule
        table[rule.name.lower()] = rule
    return table


def get_rule(key: str) -> type[Rule] | None:
    """A rule by its code (`CL101`, any case) or its name (`missing-cache-control`)."""
    key = key.strip()
    return _by_key().get(key.upper()) or _by_key().get(key.lower())


def _known_codes() -> list[str]:
    return [PARSE_ERROR_CODE, *[r.code for r in all_rules()]]


def is_valid_selector(selector: str) -> bool:
    """A code, a code prefix (`CL`, `CL1`), a name, or `ALL`."""
    s = selector.strip()
    if s.upper() == "ALL" or get_rule(s) is not None:
        return True
    if s.lower() == PARSE_ERROR_NAME:
        return True
    up = s.upper()
    return bool(up) and any(code.startswith(up) for code in _known_codes())


def suggest(selector: str) -> str | None:
    """The closest known code or name, for a did-you-mean."""
    candidates = [*_known_codes(), *[r.name for r in all_rules()]]
    s = selector.strip()
    match = difflib.get_close_matches(s.upper(), [c.upper() for c in candidates], n=1)
    if not match:
        match = difflib.get_close_matches(s.lower(), [c.lower() for c in candidates], n=1)
    if not match:
        return None
    for c in candidates:
        if c.upper() == match[0].upper():
            return c
    return None


def _matches(rule: type[Rule], selector: str) -> bool:
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    if s.lower() == rule.name:
        return True
    return rule.code.startswith(s.upper())


def _exact(rule: type[Rule], selector: str) -> bool:
    s = selector.strip()
    return s.upper() == rule.code or s.lower() == rule.name


def select_rules(
    select: Sequence[str], extend_select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> tuple[type[Rule], ...]:
    """Rules enabled by select + extend_select, minus ignore. Opt-in rules need their exact
    code or name."""
    chosen = [*select, *extend_select]
    ignored = list(ignore)
    out = []
    for rule in all_rules():
        picked = [s for s in chosen if _matches(rule, s)]
        if not picked:
            continue
        if rule.opt_in and not any(_exact(rule, s) for s in picked):
            continue
        if any(_matches(rule, s) for s in ignored):
            continue
        out.append(rule)
    return tuple(out)


def code_matches(code: str, name: str, selectors: Iterable[str]) -> bool:
    """Whether a finding's code/name is covered by any selector (for ignores)."""
    for s in selectors:
        s = s.strip()
        if s.upper() == "ALL" or s.lower() == name or (s and code.startswith(s.upper())):
            return True
    return False
