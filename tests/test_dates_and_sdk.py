"""Date-dependent verdicts and the installed SDK's deprecation data.

Every test here pins "today" (`Settings.today` / `CLAUDELINT_TODAY`) and, where an installed SDK
matters, points `CLAUDELINT_ANTHROPIC_PATH` at a fake `anthropic` package it writes: nothing
depends on the real clock or on the `anthropic` installed in this environment.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from claudelint.finding import Finding
from claudelint.knowledge import models as knowledge_module
from claudelint.knowledge.models import load_knowledge, load_sdk_data, stale_data_warning
from claudelint.knowledge.sdk import find_installed_sdk, parse_end_of_life, read_sdk
from claudelint.lint.engine import Linter
from claudelint.settings import Settings

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"
MSG = "messages=[{'role': 'user', 'content': 'Hello'}]"


def call(model: str) -> str:
    return f"r = client.messages.create(model='{model}', max_tokens=512, {MSG})\n"


def lint(code: str, today: datetime.date, select: tuple[str, ...] = ("CL302", "CL303"),
         ) -> list[Finding]:
    return Linter(replace(Settings(), select=select, today=today)).lint_text(code, "app.py")


def _clear_caches() -> None:
    find_installed_sdk.cache_clear()
    knowledge_module._load_frozen.cache_clear()


@pytest.fixture
def fake_sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fake `anthropic` package, newer than the shipped SDK data, in the 2.13+ layout."""
    package = tmp_path / "anthropic"
    (package / "_data").mkdir(parents=True)
    (package / "types").mkdir()
    (package / "_version.py").write_text('__title__ = "anthropic"\n__version__ = "2.99.0"\n',
                                         encoding="utf-8")
    (package / "_data" / "deprecated_models.py").write_text(
        "from typing import Dict\n\nDEPRECATED_MODELS: Dict[str, str] = {\n"
        '    "claude-sonnet-4-6": "March 3rd, 2027",\n'
        '    "claude-haiku-4-5": "February 1st, 2027",\n'
        '    "claude-opus-4-5": "May 5th, 2030",\n'
        '    "claude-made-up-1": "not a date",\n'
        "}\n", encoding="utf-8")
    (package / "types" / "model_param.py").write_text(
        "from typing import Union\nfrom typing_extensions import Literal\n"
        'ModelParam = Union[Literal["claude-opus-7", "claude-sonnet-4-6"], str]\n',
        encoding="utf-8")
    monkeypatch.setenv("CLAUDELINT_ANTHROPIC_PATH", str(package))
    _clear_caches()
    yield package
    monkeypatch.setenv("CLAUDELINT_ANTHROPIC_PATH", "")
    _clear_caches()


# ---------------------------------------------------------------------- reading the SDK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("January 22nd, 2027", datetime.date(2027, 1, 22)),
        ("June 30th, 2026", datetime.date(2026, 6, 30)),
        ("November 1st, 2026", datetime.date(2026, 11, 1)),
        ("2027-01-22", datetime.date(2027, 1, 22)),
        ("Smarch 3rd, 2027", None),
        ("February 30th, 2027", None),
        ("soon", None),
    ],
)
def test_end_of_life_dates_in_the_sdks_wording(text: str, expected: datetime.date | None) -> None:
    assert parse_end_of_life(text) == expected


def test_reads_the_sdk_without_importing_it(fake_sdk: Path) -> None:
    sdk = read_sdk(fake_sdk)
    assert sdk is not None and sdk.version == "2.99.0"
    assert sdk.deprecated == {"claude-sonnet-4-6": datetime.date(2027, 3, 3),
                              "claude-haiku-4-5": datetime.date(2027, 2, 1),
                              "claude-opus-4-5": datetime.date(2030, 5, 5)}
    assert sdk.models == ("claude-opus-7", "claude-sonnet-4-6")
    assert "anthropic" not in sys.modules or sys.modules["anthropic"].__file__ != str(
        fake_sdk / "__init__.py")


