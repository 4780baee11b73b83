"""The underline under a flagged range in the text report is placed in display columns: wide
characters (CJK, emoji) take two terminal cells, combining marks and joiners none
(claudelint/report/columns.py). Locations and the machine formats keep character columns."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_helpers import invoke

from claudelint.finding import Finding
from claudelint.report import RunSummary, columns, render

CJK = "顧客サポート用のアシスタントです。"  # 17 characters, 34 columns
FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # one cluster of 5 code points, 2 columns
THUMB = "\U0001F44D\U0001F3FD"  # thumbs up with a skin tone: 2 code points, 2 columns
CAFE = "cafe\u0301"  # `café` with a combining accent: 5 code points, 4 columns
HEART = "\u2764\ufe0f"  # heart with an emoji presentation selector: 2 code points, 2 columns
FULL = "\uff46\uff55\uff4c\uff4c"  # `full` in full-width forms: 4 code points, 8 columns


# ---------------------------------------------------------------------- columns.py


@pytest.mark.parametrize(("text", "cols"), [
    ("", 0), ("abc", 3), (CJK, 34), (FAMILY, 2), (THUMB, 2), (CAFE, 4), (HEART, 2),
    (FULL, 8), ("a\u200bb", 2), ("\x01", 1), ("\u2026", 1),
    ("\t", 4), ("ab\tc", 5), ("中\tx", 5), ("中文\tx", 9), ("中文字\tx", 9), ("\t中", 6),
])
def test_width(text: str, cols: int) -> None:
    assert columns.width(text) == cols


@pytest.mark.parametrize("text", ["", "a\tb", "\t\tx", "abcd\te", "x = 1\t# c", "\x01\t"])
def test_ascii_is_measured_and_expanded_as_before(text: str) -> None:
    assert columns.expand_tabs(text) == text.expandtabs(4)
    assert columns.width(text) == len(text.expandtabs(4))
    for start in range(len(text) + 1):
        assert columns.clip(text.expandtabs(4), start, start + 3) == \
            text.expandtabs(4)[start:start + 3]


def test_tabs_stop_at_display_columns() -> None:
    assert columns.expand_tabs("中\tx") == "中  x"  # 中 takes 2 columns: 2 spaces to column 4
    assert columns.expand_tabs(f"{CAFE}\tx") == f"{CAFE}    x"  # the accent takes none
    assert columns.expand_tabs("\t中\t|") == "    中  |"


def test_clip_keeps_exact_columns_and_blanks_a_cut_wide_character() -> None:
    assert columns.clip("中文字", 0, 4) == "中文"
    assert columns.clip("中文字", 1, 5) == " 文 "
    assert columns.clip(f"a{FAMILY}b", 1, 3) == FAMILY
    assert columns.clip(f"a{FAMILY}b", 2, 4) == " b"
    assert columns.clip(f"{CAFE}!", 3, 5) == "e\u0301!"
    for start in range(8):
        for stop in range(start, 12):
            assert columns.width(columns.clip(f"x{CJK}y", start, stop)) == \
                max(0, min(stop, 36) - start)


# ---------------------------------------------------------------------- the text report


def _finding(line: int, column: int, end_column: int, end_line: int | None = None) -> Finding:
    return Finding("CL302", "retired-model", "message", "error", "app.py", line, column,
                   line if end_line is None else end_line, end_column)


def _frame(text: str, f: Finding, width: int | None = None) -> tuple[str, str]:
    """The flagged source line (after its gutter) and the underline line (same offset)."""
    out = render([f], fmt="full", rules=[], sources={"app.py": text}, summary=RunSummary(),
                 root=Path.cwd(), width=width)
    lines = out.splitlines()
    gutter = f"{f.line} | "
    at = next(i for i, ln in enumerate(lines) if ln.startswith(gutter))
    marks = lines[at + 1]
    assert marks.startswith(" " * (len(gutter) - 3) + " | ")
    return lines[at][len(gutter):], marks[len(gutter):]


def _underlined(src: str, marks: str) -> str:
    """The text of `src` above the carets, by display column."""
    start = marks.index("^")
    end = start + len(marks[start:].split(" ")[0])
    return columns.clip(src, start, end)


@pytest.mark.parametrize("before", [CJK, FAMILY * 3, THUMB + HEART, CAFE * 4, FULL, "abc"])
def test_caret_stays_under_the_flagged_text(before: str) -> None:
    line = f'    note = "{before}"; reply = create(model="claude-3-haiku-20240307")'
    target = '"claude-3-haiku-20240307"'
    column = line.index(target) + 1  # character columns, as every finding carries them
    src, marks = _frame(f"x = 1\n{line}\n", _finding(2, column, column + len(target)))
    assert src == line
    assert _underlined(src, marks) == target
    assert marks.endswith("^" * len(target) + " CL302")


def test_before_the_fix_cjk_put_the_caret_17_columns_left() -> None:
    """Issue 16's report: under CJK text the caret sat one column left per wide character."""
    line = f'x = "{CJK}"; create(model=M)'
    column = line.index("M)") + 1
    _, marks = _frame(line + "\n", _finding(1, column, column + 1))
    assert marks.index("^") == column - 1 + len(CJK)


