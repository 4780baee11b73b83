"""Project-wide resolution (issue 5): constants imported from other modules, prompt files,
flow-sensitive module-level names, wrapper functions analysed per call, and the results cache
following the files an analysis read."""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from claudelint.analysis import project as project_mod
from claudelint.analysis.request import Request
from claudelint.analysis.values import Text, Unknown, Value
from claudelint.cli import main
from claudelint.lint.engine import Linter, analyze
from claudelint.settings import Settings

FIXTURE = Path(__file__).parent / "fixtures" / "project"
MARK = re.compile(r"#\s*error:\s*\[([A-Z0-9, ]+)\]")


@pytest.fixture(autouse=True)
def _fresh_project() -> None:
    project_mod.reset()


# --------------------------------------------------------------------------- end to end


def _expected() -> dict[tuple[str, int | None, int], list[str]]:
    out: dict[tuple[str, int | None, int], list[str]] = {}

    def scan(rel: str, cell: int | None, text: str) -> None:
        for i, line in enumerate(text.splitlines(), 1):
            m = MARK.search(line)
            if m:
                codes = sorted(c.strip() for c in m.group(1).split(",") if c.strip())
                out[(rel, cell, i)] = codes

    for p in sorted(FIXTURE.rglob("*.py")):
        scan(p.relative_to(FIXTURE).as_posix(), None, p.read_text(encoding="utf-8"))
    for p in sorted(FIXTURE.rglob("*.ipynb")):
        nb = json.loads(p.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                scan(p.relative_to(FIXTURE).as_posix(), index + 1, "".join(cell["source"]))
    return out


def test_fixture_project_end_to_end_through_the_cli(tmp_path: Path) -> None:
    work = tmp_path / "project"
    shutil.copytree(FIXTURE, work)
    old = Path.cwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(main, ["check", "--isolated", "--no-cache",
                                           "--output-format", "json", "."])
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    got: dict[tuple[str, int | None, int], list[str]] = {}
    for f in json.loads(result.output):
        key = (Path(f["filename"] if "filename" in f else f["path"]).as_posix(), f.get("cell"),
               f["line"] if "line" in f else f["location"]["row"])
        got.setdefault(key, []).append(f["code"])
    assert {k: sorted(v) for k, v in got.items()} == _expected()


def test_fixture_project_in_worker_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    """Each worker process resolves imports and prompt files with its own Project."""
    from claudelint.workspace import runner as run_mod
    from claudelint.workspace.config import ConfigResolver

    work = tmp_path / "project"
    shutil.copytree(FIXTURE, work)
    monkeypatch.chdir(work)
    monkeypatch.setattr(run_mod, "PARALLEL_THRESHOLD", 1)
    serial = run_mod.run(["."], ConfigResolver(isolated=True),
                         run_mod.RunOptions(use_cache=False, jobs=1))
    pooled = run_mod.run(["."], ConfigResolver(isolated=True),
                         run_mod.RunOptions(use_cache=False, jobs=2))
    key = [(f.path, f.cell, f.line, f.code) for f in serial.findings]
    assert key == [(f.path, f.cell, f.line, f.code) for f in pooled.findings]
    assert any(f.path.endswith("weekly.py") and f.code == "CL101" for f in pooled.findings)


# --------------------------------------------------------------------------- helpers


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")


def _requests(path: Path) -> list[Request]:
    return analyze(path.read_text(encoding="utf-8"), Settings(), path).requests


def _system(path: Path) -> Value | None:
    (req,) = _requests(path)
    return req.value("system")


APP = """
import anthropic
{imports}
client = anthropic.Anthropic()
{pre}
def ask(q):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=5,
        system={system}, messages=[{{"role": "user", "content": q}}])
"""


def _app(root: Path, rel: str, system: str, imports: str = "", pre: str = "") -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(APP.format(imports=imports, pre=textwrap.dedent(pre), system=system),
                 encoding="utf-8")
    return p


# --------------------------------------------------------------------------- imports


@pytest.mark.parametrize("imports, expr", [
    ("from .prompts import SYSTEM", "SYSTEM"),
    ("from pkg.prompts import SYSTEM", "SYSTEM"),
    ("from pkg.prompts import SYSTEM as S", "S"),
    ("import pkg.prompts as p", "p.SYSTEM"),
    ("import pkg.prompts", "pkg.prompts.SYSTEM"),
    ("from pkg import prompts", "prompts.SYSTEM"),
    ("from . import prompts", "prompts.SYSTEM"),
    ("from pkg import SYSTEM", "SYSTEM"),  # re-exported by pkg/__init__.py
])
def test_imported_constant(tmp_path: Path, imports: str, expr: str) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "from .prompts import SYSTEM\n",
        "pkg/prompts.py": """
            from textwrap import dedent
            from typing import Final
            SYSTEM: Final = dedent('''
                Be terse.
            ''') + "Always."
        """,
    })
    app = _app(tmp_path, "pkg/app.py", expr, imports)
    v = _system(app)
    assert isinstance(v, Text) and v.literal == "\nBe terse.\nAlways.", v
    assert v.is_static


