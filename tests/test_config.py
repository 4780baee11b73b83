from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import pytest

from claudelint.lint import registry
from claudelint.lint.rule import Option, Rule
from claudelint.patterns import validate_glob
from claudelint.settings import DEFAULT_EXCLUDES, Settings
from claudelint.workspace.config import (
    CONFIG_NAMES,
    ConfigError,
    ConfigResolver,
    find_config,
    load_settings,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def config_error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return info.value


class FakeTaskCaps(Rule):
    """A rule with options, standing in for rules that have them."""

    code = "CL998"
    name = "fake-task-caps"
    summary = "test rule"
    options: ClassVar[dict[str, Option]] = {
        "classification-cap": Option(default=64, type=int, help="cap"),
        "ratio": Option(default=0.5, type=float, help="ratio"),
        "task-words": Option(default=(), type=tuple, help="words"),
        "strict": Option(default=False, type=bool, help="strict"),
    }


@pytest.fixture
def fake_rule(monkeypatch: pytest.MonkeyPatch) -> type[Rule]:
    real = registry.all_rules()
    monkeypatch.setattr(registry, "all_rules", lambda: (*real, FakeTaskCaps))
    return FakeTaskCaps


# ------------------------------------------------------------------------------ load_settings


def test_full_config_is_read_and_normalised(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / ".claudelint.toml",
        """
        select = ["CL1", "missing-cache-control"]
        extend-select = ["CL10"]
        ignore = ["CL101"]
        exclude = ["generated"]
        extend-exclude = ["tests/fixtures", "*.gen.py"]
        respect-gitignore = false
        force-exclude = true
        unsafe-fixes = true
        output-format = "json"
        default-model = "claude-sonnet-4-5"
        extend-client-factories = ["myproj.llm.make_client"]
        cost-basis-calls = 1000000

        [per-file-ignores]
        "tests/**" = ["CL101", "missing-cache-control"]
        "__init__.py" = ["CL"]

        [[models]]
        id = "claude-custom-1"
        family = "sonnet"
        status = "active"
        input = 1.5

        [[models]]
        id = "claude-custom-2"
        family = "haiku"
        status = "active"
        """,
    )
    s = load_settings(cfg)
    assert s.select == ("CL1", "missing-cache-control")
    assert s.extend_select == ("CL10",)
    assert s.ignore == ("CL101",)
    assert s.exclude == ("generated",)  # replaces the defaults
    assert s.extend_exclude == ("tests/fixtures", "*.gen.py")
    assert s.respect_gitignore is False
    assert s.force_exclude is True
    assert s.unsafe_fixes is True
    assert s.output_format == "json"
    assert s.default_model == "claude-sonnet-4-5"
    assert s.extend_client_factories == ("myproj.llm.make_client",)
    assert s.cost_basis_calls == 1_000_000
    assert s.per_file_ignores == (
        ("tests/**", ("CL101", "missing-cache-control")),
        ("__init__.py", ("CL",)),
    )
    assert s.models == (
        {"id": "claude-custom-1", "family": "sonnet", "status": "active", "input": 1.5},
        {"id": "claude-custom-2", "family": "haiku", "status": "active"},
    )
    assert s.config_path == cfg
    assert s.root == tmp_path


def test_empty_config_keeps_defaults(tmp_path: Path) -> None:
    s = load_settings(write(tmp_path / "claudelint.toml", ""))
    assert s.exclude == DEFAULT_EXCLUDES
    assert s.select == Settings().select
    assert s.root == tmp_path


def test_models_as_table_keyed_by_id(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / ".claudelint.toml",
        """
        [models."claude-a"]
        family = "opus"
        status = "active"
        max_output_tokens = 1000
        [models."claude-b"]
        id = "claude-b"
        family = "haiku"
        status = "active"
        """,
    )
    assert load_settings(cfg).models == (
        {"family": "opus", "status": "active", "max_output_tokens": 1000, "id": "claude-a"},
        {"id": "claude-b", "family": "haiku", "status": "active"},
    )


@pytest.mark.parametrize(
    ("body", "key", "reason"),
    [
        ("[[models]]\nname = 'x'\n", "models[0]", "missing 'id'"),
        ("[[models]]\nid = 3\n", "models[0].id", "expected a string, got an integer"),
        ("[models.a]\nid = 'b'\n", 'models."a".id', "differs from the table name"),
        ("[[models]]\nid = 'a'\n[[models]]\nid = 'a'\n", "models", "defined twice"),
        ("models = 3\n", "models", "expected [[models]] tables"),
    ],
)
def test_bad_models(tmp_path: Path, body: str, key: str, reason: str) -> None:
    err = config_error(write(tmp_path / ".claudelint.toml", body))
    assert err.key == key
    assert reason in err.reason


def test_unknown_key_in_pyproject_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = write(tmp_path / "pyproject.toml", '[tool.claudelint]\nselct = ["CL1"]\n')
    err = config_error(cfg)
    assert err.path == cfg
    assert err.key == "selct"
    assert str(err) == (
        "pyproject.toml: [tool.claudelint] selct: unknown key; did you mean 'select'?"
    )


def test_unknown_key_in_own_file_has_no_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    err = config_error(write(tmp_path / ".claudelint.toml", "respect-git-ignore = true\n"))
    assert str(err) == (
        ".claudelint.toml: respect-git-ignore: unknown key; did you mean 'respect-gitignore'?"
    )


def test_snake_case_key_suggests_kebab_case(tmp_path: Path) -> None:
    err = config_error(write(tmp_path / ".claudelint.toml", "extend_select = []\n"))
    assert err.key == "extend_select"
    assert err.reason == "unknown key; did you mean 'extend-select'?"


def test_unknown_key_without_close_match_has_no_suggestion(tmp_path: Path) -> None:
    err = config_error(write(tmp_path / ".claudelint.toml", "zzzzqqq = 1\n"))
    assert err.reason == "unknown key"


@pytest.mark.parametrize(
    ("body", "key", "reason"),
    [
        ('respect-gitignore = "yes"', "respect-gitignore", "expected a boolean"),
        ("unsafe-fixes = 1", "unsafe-fixes", "got an integer"),
        ('select = "CL101"', "select", "expected an array of strings, got a string"),
        ("ignore = [101]", "ignore[0]", "expected a string, got an integer"),
        ("cost-basis-calls = 0", "cost-basis-calls", "expected a positive integer, got 0"),
        ("cost-basis-calls = -5", "cost-basis-calls", "positive integer"),
        ("cost-basis-calls = true", "cost-basis-calls", "got a boolean"),
        ("cost-basis-calls = 1.5", "cost-basis-calls", "got a float"),
        ("default-model = 4", "default-model", "expected a string"),
        ('default-model = ""', "default-model", "non-empty"),
        ('output-format = "jsn"', "output-format", "did you mean 'json'?"),
        ('extend-client-factories = ["my-proj.make"]', "extend-client-factories", "dotted"),
        ('per-file-ignores = ["x"]', "per-file-ignores", "expected a table"),
        ('exclude = "build"', "exclude", "write ['build']"),
    ],
)
def test_wrong_types_and_values(tmp_path: Path, body: str, key: str, reason: str) -> None:
    cfg = write(tmp_path / ".claudelint.toml", body + "\n")
    err = config_error(cfg)
    assert err.path == cfg
    assert err.key == key
    assert reason in err.reason


@pytest.mark.parametrize("key", ["select", "extend-select", "ignore"])
def test_bad_selector(tmp_path: Path, key: str) -> None:
    err = config_error(write(tmp_path / ".claudelint.toml", f'{key} = ["CL101", "CL1O1"]\n'))
    assert err.key == key
    assert err.reason == "unknown rule selector 'CL1O1'; did you mean 'CL101'?"


def test_bad_selector_by_name_suggests_name(tmp_path: Path) -> None:
    err = config_error(write(tmp_path / ".claudelint.toml", 'ignore = ["missing-cache-contrl"]\n'))
    assert "did you mean 'missing-cache-control'?" in err.reason


def test_selectors_accept_codes_prefixes_names_and_all(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / ".claudelint.toml",
        'select = ["ALL", "CL", "CL1", "cl101", "missing-cache-control"]\n',
    )
    assert load_settings(cfg).select == ("ALL", "CL", "CL1", "cl101", "missing-cache-control")


def test_bad_selector_in_per_file_ignores(tmp_path: Path) -> None:
    err = config_error(
        write(tmp_path / ".claudelint.toml", '[per-file-ignores]\n"tests/*" = ["CL9999"]\n')
    )
    assert err.key == 'per-file-ignores."tests/*"'
    assert "unknown rule selector 'CL9999'" in err.reason


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("src/[abc", "unclosed character class"),
        ("a**/b", "'**' must be a whole path component"),
        ("{a,b", "unclosed alternation"),
        ("", "empty pattern"),
    ],
)
def test_bad_glob(tmp_path: Path, pattern: str, reason: str) -> None:
    err = config_error(write(tmp_path / ".claudelint.toml", f'extend-exclude = ["{pattern}"]\n'))
    assert err.key == "extend-exclude"
    assert reason in err.reason
    assert validate_glob(pattern) is not None


