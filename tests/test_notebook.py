"""Jupyter notebooks: code cells linted as one module, findings mapped to cells, fixes written
into the changed cells only, everything else byte-for-byte as it was."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from claudelint.cli import main
from claudelint.workspace.notebook import NotebookError, read_notebook

BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80


def notebook(*cells: Any, lang: str = "python") -> dict[str, Any]:
    out = []
    for c in cells:
        if isinstance(c, tuple):
            out.append({"cell_type": "markdown", "metadata": {}, "source": [c[0]]})
        else:
            out.append({"cell_type": "code", "metadata": {}, "execution_count": 1,
                        "outputs": [{"output_type": "stream", "name": "stdout",
                                     "text": ["out\n"]}],
                        "source": c})
    return {"cells": out, "metadata": {"language_info": {"name": lang}},
            "nbformat": 4, "nbformat_minor": 5}


SETUP = ["%pip install anthropic\n", "import anthropic\n", "client = anthropic.Anthropic()\n",
         f"POLICY = {BIG!r}"]
ASK = ["def ask(q):\n", "    return client.messages.create(\n",
       "        model=\"claude-sonnet-4-6\", max_tokens=100, system=POLICY,\n",
       "        messages=[{\"role\": \"user\", \"content\": q}])\n", "!echo done"]


def write(tmp_path: Path, nb: dict[str, Any], name: str = "nb.ipynb", indent: int = 1) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(nb, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
    return p


def check(tmp_path: Path, *args: str) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        r = CliRunner().invoke(main, ["check", "--isolated", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return r.exit_code, r.output


def test_masking_keeps_lines_and_names_from_earlier_cells_resolve() -> None:
    nb = read_notebook(json.dumps(notebook(("# title",), SETUP, ASK)))
    lines = nb.text.split("\n")
    assert "pass  # claudelint-magic 0" in lines
    assert "import anthropic" in lines
    assert nb.code_cells == [1, 2]
    cell, line = nb.locate(nb.first_lines[1] + 2)
    assert (cell, line) == (2, 3)


def test_finding_reported_with_cell(tmp_path: Path) -> None:
    write(tmp_path, notebook(("# title",), SETUP, ASK))
    code, out = check(tmp_path, "--output-format", "json", "nb.ipynb")
    assert code == 1
    (f,) = json.loads(out)
    assert (f["code"], f["cell"], f["line"], f["column"]) == ("CL101", 3, 3, 59)
    code, out = check(tmp_path, "--output-format", "concise", "nb.ipynb")
    assert out.startswith("nb.ipynb:cell 3:3:59: CL101")


def test_fix_changes_only_the_cell_and_keeps_everything_else(tmp_path: Path) -> None:
    original = notebook(("# title",), SETUP, ASK)
    p = write(tmp_path, original)
    code, out = check(tmp_path, "--fix", "nb.ipynb")
    assert code == 0, out
    fixed = json.loads(p.read_text(encoding="utf-8"))
    assert fixed["cells"][:2] == original["cells"][:2]
    assert fixed["cells"][2]["outputs"] == original["cells"][2]["outputs"]
    assert fixed["metadata"] == original["metadata"]
    src = "".join(fixed["cells"][2]["source"])
    assert '"cache_control": {"type": "ephemeral"}' in src
    assert src.endswith("!echo done")  # the shell escape is put back
    expected = json.loads(json.dumps(original))
    expected["cells"][2]["source"] = fixed["cells"][2]["source"]
    assert p.read_text(encoding="utf-8") == json.dumps(expected, indent=1,
                                                       ensure_ascii=False) + "\n"
    assert check(tmp_path, "nb.ipynb")[0] == 0


def test_two_space_indent_is_kept(tmp_path: Path) -> None:
    p = write(tmp_path, notebook(SETUP, ASK), indent=2)
    assert check(tmp_path, "--fix", "nb.ipynb")[0] == 0
    assert p.read_text(encoding="utf-8").startswith('{\n  "cells"')


def test_noqa_in_a_cell(tmp_path: Path) -> None:
    ask = [*ASK]
    ask[2] = ask[2].replace("POLICY,\n", "POLICY,  # noqa: CL101\n")
    write(tmp_path, notebook(SETUP, ask))
    assert check(tmp_path, "nb.ipynb")[0] == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{not json client.messages.create", "invalid notebook JSON"),
     ('{"metadata": {"x": "client.messages.create"}}', "no 'cells' list"),
     ('["client.messages.create"]', "no 'cells' list")],
)
def test_broken_notebook_is_cl000(tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "bad.ipynb").write_text(content + "\n", encoding="utf-8")
    code, out = check(tmp_path, "--output-format", "concise", "bad.ipynb")
    assert code == 1 and "CL000" in out and reason in out


def test_non_python_notebook_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, notebook(SETUP, ASK, lang="R"))
    assert check(tmp_path, "nb.ipynb")[0] == 0


def test_unreproducible_layout_is_linted_but_not_rewritten(tmp_path: Path) -> None:
    p = tmp_path / "nb.ipynb"
    text = json.dumps(notebook(SETUP, ASK), indent=1, ensure_ascii=False, sort_keys=False)
    text = text.replace('"nbformat": 4', '"nbformat":    4')  # odd spacing
    p.write_text(text, encoding="utf-8")
    code, out = check(tmp_path, "--fix", "nb.ipynb")
    assert code == 2 and "cannot be reproduced" in out
    assert p.read_text(encoding="utf-8") == text


def test_cell_magic_cells_are_masked() -> None:
    nb = read_notebook(json.dumps(notebook(["%%bash\n", "echo $HOME\n", "ls -la"],
                                           ["%%time\n", "x = 1"])))
    assert "echo" not in nb.text and "x = 1" in nb.text


def test_read_notebook_errors() -> None:
    with pytest.raises(NotebookError):
        read_notebook('{"cells": 3}')


def test_magic_continued_over_lines_is_masked_whole() -> None:
    nb = read_notebook(json.dumps(notebook(["!pip install -qU \\\n", "    anthropic==0.19 \\\n",
                                            "    voyageai\n", "x = 1"])))
    assert "anthropic==" not in nb.text and "voyageai" not in nb.text and "x = 1" in nb.text


def test_a_cell_that_does_not_parse_is_reported_and_the_rest_linted(tmp_path: Path) -> None:
    broken = ["def stub(company):\n", "    # body still to write\n"]
    curly = ["{\n", '  "symbol\u201d: \u201cGM\u201d\n', "}"]
    write(tmp_path, notebook(SETUP, broken, curly, ASK))
    _, out = check(tmp_path, "--output-format", "json", "nb.ipynb")
    found = [(f["code"], f["cell"], f["line"]) for f in json.loads(out)]
    # Cells numbered from 1, as in text output.
    assert ("CL000", 2, 1) in found  # the def without a body, in its own cell
    assert any(c == "CL000" and cell == 3 for c, cell, _ in found)  # the curly quotes
    assert ("CL101", 4, 3) in found  # the cells after them are still linted
    messages = [f["message"] for f in json.loads(out) if f["code"] == "CL000"]
    assert all("detected at line" not in m for m in messages)


def test_syntax_error_line_comes_from_cpython_when_libcst_cannot_place_it() -> None:
    from claudelint.lint.engine import Linter
    from claudelint.settings import Settings

    text = "import anthropic\nx = 1\ny = 'unterminated\nclient.messages.create()\n"
    (f,) = Linter(Settings()).lint_text(text, "t.py")
    assert f.code == "CL000" and f.line == 3
