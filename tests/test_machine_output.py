"""Machine output is exact (issue 15, items 10-12): notebook positions in every format, the
CLI's refusals and errors, statistics as JSON, cost figures and `per-file-ignores`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_cli import BAD, GOOD, invoke
from test_notebook import ASK, SETUP, notebook
from test_report import SCHEMA_PATH, validate_sarif

from claudelint.finding import Cost, Finding, format_usd
from claudelint.report import RunSummary, render
from claudelint.workspace.cache import finding_from_json, finding_to_json


def _project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "clean.py").write_text(GOOD, encoding="utf-8")
    return tmp_path


# ------------------------------------------------------------------------------ item 10


@pytest.mark.parametrize("indent", [1, 2, None])
@pytest.mark.parametrize("one_string", [False, True])
def test_notebook_positions_in_json_sarif_and_text(tmp_path: Path, indent: int | None,
                                                   one_string: bool) -> None:
    ask = list(ASK)
    if one_string:  # the cell source as one string, not a list of lines
        ask = "".join(ask)  # type: ignore[assignment]
    raw = json.dumps(notebook(("# title",), SETUP, ask), indent=indent, ensure_ascii=True)
    (tmp_path / "nb.ipynb").write_text(raw + "\n", encoding="utf-8")
    args = ["check", "--isolated", "--no-cache", "nb.ipynb"]
    _, text = invoke([*args, "--output-format", "concise"], tmp_path)
    _, out = invoke([*args, "--output-format", "json"], tmp_path)
    (f,) = json.loads(out)
    # JSON numbers cells from 1, as text output does (and ruff).
    assert text.startswith(f"nb.ipynb:cell {f['cell']}:{f['line']}:{f['column']}: CL101")
    assert f["cell"] == 3
    _, out = invoke([*args, "--output-format", "sarif"], tmp_path)
    log: Any = json.loads(out)
    if SCHEMA_PATH.is_file():
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        validate_sarif(log, schema)
    (result,) = log["runs"][0]["results"]
    assert result["properties"]["cell"] == 3
    assert (result["properties"]["cellLine"], result["properties"]["cellColumn"]) == (
        f["line"], f["column"])
    assert "fixes" not in result  # cell edits do not address the .ipynb JSON
    region = result["locations"][0]["physicalLocation"]["region"]
    # The region addresses the .ipynb file itself: its line holds the flagged code.
    raw_line = raw.split("\n")[region["startLine"] - 1]
    assert "system=POLICY" in raw_line
    if indent is None:
        assert "startColumn" not in region
    else:
        assert raw_line[region["startColumn"] - 1:].startswith("POLICY")
        assert raw_line[region["endColumn"] - 1:].startswith(",")


def test_sarif_notebook_that_is_gone_has_no_made_up_region(tmp_path: Path) -> None:
    from claudelint.report.sarif import sarif_log

    f = Finding("CL101", "missing-cache-control", "m", "warning", str(tmp_path / "x.ipynb"),
                3, 5, 3, 9, cell=2)
    (result,) = sarif_log([f], rules=(), root=tmp_path)["runs"][0]["results"]
    assert "region" not in result["locations"][0]["physicalLocation"]
    assert result["properties"]["cell"] == 3


# ------------------------------------------------------------------------------ item 11


def test_add_noqa_with_diff_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, out = invoke(["check", "--isolated", "--add-noqa", "--diff", "app.py"], root)
    assert code == 2
    assert "--add-noqa cannot be combined with --diff" in out
    assert (root / "app.py").read_text(encoding="utf-8") == BAD


def test_missing_path_reports_only_the_error(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, out = invoke(["check", "--isolated", "clean.py", "nope.py"], root)
    assert code == 2
    assert "nope.py: no such file or directory" in out
    assert "All checks passed!" not in out


def test_rule_cl000_has_a_page(tmp_path: Path) -> None:
    for key in ("CL000", "cl000", "parse-error"):
        code, out = invoke(["rule", key], tmp_path)
        assert code == 0, out
        assert out.startswith("# parse-error (CL000)")
        assert "did you mean" not in out
    code, out = invoke(["rule", "CL000", "--output-format", "json"], tmp_path)
    data = json.loads(out)
    assert code == 0 and data["code"] == "CL000" and data["fix"] == "none"


def test_statistics_as_json(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, out = invoke(
        ["check", "--isolated", "--no-cache", "--statistics", "--output-format", "json",
         "app.py"], root)
    assert code == 1
    rows = json.loads(out)
    assert [r["code"] for r in rows] == ["CL101"]
    row = rows[0]
    assert row["count"] == 1 and row["name"] == "missing-cache-control"
    assert row["fixable"] is True
    assert row["est_savings"]["usd"] > 0 and row["est_savings"]["per_calls"] == 1000
    # Without --statistics, json is still the findings list.
    _, out = invoke(["check", "--isolated", "--no-cache", "--output-format", "json", "app.py"],
                    root)
    assert json.loads(out)[0]["code"] == "CL101"


def _finding(usd: float, calls: int = 1000, upper: bool = False) -> Finding:
    return Finding("CL101", "missing-cache-control", "m", "warning", "a.py", 1, 1, 1, 2,
                   cost=Cost("claude-sonnet-4-6", 10, usd, calls, upper_bound=upper))


def test_small_amounts_are_never_printed_as_zero_point_zeros(tmp_path: Path) -> None:
    assert format_usd(0.00004) == "<$0.01"
    assert format_usd(0.0) == "$0"
    assert format_usd(0.006) == "$0.01"
    out = render([_finding(0.00004)], fmt="full", rules=(), sources={},
                 summary=RunSummary(files_checked=1), root=tmp_path)
    assert "$0.0000" not in out
    assert "est. savings ~<$0.01 per 1k calls" in out
    # A zero saving is left out of the summary.
    out = render([_finding(0.0)], fmt="concise", rules=(), sources={},
                 summary=RunSummary(files_checked=1), root=tmp_path)
    assert "savings" not in out and "$0" not in out


def test_cache_keeps_costs_unrounded() -> None:
    f = _finding(0.0053051, calls=1)
    back = finding_from_json(json.loads(json.dumps(finding_to_json(f))))
    assert back.cost == f.cost
    # Cold ($5.31 per 1k calls; $5.30 from the rounded figure) and warm runs round the same figure.
    for x in (f, back):
        out = render([x], fmt="concise", rules=(), sources={}, summary=RunSummary(),
                     root=Path())
        assert "~$5.31 per 1k calls" in out


def test_cold_and_warm_runs_print_the_same_report(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cold = invoke(["check", "--isolated", "app.py"], root)
    warm = invoke(["check", "--isolated", "app.py"], root)
    assert cold == warm and cold[0] == 1


def test_one_name_for_the_savings_figure(tmp_path: Path) -> None:
    root = _project(tmp_path)
    outs = {
        fmt: invoke(["check", "--isolated", "--no-cache", "--output-format", fmt, "app.py"],
                    root)[1]
        for fmt in ("full", "sarif", "github")
    }
    assert "= est. savings: ~$" in outs["full"]
    assert "est. savings: ~$" in outs["sarif"]
    assert "est. savings: ~$" in outs["github"]
    for out in outs.values():
        assert "cost: " not in out and "Est. savings" not in out


# ------------------------------------------------------------------------------ item 12


PFI_FILES = ("tests/test_a.py", "tests/sub/test_b.py", "test_top.py", "pkg/a.py", "pkg/b.py",
             "pkg/c.py", "other/tests", "app.py")


def _flagged(tmp_path: Path, pattern: str) -> set[str]:
    """The files that still report CL101 with `pattern = ["CL101"]` in per-file-ignores."""
    for rel in PFI_FILES:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(BAD, encoding="utf-8")
    (tmp_path / ".claudelint.toml").write_text(
        f"[per-file-ignores]\n{json.dumps(pattern)} = [\"CL101\"]\n", encoding="utf-8")
    code, out = invoke(["check", "--no-cache", "--output-format", "json", *PFI_FILES],
                       tmp_path)
    assert code in (0, 1), out
    return {Path(f["path"]).as_posix() for f in json.loads(out) if f["code"] == "CL101"}


def test_per_file_ignores_follow_ruff(tmp_path: Path) -> None:
    everything = set(PFI_FILES)
    # A folder name alone matches only a file of that name (ruff: write "tests/*").
    assert _flagged(tmp_path, "tests") == everything - {"other/tests"}
    assert _flagged(tmp_path, "tests/") == everything
    # "*" crosses "/": "tests/*" covers the whole folder, as in ruff.
    assert _flagged(tmp_path, "tests/*") == everything - {"tests/test_a.py",
                                                         "tests/sub/test_b.py"}
    assert _flagged(tmp_path, "**/test_*.py") == everything - {
        "tests/test_a.py", "tests/sub/test_b.py", "test_top.py"}
    assert _flagged(tmp_path, "pkg/{a,b}.py") == everything - {"pkg/a.py", "pkg/b.py"}
    # A bare file name matches that name in every folder.
    assert _flagged(tmp_path, "a.py") == everything - {"pkg/a.py"}
    # "!" applies the codes to every file the rest does not match.
    assert _flagged(tmp_path, "!pkg/*") == {"pkg/a.py", "pkg/b.py", "pkg/c.py"}


def test_sites_json_numbers_cells_from_1(tmp_path: Path) -> None:
    raw = json.dumps(notebook(("# title",), SETUP, ASK), indent=1)
    (tmp_path / "nb.ipynb").write_text(raw + "\n", encoding="utf-8")
    code, out = invoke(["sites", "--isolated", "--output-format", "json", "nb.ipynb"], tmp_path)
    (row,) = json.loads(out)
    assert code == 0 and row["cell"] == 3 and row["location"].startswith("nb.ipynb:cell 3:")
