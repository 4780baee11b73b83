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
import itertools
import re
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
        tree = cpython_tree(text)
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
    return tree


def cpython_tree(text: str) -> ast.Module:
    """CPython's syntax tree of `text` (its warnings, such as invalid escapes, silenced).
    Raises SyntaxError, ValueError (null bytes), MemoryError or RecursionError."""
    tree = _compile(text, ast.PyCF_ONLY_AST)
    assert isinstance(tree, ast.Module)
    return tree


def cpython_accepts(text: str, *, compiled: bool = False) -> bool:
    """Whether this interpreter parses `text`; with `compiled`, whether it also compiles it
    to bytecode, which rejects more (`return` outside a function, a repeated keyword
    argument). Nothing is run."""
    try:
        _compile(text, 0 if compiled else ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def _compile(text: str, flags: int) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(text, "<claudelint>", "exec", flags, dont_inherit=True)


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


def parse_both(text: str, *, pieces: dict[str, cst.Module] | None = None
               ) -> tuple[cst.Module, ast.Module | None]:
    """`parse_module`, and CPython's syntax tree that `check_limits` built on the way (None
    when CPython does not know the text's syntax).

    `pieces` (an editor buffer parsed again after each edit): the text is parsed one
    top-level statement at a time, and a statement whose text is a key of `pieces` is not
    parsed again; `pieces` is left holding the statements of this text."""
    tree = check_limits(text)
    if tree is not None and (pieces is not None or len(text) > CHUNKED_FROM):
        module = _parse_in_chunks(text, tree, pieces)
        if module is not None:
            return module, tree
    return cst.parse_module(text), tree


# Texts longer than this are parsed in chunks of about `CHUNK_CHARS` characters. A module
# parsed whole keeps about 550 bytes per character of code alive (a 330 KB test module: 196 MB
# after the parse); parsed in chunks of whole top-level statements, the same tree keeps a
# third of that (bench/README.md, "Peak memory").
CHUNKED_FROM = 64_000
CHUNK_CHARS = 16_000
_LINE_END = re.compile(r"\r\n|\r|\n")


def _parse_in_chunks(text: str, tree: ast.Module,
                     pieces: dict[str, cst.Module] | None = None) -> cst.Module | None:
    """The module libcst parses from `text`, parsed in chunks of top-level statements
    (where CPython's `tree` says they start) and joined. None when the chunks cannot be
    joined faithfully (a chunk does not parse, form feeds): then parse it whole.

    With `pieces`, each chunk is one statement, and a chunk parsed before (same text) is
    taken from `pieces` instead of parsed (once per text: a chunk repeated in the text is
    parsed again, so that no node appears twice in the module)."""
    if "\f" in text or "\0" in text or len(tree.body) < 2:
        return None
    chunk_chars = 1 if pieces is not None else CHUNK_CHARS
    parsed: dict[str, cst.Module] = {}
    line_starts = [0] + [m.end() for m in _LINE_END.finditer(text)]
    cuts: list[int] = []
    last_end = 0
    for st in tree.body:
        first = min([st.lineno, *(d.lineno for d in getattr(st, "decorator_list", ()))])
        if first <= last_end or first > len(line_starts):
            return None  # `a = 1; \` then `b = 2`: one libcst statement line
        last_end = st.end_lineno or first
        offset = line_starts[first - 1]
        if not cuts or offset - cuts[-1] >= chunk_chars:
            cuts.append(offset)
    cuts[0] = 0
    cuts.append(len(text))
    body: list[cst.BaseStatement] = []
    footer: list[cst.EmptyLine] = []
    first_module: cst.Module | None = None
    module: cst.Module | None = None
    indent: str | None = None
    try:
        for start, end in itertools.pairwise(cuts):
            chunk = text[start:end]
            module = pieces.get(chunk) if pieces is not None else None
            if module is None or chunk in parsed:
                module = cst.parse_module(chunk)
            parsed.setdefault(chunk, module)
            stmts = list(module.body)
            if first_module is None:
                first_module = module
            elif not stmts:
                return None
            else:
                lead = [*footer, *module.header]
                if lead:
                    stmts[0] = stmts[0].with_changes(
                        leading_lines=[*lead, *stmts[0].leading_lines])
            # A node that records no indentation or newline of its own takes its module's:
            # the chunks must agree on those (a tab-indented chunk after a space-indented one).
            if module.default_newline != first_module.default_newline:
                return None
            if any(isinstance(getattr(st, "body", None), cst.IndentedBlock) for st in stmts):
                if indent is None:
                    indent = module.default_indent
                elif indent != module.default_indent:
                    return None
            footer = list(module.footer)
            body.extend(stmts)
    except (cst.ParserSyntaxError, RecursionError):
        return None
    if first_module is None or module is None:
        return None
    if pieces is not None:
        pieces.clear()
        pieces.update(parsed)
    return first_module.with_changes(
        body=body, footer=footer, has_trailing_newline=module.has_trailing_newline,
        default_indent=indent or first_module.default_indent,
    )
