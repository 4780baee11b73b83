"""Human-readable output: `full` (with source frames), `concise`, `--statistics`, and the
summary lines that close every run."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from claudelint.finding import Edit, Finding, format_calls, format_usd
from claudelint.report import columns
from claudelint.report.common import RunSummary, normalised_usd

# Lines of context shown before and after the reported line in a source frame.
CONTEXT = 2

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Narrowest terminal a frame is fitted to.
_MIN_WIDTH = 40
_ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class _Style:
    enabled: bool

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def level(self, level: str, text: str) -> str:
        return self._wrap("1;31" if level == "error" else "1;33", text)

    def cyan(self, text: str) -> str:
        return self._wrap("36", text)

    def blue(self, text: str) -> str:
        return self._wrap("1;34", text)

    def green(self, text: str) -> str:
        return self._wrap("32", text)

    def red(self, text: str) -> str:
        return self._wrap("31", text)


def render_text(
    findings: Sequence[Finding],
    *,
    concise: bool,
    sources: Mapping[str, str],
    summary: RunSummary,
    color: bool,
    show_fixes: bool,
    statistics: bool,
    cost_basis_calls: int,
    quiet: bool,
    width: int | None = None,
) -> str:
    """`width`: the terminal's width, to cut long source lines in frames to (None: never, as
    in files and pipes)."""
    style = _Style(color)
    out: list[str] = []
    if statistics:
        out.extend(statistics_table(findings, summary, cost_basis_calls, style))
    elif concise:
        out.extend(_header(f, summary, style) for f in findings)
    else:
        for f in findings:
            out.extend(_full(f, sources, summary, style, show_fixes, cost_basis_calls,
                             width))
            out.append("")
    if not quiet:
        out.extend(summary_lines(findings, summary, cost_basis_calls))
    return "\n".join(out) + "\n" if out else ""


# ---------------------------------------------------------------------- one finding


def applicable(f: Finding, summary: RunSummary) -> bool:
    """Whether `--fix` (with the run's `--unsafe-fixes` setting) would apply the fix."""
    if f.fix is None:
        return False
    return f.fix.applicability == "safe" or summary.unsafe_fixes


def location(f: Finding) -> str:
    """`path:line:col`, or `path:cell N:line:col` in a notebook (cells numbered from 1)."""
    cell = "" if f.cell is None else f"cell {f.cell + 1}:"
    return f"{f.path}:{cell}{f.line}:{f.column}"


def _header(f: Finding, summary: RunSummary, style: _Style) -> str:
    star = " " + style.cyan("[*]") if applicable(f, summary) else ""
    return f"{style.bold(location(f))}: {style.level(f.level, f.code)}{star} {f.message}"


# The one name of the figure `cost_text` gives, in every format (text, SARIF, GitHub).
SAVINGS_LABEL = "est. savings"


def cost_text(f: Finding, basis_calls: int) -> str | None:
    """`~$13.50 per 1k calls (model claude-sonnet-4-6, 2,345 tokens)`."""
    if f.cost is None:
        return None
    amount = normalised_usd(f, basis_calls)
    if amount <= 0:
        return None  # nothing to save (a rejected request is not billed): no cost line
    usd = format_usd(amount)
    lead = "up to " if f.cost.upper_bound else "~"
    return (
        f"{lead}{usd} per {format_calls(basis_calls)} calls "
        f"(model {f.cost.model}, {f.cost.tokens:,} tokens)"
    )


def _source_lines(f: Finding, sources: Mapping[str, str]) -> tuple[list[str], int] | None:
    """The lines to draw the frame from, and the 1-based number of the first one."""
    text = sources.get(f.path) if f.cell is None else None
    if text is not None:
        return _LINE_BREAK.split(text), 1
    if f.source_line:
        return [f.source_line.rstrip("\r\n")], f.line
    return None


def _frame(f: Finding, lines: list[str], first_no: int, style: _Style,
           term_width: int | None = None) -> tuple[list[str], int]:
    """The source frame (gutter, lines, underline) and the gutter width. With `term_width`,
    source lines longer than the terminal are cut (marked with an ellipsis), on the left too
    when the underline would start out of view, the same way for every line of the frame.
    The finding's character columns become display columns (columns.py) to place the
    underline: under wide (CJK, emoji) or zero-width characters they differ."""
    idx = f.line - first_no
    if not 0 <= idx < len(lines):
        return [], 0
    lo = max(0, idx - CONTEXT)
    hi = min(len(lines) - 1, idx + CONTEXT)
    while lo < idx and not lines[lo].strip():
        lo += 1
    while hi > idx and not lines[hi].strip():
        hi -= 1
    width = len(str(hi + first_no))
    line = lines[idx]
    start = min(max(f.column, 1), len(line) + 1)
    end = f.end_column if f.end_line == f.line else len(line) + 1
    end = min(max(end, start), len(line) + 1)
    pad = columns.width(line[: start - 1])
    carets = max(1, columns.width(line[: end - 1]) - pad)
    label = " " + f.code
    room: int | None = None  # columns for source text
    offset = 0
    if term_width is not None:
        room = max(term_width, _MIN_WIDTH) - (width + 3)
        # Cut on the left only as much as it takes to show the underline (and its label).
        shown = pad + min(carets, room // 2) + len(label)
        if shown > room:
            offset = shown - room + 1
        carets = max(1, min(carets, room - (pad - offset) - len(label)))
    bar = style.blue(" " * width + " |")
    out = [bar]
    for i in range(lo, hi + 1):
        text = columns.expand_tabs(lines[i])
        if room is not None:
            text = _cut(text, offset, room)
        num = style.blue(f"{i + first_no:>{width}} |")
        out.append(f"{num} {text}".rstrip())
        if i == idx:
            mark = style.level(f.level, "^" * carets + label)
            out.append(f"{bar} {' ' * (pad - offset)}{mark}")
    out.append(bar)
    return out, width


def _cut(text: str, offset: int, room: int) -> str:
    """The display columns `offset` to `offset + room` of `text` (tab-free), with an
    ellipsis in the first or last column where text was cut off."""
    total = columns.width(text)
    if offset == 0 and total <= room:
        return text
    part = columns.clip(text, offset, offset + room)
    shown = min(room, max(0, total - offset))
    if offset > 0 and part:
        part = _ELLIPSIS + columns.clip(part, 1, shown)
    if total > offset + room:
        part = columns.clip(part, 0, shown - 1) + _ELLIPSIS
    return part


def _full(
    f: Finding,
    sources: Mapping[str, str],
    summary: RunSummary,
    style: _Style,
    show_fixes: bool,
    basis_calls: int,
    term_width: int | None = None,
) -> list[str]:
    out = [_header(f, summary, style)]
    src = _source_lines(f, sources)
    frame, width = _frame(f, *src, style, term_width) if src else ([], 0)
    out.extend(frame)
    pad = " " * (max(width, 1) + 1)
    cost = cost_text(f, basis_calls)
    if cost is not None:
        out.append(f"{pad}= {style.cyan(SAVINGS_LABEL + ': ' + cost)}")
    if f.fix is not None:
        out.append(f"{pad}= help: {f.fix.title}")
        text = sources.get(f.path) if f.cell is None else None
        if show_fixes and text is not None:
            out.extend(pad + line for line in _fix_diff(f, text, style))
    return out


# ---------------------------------------------------------------------- fix previews


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """`text` with `edits` applied (1-based positions, end exclusive, non-overlapping)."""
    starts = [0]
    starts.extend(m.end() for m in _LINE_BREAK.finditer(text))

    def offset(line: int, column: int) -> int:
        if line > len(starts):
            return len(text)
        return min(starts[line - 1] + column - 1, len(text))

    out = text
    for e in sorted(edits, key=lambda e: (e.line, e.column), reverse=True):
        a, b = offset(e.line, e.column), offset(e.end_line, e.end_column)
        out = out[:a] + e.content + out[b:]
    return out


def _fix_diff(f: Finding, text: str, style: _Style) -> list[str]:
    assert f.fix is not None
    before = _LINE_BREAK.split(text)
    after = _LINE_BREAK.split(apply_edits(text, f.fix.edits))
    label = "Safe fix" if f.fix.applicability == "safe" else "Unsafe fix"
    out = [f"  {label}:"]
    for line in difflib.unified_diff(before, after, n=0, lineterm=""):
        if line.startswith(("---", "+++", "@@")):
            continue
        paint = style.green if line.startswith("+") else style.red
        out.append("  " + paint(columns.expand_tabs(line)))
    return out


# ---------------------------------------------------------------------- summary


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _levels(findings: Sequence[Finding]) -> str:
    errors = sum(1 for f in findings if f.level == "error")
    warnings = len(findings) - errors
    parts = []
    if errors:
        parts.append(_plural(errors, "error"))
    if warnings:
        parts.append(_plural(warnings, "warning"))
    return ", ".join(parts)


def _savings(findings: Sequence[Finding], basis_calls: int) -> str | None:
    expected = [f for f in findings if f.cost is not None and not f.cost.upper_bound]
    worst = [f for f in findings if f.cost is not None and f.cost.upper_bound]
    if not expected and not worst:
        return None
    per = f"per {format_calls(basis_calls)} calls"
    parts = []
    total = sum(normalised_usd(f, basis_calls) for f in expected)
    if total > 0:
        parts.append(f"{SAVINGS_LABEL} ~{format_usd(total)} {per}")
    cap = sum(normalised_usd(f, basis_calls) for f in worst)
    if cap > 0:
        parts.append(f"up to {format_usd(cap)} {per} more in worst cases avoided")
    return "; ".join(parts) or None


def summary_lines(findings: Sequence[Finding], summary: RunSummary, basis_calls: int) -> list[str]:
    """The lines that close a run, ruff-style."""
    n = len(findings)
    savings = _savings(findings, basis_calls)
    lines: list[str] = []
    if summary.fix_mode and summary.fixed:
        head = f"Fixed {_plural(summary.fixed, 'problem')}; {n:,} remaining"
        parts = [f"{head} ({_levels(findings)})" if n else head]
    elif n:
        parts = [f"Found {_plural(n, 'problem')} ({_levels(findings)})"]
        fixable = sum(1 for f in findings if applicable(f, summary))
        if fixable and not summary.fix_mode:
            parts.append(f"{fixable:,} fixable with --fix")
    else:
        parts = []
        if not summary.errors:
            lines.append("All checks passed!")
    if parts:
        if savings:
            parts.append(savings)
        lines.append("; ".join(parts) + ".")
    hidden = summary.unsafe_fixes_hidden
    if hidden:
        fixes = "hidden fix" if hidden == 1 else "hidden fixes"
        lines.append(f"({hidden:,} {fixes} can be enabled with the --unsafe-fixes option.)")
    return lines


# ---------------------------------------------------------------------- statistics


def statistics_rows(
    findings: Sequence[Finding], basis_calls: int
) -> list[tuple[str, list[Finding], float]]:
    """(code, its findings, est. savings per `basis_calls` calls) per code: the largest saving
    first (so a team sees where the money is), then the most frequent."""
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f)

    def saving(fs: list[Finding]) -> float:
        return sum(normalised_usd(f, basis_calls) for f in fs if f.cost is not None)

    rows = [(code, fs, saving(fs)) for code, fs in by_code.items()]
    return sorted(rows, key=lambda r: (-r[2], -len(r[1]), r[0]))


def only_upper_bounds(fs: Sequence[Finding]) -> bool:
    """Whether a group's savings are all worst cases avoided ("up to"), none expected."""
    return all(f.cost is None or f.cost.upper_bound for f in fs)


def statistics_table(
    findings: Sequence[Finding], summary: RunSummary, basis_calls: int, style: _Style
) -> list[str]:
    """Count, code, fixable marker, name and est. savings per code (`statistics_rows`)."""
    rows = statistics_rows(findings, basis_calls)
    if not rows:
        return []
    count_w = max(len(f"{len(fs):,}") for _, fs, _ in rows)
    code_w = max(len(code) for code, _, _ in rows)
    name_w = max(len(fs[0].name) for _, fs, _ in rows)
    out = []
    for code, fs, total in rows:
        marker = "[*]" if any(applicable(f, summary) for f in fs) else "[ ]"
        cells = [
            f"{len(fs):>{count_w},}",
            style.level(fs[0].level, f"{code:<{code_w}}"),
            f"{marker} {fs[0].name:<{name_w}}",
        ]
        if total > 0:
            lead = "up to " if only_upper_bounds(fs) else "~"
            cells.append(style.cyan(
                f"{lead}{format_usd(total)} per {format_calls(basis_calls)} calls"))
        out.append("  ".join(cells).rstrip())
    return out
