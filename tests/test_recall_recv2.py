"""Issue 14 (recv2): receivers the client tracer follows — client factories defined in
imported project modules, and names bound per branch of an if/else (analysis/receivers.py,
analysis/branches.py) — and the look-alikes that must stay silent."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from claudelint.analysis import project as project_mod
from claudelint.lint.engine import Linter, analyze
from claudelint.settings import Settings


@pytest.fixture(autouse=True)
def _fresh_project() -> None:
    project_mod.reset()


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")


def _clients(path: Path) -> list[str]:
    """The traced client class of each request of `path`, in order."""
    reqs = analyze(path.read_text(encoding="utf-8"), Settings(), path).requests
    return [r.client for r in reqs]


def _codes(text: str) -> list[tuple[int, str]]:
    found = Linter(Settings()).lint_text(textwrap.dedent(text), "app.py")
    return sorted((d.line, d.code) for d in found)


CALLS = """
import anthropic
{imports}

def one(q):
    return {factory}.messages.create(model="claude-haiku-4-5", max_tokens=5,
        messages=[{{"role": "user", "content": q}}])

def two(q):
    c = {factory}
    return c.messages.create(model="claude-haiku-4-5", max_tokens=5,
        messages=[{{"role": "user", "content": q}}])
"""

FACTORIES = {
    "direct": """
        import anthropic

        def get_client(key=None):
            return anthropic.Anthropic(api_key=key)
    """,
    "annotated": """
        import anthropic

        def get_client(key=None) -> anthropic.Anthropic:
            return make(key)
    """,
    "module_instance": """
        from anthropic import AsyncAnthropic

        _CLIENT = AsyncAnthropic()

        def get_client():
            return _CLIENT
    """,
    "branches": """
        import anthropic

        def get_client(region=None):
            if region:
                client = anthropic.AnthropicVertex(region=region)
            else:
                client = anthropic.Anthropic()
            return client
    """,
}
EXPECTED = {
    "direct": "Anthropic", "annotated": "Anthropic", "module_instance": "AsyncAnthropic",
    "branches": "AnthropicVertex|Anthropic",
}


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize(("imports", "factory"), [
    ("from pkg.helpers import get_client", "get_client()"),
    ("from pkg import helpers", "helpers.get_client()"),
    ("from .helpers import get_client", "get_client()"),
    ("from pkg import get_client", "get_client()"),  # re-exported by the package
])
def test_imported_client_factory(tmp_path: Path, kind: str, imports: str, factory: str) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "from .helpers import get_client\n",
        "pkg/helpers.py": FACTORIES[kind],
        "pkg/app.py": CALLS.format(imports=imports, factory=factory),
    })
    want = EXPECTED[kind]
    assert _clients(tmp_path / "pkg/app.py") == [want, want]


@pytest.mark.parametrize("helpers", [
    # another provider's client, a test double, either of two providers
    "import openai\n\ndef get_client():\n    return openai.OpenAI()\n",
    "from unittest.mock import MagicMock\n\ndef get_client():\n    return MagicMock()\n",
    "import anthropic, openai\n\ndef get_client(p):\n"
    "    if p == 'openai':\n        return openai.OpenAI()\n    return anthropic.Anthropic()\n",
    "import anthropic, openai\n\ndef get_client(p):\n"
    "    c = anthropic.Anthropic() if p else openai.OpenAI()\n    return c\n",
    "import openai\n\ndef get_client() -> openai.OpenAI:\n    return make()\n",
])
def test_look_alike_factories_are_not_clients(tmp_path: Path, helpers: str) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/helpers.py": helpers,
        "pkg/app.py": CALLS.format(imports="from pkg.helpers import get_client",
                                   factory="get_client()"),
    })
    assert not any("Anthropic" in c for c in _clients(tmp_path / "pkg/app.py"))


def test_factory_module_is_a_dependency_of_the_results(tmp_path: Path) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/helpers.py": FACTORIES["direct"],
        "pkg/app.py": CALLS.format(imports="from pkg.helpers import get_client",
                                   factory="get_client()"),
    })
    app = tmp_path / "pkg/app.py"
    analysis = analyze(app.read_text(encoding="utf-8"), Settings(), app)
    assert str((tmp_path / "pkg/helpers.py").resolve()) in analysis.deps


def test_imported_factory_finding_end_to_end(tmp_path: Path) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/helpers.py": FACTORIES["direct"],
        "pkg/app.py": """
            from pkg.helpers import get_client

            def ask(q):
                client = get_client()
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                    temperature=0.2, messages=[{"role": "user", "content": q}])
        """,
    })
    app = tmp_path / "pkg/app.py"
    found = Linter(Settings()).lint_text(app.read_text(encoding="utf-8"), str(app))
    assert [(d.line, d.code) for d in found] == [(7, "CL901")]


# --------------------------------------------------------------------------- if/else


BRANCHES = """
from anthropic import Anthropic, AnthropicBedrock
from openai import OpenAI

def ask(q, use_openai=False, use_aws=False):
{body}
"""


def _branch_codes(body: str) -> list[tuple[int, str]]:
    return _codes(BRANCHES.format(body=textwrap.indent(textwrap.dedent(body), "    ")))


CALL = ("client.messages.create(model='claude-haiku-4-5', max_tokens=5, temperature=0,"
        " messages=[{'role': 'user', 'content': q}])")


@pytest.mark.parametrize("body", [
    # every branch binds an Anthropic-family client
    f"""
    if use_aws:
        client = AnthropicBedrock()
    else:
        client = Anthropic()
    return {CALL}
    """,
    # the OpenAI client is bound in the other branch of the same if
    f"""
    if use_openai:
        client = OpenAI()
        return client.chat.completions.create(model="gpt-4o", messages=[])
    else:
        if use_aws:
            client = AnthropicBedrock()
        else:
            client = Anthropic()
        return {CALL}
    """,
    # ... or of an earlier if on the same unchanging condition
    f"""
    if use_openai:
        client = OpenAI()
    else:
        client = Anthropic()
    if use_openai:
        return client.chat.completions.create(model="gpt-4o", messages=[])
    else:
        return {CALL}
    """,
])
def test_client_bound_per_branch(body: str) -> None:
    assert [code for _, code in _branch_codes(body)] == ["CL901"]


@pytest.mark.parametrize("body", [
    # an OpenAI client may reach the call
    f"""
    if use_openai:
        client = OpenAI()
    else:
        client = Anthropic()
    return {CALL}
    """,
    # the condition changes between the two ifs
    f"""
    if use_openai:
        client = OpenAI()
    else:
        client = Anthropic()
    use_openai = not use_openai
    if use_openai:
        return None
    else:
        return {CALL}
    """,
    # the condition is a call (may change)
    f"""
    if flag():
        client = OpenAI()
    else:
        client = Anthropic()
    if flag():
        return None
    else:
        return {CALL}
    """,
    # a loop runs the if again: the OpenAI client of one pass reaches the next
    f"""
    client = None
    for turn in range(3):
        if turn % 2:
            client = OpenAI()
        else:
            {CALL}
    """,
])
def test_branch_look_alikes_stay_silent(body: str) -> None:
    assert _branch_codes(body) == []


def test_mixed_platform_client_is_not_first_party() -> None:
    body = f"""
    if use_aws:
        client = AnthropicBedrock()
    else:
        client = Anthropic()
    return {CALL}
    """
    code = BRANCHES.format(body=textwrap.indent(textwrap.dedent(body), "    "))
    (req,) = analyze(code, Settings()).requests
    assert req.client == "AnthropicBedrock|Anthropic"
