"""Import roots (`src`, issue 16): a file's findings do not depend on the working directory.

The monorepo fixture keeps a shared prompts module at the top and two packages in src layouts
below `packages/`; the support package has its own config that extends the repository's, so
the repository's `src` is inherited and stays anchored at the repository. Before `src`, the
support service's CL101 (which needs the imported prompt's token count) was found only when
claudelint ran from the repository root, because the working directory was an import root.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import BIG, UNCACHED_APP, invoke

from claudelint.analysis import project as project_mod
from claudelint.analysis.project import import_roots
from claudelint.settings import Settings
from claudelint.workspace.config import ConfigError, ConfigResolver, load_settings, src_roots

FIXTURE = Path(__file__).parent / "fixtures" / "monorepo"
SUPPORT = "packages/support/src/support/service.py"
BILLING = "packages/billing/src/billing/invoices.py"


@pytest.fixture(autouse=True)
def _fresh_project() -> None:
    project_mod.reset()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    work = tmp_path / "repo"
    shutil.copytree(FIXTURE, work)
    (tmp_path / "elsewhere").mkdir()
    return work


def _findings(args: list[str], cwd: Path, repo: Path) -> dict[str, list[dict[str, Any]]]:
    """Findings of a JSON run, by path relative to `repo`, without the path field."""
    code, out = invoke(["check", "--no-cache", "--output-format", "json", *args], cwd)
    assert code == 1, out
    by_file: dict[str, list[dict[str, Any]]] = {}
    for f in json.loads(out):
        rel = (cwd / f.pop("path")).resolve().relative_to(repo.resolve()).as_posix()
        by_file.setdefault(rel, []).append(f)
    return by_file


def test_same_findings_from_the_root_a_subfolder_and_elsewhere(repo: Path) -> None:
    from_root = _findings(["."], repo, repo)
    from_package = _findings(["."], repo / "packages" / "support", repo)
    elsewhere = _findings([str(repo / SUPPORT), str(repo / BILLING)], repo.parent / "elsewhere",
                          repo)
    assert sorted(from_root) == [BILLING, SUPPORT]
    assert from_package == {SUPPORT: from_root[SUPPORT]}
    assert elsewhere == from_root
    # Findings that need the imported modules: the shared prompt's token count (CL101 in
    # both packages) and a model named in another package's src folder (CL302).
    assert [(f["code"], f["line"]) for f in from_root[SUPPORT]] == [("CL101", 13)]
    assert [(f["code"], f["line"]) for f in from_root[BILLING]] == [("CL302", 12),
                                                                     ("CL101", 14)]
    assert "-token static prefix (system)" in from_root[SUPPORT][0]["message"]
    # The support package's own setting applies wherever the run starts.
    assert from_root[SUPPORT][0]["cost"]["calls"] == 10000


def test_same_findings_in_text_output_from_anywhere(repo: Path) -> None:
    """The text report too (the path shown differs; everything after it does not)."""
    def lines(cwd: Path, target: str) -> list[str]:
        code, out = invoke(["check", "--no-cache", "--output-format", "concise", target], cwd)
        assert code == 1, out
        return [line.split(":", 1)[1] for line in out.splitlines() if ".py:" in line]

    assert lines(repo, SUPPORT) == lines(repo / "packages" / "support",
                                         "src/support/service.py")
    assert lines(repo, SUPPORT) == lines(repo.parent / "elsewhere", str(repo / SUPPORT))
    assert [line[:12] for line in lines(repo, SUPPORT)] == ["13:16: CL101"]


def test_show_settings_lists_the_inherited_src_anchored_at_the_repository(repo: Path) -> None:
    code, out = invoke(["check", "--show-settings", "src/support/service.py"],
                       repo / "packages" / "support")
    assert code == 0, out
    assert f"Settings path: {repo / 'packages' / 'support' / '.claudelint.toml'}" in out
    shown = {k: v for k, _, v in (line.partition(" = ") for line in out.splitlines())}
    assert shown["root"] == f'"{repo / "packages" / "support"}"'
    expected = [repo, repo / "packages" / "billing" / "src", repo / "packages" / "support" / "src"]
    assert shown["src"] == "[" + ", ".join(f'"{p}"' for p in expected) + "]"


# --------------------------------------------------------------------------- the setting


def _config(folder: Path, text: str, name: str = ".claudelint.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_src_is_the_config_folder_and_its_src(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, "select = ['CL']\n"))
    assert settings.src == (tmp_path, tmp_path / "src")
    assert import_roots(settings) == (tmp_path, tmp_path / "src")


def test_src_entries_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "libs" / "b").mkdir(parents=True)
    (tmp_path / "libs" / "a").mkdir()
    (tmp_path / "libs" / "notes.txt").write_text("not a folder", encoding="utf-8")
    settings = load_settings(_config(
        tmp_path, f"src = ['lib', 'libs/*', '{tmp_path / 'abs'}', '../up', 'lib']\n"))
    assert settings.src == (tmp_path / "lib", tmp_path / "libs" / "a", tmp_path / "libs" / "b",
                            tmp_path / "abs", tmp_path.parent / "up")
    assert load_settings(_config(tmp_path, "src = []\n")).src == ()


def test_src_from_an_extended_file_stays_anchored_there(tmp_path: Path) -> None:
    (tmp_path / "pkgs" / "one" / "src").mkdir(parents=True)
    _config(tmp_path, "[tool.claudelint]\nsrc = ['.', 'pkgs/*/src']\n", "pyproject.toml")
    child = _config(tmp_path / "pkgs" / "one", "extend = '../../pyproject.toml'\n")
    assert load_settings(child).src == (tmp_path, tmp_path / "pkgs" / "one" / "src")
    # Through two extends, and overridden by the extending file's own `src`.
    grandchild = _config(tmp_path / "pkgs" / "one" / "deep", "extend = '../.claudelint.toml'\n")
    assert load_settings(grandchild).src == (tmp_path, tmp_path / "pkgs" / "one" / "src")
    own = _config(tmp_path / "pkgs" / "two", "extend = '../../pyproject.toml'\nsrc = ['.']\n")
    assert load_settings(own).src == (tmp_path / "pkgs" / "two",)
    # Unset everywhere: the extending file's folder is the project root (as ruff).
    _config(tmp_path / "plain", "select = ['CL']\n")
    bare = _config(tmp_path / "plain" / "sub", "extend = '../.claudelint.toml'\n")
    assert load_settings(bare).src == (tmp_path / "plain" / "sub",
                                       tmp_path / "plain" / "sub" / "src")


def test_bad_src_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"src: expected an array of strings, got a string"):
        load_settings(_config(tmp_path, "src = 'lib'\n"))
    with pytest.raises(ConfigError, match=r"src\[1\]: expected a string, got an integer"):
        load_settings(_config(tmp_path, "src = ['lib', 3]\n"))
    with pytest.raises(ConfigError, match=r"src: 'a\\x00b' contains a NUL character"):
        load_settings(_config(tmp_path, 'src = ["a\\u0000b"]\n'))
    with pytest.raises(ConfigError, match=r"src: cannot expand '~' in '~no-such-user-x/lib'"):
        load_settings(_config(tmp_path, "src = ['~no-such-user-x/lib']\n"))
    with pytest.raises(ConfigError, match=r"unknown key; did you mean 'src'"):
        load_settings(_config(tmp_path, "srcs = ['lib']\n"))


def test_without_a_config_the_working_directory_is_the_project_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for resolver in (ConfigResolver(), ConfigResolver(isolated=True)):
        settings = resolver.settings_for(tmp_path / "app.py")
        assert settings.config_path is None
        assert settings.src == (tmp_path, tmp_path / "src")
    # Settings built by hand (the API, tests): their root, else the working directory.
    assert import_roots(Settings()) == (tmp_path, tmp_path / "src")
    assert import_roots(Settings(root=tmp_path / "r")) == (tmp_path / "r", tmp_path / "r" / "src")


def test_src_roots_globs_only_folders_in_sorted_order(tmp_path: Path) -> None:
    for name in ("c", "a", "b"):
        (tmp_path / "p" / name / "src").mkdir(parents=True)
    (tmp_path / "p" / "b" / "src.txt").write_text("", encoding="utf-8")
    assert src_roots(["p/*/src*"], tmp_path) == tuple(
        tmp_path / "p" / n / "src" for n in ("a", "b", "c"))
    assert src_roots(["p/**/src"], tmp_path) == tuple(
        tmp_path / "p" / n / "src" for n in ("a", "b", "c"))
    assert src_roots(["nothing/*"], tmp_path) == ()


def test_an_import_root_that_is_not_set_is_not_searched(tmp_path: Path) -> None:
    """With a config file the working directory is no import root: a module that is only
    reachable from it is not found (the finding does not depend on where the run starts)."""
    _config(tmp_path / "app", "src = []\n")
    (tmp_path / "prompts.py").write_text(f"POLICY = {BIG!r}\n", encoding="utf-8")
    (tmp_path / "app" / "main.py").write_text(
        UNCACHED_APP.replace(f"POLICY = {BIG!r}\n", "from prompts import POLICY\n"),
        encoding="utf-8")
    code, out = invoke(["check", "--no-cache", "--output-format", "concise", "app"], tmp_path)
    assert code == 0, out
    _config(tmp_path / "app", "src = ['..']\n")
    code, out = invoke(["check", "--no-cache", "--output-format", "concise", "app"], tmp_path)
    assert code == 1 and "CL101" in out, out