def test_bad_glob_in_per_file_ignores(tmp_path: Path) -> None:
    err = config_error(
        write(tmp_path / ".claudelint.toml", '[per-file-ignores]\n"x/[y" = ["CL101"]\n')
    )
    assert err.key == 'per-file-ignores."x/[y"'


@pytest.mark.parametrize("pattern", ["build", "*.egg-info", "a/**/b", "src/{x,y}/*.py", "[!_]*"])
def test_good_globs(pattern: str) -> None:
    assert validate_glob(pattern) is None


def test_malformed_toml_reports_parser_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = write(tmp_path / ".claudelint.toml", 'select = ["CL1"\nignore = []\n')
    err = config_error(cfg)
    assert err.path == cfg
    assert err.key is None
    assert err.reason.startswith("invalid TOML: ")
    assert "line 2" in err.reason
    assert str(err).startswith(".claudelint.toml: invalid TOML: ")


def test_malformed_pyproject_mentioning_claudelint_is_an_error(tmp_path: Path) -> None:
    cfg = write(tmp_path / "pyproject.toml", "[tool.claudelint\nselect = []\n")
    assert "invalid TOML" in config_error(cfg).reason


def test_tool_claudelint_must_be_a_table(tmp_path: Path) -> None:
    cfg = write(tmp_path / "pyproject.toml", '[tool]\nclaudelint = "on"\n')
    err = config_error(cfg)
    assert err.key == "tool.claudelint"
    assert "expected a table" in err.reason


