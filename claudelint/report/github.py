"""`--output-format github`: workflow commands that GitHub Actions turns into annotations.

https://docs.github.com/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from claudelint.finding import Finding
from claudelint.report.common import relative_to_root
from claudelint.report.text import SAVINGS_LABEL, cost_text


def escape_data(text: str) -> str:
    """Escape a command's message (after `::`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command's property value (`file=...`, `title=...`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, *, root: Path, cost_basis_calls: int = 1000) -> str:
    """One `::warning ...::message` (or `::error`) line."""
    rel = relative_to_root(f.path, root)
    props = [("file", str(rel) if rel is not None else f.path)]
    message = f.message
    if f.cell is not None:
        # Lines in a notebook count from the top of the cell, not of the .ipynb file:
        # annotate the file and say where in the message.
        message = f"cell {f.cell + 1}, line {f.line}, column {f.column}: {message}"
    else:
        props.append(("line", str(f.line)))
        if f.end_line == f.line:
            props.append(("col", str(f.column)))
        props.append(("endLine", str(f.end_line)))
        if f.end_line == f.line:
            props.append(("endColumn", str(f.end_column)))
    props.append(("title", f"{f.code} ({f.name})"))
    cost = cost_text(f, cost_basis_calls)
    if cost is not None:
        message += f"\n{SAVINGS_LABEL}: {cost}"
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{f.level} {head}::{escape_data(message)}"


def render_github(findings: Sequence[Finding], *, root: Path, cost_basis_calls: int = 1000) -> str:
    return "".join(
        annotation(f, root=root, cost_basis_calls=cost_basis_calls) + "\n" for f in findings
    )
