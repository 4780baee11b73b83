"""Colour and width: colour on a terminal only (NO_COLOR, FORCE_COLOR honoured), source frames
cut to the terminal's width, and neither in files or pipes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claudelint.finding import Cost, Finding
from claudelint.report import RunSummary, render

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG_SYSTEM = "x" * 150
BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80
# A call whose reported line is far wider than a terminal.
APP = (
    "import anthropic\n\nclient = anthropic.Anthropic()\n"
    f"POLICY = {BIG!r}\n\n\n"
    "def answer(question):\n"
    "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=1024, "
    "messages=[{'role': 'user', 'content': question}], metadata={'user_id': 'a-rather-long-"
    "identifier-for-this-example'}, system=POLICY)\n"
)


def _finding(line: str, column: int, end_column: int) -> Finding:
    return Finding("CL101", "missing-cache-control", "message", "warning", "app.py", 2, column,
                   2, end_column, cost=Cost("claude-sonnet-4-6", 1500, 4.06, 1000))


def _render(text: str, f: Finding, width: int | None, color: bool = False) -> str:
    return render([f], fmt="full", rules=[], sources={"app.py": text}, summary=RunSummary(),
                  root=Path.cwd(), color=color, width=width)


def _frame_lines(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if re.match(r"^\s*\d* \|", ln)]


def test_long_lines_are_cut_to_the_terminal_width() -> None:
    text = "x = 1\ncall(system='" + LONG_SYSTEM + "')\ny = 2\n"
    f = _finding(text.splitlines()[1], 6, 12)  # `system` near the start
    wide = _render(text, f, None)
    assert LONG_SYSTEM in wide  # no width: never cut
    out = _render(text, f, 60)
    for line in _frame_lines(out):
        assert len(line) <= 60, line
    assert "\u2026" in out
    src = next(ln for ln in _frame_lines(out) if ln.startswith("2 |"))
    marks = next(ln for ln in _frame_lines(out) if "^" in ln)
    at = marks.index("^")
    assert src[at : at + 6] == "system"
    # Short lines are left alone.
    assert "1 | x = 1" in out


def test_underline_far_right_cuts_on_the_left_and_stays_aligned() -> None:
    line = "call(" + "a" * 120 + ", system=POLICY)"
    text = f"x = 1\n{line}\n"
    column = line.index("system") + 1
    f = _finding(line, column, column + 6)
    out = _render(text, f, 50)
    for ln in _frame_lines(out):
        assert len(ln) <= 50, ln
    src = next(ln for ln in _frame_lines(out) if ln.startswith("2 |"))
    assert src.startswith("2 | \u2026")
    marks = next(ln for ln in _frame_lines(out) if "^" in ln)
    at = marks.index("^")
    assert src[at : at + 6] == "system"
    assert marks.rstrip().endswith("^^^^^^ CL101")


def test_color_and_width_are_independent() -> None:
    text = "x = 1\ncall(system='" + LONG_SYSTEM + "')\n"
    f = _finding("", 6, 12)
    colored = _render(text, f, 60, color=True)
    assert "\x1b[" in colored
    assert ANSI.sub("", colored) == _render(text, f, 60)


# ------------------------------------------------------------------------------ the command


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR",
                                                            "COLUMNS")}
    env.update(extra)
    return env


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


def _piped(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claudelint.cli", "check", "--isolated", "--no-cache", *args],
        cwd=project, env=_env(**env), capture_output=True, text=True, timeout=120,
    )


def _on_terminal(project: Path, *args: str, **env: str) -> str:
    """Run with stdout on a pseudo-terminal; what the terminal shows."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "claudelint.cli", "check", "--isolated", "--no-cache",
             *args],
            cwd=project, env=_env(**env), stdout=slave, stderr=subprocess.PIPE,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other end closed
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=120)
        if proc.stderr is not None:
            proc.stderr.close()
    finally:
        os.close(master)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_terminal_gets_colour_and_cut_lines(project: Path) -> None:
    out = _on_terminal(project, COLUMNS="70")
    assert "\x1b[" in out
    plain = ANSI.sub("", out)
    frame = _frame_lines(plain)
    assert frame and all(len(ln) <= 70 for ln in frame)
    assert "\u2026" in plain


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_no_color_on_a_terminal(project: Path) -> None:
    out = _on_terminal(project, COLUMNS="70", NO_COLOR="1")
    assert "\x1b[" not in out
    assert all(len(ln) <= 70 for ln in _frame_lines(out))  # still width-aware


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_no_color_wins_over_force_color(project: Path) -> None:
    assert "\x1b[" not in _on_terminal(project, NO_COLOR="1", FORCE_COLOR="1")


def test_pipe_gets_no_colour_and_whole_lines(project: Path) -> None:
    out = _piped(project, COLUMNS="70")
    assert out.returncode == 1
    assert "\x1b[" not in out.stdout
    assert "a-rather-long-identifier-for-this-example" in out.stdout  # never cut in a pipe


def test_force_color_colours_a_pipe_but_does_not_cut_it(project: Path) -> None:
    out = _piped(project, COLUMNS="70", FORCE_COLOR="1")
    assert "\x1b[" in out.stdout
    assert "a-rather-long-identifier-for-this-example" in ANSI.sub("", out.stdout)
    assert "\x1b[" not in _piped(project, FORCE_COLOR="0").stdout


def test_output_file_never_gets_colour(project: Path) -> None:
    out = _piped(project, "-o", "report.txt", FORCE_COLOR="1", COLUMNS="70")
    assert out.returncode == 1 and out.stdout == ""
    report = (project / "report.txt").read_text(encoding="utf-8")
    assert "CL101" in report and "\x1b[" not in report
    assert "a-rather-long-identifier-for-this-example" in report


def test_machine_formats_never_get_colour(project: Path) -> None:
    for fmt in ("json", "sarif", "github"):
        assert "\x1b[" not in _piped(project, "--output-format", fmt, FORCE_COLOR="1").stdout
