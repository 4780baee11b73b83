"""`claudelint check --show-settings FILE` and `--show-files`, through the CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from cli_helpers import invoke

from claudelint.settings import Settings


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    """A repository root config and a nested package config that excludes a folder."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.claudelint]\nignore = ["CL105"]\n', encoding="utf-8"
    )
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "generated").mkdir()
    (pkg / ".claudelint.toml").write_text(
        'select = ["CL1"]\nextend-exclude = ["generated"]\ncost-basis-calls = 500\n'
        'per-file-ignores = { "sub/*" = ["CL101"] }\n',
        encoding="utf-8",
    )
    for name in ("pkg/sub/a.py", "pkg/generated/b.py", "pkg/c.pyi", "top.py", "notes.txt"):
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
    return tmp_path


def _settings_lines(output: str) -> dict[str, str]:
    body = output.split("\n\n", 1)[1]
    return dict(line.split(" = ", 1) for line in body.splitlines())


def test_show_settings_names_the_closest_config_and_every_field(mono: Path) -> None:
    code, out = invoke(["check", "--show-settings", "pkg/sub/a.py"], mono)
    assert code == 0
    head = out.splitlines()
    assert head[0] == "Resolved settings for: pkg/sub/a.py"
    assert head[1] == f"Settings path: {mono / 'pkg' / '.claudelint.toml'}"
    values = _settings_lines(out)
    assert list(values) == [f.name for f in dataclasses.fields(Settings)]
    assert values["select"] == '["CL1"]'
    assert values["ignore"] == "[]"  # configs are not merged: the root's ignore does not apply
    assert values["extend_exclude"] == '["generated"]'
    assert values["cost_basis_calls"] == "500"
    assert values["per_file_ignores"] == '{"sub/*" = ["CL101"]}'
    assert values["default_model"] == "none"
    assert values["respect_gitignore"] == "true"
    assert values["root"] == f'"{mono / "pkg"}"'


def test_show_settings_outside_the_package_uses_the_root_config(mono: Path) -> None:
    code, out = invoke(["check", "--show-settings", "top.py"], mono)
    assert code == 0
    assert f"Settings path: {mono / 'pyproject.toml'}" in out
    values = _settings_lines(out)
    assert values["select"] == '["CL"]'
    assert values["ignore"] == '["CL105"]'
    assert values["cost_basis_calls"] == "1000"


def test_show_settings_includes_command_line_overrides(mono: Path) -> None:
    code, out = invoke(["check", "--show-settings", "--ignore", "CL401", "top.py"], mono)
    assert code == 0
    assert _settings_lines(out)["ignore"] == '["CL105", "CL401"]'


def test_show_settings_for_a_folder_and_without_any_config(mono: Path, tmp_path: Path) -> None:
    code, out = invoke(["check", "--show-settings", "pkg"], mono)
    assert code == 0
    assert f"Settings path: {mono / 'pkg' / '.claudelint.toml'}" in out
    code, out = invoke(["check", "--show-settings", "--isolated", "pkg/sub/a.py"], mono)
    assert code == 0
    assert "Settings path: none (defaults)" in out
    assert _settings_lines(out)["config_path"] == "none"


def test_show_settings_reports_a_bad_config_with_exit_2(mono: Path) -> None:
    (mono / "pkg" / ".claudelint.toml").write_text("selct = []\n", encoding="utf-8")
    code, out = invoke(["check", "--show-settings", "pkg/sub/a.py"], mono)
    assert code == 2
    assert "did you mean 'select'" in out


def test_show_files_lists_what_check_reads_minus_excludes(mono: Path) -> None:
    code, out = invoke(["check", "--show-files"], mono)
    assert code == 0
    assert out.splitlines() == ["pkg/c.pyi", "pkg/sub/a.py", "top.py"]


def test_show_files_takes_paths_and_command_line_excludes(mono: Path) -> None:
    code, out = invoke(["check", "--show-files", "pkg"], mono)
    assert (code, out.splitlines()) == (0, ["pkg/c.pyi", "pkg/sub/a.py"])
    code, out = invoke(["check", "--show-files", "--extend-exclude", "sub"], mono)
    assert (code, out.splitlines()) == (0, ["pkg/c.pyi", "top.py"])
    # A file named explicitly is read even when excluded, unless --force-exclude.
    code, out = invoke(["check", "--show-files", "pkg/generated/b.py"], mono)
    assert (code, out.splitlines()) == (0, ["pkg/generated/b.py"])
    code, out = invoke(["check", "--show-files", "--force-exclude", "pkg/generated/b.py"], mono)
    assert (code, out) == (0, "")


def test_show_files_honours_gitignore(mono: Path) -> None:
    (mono / ".git").mkdir()
    (mono / ".gitignore").write_text("top.py\n", encoding="utf-8")
    code, out = invoke(["check", "--show-files"], mono)
    assert (code, out.splitlines()) == (0, ["pkg/c.pyi", "pkg/sub/a.py"])


def test_show_files_missing_path_is_exit_2(mono: Path) -> None:
    code, out = invoke(["check", "--show-files", "top.py", "nothere"], mono)
    assert code == 2
    assert "top.py" in out
    assert "nothere: no such file or directory" in out


def test_show_settings_and_show_files_together_is_a_usage_error(mono: Path) -> None:
    code, out = invoke(["check", "--show-settings", "--show-files"], mono)
    assert code == 2
    assert "cannot be combined" in out
