"""Fix builders: CST edits that reuse the user's own nodes.

Rules never import libcst; they ask `ctx.edit` (an `Edits` for the file being linted) for the
edit they need. Each builder returns a `NodeEdit` (a node and its replacement text) or None
when the code is not in a shape the edit can handle safely.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import libcst as cst

from claudelint.lint.diagnostic import NodeEdit
from claudelint.syntax.walk import all_children, iter_nodes

CACHE_CONTROL = '{"type": "ephemeral"}'
# The separator after a moved head: punctuation, then spaces or newlines (escaped or not).
_TRAILING_SPACE = re.compile(r"(?:\s|\\n|\\t)+$")
_SEPARATOR = re.compile(r"([^\w\s\\{}]{0,3})((?:\s|\\n|\\t)*)")


class Edits:
    def __init__(self, module: cst.Module) -> None:
        self.module = module

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def _expr(self, text: str) -> cst.BaseExpression:
        return cst.parse_expression(text, config=self.module.config_for_parsing)

    # --- prompt caching ------------------------------------------------------------------

    def wrap_in_cached_block(self, node: cst.CSTNode) -> NodeEdit:
        """`X` -> `[{"type": "text", "text": X, "cache_control": {"type": "ephemeral"}}]`."""
        return NodeEdit(node, self.cached_block_list(self.code(node)))

    @staticmethod
    def cached_block_list(text_code: str) -> str:
        return f'[{{"type": "text", "text": {text_code}, "cache_control": {CACHE_CONTROL}}}]'

    def add_cache_control(self, node: cst.CSTNode) -> NodeEdit | None:
        """Add `"cache_control": {"type": "ephemeral"}` to a dict literal (a tool, a system
        or content block), keeping its layout."""
        if isinstance(node, cst.Call) and (
            isinstance(node.func, cst.Name) and node.func.value == "dict"
        ):
            return self._add_dict_call_kwarg(node)
        if not isinstance(node, cst.Dict):
            return None
        key = cst.SimpleString('"cache_control"')
        value = self._expr(CACHE_CONTROL)
        elements = list(node.elements)
        if not elements:
            new = node.with_changes(elements=[cst.DictElement(key, value)])
            return NodeEdit(node, self.code(new))
        last = elements[-1]
        if len(elements) >= 2 and isinstance(elements[-2].comma, cst.Comma):
            sep = elements[-2].comma
        else:
            sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        new_el = cst.DictElement(key, value, comma=last.comma)
        elements[-1] = last.with_changes(comma=sep)
        elements.append(new_el)
        return NodeEdit(node, self.code(node.with_changes(elements=elements)))

    def _add_dict_call_kwarg(self, node: cst.Call) -> NodeEdit | None:
        args = list(node.args)
        if not args:
            return None
        last = args[-1]
        if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
            sep = args[-2].comma
        else:
            sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        new_arg = cst.Arg(
            value=self._expr(CACHE_CONTROL),
            keyword=cst.Name("cache_control"),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            comma=last.comma,
        )
        args[-1] = last.with_changes(comma=sep)
        args.append(new_arg)
        return NodeEdit(node, self.code(node.with_changes(args=args)))

    def split_cached_head(
        self, node: cst.CSTNode, is_static: Callable[[cst.BaseExpression], bool]
    ) -> NodeEdit | None:
        """Split a text expression whose head is static and tail dynamic into two blocks,
        the first cached: `f"{DOC} ... {q}"` -> `[{..."text": f"{DOC} ...", cache_control},
        {..."text": f"{q}"}]`. `is_static(expr_node) -> bool` tells whether an f-string
        expression or `+` operand is static."""
        split = self._split(node, is_static)
        if split is None:
            return None
        head, tail = split
        content = (
            f'[{{"type": "text", "text": {head}, "cache_control": {CACHE_CONTROL}}}, '
            f'{{"type": "text", "text": {tail}}}]'
        )
        return NodeEdit(node, content)

    def _split(
        self, node: cst.CSTNode, is_static: Callable[[cst.BaseExpression], bool]
    ) -> tuple[str, str] | None:
        if isinstance(node, cst.FormattedString):
            parts = list(node.parts)
            k = next(
                (
                    i for i, p in enumerate(parts)
                    if isinstance(p, cst.FormattedStringExpression) and not is_static(p.expression)
                ),
                None,
            )
            if k is None or k == 0:
                return None
            head_parts, tail_parts = parts[:k], parts[k:]
            head = node.with_changes(parts=head_parts)
            tail = node.with_changes(parts=tail_parts)
            head_code = self.code(head)
            if not any(isinstance(p, cst.FormattedStringExpression) for p in head_parts):
                # No placeholders left: drop the f prefix.
                prefix = node.prefix.replace("f", "").replace("F", "")
                head_code = prefix + head_code[len(node.prefix):]
            return head_code, self.code(tail)
        if (
            isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add)
            and is_static(node.left) and not is_static(node.right)
        ):
            # `STATIC + "..." + tail`: the left operand is the whole static head.
            return self.code(node.left), self.code(node.right)
        return None

    def move_dynamic_head_last(
        self, node: cst.CSTNode, changes: Callable[[cst.BaseExpression], bool]
    ) -> NodeEdit | None:
        """Move the head of an f-string, up to its last field that changes between calls,
        after the static rest: `f"Today is {day}. {POLICY}"` -> `f"{POLICY} Today is {day}."`.
        A short punctuation-and-space separator after the head stays between the two (its
        punctuation closes the moved head); with none, a blank line separates them. None when
        the node is not an f-string or nothing static follows its last changing field."""
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self._move_left_operand_last(node, changes)
        if not isinstance(node, cst.FormattedString):
            return None
        parts = list(node.parts)
        last = [i for i, p in enumerate(parts)
                if isinstance(p, cst.FormattedStringExpression) and changes(p.expression)]
        if not last:
            return None
        head, tail = parts[: last[-1] + 1], parts[last[-1] + 1:]
        punct = space = ""
        if tail and isinstance(tail[0], cst.FormattedStringText):
            m = _SEPARATOR.match(tail[0].value)
            assert m is not None  # every group may be empty
            punct, space, rest = m.group(1), m.group(2), tail[0].value[m.end():]
            if not space:  # `(see below)`: text of the static part, not a separator
                punct, rest = "", tail[0].value
            tail = ([cst.FormattedStringText(rest)] if rest else []) + tail[1:]
        if not tail:
            return None
        if not space:
            if "r" in node.prefix.lower():
                return None  # no escape for the blank line in a raw string
            space = "\\n\\n"
        moved = [*tail, cst.FormattedStringText(space), *head]
        if punct:
            moved.append(cst.FormattedStringText(punct))
        return NodeEdit(node, self.code(node.with_changes(parts=moved)))

    def _move_left_operand_last(
        self, node: cst.BinaryOperation, changes: Callable[[cst.BaseExpression], bool]
    ) -> NodeEdit | None:
        """`f"Today is {day}.\\n\\n" + POLICY` -> `POLICY + f"\\n\\nToday is {day}."`: the
        trailing space of the head goes between the two (a blank line when it has none)."""
        head, rest = node.left, node.right
        if not isinstance(head, cst.FormattedString) or changes(rest) or not changes(head):
            return None
        parts = list(head.parts)
        space = ""
        if parts and isinstance(parts[-1], cst.FormattedStringText):
            text = parts[-1].value
            m = _TRAILING_SPACE.search(text)
            space = m.group(0) if m else ""
            kept = text[: len(text) - len(space)]
            parts[-1:] = [cst.FormattedStringText(kept)] if kept else []
        if not space:
            if "r" in head.prefix.lower():
                return None
            space = "\\n\\n"
        moved = head.with_changes(parts=[cst.FormattedStringText(space), *parts])
        return NodeEdit(node, f"{self.code(rest)} + {self.code(moved)}")

    # --- literals ------------------------------------------------------------------------

    def replace_string(self, node: cst.CSTNode, text: str) -> NodeEdit | None:
        """A plain string literal -> the same literal holding `text`, keeping its prefix and
        quote style (`'claude-2.1'` -> `'claude-opus-4-8'`). None for anything else (f-strings,
        concatenations, bytes) or when `text` would need escaping."""
        if not isinstance(node, cst.SimpleString):
            return None
        prefix = node.prefix
        if "b" in prefix.lower() or "f" in prefix.lower():
            return None
        quote = node.quote
        if "\\" in text or "\n" in text or quote[0] in text:
            return None
        return NodeEdit(node, f"{prefix}{quote}{text}{quote}")

    def replace_int(self, node: cst.CSTNode, value: int) -> NodeEdit | None:
        """An integer literal -> `value`, keeping `_` digit grouping when the original used
        it (`200_000` -> `128_000`). None for anything but a plain decimal literal."""
        if not isinstance(node, cst.Integer) or value < 0:
            return None
        digits = node.value
        if not digits.replace("_", "").isdigit():
            return None  # hex, octal, binary
        new = f"{value:_d}" if "_" in digits else str(value)
        return NodeEdit(node, new)

    def split_cached_block(
        self, block: cst.CSTNode, holder: cst.CSTNode | None, text: cst.CSTNode,
        is_static: Callable[[cst.BaseExpression], bool],
    ) -> NodeEdit | None:
        """Split a cached text block whose text has a static head and a dynamic tail: the head
        keeps the block (and its `cache_control`), the tail moves into a following uncached
        block. `{"type": "text", "text": f"{POLICY} Today is {d}", "cache_control": ...}` ->
        `{"type": "text", "text": f"{POLICY} Today is ", "cache_control": ...},
        {"type": "text", "text": f"{d}"}`. Only for a dict literal that is an element of the
        list literal `holder`, whose "text" value is `text`."""
        if not isinstance(block, cst.Dict) or not isinstance(holder, cst.List):
            return None
        if not any(el.value is block for el in holder.elements):
            return None
        if not any(
            isinstance(el, cst.DictElement) and el.value is text for el in block.elements
        ):
            return None
        split = self._split(text, is_static)
        if split is None:
            return None
        head, tail = split
        head_block = block.deep_replace(text, self._expr(head))
        return NodeEdit(
            block,
            f'{self._code_in_place(block, head_block)}, {{"type": "text", "text": {tail}}}',
        )

    def remove_keyword(
        self, call: cst.CSTNode, keyword: str, also: NodeEdit | None = None
    ) -> tuple[NodeEdit, ...] | None:
        """Remove the keyword argument `keyword` from a call, keeping the layout of the other
        arguments; `also` is a second edit made in the same fix (inside the call or not)."""
        if not isinstance(call, cst.Call):
            return None
        new: cst.CSTNode = call
        inside = also is not None and _contains(call, also.node)
        if also is not None and inside:
            new = call.deep_replace(also.node, self._expr(also.content))
            if not isinstance(new, cst.Call):
                return None
        assert isinstance(new, cst.Call)
        args = list(new.args)
        found = [i for i, a in enumerate(args) if a.keyword is not None
                 and a.keyword.value == keyword]
        if len(found) != 1:
            return None
        i = found[0]
        removed = args.pop(i)
        if i == len(args) and args:
            # The last argument went: the one before it takes its comma (or lack of one) and
            # the space before the closing parenthesis, keeping its own trailing comment.
            prev = args[-1]
            if isinstance(removed.comma, cst.Comma) and isinstance(prev.comma, cst.Comma):
                comma = prev.comma.with_changes(whitespace_after=_merge_ws(
                    prev.comma.whitespace_after, removed.comma.whitespace_after))
                args[-1] = prev.with_changes(comma=comma)
            elif isinstance(prev.comma, cst.Comma) and _has_comment(prev.comma.whitespace_after):
                comma = prev.comma.with_changes(whitespace_after=_merge_ws(
                    prev.comma.whitespace_after, removed.whitespace_after_arg))
                args[-1] = prev.with_changes(comma=comma)
            else:
                args[-1] = prev.with_changes(comma=removed.comma,
                                             whitespace_after_arg=removed.whitespace_after_arg)
        edit = NodeEdit(call, self._code_in_place(call, new.with_changes(args=args)))
        if also is None or inside:
            return (edit,)
        return (edit, also)


    def _code_in_place(self, old: cst.CSTNode, new: cst.CSTNode) -> str:
        """The code of `new`, to replace `old`, with the block indentation `old` sits in:
        `code_for_node` drops it from continuation lines of multi-line brackets."""
        from libcst._nodes.internal import CodegenState

        state = CodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            indent_tokens=_indents_to(self.module, old) or [],
        )
        new._codegen(state)
        return "".join(state.tokens)


def _indents_to(root: cst.CSTNode, target: cst.CSTNode) -> list[str] | None:
    """The indentation of every indented block from `root` down to `target`, or None.
    Descends only through compound statements, then searches the one simple statement (or
    compound header) that holds `target`."""
    default = root.default_indent if isinstance(root, cst.Module) else "    "
    stack: list[tuple[cst.CSTNode, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, indents = stack.pop()
        if isinstance(node, cst.IndentedBlock):
            indents = (*indents, default if node.indent is None else node.indent)
        for child in all_children(node):
            if isinstance(child, (cst.BaseSuite, cst.BaseCompoundStatement, cst.Else,
                                  cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally,
                                  cst.MatchCase)):
                stack.append((child, indents))
            elif _contains(child, target):
                return list(indents)
    return None


def _has_comment(ws: cst.BaseParenthesizableWhitespace) -> bool:
    return isinstance(ws, cst.ParenthesizedWhitespace) and ws.first_line.comment is not None


def _merge_ws(keep: cst.BaseParenthesizableWhitespace,
              tail: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """The whitespace after a comma that now ends the arguments: its own first line (and
    comment) with the indentation the removed argument left before the closing bracket."""
    if isinstance(keep, cst.ParenthesizedWhitespace) and isinstance(
        tail, cst.ParenthesizedWhitespace
    ):
        return keep.with_changes(last_line=tail.last_line, indent=tail.indent)
    if isinstance(keep, cst.ParenthesizedWhitespace):
        return keep.with_changes(last_line=cst.SimpleWhitespace(""), indent=False)
    return tail

def _contains(container: cst.CSTNode, node: cst.CSTNode) -> bool:
    return any(n is node for n in iter_nodes(container, trivia=True))
