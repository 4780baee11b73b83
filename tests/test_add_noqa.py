"""--add-noqa and --ignore-noqa."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from claudelint.cli import main
from claudelint.finding import Finding
from claudelint.workspace.add_noqa import add_noqa


def finding(line: int, code: str = "CL101", span: tuple[int, int] = (0, 0)) -> Finding:
    return Finding(code, "x", "m", "warning", "f.py", line, 1, line, 2,
                   suppress_lines=span if span != (0, 0) else (line, line))


def test_appends_comment() -> None:
    text, n = add_noqa("a = f(x)\n", [finding(1)])
    assert (text, n) == ("a = f(x)  # noqa: CL101\n", 1)


def test_extends_existing_list_without_duplicates() -> None:
    text, n = add_noqa("a = f(x)  # noqa: E501\n", [finding(1), finding(1, "CL201")])
    assert text == "a = f(x)  # noqa: E501, CL101, CL201\n" and n == 2
    again, n2 = add_noqa(text, [finding(1), finding(1, "CL201")])
    assert again == text and n2 == 0


def test_bare_noqa_already_covers() -> None:
    assert add_noqa("a = f(x)  # noqa\n", [finding(1)]) == ("a = f(x)  # noqa\n", 0)


def test_other_comment_is_kept() -> None:
    text, _ = add_noqa("a = f(x)  # explain\n", [finding(1)])
    assert text == "a = f(x)  # explain  # noqa: CL101\n"


def test_never_inside_a_string_or_after_a_backslash() -> None:
    src = 'x = call(\n    system="""long\nprompt""",\n    y=1)\n'
    text, n = add_noqa(src, [finding(2, span=(1, 4))])
    assert n == 1
    assert text.splitlines()[0] == "x = call(  # noqa: CL101"
    assert text.splitlines()[2] == 'prompt""",'
    src = "x = a + \\\n    b\n"
    text, _ = add_noqa(src, [finding(1, span=(1, 2))])
    assert text == "x = a + \\\n    b  # noqa: CL101\n"


def test_crlf_is_kept() -> None:
    text, _ = add_noqa("a = f(x)\r\nb = 2\r\n", [finding(1)])
    assert text == "a = f(x)  # noqa: CL101\r\nb = 2\r\n"


def test_cli_add_noqa_then_clean_then_ignore_noqa(tmp_path: Path) -> None:
    big = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80
    (tmp_path / "app.py").write_text(
        f"import anthropic\nclient = anthropic.Anthropic()\nPOLICY = {big!r}\n"
        "def ask(q):\n    return client.messages.create(model='claude-sonnet-4-6',\n"
        "        max_tokens=9, system=POLICY, messages=[{'role': 'user', 'content': q}])\n",
        encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        r = CliRunner()
        out = r.invoke(main, ["check", "--isolated", "--add-noqa", "app.py"])
        assert out.exit_code == 0 and "Added 1 noqa directive." in out.output
        assert "# noqa: CL101" in (tmp_path / "app.py").read_text(encoding="utf-8")
        assert r.invoke(main, ["check", "--isolated", "app.py"]).exit_code == 0
        assert r.invoke(main, ["check", "--isolated", "--ignore-noqa", "app.py"]).exit_code == 1
    finally:
        os.chdir(old)


# --- existing directives, read by the suppression parser (lint.suppress) ----------------------


def test_merges_into_an_existing_claudelint_code() -> None:
    text, n = add_noqa("a = f(x)  # noqa: CL101\n", [finding(1), finding(1, "CL201")])
    assert (text, n) == ("a = f(x)  # noqa: CL101, CL201\n", 1)
    text, n = add_noqa("a = f(x)  # NOQA:cl101\n", [finding(1)])
    assert (text, n) == ("a = f(x)  # NOQA:cl101\n", 0)


def test_merges_after_another_tools_comment() -> None:
    text, n = add_noqa("a = f(x)  # type: ignore[arg-type]  # noqa: E501\n", [finding(1)])
    assert text == "a = f(x)  # type: ignore[arg-type]  # noqa: E501, CL101\n" and n == 1
    text, _ = add_noqa("a = f(x)  # noqa: E501  # type: ignore\n", [finding(1)])
    assert text == "a = f(x)  # noqa: E501, CL101  # type: ignore\n"
    text, _ = add_noqa("a = f(x)  # pragma: no cover\n", [finding(1)])
    assert text == "a = f(x)  # pragma: no cover  # noqa: CL101\n"


def test_codes_go_right_after_the_last_code_the_suppression_reads() -> None:
    # Words after the codes are not codes: the new code must land where it will be read.
    text, _ = add_noqa("a = f(x)  # noqa: E501 long url\n", [finding(1)])
    assert text == "a = f(x)  # noqa: E501, CL101 long url\n"
    assert _suppressed(text, "CL101")


def test_a_noqa_without_readable_codes_gets_a_new_directive() -> None:
    text, n = add_noqa("a = f(x)  # noqa: see below\n", [finding(1)])
    assert (text, n) == ("a = f(x)  # noqa: see below  # noqa: CL101\n", 1)
    assert _suppressed(text, "CL101")


def test_claudelint_ignore_is_not_merged_into() -> None:
    text, _ = add_noqa("a = f(x)  # claudelint: ignore[CL401]\n", [finding(1)])
    assert text == "a = f(x)  # claudelint: ignore[CL401]  # noqa: CL101\n"


def test_noqa_in_a_string_is_not_a_directive() -> None:
    text, _ = add_noqa('a = f("# noqa: E1")\n', [finding(1)])
    assert text == 'a = f("# noqa: E1")  # noqa: CL101\n'


def test_directive_end_column() -> None:
    from claudelint.lint.suppress import parse_suppressions

    line = "x = 1  # type: int  # noqa: E501, CL101 why  # claudelint: ignore[CL2]"
    noqa, ignore = parse_suppressions(line + "\n").lines[1]
    assert line[noqa.column - 1 : noqa.end_column - 1] == "# noqa: E501, CL101"
    assert line[ignore.column - 1 : ignore.end_column - 1] == "# claudelint: ignore[CL2]"


def _suppressed(text: str, code: str) -> bool:
    from claudelint.lint.suppress import parse_suppressions

    return parse_suppressions(text).covers(finding(1, code))
