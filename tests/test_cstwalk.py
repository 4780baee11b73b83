"""The read-only walk meets the same nodes, in the same order, as libcst's own visit."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from claudelint.syntax.walk import TRIVIA, Visitor, children, iter_nodes

HERE = Path(__file__).parent
SOURCES = sorted([*(HERE / "fixtures").rglob("*.py"), *(HERE.parent / "examples").glob("*.py"),
                  *(HERE.parent / "claudelint").glob("*.py")])

EVERY_SHAPE = '''
import a.b as c, d
from ..e import (f as g, h,)
from . import *
@dec(1, k=2)
async def fn(x: int = 1, /, y=2, *args: str, z, **kw) -> "T":
    """doc"""  # comment
    global q
    nonlocal r
    async with A() as (p, q), B():
        async for i, *j in k[1:2, ::3]:
            yield (await m) if n else -o ** 2
            x: list[int] = [*a, {**b}, {c, d}, (e,)]
            x += f"{x!r:>{w}} {y=}" 'a' 'b'
            bb = b"" rb'q'
            del x[0], y.z
    try:
        raise E from F
    except (G, H) as e:
        pass
    else:
        ...
    finally:
        return lambda a, *, b=1: (yield)
class C(B, metaclass=M):
    match v:
        case [1, *rest] | {"k": _, **kw} if rest: assert False, "m"
        case Point(x=0, y=0) as p: print(p)
        case _: pass
while (n := n - 1) > 0: break
else: continue
print(*a, sep="", **k); x = y = [i for i in j if i for j in k]; z = {a: b async for a, b in c}
'''
# Syntax newer than some libcst versions claudelint supports parse (3.11-3.14).
NEWER_SHAPES = {
    "type parameters": "def f[T: int = str](x: T) -> T: ...\ntype X[**P, *Ts] = dict[str, P]\n",
    "except star": "try:\n    pass\nexcept* (G, H) as e:\n    pass\n",
    "template string": 'x = t"{z}"\n',
}


def _libcst_order(module: cst.Module) -> list[cst.CSTNode]:
    seen: list[cst.CSTNode] = []

    class Record(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if type(node) in TRIVIA:
                return False
            seen.append(node)
            return True

    module.visit(Record())
    return seen


def _walk_order(module: cst.Module) -> list[cst.CSTNode]:
    seen: list[cst.CSTNode] = []

    class Record(Visitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            seen.append(node)
            return True

    Record().walk(module)
    return seen


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(HERE.parent)))
def test_same_nodes_same_order_as_libcst(path: Path) -> None:
    module = cst.parse_module(path.read_bytes())
    expected = _libcst_order(module)
    assert [id(n) for n in _walk_order(module)] == [id(n) for n in expected]
    assert [id(n) for n in iter_nodes(module)] == [id(n) for n in expected]


def test_every_syntax_shape() -> None:
    module = cst.parse_module(EVERY_SHAPE)
    expected = _libcst_order(module)
    names = {type(n).__name__ for n in expected}
    assert {"FormattedStringExpression", "MatchOr", "ImportStar", "Lambda",
            "StarredElement"} <= names
    assert [id(n) for n in _walk_order(module)] == [id(n) for n in expected]


@pytest.mark.parametrize("text", NEWER_SHAPES.values(), ids=NEWER_SHAPES.keys())
def test_newer_syntax(text: str) -> None:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        pytest.skip("this libcst does not parse it")
    expected = _libcst_order(module)
    assert len(expected) > 3
    assert [id(n) for n in _walk_order(module)] == [id(n) for n in expected]


def test_hooks_skip_children_and_leave_in_order() -> None:
    module = cst.parse_module("def f():\n    g(x)\nh(y)\n")
    events: list[str] = []

    class Hooks(Visitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            events.append("def")
            return False

        def visit_Name(self, node: cst.Name) -> None:
            events.append(node.value)

        def leave_Call(self, node: cst.Call) -> None:
            events.append("call")

    Hooks().walk(module)
    assert events == ["def", "h", "y", "call"]


def test_children_skip_trivia() -> None:
    call = cst.parse_expression("f( a , b=1 )")
    assert isinstance(call, cst.Call)
    kinds = [type(n).__name__ for n in children(call)]
    assert kinds == ["Name", "Arg", "Arg"]