@pytest.mark.parametrize("flagged", [CJK, FAMILY + THUMB, CAFE, "a\u200bb"])
def test_carets_span_the_display_width_of_the_range(flagged: str) -> None:
    line = f'create(system="{flagged}")'
    start = line.index('"') + 1
    end = line.rindex('"') + 2
    src, marks = _frame(line + "\n", _finding(1, start, end))
    assert _underlined(src, marks) == f'"{flagged}"'
    assert marks.count("^") == columns.width(flagged) + 2


def test_multiline_range_underlines_to_the_end_of_a_wide_line() -> None:
    line = f'create(system="{CJK}'
    src, marks = _frame(line + '\n")\n', _finding(1, 8, 3, end_line=2))
    assert _underlined(src, marks) == f'system="{CJK}'


def test_tabs_and_wide_characters_together() -> None:
    line = f"\t{CJK}\tcreate(model=M)"
    column = line.index("M)") + 1
    src, marks = _frame(line + "\n", _finding(1, column, column + 1))
    assert src == f"    {CJK}  create(model=M)"  # 4 + 34 = 38 columns: the next stop is 40
    assert _underlined(src, marks) == "M"


@pytest.mark.parametrize("before", [CJK * 3, FAMILY * 20, "a" + CJK * 3])
def test_cut_to_the_terminal_width_by_display_columns(before: str) -> None:
    line = f'x = "{before}"; create(model="claude-3-haiku-20240307", max_tokens=5, ' \
        f'extra="{CJK * 2}")'
    target = '"claude-3-haiku-20240307"'
    column = line.index(target) + 1
    for width in (40, 50, 61, 80):
        out = render([_finding(1, column, column + len(target))], fmt="full", rules=[],
                     sources={"app.py": line + "\n"}, summary=RunSummary(), root=Path.cwd(),
                     width=width)
        frame = [ln for ln in out.splitlines() if re.match(r"^\s*\d* \|", ln)]
        for ln in frame:
            assert columns.width(ln) <= width, (width, ln)
        src = next(ln for ln in frame if ln.startswith("1 | "))[4:]
        marks = next(ln for ln in frame if "^" in ln)[4:]
        assert src.startswith("\u2026") and src.endswith("\u2026")
        shown = _underlined(src, marks)
        assert shown and target.startswith(shown), (width, src, marks)


# ---------------------------------------------------------------------- end to end


APP = (
    "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
    "def ask(q):\n"
    f'    note = "{CJK}"; return client.messages.create(model="claude-3-haiku-20240307", '
    'max_tokens=100, messages=[{"role": "user", "content": q}])\n'
)


def test_text_report_aligns_while_json_and_sarif_keep_character_columns(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    line = APP.splitlines()[6]
    column = line.index('"claude-3-haiku') + 1  # 69: a character column
    code, out = invoke(["check", "--isolated", "--no-cache", "app.py"], tmp_path)
    assert code == 1
    assert out.startswith(f"app.py:7:{column}: CL302 ")  # the location: character columns
    lines = out.splitlines()
    src = next(ln for ln in lines if ln.startswith("7 | "))[4:]
    marks = next(ln for ln in lines if "^" in ln)[4:]
    assert _underlined(src, marks) == '"claude-3-haiku-20240307"'
    assert marks.index("^") == column - 1 + len(CJK)  # each wide character: one more column

    code, out = invoke(["check", "--isolated", "--no-cache", "--output-format", "json",
                        "app.py"], tmp_path)
    (f,) = json.loads(out)
    assert (f["column"], f["end_column"]) == (column, column + 25)

    code, out = invoke(["check", "--isolated", "--no-cache", "--output-format", "sarif",
                        "app.py"], tmp_path)
    run = json.loads(out)["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (column, column + 25)
