"""The reporters: full, concise, statistics, json, sarif and github output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import claudelint
from claudelint.finding import Cost, Edit, Finding, Fix, parse_error
from claudelint.lint.rule import Rule
from claudelint.report import FORMATS, RunSummary, render
from claudelint.report.github import escape_data, escape_property
from claudelint.report.text import apply_edits

SCHEMA_PATH = Path(__file__).parents[2] / "shared/data/sarif-schema-2.1.0.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class CacheRule(Rule):
    """## What it does
    Finds repeated requests without a cache breakpoint.

    ## Why is this bad?
    Money.
    """

    code = "CL101"
    name = "missing-cache-control"
    summary = "Repeated request re-sends a large static prefix without a cache breakpoint"
    level = "warning"
    fix_safety = "safe"


class LegacyRule(Rule):
    """## What it does
    Finds retired models.
    """

    code = "CL302"
    name = "legacy-model"
    summary = "Retired or deprecated model"
    level = "error"
    fix_safety = "unsafe"


class QuietRule(Rule):
    """## What it does
    Never fires in these tests.
    """

    code = "CL401"
    name = "batchable-loop"
    summary = "Synchronous requests in a loop"


RULES: tuple[type[Rule], ...] = (LegacyRule, CacheRule, QuietRule)

SOURCE = """\
import anthropic

client = anthropic.Anthropic()


def ask(q):
    return client.messages.create(
        model="claude-3-opus-20240229",
        system=SYSTEM,
        max_tokens=100,
        messages=[{"role": "user", "content": q}],
    )
