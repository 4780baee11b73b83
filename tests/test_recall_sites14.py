"""Issue 14, gaps 9, 11, 12 and 13: Message Batches built with the SDK's typed constructors or
appended in a loop; look-alike clients (test doubles, mocks); prompt files read by a path
relative to the project root; model output limits and the SDK's non-streaming table as data.

The fixture tree (tests/fixtures/recall/sites14) marks every expected finding with
`# error: [CODE]`; every other request in it is a look-alike that must stay silent."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from claudelint.analysis import project as project_mod
from claudelint.cli import main
from claudelint.knowledge.models import load_knowledge, load_sdk_data
from claudelint.lint.engine import Linter, analyze
from claudelint.settings import Settings

FIXTURE = Path(__file__).parent / "fixtures" / "recall" / "sites14"
MARK = re.compile(r"#\s*error:\s*\[([A-Z0-9, ]+)\]")


@pytest.fixture(autouse=True)
def _fresh_project() -> None:
    project_mod.reset()


def _expected() -> dict[tuple[str, int], list[str]]:
    out: dict[tuple[str, int], list[str]] = {}
    for p in sorted(FIXTURE.rglob("*.py")):
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            m = MARK.search(line)
            if m:
                out[(p.relative_to(FIXTURE).as_posix(), i)] = sorted(
                    c.strip() for c in m.group(1).split(",") if c.strip())
    return out


def test_fixture_tree_finds_the_patterns_and_stays_silent_on_look_alikes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "project"
    shutil.copytree(FIXTURE, work)
    monkeypatch.chdir(work)
    result = CliRunner().invoke(main, ["check", "--isolated", "--no-cache",
                                       "--output-format", "json", "."])
    assert result.exit_code == 1, result.output
    got: dict[tuple[str, int], list[str]] = {}
    for f in json.loads(result.output):
        key = (Path(f["filename"] if "filename" in f else f["path"]).as_posix(),
               f["line"] if "line" in f else f["location"]["row"])
        got.setdefault(key, []).append(f["code"])
    assert {k: sorted(v) for k, v in got.items()} == _expected()


# --------------------------------------------------------------------------- gap 9: batches


def _lint(code: str, path: str = "app.py") -> list[tuple[int, int, str, str]]:
    return [(f.line, f.column, f.code, f.message)
            for f in Linter(Settings()).lint_text(textwrap.dedent(code), path)]


TYPED = """
import anthropic
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
from anthropic.types.messages.batch_create_params import Request
client = anthropic.Anthropic()
def run(docs):
    items = []
    for i, doc in enumerate(docs):
        items.append(Request(custom_id=str(i), params=MessageCreateParamsNonStreaming(
            model="claude-haiku-4-5", max_tokens=1024,
            messages=[{"role": "user", "content": doc}])))
    return client.messages.batches.create(requests=items)
"""


def test_typed_batch_items_appended_in_a_loop_are_batch_requests() -> None:
    reqs = analyze(textwrap.dedent(TYPED), Settings()).requests
    assert len(reqs) == 1
    (req,) = reqs
    assert req.site.batch and req.method == "batch"
    assert req.model_id == "claude-haiku-4-5" and req.max_tokens == 1024
    assert not req.unknown_kwargs


def test_batch_items_extended_or_added_with_plus_equals() -> None:
    code = TYPED.replace("    items = []\n", "    items = []\n    items += [Request(custom_id='x', "
                         "params=MessageCreateParamsNonStreaming(model='claude-haiku-4-5', "
                         "max_tokens=7, messages=[]))]\n    items.extend(Request(custom_id=d, "
                         "params=MessageCreateParamsNonStreaming(model='claude-haiku-4-5', "
                         "max_tokens=8, messages=[])) for d in docs)\n")
    reqs = analyze(textwrap.dedent(code), Settings()).requests
    assert sorted(r.max_tokens or 0 for r in reqs) == [7, 8, 1024]


def test_batch_params_as_dict_calls_and_positional_params_are_incomplete() -> None:
    code = TYPED.replace("MessageCreateParamsNonStreaming(", "dict(")
    (req,) = analyze(textwrap.dedent(code), Settings()).requests
    assert req.site.batch and req.max_tokens == 1024
    code = TYPED.replace("MessageCreateParamsNonStreaming(", "dict(base, ")
    (req,) = analyze(textwrap.dedent(code), Settings()).requests
    assert req.unknown_kwargs  # a positional mapping: more keys than claudelint sees


# --------------------------------------------------------------------------- gap 11: look-alikes

FAKE = """
class FakeMessages:
    def create(self, **kwargs):
        return kwargs