def test_script_folder_import_and_chained_imports(tmp_path: Path) -> None:
    _write(tmp_path, {
        "base.py": "HEAD = 'You review code.'\n",
        "prompts.py": "from base import HEAD\nSYSTEM = f'{HEAD} Be kind.'\n",
    })
    app = _app(tmp_path, "main.py", "SYSTEM", "from prompts import SYSTEM")
    v = _system(app)
    assert isinstance(v, Text) and v.literal == "You review code. Be kind."


def test_import_cycle_is_unknown(tmp_path: Path) -> None:
    _write(tmp_path, {
        "a.py": "from b import Y\nX = Y\n",
        "b.py": "from a import X\nY = X\n",
    })
    app = _app(tmp_path, "main.py", "X", "from a import X")
    v = _system(app)
    assert isinstance(v, Unknown) and v.stable


def test_missing_module_and_missing_name_are_unknown(tmp_path: Path) -> None:
    _write(tmp_path, {"prompts.py": "OTHER = 'x'\n"})
    for imports, expr in (("from nowhere import SYSTEM", "SYSTEM"),
                          ("from prompts import SYSTEM", "SYSTEM"),
                          ("import prompts", "prompts.SYSTEM")):
        app = _app(tmp_path, "main.py", expr, imports)
        v = _system(app)
        assert isinstance(v, Unknown) and v.stable, (imports, v)


def test_imported_module_not_parsed_when_name_absent(tmp_path: Path) -> None:
    _write(tmp_path, {"prompts.py": "def broken(:\n"})  # would not even parse
    app = _app(tmp_path, "main.py", "SYSTEM", "from prompts import SYSTEM")
    assert isinstance(_system(app), Unknown)


def test_imported_module_with_syntax_error_is_unknown(tmp_path: Path) -> None:
    _write(tmp_path, {"prompts.py": "SYSTEM = 'x'\ndef broken(:\n"})
    app = _app(tmp_path, "main.py", "SYSTEM", "from prompts import SYSTEM")
    assert isinstance(_system(app), Unknown)


def test_imported_name_rebound_conditionally_is_unknown(tmp_path: Path) -> None:
    _write(tmp_path, {"prompts.py": """
        import os
        SYSTEM = "a"
        if os.environ.get("X"):
            SYSTEM = "b"
    """})
    app = _app(tmp_path, "main.py", "SYSTEM", "from prompts import SYSTEM")
    assert isinstance(_system(app), Unknown)


def test_imported_name_rebound_unconditionally_takes_the_last(tmp_path: Path) -> None:
    _write(tmp_path, {"prompts.py": "SYSTEM = 'a'\nSYSTEM = 'b'\n"})
    app = _app(tmp_path, "main.py", "SYSTEM", "from prompts import SYSTEM")
    v = _system(app)
    assert isinstance(v, Text) and v.literal == "b"


