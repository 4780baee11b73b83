"""`extend = "path"` in a config file: inheritance, override, anchoring, cycles, missing files."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import UNCACHED_APP, invoke

from claudelint.patterns import is_excluded, per_file_ignores_for
from claudelint.workspace.config import ConfigError, ConfigResolver, load_settings
from claudelint.workspace.discovery import discover


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write(tmp_path / "pyproject.toml",
          '[tool.claudelint]\nignore = ["CL105"]\ncost-basis-calls = 500\n'
          'default-model = "claude-sonnet-4-6"\n'
          'extend-exclude = ["vendor/*", "scratch"]\n'
          'per-file-ignores = { "scripts/*" = ["CL101"], "conftest.py" = ["CL401"] }\n'
          "[tool.claudelint.options.oversized-max-tokens]\nclassification-cap = 32\n")
    return tmp_path


def test_inherits_every_key_and_overrides_what_it_sets(repo: Path) -> None:
    cfg = write(repo / "svc" / ".claudelint.toml",
                'extend = "../pyproject.toml"\ncost-basis-calls = 2000\n')
    s = load_settings(cfg)
    assert s.ignore == ("CL105",)
    assert s.default_model == "claude-sonnet-4-6"
    assert s.cost_basis_calls == 2000  # its own value wins
    assert s.options == {"oversized-max-tokens": {"classification-cap": 32}}
    assert s.config_path == cfg and s.root == repo / "svc"


def test_own_list_replaces_the_inherited_one(repo: Path) -> None:
    cfg = write(repo / "svc" / ".claudelint.toml",
                'extend = "../pyproject.toml"\nignore = ["CL401"]\n')
    assert load_settings(cfg).ignore == ("CL401",)


def test_extend_chains_through_several_files(repo: Path) -> None:
    write(repo / "a" / "claudelint.toml", 'extend = "../pyproject.toml"\nselect = ["CL1"]\n')
    cfg = write(repo / "a" / "b" / ".claudelint.toml",
                'extend = "../claudelint.toml"\ncost-basis-calls = 7\n')
    s = load_settings(cfg)
    assert (s.select, s.ignore, s.cost_basis_calls) == (("CL1",), ("CL105",), 7)


def test_inherited_patterns_stay_anchored_at_their_own_folder(repo: Path) -> None:
    svc = repo / "svc"
    write(svc / ".claudelint.toml",
          'extend = "../pyproject.toml"\nper-file-ignores = { "jobs/*" = ["CL201"] }\n')
    for name in ("svc/app.py", "svc/scratch/x.py", "svc/vendor/y.py", "vendor/z.py",
                 "svc/jobs/run.py"):
        write(repo / name, "x = 1\n")
    found = discover([repo], ConfigResolver())
    names = sorted(p.relative_to(repo).as_posix() for p in found.files)
    # "vendor/*" is the root's own folder, not svc/vendor; "scratch" (no "/") is any folder.
    assert names == ["svc/app.py", "svc/jobs/run.py", "svc/vendor/y.py"]
    s = load_settings(svc / ".claudelint.toml")
    assert per_file_ignores_for(s, svc / "jobs" / "run.py") == ("CL201",)  # own: svc/jobs


def test_inherited_per_file_ignores_keep_their_anchor(repo: Path) -> None:
    svc = repo / "svc"
    s = load_settings(write(svc / ".claudelint.toml", 'extend = "../pyproject.toml"\n'))
    assert per_file_ignores_for(s, repo / "scripts" / "a.py") == ("CL101",)
    assert per_file_ignores_for(s, svc / "scripts" / "a.py") == ()
    assert per_file_ignores_for(s, svc / "deep" / "conftest.py") == ("CL401",)  # a name


def test_own_options_merge_with_inherited_ones(repo: Path) -> None:
    cfg = write(repo / "svc" / ".claudelint.toml",
                'extend = "../pyproject.toml"\n'
                "[options.oversized-max-tokens]\nextraction-cap = 512\n")
    assert load_settings(cfg).options == {
        "oversized-max-tokens": {"classification-cap": 32, "extraction-cap": 512}
    }


def test_cycle_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path / "a" / ".claudelint.toml", 'extend = "../b/.claudelint.toml"\n')
    write(tmp_path / "b" / ".claudelint.toml", 'extend = "../a/.claudelint.toml"\n')
    with pytest.raises(ConfigError, match=r"extend: .* makes a cycle: .*a/\.claudelint\.toml"):
        load_settings(tmp_path / "a" / ".claudelint.toml")
    with pytest.raises(ConfigError, match="makes a cycle"):
        load_settings(write(tmp_path / "c.toml", 'extend = "c.toml"\n'))


def test_missing_or_bad_extend_target_is_a_config_error(tmp_path: Path) -> None:
    cfg = write(tmp_path / "claudelint.toml", 'extend = "../nowhere.toml"\n')
    with pytest.raises(ConfigError, match=r"claudelint.toml: extend: '../nowhere.toml' is not a"):
        load_settings(cfg)
    write(cfg, "extend = 3\n")
    with pytest.raises(ConfigError, match="extend: expected a string"):
        load_settings(cfg)
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    write(cfg, 'extend = "pyproject.toml"\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: no \[tool.claudelint\] table"):
        load_settings(cfg)


def test_an_error_in_the_extended_file_names_that_file(repo: Path) -> None:
    write(repo / "base.toml", "selct = []\n")
    cfg = write(repo / "svc" / ".claudelint.toml", 'extend = "../base.toml"\n')
    with pytest.raises(ConfigError, match=r"base.toml: selct: unknown key; did you mean 'select'"):
        load_settings(cfg)
    write(cfg, 'extends = "../base.toml"\n')
    with pytest.raises(ConfigError, match="did you mean 'extend'"):
        load_settings(cfg)


def test_through_the_cli_the_subfolder_inherits_the_root_ignore(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.claudelint]\nignore = ["CL101"]\n')
    write(repo / "svc" / ".claudelint.toml", 'extend = "../pyproject.toml"\n')
    write(repo / "svc" / "app.py", UNCACHED_APP)
    code, out = invoke(["check", "--no-cache", "--select", "CL101", "svc"], repo)
    assert code == 0, out
    code, out = invoke(["check", "--show-settings", "svc/app.py"], repo)
    assert code == 0 and 'ignore = ["CL101"]' in out


def test_anchoring_survives_glob_characters_in_the_folder_name(tmp_path: Path) -> None:
    repo = tmp_path / "we[ir]d {x,y}*"
    write(repo / "pyproject.toml", '[tool.claudelint]\nextend-exclude = ["vendor/*"]\n')
    write(repo / "svc" / ".claudelint.toml", 'extend = "../pyproject.toml"\n')
    write(repo / "svc" / "vendor" / "y.py", "x = 1\n")
    write(repo / "vendor" / "z.py", "x = 1\n")
    write(repo / "svc" / "vendor2.py", "x = 1\n")
    s = load_settings(repo / "svc" / ".claudelint.toml")
    assert is_excluded(repo / "vendor" / "z.py", s)
    assert not is_excluded(repo / "svc" / "vendor" / "y.py", s)
