"""A read-only traversal of libcst trees, several times cheaper than `node.visit(visitor)`.

libcst's `visit` is built for transformers: every node it passes is rebuilt (its
`_visit_and_replace_children` constructs and validates a new node) and two attribute hooks run
per field, so a no-op traversal costs about as much as the parse itself. The analysis never
changes a tree: it reads each node's fields directly, in the order libcst would visit them, and
skips trivia (whitespace, comments, commas, parentheses, brackets), which no rule looks at.

The field order of each node class is learnt once per process from libcst itself (the
`on_visit_attribute` hook names every field in visiting order, present or not), so a walk meets
the non-trivia nodes in exactly the order `node.visit` would; `tests/test_cstwalk.py` checks
that on every fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import libcst as cst

# Nodes that hold only layout: no rule reads them, and a walk does not enter them.
TRIVIA: frozenset[type] = frozenset({
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine,
    cst.Newline, cst.Comment, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket,
    cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Comma, cst.Semicolon,
    cst.Colon, cst.Dot, cst.AssignEqual,
})

_FIELDS: dict[type, tuple[str, ...]] = {}  # the fields that may hold non-trivia nodes
_ALL_FIELDS: dict[type, tuple[str, ...]] = {}  # every field that may hold a node


class _FieldOrder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.names.append(attribute)


def _fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The fields of `node`'s class that may hold child nodes, in libcst's visiting order."""
    cls = type(node)
    rec = _FieldOrder()
    node._visit_and_replace_children(rec)
    names = list(dict.fromkeys(rec.names))
    # A field libcst visits only when it is set (`format_spec`) comes last, as it does there.
    names += [f for f in cls.__dataclass_fields__
              if f not in names and getattr(node, f) is None]
    _ALL_FIELDS[cls] = tuple(names)
    out = _FIELDS[cls] = tuple(n for n in names if not _layout_only(n))
    return out


def _layout_only(name: str) -> bool:
    return (name.startswith(("whitespace", "lpar", "rpar", "lbracket", "rbracket", "lbrace",
                             "rbrace"))
            or name in ("leading_lines", "lines_after_decorators", "header", "footer",
                        "comma", "semicolon", "newline", "trailing_whitespace",
                        "first_line", "empty_lines", "colon", "equal"))


# Field values that are not nodes: a walk passes them by.
_LEAF: frozenset[type] = frozenset({type(None), str, bool, int, cst.MaybeSentinel})


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The non-trivia children of `node`, in visiting order."""
    out: list[cst.CSTNode] = []
    names = _FIELDS.get(type(node))
    for name in _fields(node) if names is None else names:
        v = getattr(node, name)
        t = type(v)
        if t is tuple or t is list:
            out.extend(x for x in v if type(x) not in TRIVIA)
        elif t not in _LEAF and t not in TRIVIA:
            out.append(v)
    return out


def all_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Every child of `node`, trivia included, in visiting order."""
    if type(node) not in _ALL_FIELDS:
        _fields(node)
    out: list[cst.CSTNode] = []
    for name in _ALL_FIELDS[type(node)]:
        v = getattr(node, name)
        t = type(v)
        if t is tuple or t is list:
            out.extend(v)
        elif t not in _LEAF:
            out.append(v)
    return out


def iter_nodes(root: cst.CSTNode, trivia: bool = False) -> list[cst.CSTNode]:
    """`root` and every node under it, in document order; trivia only when asked."""
    kids_of = all_children if trivia else children
    out: list[cst.CSTNode] = []
    stack = [root]
    while stack:
        n = stack.pop()
        out.append(n)
        kids = kids_of(n)
        kids.reverse()
        stack.extend(kids)
    return out


_Hook = Callable[["Visitor", cst.CSTNode], object]


class Visitor:
    """A read-only visitor walked by `walk`: `visit_<Node>(node)` (return False to skip the
    node's children) and `leave_<Node>(node)` methods, or `on_visit`/`on_leave` overrides,
    as with `libcst.CSTVisitor`."""

    _table: ClassVar[dict[type, tuple[_Hook | None, _Hook | None]]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._table = {}

    def _hooks(self, t: type) -> tuple[_Hook | None, _Hook | None]:
        cls = type(self)
        got = cls._table.get(t)
        if got is None:
            got = cls._table[t] = (getattr(cls, "visit_" + t.__name__, None),
                                   getattr(cls, "leave_" + t.__name__, None))
        return got

    def on_visit(self, node: cst.CSTNode) -> bool:
        visit = self._hooks(type(node))[0]
        return visit is None or visit(self, node) is not False

    def on_leave(self, node: cst.CSTNode) -> None:
        leave = self._hooks(type(node))[1]
        if leave is not None:
            leave(self, node)

    def walk(self, node: cst.CSTNode) -> None:
        """Visit `node` and, unless its visit says no, everything under it."""
        cls = type(self)
        if cls.on_visit is Visitor.on_visit and cls.on_leave is Visitor.on_leave:
            _walk_hooks(self, node, cls._table)
        else:
            _walk_generic(self, node)


def _walk_hooks(v: Visitor, node: cst.CSTNode,
                table: dict[type, tuple[_Hook | None, _Hook | None]]) -> None:
    t = type(node)
    if t is _CONCAT:
        _walk_concat(v, node, table)
        return
    visit, leave = table.get(t) or v._hooks(t)
    if visit is None or visit(v, node) is not False:
        names = _FIELDS.get(t)
        for name in _fields(node) if names is None else names:
            x = getattr(node, name)
            tx = type(x)
            if tx is tuple or tx is list:
                for y in x:
                    if type(y) not in TRIVIA:
                        _walk_hooks(v, y, table)
            elif tx not in _LEAF and tx not in TRIVIA:
                _walk_hooks(v, x, table)
    if leave is not None:
        leave(v, node)


_CONCAT = cst.ConcatenatedString


def _walk_concat(v: Visitor, node: cst.CSTNode,
                 table: dict[type, tuple[_Hook | None, _Hook | None]]) -> None:
    """`"a" "b" "c" ...`: libcst nests each further literal one level deeper (`right`), so a
    long run (1,000 literals in the stdlib's `pydoc_data/topics.py`) would exhaust Python's
    recursion limit. Walk the chain in a loop, in the same order."""
    left: list[tuple[_Hook, cst.CSTNode]] = []
    while True:
        visit, leave = table.get(_CONCAT) or v._hooks(_CONCAT)
        if leave is not None:
            left.append((leave, node))
        if visit is not None and visit(v, node) is False:
            break
        assert isinstance(node, cst.ConcatenatedString)
        _walk_hooks(v, node.left, table)
        node = node.right
        if type(node) is not _CONCAT:
            _walk_hooks(v, node, table)
            break
    for leave, n in reversed(left):
        leave(v, n)


def _walk_generic(v: Visitor, node: cst.CSTNode) -> None:
    if v.on_visit(node):
        for child in children(node):
            _walk_generic(v, child)
    v.on_leave(node)
