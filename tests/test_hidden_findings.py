"""A finding must never hide (issue 15, items 5-9): valid Python is never CL000, no input
makes a run exit 2, the results cache notices a missing module coming back, notebook fixes
keep the cells they do not change."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import invoke

CALL = ('import anthropic\n'
        'anthropic.Anthropic().messages.create(model="claude-3-opus-20240229", '
        'max_tokens={mt}, messages=[{{"role": "user", "content": "hi"}}])\n')


@pytest.mark.parametrize("max_tokens", ["-1", "0"])
@pytest.mark.parametrize("thinking", ["", ", thinking={'type': 'enabled', 'budget_tokens': -5}"])
def test_non_positive_max_tokens_is_no_internal_error(tmp_path: Path, max_tokens: str,
                                                       thinking: str) -> None:
    text = CALL.format(mt=max_tokens).replace("}])\n", "}]" + thinking + ")\n")
    for model in ("claude-3-opus-20240229", "claude-haiku-4-5"):
        (tmp_path / "demo.py").write_text(text.replace("claude-3-opus-20240229", model))
        code, out = invoke(["check", "--no-cache", "demo.py"], tmp_path)
        assert code in (0, 1), out
        assert "internal error" not in out
        code, out = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "demo.py"],
                           tmp_path)
        assert code in (0, 1), out
        assert "internal error" not in out


def test_negative_max_tokens_still_reports_the_retired_model(tmp_path: Path) -> None:
    (tmp_path / "demo.py").write_text(CALL.format(mt="-1"))
    code, out = invoke(["check", "--no-cache", "demo.py"], tmp_path)
    assert code == 1
    assert "CL302" in out


def test_valid_python_libcst_cannot_read_is_no_cl000(tmp_path: Path) -> None:
    (tmp_path / "ann.py").write_text("(x): bool = True\n" + CALL.format(mt="4096"))
    code, out = invoke(["check", "--no-cache", "ann.py"], tmp_path)
    assert "CL000" not in out
    assert code == 0
    assert "not analysed" in out  # said on stderr, not hidden


def test_a_thousand_concatenated_literals_are_analysed(tmp_path: Path) -> None:
    # The stdlib's pydoc_data/topics.py: one dict of ~1,000 implicitly concatenated literals.
    pieces = "\n".join(f"     'line {i}\\n'" for i in range(1500))
    text = f"topics = {{'a': {pieces[5:]},\n 'b': 'x'}}\n" + CALL.format(mt="4096")
    (tmp_path / "topics.py").write_text(text)
    code, out = invoke(["check", "--no-cache", "topics.py"], tmp_path)
    assert "CL000" not in out
    assert code == 1 and "CL302" in out
    code, out = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "topics.py"], tmp_path)
    assert code == 0, out
    assert "claude-opus-5" in (tmp_path / "topics.py").read_text()


def test_form_feed_in_indentation_keeps_columns_and_the_fix(tmp_path: Path) -> None:
    text = ("import anthropic\n"
            "c = anthropic.Anthropic()\n"
            "\fc.messages.create(model='claude-3-opus-20240229', max_tokens=9,\n"
            "\f  messages=[])\n"
            "def f():\n"
            "  \f    c.messages.create(model='claude-3-opus-20240229', max_tokens=9,"
            " messages=[])\n")
    (tmp_path / "ff.py").write_text(text)
    code, out = invoke(["check", "--no-cache", "--output-format", "concise", "ff.py"], tmp_path)
    assert "ff.py:3:26: CL302" in out
    assert "ff.py:6:32: CL302" in out
    code, out = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "ff.py"], tmp_path)
    assert code == 0 and "0 remaining" in out
    fixed = (tmp_path / "ff.py").read_text()
    assert "claude-3-opus" not in fixed
    assert fixed == text.replace("claude-3-opus-20240229", fixed.split("model='")[1].split("'")[0])


APP = '''import anthropic
from {module} import SYSTEM

client = anthropic.Anthropic()


def ask(q: str) -> str:
    r = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, system=SYSTEM,
                               messages=[{{"role": "user", "content": q}}])
    return r.content[0].text
'''
PROMPTS = "SYSTEM = " + repr("You are a careful agent. " * 400) + "\n"


@pytest.mark.parametrize("module, where", [
    ("prompts", "prompts.py"), ("prompts", "prompts/__init__.py"), (".prompts", "prompts.py"),
    ("lib.prompts", "lib/prompts.py"),
])
def test_cache_notices_a_missing_module_coming_back(tmp_path: Path, module: str,
                                                    where: str) -> None:
    (tmp_path / "app.py").write_text(APP.format(module=module))
    _, out = invoke(["check", "--output-format", "concise", "app.py"], tmp_path)
    assert "CL101" not in out
    target = tmp_path / where
    target.parent.mkdir(parents=True, exist_ok=True)
    if where.startswith("lib/"):
        (tmp_path / "lib" / "__init__.py").write_text("")
    target.write_text(PROMPTS)
    _, out = invoke(["check", "--output-format", "concise", "app.py"], tmp_path)
    assert "CL101" in out
    target.unlink()
    _, out = invoke(["check", "--output-format", "concise", "app.py"], tmp_path)
    assert "CL101" not in out


def test_cache_notices_a_module_starting_to_bind_the_name(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP.format(module="prompts"))
    (tmp_path / "prompts.py").write_text("OTHER = 1\n")
    _, out = invoke(["check", "--output-format", "concise", "app.py"], tmp_path)
    assert "CL101" not in out
    (tmp_path / "prompts.py").write_text(PROMPTS)
    _, out = invoke(["check", "--output-format", "concise", "app.py"], tmp_path)
    assert "CL101" in out


def _notebook(cells: list[list[str]]) -> str:
    import json

    return json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": str(i), "metadata": {},
                   "outputs": [], "source": s} for i, s in enumerate(cells)],
        "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5,
    }, indent=1) + "\n"


def test_notebook_fix_keeps_cl000_and_untouched_cells(tmp_path: Path) -> None:
    call = CALL.format(mt="4096").split("\n")[1] + "\n"
    cells = [["import anthropic\n", "x = 1\n"], [call], ["def broken(:\n"], ["y = 2\n", "z = 3"]]
    before = _notebook(cells)
    (tmp_path / "nb.ipynb").write_text(before)
    code, out = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "nb.ipynb"], tmp_path)
    assert code == 1
    assert "CL000" in out and "1 remaining" in out
    after = (tmp_path / "nb.ipynb").read_text()
    fixed = cells[1][0].replace("claude-3-opus-20240229",
                                after.split('model=\\"')[1].split('\\"')[0])
    assert "claude-3-opus" not in after
    assert after == _notebook([cells[0], [fixed], cells[2], cells[3]])
    code, out = invoke(["check", "--no-cache", "nb.ipynb"], tmp_path)
    assert code == 1 and "CL000" in out


EDGE_TEXTS = [
    "# header\n\nimport a\n# between\n\n\ndef f():\n    x = 1\n    # inside\n# after\n\n"
    "@dec\n@dec2(1)\nclass C:\n\tpass\n\n\n# footer\n",
    "a = 1; b = 2\nc = 3\n",
    "a = 1; \\\nb = 2\nc = 3",
    "if x:\n  y = 1\nelse:\n  y = 2\nz = 1\r\nw = 2\r\n",
    "x = 1\rz = 2\r",
]


@pytest.mark.parametrize("text", [
    *EDGE_TEXTS,
    *(p.read_text(encoding="utf-8") for p in sorted(
        (Path(__file__).parent.parent / "claudelint").glob("*.py"))),
])
def test_chunked_parse_is_the_whole_parse(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    import libcst as cst

    from claudelint.syntax import parsing

    monkeypatch.setattr(parsing, "CHUNKED_FROM", 0)
    monkeypatch.setattr(parsing, "CHUNK_CHARS", 1)
    module, _ = parsing.parse_both(text)
    whole = cst.parse_module(text)
    assert module.code == whole.code  # libcst itself drops a final lone \r
    assert module.deep_equals(whole)
    assert module.default_indent == whole.default_indent


def test_big_module_is_linted_in_chunks(tmp_path: Path) -> None:
    from claudelint.syntax import parsing

    body = "".join(f"\n\ndef test_{i}(self):\n    x = [{i}, 'abc']\n    assert x[0] == {i}\n"
                   for i in range(3000))
    text = '"""A big test module."""\nimport anthropic\n' + body + CALL.format(mt="4096")
    assert len(text) > parsing.CHUNKED_FROM
    (tmp_path / "big.py").write_text(text)
    code, out = invoke(["check", "--no-cache", "--output-format", "concise", "big.py"], tmp_path)
    lines = text.count("\n")
    assert code == 1 and f"big.py:{lines}:45: CL302" in out
    code, out = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "big.py"], tmp_path)
    assert code == 0
    fixed = (tmp_path / "big.py").read_text()
    assert fixed.startswith(text[:-150]) and "claude-3-opus" not in fixed