# ------------------------------------------------------------------------------ rule options


def test_options_for_known_rule(tmp_path: Path, fake_rule: type[Rule]) -> None:
    cfg = write(
        tmp_path / ".claudelint.toml",
        """
        [options.fake-task-caps]
        classification-cap = 32
        ratio = 1
        task-words = ["label", "route"]
        strict = true
        """,
    )
    s = load_settings(cfg)
    assert s.options == {
        "fake-task-caps": {
            "classification-cap": 32,
            "ratio": 1.0,
            "task-words": ("label", "route"),
            "strict": True,
        }
    }
    assert isinstance(s.option("fake-task-caps", "ratio", None), float)
    assert s.option("fake-task-caps", "missing", 7) == 7


def test_options_by_code_are_stored_under_the_name(tmp_path: Path, fake_rule: type[Rule]) -> None:
    cfg = write(tmp_path / ".claudelint.toml", "[options.CL998]\nclassification-cap = 8\n")
    assert load_settings(cfg).options == {"fake-task-caps": {"classification-cap": 8}}


def test_options_for_unknown_rule_name(tmp_path: Path, fake_rule: type[Rule]) -> None:
    cfg = write(tmp_path / ".claudelint.toml", "[options.fake-task-cap]\nratio = 1.0\n")
    err = config_error(cfg)
    assert err.key == "options.fake-task-cap"
    assert err.reason == "unknown rule name 'fake-task-cap'; did you mean 'fake-task-caps'?"


