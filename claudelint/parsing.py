"""Parsing with libcst within bounds: a file must never crash, hang or exhaust the run.

libcst's native parser recurses on the C stack, and its cost grows with the square of the
nesting: on this machine (8 MB stack) `x = [[[...]]]` 2,000 deep, `-` repeated 10,000 times,
an `a or b or ...` chain of 10,000 terms or a 10,000-branch `elif` chain kill the process with
SIGSEGV (no Python exception; in a worker, the whole run dies), and an `x if c else ...` chain
3,000 deep takes 1.6 GB. CPython's own parser bounds nesting (200 brackets, about 3,000 tree
levels) and fails quickly and cleanly, so before libcst sees a text:

- a text longer than `MAX_CHARS` is refused (libcst takes ~3 s and ~300 MB per MB of code);
- CPython parses it (syntax tree only; ~0.3 s/MB, a tenth of libcst). A nesting failure
  ("too many nested parentheses", RecursionError, MemoryError) refuses the text; any other
  SyntaxError (newer syntax than this interpreter knows) leaves the verdict to libcst;
- the tree's depth, counting each extra operand of `and`/`or` as a level (libcst nests
  them), must stay within `MAX_DEPTH` (libcst then needs < 250 MB and < 1 s).

Refusals raise `ParseLimitExceeded`, a RecursionError, so that every caller that already treats
"too deep" as a parse error handles them too.
"""

from __future__ import annotations

import ast
import warnings

import libcst as cst

# Characters of code. libcst needs about 300 MB and 3 s per MB.
MAX_CHARS = 4_000_000
# Levels of CPython's syntax tree (an `and`/`or` operand beyond the second adds one).
MAX_DEPTH = 1000

_NESTING_MESSAGES = ("too many nested parentheses", "too complex")


class ParseLimitExceeded(RecursionError):
    """A text refused before parsing; `reason` says why, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_limits(text: str) -> ast.Module | None:
    """Raise `ParseLimitExceeded` when parsing `text` with libcst could crash or blow up.
    Returns CPython's syntax tree of the text, or None when CPython does not know its syntax
    (newer than this interpreter)."""
    if len(text) > MAX_CHARS:
        raise ParseLimitExceeded(
            f"the file is too large to analyse ({len(text) / 1e6:.1f} million characters; "
            f"the limit is {MAX_CHARS / 1e6:.0f} million)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = compile(text, "<claudelint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (RecursionError, MemoryError):
        raise ParseLimitExceeded("the file is nested too deeply to parse") from None
    except SyntaxError as exc:
        if any(m in str(exc.msg) for m in _NESTING_MESSAGES):
            raise ParseLimitExceeded(
                f"the file is nested too deeply to parse ({exc.msg}, line {exc.lineno})"
            ) from None
        return None  # libcst decides (and reports) the syntax
    except ValueError:  # null bytes: the decoder refuses them before this
        return None
    depth = _depth(tree)
    if depth > MAX_DEPTH:
        raise ParseLimitExceeded(
            f"the file is nested too deeply to analyse (depth {depth}; the limit is {MAX_DEPTH})"
        )
    assert isinstance(tree, ast.Module)
    return tree


def _depth(tree: ast.AST) -> int:
    """The depth of a syntax tree, iteratively (the tree may be deep). Reads the fields
    directly: three times faster than `ast.iter_child_nodes`."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    pop, push = stack.pop, stack.append
    node_type, bool_op = ast.AST, ast.BoolOp
    while stack:
        node, depth = pop()
        if type(node) is bool_op:
            depth += len(node.values) - 2
        if depth > deepest:
            deepest = depth
            if deepest > MAX_DEPTH:
                return deepest
        below = depth + 1
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        push((item, below))
            elif isinstance(value, node_type):
                push((value, below))
    return deepest


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module` after `check_limits`: raises `ParseLimitExceeded` (a
    RecursionError) or `libcst.ParserSyntaxError`."""
    return parse_both(text)[0]


def parse_both(text: str) -> tuple[cst.Module, ast.Module | None]:
    """`parse_module`, and CPython's syntax tree that `check_limits` built on the way (None
    when CPython does not know the text's syntax)."""
    tree = check_limits(text)
    return cst.parse_module(text), tree
