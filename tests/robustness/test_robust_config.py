"""Config errors: exit 2 with the file, the key and the reason; never a traceback."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from robustness_helpers import CALL_LINE, robust_settings

from claudelint.cli import main

SOURCE = b"import anthropic\nclient = anthropic.Anthropic()\n" + CALL_LINE

CASES = [
    # (file, content, what the message must say)
    ("pyproject.toml", "[tool.claudelint\nselect = 1\n", ["pyproject.toml", "invalid TOML"]),
    ("pyproject.toml", "[tool.claudelint]\nselect = 1\n",
     ["pyproject.toml", "select", "expected an array of strings"]),
    ("pyproject.toml", '[tool.claudelint]\nselect = ["CL999"]\n',
     ["select", "unknown rule selector 'CL999'"]),
    ("pyproject.toml", '[tool.claudelint]\nignore = ["no-such-rule"]\n',
     ["ignore", "unknown rule selector"]),
    ("pyproject.toml", '[tool.claudelint]\nexclude = ["[abc"]\n', ["exclude", "bad pattern"]),
    ("pyproject.toml", '[tool.claudelint]\nextend-exclude = ["a/**b"]\n',
     ["extend-exclude", "bad pattern"]),
    ("pyproject.toml", '[tool.claudelint.per-file-ignores]\n"[x" = ["CL101"]\n',
     ["per-file-ignores", "bad pattern"]),
    ("pyproject.toml", '[tool.claudelint.per-file-ignores]\n"x.py" = ["CL9999"]\n',
     ["per-file-ignores", "CL9999"]),
    ("pyproject.toml", '[tool.claudelint]\nunsafe-fixes = "yes"\n',
     ["unsafe-fixes", "expected a boolean"]),
    ("pyproject.toml", "[tool.claudelint]\nbogus-key = 1\n", ["bogus-key", "unknown key"]),
    ("pyproject.toml", '[tool.claudelint.models.x]\ninput = "a"\n',
     ["models", "'input' must be a number"]),
    ("pyproject.toml", "[tool.claudelint.models.claude-sonnet-4-6]\ninput = -1\n",
     ["models", "'input' must be a finite number"]),
    ("pyproject.toml", "[[tool.claudelint.models]]\nfamily = 'x'\n", ["models", "missing 'id'"]),
    ("pyproject.toml", "[tool.claudelint.options.no-such-rule]\ny = 1\n",
     ["options", "unknown rule"]),
    ("pyproject.toml", "[tool.claudelint.options.CL201]\nno_such_option = 1\n",
     ["options", "unknown option"]),
    ("pyproject.toml", "[tool]\nclaudelint = 5\n", ["tool.claudelint", "expected a table"]),
    ("pyproject.toml", "[tool.claudelint]\ncost-basis-calls = 0\n",
     ["cost-basis-calls", "positive integer"]),
    ("pyproject.toml", '[tool.claudelint]\noutput-format = "xml"\n',
     ["output-format", "unknown output format"]),
    ("claudelint.toml", "\ufeffselect = [", ["claudelint.toml"]),
    (".claudelint.toml", 'select = ["CL1", 3]\n', [".claudelint.toml", "select[1]"]),
    (".claudelint.toml", "select = [", [".claudelint.toml", "invalid TOML"]),
]


def _check(tmp_path: Path, *args: str) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        r = CliRunner().invoke(main, ["check", "--no-cache", *args], catch_exceptions=True)
    finally:
        os.chdir(old)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.output


@pytest.mark.parametrize(("name", "content", "expected"), CASES)
def test_config_error_exits_2_with_file_key_and_reason(tmp_path: Path, name: str, content: str,
                                                       expected: list[str]) -> None:
    (tmp_path / "a.py").write_bytes(SOURCE)
    (tmp_path / name).write_text(content, encoding="utf-8")
    code, out = _check(tmp_path, ".")
    assert code == 2, out
    assert "Traceback" not in out
    assert "claudelint: error:" in out
    for part in expected:
        assert part in out, (part, out)


def test_not_utf8_config(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(SOURCE)
    (tmp_path / "claudelint.toml").write_bytes(b"\xff\xfe")
    code, out = _check(tmp_path, ".")
    assert code == 2 and "claudelint.toml: not UTF-8" in out


def test_bad_command_line_config_and_selectors(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(SOURCE)
    assert _check(tmp_path, "--config", "missing.toml", ".") == (
        2, "claudelint: error: config file not found: missing.toml\n")
    code, out = _check(tmp_path, "--select", "CL9999", ".")
    assert code == 2 and "unknown rule selector 'CL9999'" in out


# --- any value for any key --------------------------------------------------------------------

KEYS = ["select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude",
        "respect-gitignore", "force-exclude", "unsafe-fixes", "output-format", "default-model",
        "extend-client-factories", "cost-basis-calls", "stale-data-warning", "models", "options",
        "extend", "src", "bogus"]
SCALARS = st.one_of(
    st.booleans(), st.integers(-2**63, 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["CL101", "CL1", "ALL", "missing-cache-control", "*.py", "[", "a/**b",
                     "claude-sonnet-4-6", "full", "json", "{a,b}"]),
    # Explicit bounds, built from `datetime.date` as it is when the test runs (the fake-date
    # runner replaces that class; hypothesis's own default bounds were built before it).
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 1, 1)),
    st.datetimes(), st.times(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["CL201", "x", "id", "family", "status", "input",
                                         "claude-sonnet-4-6", "oversized-max-tokens", "*.py"]),
                        inner, max_size=4),
    ),
    max_leaves=8,
)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(v), repr(v))
    if isinstance(v, (int, datetime.date, datetime.datetime, datetime.time)):
        return v.isoformat() if not isinstance(v, int) else str(v)
    if isinstance(v, str):
        return '"' + v.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f'"{k}" = {_toml_value(x)}' for k, x in v.items()) + "}"


@robust_settings(examples=1.5)
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, min_size=1, max_size=3))
def test_any_config_value_is_accepted_or_a_clean_error(tmp_path_factory: pytest.TempPathFactory,
                                                       table: dict[str, Any]) -> None:
    tmp = tmp_path_factory.mktemp("cfg")
    (tmp / "a.py").write_bytes(SOURCE)
    body = "".join(f"{k} = {_toml_value(v)}\n" for k, v in table.items())
    (tmp / ".claudelint.toml").write_text(body, encoding="utf-8")
    code, out = _check(tmp, "--output-format", "concise", ".")
    assert "Traceback" not in out
    assert code in (0, 1, 2), out
    if code == 2:
        assert "claudelint: error: .claudelint.toml:" in out, out
