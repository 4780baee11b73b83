"""The prefilter index (workspace/prefilter_index.py): a warm run does not read again the files
an earlier run found to hold no call site, and never trusts an entry it cannot be sure of.

Every time here is set by hand (`os.utime`), the files' and the index's: the tests never depend
on the real clock or on how fast the machine is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from claudelint.analysis import project as project_mod
from claudelint.workspace import runner
from claudelint.workspace.config import ConfigResolver
from claudelint.workspace.prefilter_index import INDEX_NAME, RACY_NS

OLD = 1_000_000_000  # 2001-09-09, in seconds: files long unchanged
INDEX_TIME = 2_000_000_000  # 2033-05-18: when the index was written

PLAIN = "import os\n\n\ndef size(p):\n    return os.path.getsize(p)\n"
LLM = (
    "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
    "def summarise(text):\n"
    "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=400,\n"
    "                               messages=[{'role': 'user', 'content': text}])\n"
    "    return r.content[0].text\n"
)
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


def _write(path: Path, text: str, mtime: int = OLD) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def _project(tmp_path: Path) -> None:
    (tmp_path / ".claudelint.toml").write_text("")
    _write(tmp_path / "pkg" / "__init__.py", "")
    _write(tmp_path / "pkg" / "llm.py", LLM)
    _write(tmp_path / "pkg" / "run.py", RUN)
    _write(tmp_path / "pkg" / "agents.py", AGENTS)
    _write(tmp_path / "pkg" / "build.py", BUILD)
    for i in range(3):
        _write(tmp_path / "pkg" / f"util{i}.py", PLAIN)


def _index(tmp_path: Path) -> Path:
    found = list((tmp_path / ".claudelint_cache").glob(f"*/{INDEX_NAME}"))
    assert len(found) == 1
    return found[0]


def _age_index(tmp_path: Path) -> None:
    os.utime(_index(tmp_path), (INDEX_TIME, INDEX_TIME))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the runner reads."""
    seen: list[str] = []
    real = runner.read_file_bytes

    def counting(path: Path) -> bytes:
        seen.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(runner, "read_file_bytes", counting)
    return seen


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *,
         use_cache: bool = True) -> tuple[list[tuple[str, int, str]], int]:
    """(path, line, code) of each finding, and the number of files checked."""
    monkeypatch.chdir(tmp_path)
    project_mod.reset()
    result = runner.run(["pkg"], ConfigResolver(), runner.RunOptions(use_cache=use_cache))
    assert not result.errors
    return [(f.path, f.line, f.code) for f in result.findings], result.files_checked


def test_a_warm_run_does_not_read_files_known_to_hold_no_call_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]) -> None:
    _project(tmp_path)
    cold, checked = _run(tmp_path, monkeypatch)
    # The second look found both files that fix a request made elsewhere.
    assert ("pkg/run.py", 7, "CL401") in cold
    assert ("pkg/build.py", 3, "CL302") in cold
    assert checked == 8
    assert {"util0.py", "util1.py", "util2.py", "__init__.py"} <= set(reads)
    _age_index(tmp_path)
    reads.clear()
    warm, checked = _run(tmp_path, monkeypatch)
    assert (warm, checked) == (cold, 8)
    # Only the files that reach the linter are read: those with a call site, and those the
    # second look keeps (their cached results are keyed by their content).
    assert sorted(reads) == ["agents.py", "build.py", "llm.py", "run.py"]


def test_the_index_is_not_written_or_read_without_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]) -> None:
    _project(tmp_path)
    cold, _ = _run(tmp_path, monkeypatch, use_cache=False)
    assert not (tmp_path / ".claudelint_cache").exists()
    _run(tmp_path, monkeypatch)
    _age_index(tmp_path)
    reads.clear()
    assert _run(tmp_path, monkeypatch, use_cache=False)[0] == cold
    assert "util0.py" in reads


CALLS = ("import anthropic\nc = anthropic.Anthropic()\n"
         "c.messages.create(model='claude-3-opus-20240229', max_tokens=9, messages=[])\n")