def test_fix_on_a_node_of_another_module_is_dropped(tmp_path: Path) -> None:
    _write(tmp_path, {"prompts.py": "MODEL = 'claude-3-haiku-20240307'\n"})
    app = tmp_path / "main.py"
    app.write_text(textwrap.dedent("""
        import anthropic
        from prompts import MODEL
        client = anthropic.Anthropic()
        def ask(q):
            return client.messages.create(model=MODEL, max_tokens=5,
                messages=[{"role": "user", "content": q}])
    """), encoding="utf-8")
    findings = Linter(Settings(unsafe_fixes=True)).lint_text(app.read_text(), str(app))
    (f,) = [f for f in findings if f.code == "CL302"]
    assert f.line == 6 and f.fix is None


# --------------------------------------------------------------------------- prompt files


@pytest.mark.parametrize("pre, expr", [
    ("", 'open("p.txt").read()'),
    ("", 'open("p.txt", encoding="utf-8").read()'),
    ("", 'open("p.txt", "r").read()'),
    ("from pathlib import Path\n", 'Path("p.txt").read_text()'),
    ("from pathlib import Path\n", '(Path(__file__).parent / "p.txt").read_text("utf-8")'),
    ("import pathlib\nHERE = pathlib.Path(__file__).resolve().parent\n",
     'HERE.joinpath("p.txt").read_text(encoding="utf-8")'),
    ("import os\n", 'open(os.path.join(os.path.dirname(__file__), "p.txt")).read()'),
    ("import os\nP = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'p.txt')\n",
     "open(P).read()"),
    ("with open('p.txt') as f:\n    TEXT = f.read()\n", "TEXT"),
])
def test_prompt_file_forms(tmp_path: Path, pre: str, expr: str) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.txt").write_text("Prompt from a file.\n", encoding="utf-8")
    app = _app(tmp_path, "sub/main.py", expr, pre=pre)
    v = _system(app)
    assert isinstance(v, Text) and v.literal == "Prompt from a file.\n", v
    assert v.is_static


