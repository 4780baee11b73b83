"""A file's findings do not depend on which other files are checked with it: the second look
at a file without a call site (workspace/runner.py) reads the project modules it imports that
are not files of the run (workspace/outside.py), as if they were. `check jobs.py` alone, the
per-file pre-commit hook and an editor buffer give what `check .` gives for the file; a
whole-project run reads nothing more."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_client import LspClient

from claudelint.analysis import project as project_mod
from claudelint.workspace import outside, runner
from claudelint.workspace.config import ConfigResolver
from claudelint.workspace.discovery import import_summary
from claudelint.workspace.prefilter_index import INDEX_NAME

XWRAP = Path(__file__).parent / "fixtures" / "recall" / "xwrap"
OLD = 1_000_000_000
INDEX_TIME = 2_000_000_000

LLM = (
    "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
    "def summarise(text):\n"
    "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=400,\n"
    "                               messages=[{'role': 'user', 'content': text}])\n"
    "    return r.content[0].text\n"
)
NO_REQUEST = "def summarise(text):\n    return text[:400]\n"
RUN = ("from pkg.llm import summarise\n\n\ndef main(docs):\n    out = []\n"
       "    for doc in docs:\n        out.append(summarise(doc.text))\n    return out\n")
AGENTS = (
    "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
    "class Reviewer:\n"
    "    def __init__(self, model):\n        self.model = model\n\n"
    "    def review(self, text):\n"
    "        return client.messages.create(model=self.model, max_tokens=300,\n"
    "                                      messages=[{'role': 'user', 'content': text}])\n"
)
BUILD = "from pkg.agents import Reviewer\n\nstrict = Reviewer(model='claude-3-opus-20240229')\n"
PLAIN = ("from pkg.run import main\nfrom os.path import join\n\n\n"
         "def go(p):\n    return main(join(p))\n")

Found = list[tuple[str, int, str]]


def _write(path: Path, text: str | bytes, mtime: int = OLD) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    os.utime(path, (mtime, mtime))


def _project(tmp_path: Path) -> None:
    (tmp_path / ".claudelint.toml").write_text("")
    _write(tmp_path / "pkg" / "__init__.py", "")
    _write(tmp_path / "pkg" / "llm.py", LLM)
    _write(tmp_path / "pkg" / "run.py", RUN)
    _write(tmp_path / "pkg" / "agents.py", AGENTS)
    _write(tmp_path / "pkg" / "build.py", BUILD)
    _write(tmp_path / "pkg" / "plain.py", PLAIN)


def _run(where: Path, monkeypatch: pytest.MonkeyPatch, *paths: str,
         use_cache: bool = False) -> Found:
    monkeypatch.chdir(where)
    project_mod.reset()
    result = runner.run(list(paths), ConfigResolver(), runner.RunOptions(use_cache=use_cache))
    assert not result.errors
    return sorted((f.path, f.line, f.code) for f in result.findings)


def _of(found: Found, path: str) -> Found:
    return [f for f in found if f[0] == path]


@pytest.fixture
def looked_up(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The modules outside the run that the second look reads (as imported)."""
    seen: list[str] = []
    real = outside.Reader.module

    def counting(self: outside.Reader, importer: Path, module: str) -> bytes | None:
        seen.append(module)
        return real(self, importer, module)

    monkeypatch.setattr(outside.Reader, "module", counting)
    return seen


def test_bound_import_findings_alone_are_those_with_the_module(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "xwrap"
    shutil.copytree(XWRAP, work)
    alone = _run(work, monkeypatch, "jobs.py")
    assert {"CL901", "CL302", "CL401"} <= {code for _, _, code in alone}
    assert alone == _of(_run(work, monkeypatch, "jobs.py", "llm/requests.py"), "jobs.py")
    assert alone == _of(_run(work, monkeypatch, "."), "jobs.py")


def test_imported_loop_and_constructor_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             looked_up: list[str]) -> None:
    _project(tmp_path)
    whole = _run(tmp_path, monkeypatch, "pkg")
    assert ("pkg/run.py", 7, "CL401") in whole
    assert ("pkg/build.py", 3, "CL302") in whole
    # A whole-project run has every module among its files: nothing more is read.
    assert looked_up == []
    assert _run(tmp_path, monkeypatch, "pkg/run.py") == _of(whole, "pkg/run.py")
    assert looked_up == ["pkg.llm"]
    looked_up.clear()
    assert _run(tmp_path, monkeypatch, "pkg/build.py") == _of(whole, "pkg/build.py")
    assert looked_up == ["pkg.agents"]
    # Two files, as the pre-commit hook passes them: only the modules they import, and only
    # those of the project (`os.path` is not looked for).
    looked_up.clear()
    assert _run(tmp_path, monkeypatch, "pkg/plain.py", "pkg/build.py") == _of(
        whole, "pkg/build.py")
    assert sorted(looked_up) == ["pkg.agents", "pkg.run"]


def test_a_whole_project_run_reads_no_file_twice(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 looked_up: list[str]) -> None:
    """No file with a call site: the files are read once, by the first look."""
    (tmp_path / ".claudelint.toml").write_text("")
    _write(tmp_path / "pkg" / "__init__.py", "")
    _write(tmp_path / "pkg" / "llm.py", NO_REQUEST)
    _write(tmp_path / "pkg" / "run.py", RUN)
    _write(tmp_path / "pkg" / "plain.py", PLAIN)
    reads: list[str] = []
    real = runner.read_file_bytes

    def counting(path: Path) -> bytes:
        reads.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(runner, "read_file_bytes", counting)
    assert _run(tmp_path, monkeypatch, ".") == []
    assert sorted(reads) == ["__init__.py", "llm.py", "plain.py", "run.py"]
    assert looked_up == []


