"""`--output-format json`: every finding as a JSON object, in a stable order."""

from __future__ import annotations

import json
from collections.abc import Sequence

from claudelint.finding import Finding
from claudelint.report import sort_key


def render_json(findings: Sequence[Finding]) -> str:
    """A JSON list of `Finding.to_json()`, sorted by path, cell, line, column and code."""
    items = [f.to_json() for f in sorted(findings, key=sort_key)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