def test_prompt_file_read_in_a_function_is_static(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("Static.", encoding="utf-8")
    app = _app(tmp_path, "main.py", "open('p.txt').read()")
    v = _system(app)
    assert isinstance(v, Text) and v.is_static and not v.holes


@pytest.mark.parametrize("expr", [
    'open("missing.txt").read()',
    'open("p.txt", "rb").read()',
    'open("p.txt").read(10)',
    'open(name).read()',
    'open(f"{q}.txt").read()',
])
def test_prompt_file_negative(tmp_path: Path, expr: str) -> None:
    (tmp_path / "p.txt").write_text("x", encoding="utf-8")
    app = _app(tmp_path, "main.py", expr, pre="name = input()\n")
    assert not (isinstance(v := _system(app), Text) and v.literal == "x"), v


def test_prompt_file_too_big_or_not_utf8_is_unknown(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_mod, "MAX_PROMPT_FILE", 100)
    (tmp_path / "big.txt").write_text("x" * 101, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe bad")
    for name in ("big.txt", "bad.txt"):
        app = _app(tmp_path, "main.py", f"open({name!r}).read()")
        v = _system(app)
        assert isinstance(v, Unknown) and v.stable, v


# --------------------------------------------------------------------------- flow order


def _module_requests(code: str) -> list[Request]:
    return analyze(textwrap.dedent(code), Settings()).requests


def test_module_level_use_sees_the_binding_before_it() -> None:
    reqs = _module_requests("""
        import anthropic
        client = anthropic.Anthropic()
        SYSTEM = "first"
        client.messages.create(model="claude-haiku-4-5", max_tokens=5, system=SYSTEM,
                               messages=[])
        SYSTEM = "second"
        client.messages.create(model="claude-haiku-4-5", max_tokens=5, system=SYSTEM,
                               messages=[])
        def f():
            return client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                          system=SYSTEM, messages=[])
    """)
    values = [r.value("system") for r in reqs]
    # In a function: the binding that reaches the end of the top level (issue 14 gap 8;
    # no code of this module runs at import between the two bindings).
    assert [v.literal if isinstance(v, Text) else None for v in values] == [
        "first", "second", "second"]


def test_function_reads_unknown_when_module_code_runs_between_bindings() -> None:
    reqs = _module_requests("""
        import anthropic
        client = anthropic.Anthropic()
        SYSTEM = "first"
        def f():
            return client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                          system=SYSTEM, messages=[])
        f()
        SYSTEM = "second"
    """)
    assert isinstance(reqs[0].value("system"), Unknown)


def test_module_level_rebinding_in_a_branch_is_unknown() -> None:
    reqs = _module_requests("""
        import anthropic, os
        client = anthropic.Anthropic()
        SYSTEM = "a"
        if os.environ.get("X"):
            SYSTEM = "b"
        client.messages.create(model="claude-haiku-4-5", max_tokens=5, system=SYSTEM,
                               messages=[])
        try:
            SYSTEM = "c"
        except Exception:
            pass
        client.messages.create(model="claude-haiku-4-5", max_tokens=5, system=SYSTEM,
                               messages=[])
    """)
    assert all(isinstance(r.value("system"), Unknown) for r in reqs)


def test_binding_inside_the_same_block_reaches_a_use_there() -> None:
    reqs = _module_requests("""
        import anthropic
        client = anthropic.Anthropic()
        SYSTEM = "a"
        if __name__ == "__main__":
            SYSTEM = "b"
            client.messages.create(model="claude-haiku-4-5", max_tokens=5, system=SYSTEM,
                                   messages=[])
    """)
    (req,) = reqs
    assert isinstance(v := req.value("system"), Text) and v.literal == "b"


def test_setitem_updates_after_the_reaching_binding() -> None:
    reqs = _module_requests("""
        import anthropic
        client = anthropic.Anthropic()
        params = {"model": "claude-3-haiku-20240307"}
        params = {"model": "claude-haiku-4-5"}
        params["max_tokens"] = 7
        client.messages.create(messages=[], **params)
    """)
    (req,) = reqs
    assert req.model_id == "claude-haiku-4-5" and req.max_tokens == 7


def test_notebook_cells_redefining_a_name(tmp_path: Path) -> None:
    cells = [
        "import anthropic\nclient = anthropic.Anthropic()\n",
        "MODEL = 'claude-haiku-4-5'\n",
        "MODEL = 'claude-3-haiku-20240307'\n",
        "r = client.messages.create(model=MODEL, max_tokens=5, messages=[])\n",
    ]
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": c,
                     "execution_count": None} for c in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    p = tmp_path / "n.ipynb"
    p.write_text(json.dumps(nb), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--isolated", "--no-cache",
                                       "--output-format", "json", str(p)])
    found = json.loads(result.output)
    assert [(f["code"], f["cell"]) for f in found] == [("CL302", 4)]  # cells from 1


# --------------------------------------------------------------------------- wrappers


WRAPPER = """
import anthropic
client = anthropic.Anthropic()
BIG = "Grade against the rubric: thesis, evidence, structure, style. " * 400

def complete(prompt, system="Be brief.", model="claude-haiku-4-5", max_tokens=4096):
    r = client.messages.create(model=model, max_tokens=max_tokens, system=system,
                               messages=[{"role": "user", "content": prompt}])
    return r.content[0].text
"""


def _lint(code: str) -> list[tuple[int, str, str]]:
    findings = Linter(Settings()).lint_text(textwrap.dedent(code), "w.py")
    return [(f.line, f.code, f.message) for f in findings]


def test_wrapper_requests_are_built_per_caller() -> None:
    a = analyze(WRAPPER + "complete('a', system=BIG)\ncomplete('b')\n", Settings())
    assert len(a.requests) == 1
    first, second = a.wrapper_requests
    assert first.via is not None and first.via.callers == 2 and first.via.complete
    v = first.value("system")
    assert isinstance(v, Text) and v.literal is not None and v.literal.startswith("Grade")
    assert second.value("system") is not None
    assert isinstance(s := second.value("system"), Text) and s.literal == "Be brief."
    assert first.arg("system") is not None
    # Arguments the caller passes point at the caller's expression.
    assert type(first.args["system"].node).__name__ == "Name"


