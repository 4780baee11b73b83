"""No crash on any input: generated programs and mutated fixtures.

The engine returns findings or CL000, never raises; `--fix` on a mutated fixture writes a file
that parses, and a second `--fix` changes nothing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import given
from hypothesis import strategies as st
from robustness_helpers import mutated_fixture, robust_settings

from claudelint.finding import Finding
from claudelint.lint.engine import Linter
from claudelint.settings import Settings
from claudelint.syntax.parsing import cpython_accepts
from claudelint.workspace.config import ConfigResolver
from claudelint.workspace.fixer import parses
from claudelint.workspace.runner import RunOptions, run
from claudelint.workspace.source import SourceError, decode_source

LINTER = Linter(Settings())
UNSAFE_LINTER = Linter(Settings(unsafe_fixes=True))

HEADER = "import anthropic\n\nclient = anthropic.Anthropic()\n"
REQUEST = {
    "model": "'claude-sonnet-4-6'",
    "max_tokens": "4096",
    "system": "'You are terse.'",
    "messages": "[{'role': 'user', 'content': 'hi'}]",
}

pytestmark = [pytest.mark.filterwarnings("ignore::SyntaxWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def lint(text: str, linter: Linter = LINTER) -> list[Finding]:
    findings = linter.lint_text(text, "fuzzed.py")
    lines = text.count("\n") + text.count("\r") + 1
    for f in findings:
        assert f.code.startswith("CL"), f
        assert 1 <= f.line <= max(lines, 1) + 1, f
        assert f.column >= 1, f
    return findings


def _compiles(text: str) -> bool:
    return cpython_accepts(text, compiled=True)


# --- generated programs -----------------------------------------------------------------------


@robust_settings()
@given(st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()))
def test_generated_program_never_crashes_the_engine(program: str) -> None:
    lint(program)
    # The same program around a real call site, so that the rules run on its module.
    call = "client.messages.create(" + ", ".join(f"{k}={v}" for k, v in REQUEST.items()) + ")\n"
    lint(HEADER + program + "\n" + call)


EXPRESSIONS = hypothesmith.from_grammar("eval_input").map(str.strip)


@robust_settings(examples=0.4)  # hypothesmith's expressions are slow to generate
@given(EXPRESSIONS, EXPRESSIONS, st.sampled_from([*REQUEST, "tools", "temperature",
                                                    "stop_sequences", "extra_headers"]))
def test_generated_expression_in_a_request_never_crashes(expr: str, other: str,
                                                         keyword: str) -> None:
    args = dict(REQUEST)
    args[keyword] = f"({expr})"
    call = "client.messages.create(" + ", ".join(f"{k}={v}" for k, v in args.items()) + ")"
    lint(HEADER + f"X = ({other})\nresponse = {call}\n")
    lint(HEADER + f"for item in ({other}):\n    response = {call}\n"
         "    text = response.content[0].text\n")
    lint(HEADER + f"def ask(q=({other})):\n    return {call}\n\n\nask()\n", UNSAFE_LINTER)


# --- mutated fixtures -------------------------------------------------------------------------


@robust_settings(examples=3)
@given(mutated_fixture())
def test_mutated_fixture_never_crashes_the_engine(mutated: tuple[str, bytes]) -> None:
    name, data = mutated
    try:
        src = decode_source(data, Path(name))
    except SourceError as e:
        assert e.reason  # reported as CL000 by the run, with the reason
        return
    findings = lint(src.text, UNSAFE_LINTER)
    if not _compiles(src.text) and not parses(src.text):
        assert [f.code for f in findings] == ["CL000"], findings


@robust_settings(examples=1.5)
@given(mutated_fixture())
def test_fix_on_a_mutated_fixture_parses_and_is_idempotent(mutated: tuple[str, bytes]) -> None:
    name, data = mutated
    resolver = ConfigResolver(isolated=True, overrides={"unsafe_fixes": True})
    options = RunOptions(fix=True, use_cache=False, jobs=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        old = Path.cwd()
        os.chdir(tmp)
        try:
            first = run([path.name], resolver, options)
            after_first = path.read_bytes()
            second = run([path.name], resolver, options)
        finally:
            os.chdir(old)
        assert not first.errors and not second.errors, (first.errors, second.errors)
        assert path.read_bytes() == after_first, "a second --fix changed the file"
        assert second.fixed == 0
        if after_first != data:
            assert first.fixed > 0
            text = decode_source(after_first, path).text
            original = decode_source(data, path).text
            assert parses(text)
            if _compiles(original):
                assert _compiles(text)
