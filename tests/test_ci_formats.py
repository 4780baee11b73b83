"""`--output-format gitlab` (Code Quality) and `markdown`, and `--fail-on`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import UNCACHED_APP, invoke

from claudelint.finding import Finding
from claudelint.report import FORMATS, RunSummary, render
from claudelint.report.gitlab import fingerprints
from claudelint.report.markdown import escape_cell

WARN = UNCACHED_APP
# CL202 (an error): max_tokens above the model's limit.
ERROR = (
    "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
    "def ask(q):\n"
    "    return client.messages.create(\n"
    '        model="claude-haiku-4-5", max_tokens=500000,\n'
    '        messages=[{"role": "user", "content": q}],\n'
    "    )\n"
)


def gitlab(cwd: Path, *args: str) -> list[dict[str, object]]:
    code, out = invoke(["check", "--isolated", "--output-format", "gitlab", *args], cwd)
    assert code == 1
    data = json.loads(out)
    assert isinstance(data, list)
    return data


def finding(path: str, line: int, column: int = 5, end_column: int = 11, **kw: object) -> Finding:
    base: dict[str, object] = dict(
        code="CL101", name="missing-cache-control", message="m", level="warning", path=path,
        line=line, column=column, end_line=line, end_column=end_column,
    )
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def test_formats_are_registered_everywhere() -> None:
    from claudelint.cli import FORMATS as CLI_FORMATS
    from claudelint.workspace.config import OUTPUT_FORMATS

    for fmt in ("gitlab", "markdown"):
        assert fmt in FORMATS and fmt in CLI_FORMATS and fmt in OUTPUT_FORMATS


# ---------------------------------------------------------------------- gitlab


def test_gitlab_report_shape(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(WARN, encoding="utf-8")
    (tmp_path / "err.py").write_text(ERROR, encoding="utf-8")
    data = gitlab(tmp_path, ".")
    by_code = {d["check_name"]: d for d in data}
    assert set(by_code) == {"CL101", "CL202"}
    cl101 = by_code["CL101"]
    assert cl101["type"] == "issue"
    assert str(cl101["description"]).startswith("CL101: ")
    assert "est. savings: ~$" in str(cl101["description"])
    assert cl101["severity"] == "minor"
    assert by_code["CL202"]["severity"] == "major"
    assert cl101["location"] == {"path": "app.py", "lines": {"begin": 9, "end": 9}}
    prints = [d["fingerprint"] for d in data]
    assert len(set(prints)) == len(prints)
    assert all(isinstance(p, str) and len(p) == 64 for p in prints)


def test_gitlab_fingerprints_stable_across_runs_and_line_shifts(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(WARN, encoding="utf-8")
    first = gitlab(tmp_path, "--no-cache", ".")
    again = gitlab(tmp_path, ".")  # writes the cache
    cached = gitlab(tmp_path, ".")  # read from the cache
    assert [d["fingerprint"] for d in first] == [d["fingerprint"] for d in again]
    assert [d["fingerprint"] for d in first] == [d["fingerprint"] for d in cached]
    # Lines inserted above the call move the finding, not its fingerprint.
    app.write_text("# a comment\n\n\n" + WARN, encoding="utf-8")
    shifted = gitlab(tmp_path, "--no-cache", ".")
    assert [d["fingerprint"] for d in shifted] == [d["fingerprint"] for d in first]
    begin = [d["location"]["lines"]["begin"] for d in (first[0], shifted[0])]  # type: ignore[index]
    assert begin[1] == begin[0] + 3
    # The same code in another file is another finding.
    (tmp_path / "copy.py").write_text(WARN, encoding="utf-8")
    both = gitlab(tmp_path, "--no-cache", ".")
    assert len({d["fingerprint"] for d in both}) == 2


def test_gitlab_fingerprints_unique_for_identical_text(tmp_path: Path) -> None:
    path = str(tmp_path / "a.py")
    src = {path: "x\n    system=POLICY,\n    system=POLICY,\n"}
    one, two = finding(path, 2), finding(path, 3)
    prints = fingerprints([one, two], root=tmp_path, sources=src)
    assert prints[0] != prints[1]
    # Shifting both keeps both fingerprints (the occurrence order is what tells them apart).
    shifted_src = {path: "\n\n" + src[path]}
    assert fingerprints([finding(path, 4), finding(path, 5)], root=tmp_path,
                        sources=shifted_src) == prints
    # Another rule on the same text is another finding.
    other = finding(path, 2, code="CL102")
    assert fingerprints([other], root=tmp_path, sources=src)[0] != prints[0]
    # No source at hand (a notebook cell): the message stands in for the text.
    cell = finding(path, 2, cell=0, message="in a cell")
    assert fingerprints([cell], root=tmp_path, sources={}) == fingerprints(
        [finding(path, 9, cell=0, message="in a cell")], root=tmp_path, sources={})


def test_gitlab_multiline_finding_keyed_by_its_first_line(tmp_path: Path) -> None:
    path = str(tmp_path / "a.py")
    loop = "for t in tickets:\n    print(route(t))\n"
    f = finding(path, 1, column=1, end_column=21, end_line=2)
    before = fingerprints([f], root=tmp_path, sources={path: loop})
    edited = loop.replace("print(route(t))", "print(route(t), flush=True)")
    assert fingerprints([f], root=tmp_path, sources={path: edited}) == before
    renamed = loop.replace("for t in tickets", "for t in others")
    assert fingerprints([f], root=tmp_path, sources={path: renamed}) != before


def test_gitlab_notebook_finding(tmp_path: Path) -> None:
    nb = finding(str(tmp_path / "nb.ipynb"), 4, cell=1, message="big prefix",
                 source_line="    system=POLICY,\n")
    out = render([nb], fmt="gitlab", rules=(), sources={}, summary=RunSummary(), root=tmp_path)
    (issue,) = json.loads(out)
    assert issue["location"] == {"path": "nb.ipynb", "lines": {"begin": 1, "end": 1}}
    assert issue["description"] == "CL101: cell 2, line 4: big prefix"
    # Keyed by the cell's source line, not its message, line or cell number.
    moved = finding(str(tmp_path / "nb.ipynb"), 9, cell=3, message="bigger prefix",
                    source_line="    system=POLICY,\n")
    assert fingerprints([moved], root=tmp_path, sources={}) == fingerprints(
        [nb], root=tmp_path, sources={})
    both = fingerprints([nb, moved], root=tmp_path, sources={})
    assert both[0] != both[1]


def test_gitlab_notebook_lines_are_the_files(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "id": "m", "metadata": {}, "source": ["# Bot\n"]},
            {"cell_type": "code", "execution_count": None, "id": "c", "metadata": {},
             "outputs": [], "source": WARN.splitlines(keepends=True)},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    raw = json.dumps(notebook, indent=1) + "\n"
    (tmp_path / "nb.ipynb").write_text(raw, encoding="utf-8")
    (issue,) = gitlab(tmp_path, "nb.ipynb")
    expected = next(n for n, line in enumerate(raw.splitlines(), 1) if "system=POLICY" in line)
    assert issue["location"] == {"path": "nb.ipynb",
                                 "lines": {"begin": expected, "end": expected}}
    assert str(issue["description"]).startswith("CL101: cell 2, line 9: ")


def test_gitlab_empty_report_is_an_empty_list(tmp_path: Path) -> None:
    out = render([], fmt="gitlab", rules=(), sources={}, summary=RunSummary(), root=tmp_path)
    assert json.loads(out) == []


# ---------------------------------------------------------------------- markdown


def test_escape_cell() -> None:
    assert escape_cell("a | b") == "a \\| b"
    assert escape_cell("prompt says '<document>{x}</document>'") == (
        "prompt says '&lt;document&gt;{x}&lt;/document&gt;'")
    assert escape_cell("line one\nline two") == "line one<br>line two"
    assert escape_cell("costs $1 and $2") == "costs \\$1 and \\$2"  # not maths
    assert escape_cell("max_tokens *big* [x]") == "max\\_tokens \\*big\\* \\[x\\]"
    # Code spans keep their text; only their pipes are escaped.
    assert escape_cell("use `a | b < c` here") == "use `a \\| b < c` here"
    assert escape_cell("a ` lone backtick | x") == "a ` lone backtick \\| x"


def test_markdown_table(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(WARN, encoding="utf-8")
    (tmp_path / "err.py").write_text(ERROR, encoding="utf-8")
    code, out = invoke(["check", "--isolated", "--output-format", "markdown", "."], tmp_path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "## claudelint"
    header = lines.index("| Rule | Location | Message | Est. savings | Fix |")
    assert lines[header + 1] == "| --- | --- | --- | --- | --- |"
    rows = [ln for ln in lines[header + 2:] if ln.startswith("| ")]
    assert len(rows) == 2
    for row in rows:  # five cells: no pipe of a message leaked into the table
        assert row.replace("\\|", "").count("|") == 6
    assert rows[0].startswith("| [CL101](https://github.com/claudelint/claudelint/blob/main/"
                              "docs/rules/CL101.md) missing-cache-control | `app.py:9:")
    assert "\\~\\$" in rows[0]  # the cost cell, escaped
    assert any(ln.startswith("Found 2 problems (1 error, 1 warning)") for ln in lines)


def test_markdown_message_with_pipes_and_tags(tmp_path: Path) -> None:
    f = finding(str(tmp_path / "a.py"), 1,
                message="prompt says 'a | b <document>'\nsecond `x|y` line")
    out = render([f], fmt="markdown", rules=(), sources={}, summary=RunSummary(), root=tmp_path)
    row = next(ln for ln in out.splitlines() if ln.startswith("| [CL101]"))
    assert "prompt says 'a \\| b &lt;document&gt;'<br>second `x\\|y` line" in row
    assert row.replace("\\|", "").count("|") == 6


def test_markdown_long_report_is_cut_with_a_count(tmp_path: Path) -> None:
    from claudelint.report.markdown import render_markdown

    many = [finding(str(tmp_path / "a.py"), n, message="x" * 200) for n in range(1, 501)]
    out = render_markdown(many, root=tmp_path, summary=RunSummary())
    assert len(out) < 65_536
    rows = [ln for ln in out.splitlines() if ln.startswith("| [CL101]")]
    assert 0 < len(rows) < 500
    assert f"… and {500 - len(rows)} more findings not shown" in out
    assert "Found 500 problems" in out  # the summary counts them all
    whole = render_markdown(many, root=tmp_path, summary=RunSummary(), max_chars=10**9)
    assert whole.count("| [CL101]") == 500 and "not shown" not in whole
    one = render_markdown(many[:1], root=tmp_path, summary=RunSummary(), max_chars=10)
    assert one.count("| [CL101]") == 1 and "not shown" not in one


def test_markdown_no_findings(tmp_path: Path) -> None:
    out = render([], fmt="markdown", rules=(), sources={}, summary=RunSummary(), root=tmp_path)
    assert out == "## claudelint\n\nNo problems found.\n"


# ---------------------------------------------------------------------- --fail-on


@pytest.mark.parametrize(
    ("files", "args", "expected"),
    [
        (("warn",), [], 1),
        (("warn",), ["--fail-on", "warning"], 1),
        (("warn",), ["--fail-on", "error"], 0),
        (("warn", "error"), ["--fail-on", "error"], 1),
        (("error",), ["--fail-on", "error"], 1),
        (("warn", "error"), ["--fail-on", "error", "--exit-zero"], 0),
        ((), ["--fail-on", "error"], 0),
    ],
)
def test_fail_on(tmp_path: Path, files: tuple[str, ...], args: list[str], expected: int) -> None:
    (tmp_path / "clean.py").write_text("print('no claude here')\n", encoding="utf-8")
    texts = {"warn": WARN, "error": ERROR}
    for name in files:
        (tmp_path / f"{name}.py").write_text(texts[name], encoding="utf-8")
    code, out = invoke(["check", "--isolated", "--output-format", "concise", *args, "."],
                       tmp_path)
    assert code == expected
    if "warn" in files:
        assert "CL101" in out  # reported even when it does not fail the run


def test_fail_on_rejects_other_levels(tmp_path: Path) -> None:
    code, _ = invoke(["check", "--isolated", "--fail-on", "info", "."], tmp_path)
    assert code == 2


def test_fail_on_keeps_exit_2_for_errors(tmp_path: Path) -> None:
    code, _ = invoke(["check", "--isolated", "--fail-on", "error", "missing.py"], tmp_path)
    assert code == 2