def test_big_static_prompt_passed_by_a_caller_is_reported_at_the_caller() -> None:
    code = WRAPPER + (
        "def grade_all(essays):\n    return [complete(e, system=BIG) for e in essays]\n")
    got = _lint(code)
    lines = {(line, c) for line, c, _ in got}
    assert (11, "CL101") in lines, got
    assert all(line > 10 for line, c, _ in got if c == "CL101")
    msg = next(m for line, c, m in got if c == "CL101")
    assert "complete()" in msg


def test_batchable_loop_around_a_wrapper_is_reported_at_the_caller() -> None:
    code = WRAPPER + (
        "def label_all(rows):\n"
        "    out = []\n"
        "    for row in rows:\n"
        "        out.append(complete(f'Summarise: {row}'))\n"
        "    return out\n"
    )
    got = _lint(code)
    assert [(line, c) for line, c, _ in got if c == "CL401"] == [(13, "CL401")], got


def test_wrapper_called_nowhere_keeps_its_own_findings_only() -> None:
    a = analyze(WRAPPER, Settings())
    assert a.wrapper_requests == []


def test_wrapper_callers_with_star_arguments_are_skipped() -> None:
    a = analyze(WRAPPER + "args = ['x']\ncomplete(*args)\ncomplete('y')\n", Settings())
    (only,) = a.wrapper_requests
    assert only.via is not None and not only.via.complete


def test_dynamic_value_inside_the_wrapper_changes_per_call() -> None:
    code = """
        import anthropic
        from datetime import datetime
        client = anthropic.Anthropic()
        BIG = "Policy text. " * 3000
        def complete(q):
            return client.messages.create(model="claude-haiku-4-5", max_tokens=100,
                system=f"Now: {datetime.now()}. " + BIG,
                messages=[{"role": "user", "content": q}])
        def run(q):
            return complete(q)
    """
    assert not [c for _, c, _ in _lint(code) if c == "CL101"]


# --------------------------------------------------------------------------- cache


def test_results_cache_follows_imported_modules_and_prompt_files(tmp_path: Path) -> None:
    _write(tmp_path, {
        "prompts.py": "MODEL = 'claude-haiku-4-5'\n",
        "main.py": """
            import anthropic
            from prompts import MODEL
            client = anthropic.Anthropic()
            SYSTEM = open("system.txt").read()
            def ask(q):
                return client.messages.create(model=MODEL, max_tokens=5, system=SYSTEM,
                    messages=[{"role": "user", "content": q}])
        """,
        "system.txt": "short",
    })
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        def check() -> list[str]:
            r = runner.invoke(main, ["check", "--isolated", "--output-format", "json",
                                     "main.py"])
            return sorted(f["code"] for f in json.loads(r.output))

        assert check() == []
        assert check() == []  # from the cache
        (tmp_path / "prompts.py").write_text("MODEL = 'claude-3-haiku-20240307'\n")
        assert check() == ["CL302"]
        (tmp_path / "system.txt").write_text("Policy. " * 3000)
        assert check() == ["CL101", "CL302"]
        (tmp_path / "system.txt").unlink()
        assert check() == ["CL302"]
    finally:
        os.chdir(old)


def test_cache_entry_with_changed_dependency_is_a_miss(tmp_path: Path) -> None:
    from claudelint.analysis.project import file_digest
    from claudelint.workspace.cache import ResultsCache

    dep = tmp_path / "prompts.py"
    dep.write_text("A = 1\n")
    cache = ResultsCache(tmp_path)
    cache.put("ab" * 32, [], {str(dep): file_digest(dep)})
    assert cache.get("ab" * 32) == []
    dep.write_text("A = 2\n")
    assert ResultsCache(tmp_path).get("ab" * 32) is None
    cache.put("cd" * 32, [], {str(tmp_path / "gone.txt"): "-"})
    assert ResultsCache(tmp_path).get("cd" * 32) == []
