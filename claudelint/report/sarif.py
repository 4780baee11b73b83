"""`--output-format sarif`: SARIF 2.1.0, as GitHub code scanning reads it.

Every enabled rule is described (with its full page as help), results point at paths relative
to the repository root (`%SRCROOT%`), and fixes carry their replacements.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import claudelint
from claudelint.finding import (
    PARSE_ERROR_CODE,
    PARSE_ERROR_NAME,
    PARSE_ERROR_SUMMARY,
    PARSE_ERROR_TEXT,
    Edit,
    Finding,
)
from claudelint.lint.rule import Rule
from claudelint.report.common import absolute, relative_to_root
from claudelint.report.text import SAVINGS_LABEL, cost_text
from claudelint.workspace.notebook import RawIndex, raw_index

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/claudelint/claudelint"
RULE_HELP_URI = INFORMATION_URI + "/blob/main/docs/rules/{code}.md"
SRCROOT = "%SRCROOT%"

# Tags by rule family (the code's first digit).
_FAMILY_TAGS: dict[str, str] = {
    "0": "parse-error",
    "1": "prompt-caching",
    "2": "max-tokens",
    "3": "model-choice",
    "4": "batching",
    "5": "context-growth",
    "9": "api-compatibility",
}


def _tags(code: str, level: str) -> list[str]:
    family = _FAMILY_TAGS.get(code[2:3])
    tags = ["claude-api", "correctness" if level == "error" else "cost"]
    return [*tags, family] if family else tags


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    """A `reportingDescriptor` for one rule."""
    what = rule.doc_sections().get("What it does", "").strip()
    page = rule.page()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what or rule.summary},
        "help": {"text": page, "markdown": page},
        "helpUri": RULE_HELP_URI.format(code=rule.code),
        "defaultConfiguration": {"level": rule.level},
        "properties": {"tags": _tags(rule.code, rule.level), "fix": rule.fix_safety},
    }


def _synthetic_descriptor(f: Finding) -> dict[str, Any]:
    """A descriptor for a code that is no enabled rule (CL000 parse errors)."""
    if f.code == PARSE_ERROR_CODE:
        short, text = PARSE_ERROR_SUMMARY, PARSE_ERROR_TEXT
    else:
        short = text = f.name
    return {
        "id": f.code,
        "name": f.name if f.code != PARSE_ERROR_CODE else PARSE_ERROR_NAME,
        "shortDescription": {"text": short},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "helpUri": RULE_HELP_URI.format(code=f.code),
        "defaultConfiguration": {"level": f.level},
        "properties": {"tags": _tags(f.code, f.level), "fix": "none"},
    }


def _artifact_location(path: str, root: Path) -> dict[str, Any]:
    rel = relative_to_root(path, root)
    if rel is None:
        return {"uri": absolute(path).as_uri()}
    return {"uri": quote(str(rel)), "uriBaseId": SRCROOT}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    line, column = max(line, 1), max(column, 1)
    end_line = max(end_line, line)
    end_column = max(end_column, column) if end_line == line else max(end_column, 1)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _replacement(e: Edit) -> dict[str, Any]:
    return {
        "deletedRegion": _region(e.line, e.column, e.end_line, e.end_column),
        "insertedContent": {"text": e.content},
    }


def _notebook_region(f: Finding, index: RawIndex | None) -> dict[str, int] | None:
    """The region of a notebook finding in the .ipynb file itself (SARIF locations address
    the file, not the cell): the lines of the cell's source strings in the JSON, and columns
    inside them when the layout gives them; None when the file cannot be mapped."""
    if index is None or f.cell is None:
        return None
    start = index.position(f.cell, f.line, f.column)
    end = index.position(f.cell, f.end_line, f.end_column)
    if start is None:
        return None
    line, column = start
    end_line, end_column = end if end is not None else (line, None)
    if column is None or end_column is None:
        return {"startLine": line, "endLine": max(end_line, line)}
    return _region(line, column, end_line, end_column)


def _raw_index(path: str) -> RawIndex | None:
    try:
        raw = absolute(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return raw_index(raw)


def _result(f: Finding, rule_index: int, root: Path, cost_basis_calls: int,
            notebooks: dict[str, RawIndex | None]) -> dict[str, Any]:
    cost = cost_text(f, cost_basis_calls)
    text = f.message if cost is None else f"{f.message}\n{SAVINGS_LABEL}: {cost}"
    location = _artifact_location(f.path, root)
    physical: dict[str, Any] = {"artifactLocation": location}
    if f.cell is None:
        physical["region"] = _region(f.line, f.column, f.end_line, f.end_column)
    else:
        if f.path not in notebooks:
            notebooks[f.path] = _raw_index(f.path)
        region = _notebook_region(f, notebooks[f.path])
        if region is not None:
            physical["region"] = region
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": f.level,
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
    }
    # A notebook fix edits a cell's text, not the JSON of the file the location names: its
    # replacements would corrupt the file, so SARIF carries none (--fix applies them).
    if f.fix is not None and f.cell is None:
        result["fixes"] = [
            {
                "description": {"text": f"{f.fix.title} ({f.fix.applicability} fix)"},
                "artifactChanges": [
                    {
                        "artifactLocation": dict(location),
                        "replacements": [_replacement(e) for e in f.fix.edits],
                    }
                ],
                "properties": {"applicability": f.fix.applicability},
            }
        ]
    props: dict[str, Any] = {"name": f.name}
    if f.cell is not None:
        # Where the finding is in the notebook as an editor shows it (cells from 1).
        props["cell"] = f.cell + 1
        props["cellLine"] = f.line
        props["cellColumn"] = f.column
    if f.cost is not None:
        props["cost"] = f.cost.to_json()
    result["properties"] = props
    return result


def sarif_log(
    findings: Sequence[Finding],
    *,
    rules: Sequence[type[Rule]],
    root: Path,
    cost_basis_calls: int = 1000,
) -> dict[str, Any]:
    """The SARIF log as a dict."""
    descriptors = [rule_descriptor(r) for r in sorted(rules, key=lambda r: r.code)]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    extra: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f.code not in index and f.code not in extra:
            extra[f.code] = _synthetic_descriptor(f)
    for code in sorted(extra):
        index[code] = len(descriptors)
        descriptors.append(extra[code])
    root_uri = absolute(root).as_uri()
    notebooks: dict[str, RawIndex | None] = {}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "claudelint",
                        "version": claudelint.__version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {
                    SRCROOT: {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    _result(f, index[f.code], root, cost_basis_calls, notebooks)
                    for f in findings
                ],
            }
        ],
    }


def render_sarif(
    findings: Sequence[Finding],
    *,
    rules: Sequence[type[Rule]],
    root: Path,
    cost_basis_calls: int = 1000,
) -> str:
    log = sarif_log(findings, rules=rules, root=root, cost_basis_calls=cost_basis_calls)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
