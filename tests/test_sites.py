"""`claudelint sites`: the call-site inventory."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from click.testing import CliRunner

from claudelint.cli import main

BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80


def setup(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import anthropic\nclient = anthropic.Anthropic()\n"
        f"POLICY = {BIG!r}\n"
        "def cheap(q):\n"
        "    return client.messages.create(model='claude-haiku-5-5', max_tokens=50,\n"
        "        messages=[{'role': 'user', 'content': q}])\n"
        "def dear(q):\n"
        "    return client.messages.create(model='claude-opus-4-8', max_tokens=2000,\n"
        "        system=POLICY, messages=[{'role': 'user', 'content': q}])\n"
        "def loop(qs):\n"
        "    for q in qs:\n"
        "        client.messages.create(model=q, max_tokens=10, messages=[])\n",
        encoding="utf-8")
    (tmp_path / "other.py").write_text("x = 1\n", encoding="utf-8")


def sites(tmp_path: Path, *args: str) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        r = CliRunner().invoke(main, ["sites", "--isolated", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return r.exit_code, r.output


def test_sorted_by_cost_with_facts(tmp_path: Path) -> None:
    setup(tmp_path)
    code, out = sites(tmp_path, "--output-format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["line"] for r in rows] == [8, 5, 12]
    dear, cheap, unknown = rows
    assert dear["model"] == "claude-opus-4-8" and dear["prefix_tokens"] > 1000
    assert not dear["cached"] and "CL101" in dear["findings"]
    assert dear["usd_per_call"] > cheap["usd_per_call"] > 0
    assert unknown["usd_per_call"] is None and unknown["in_loop"] and unknown["model"] is None
    assert dear["location"] == "app.py:8:12"


def test_text_and_csv(tmp_path: Path) -> None:
    setup(tmp_path)
    _, out = sites(tmp_path)
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["location", "model", "max_tokens"]
    assert lines[1].startswith("app.py:8:12") and lines[-1].startswith("3 call sites")
    _, out = sites(tmp_path, "--output-format", "csv")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0][0] == "location" and len(table) == 4