def test_unknown_option_of_a_rule(tmp_path: Path, fake_rule: type[Rule]) -> None:
    cfg = write(
        tmp_path / ".claudelint.toml", "[options.fake-task-caps]\nclassification-caps = 1\n"
    )
    err = config_error(cfg)
    assert err.key == "options.fake-task-caps.classification-caps"
    assert "did you mean 'classification-cap'?" in err.reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('classification-cap = "64"', "expected an integer, got a string"),
        ("classification-cap = true", "expected an integer, got a boolean"),
        ("ratio = false", "expected a float, got a boolean"),
        ("strict = 1", "expected a boolean, got an integer"),
        ("task-words = 'label'", "got a string"),
    ],
)
def test_option_of_wrong_type(
    tmp_path: Path, fake_rule: type[Rule], line: str, reason: str
) -> None:
    err = config_error(write(tmp_path / ".claudelint.toml", f"[options.fake-task-caps]\n{line}\n"))
    assert reason in err.reason


def test_option_for_rule_without_options(tmp_path: Path) -> None:
    cfg = write(tmp_path / ".claudelint.toml", "[options.missing-cache-control]\nx = 1\n")
    err = config_error(cfg)
    assert err.key == "options.missing-cache-control.x"
    assert "has no options" in err.reason


# ------------------------------------------------------------------------------ finding configs


def test_config_names_order() -> None:
    assert CONFIG_NAMES == (".claudelint.toml", "claudelint.toml", "pyproject.toml")


def test_first_config_name_wins_in_one_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.claudelint]\nselect = ["ALL"]\n')
    write(tmp_path / "claudelint.toml", 'select = ["CL10"]\n')
    assert find_config(tmp_path) == tmp_path / "claudelint.toml"
    write(tmp_path / ".claudelint.toml", 'select = ["CL1"]\n')
    assert find_config(tmp_path) == tmp_path / ".claudelint.toml"
    assert ConfigResolver().settings_for(tmp_path / "a.py").select == ("CL1",)


def test_pyproject_without_tool_claudelint_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / ".claudelint.toml", 'select = ["CL10"]\n')
    sub = tmp_path / "pkg"
    write(sub / "pyproject.toml", "[tool.ruff]\nline-length = 100\n[tool.claudelintx]\na = 1\n")
    assert find_config(sub) is None
    s = ConfigResolver().settings_for(sub / "mod.py")
    assert s.select == ("CL10",)
    assert s.config_path == tmp_path / ".claudelint.toml"


def test_broken_pyproject_that_never_mentions_us_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project\nname = 'x'\n")
    assert find_config(tmp_path) is None


def test_closest_config_wins_without_merging(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.claudelint]\nselect = ["CL1"]\nunsafe-fixes = true\n')
    write(tmp_path / "sub" / "claudelint.toml", 'ignore = ["CL101"]\n')
    resolver = ConfigResolver()
    top = resolver.settings_for(tmp_path / "a.py")
    deep = resolver.settings_for(tmp_path / "sub" / "deeper" / "b.py")
    assert top.select == ("CL1",) and top.unsafe_fixes is True
    assert deep.ignore == ("CL101",)
    assert deep.select == Settings().select  # nothing inherited from the outer config
    assert deep.unsafe_fixes is False
    assert deep.root == tmp_path / "sub"


