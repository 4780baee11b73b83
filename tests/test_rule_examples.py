"""Every rule's documented examples are tests: valid ones report nothing, invalid ones report
exactly at the expected positions (line and column) with the expected message and, where
given, fix to the expected code. The docstring's Example must fire and its Use instead must
not."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from claudelint.lint.engine import Linter
from claudelint.lint.registry import all_rules
from claudelint.lint.rule import REQUIRED_SECTIONS, FileRule, Invalid, Rule, Valid
from claudelint.settings import Settings
from claudelint.workspace.fixer import fix_text, parses


def _linter(rule: type[Rule], settings: dict[str, Any]) -> Linter:
    s = Settings()
    if settings:
        s = replace(s, **settings)
    if issubclass(rule, FileRule):
        # A file rule reads what the other rules found: run every selected rule, and it.
        return Linter(replace(s, extend_select=(*s.extend_select, rule.code)))
    return Linter(s, rules=[rule])


def _cases(kind: str) -> list[Any]:
    out = []
    for rule in all_rules():
        for i, ex in enumerate(getattr(rule, kind)):
            out.append(pytest.param(rule, ex, id=f"{rule.code}-{kind}-{i}"))
    return out


@pytest.mark.parametrize(("rule", "example"), _cases("valid"))
def test_valid_example_reports_nothing(rule: type[Rule], example: Valid) -> None:
    findings = _linter(rule, example.settings).lint_text(example.code, example.path)
    assert [f for f in findings if f.code == rule.code] == []


@pytest.mark.parametrize(("rule", "example"), _cases("invalid"))
def test_invalid_example_reports(rule: type[Rule], example: Invalid) -> None:
    linter = _linter(rule, example.settings)
    findings = [f for f in linter.lint_text(example.code, example.path) if f.code == rule.code]
    assert example.expected, "an Invalid example must pin its findings' positions (expected=)"
    assert example.message, "an Invalid example must pin a substring of its message (message=)"
    assert tuple((f.line, f.column) for f in findings) == example.expected
    for f in findings:
        assert example.message in f.message, f.message
        if not issubclass(rule, FileRule):  # file rules judge comments, not requests
            assert f.cost is not None, "every finding of this rule carries a cost estimate"
    if example.fixed is not None:
        result = fix_text(
            example.code, findings, unsafe=True,
            relint=lambda t: [
                f for f in linter.lint_text(t, example.path) if f.code == rule.code
            ],
            parses=parses,
        )
        assert result.text == example.fixed
        assert parses(result.text)
        # A re-check reports nothing fixable, and a second fix changes nothing.
        again = [f for f in linter.lint_text(result.text, example.path) if f.code == rule.code]
        assert not [f for f in again if f.fix is not None]
        second = fix_text(result.text, again, unsafe=True,
                          relint=lambda t: [], parses=parses)
        assert second.text == result.text


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_page_has_required_sections(rule: type[Rule]) -> None:
    sections = rule.doc_sections()
    for name in REQUIRED_SECTIONS:
        assert sections.get(name), f"{rule.code} docstring lacks '## {name}'"
    assert rule.code in rule.page() and rule.name in rule.page()


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_doc_example_fires_and_use_instead_does_not(rule: type[Rule]) -> None:
    example = rule.doc_code_block("Example")
    use_instead = rule.doc_code_block("Use instead")
    assert example is not None and use_instead is not None
    linter = _linter(rule, {})
    assert [f for f in linter.lint_text(example, "doc.py") if f.code == rule.code]
    assert not [f for f in linter.lint_text(use_instead, "doc.py") if f.code == rule.code]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_has_examples_of_both_kinds(rule: type[Rule]) -> None:
    assert rule.valid and rule.invalid


def test_triple_quoted_examples_are_dedented() -> None:
    code = """
        import anthropic
        if x:
            y = 1
        """
    assert Valid(code).code == "import anthropic\nif x:\n    y = 1\n"
    inv = Invalid(code, fixed=code)
    assert inv.code == inv.fixed == Valid(code).code
    # A string that does not start with a newline is taken as written.
    assert Valid("  x = 1\n").code == "  x = 1\n"