"""


def cache_finding(root: Path) -> Finding:
    return Finding(
        code="CL101",
        name="missing-cache-control",
        message="Static prefix of ~2,345 tokens is re-sent on every call without caching",
        level="warning",
        path=str(root / "pkg" / "app.py"),
        line=9,
        column=9,
        end_line=9,
        end_column=22,
        fix=Fix(
            title="Wrap `system` in a text block with `cache_control`",
            applicability="safe",
            edits=(
                Edit(
                    9,
                    16,
                    9,
                    22,
                    '[{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}]',
                ),
            ),
        ),
        cost=Cost(model="claude-sonnet-4-6", tokens=2345, usd_saved=13.5, calls=1000),
    )


def legacy_finding(root: Path) -> Finding:
    return Finding(
        code="CL302",
        name="legacy-model",
        message="`claude-3-opus-20240229` is retired; use `claude-opus-4-1`",
        level="error",
        path=str(root / "pkg" / "app.py"),
        line=8,
        column=15,
        end_line=8,
        end_column=39,
        fix=Fix(
            title="Replace with `claude-opus-4-1`",
            applicability="unsafe",
            edits=(Edit(8, 15, 8, 39, '"claude-opus-4-1"'),),
        ),
        cost=Cost(model="claude-3-opus-20240229", tokens=0, usd_saved=0.5, calls=100),
    )


def notebook_finding(root: Path) -> Finding:
    return Finding(
        code="CL101",
        name="missing-cache-control",
        message="Static prefix re-sent without caching",
        level="warning",
        path=str(root / "nb" / "explore.ipynb"),
        line=3,
        column=5,
        end_line=3,
        end_column=11,
        cell=2,
        source_line="    system=PROMPT,",
    )


def all_findings(root: Path) -> list[Finding]:
    return [
        notebook_finding(root),
        cache_finding(root),
        parse_error(str(root / "broken.py"), "Syntax error: unexpected indent", 2, 1),
        legacy_finding(root),
    ]


def run(
    findings: list[Finding],
    fmt: str,
    root: Path,
    summary: RunSummary | None = None,
    **kwargs: Any,
) -> str:
    sources = {str(root / "pkg" / "app.py"): SOURCE}
    return render(
        findings,
        fmt=fmt,
        rules=RULES,
        sources=sources,
        summary=summary or RunSummary(files_checked=3, unsafe_fixes_hidden=1),
        root=root,
        **kwargs,
    )


# ---------------------------------------------------------------------- full / concise


def test_full_output_shape(tmp_path: Path) -> None:
    out = run(all_findings(tmp_path), "full", tmp_path)
    app = str(tmp_path / "pkg" / "app.py")
    lines = out.splitlines()
    # Ordered by path, then line: broken.py, nb/explore.ipynb, pkg/app.py:8, pkg/app.py:9.
    headers = [line for line in lines if line.startswith(str(tmp_path))]
    assert headers == [
        f"{tmp_path / 'broken.py'}:2:1: CL000 Syntax error: unexpected indent",
        f"{tmp_path / 'nb' / 'explore.ipynb'}:cell 3:3:5: CL101 "
        "Static prefix re-sent without caching",
        f"{app}:8:15: CL302 `claude-3-opus-20240229` is retired; use `claude-opus-4-1`",
        f"{app}:9:9: CL101 [*] Static prefix of ~2,345 tokens is re-sent on every call "
        "without caching",
    ]
    block = out.split(f"{app}:9:9:")[1]
    assert block.splitlines()[1:9] == [
        "   |",
        " 7 |     return client.messages.create(",
        ' 8 |         model="claude-3-opus-20240229",',
        " 9 |         system=SYSTEM,",
        "   |         ^^^^^^^^^^^^^ CL101",
        "10 |         max_tokens=100,",
        '11 |         messages=[{"role": "user", "content": q}],',
        "   |",
    ]
    assert (
        "   = est. savings: ~$13.50 per 1k calls (model claude-sonnet-4-6, 2,345 tokens)"
        in block.splitlines()
    )
    assert "   = help: Wrap `system` in a text block with `cache_control`" in block
    # The unsafe fix is still explained, just not starred.
    legacy = out.split(f"{app}:8:15:")[1].split(f"{app}:9:9:")[0]
    assert "= help: Replace with `claude-opus-4-1`" in legacy
    assert "^^^^^^^^^^^^^^^^^^^^^^^^ CL302" in legacy
    # The CL302 cost is given per 100 calls; it is shown per 1k.
    assert "est. savings: ~$5.00 per 1k calls (model claude-3-opus-20240229, 0 tokens)" in legacy
    # The parse error file has no source: header only, no frame.
    broken = out.split(f"{tmp_path / 'broken.py'}:2:1:")[1].splitlines()
    assert broken[1] == ""
    # The notebook frame is drawn from the finding's own source line.
    nb = out.split("cell 3:3:5:")[1].splitlines()
    assert nb[1:5] == ["  |", "3 |     system=PROMPT,", "  |     ^^^^^^ CL101", "  |"]
    assert lines[-2:] == [
        "Found 4 problems (2 errors, 2 warnings); 1 fixable with --fix; "
        "est. savings ~$18.50 per 1k calls.",
        "(1 hidden fix can be enabled with the --unsafe-fixes option.)",
    ]
    assert out.endswith(".)\n")


def test_concise_output(tmp_path: Path) -> None:
    out = run(all_findings(tmp_path), "concise", tmp_path)
    app = tmp_path / "pkg" / "app.py"
    assert out.splitlines() == [
        f"{tmp_path / 'broken.py'}:2:1: CL000 Syntax error: unexpected indent",
        f"{tmp_path / 'nb' / 'explore.ipynb'}:cell 3:3:5: CL101 "
        "Static prefix re-sent without caching",
        f"{app}:8:15: CL302 `claude-3-opus-20240229` is retired; use `claude-opus-4-1`",
        f"{app}:9:9: CL101 [*] Static prefix of ~2,345 tokens is re-sent on every call "
        "without caching",
        "Found 4 problems (2 errors, 2 warnings); 1 fixable with --fix; "
        "est. savings ~$18.50 per 1k calls.",
        "(1 hidden fix can be enabled with the --unsafe-fixes option.)",
    ]


def test_unsafe_fixes_enabled_star_and_count(tmp_path: Path) -> None:
    summary = RunSummary(files_checked=1, unsafe_fixes=True)
    out = run([legacy_finding(tmp_path)], "concise", tmp_path, summary)
    assert out.splitlines() == [
        f"{tmp_path / 'pkg' / 'app.py'}:8:15: CL302 [*] "
        "`claude-3-opus-20240229` is retired; use `claude-opus-4-1`",
        "Found 1 problem (1 error); 1 fixable with --fix; est. savings ~$5.00 per 1k calls.",
    ]


def test_cost_basis_calls(tmp_path: Path) -> None:
    out = run([cache_finding(tmp_path)], "full", tmp_path, cost_basis_calls=1_000_000)
    assert "= est. savings: ~$13,500 per 1M calls (model claude-sonnet-4-6, 2,345 tokens)" in out
    assert out.splitlines()[-2].endswith("est. savings ~$13,500 per 1M calls.")


def test_all_checks_passed_and_quiet(tmp_path: Path) -> None:
    assert run([], "full", tmp_path, RunSummary()) == "All checks passed!\n"
    assert run([], "concise", tmp_path, RunSummary()) == "All checks passed!\n"
    assert run([], "full", tmp_path, RunSummary(), quiet=True) == ""
    quiet = run(all_findings(tmp_path), "concise", tmp_path, quiet=True)
    assert len(quiet.splitlines()) == 4
    assert "Found" not in quiet
    assert "hidden fix" not in quiet


def test_summary_plurals_and_hidden_fixes(tmp_path: Path) -> None:
    out = run([cache_finding(tmp_path)], "concise", tmp_path, RunSummary(unsafe_fixes_hidden=2))
    assert out.splitlines()[-2:] == [
        "Found 1 problem (1 warning); 1 fixable with --fix; est. savings ~$13.50 per 1k calls.",
        "(2 hidden fixes can be enabled with the --unsafe-fixes option.)",
    ]
    no_cost = parse_error("x.py", "boom")
    out = run([no_cost], "concise", tmp_path, RunSummary())
    assert out.splitlines()[-1] == "Found 1 problem (1 error)."


def test_fix_mode_summary(tmp_path: Path) -> None:
    fixed_all = run([], "full", tmp_path, RunSummary(fixed=2, fix_mode=True))
    assert fixed_all == "Fixed 2 problems; 0 remaining.\n"
    remaining = run(
        [legacy_finding(tmp_path)],
        "concise",
        tmp_path,
        RunSummary(fixed=1, fix_mode=True, unsafe_fixes_hidden=1),
    )
    assert remaining.splitlines()[-2:] == [
        "Fixed 1 problem; 1 remaining (1 error); est. savings ~$5.00 per 1k calls.",
        "(1 hidden fix can be enabled with the --unsafe-fixes option.)",
    ]
    # --fix with nothing fixed: no "fixable with --fix" advice.
    nothing = run([legacy_finding(tmp_path)], "concise", tmp_path, RunSummary(fix_mode=True))
    assert nothing.splitlines()[-1] == (
        "Found 1 problem (1 error); est. savings ~$5.00 per 1k calls."
    )


def test_no_ansi_without_color_and_some_with(tmp_path: Path) -> None:
    findings = all_findings(tmp_path)
    for fmt in FORMATS:
        assert "\x1b[" not in run(findings, fmt, tmp_path), fmt
    assert "\x1b[" not in run(findings, "full", tmp_path, statistics=True)
    colored = run(findings, "full", tmp_path, color=True)
    assert "\x1b[1;31mCL302\x1b[0m" in colored  # errors in red
    assert "\x1b[1;33mCL101\x1b[0m" in colored  # warnings in yellow
    assert f"\x1b[1m{tmp_path / 'broken.py'}:2:1\x1b[0m" in colored  # bold path
    assert "\x1b[36mest. savings: ~$13.50 per 1k calls" in colored  # cyan cost
    # Stripping the escapes gives the plain output back.
    assert ANSI.sub("", colored) == run(findings, "full", tmp_path)
    assert "\x1b[" in run(findings, "concise", tmp_path, color=True)


def test_show_fixes_prints_the_diff(tmp_path: Path) -> None:
    out = run([cache_finding(tmp_path)], "full", tmp_path, show_fixes=True)
    lines = out.splitlines()
    at = lines.index("   = help: Wrap `system` in a text block with `cache_control`")
    assert lines[at + 1 : at + 4] == [
        "     Safe fix:",
        "     -        system=SYSTEM,",
        '     +        system=[{"type": "text", "text": SYSTEM, "cache_control": '
        '{"type": "ephemeral"}}],',
    ]
    assert "Safe fix:" not in run([cache_finding(tmp_path)], "full", tmp_path)


def test_apply_edits_multiline_and_order() -> None:
    text = "a = 1\nb = 2\nc = 3\n"
    edits = (Edit(3, 5, 3, 6, "30"), Edit(1, 5, 2, 6, "10"))
    assert apply_edits(text, edits) == "a = 10\nc = 30\n"
    assert apply_edits("x\r\ny\r\n", (Edit(2, 1, 2, 2, "z"),)) == "x\r\nz\r\n"


def test_frame_with_tabs_and_out_of_range_lines(tmp_path: Path) -> None:
    src = "if x:\n\tcall(a, b)\n"
    f = Finding("CL901", "removed-parameter", "bad", "warning", "t.py", 2, 2, 2, 6)
    out = render(
        [f], fmt="full", rules=(), sources={"t.py": src}, summary=RunSummary(), root=tmp_path
    )
    assert "2 |     call(a, b)" in out
    assert "  |     ^^^^ CL901" in out
    beyond = Finding("CL901", "removed-parameter", "bad", "warning", "t.py", 40, 1, 40, 2)
    out = render(
        [beyond], fmt="full", rules=(), sources={"t.py": src}, summary=RunSummary(), root=tmp_path
    )
    assert out.splitlines()[:2] == ["t.py:40:1: CL901 bad", ""]


def test_multiline_range_underlines_first_line_to_its_end(tmp_path: Path) -> None:
    f = Finding("CL101", "missing-cache-control", "m", "warning", "a.py", 7, 12, 12, 6)
    out = render(
        [f], fmt="full", rules=(), sources={"a.py": SOURCE}, summary=RunSummary(), root=tmp_path
    )
    assert out.splitlines()[2:5] == [
        "6 | def ask(q):",
        "7 |     return client.messages.create(",
        "  |            ^^^^^^^^^^^^^^^^^^^^^^^ CL101",
    ]


# ---------------------------------------------------------------------- statistics


def test_statistics_table(tmp_path: Path) -> None:
    findings = [*all_findings(tmp_path), cache_finding(tmp_path)]
    out = run(findings, "full", tmp_path, statistics=True)
    assert out.splitlines() == [
        # Largest saving first, so a team sees where the money is; then the most frequent.
        "3  CL101  [*] missing-cache-control  ~$27.00 per 1k calls",
        "1  CL302  [ ] legacy-model           ~$5.00 per 1k calls",
        "1  CL000  [ ] parse-error",
        "Found 5 problems (2 errors, 3 warnings); 2 fixable with --fix; "
        "est. savings ~$32.00 per 1k calls.",
        "(1 hidden fix can be enabled with the --unsafe-fixes option.)",
    ]
    # The same table whatever the text format; no findings are listed.
    assert run(findings, "concise", tmp_path, statistics=True) == out
    assert str(tmp_path) not in out
    assert run([], "full", tmp_path, RunSummary(), statistics=True) == "All checks passed!\n"


# ---------------------------------------------------------------------- json


def test_json_output(tmp_path: Path) -> None:
    findings = all_findings(tmp_path)
    out = run(findings, "json", tmp_path)
    assert out.endswith("]\n")
    data = json.loads(out)
    assert [(d["code"], d["line"]) for d in data] == [
        ("CL000", 2),
        ("CL101", 3),
        ("CL302", 8),
        ("CL101", 9),
    ]
    assert data[1]["cell"] == 3  # numbered from 1, as in text output
    assert list(data[3]) == [
        "code", "name", "message", "level", "path", "line", "column",
        "end_line", "end_column", "cell", "fix", "cost",
    ]  # fmt: skip
    assert data[3]["fix"]["applicability"] == "safe"
    assert data[3]["cost"]["usd_per_1k_calls"] == 13.5
    assert data[2]["fix"]["applicability"] == "unsafe"
    assert data[0]["fix"] is None and data[0]["cost"] is None
    # Deterministic whatever the input order; indent 2.
    assert run(list(reversed(findings)), "json", tmp_path) == out
    assert out.startswith('[\n  {\n    "code": "CL000",')
    assert run([], "json", tmp_path) == "[]\n"


# ---------------------------------------------------------------------- sarif


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"SARIF schema not found at {SCHEMA_PATH}")
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def validate_sarif(log: Any, schema: dict[str, Any]) -> None:
    import jsonschema  # type: ignore[import-untyped, unused-ignore]

    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)


def test_sarif_validates_and_describes_rules(tmp_path: Path, sarif_schema: dict[str, Any]) -> None:
    out = run(all_findings(tmp_path), "sarif", tmp_path)
    log = json.loads(out)
    validate_sarif(log, sarif_schema)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "claudelint"
    assert driver["version"] == claudelint.__version__
    ids = [r["id"] for r in driver["rules"]]
    # Every enabled rule (sorted), including one with no results, then CL000.
    assert ids == ["CL101", "CL302", "CL401", "CL000"]
    cache = driver["rules"][0]
    assert cache["name"] == "missing-cache-control"
    assert cache["shortDescription"]["text"] == CacheRule.summary
    assert cache["fullDescription"]["text"] == "Finds repeated requests without a cache breakpoint."
    assert cache["help"]["markdown"] == CacheRule.page()
    assert cache["help"]["text"] == CacheRule.page()
    assert cache["helpUri"].startswith("https://")
    assert cache["defaultConfiguration"]["level"] == "warning"
    assert driver["rules"][1]["defaultConfiguration"]["level"] == "error"
    assert "prompt-caching" in cache["properties"]["tags"]
    assert driver["rules"][3]["name"] == "parse-error"

    root_uri = sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root_uri == tmp_path.as_uri() + "/"

    results = sarif_run["results"]
    assert [(r["ruleId"], r["ruleIndex"]) for r in results] == [
        ("CL000", 3),
        ("CL101", 0),
        ("CL302", 1),
        ("CL101", 0),
    ]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    assert uris[0] == {"uri": "broken.py", "uriBaseId": "%SRCROOT%"}
    assert uris[1] == {"uri": "nb/explore.ipynb", "uriBaseId": "%SRCROOT%"}
    assert uris[3] == {"uri": "pkg/app.py", "uriBaseId": "%SRCROOT%"}
    assert results[1]["properties"]["cell"] == 3

    cache_result = results[3]
    assert cache_result["level"] == "warning"
    assert cache_result["message"]["text"] == (
        "Static prefix of ~2,345 tokens is re-sent on every call without caching\n"
        "est. savings: ~$13.50 per 1k calls (model claude-sonnet-4-6, 2,345 tokens)"
    )
    assert cache_result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 9,
        "startColumn": 9,
        "endLine": 9,
        "endColumn": 22,
    }
    (fix,) = cache_result["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "pkg/app.py", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"][0]["deletedRegion"] == {
        "startLine": 9,
        "startColumn": 16,
        "endLine": 9,
        "endColumn": 22,
    }
    assert change["replacements"][0]["insertedContent"]["text"].startswith('[{"type": "text"')
    assert cache_result["properties"]["cost"]["tokens"] == 2345
    assert results[2]["fixes"][0]["properties"]["applicability"] == "unsafe"
    assert results[2]["level"] == "error"
    assert "fixes" not in results[0] and "cost" not in results[0]["properties"]


def test_sarif_relative_paths_from_cwd_and_outside_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_schema: dict[str, Any]
) -> None:
    repo = tmp_path / "repo"
    (repo / "src dir").mkdir(parents=True)
    monkeypatch.chdir(repo)
    inside = parse_error("src dir/mod.py", "boom")
    outside = parse_error(str(tmp_path / "elsewhere.py"), "boom")
    log = json.loads(
        render(
            [inside, outside],
            fmt="sarif",
            rules=(),
            sources={},
            summary=RunSummary(),
            root=Path(),
        )
    )
    validate_sarif(log, sarif_schema)
    (sarif_run,) = log["runs"]
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"
    locs = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in sarif_run["results"]]
    assert {"uri": "src%20dir/mod.py", "uriBaseId": "%SRCROOT%"} in locs
    assert {"uri": (tmp_path / "elsewhere.py").as_uri()} in locs


def test_sarif_without_findings(tmp_path: Path, sarif_schema: dict[str, Any]) -> None:
    log = json.loads(run([], "sarif", tmp_path))
    validate_sarif(log, sarif_schema)
    assert log["runs"][0]["results"] == []
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == [
        "CL101",
        "CL302",
        "CL401",
    ]


# ---------------------------------------------------------------------- github


def test_github_output(tmp_path: Path) -> None:
    out = run(all_findings(tmp_path), "github", tmp_path)
    assert out.splitlines() == [
        "::error file=broken.py,line=2,col=1,endLine=2,endColumn=1,"
        "title=CL000 (parse-error)::Syntax error: unexpected indent",
        "::warning file=nb/explore.ipynb,title=CL101 (missing-cache-control)::"
        "cell 3, line 3, column 5: Static prefix re-sent without caching",
        "::error file=pkg/app.py,line=8,col=15,endLine=8,endColumn=39,"
        "title=CL302 (legacy-model)::`claude-3-opus-20240229` is retired; use `claude-opus-4-1`"
        "%0Aest. savings: ~$5.00 per 1k calls (model claude-3-opus-20240229, 0 tokens)",
        "::warning file=pkg/app.py,line=9,col=9,endLine=9,endColumn=22,"
        "title=CL101 (missing-cache-control)::Static prefix of ~2,345 tokens is re-sent on "
        "every call without caching"
        "%0Aest. savings: ~$13.50 per 1k calls (model claude-sonnet-4-6, 2,345 tokens)",
    ]
    assert run([], "github", tmp_path) == ""


def test_github_escaping(tmp_path: Path) -> None:
    f = Finding(
        code="CL901",
        name="removed-parameter",
        message="100% sure: a, b\r\nnext line",
        level="warning",
        path=str(tmp_path / "we,ird:name.py"),
        line=3,
        column=4,
        end_line=5,
        end_column=2,
    )
    (line,) = run([f], "github", tmp_path).splitlines()
    assert line == (
        "::warning file=we%2Cird%3Aname.py,line=3,endLine=5,"
        "title=CL901 (removed-parameter)::100%25 sure: a, b%0D%0Anext line"
    )
    assert escape_data("a%b:c,d\n") == "a%25b:c,d%0A"
    assert escape_property("a%b:c,d\n") == "a%25b%3Ac%2Cd%0A"


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        run([], "xml", tmp_path)
