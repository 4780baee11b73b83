"""Fix builders: CST edits that reuse the user's own nodes.

Rules never import libcst; they ask `ctx.edit` (an `Edits` for the file being linted) for the
edit they need. Each builder returns a `NodeEdit` (a node and its replacement text) or None
when the code is not in a shape the edit can handle safely.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from claudelint.context import NodeEdit

CACHE_CONTROL = '{"type": "ephemeral"}'


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