def test_reads_the_table_where_older_sdks_kept_it(tmp_path: Path) -> None:
    package = tmp_path / "anthropic"
    (package / "resources" / "messages").mkdir(parents=True)
    (package / "_version.py").write_text('__version__ = "2.12.0"\n', encoding="utf-8")
    (package / "resources" / "messages" / "messages.py").write_text(
        "import warnings\n\nDEPRECATED_MODELS = {\n    'claude-2.1': 'July 21st, 2025',\n}\n"
        "\n\nclass Messages:\n    def create(self): return {'a': 1}\n", encoding="utf-8")
    sdk = read_sdk(package)
    assert sdk is not None and sdk.deprecated == {"claude-2.1": datetime.date(2025, 7, 21)}


def test_not_a_package_is_no_sdk(tmp_path: Path) -> None:
    assert read_sdk(tmp_path) is None


def test_an_empty_path_reads_no_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDELINT_ANTHROPIC_PATH", "")
    find_installed_sdk.cache_clear()
    assert find_installed_sdk() is None


# ---------------------------------------------------------------------- merged under the data


def test_a_newer_sdk_adds_deprecations_and_models_under_the_shipped_data(
        fake_sdk: Path) -> None:
    kb = load_knowledge()
    assert kb.installed_sdk is not None and kb.installed_sdk.version == "2.99.0"
    today = datetime.date(2026, 12, 4)
    sonnet = kb.get("claude-sonnet-4-6")
    assert sonnet is not None
    state = kb.lifecycle_on(sonnet, today)
    assert state is not None and state.status == "deprecated"
    assert state.retired_on == datetime.date(2027, 3, 3)
    assert state.source == "the installed anthropic 2.99.0's deprecation table"
    # The shipped data's own date wins over the SDK's.
    opus45 = kb.get("claude-opus-4-5")
    assert opus45 is not None and opus45.retired_on == datetime.date(2027, 1, 22)
    state = kb.lifecycle_on(opus45, today)
    assert state is not None and state.source.startswith("claudelint's model data of")
    # A model only the SDK knows is known (not CL303), with no prices.
    assert kb.get("claude-opus-7") is not None


def test_cl302_says_where_the_date_came_from(fake_sdk: Path) -> None:
    found = lint(HEAD + call("claude-sonnet-4-6") + call("claude-opus-7"),
                 datetime.date(2026, 12, 4))
    assert [(f.code, f.level) for f in found] == [("CL302", "warning")]
    assert ("will be retired on 2027-03-03 (per the installed anthropic 2.99.0's deprecation "
            "table)") in found[0].message


def test_configured_models_override_the_sdk(fake_sdk: Path) -> None:
    settings = replace(Settings(), select=("CL302",), today=datetime.date(2026, 12, 4),
                       models=({"id": "claude-sonnet-4-6", "status": "active"},))
    assert Linter(settings).lint_text(HEAD + call("claude-sonnet-4-6"), "app.py") == []


def test_an_sdk_not_newer_than_the_data_is_not_read(fake_sdk: Path) -> None:
    version = fake_sdk / "_version.py"
    version.write_text(f'__version__ = "{load_sdk_data().version}"\n', encoding="utf-8")
    _clear_caches()
    assert load_knowledge().installed_sdk is None
    assert lint(HEAD + call("claude-sonnet-4-6"), datetime.date(2026, 12, 4)) == []


# ---------------------------------------------------------------------- CL303: newer than the data


@pytest.mark.parametrize("model", ["claude-opus-6", "claude-sonnet-5-7-20270101",
                                   "claude-haiku-6-1", "claude-sonnet-5-5-20270301"])
def test_plausible_new_ids_are_warnings_without_a_fix(model: str) -> None:
    found = lint(HEAD + call(model), datetime.date(2026, 12, 4))
    assert [(f.code, f.level) for f in found] == [("CL303", "warning")]
    assert "may be a model released since" in found[0].message
    assert found[0].fix is None


@pytest.mark.parametrize(
    ("model", "suggestion"),
    [
        ("claude-sonnet-4-5-20250930", "claude-sonnet-4-5-20250929"),  # a known version
        ("claude-sonet-6", None),  # not the naming scheme: a typo
        ("claude-opus-4.6", "claude-opus-4-6"),
    ],
)
def test_typos_of_known_ids_stay_errors(model: str, suggestion: str | None) -> None:
    found = lint(HEAD + call(model), datetime.date(2026, 12, 4))
    assert [(f.code, f.level) for f in found] == [("CL303", "error")]
    if suggestion is not None:
        assert f"did you mean `{suggestion}`" in found[0].message