@pytest.mark.parametrize("same_mtime", [False, True])
def test_a_file_that_gains_a_call_site_is_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, same_mtime: bool) -> None:
    _project(tmp_path)
    util = tmp_path / "pkg" / "util1.py"
    _write(util, PLAIN.ljust(len(CALLS), "#"))  # the size the edit will keep
    assert ("pkg/util1.py", 3, "CL302") not in _run(tmp_path, monkeypatch)[0]
    _age_index(tmp_path)
    if same_mtime:  # the old mtime put back: the ctime still tells
        util.write_text(CALLS)
        os.utime(util, (OLD, OLD))
    else:
        _write(util, CALLS, mtime=OLD + 5)
    assert util.stat().st_size == len(CALLS)
    assert ("pkg/util1.py", 3, "CL302") in _run(tmp_path, monkeypatch)[0]


def test_an_entry_as_new_as_the_index_is_not_trusted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]) -> None:
    # Racy: util1.py changed within RACY_NS of the index being written, so a rewrite in the
    # same tick of the filesystem clock, same size, could leave its stat unchanged.
    _project(tmp_path)
    util = tmp_path / "pkg" / "util1.py"
    recent = (INDEX_TIME * 10**9 - RACY_NS) // 10**9 + 1
    _write(util, PLAIN, mtime=recent)
    _run(tmp_path, monkeypatch)
    _age_index(tmp_path)
    reads.clear()
    _run(tmp_path, monkeypatch)
    assert "util1.py" in reads and "util0.py" not in reads
    # The racy entry made the run write the index again, so once the index is newer by
    # RACY_NS, the entry is trusted.
    later = INDEX_TIME + 10
    os.utime(_index(tmp_path), (later, later))
    reads.clear()
    _run(tmp_path, monkeypatch)
    assert "util1.py" not in reads


@pytest.mark.parametrize("content", [
    b"", b"{not json", b"[]", b'{"format": 1, "code": "x", "files": {}}',
    b'{"format": 1, "files": [1, 2]}', b"\xff\xfe",
])
def test_a_corrupt_or_foreign_index_is_an_empty_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str],
        content: bytes) -> None:
    _project(tmp_path)
    cold, _ = _run(tmp_path, monkeypatch)
    index = _index(tmp_path)
    index.write_bytes(content)
    _age_index(tmp_path)
    reads.clear()
    assert _run(tmp_path, monkeypatch)[0] == cold
    assert "util0.py" in reads
    # ... and the run wrote a good one again.
    assert json.loads(index.read_bytes())["files"]


def test_bad_entries_are_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                reads: list[str]) -> None:
    _project(tmp_path)
    cold, _ = _run(tmp_path, monkeypatch)
    index = _index(tmp_path)
    data = json.loads(index.read_bytes())
    names = sorted(data["files"])
    run_py = next(n for n in names if n.endswith("run.py"))
    util0 = next(n for n in names if n.endswith("util0.py"))
    stat_text = data["files"][run_py].partition("\n")[0]
    data["files"][run_py] = stat_text + "\nnot\x1fa record"  # unreadable statements
    data["files"][util0] = [1, 2]  # not a string
    index.write_text(json.dumps(data))
    _age_index(tmp_path)
    reads.clear()
    assert _run(tmp_path, monkeypatch)[0] == cold
    assert "run.py" in reads and "util0.py" in reads


def test_a_file_that_now_holds_a_call_site_leaves_the_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    _run(tmp_path, monkeypatch)
    assert any(n.endswith("util2.py") for n in json.loads(_index(tmp_path).read_bytes())["files"])
    _write(tmp_path / "pkg" / "util2.py", CALLS, mtime=OLD + 7)
    _run(tmp_path, monkeypatch)
    files = json.loads(_index(tmp_path).read_bytes())["files"]
    assert not any(n.endswith("util2.py") for n in files)
    assert any(n.endswith("util0.py") for n in files)
