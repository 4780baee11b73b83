"""`--output-format json`: every finding as a JSON object, in a stable order."""

from __future__ import annotations

import json
from collections.abc import Sequence

from claudelint.finding import Finding
from claudelint.report.common import RunSummary, sort_key


def render_json(findings: Sequence[Finding]) -> str:
    """A JSON list of `Finding.to_json()`, sorted by path, cell, line, column and code."""
    items = [f.to_json() for f in sorted(findings, key=sort_key)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def render_statistics_json(
    findings: Sequence[Finding], summary: RunSummary, basis_calls: int
) -> str:
    """`--statistics --output-format json`: one object per code, as ruff prints them, with the
    code's est. savings per `basis_calls` calls."""
    from claudelint.report.text import applicable, only_upper_bounds, statistics_rows

    items = [
        {
            "code": code,
            "name": fs[0].name,
            "count": len(fs),
            "fixable": any(applicable(f, summary) for f in fs),
            "est_savings": None if total <= 0 else {
                "usd": round(total, 6),
                "per_calls": basis_calls,
                "upper_bound": only_upper_bounds(fs),
            },
        }
        for code, fs, total in statistics_rows(findings, basis_calls)
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
