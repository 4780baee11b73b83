"""`--output-format markdown`: a table for pull-request comments and `$GITHUB_STEP_SUMMARY`.

GitHub-flavoured Markdown: one row per finding (rule, location, message, estimated savings,
fix), then the run's summary line. Cell text is escaped so that a message quoting a prompt
(`|`, `<document>`, line breaks) can neither break the table nor be read as HTML. A long
table stops before `MAX_CHARS` with a count of the rows left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from claudelint.finding import Finding
from claudelint.report.common import RunSummary, relative_to_root
from claudelint.report.sarif import RULE_HELP_URI
from claudelint.report.text import cost_text, summary_lines

# GitHub takes at most 65,536 characters in a pull-request comment (and 1 MiB in a job summary):
# rows stop before the table would pass this, and a last line says how many were left out.
MAX_CHARS = 60_000

# A code span: a run of backticks, then the shortest text up to the same run.
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _plain(text: str) -> str:
    """Text outside code spans: HTML-escaped, and Markdown's own marks (and `$`, which
    GitHub reads as maths) made literal."""
    text = text.translate(_HTML)
    return re.sub(r"([\\*_\[\]|~$])", r"\\\1", text)


def escape_cell(text: str) -> str:
    """`text` as the content of one table cell: code spans kept (their pipes escaped, which
    GitHub's tables allow), everything else escaped, line breaks as `<br>`."""
    out: list[str] = []
    pos = 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_plain(text[pos : m.start()]))
        out.append(m.group(0).replace("|", "\\|").replace("\r\n", " ").replace("\n", " "))
        pos = m.end()
    out.append(_plain(text[pos:]))
    return re.sub(r"\r\n|\r|\n", "<br>", "".join(out))


def _location(f: Finding, root: Path) -> str:
    rel = relative_to_root(f.path, root)
    path = str(rel) if rel is not None else f.path
    if f.cell is not None:
        return f"{path} (cell {f.cell + 1}) {f.line}:{f.column}"
    return f"{path}:{f.line}:{f.column}"


def _fix(f: Finding) -> str:
    if f.fix is None:
        return ""
    return f"{f.fix.title} ({f.fix.applicability})"


def render_markdown(
    findings: Sequence[Finding],
    *,
    root: Path,
    summary: RunSummary,
    cost_basis_calls: int = 1000,
    max_chars: int = MAX_CHARS,
) -> str:
    """The report; rows stop before it passes `max_chars` (at least one is shown)."""
    lines = ["## claudelint", ""]
    if not findings:
        lines.append("No problems found.")
        return "\n".join(lines) + "\n"
    lines += [
        "| Rule | Location | Message | Est. savings | Fix |",
        "| --- | --- | --- | --- | --- |",
    ]
    size = sum(len(line) + 1 for line in lines)
    for shown, f in enumerate(findings):
        rule = f"[{f.code}]({RULE_HELP_URI.format(code=f.code)}) {escape_cell(f.name)}"
        cells = [
            rule,
            escape_cell(f"`{_location(f, root)}`"),
            escape_cell(f.message),
            escape_cell(cost_text(f, cost_basis_calls) or ""),
            escape_cell(_fix(f)),
        ]
        row = "| " + " | ".join(cells) + " |"
        size += len(row) + 1
        if size > max_chars and shown:
            left = len(findings) - shown
            lines += ["", f"… and {left:,} more finding{'s' if left != 1 else ''} not shown "
                      "(the whole report: `--output-format full` or `json`)."]
            break
        lines.append(row)
    lines.append("")
    lines += [escape_cell(s) for s in summary_lines(findings, summary, cost_basis_calls) if s]
    return "\n".join(lines) + "\n"