class FakeAnthropic:
    messages = FakeMessages()
client = FakeAnthropic()
client.messages.create(model="claude-haiku-4-5", max_tokens=100000,
                       messages=[{"role": "user", "content": "hi"}])
"""


@pytest.mark.parametrize("path", ["app.py", "tests/conftest.py", "test_app.py"])
def test_a_project_test_double_is_not_a_client(path: str) -> None:
    assert _lint(FAKE, path) == []
    assert _lint("import anthropic\n" + FAKE, path) == []


@pytest.mark.parametrize("receiver", ["MagicMock()", "mock.MagicMock()",
                                      "mocker.MagicMock(spec=anthropic.Anthropic)",
                                      "mock_cls.return_value",
                                      "create_autospec(anthropic.Anthropic)"])
def test_mocks_are_not_clients(receiver: str) -> None:
    code = f"""
    import anthropic
    from unittest import mock
    from unittest.mock import MagicMock, create_autospec
    def run(mocker, mock_cls):
        client = {receiver}
        client.messages.create(model="claude-haiku-4-5", max_tokens=100000,
                               messages=[{{"role": "user", "content": "hi"}}])
    """
    assert _lint(code) == []


UNTRACED = """
def test_call(client):
    client.messages.create(model="claude-haiku-4-5", max_tokens=100000,
                           messages=[{"role": "user", "content": "hi"}])
