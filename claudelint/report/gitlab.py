"""`--output-format gitlab`: a GitLab Code Quality report (the CodeClimate JSON subset GitLab
reads): https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format

Each finding's `fingerprint` is what GitLab compares between a merge request and its target
branch, so it must stay the same while the finding does and differ between findings. It hashes
the rule code, the path and the flagged source text (its first line, whitespace-normalised),
never a line number: inserting lines above a finding keeps its fingerprint. Findings that would
share one (the same rule on identical text in one file) are told apart by their order.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from claudelint.finding import Finding
from claudelint.report.common import relative_to_root
from claudelint.report.sarif import _raw_index
from claudelint.report.text import cost_text
from claudelint.workspace.notebook import RawIndex

# Code Quality severities: info, minor, major, critical, blocker.
SEVERITY: dict[str, str] = {"error": "major", "warning": "minor"}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPACE = re.compile(r"\s+")


def flagged_text(f: Finding, sources: Mapping[str, str]) -> str:
    """The source text the finding points at on its first line, whitespace-normalised (the
    first line only: an edit inside a flagged loop body leaves the finding the same one); the
    message when the source is not at hand (a notebook cell without its text)."""
    text = sources.get(f.path) if f.cell is None else None
    first: str | None = None
    if text is not None:
        lines = _LINE_BREAK.split(text)
        if 1 <= f.line <= len(lines):
            first = lines[f.line - 1]
    elif f.source_line:
        first = f.source_line.rstrip("\r\n")
    if first is not None:
        end = max(f.end_column - 1, f.column) if f.end_line == f.line else len(first)
        flagged = _SPACE.sub(" ", first[f.column - 1 : end]).strip()
        if flagged:
            return flagged
    return f.message


def _display_path(f: Finding, root: Path) -> str:
    rel = relative_to_root(f.path, root)
    return str(rel) if rel is not None else f.path


def fingerprints(
    findings: Sequence[Finding], *, root: Path, sources: Mapping[str, str]
) -> list[str]:
    """One fingerprint per finding (in order): sha256 of code, path and flagged text, plus
    the occurrence number when the same key repeats. Neither line nor notebook cell number
    enters it: a cell inserted above moves a finding without making it a new one."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for f in findings:
        key = "\0".join((f.code, _display_path(f, root), flagged_text(f, sources)))
        n = seen.get(key, 0)
        seen[key] = n + 1
        payload = key if n == 0 else f"{key}\0{n}"
        out.append(hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest())
    return out


def _notebook_lines(f: Finding, index: RawIndex | None) -> tuple[int, int]:
    """A notebook finding's lines in the .ipynb file itself (the lines of its cell's source
    strings in the JSON, as in SARIF); line 1 when the file cannot be mapped."""
    if index is None or f.cell is None:
        return 1, 1
    start = index.position(f.cell, f.line, f.column)
    end = index.position(f.cell, f.end_line, f.end_column)
    if start is None:
        return 1, 1
    return start[0], max(end[0] if end is not None else start[0], start[0])


def issue(f: Finding, fingerprint: str, *, root: Path, cost_basis_calls: int,
          notebooks: dict[str, RawIndex | None] | None = None) -> dict[str, Any]:
    """One Code Quality issue. `notebooks`: the .ipynb files' line maps read so far."""
    description = f"{f.code}: {f.message}"
    if f.cell is not None:
        description = f"{f.code}: cell {f.cell + 1}, line {f.line}: {f.message}"
    cost = cost_text(f, cost_basis_calls)
    if cost is not None:
        description += f" (est. savings: {cost})"
    begin, end = max(f.line, 1), max(f.end_line, f.line, 1)
    if f.cell is not None:
        # A notebook's lines count from the top of the cell, not of the .ipynb file: point at
        # the file's lines and say where in the cell in the description.
        notebooks = {} if notebooks is None else notebooks
        if f.path not in notebooks:
            notebooks[f.path] = _raw_index(f.path)
        begin, end = _notebook_lines(f, notebooks[f.path])
    return {
        "type": "issue",
        "check_name": f.code,
        "description": description,
        "categories": ["Performance"] if f.level == "warning" else ["Bug Risk"],
        "fingerprint": fingerprint,
        "severity": SEVERITY.get(f.level, "minor"),
        "location": {
            "path": _display_path(f, root),
            "lines": {"begin": begin, "end": end},
        },
    }


def render_gitlab(
    findings: Sequence[Finding],
    *,
    root: Path,
    sources: Mapping[str, str],
    cost_basis_calls: int = 1000,
) -> str:
    prints = fingerprints(findings, root=root, sources=sources)
    notebooks: dict[str, RawIndex | None] = {}
    items = [
        issue(f, fp, root=root, cost_basis_calls=cost_basis_calls, notebooks=notebooks)
        for f, fp in zip(findings, prints, strict=True)
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