def test_warm_runs_of_a_file_alone_follow_the_other_module(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    llm = tmp_path / "pkg" / "llm.py"
    finding = ("pkg/run.py", 7, "CL401")

    def alone() -> Found:
        found = _run(tmp_path, monkeypatch, "pkg/run.py", use_cache=True)
        for index in (tmp_path / ".claudelint_cache").glob(f"*/{INDEX_NAME}"):
            os.utime(index, (INDEX_TIME, INDEX_TIME))  # trusted by the next run
        return found

    assert finding in alone()
    assert finding in alone()  # from the results cache
    _write(llm, NO_REQUEST, OLD + 10)
    assert alone() == []  # the cached result depended on pkg/llm.py
    assert alone() == []  # run.py is now in the prefilter index...
    _write(llm, LLM, OLD + 20)
    assert finding in alone()  # ...which does not hide it once llm.py makes a request again


def test_warm_runs_of_a_constructor_alone(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    agents = tmp_path / "pkg" / "agents.py"
    finding = ("pkg/build.py", 3, "CL302")
    assert finding in _run(tmp_path, monkeypatch, "pkg/build.py", use_cache=True)
    _write(agents, AGENTS.replace("model=self.model", "model='claude-sonnet-4-6'"), OLD + 10)
    assert finding not in _run(tmp_path, monkeypatch, "pkg/build.py", use_cache=True)
    _write(agents, AGENTS, OLD + 20)
    assert finding in _run(tmp_path, monkeypatch, "pkg/build.py", use_cache=True)


def test_a_module_outside_the_project_is_silent(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                looked_up: list[str]) -> None:
    (tmp_path / ".claudelint.toml").write_text("")
    _write(tmp_path / "run.py", RUN.replace("pkg.llm", "nowhere.llm"))
    searched: list[str] = []
    real = outside.Reader.path

    def counting(self: outside.Reader, importer: Path, module: str) -> Path | None:
        searched.append(module)
        return real(self, importer, module)

    monkeypatch.setattr(outside.Reader, "path", counting)
    assert _run(tmp_path, monkeypatch, "run.py") == []
    assert looked_up == searched == []  # no file or folder `nowhere`: not looked for


@pytest.mark.parametrize("broken", [LLM + "\ndef bad(:\n    pass\n",
                                    LLM.encode() + b"\n# caf\xe9\n"])
def test_a_broken_module_outside_the_run_is_not_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str | bytes) -> None:
    _project(tmp_path)
    _write(tmp_path / "pkg" / "llm.py", broken)
    found = _run(tmp_path, monkeypatch, "pkg/run.py")
    assert [f for f in found if f[0] != "pkg/run.py"] == []
    assert ("pkg/run.py", 7, "CL401") not in found  # the module does not load


def test_standard_input_with_a_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    project_mod.reset()
    result = runner.RunResult()
    runner._lint_one(Path("pkg/run.py"), "pkg/run.py", RUN.encode(),
                     ConfigResolver().settings_for(tmp_path / "pkg" / "run.py"),
                     runner._Linters(), runner.RunOptions(use_cache=False), result, stdin=True)
    assert [(f.line, f.code) for f in result.findings] == [(7, "CL401")]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[LspClient]:
    c = LspClient(tmp_path)
    try:
        yield c
    finally:
        c.close()


def test_the_server_lints_a_file_opened_alone(client: LspClient, tmp_path: Path) -> None:
    _project(tmp_path)
    client.initialize(tmp_path)
    run = tmp_path / "pkg" / "run.py"
    uri = client.open(run, RUN)
    [diag] = client.diagnostics(uri, 1)
    assert diag["code"] == "CL401"
    assert diag["range"]["start"]["line"] == 6


def test_a_class_imported_but_not_called_does_not_admit_the_file(tmp_path: Path) -> None:
    _project(tmp_path)
    project_mod.reset()
    roots = (tmp_path,)
    for text, admitted in ((BUILD, True),
                           ("from pkg.agents import Reviewer\n\nKIND = Reviewer\n", False)):
        raw = text.encode()
        summary = import_summary(raw)
        assert summary is not None
        importer = tmp_path / "pkg" / "build.py"
        assert outside.OutsideModules([]).admits(
            importer, summary, raw, lambda: outside.Reader(roots)) is admitted


def test_only_a_function_that_makes_a_request_admits_the_file(tmp_path: Path) -> None:
    _project(tmp_path)
    _write(tmp_path / "pkg" / "llm.py", LLM + "\n\ndef helper(text):\n    return text\n")
    project_mod.reset()
    for name, admitted in (("summarise", True), ("helper", False)):
        raw = RUN.replace("summarise", name).encode()
        summary = import_summary(raw)
        assert summary is not None
        assert outside.OutsideModules([]).admits(
            tmp_path / "pkg" / "run.py", summary, raw,
            lambda: outside.Reader((tmp_path,))) is admitted


def test_a_package_is_found_from_its_top_wherever_the_run_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config file and another working directory: `pkg.llm` is found from the top of the
    package `run.py` is in, as the resolver finds it."""
    proj = tmp_path / "proj"
    _write(proj / "pkg" / "__init__.py", "")
    _write(proj / "pkg" / "llm.py", LLM)
    _write(proj / "pkg" / "run.py", RUN)
    (tmp_path / "elsewhere").mkdir()
    found = _run(tmp_path / "elsewhere", monkeypatch, "../proj/pkg/run.py")
    assert [(line, code) for _, line, code in found] == [(7, "CL401")]
