"""Static values: what the engine knows about an expression without running it.

A value is one of:
- `Text`: text with holes — known characters and the places where run-time values go;
- `Const`: a number, bool or None;
- `ListV` / `DictV`: containers of values (dict keys must be known strings);
- `Unknown`: nothing usable is known.

Every value remembers the syntax node it came from (for positions and fixes) and whether it
is *stable*: evaluated once for the life of the process (module level), so not "dynamic" for
caching purposes even when its content is unknown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import libcst as cst

# Holes travel through string operations (dedent, strip, join) as private-use characters.
_SENTINEL_BASE = 0xF0000


@dataclass(frozen=True, eq=False)
class Hole:
    """A run-time value inside a text.

    `origin` says where the value comes from: "module" (evaluated once at import), "instance"
    (an attribute set once in `__init__`: fixed for the object's life), "loop" (a loop
    variable), "param" (a function parameter), "call" (a call made each time, such as
    `datetime.now()`), "unknown" (nothing shows where it comes from). A value computed in a
    function from one of these (`"\n".join(chunks)`, `now.isoformat()`) takes its input's
    origin, and `bound_at` says where that input is fixed.
    """

    expr: str
    origin: str
    node: cst.CSTNode | None = None
    # Set when the value is a time/randomness source (datetime.now(), uuid4(), random...).
    volatile: bool = False
    # Where the value gets fixed: the node whose evaluation decides it — the assigned
    # expression of a local, the `Param` of a parameter, the loop of a loop variable, the call
    # itself for a call. A value fixed outside the loop that makes a request is the same on
    # every call of that loop (see `Request.changes`). None: at `node`.
    bound_at: cst.CSTNode | None = None

    @property
    def stable(self) -> bool:
        return self.origin in STABLE_ORIGINS and not self.volatile

    @property
    def site(self) -> cst.CSTNode | None:
        """The node whose evaluation fixes the value."""
        return self.bound_at if self.bound_at is not None else self.node


# Origins of values that are the same on every call, whatever the call site.
STABLE_ORIGINS = frozenset({"module", "instance"})
# Origins that are evidence of a value that changes between calls (unless fixed outside the
# loop that makes the calls); "unknown" is not evidence.
CHANGING_ORIGINS = frozenset({"param", "loop", "call"})


Part = str | Hole


@dataclass(frozen=True, eq=False)
class Text:
    parts: tuple[Part, ...]
    node: cst.CSTNode | None = None
    # True when every evaluation of the expression gives the same text.
    stable: bool = False
    # Where the value was found when it is not written where it is used (see `noted`).
    via: str = ""

    @staticmethod
    def of(*parts: Part, node: cst.CSTNode | None = None, stable: bool = False) -> Text:
        return Text(_merge(parts), node, stable)

    @property
    def holes(self) -> tuple[Hole, ...]:
        return tuple(p for p in self.parts if isinstance(p, Hole))

    @property
    def dynamic_holes(self) -> tuple[Hole, ...]:
        return tuple(h for h in self.holes if not h.stable)

    @property
    def is_static(self) -> bool:
        """No part changes between calls (stable holes allowed)."""
        return not self.dynamic_holes

    @property
    def literal(self) -> str | None:
        """The full text when it has no holes at all."""
        if self.holes:
            return None
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def known(self) -> str:
        """All known characters (holes dropped)."""
        return "".join(p for p in self.parts if isinstance(p, str))

    def static_head(self) -> str:
        """Known characters before the first dynamic hole."""
        out: list[str] = []
        for p in self.parts:
            if isinstance(p, Hole):
                if not p.stable:
                    break
                continue
            out.append(p)
        return "".join(out)

    def first_dynamic_hole(self) -> Hole | None:
        for h in self.holes:
            if not h.stable:
                return h
        return None

    # --- string operations applied through sentinels -------------------------------------

    def encode(self) -> tuple[str, list[Hole]]:
        holes: list[Hole] = []
        out: list[str] = []
        for p in self.parts:
            if isinstance(p, Hole):
                out.append(chr(_SENTINEL_BASE + len(holes)))
                holes.append(p)
            else:
                out.append(p)
        return "".join(out), holes

    @staticmethod
    def decode(s: str, holes: list[Hole], node: cst.CSTNode | None, stable: bool) -> Text:
        parts: list[Part] = []
        buf: list[str] = []
        for ch in s:
            i = ord(ch) - _SENTINEL_BASE
            if 0 <= i < len(holes):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(holes[i])
            else:
                buf.append(ch)
        if buf:
            parts.append("".join(buf))
        return Text(tuple(parts), node, stable)

    def map(self, fn: Callable[[str], str], node: cst.CSTNode | None) -> Text:
        s, holes = self.encode()
        return Text.decode(fn(s), holes, node, self.stable)

    def __add__(self, other: Text) -> Text:
        return Text(_merge(self.parts + other.parts), None, self.stable and other.stable)


def _merge(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    out: list[Part] = []
    for p in parts:
        if isinstance(p, str):
            if not p:
                continue
            if out and isinstance(out[-1], str):
                out[-1] = out[-1] + p
                continue
        out.append(p)
    return tuple(out)


@dataclass(frozen=True, eq=False)
class Const:
    value: int | float | bool | None
    node: cst.CSTNode | None = None
    stable: bool = True
    via: str = ""


@dataclass(frozen=True, eq=False)
class ListV:
    items: tuple[Value, ...]
    node: cst.CSTNode | None = None
    # False when some elements could not be resolved (a starred unknown, a comprehension).
    complete: bool = True
    stable: bool = False


@dataclass(frozen=True, eq=False)
class DictV:
    items: tuple[tuple[str, Value], ...]
    node: cst.CSTNode | None = None
    complete: bool = True
    stable: bool = False
    # key -> the syntax node of the key/value pair's value, for edits
    key_nodes: dict[str, Any] = field(default_factory=dict)
    # key -> where the key was found when not written where the dict is used ("the return
    # value of `make_params()`"), for messages about the keys it gives (see `noted`).
    sources: dict[str, str] = field(default_factory=dict)
    # Keys set on some paths only (`if top_p: params["top_p"] = top_p`).
    maybe: frozenset[str] = frozenset()

    def get(self, key: str) -> Value | None:
        for k, v in reversed(self.items):
            if k == key:
                return v
        return None

    def keys(self) -> list[str]:
        return [k for k, _ in self.items]


@dataclass(frozen=True, eq=False)
class Unknown:
    reason: str = ""
    node: cst.CSTNode | None = None
    stable: bool = False
    # Provenance, as for `Hole`: what the unknown value is computed from, when that shows
    # (e.g. "param" for `"\n".join(chunks)` with `chunks` a parameter), and where it is fixed.
    origin: str = "unknown"
    volatile: bool = False
    bound_at: cst.CSTNode | None = None


Value = Text | Const | ListV | DictV | Unknown


def some_paths_only(parts: Iterable[DictV | str]) -> frozenset[str]:
    """The keys on some paths only of a dict merged from `parts` in order (dicts spread into
    it and keys written in it): a key written, or always in a part, is always there."""
    always: set[str] = set()
    maybe: set[str] = set()
    for part in parts:
        if isinstance(part, str):
            always.add(part)
            continue
        maybe |= part.maybe
        always |= {k for k, _ in part.items if k not in part.maybe}
    return frozenset(maybe - always)


def merged_sources(parts: Iterable[DictV | str]) -> dict[str, str]:
    """Where each key of a dict merged from `parts` in order was found (see
    `DictV.sources`): a key written in the merge has no note; the last part wins."""
    out: dict[str, str] = {}
    for part in parts:
        if isinstance(part, str):
            out.pop(part, None)
            continue
        for k, _ in part.items:
            out.pop(k, None)
        out.update(part.sources)
    return out


def noted(value: Value, via: str, *, replace: bool = False) -> Value:
    """The same value with a note of where it was found, for messages: "default of
    environment variable `MODEL`", "`Settings.model` default", "the return value of
    `make_payload()`"
    (texts and constants, and the entries of a dict; an existing note is kept — it is the
    more precise one — unless `replace`). A
    value read from a default may differ where the code is deployed; rules print the note
    and use such a value only where the default matters (the model, `max_tokens`)."""
    if isinstance(value, (Text, Const)) and (replace or not value.via) and via:
        return dataclasses.replace(value, via=via)
    if isinstance(value, DictV) and via:
        # `create(**make_payload())`: each argument the dict gives was found there.
        return dataclasses.replace(value, items=tuple(
            (k, v if isinstance(v, (ListV, DictV)) else noted(v, via, replace=replace))
            for k, v in value.items), sources={
                k: value.sources[k] if k in value.sources and not replace else via
                for k, _ in value.items})
    return value


def via_of(value: Value | None) -> str:
    """The note of where a value was found ("" when written where it is used)."""
    return value.via if isinstance(value, (Text, Const)) else ""


def as_text(value: Value | None) -> Text | None:
    return value if isinstance(value, Text) else None


def const_int(value: Value | None) -> int | None:
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(
        value.value, bool
    ):
        return value.value
    return None


def const_str(value: Value | None) -> str | None:
    if isinstance(value, Text):
        return value.literal
    return None


def retag(text: Text, origin: str) -> Text:
    """The same text with every dynamic hole given `origin` (and no longer volatile), e.g. a
    value set once in `__init__` becomes "instance": fixed for the object's life."""
    parts = tuple(
        Hole(p.expr, origin, p.node, False, p.bound_at)
        if isinstance(p, Hole) and not p.stable else p
        for p in text.parts
    )
    return Text(parts, text.node, origin in STABLE_ORIGINS or text.stable)


def walk_texts(value: Value | None) -> Iterator[Text]:
    """Every Text inside a value, in document order."""
    if isinstance(value, Text):
        yield value
    elif isinstance(value, ListV):
        for item in value.items:
            yield from walk_texts(item)
    elif isinstance(value, DictV):
        for _, item in value.items:
            yield from walk_texts(item)
