"""Positions computed per top-level statement equal libcst's whole-module PositionProvider."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from claudelint.lint.engine import Positions
from claudelint.syntax.walk import children, iter_nodes

ROOT = Path(__file__).resolve().parents[1]
SHAPES = {
    "decorators": (
        "import x\n\n@a\n@b(\n  1)\ndef f():\n    '''doc'''\n    return x.y(z=[1,\n 2])\n"
    ),
    "semicolons": "a = 1; b = f(\n 2); c = 3\nd = 4\n",
    "comments and blanks": "# head\n\n\n# lead\nx = 1  # tail\n\n\nclass C:\n    # in\n    y = 2\n",
    "crlf": "x = 1\r\nif x:\r\n    y = f(1,\r\n          2)\r\n",
    "tabs and unicode": "s = 'é→'\nif s:\n\tt = {'k': 'ü'}\n",
    "async and with": "async def f():\n    async with a as b:\n        await b.c(d)\n",
    "one line compound": "if x: y = 1\nwhile 0: pass\n",
}


def _check(text: str) -> None:
    module = cst.parse_module(text)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    pos = Positions(module, text)
    nodes = [n for n in iter_nodes(module, trivia=True) if n is not module and n in full]
    assert nodes or not text.strip()
    for n in nodes:
        assert pos.of(n) == full[n], (type(n).__name__, pos.of(n), full[n])
        assert pos.holds(n)
    # With the parent links the analysis may already have (analysis/facts.py), found by climbing.
    parents = {id(c): n for n in iter_nodes(module) for c in children(n)}
    climbing = Positions(module, text, parents=lambda: parents)
    for n in nodes:
        assert climbing.of(n) == full[n], (type(n).__name__, climbing.of(n), full[n])
        assert climbing.holds(n)


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_shapes(text: str) -> None:
    _check(text)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "tests" / "fixtures").rglob("*.py")), ids=lambda p: p.name
)
def test_fixtures(path: Path) -> None:
    _check(path.read_text(encoding="utf-8"))


def test_foreign_node_is_not_held_and_unparsable_text_falls_back() -> None:
    module = cst.parse_module("x = 1\n")
    other = cst.parse_module("y = 2\n")
    pos = Positions(module, "x = 1\n")
    assert not pos.holds(other.body[0])
    # A text CPython's parser rejects (here: a lie, the text does not match): the whole
    # module provider answers.
    pos = Positions(module, "x = (\n")
    assert pos.of(module.body[0]).start.line == 1


def test_foreign_node_is_not_held_when_climbing_parent_links() -> None:
    module = cst.parse_module("x = f(1)\n")
    other = cst.parse_module("y = g(2)\n")
    parents = {id(c): n for n in iter_nodes(module) for c in children(n)}
    pos = Positions(module, "x = f(1)\n", parents=lambda: parents)
    foreign = [n for n in iter_nodes(other, trivia=True) if n is not other]
    assert foreign and not any(pos.holds(n) for n in foreign)
    assert all(pos.holds(n) for n in iter_nodes(module, trivia=True))