def test_settings_are_cached_per_folder(tmp_path: Path) -> None:
    write(tmp_path / ".claudelint.toml", 'select = ["CL1"]\n')
    resolver = ConfigResolver()
    first = resolver.settings_for(tmp_path / "x" / "a.py")
    assert resolver.settings_for(tmp_path / "x" / "b.py") is first
    assert resolver.settings_for(tmp_path / "c.py") is first  # same config, loaded once
    # A config written after the folder was resolved is not seen by the same resolver.
    write(tmp_path / "x" / ".claudelint.toml", 'select = ["CL10"]\n')
    assert resolver.settings_for(tmp_path / "x" / "d.py") is first
    assert ConfigResolver().settings_for(tmp_path / "x" / "d.py").select == ("CL10",)


def test_no_config_anywhere_gives_defaults_rooted_at_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = ConfigResolver().settings_for(tmp_path / "a.py")
    assert s.config_path is None
    assert s.root == tmp_path
    assert s.exclude == DEFAULT_EXCLUDES


def test_config_file_forces_one_file(tmp_path: Path) -> None:
    forced = write(tmp_path / "elsewhere" / "custom.toml", 'select = ["ALL"]\n')
    write(tmp_path / "proj" / ".claudelint.toml", 'select = ["CL1"]\n')
    resolver = ConfigResolver(config_file=forced)
    s = resolver.settings_for(tmp_path / "proj" / "a.py")
    assert s.select == ("ALL",)
    assert s.config_path == forced
    assert s.root == tmp_path / "elsewhere"


def test_config_file_errors_surface_at_construction(tmp_path: Path) -> None:
    bad = write(tmp_path / "custom.toml", "selct = []\n")
    with pytest.raises(ConfigError, match="did you mean 'select'"):
        ConfigResolver(config_file=bad)


def test_isolated_ignores_every_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".claudelint.toml", "this is not toml\n")
    s = ConfigResolver(isolated=True).settings_for(tmp_path / "a.py")
    assert s.config_path is None
    assert s.select == Settings().select


def test_overrides_go_on_top(tmp_path: Path) -> None:
    write(tmp_path / ".claudelint.toml", 'select = ["CL1"]\nignore = ["CL101"]\n')
    resolver = ConfigResolver(overrides={"select": ["ALL"], "unsafe_fixes": True})
    s = resolver.settings_for(tmp_path / "a.py")
    assert s.select == ("ALL",)
    assert s.ignore == ("CL101",)  # untouched fields keep the config's value
    assert s.unsafe_fixes is True
    iso = ConfigResolver(isolated=True, overrides={"output_format": "github"})
    assert iso.settings_for(tmp_path / "a.py").output_format == "github"


def test_unknown_override_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        ConfigResolver(overrides={"selct": ("CL1",)})
    assert info.value.key == "selct"
    assert "did you mean 'select'?" in str(info.value)


def test_root_settings_uses_the_working_directory(tmp_path: Path) -> None:
    write(tmp_path / "claudelint.toml", 'output-format = "concise"\n')
    (tmp_path / "src").mkdir()
    resolver = ConfigResolver()
    assert resolver.root_settings(tmp_path).output_format == "concise"
    assert resolver.root_settings(tmp_path / "src").output_format == "concise"


def test_config_error_surfaces_from_resolver(tmp_path: Path) -> None:
    write(tmp_path / ".claudelint.toml", "output-format = 'fancy'\n")
    with pytest.raises(ConfigError) as info:
        ConfigResolver().settings_for(tmp_path / "a.py")
    assert info.value.key == "output-format"
    assert info.value.path == tmp_path / ".claudelint.toml"


def test_import_stays_cheap() -> None:
    code = (
        "import sys, claudelint.workspace.config, claudelint.workspace.discovery; "
        "bad = [m for m in ('libcst', 'anthropic', 'pathspec') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_project_own_pyproject_is_valid() -> None:
    root = Path(__file__).resolve().parent.parent
    s = load_settings(root / "pyproject.toml")
    assert "tests/fixtures" in s.extend_exclude
    assert s.root == root
