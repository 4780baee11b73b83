"""syntax/parsing.py: the one place that asks CPython to parse or compile a text."""

from __future__ import annotations

import ast
import warnings

import pytest

from claudelint.syntax.parsing import cpython_accepts, cpython_tree


def test_tree_and_silenced_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an invalid escape warns: it must not surface
        tree = cpython_tree('x = "\\d"\n')
    assert isinstance(tree, ast.Module) and len(tree.body) == 1


@pytest.mark.parametrize(
    ("text", "parses", "compiles"),
    [
        ("x = 1\n", True, True),
        ("def f(:\n", False, False),
        ("return 1\n", True, False),  # the compiler, not the parser, rejects it
        ("f(a=1, a=2)\n", True, False),
        ("x = 1\x00\n", False, False),  # null bytes: ValueError, not a crash
    ],
)
def test_accepts(text: str, parses: bool, compiles: bool) -> None:
    assert cpython_accepts(text) is parses
    assert cpython_accepts(text, compiled=True) is compiles


def test_tree_raises_syntax_error_with_its_position() -> None:
    with pytest.raises(SyntaxError) as info:
        cpython_tree("x = (\n")
    assert info.value.lineno == 1
