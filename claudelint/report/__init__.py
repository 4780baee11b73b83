"""Reporters: turn a run's findings into text, JSON, SARIF, GitHub annotations, a GitLab
Code Quality report or a Markdown table.

`render` is the one entry point. The format modules are imported on demand, so choosing one
format never pays for the others; what they share is in report/common.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from claudelint.finding import Finding
from claudelint.lint.rule import Rule
from claudelint.report.common import RunSummary, sort_key

FORMATS: tuple[str, ...] = ("full", "concise", "json", "sarif", "github", "gitlab", "markdown")


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


__all__ = ["FORMATS", "RunSummary", "render"]
