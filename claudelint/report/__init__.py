"""Reporters: turn a run's findings into text, JSON, SARIF, GitHub annotations, a GitLab
Code Quality report or a Markdown table.

`render` is the one entry point. The format modules are imported on demand, so choosing one
format never pays for the others.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from claudelint.finding import Finding
from claudelint.lint.rule import Rule

FORMATS: tuple[str, ...] = ("full", "concise", "json", "sarif", "github", "gitlab", "markdown")


@dataclass(frozen=True)
class RunSummary:
    """What the summary lines need to know beyond the findings themselves."""

    files_checked: int = 0
    # Fixes applied in this run (with --fix).
    fixed: int = 0
    # Findings whose fix needs --unsafe-fixes (when it is not enabled).
    unsafe_fixes_hidden: int = 0
    # --fix was given.
    fix_mode: bool = False
    # --unsafe-fixes was given: unsafe fixes count as fixable and get the `[*]` marker.
    unsafe_fixes: bool = False
    # Paths or files the run could not check (errors printed on stderr): never "All checks
    # passed!" then.
    errors: int = 0


def render(
    findings: Sequence[Finding],
    *,
    fmt: str,
    rules: Sequence[type[Rule]],
    sources: Mapping[str, str],
    summary: RunSummary,
    root: Path,
    color: bool = False,
    show_fixes: bool = False,
    statistics: bool = False,
    cost_basis_calls: int = 1000,
    quiet: bool = False,
    width: int | None = None,
) -> str:
    """The whole report for one run, in format `fmt` (one of `FORMATS`). `width`: the
    terminal's width, for `full` source frames (None: files and pipes, never cut)."""
    ordered = sorted(findings, key=sort_key)
    if fmt in ("full", "concise"):
        from claudelint.report import text

        return text.render_text(
            ordered,
            concise=fmt == "concise",
            sources=sources,
            summary=summary,
            color=color,
            show_fixes=show_fixes,
            statistics=statistics,
            cost_basis_calls=cost_basis_calls,
            quiet=quiet,
            width=width,
        )
    if fmt == "json":
        from claudelint.report import json_

        if statistics:
            return json_.render_statistics_json(ordered, summary, cost_basis_calls)
        return json_.render_json(ordered)
    if fmt == "sarif":
        from claudelint.report import sarif

        return sarif.render_sarif(
            ordered, rules=rules, root=root, cost_basis_calls=cost_basis_calls
        )
    if fmt == "github":
        from claudelint.report import github

        return github.render_github(ordered, root=root, cost_basis_calls=cost_basis_calls)
    if fmt == "gitlab":
        from claudelint.report import gitlab

        return gitlab.render_gitlab(
            ordered, root=root, sources=sources, cost_basis_calls=cost_basis_calls
        )
    if fmt == "markdown":
        from claudelint.report import markdown

        return markdown.render_markdown(
            ordered, root=root, summary=summary, cost_basis_calls=cost_basis_calls
        )
    raise ValueError(f"unknown output format {fmt!r} (expected one of: {', '.join(FORMATS)})")


# ---------------------------------------------------------------------- shared helpers


def sort_key(f: Finding) -> tuple[str, int, int, int, str, str]:
    """Deterministic order: path, notebook cell, line, column, code, message."""
    return (f.path, -1 if f.cell is None else f.cell, f.line, f.column, f.code, f.message)


def normalised_usd(f: Finding, basis_calls: int) -> float:
    """What fixing `f` saves per `basis_calls` calls (0 when it has no cost)."""
    if f.cost is None or f.cost.calls <= 0:
        return 0.0
    return f.cost.usd_saved * basis_calls / f.cost.calls


def relative_to_root(path: str, root: Path) -> PurePosixPath | None:
    """`path` (absolute, or relative to the working directory) relative to `root`, or None
    when it lies outside it."""
    base = Path(os.path.normpath(Path.cwd() / root))
    target = Path(os.path.normpath(Path.cwd() / path))
    for b, t in ((base, target), (base.resolve(), target.resolve())):
        try:
            return PurePosixPath(t.relative_to(b).as_posix())
        except ValueError:
            continue
    return None


def absolute(path: str | Path) -> Path:
    return Path(os.path.normpath(Path.cwd() / path))


__all__ = ["FORMATS", "RunSummary", "render"]