"""


def test_untraced_receivers_count_outside_test_modules_only() -> None:
    assert [c for _, _, c, _ in _lint(UNTRACED, "app.py")] == ["CL202"]
    for path in ("test_app.py", "tests/conftest.py", "pkg/app_test.py"):
        assert _lint(UNTRACED, path) == []
    # Other modules of a tests folder are judged as any module.
    assert [c for _, _, c, _ in _lint(UNTRACED, "tests/helpers.py")] == ["CL202"]


def test_a_wrapper_class_exposing_a_real_clients_messages_is_a_client() -> None:
    code = """
    import anthropic
    class Claude:
        def __init__(self):
            self.messages = anthropic.AnthropicBedrock().messages
    def ask(q):
        return Claude().messages.create(model="claude-haiku-4-5", max_tokens=100,
                                        messages=[{"role": "user", "content": q}])
    """
    (req,) = analyze(textwrap.dedent(code), Settings()).requests
    assert req.client == "AnthropicBedrock"


# --------------------------------------------------------------------------- gap 12: prompt files

BIG = "Review the clause; quote its number; list obligations and deadlines. " * 300


def _app(root: Path, expr: str) -> Path:
    app = root / "pkg" / "app.py"
    app.parent.mkdir(parents=True, exist_ok=True)
    app.write_text(textwrap.dedent(f"""
        import os
        import anthropic
        from pathlib import Path
        client = anthropic.Anthropic()
        SYSTEM = {expr}
        def ask(q):
            return client.messages.create(model="claude-sonnet-4-6", max_tokens=100,
                system=SYSTEM, messages=[{{"role": "user", "content": q}}])
        """), encoding="utf-8")
    return app


def _system_literal(app: Path, root: Path) -> str | None:
    settings = Settings(root=root)
    (req,) = analyze(app.read_text(encoding="utf-8"), settings, app).requests
    v = req.value("system")
    return getattr(v, "literal", None)


@pytest.mark.parametrize("expr", ['Path("prompts/s.md").read_text()',
                                  'open("prompts/s.md").read()',
                                  '(Path.cwd() / "prompts" / "s.md").read_text()',
                                  'open(os.path.join(os.getcwd(), "prompts/s.md")).read()'])
def test_prompt_file_relative_to_the_project_root(tmp_path: Path, expr: str) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "s.md").write_text(BIG, encoding="utf-8")
    assert _system_literal(_app(tmp_path, expr), tmp_path) == BIG


def test_prompt_file_beside_the_module_wins_and_two_roots_are_ambiguous(tmp_path: Path) -> None:
    app = _app(tmp_path, 'open("s.md").read()')
    (tmp_path / "s.md").write_text("root", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "s.md").write_text("src", encoding="utf-8")
    assert _system_literal(app, tmp_path) is None  # root and src/ both hold it
    project_mod.reset()
    (tmp_path / "pkg" / "s.md").write_text("beside", encoding="utf-8")
    assert _system_literal(app, tmp_path) == "beside"


# --------------------------------------------------------------------------- gap 13: data


def test_every_spelling_of_the_sdks_nonstreaming_table_has_a_maximum_output() -> None:
    knowledge, sdk = load_knowledge(), load_sdk_data()
    assert sdk.model_nonstreaming_tokens
    for spelling, limit in sdk.model_nonstreaming_tokens.items():
        match = knowledge.lookup(spelling)
        assert match is not None, spelling
        assert match.info.max_output_tokens is not None, spelling
        assert limit <= match.info.max_output_tokens, spelling
    for model in sdk.model_param:
        info = knowledge.get(model)
        assert info is not None and info.max_output_tokens is not None, model


@pytest.mark.parametrize("model", ["claude-3-5-sonnet-20240620", "claude-3-sonnet-20240229",
                                   "claude-2.1", "claude-2.0", "claude-instant-1.2"])
def test_older_models_have_their_maximum_output(model: str) -> None:
    info = load_knowledge().get(model)
    assert info is not None and info.max_output_tokens == 4096


SONNET_JUNE = """
import anthropic
client = anthropic.Anthropic()
HEADERS = {"anthropic-beta": "max-tokens-3-5-sonnet-2024-07-15"}
with client.messages.stream(model="claude-3-5-sonnet-20240620", max_tokens=%d,%s
        messages=[{"role": "user", "content": "hi"}]) as s:
    pass
"""


def _cl202(code: str) -> list[str]:
    return [m for _, _, c, m in _lint(code) if c == "CL202"]


def test_cl202_on_claude_3_5_sonnet_june_with_and_without_its_beta_header() -> None:
    plain = SONNET_JUNE.replace("max-tokens-3-5-sonnet-2024-07-15", "other-beta")
    found = _cl202(plain % (6000, ""))
    assert len(found) == 1 and "maximum output of 4,096 tokens" in found[0]
    assert _cl202(SONNET_JUNE % (6000, " extra_headers=HEADERS,")) == []
    found = _cl202(SONNET_JUNE % (9000, " extra_headers=HEADERS,"))
    assert len(found) == 1 and "8,192 tokens (with the `max-tokens-3-5-sonnet" in found[0]


def test_project_classes_by_what_their_messages_is() -> None:
    code = """
    import anthropic
    class ByProperty:
        def __init__(self):
            self._c = anthropic.AsyncAnthropic()
        @property
        def messages(self):
            return self._c.messages
    class Given:
        def __init__(self, messages):
            self.messages = messages
    def ask(m):
        ByProperty().messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])
        Given(m).messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])
    """
    reqs = analyze(textwrap.dedent(code), Settings()).requests
    # A property returning a real client's `messages`: traced. `messages` passed in: not
    # known, so the call counts as an untraced one (Messages shape, `anthropic` imported).
    assert [r.client for r in reqs] == ["AsyncAnthropic", "untraced"]
