"""Costs a team can act on: traffic weights (`[traffic]` config, `calls-per-day` comments),
dollars per month in `sites` and `check`, `sites` agreeing with `check` and cached like it,
and the HTML report."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from claudelint.cli import main
from claudelint.workspace.config import ConfigError, ConfigResolver, load_settings
from claudelint.workspace.runner import RunOptions, run
from claudelint.workspace.traffic import (
    comment_weight,
    config_weight,
    key_problem,
    parse_calls_per_day,
)

FIXTURES = Path(__file__).parent / "fixtures" / "tree"
BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80
HEAD = f"import anthropic\nclient = anthropic.Anthropic()\nPOLICY = {BIG!r}\n"


def cli(args: list[str], cwd: Path) -> Result:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def sites_json(cwd: Path, *args: str) -> list[dict[str, object]]:
    r = cli(["sites", "--output-format", "json", *args], cwd)
    assert r.exit_code == 0, r.output
    rows: list[dict[str, object]] = json.loads(r.stdout)
    return rows


def app(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "chat.py").write_text(
        HEAD
        + "def answer(q):\n"  # line 4
        "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=1000,\n"
        "        system=POLICY, messages=[{'role': 'user', 'content': q}])\n"
        "def nightly(q):\n"  # line 7
        "    # claudelint: calls-per-day=10\n"
        "    return client.messages.create(model='claude-haiku-4-5', max_tokens=100,\n"
        "        messages=[{'role': 'user', 'content': q}])\n",
        encoding="utf-8")
    return tmp_path


# ------------------------------------------------------------------------------ config


@pytest.mark.parametrize("name, header", [
    ("pyproject.toml", "[tool.claudelint.traffic]"),
    ("claudelint.toml", "[traffic]"),
    (".claudelint.toml", "[traffic]"),
])
def test_traffic_table_in_every_config_file(tmp_path: Path, name: str, header: str) -> None:
    (tmp_path / name).write_text(f'{header}\n"app/*.py" = 5000\n"app/chat.py::answer" = 1.5e3\n',
                                 encoding="utf-8")
    settings = load_settings(tmp_path / name)
    assert settings.traffic == (("app/*.py", 5000.0), ("app/chat.py::answer", 1500.0))


@pytest.mark.parametrize("entry, message", [
    ('"app/*.py" = "lots"', "traffic.\"app/*.py\": expected a number of calls per day "
                            "(0 or more), got 'lots'"),
    ('"app/*.py" = -1', 'traffic."app/*.py": expected a number of calls per day (0 or more), '
                        "got -1"),
    ('"app/*.py" = true', "got True"),
    ('"app/*.py" = nan', "got nan"),
    ('"app/*.py" = [1]', "got an array"),
    ('"app/[x.py" = 1', "traffic.\"app/[x.py\": bad pattern 'app/[x.py': unclosed character"),
    ('"app/x.py::" = 1', "nothing after '::'"),
    ('"::run" = 1', "nothing before '::'"),
    ('"x.py::a.b" = 1', "'a.b' is not a function name"),
])
def test_bad_traffic_entries_name_the_key(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.claudelint.traffic]\n{entry}\n",
                                             encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path / "pyproject.toml")
    assert "[tool.claudelint] traffic." in str(err.value)
    assert message in str(err.value)


def test_traffic_must_be_a_table_and_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "claudelint.toml").write_text("traffic = 5\n", encoding="utf-8")
    (tmp_path / "a.py").write_text(HEAD, encoding="utf-8")
    for command in ("sites", "check"):
        r = cli([command, "."], tmp_path)
        assert r.exit_code == 2
        assert 'claudelint.toml: traffic: expected a table of "pattern" = calls per day, got ' \
               "an integer" in r.stderr


def test_show_settings_lists_traffic(tmp_path: Path) -> None:
    (tmp_path / "claudelint.toml").write_text('[traffic]\n"a.py" = 20\n', encoding="utf-8")
    r = cli(["check", "--show-settings", "a.py"], tmp_path)
    assert 'traffic = {"a.py" = 20.0}' in r.stdout


def test_traffic_inherited_through_extend_stays_anchored(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('[traffic]\n"app/*.py" = 7\n', encoding="utf-8")
    sub = tmp_path / "svc"
    sub.mkdir()
    (sub / "claudelint.toml").write_text('extend = "../base.toml"\n', encoding="utf-8")
    settings = load_settings(sub / "claudelint.toml")
    assert config_weight(settings, tmp_path / "app" / "x.py", None) is not None
    assert config_weight(settings, sub / "app" / "x.py", None) is None


# ------------------------------------------------------------------------------ matching


def test_config_weight_precedence(tmp_path: Path) -> None:
    (tmp_path / "claudelint.toml").write_text(
        "[traffic]\n"
        '"app/*.py::answer" = 300\n'
        '"app/*.py" = 100\n'
        '"app/chat.py" = 200\n'
        '"**::handle_*" = 50\n',
        encoding="utf-8")
    s = load_settings(tmp_path / "claudelint.toml")
    chat = tmp_path / "app" / "chat.py"

    def w(path: Path, fn: str | None) -> tuple[float, str] | None:
        found = config_weight(s, path, fn)
        return None if found is None else (found.calls_per_day, found.source)

    # A `::function` entry beats any path entry.
    assert w(chat, "answer") == (300.0, 'claudelint.toml [traffic] "app/*.py::answer"')
    # Among path entries, the last matching one wins.
    assert w(chat, "other") == (200.0, 'claudelint.toml [traffic] "app/chat.py"')
    assert w(tmp_path / "app" / "x.py", None) == (100.0, 'claudelint.toml [traffic] "app/*.py"')
    # Function names take wildcards; `**` matches any file.
    assert w(tmp_path / "jobs" / "y.py", "handle_ticket") is not None
    assert w(tmp_path / "jobs" / "y.py", "other") is None
    assert w(tmp_path / "jobs" / "y.py", None) is None


def test_parse_and_key_helpers() -> None:
    assert parse_calls_per_day("5_000") == 5000.0
    assert parse_calls_per_day("1e3") == 1000.0
    assert parse_calls_per_day("-2") is None and parse_calls_per_day("inf") is None
    assert parse_calls_per_day(True) is None and parse_calls_per_day("") is None
    assert key_problem("src/**/x.py::run_*") is None
    assert key_problem("a/**b/x.py") is not None


def test_comment_weight_on_or_directly_above_the_call() -> None:
    lines = [
        "x = 1",  # 1
        "# claudelint: calls-per-day=5000",  # 2
        "# another comment",  # 3
        "resp = client.messages.create(",  # 4
        "    model='m')",  # 5
        "",  # 6
        "# claudelint: calls-per-day=7",  # 7
        "",  # 8
        "r2 = client.messages.create(model='m')  # claudelint: calls-per-day = 12",  # 9
        "# claudelint: calls-per-day=many",  # 10
        "r3 = client.messages.create(model='m')",  # 11
    ]
    assert comment_weight(lines, 4, 4) == (5000.0, None, 2)
    # A blank line breaks "directly above"; the call's own line wins.
    assert comment_weight(lines, 9, 9) == (12.0, None, 9)
    weight, problem, at = comment_weight(lines, 11, 11)
    assert weight is None and at == 10 and problem is not None and "calls-per-day=many" in problem
    assert comment_weight(lines, 1, 1) == (None, None, 0)


# ------------------------------------------------------------------------------ sites + check


def test_sites_show_dollars_per_month_and_where_the_weight_came_from(tmp_path: Path) -> None:
    app(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.claudelint.traffic]\n"app/*" = 2000\n',
                                             encoding="utf-8")
    rows = {r["function"]: r for r in sites_json(tmp_path)}
    answer, nightly = rows["answer"], rows["nightly"]
    assert answer["calls_per_day"] == 2000.0
    assert answer["weight_source"] == 'pyproject.toml [traffic] "app/*"'
    assert answer["usd_per_month"] == pytest.approx(answer["usd_per_call"] * 2000 * 30)
    # The comment beats the config.
    assert nightly["calls_per_day"] == 10.0 and nightly["weight_source"] == "comment (line 8)"
    assert nightly["usd_per_month"] == pytest.approx(nightly["usd_per_call"] * 10 * 30)
    # CL101 on `answer`: its savings per month, at its weight.
    assert "CL101" in answer["findings"]
    assert answer["usd_saved_per_month"] == pytest.approx(
        answer["usd_saved_per_call"] * 2000 * 30)
    assert answer["usd_saved_per_month"] > 0
    text = cli(["sites"], tmp_path).stdout
    assert "calls/day" in text.splitlines()[0] and "$/month" in text.splitlines()[0]
    assert "At the known traffic (2 call sites weighted: 1 from calls-per-day comments, " \
           "1 from [traffic] in config): at most $" in text


def test_check_summary_gains_a_monthly_line_only_with_weights(tmp_path: Path) -> None:
    app(tmp_path)
    with_comment = cli(["check", "--no-cache", "."], tmp_path).stdout
    assert "At the known traffic (1 call site weighted: 1 from calls-per-day comments)" \
        in with_comment
    # Without any weight, the output is what it always was.
    source = (tmp_path / "app" / "chat.py").read_text(encoding="utf-8")
    (tmp_path / "app" / "chat.py").write_text(
        source.replace("    # claudelint: calls-per-day=10\n", "    # nothing\n"), encoding="utf-8")
    plain = cli(["check", "--no-cache", "."], tmp_path).stdout
    assert "known traffic" not in plain and "per month" not in plain
    assert plain.splitlines()[-1] == with_comment.splitlines()[-2]
    quiet = cli(["check", "--no-cache", "-q", "--config", "/dev/null", "."], tmp_path)
    assert "known traffic" not in quiet.stdout


def test_bad_comment_value_is_a_warning(tmp_path: Path) -> None:
    app(tmp_path)
    path = tmp_path / "app" / "chat.py"
    path.write_text(path.read_text(encoding="utf-8").replace("=10", "=lots"), encoding="utf-8")
    r = cli(["sites", "."], tmp_path)
    assert r.exit_code == 0
    assert "claudelint: warning: app/chat.py:8: calls-per-day=lots: expected a number" in r.stderr
    r = cli(["check", "--no-cache", "."], tmp_path)
    assert "calls-per-day=lots" in r.stderr


def test_loop_and_cache_columns_agree_with_check_on_the_fixture_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES, tree)
    rows = sites_json(tree, "--isolated", "--no-cache")
    check = json.loads(cli(["check", "--isolated", "--no-cache", "--output-format", "json",
                            "."], tree).stdout)
    by_code: dict[str, list[dict[str, object]]] = {}
    for f in check:
        by_code.setdefault(f["code"], []).append(f)

    def site_of(f: dict[str, object]) -> dict[str, object] | None:
        hits = [r for r in rows if r["path"] == f["path"] and r["cell"] == f["cell"]
                and r["line"] <= f["line"] <= r["line"] + 40 and f["code"] in r["findings"]]
        return min(hits, key=lambda r: f["line"] - r["line"]) if hits else None

    assert by_code["CL401"] and by_code["CL102"] and by_code["CL105"]
    for f in by_code["CL401"]:
        site = site_of(f)
        if site is not None:
            assert site["in_loop"] and site["batchable"], (f, site)
    for code in ("CL102", "CL105"):
        for f in by_code[code]:
            site = site_of(f)
            assert site is not None, f
            assert not site["cached"] and site["cache"] == "never-read", (f, site)
    for r in rows:
        assert r["batchable"] == ("CL401" in r["findings"])
        assert r["cached"] == (r["cache"] == "read")
        # Every code a row lists is one check reports at that place.
        for code in r["findings"]:
            assert any(f["path"] == r["path"] and f["cell"] == r["cell"] for f in by_code[code])


def test_loop_column_follows_cl401_through_a_method(tmp_path: Path) -> None:
    (tmp_path / "job.py").write_text(
        HEAD + "class Summariser:\n"
        "    def __init__(self, documents):\n"
        "        self.documents = documents\n"
        "    def _one(self, doc):\n"
        "        return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,\n"
        "            messages=[{'role': 'user', 'content': f'Summarise: {doc}'}])\n"
        "    def run(self):\n"
        "        out = []\n"
        "        for doc in self.documents:\n"
        "            out.append(self._one(doc))\n"
        "        return out\n",
        encoding="utf-8")
    check = json.loads(cli(["check", "--isolated", "--no-cache", "--output-format", "json",
                            "job.py"], tmp_path).stdout)
    (row,) = sites_json(tmp_path, "--isolated", "--no-cache")
    cl401 = any(f["code"] == "CL401" for f in check)
    assert row["in_loop"] == cl401 == row["batchable"]
    assert cl401  # the request is made once per document


def test_suppressed_findings_are_not_listed(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        HEAD + "def answer(q):\n"
        "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=1000,  "
        "# noqa: CL101\n"
        "        system=POLICY, messages=[{'role': 'user', 'content': q}])\n",
        encoding="utf-8")
    (row,) = sites_json(tmp_path, "--isolated", "--no-cache")
    assert row["findings"] == [] and row["usd_saved_per_call"] == 0


# ------------------------------------------------------------------------------ cache


def test_sites_reads_the_cache_check_wrote(tmp_path: Path) -> None:
    app(tmp_path)
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        resolver = ConfigResolver(isolated=True)
        first = run(["."], resolver, RunOptions())
        assert first.cache_hits == 0 and len(first.sites) == 2
        second = run(["."], resolver, RunOptions())
        assert second.cache_hits == 1
        assert sorted(r.to_cache().items() for r in second.sites) == sorted(
            r.to_cache().items() for r in first.sites)
    finally:
        os.chdir(old)
    warm = sites_json(tmp_path, "--isolated")
    cold = sites_json(tmp_path, "--isolated", "--no-cache")
    assert warm == cold


def test_sites_no_cache_writes_nothing(tmp_path: Path) -> None:
    app(tmp_path)
    sites_json(tmp_path, "--isolated", "--no-cache")
    assert not (tmp_path / ".claudelint_cache").exists()
    sites_json(tmp_path, "--isolated")
    assert (tmp_path / ".claudelint_cache").is_dir()


def test_config_weights_are_not_cached(tmp_path: Path) -> None:
    app(tmp_path)
    (tmp_path / "claudelint.toml").write_text('[traffic]\n"app/*" = 100\n', encoding="utf-8")
    first = {r["function"]: r["calls_per_day"] for r in sites_json(tmp_path)}
    (tmp_path / "claudelint.toml").write_text('[traffic]\n"app/*" = 300\n', encoding="utf-8")
    second = {r["function"]: r["calls_per_day"] for r in sites_json(tmp_path)}
    assert first == {"answer": 100.0, "nightly": 10.0}
    assert second == {"answer": 300.0, "nightly": 10.0}


# ------------------------------------------------------------------------------ html


def test_html_is_one_self_contained_escaped_page(tmp_path: Path) -> None:
    app(tmp_path)
    path = tmp_path / "app" / "chat.py"
    path.write_text(path.read_text(encoding="utf-8").replace("calls-per-day=10", ""),
                    encoding="utf-8")
    (tmp_path / "evil.py").write_text(
        "import anthropic\nclient = anthropic.Anthropic()\n"
        "def x_y(q):\n"
        "    return client.messages.create(model='<script>alert(1)</script>',\n"
        "        max_tokens=100, messages=[{'role': 'user', 'content': q}])\n",
        encoding="utf-8")
    r = cli(["sites", "--isolated", "--output-format", "html", "-o", "report.html"], tmp_path)
    assert r.exit_code == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count("<html") == 1
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"https?://", page)
    assert not re.search(r"<link|<img|src=|@import|url\(", page)
    # Sorted by cost; charts by file and by model; findings with messages.
    assert "By file" in page and "By model" in page and 'class="bar"' in page
    assert page.index("app/chat.py:5:") < page.index("evil.py:4:")
    assert re.search(r"CL101 \(line \d+\): ", page)
    assert "Cost per 1k calls" in page  # no weights: the per-1k figure


def test_html_sorted_by_monthly_cost_when_weighted(tmp_path: Path) -> None:
    app(tmp_path)
    (tmp_path / "claudelint.toml").write_text('[traffic]\n"app/chat.py::nightly" = 1e6\n',
                                              encoding="utf-8")
    # Remove the comment so the config weight applies.
    path = tmp_path / "app" / "chat.py"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    # claudelint: calls-per-day=10\n", ""), encoding="utf-8")
    page = cli(["sites", "--output-format", "html"], tmp_path).stdout
    assert "Cost per month" in page
    # nightly (weighted) first, though answer costs more per call.
    assert page.index("app/chat.py:8:") < page.index("app/chat.py:5:")
    assert "1 call site without a traffic weight or a known cost not charted" in page


def test_cl401_at_a_wrapper_call_belongs_to_the_wrapper_site(tmp_path: Path) -> None:
    (tmp_path / "router.py").write_text(
        HEAD + "def route(ticket):\n"
        "    # claudelint: calls-per-day=1500\n"
        "    response = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,\n"
        "        messages=[{'role': 'user', 'content': f'Route: {ticket}'}])\n"
        "    return response.content[0].text\n"
        "def route_all(tickets):\n"
        "    return [route(t) for t in tickets]\n",
        encoding="utf-8")
    check = json.loads(cli(["check", "--isolated", "--no-cache", "--output-format", "json",
                            "router.py"], tmp_path).stdout)
    (cl401,) = [f for f in check if f["code"] == "CL401"]
    assert cl401["line"] == 10  # at the call of route()
    (row,) = sites_json(tmp_path, "--isolated", "--no-cache")
    assert row["line"] == 6 and row["in_loop"] and row["batchable"]
    assert "CL401" in row["findings"] and row["calls_per_day"] == 1500.0


def test_notebook_comment_weight_and_lines_by_cell(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": ["import anthropic\n", "client = anthropic.Anthropic()\n",
                    f"POLICY = {BIG!r}"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [],
         "source": ["def ask(q):\n", "    # claudelint: calls-per-day=40\n",
                    "    return client.messages.create(\n",
                    "        model='claude-sonnet-4-6', max_tokens=100, system=POLICY,\n",
                    "        messages=[{'role': 'user', 'content': q}])\n"]},
    ]
    nb = {"cells": cells, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4,
          "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    (row,) = sites_json(tmp_path, "--isolated", "--no-cache")
    assert row["cell"] == 3 and row["line"] == 3
    assert row["calls_per_day"] == 40.0 and row["weight_source"] == "comment (line 2)"
    assert any(m.startswith("CL101 (cell 3, line ") for m in row["messages"])
