"""claudelint.patterns: the one glob implementation (exclude, per-file-ignores, validation)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claudelint.cli import main
from claudelint.patterns import (
    GlobError,
    PathMatcher,
    escape_glob,
    glob_to_regex,
    per_file_ignores_for,
    reanchor_exclude,
    reanchor_per_file,
    validate_glob,
)
from claudelint.settings import Settings
from claudelint.workspace.config import ConfigError, ConfigResolver, load_settings

PACKAGE = Path(__file__).resolve().parent.parent / "claudelint"


def matches(pattern: str, path: str, *, literal_separator: bool = True) -> bool:
    return re.fullmatch(glob_to_regex(pattern, literal_separator), path, re.DOTALL) is not None


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.py", "a.py", True),
        ("*.py", "d/a.py", False),  # `*` stays within a component
        ("?.py", "a.py", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**", "a/x/y", True),
        ("[!_]*", "_x", False),
        ("[^_]*", "x", True),
        ("[]]x", "]x", True),
        ("src/{x,y}/*.py", "src/y/m.py", True),
        ("src/{x,y}/*.py", "src/z/m.py", False),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("a.b", "axb", False),  # regex characters are literal
    ],
)
def test_glob_semantics(pattern: str, path: str, expected: bool) -> None:
    assert matches(pattern, path) is expected


def test_per_file_star_crosses_folders() -> None:
    assert matches("tests/*", "tests/sub/x.py", literal_separator=False)
    assert not matches("tests/*", "tests/sub/x.py")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("[z-a]", "bad character class '[z-a]' at position 1: bad character range z-a"),
        ("src/[9-0].py", "bad character class '[9-0]' at position 5"),
        ("src/[abc", "unclosed character class '[' at position 5"),
        ("a}", "unmatched '}' at position 2"),
        ("{a,b", "unclosed alternation '{'"),
        ("a**/b", "'**' must be a whole path component"),
        ("a/b**", "'**' must be a whole path component"),
        ("***", "'**' must be a whole path component"),
    ],
)
def test_bad_globs_are_glob_errors(pattern: str, reason: str) -> None:
    with pytest.raises(GlobError) as info:
        glob_to_regex(pattern)
    assert reason in str(info.value)
    assert reason in (validate_glob(pattern) or "")
    with pytest.raises(GlobError):
        PathMatcher(["d/" + pattern], "/root")


@pytest.mark.parametrize("pattern", ["", "  ", "a\x00b"])
def test_empty_and_nul_patterns(pattern: str) -> None:
    assert validate_glob(pattern) is not None


@pytest.mark.parametrize("pattern", ["build", "*.egg-info", "a/**/b", "**", "[a-z]?", "\\{x"])
def test_good_globs(pattern: str) -> None:
    assert validate_glob(pattern) is None


def test_reversed_range_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    cfg = tmp_path / ".claudelint.toml"
    cfg.write_text('extend-exclude = ["ok", "[z-a]"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert info.value.key == "extend-exclude"
    assert "bad pattern '[z-a]': bad character class" in info.value.reason


def test_reversed_range_in_per_file_ignores_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[tool.claudelint.per-file-ignores]\n"t/[z-a].py" = ["CL101"]\n',
                   encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert info.value.key == 'per-file-ignores."t/[z-a].py"'
    assert "[tool.claudelint] per-file-ignores" in str(info.value)


def test_command_line_patterns_are_checked_too() -> None:
    with pytest.raises(ConfigError) as info:
        ConfigResolver(isolated=True, overrides={"extend_exclude": ("[z-a]",)})
    assert info.value.key == "--extend-exclude"
    with pytest.raises(ConfigError) as info:
        ConfigResolver(overrides={"exclude": ("src/[abc",)})
    assert info.value.key == "--exclude"
    ConfigResolver(isolated=True, overrides={"extend_exclude": ("ok/*",)})


@pytest.mark.parametrize(
    ("args", "config", "says"),
    [
        (["--isolated", "--extend-exclude", "[z-a]"], None, "--extend-exclude: bad pattern"),
        ([], 'exclude = ["[z-a]"]\n', ".claudelint.toml: exclude: bad pattern '[z-a]'"),
        ([], '[per-file-ignores]\n"[z-a]" = ["CL101"]\n', 'per-file-ignores."[z-a]": bad'),
    ],
)
def test_bad_pattern_exits_2_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], config: str | None,
    says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    if config is not None:
        (tmp_path / ".claudelint.toml").write_text(config, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--no-cache", *args, "."])
    assert result.exit_code == 2
    assert says in result.output
    assert isinstance(result.exception, SystemExit)  # an error message, not a crash


def test_per_file_pattern_negation_and_names(tmp_path: Path) -> None:
    s = Settings(root=tmp_path, per_file_ignores=(
        ("!src/**", ("CL1",)), ("conftest.py", ("CL2",)), ("{a,b}/*.py", ("CL3",)),
    ))
    assert per_file_ignores_for(s, tmp_path / "src" / "x" / "conftest.py") == ("CL2",)
    assert per_file_ignores_for(s, tmp_path / "tests" / "x.py") == ("CL1",)
    assert per_file_ignores_for(s, tmp_path / "b" / "deep" / "x.py") == ("CL1", "CL3")


def test_reanchoring() -> None:
    root = "/r/we[ir]d"
    assert escape_glob(root) == "/r/we\\[ir\\]d"
    assert reanchor_exclude("vendor/*", root) == "/r/we\\[ir\\]d/vendor/*"
    assert reanchor_exclude("./build/", root) == "/r/we\\[ir\\]d/build/"
    assert reanchor_exclude("build", root) == "build"  # a name matches anywhere
    assert reanchor_exclude("/abs/x", root) == "/abs/x"
    assert reanchor_per_file("!tests/*", root) == "!/r/we\\[ir\\]d/tests/*"
    assert reanchor_per_file("conftest.py", root) == "conftest.py"
    m = PathMatcher([reanchor_exclude("vendor/*", root)], "/elsewhere")
    assert m.match_path("/r/we[ir]d/vendor/x.py")
    assert not m.match_path("/r/wed/vendor/x.py")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_patterns_is_a_base_layer_module() -> None:
    allowed = {"claudelint.finding", "claudelint.settings", "pathspec"}
    for name in _imports(PACKAGE / "patterns.py"):
        top = name.split(".")[0]
        assert name in allowed or top in sys.stdlib_module_names or top == "__future__", name


def test_lint_layer_imports_nothing_from_workspace() -> None:
    for path in sorted((PACKAGE / "lint").glob("*.py")):
        bad = {n for n in _imports(path) if n.startswith("claudelint.workspace")}
        assert not bad, f"{path.name} imports {bad}"
