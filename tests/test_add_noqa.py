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