# ---------------------------------------------------------------------- the CLI


def _cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "claudelint.cli", *args], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=120)


def test_version_names_the_data_date_and_the_sdk_read(fake_sdk: Path, tmp_path: Path) -> None:
    out = _cli(["--version"], tmp_path, CLAUDELINT_ANTHROPIC_PATH=str(fake_sdk)).stdout
    assert f"model data as of {load_knowledge().as_of.isoformat()}" in out
    assert f"SDK data from anthropic {load_sdk_data().version}" in out
    assert "read from the installed anthropic 2.99.0" in out
    out = _cli(["--version"], tmp_path, CLAUDELINT_ANTHROPIC_PATH="").stdout
    assert "no installed anthropic read" in out


def test_a_malformed_today_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HEAD + call("claude-opus-4-5"), encoding="utf-8")
    result = _cli(["check", "app.py"], tmp_path, CLAUDELINT_TODAY="next tuesday")
    assert result.returncode == 2
    assert "CLAUDELINT_TODAY='next tuesday' is not a date" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_cache_does_not_serve_a_verdict_a_passed_date_changed(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HEAD + call("claude-opus-4-5"), encoding="utf-8")
    args = ["check", "--output-format", "json", "app.py"]

    def levels(today: str) -> list[str]:
        result = _cli(args, tmp_path, CLAUDELINT_TODAY=today)
        return [f["level"] for f in json.loads(result.stdout)]

    assert levels("2027-01-20") == ["warning"]
    assert levels("2027-01-21") == ["warning"]  # same epoch: served from the cache
    assert (tmp_path / ".claudelint_cache").is_dir()
    assert levels("2027-01-22") == ["error"]  # the retirement date passed
    assert levels("2027-01-20") == ["warning"]


def test_sites_shows_the_status_check_reports(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        HEAD + call("claude-opus-4-5") + call("claude-sonnet-4-5") + call("claude-sonnet-4-6"),
        encoding="utf-8")
    out = _cli(["sites", "--output-format", "json", "."], tmp_path,
               CLAUDELINT_TODAY="2026-12-04").stdout
    rows = json.loads(out)
    statuses = {r["model"]: r["model_status"] for r in rows}
    assert statuses == {"claude-opus-4-5": "deprecated", "claude-sonnet-4-5": "retired",
                        "claude-sonnet-4-6": "active"}
    check = json.loads(_cli(["check", "--no-cache", "--output-format", "json", "app.py"],
                            tmp_path, CLAUDELINT_TODAY="2026-12-04").stdout)
    assert {f["level"] for f in check if f["code"] == "CL302"} == {"warning", "error"}


def test_stale_data_warning_once_per_run_and_silenced_by_config(tmp_path: Path) -> None:
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(HEAD + call("claude-sonnet-4-6"), encoding="utf-8")
    as_of = load_knowledge().as_of
    late = (as_of + datetime.timedelta(days=91)).isoformat()
    result = _cli(["check", "--no-cache", "."], tmp_path, CLAUDELINT_TODAY=late)
    assert result.stderr.count("model data is 91 days old") == 1, result.stderr
    on_time = (as_of + datetime.timedelta(days=90)).isoformat()
    assert "days old" not in _cli(["check", "--no-cache", "."], tmp_path,
                                  CLAUDELINT_TODAY=on_time).stderr
    (tmp_path / "pyproject.toml").write_text("[tool.claudelint]\nstale-data-warning = false\n",
                                             encoding="utf-8")
    assert "days old" not in _cli(["check", "--no-cache", "."], tmp_path,
                                  CLAUDELINT_TODAY=late).stderr


def test_stale_data_warning_text() -> None:
    as_of = load_knowledge().as_of
    assert stale_data_warning(as_of) is None
    message = stale_data_warning(as_of + datetime.timedelta(days=400))
    assert message is not None and "400 days old" in message
    assert "stale-data-warning = false" in message
