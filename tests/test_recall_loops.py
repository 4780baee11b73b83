"""Issue 14, gaps 6 and 10: CL401 across function boundaries and CL501 growth patterns.

Each fixture under tests/fixtures/recall/loops/ marks the lines where a finding is expected
with `# expect: CODE`; every other line must stay silent for CL401 and CL501 (the look-alikes:
agent steps reached through a method, trimmed or summarised histories, a fresh object per
call)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claudelint.analysis import project as project_mod
from claudelint.lint.engine import Linter
from claudelint.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "recall" / "loops"
MARK = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")
CODES = ("CL401", "CL501")


@pytest.fixture(autouse=True)
def _fresh_project() -> None:
    project_mod.reset()


def _lint(path: Path) -> list[tuple[int, str, str]]:
    findings = Linter(Settings(select=CODES)).lint_text(path.read_text(), str(path))
    return sorted((f.line, f.code, f.message) for f in findings if f.code in CODES)


def _expected(path: Path) -> set[tuple[int, str]]:
    out: set[tuple[int, str]] = set()
    for i, line in enumerate(path.read_text().splitlines(), 1):
        m = MARK.search(line)
        if m:
            out |= {(i, c.strip()) for c in m.group(1).split(",")}
    return out


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.py")))
def test_fixture(name: str) -> None:
    path = FIXTURES / name
    assert {(line, code) for line, code, _ in _lint(path)} == _expected(path)


def _messages(name: str) -> dict[int, str]:
    return {line: msg for line, _, msg in _lint(FIXTURES / name)}


def test_messages_name_the_loop_and_its_place() -> None:
    got = _messages("cl401_two_calls_up.py")
    assert "`process()` makes this request once per item of `docs` in a `for` loop in " \
        "`run()` (line 18)" in got[13]
    assert "`_call()` makes this request, called from `summarise()`, once per item of " \
        "`docs` in a `for` loop in `run_all()` (line 34)" in got[24]
    got = _messages("cl401_fan_out.py")
    assert "through `ex.map` in `Tagger.tag_all()` (line 27)" in got[22]
    got = _messages("cl401_main_block.py")
    assert "`one()` makes this request once per item of `range(n_samples)`" in got[19]


def test_cl501_messages_say_what_repeats() -> None:
    got = _messages("cl501_growth.py")
    assert "on every call of `chat()`, which runs in a `for` loop over `lines`" in got[12]
    assert "on every recursive call of `step()`" in got[25]
    assert "on every pass of a `while True` loop" in got[38]
    assert "on every pass of a `while True` loop" in got[48]
    assert "on every call of `Bot.chat()`, from `Bot.handle()`, which runs in a " \
        "`while True` loop" in got[61]


def test_a_rebound_function_is_followed_to_the_definition_a_call_reaches() -> None:
    code = (
        "import anthropic\nclient = anthropic.Anthropic()\n"
        "def label(x):\n"
        "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=64,\n"
        "        messages=[{'role': 'user', 'content': 'a' + x}])\n"
        "def run(rows):\n"
        "    for r in rows:\n"
        "        label(r)\n"
        "def label(x):\n"
        "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=64,\n"
        "        messages=[{'role': 'user', 'content': 'b' + x}])\n"
    )
    found = Linter(Settings(select=("CL401",))).lint_text(code, "nb.py")
    # Inside `run()` the call reaches the last `label`: only that request is repeated.
    assert [f.line for f in found if f.code == "CL401"] == [10]


def test_a_list_mapped_from_a_handful_of_items_is_a_handful() -> None:
    code = (
        "import anthropic\nfrom concurrent.futures import ThreadPoolExecutor\n"
        "client = anthropic.Anthropic()\n"
        "URLS = ['a', 'b', 'c', 'd']\n"
        "def fetch(u):\n    return u\n"
        "def ask(p):\n"
        "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=64,\n"
        "        messages=[{'role': 'user', 'content': p}])\n"
        "with ThreadPoolExecutor() as ex:\n"
        "    paths = list(ex.map(fetch, URLS))\n"
        "paths = [p for p in paths if p]\n"
        "with ThreadPoolExecutor() as ex:\n"
        "    out = list(ex.map(ask, paths))\n"
    )
    found = Linter(Settings(select=("CL401",))).lint_text(code, "subagents.py")
    assert [f for f in found if f.code == "CL401"] == []
