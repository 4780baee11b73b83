"""CL001 unused-suppression: the engine hook, its fix, and how it meets --add-noqa,
--ignore-noqa, per-file-ignores, notebooks and files without call sites."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from cli_helpers import invoke

from claudelint.lint.engine import Linter
from claudelint.lint.registry import get_rule, select_rules
from claudelint.lint.suppress import parse_suppressions
from claudelint.rules.cl001_unused_suppression import removal_edit
from claudelint.settings import Settings

BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80
HEAD = f"import anthropic\n\nclient = anthropic.Anthropic()\nPOLICY = {BIG!r}\n\n"
UNCACHED = HEAD + (
    "def answer(q):\n"
    "    return client.messages.create(  # noqa: CL101, CL201, E501\n"
    "        model='claude-sonnet-4-6', max_tokens=1024, system=POLICY,\n"
    "        messages=[{'role': 'user', 'content': q}])\n"
)


def lint(text: str, **settings: object) -> list[tuple[int, str, str]]:
    s = replace(Settings(extend_select=("CL001",)), **settings)  # type: ignore[arg-type]
    return [(f.line, f.code, f.message) for f in Linter(s).lint_text(text, "app.py")]


def test_opt_in_only_by_exact_code_or_name() -> None:
    rule = get_rule("CL001")
    assert rule is not None and rule.opt_in
    assert rule not in select_rules(("CL",))
    assert rule not in select_rules(("ALL",))
    assert rule in select_rules(("CL",), ("CL001",))
    assert rule in select_rules(("CL",), ("unused-suppression",))
    assert lint(UNCACHED, extend_select=()) == []


def test_reports_only_the_unused_claudelint_code() -> None:
    (finding,) = lint(UNCACHED)
    line, code, message = finding
    assert (line, code) == (7, "CL001")
    assert "`CL201`" in message and "CL101" not in message.split(":", 1)[1].split("`:")[-1]
    assert "E501" not in message.split("matched no finding")[1]


def test_fix_keeps_used_and_foreign_codes(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(UNCACHED, encoding="utf-8")
    _, out = invoke(["check", "--isolated", "--extend-select", "CL001", "--fix",
                     "--select", "CL001,CL101,CL201", "app.py"], tmp_path)
    text = (tmp_path / "app.py").read_text(encoding="utf-8")
    # The safe CL101 fix ran too; CL101's noqa suppressed it, so the call is unchanged.
    assert "# noqa: CL101, E501\n" in text
    assert "Fixed 1 problem" in out
    _, out2 = invoke(["check", "--isolated", "--extend-select", "CL001", "app.py"], tmp_path)
    assert "CL001" not in out2


def test_not_reported_for_rules_that_are_not_enabled() -> None:
    assert lint(UNCACHED, ignore=("CL201",)) == []
    assert lint(UNCACHED, per_file_ignores=(("app.py", ("CL201",)),)) == []


def test_ignore_noqa_and_files_without_call_sites_are_not_checked() -> None:
    s = Settings(extend_select=("CL001",))
    linter = Linter(s)
    findings = linter.lint_text(UNCACHED, "app.py", apply_suppressions=False)
    assert "CL001" not in {f.code for f in findings}
    assert linter.lint_text("x = 1  # noqa: CL101\n", "plain.py") == []


def test_cl001_itself_suppresses_and_is_never_reported() -> None:
    text = UNCACHED.replace("# noqa: CL101, CL201, E501", "# noqa: CL101, CL201, CL001")
    assert lint(text) == []


def test_bare_claudelint_ignore_and_file_ignore_entries() -> None:
    cached = HEAD + (
        "def answer(q):\n"
        "    # claudelint: ignore\n"
        "    return client.messages.create(\n"
        "        model='claude-sonnet-4-6', max_tokens=1024,\n"
        "        system=[{'type': 'text', 'text': POLICY,\n"
        "                 'cache_control': {'type': 'ephemeral'}}],\n"
        "        messages=[{'role': 'user', 'content': q}])\n"
    )
    text = "# claudelint: file-ignore[CL105]\n" + cached
    found = lint(text)
    assert [(ln, c) for ln, c, _ in found] == [(1, "CL001"), (8, "CL001")]
    assert "`# claudelint: file-ignore[CL105]`: it matched no finding" in found[0][2]
    # A bare `# noqa` is never judged.
    assert lint(cached.replace("# claudelint: ignore", "# noqa")) == []


def test_removal_edits() -> None:
    def fixed(line: str, stale: list[str]) -> str:
        (d,) = parse_suppressions(line + "\n").directives
        e = removal_edit([line, ""], d, stale)
        assert e is not None
        if e.end_line > e.line:
            return ""
        return line[: e.column - 1] + e.content + line[e.end_column - 1:]

    assert fixed("x = f()  # noqa: CL101", ["CL101"]) == "x = f()"
    assert fixed("x = f()  # noqa: CL101,CL201", ["CL101"]) == "x = f()  # noqa: CL201"
    assert fixed("x = f()  # NOQA: missing-cache-control, E501", ["missing-cache-control"]) \
        == "x = f()  # NOQA: E501"
    assert fixed("x = f()  # claudelint: ignore[CL101,CL401]", ["CL401"]) \
        == "x = f()  # claudelint: ignore[CL101]"
    assert fixed("x = f()  # why  # noqa: CL101", ["CL101"]) == "x = f()  # why"
    assert fixed("x = f()  # noqa: CL101 legacy prompt", ["CL101"]) == "x = f()  # legacy prompt"
    assert fixed("# claudelint: ignore[CL101]", ["CL101"]) == ""


def test_add_noqa_never_adds_cl001_and_the_baseline_is_clean(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(UNCACHED.replace("  # noqa: CL101, CL201, E501", ""),
                                     encoding="utf-8")
    code, out = invoke(["check", "--isolated", "--add-noqa", "app.py"], tmp_path)
    assert code == 0 and "Added 1 noqa directive." in out
    code, out = invoke(["check", "--isolated", "--extend-select", "CL001", "app.py"], tmp_path)
    assert code == 0 and "All checks passed!" in out
    # Fixing the finding leaves the noqa unused: CL001 says so, and --fix removes it.
    text = (tmp_path / "app.py").read_text(encoding="utf-8")
    (tmp_path / "app.py").write_text(
        text.replace("system=POLICY", "system=[{'type': 'text', 'text': POLICY, "
                     "'cache_control': {'type': 'ephemeral'}}]"), encoding="utf-8")
    code, out = invoke(["check", "--isolated", "--extend-select", "CL001", "app.py"], tmp_path)
    assert code == 1 and "CL001 [*] unused suppression `# noqa: CL101`" in out
    code, out = invoke(["check", "--isolated", "--extend-select", "CL001", "--fix", "app.py"],
                       tmp_path)
    assert code == 0
    assert "noqa" not in (tmp_path / "app.py").read_text(encoding="utf-8")


def test_notebook_cell(tmp_path: Path) -> None:
    cell = UNCACHED.replace("CL101, CL201, E501", "CL101, CL201")
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {},
                   "outputs": [], "source": cell.splitlines(keepends=True)}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    code, out = invoke(["check", "--isolated", "--extend-select", "CL001",
                        "--output-format", "concise", "nb.ipynb"], tmp_path)
    assert code == 1 and "nb.ipynb:cell 1:7:" in out and "CL001" in out
    code, out = invoke(["check", "--isolated", "--extend-select", "CL001", "--fix", "nb.ipynb"],
                       tmp_path)
    assert code == 0, out
    data = json.loads((tmp_path / "nb.ipynb").read_text(encoding="utf-8"))
    assert "# noqa: CL101\n" in "".join(data["cells"][0]["source"])
