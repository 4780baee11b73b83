from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from claudelint.patterns import PathMatcher, is_excluded, per_file_ignores_for
from claudelint.settings import Settings
from claudelint.workspace.config import ConfigResolver
from claudelint.workspace.discovery import DiscoveryResult, discover, may_hold_call_site


def touch(root: Path, *names: str) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n", encoding="utf-8")


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def found(result: DiscoveryResult) -> list[str]:
    return [p.as_posix() for p in result.files]


def run(*paths: str, force_exclude: bool = False, **overrides: object) -> DiscoveryResult:
    resolver = ConfigResolver(overrides=overrides or None)
    return discover([Path(p) for p in paths], resolver, force_exclude=force_exclude)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------------ walking


def test_walk_finds_python_stubs_and_notebooks_only(in_tmp: Path) -> None:
    touch(in_tmp, "a.py", "b.pyi", "c.ipynb", "d.txt", "e.pyc", "pkg/f.py", ".hidden/g.py")
    result = run(".")
    assert found(result) == [".hidden/g.py", "a.py", "b.pyi", "c.ipynb", "pkg/f.py"]
    assert result.errors == []


def test_default_excludes_are_pruned(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(
        in_tmp,
        "src/app.py",
        ".venv/lib/x.py",
        "venv/y.py",
        "node_modules/pkg/z.py",
        "build/lib/b.py",
        "dist/d.py",
        "src/deep/site-packages/s.py",
        ".git/hooks/h.py",
        "src/__pypackages__/p.py",
    )
    scanned: list[str] = []
    real_scandir = os.scandir

    def spy(path: str) -> object:
        scanned.append(Path(path).as_posix())
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", spy)
    assert found(run(".")) == ["src/app.py"]
    # Excluded folders are never entered.
    assert sorted(scanned) == [".", "src", "src/deep"]


def test_paths_keep_the_form_given(in_tmp: Path) -> None:
    touch(in_tmp, "src/a.py", "src/sub/b.py")
    assert found(run("src")) == ["src/a.py", "src/sub/b.py"]
    assert found(run("./src/")) == ["src/a.py", "src/sub/b.py"]
    absolute = run(str(in_tmp / "src"))
    assert absolute.files == [in_tmp / "src" / "a.py", in_tmp / "src" / "sub" / "b.py"]


def test_results_are_sorted_and_deduplicated(in_tmp: Path) -> None:
    touch(in_tmp, "b.py", "a/z.py", "a/b.py")
    assert found(run("a", ".", "a/b.py", "b.py", "./b.py")) == ["a/b.py", "a/z.py", "b.py"]


def test_missing_path_is_an_error_and_others_are_still_found(in_tmp: Path) -> None:
    touch(in_tmp, "ok/a.py", "b.py")
    result = run("nope", "ok", "missing.py", "b.py")
    assert found(result) == ["b.py", "ok/a.py"]
    assert result.errors == [
        (Path("nope"), "no such file or directory"),
        (Path("missing.py"), "no such file or directory"),
    ]


def test_unreadable_folder_is_an_error(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(in_tmp, "ok/a.py", "locked/b.py", "z.py")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run(".")
    assert found(result) == ["ok/a.py", "z.py"]
    assert result.errors == [(Path("locked"), "permission denied")]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_loop_does_not_hang(in_tmp: Path) -> None:
    touch(in_tmp, "pkg/a.py", "pkg/sub/b.py")
    (in_tmp / "pkg" / "sub" / "loop").symlink_to("..")
    (in_tmp / "pkg" / "self").symlink_to(in_tmp / "pkg")
    (in_tmp / "link.py").symlink_to(in_tmp / "pkg" / "a.py")
    (in_tmp / "broken.py").symlink_to(in_tmp / "gone.py")
    box: list[DiscoveryResult] = []
    worker = threading.Thread(target=lambda: box.append(run(".")), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "discovery hangs on a symlink loop"
    # Linked folders are not entered; a linked file is linted; a broken link is skipped.
    assert found(box[0]) == ["link.py", "pkg/a.py", "pkg/sub/b.py"]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_explicit_symlinked_folder_is_walked(in_tmp: Path) -> None:
    touch(in_tmp, "real/a.py")
    (in_tmp / "alias").symlink_to(in_tmp / "real")
    assert found(run("alias")) == ["alias/a.py"]


# ------------------------------------------------------------------------------ excludes


def test_explicit_paths_are_linted_even_when_excluded(in_tmp: Path) -> None:
    touch(in_tmp, "build/gen.py", "notes.txt", "src/a.py")
    result = run("build/gen.py", "notes.txt", "build")
    assert found(result) == ["build/gen.py", "notes.txt"]


def test_force_exclude_applies_excludes_to_explicit_paths(in_tmp: Path) -> None:
    touch(in_tmp, "build/gen.py", "src/a.py", ".venv/lib/x.py", "src/build/deep/y.py")
    paths = ("build/gen.py", "src/a.py", ".venv/lib/x.py", "src/build/deep/y.py", "build")
    assert found(run(*paths, force_exclude=True)) == ["src/a.py"]
    # Without the flag every explicit path is linted, the excluded folder walked.
    assert found(run(*paths)) == [
        ".venv/lib/x.py",
        "build/gen.py",
        "src/a.py",
        "src/build/deep/y.py",
    ]


def test_force_exclude_from_settings(in_tmp: Path) -> None:
    touch(in_tmp, "build/gen.py", "src/a.py")
    (in_tmp / ".claudelint.toml").write_text("force-exclude = true\n", encoding="utf-8")
    assert found(run("build/gen.py", "src/a.py")) == ["src/a.py"]


def test_extend_exclude_is_relative_to_config_root(in_tmp: Path) -> None:
    proj = in_tmp / "proj"
    touch(
        proj,
        "src/a.py",
        "tests/fixtures/bad.py",
        "tests/test_a.py",
        "other/tests/fixtures/kept.py",
        "gen/x.gen.py",
    )
    (proj / "pyproject.toml").write_text(
        '[tool.claudelint]\nextend-exclude = ["tests/fixtures", "*.gen.py"]\n', encoding="utf-8"
    )
    expected = ["proj/other/tests/fixtures/kept.py", "proj/src/a.py", "proj/tests/test_a.py"]
    # Run from above the project: the anchored pattern still means proj/tests/fixtures.
    assert found(run("proj")) == expected
    # Defaults still apply (extend-exclude adds).
    touch(proj, "node_modules/n.py")
    assert found(run("proj")) == expected


def test_exclude_replaces_defaults(in_tmp: Path) -> None:
    touch(in_tmp, "build/b.py", "gen/g.py", "a.py")
    (in_tmp / "claudelint.toml").write_text('exclude = ["gen"]\n', encoding="utf-8")
    assert found(run(".")) == ["a.py", "build/b.py"]


def test_nested_config_excludes_apply_below_it(in_tmp: Path) -> None:
    touch(in_tmp, "a/skip/x.py", "b/skip/y.py", "b/z.py")
    (in_tmp / "b" / ".claudelint.toml").write_text('extend-exclude = ["skip"]\n', encoding="utf-8")
    assert found(run(".")) == ["a/skip/x.py", "b/z.py"]


def test_cli_exclude_override(in_tmp: Path) -> None:
    touch(in_tmp, "a.py", "legacy/old.py", "src/legacy/keep.py")
    assert found(run(".", extend_exclude=("./legacy",))) == ["a.py", "src/legacy/keep.py"]


def test_path_matcher_semantics(tmp_path: Path) -> None:
    root = tmp_path.as_posix()
    m = PathMatcher(["build", "*.egg-info", "docs/", "tests/fix*", "src/**/gen", "/abs/x"], root)
    assert m.match_path(f"{root}/a/build/b.py")  # bare name: any component
    assert m.match_path(f"{root}/pkg.egg-info")
    assert m.match_path(f"{root}/tests/fixtures/a.py")  # anchored, covers what is below
    assert not m.match_path(f"{root}/sub/tests/fixtures/a.py")
    assert m.match_path(f"{root}/src/gen/a.py")
    assert m.match_path(f"{root}/src/a/b/gen/a.py")
    assert m.match_path("/abs/x/y.py")
    assert m.match_path(f"{root}/docs/conf.py")  # folder-only pattern, folder component
    assert not m.match_path(f"{root}/docs", is_dir=False)
    assert not m.match_path(f"{root}/builder.py")
    assert not m.match_path(f"{root}/src/generate.py")


def test_is_excluded_and_per_file_ignores(tmp_path: Path) -> None:
    s = Settings(
        root=tmp_path,
        extend_exclude=("vendored",),
        per_file_ignores=(("tests/*.py", ("CL101",)), ("__init__.py", ("CL1", "CL2"))),
    )
    assert is_excluded(tmp_path / "x" / "vendored" / "a.py", s)
    assert is_excluded(tmp_path / ".venv" / "a.py", s)
    assert not is_excluded(tmp_path / "a.py", s)
    assert per_file_ignores_for(s, tmp_path / "tests" / "test_a.py") == ("CL101",)
    # Ruff's semantics: "*" crosses "/" in per-file-ignores.
    assert per_file_ignores_for(s, tmp_path / "tests" / "sub" / "test_a.py") == ("CL101",)
    assert per_file_ignores_for(s, tmp_path / "test_a.py") == ()
    assert per_file_ignores_for(s, tmp_path / "pkg" / "__init__.py") == ("CL1", "CL2")
    assert per_file_ignores_for(s, tmp_path / "a.py") == ()


# ------------------------------------------------------------------------------ .gitignore


def test_gitignore_nested_files_apply_to_their_folder(in_tmp: Path) -> None:
    git_init(in_tmp)
    touch(
        in_tmp,
        "a.py",
        "gen_a.py",
        "top_only.py",
        "sub/top_only.py",
        "sub/b.py",
        "sub/local_b.py",
        "other/local_c.py",
        "out/x.py",
    )
    (in_tmp / ".gitignore").write_text("gen_*.py\n/top_only.py\nout/\n", encoding="utf-8")
    (in_tmp / "sub" / ".gitignore").write_text("local_*.py\n", encoding="utf-8")
    assert found(run(".")) == ["a.py", "other/local_c.py", "sub/b.py", "sub/top_only.py"]


def test_gitignore_negation(in_tmp: Path) -> None:
    git_init(in_tmp)
    touch(in_tmp, "gen/a.py", "gen/keep.py", "x_1.py", "x_keep.py", "sub/x_2.py", "sub/x_3.py")
    (in_tmp / ".gitignore").write_text("gen/*\n!gen/keep.py\nx_*.py\n", encoding="utf-8")
    # A deeper .gitignore decides first and can re-include.
    (in_tmp / "sub" / ".gitignore").write_text("!x_3.py\n", encoding="utf-8")
    (in_tmp / "x_keep.py").unlink()
    assert found(run(".")) == ["gen/keep.py", "sub/x_3.py"]


def test_gitignore_excluded_folder_cannot_be_reincluded_into(in_tmp: Path) -> None:
    git_init(in_tmp)
    touch(in_tmp, "cache/a.py", "cache/keep.py")
    (in_tmp / ".gitignore").write_text("cache/\n!cache/keep.py\n", encoding="utf-8")
    assert found(run(".")) == []  # git does not re-include inside an excluded folder


def test_git_info_exclude(in_tmp: Path) -> None:
    git_init(in_tmp)
    touch(in_tmp, "a.py", "scratch.py")
    (in_tmp / ".git" / "info").mkdir(exist_ok=True)
    (in_tmp / ".git" / "info" / "exclude").write_text("scratch.py\n", encoding="utf-8")
    assert found(run(".")) == ["a.py"]


def test_gitignore_of_parent_folders_apply_to_a_subfolder_walk(in_tmp: Path) -> None:
    git_init(in_tmp)
    touch(in_tmp, "pkg/a.py", "pkg/b_generated.py")
    (in_tmp / ".gitignore").write_text("*_generated.py\n", encoding="utf-8")
    assert found(run("pkg")) == ["pkg/a.py"]


def test_explicitly_given_ignored_folder_is_walked(in_tmp: Path) -> None:
    git_init(in_tmp)
    touch(in_tmp, "vendor/a.py", "vendor/sub/b.py")
    (in_tmp / ".gitignore").write_text("/vendor\n", encoding="utf-8")
    assert found(run(".")) == []
    assert found(run("vendor")) == ["vendor/a.py", "vendor/sub/b.py"]


def test_gitignore_needs_a_repository(in_tmp: Path) -> None:
    touch(in_tmp, "a.py", "ignored.py")
    (in_tmp / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    assert found(run(".")) == ["a.py", "ignored.py"]  # as git: no repository, no .gitignore


def test_nested_repository_starts_afresh(in_tmp: Path) -> None:
    git_init(in_tmp)
    touch(in_tmp, "lib_x.py", "inner/lib_y.py")
    (in_tmp / ".gitignore").write_text("lib_*.py\n", encoding="utf-8")
    git_init(in_tmp / "inner")
    assert found(run(".")) == ["inner/lib_y.py"]


def test_respect_gitignore_false(in_tmp: Path) -> None:
    git_init(in_tmp)
    touch(in_tmp, "a.py", "ignored.py")
    (in_tmp / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    (in_tmp / ".claudelint.toml").write_text("respect-gitignore = false\n", encoding="utf-8")
    assert found(run(".")) == ["a.py", "ignored.py"]


def test_gitignored_explicit_file_is_linted(in_tmp: Path) -> None:
    git_init(in_tmp)
    touch(in_tmp, "ignored.py")
    (in_tmp / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    assert found(run("ignored.py")) == ["ignored.py"]


def test_agrees_with_git_check_ignore(in_tmp: Path) -> None:
    git_init(in_tmp)
    names = [
        "a.py",
        "logs/a.py",
        "src/gen/a.py",
        "src/gen/keep.py",
        "src/tmp_a.py",
        "src/deep/tmp_b.py",
        "src/deep/x/y.py",
        "docs/conf.py",
        "docs/api/b.py",
    ]
    touch(in_tmp, *names)
    (in_tmp / ".gitignore").write_text(
        "logs\nsrc/gen/*\n!src/gen/keep.py\n**/x/\n", encoding="utf-8"
    )
    (in_tmp / "src" / ".gitignore").write_text("tmp_*.py\n!deep/tmp_b.py\n", encoding="utf-8")
    (in_tmp / "docs" / ".gitignore").write_text("/*.py\n", encoding="utf-8")
    proc = subprocess.run(
        ["git", "check-ignore", "--no-index", *names],
        cwd=in_tmp,
        capture_output=True,
        text=True,
        check=False,
    )
    git_ignored = set(proc.stdout.split())
    assert git_ignored  # the setup does ignore something
    assert found(run(".")) == sorted(set(names) - git_ignored)


# ------------------------------------------------------------------------------ prefilter

CALL_SITES = [
    "client = anthropic.Anthropic()\nr = client.messages.create(model=m, messages=[])",
    "r = await self.client.beta.messages.create(**params)",
    "with client.messages.stream(model=m) as s:\n    pass",
    "m = client.beta.messages\nm.create(model='claude-sonnet-4-5')",
    "create = self.client.messages.create\ncreate(model=M)",
    "client.messages.batches.create(requests=reqs)",
    "client.beta.messages.batches.create(requests=reqs)",
    "client.with_options(timeout=5).messages.create(model=M)",
    "client.messages.with_raw_response.create(model=M)",
    "client.with_raw_response.messages.create(model=M)",
    "client.beta.prompt_caching.messages.create(model=M)",
    "r = (\n    client\n    .messages\n    .create(model=M)\n)",
    "r = (client.\n     messages.create(model=M))",
    "r = client.\\\n    messages.create(model=M)",
    "r = client. messages.create(model=M)",
    "loop.run_in_executor(None, lambda: client.messages.create(**kw))",
    "client.messages.parse(model=M, output_format=X)",
    "client.beta.messages.tool_runner(tools=[t])",
]


def notebook(*cells: str) -> bytes:
    doc = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": source.splitlines(keepends=True),
                "outputs": [],
                "execution_count": None,
            }
            for source in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1).encode()


@pytest.mark.parametrize("code", CALL_SITES)
def test_prefilter_keeps_call_sites(code: str) -> None:
    assert may_hold_call_site(code.encode())
    assert may_hold_call_site(b"# coding: utf-8\r\n" + code.replace("\n", "\r\n").encode())
    assert may_hold_call_site(notebook("import anthropic", code))
    assert may_hold_call_site(json.dumps({"source": code}, ensure_ascii=True).encode())


def test_prefilter_keeps_notebook_with_non_ascii_prompt() -> None:
    data = notebook('prompt = "résumé ✓ 日本語"\nclient.messages.create(messages=[prompt])')
    assert may_hold_call_site(data)


@pytest.mark.parametrize(
    "code",
    [
        "import os\nprint(os.getcwd())\n",
        "def f(x):\n    return x + 1\n",
        "import anthropic\nclient = anthropic.Anthropic()\nprint(client.models.list())\n",
        "messages = []\nmessages.append({'role': 'user'})\n",
        "logger.info('no messages today')\n",
        "",
    ],
)
def test_prefilter_drops_files_without_a_messages_access(code: str) -> None:
    assert not may_hold_call_site(code.encode())
    assert not may_hold_call_site(notebook(code))


@pytest.mark.parametrize(
    "code",
    [
        b"self.messages = []\nself.messages.append(x)\n",
        b"n = len(self.messages)\nfirst = self.messages[0]\n",
        b"errors.messages[codes[1]]\n",
        b"for m in inbox.messages.values():\n    pass\n",
    ],
)
def test_prefilter_second_stage_drops_attribute_look_alikes(code: bytes) -> None:
    assert not may_hold_call_site(code)


@pytest.mark.parametrize(
    "code",
    [
        b"m = client.beta.messages\nm.create(model=M)\n",
        b"m = client.messages  # the resource\n",
        b"r = (client.messages\n     .create(model=M))\n",
        b"client.messages.batches.create(requests=[])\n",
        b'{"source": ["resp = client.messages.create(\\n", "  model=M)"]}',
    ],
)
def test_prefilter_second_stage_keeps_request_shapes(code: bytes) -> None:
    assert may_hold_call_site(code)
