"""The benchmark's Claude-heavy corpus generator (bench/make_corpus.py): deterministic, the
promised mix of files, valid Python, and decoys that sit on the intended side of the prefilter.
No timing here: the benchmark itself measures."""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from claudelint.workspace.discovery import may_hold_call_site

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_make_corpus", BENCH / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


mc = _load()
N = 600  # enough files for every shape to appear (shapes are dealt out in turn)


@pytest.fixture(scope="module")
def tree() -> dict[str, object]:
    return mc.generate_claude_tree(seed=11, n_files=N)  # type: ignore[no-any-return]


def test_deterministic_for_a_seed(tree: dict[str, object]) -> None:
    again = mc.generate_claude_tree(seed=11, n_files=N)
    assert again == tree
    other = mc.generate_claude_tree(seed=12, n_files=N)
    assert other != tree
    shared = {f.text for f in other.values()} & {f.text for f in tree.values()}
    assert len(shared) < N // 10  # only the tiny __init__.py files may coincide


def test_file_count_and_shares(tree: dict[str, object]) -> None:
    assert len(tree) == N
    kinds = Counter(f.kind for f in tree.values())
    assert kinds["call"] == round(N * 0.10)
    assert kinds["decoy-text"] == round(N * 0.06)
    assert kinds["decoy-call"] == round(N * 0.04)
    packages = {p.rsplit("/", 1)[0] for p in tree}
    assert kinds["init"] == len(packages)
    assert all(f"{p}/__init__.py" in tree for p in packages)


def test_every_shape_appears(tree: dict[str, object]) -> None:
    shapes = {(f.kind, f.shape) for f in tree.values()}
    for shape in mc.CALL_SHAPES:
        assert ("call", shape) in shapes
    for shape in mc.DECOY_TEXT_SHAPES:
        assert ("decoy-text", shape) in shapes
    for shape in mc.DECOY_CALL_SHAPES:
        assert ("decoy-call", shape) in shapes


def test_every_file_is_valid_python(tree: dict[str, object]) -> None:
    # Ordinary modules repeat the same blocks: every fourth is enough.
    for k, (path, f) in enumerate(tree.items()):
        if f.kind != "filler" or k % 4 == 0:
            ast.parse(f.text, filename=path)


def test_prefilter_sides(tree: dict[str, object]) -> None:
    """Call-site files and engine-level decoys reach the parser; text-level decoys and
    ordinary code do not."""
    wrong = [
        (path, f.kind, f.shape) for path, f in tree.items()
        if may_hold_call_site(f.text.encode()) != (f.kind in ("call", "decoy-call"))
    ]
    assert wrong == []


def test_call_sites_are_realistic(tree: dict[str, object]) -> None:
    calls = [f.text for f in tree.values() if f.kind == "call"]
    assert all("anthropic" in text for text in calls)
    assert all(".messages" in text for text in calls)
    big = [t for t in calls if '_PROMPT = """' in t or 'INSTRUCTIONS = """' in t]
    assert len(big) >= len(calls) // 5  # big module-constant prompts are common
    assert any("await " in t for t in calls)
    assert any(".batches.create(" in t for t in calls)
    assert any("for row in rows:" in t for t in calls)
    assert any("from .prompts import" in t for t in calls)
    # The packages whose modules import prompts define them.
    for path, f in tree.items():
        if "from .prompts import" in f.text:
            prompts = tree[path.rsplit("/", 1)[0] + "/prompts.py"]
            for name in mc.PROMPT_CONSTANTS:
                assert f"{name} = " in prompts.text


def test_sizes_are_realistic(tree: dict[str, object]) -> None:
    sizes = sorted(len(f.text) for f in tree.values() if f.kind != "init")
    mean = sum(sizes) / len(sizes)
    assert 4_000 < mean < 16_000
    assert sizes[len(sizes) // 2] < mean  # a long tail of big files


def test_write_tree(tmp_path: Path) -> None:
    dest = tmp_path / "heavy"
    mc.write_claude_tree(dest, seed=3, n_files=120)
    manifest = json.loads((dest / "MANIFEST.json").read_text(encoding="utf-8"))
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*.py"))
    assert files == sorted(manifest["files"])
    assert manifest["params"] == {"seed": 3, "n_files": 120}
    expected = mc.generate_claude_tree(seed=3, n_files=120)
    for rel in files[:20]:
        assert (dest / rel).read_text(encoding="utf-8") == expected[rel].text
    # The same corpus is kept; another one replaces it.
    marker = dest / "app" / "marker.txt"
    marker.write_text("x", encoding="utf-8")
    mc.write_claude_tree(dest, seed=3, n_files=120)
    assert marker.exists()
    mc.write_claude_tree(dest, seed=4, n_files=100)
    assert not marker.exists()
    assert len(list(dest.rglob("*.py"))) == 100
