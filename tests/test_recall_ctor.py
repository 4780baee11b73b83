"""Issue 14, gap 4: the model a constructor call gives a class of the project, which stores it
(`self.model = model`) and sends it (`messages.create(model=self.model, ...)`) — reported at
the constructor's argument, saying where the request is; the look-alikes in the fixture (the
attribute re-assigned, stored on one branch, overridden by a subclass or a base, a class
default, a computed value, an unknown argument, a call that does not match `__init__`) stay
silent."""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from claudelint.analysis import project as project_mod
from claudelint.analysis.values import Text
from claudelint.cli import main
from claudelint.lint.engine import analyze
from claudelint.settings import Settings
from claudelint.workspace.discovery import constructs_one_of, sending_classes

FIXTURE = Path(__file__).parent / "fixtures" / "recall" / "ctor"
MARK = re.compile(r"#\s*error:\s*\[([A-Z0-9, ]+)\]")


@pytest.fixture(autouse=True)
def _fresh_project() -> None:
    project_mod.reset()


def _copy(tmp_path: Path) -> Path:
    work = tmp_path / "ctor"
    shutil.copytree(FIXTURE, work)
    return work


def _invoke(work: Path, *args: str) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", *args])
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def _run(tmp_path: Path) -> list[dict[str, object]]:
    code, output = _invoke(_copy(tmp_path), "--output-format", "json", ".")
    assert code == 1, output
    found: list[dict[str, object]] = json.loads(output)
    return found


def test_marked_findings_and_silent_look_alikes(tmp_path: Path) -> None:
    expected: dict[tuple[str, int], list[str]] = {}
    for p in sorted(FIXTURE.rglob("*.py")):
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            m = MARK.search(line)
            if m:
                expected[(p.relative_to(FIXTURE).as_posix(), i)] = sorted(
                    c.strip() for c in m.group(1).split(","))
    got: dict[tuple[str, int], list[str]] = {}
    for f in _run(tmp_path):
        got.setdefault((str(f["path"]), int(str(f["line"]))), []).append(str(f["code"]))
    assert {k: sorted(v) for k, v in got.items()} == expected


def test_messages_say_where_the_request_is(tmp_path: Path) -> None:
    found = {(str(f["path"]), int(str(f["line"]))): f for f in _run(tmp_path)}
    msg = str(found[("run_reviews.py", 19)]["message"])
    assert msg.startswith("`claude-3-opus-20240229` (model from the `model` argument of "
                          "`Reviewer()`, stored as `self.model` and sent by "
                          "`messages.create()` at agents.py:17) was retired")
    # positional argument: the same parameter
    assert "the `model` argument of `Reviewer()`" in str(found[("run_reviews.py", 20)]["message"])
    # through a module constant: the constant's note is kept first
    assert "`Reviewer()`" in str(found[("run_reviews.py", 24)]["message"])
    assert "at agents.py:34" in str(found[("run_reviews.py", 27)]["message"])
    assert "at agents.py:111" in str(found[("run_reviews.py", 32)]["message"])
    # a class of the linted module: the line only
    assert "sent by `messages.create()` at line 12)" in str(found[("local.py", 18)]["message"])


def test_fix_only_where_it_changes_nothing_else(tmp_path: Path) -> None:
    found = {(str(f["path"]), int(str(f["line"]))): f for f in _run(tmp_path)}
    fix = found[("run_reviews.py", 19)]["fix"]
    assert isinstance(fix, dict)
    (edit,) = fix["edits"]
    assert edit["location"] == {"row": 19, "column": 25}
    # the constant is defined away from the call: pointed at the argument, no fix
    assert found[("run_reviews.py", 24)]["column"] == 35
    assert found[("run_reviews.py", 24)]["fix"] is None
    # the class also reads `self.model` for a log label: no fix
    narrator = found[("run_reviews.py", 27)]
    assert narrator["fix"] is None
    assert "(no fix offered: the class also reads the attribute" in str(narrator["message"])


def test_fix_edits_the_constructor_literal_only(tmp_path: Path) -> None:
    work = _copy(tmp_path)
    agents = (work / "agents.py").read_text(encoding="utf-8")
    _invoke(work, "--fix", "--unsafe-fixes", "--select", "CL302", "run_reviews.py",
            "agents.py")
    fixed = (work / "run_reviews.py").read_text(encoding="utf-8")
    assert 'Reviewer(model="claude-opus-5-5", budget=800)' in fixed
    assert 'Narrator(model="claude-3-opus-20240229")' in fixed
    assert 'OLD = "claude-3-haiku-20240307"' in fixed
    assert (work / "agents.py").read_text(encoding="utf-8") == agents


def test_prefilter_keeps_files_that_construct_a_sending_class() -> None:
    agents = (FIXTURE / "agents.py").read_bytes()
    names = sending_classes(agents)
    assert {b"Reviewer", b"Narrator", b"Tuned"} <= names
    assert sending_classes(b"class Plain:\n    def run(self):\n        return self.model\n") \
        == set()
    keeps = constructs_one_of(names)
    assert keeps((FIXTURE / "run_reviews.py").read_bytes())
    assert keeps(b"from agents import Reviewer\nr = Reviewer('x')\n")
    assert keeps(b"from agents import (\n    Narrator,\n)\nn = Narrator(model='x')\n")
    # imported but not called; called but not imported; a look-alike name
    assert not keeps(b"from agents import Reviewer\nKINDS = [Reviewer]\n")
    assert not keeps(b"r = Reviewer('x')\n")
    assert not keeps(b"from other import Reviewers\nr = Reviewers('x')\n")
    assert not constructs_one_of(set())(b"from agents import Reviewer\nReviewer('x')\n")


def _models(code: str) -> list[str | None]:
    analysis = analyze(code, Settings())
    return [r.model_id for r in analysis.constructor_requests]


_CLASS = """
    import anthropic
    {decorator}
    class Bot{bases}:
        def __init__(self, model, *extra, **options):
            self.client = anthropic.Anthropic()
            self.model = model

        def ask(self, q):
            return self.client.messages.create(model=self.model, max_tokens=9, messages=q)
"""


def test_one_request_per_constructor_call() -> None:
    code = textwrap.dedent(_CLASS).format(decorator="", bases="") + textwrap.dedent("""
    a = Bot("claude-3-opus-20240229")
    b = Bot(model="claude-3-haiku-20240307", extra_option=1)
    """)
    assert _models(code) == ["claude-3-opus-20240229", "claude-3-haiku-20240307"]


@pytest.mark.parametrize("decorator,bases,call", [
    ("@dataclass", "", 'Bot("claude-3-opus-20240229")'),          # writes its own __init__
    ("", "(Remote)", 'Bot("claude-3-opus-20240229")'),             # a base not read
    ("", "(metaclass=Meta)", 'Bot("claude-3-opus-20240229")'),
    ("", "", 'Bot(*["claude-3-opus-20240229"])'),                  # does not match statically
    ("", "", 'Bot(**{"model": "claude-3-opus-20240229"})'),
    ("", "", "Bot(pick())"),                                        # unknown value
    ("", "", 'Bot("claude-3-opus-20240229").model'),               # fine: still the instance
])
def test_look_alike_classes_and_calls(decorator: str, bases: str, call: str) -> None:
    code = textwrap.dedent(_CLASS).format(decorator=decorator, bases=bases) + f"\nx = {call}\n"
    expected = ["claude-3-opus-20240229"] if call.endswith(".model") else []
    assert _models(code) == expected


def test_attribute_set_through_setattr_or_elsewhere_stays_silent() -> None:
    base = textwrap.dedent(_CLASS).format(decorator="", bases="")
    for extra in ('x = Bot("a")\nsetattr(x, "model", "claude-3-opus-20240229")\n',
                  'x = Bot("claude-3-opus-20240229")\nx.model = "claude-haiku-5-5"\n'):
        assert _models(base + textwrap.dedent(extra)) == []


def test_class_attribute_read_in_a_classmethod_stays_silent() -> None:
    code = textwrap.dedent("""
    import anthropic

    class Bot:
        def __init__(self, model):
            self.model = model

        @classmethod
        def ask(cls, q):
            return anthropic.Anthropic().messages.create(model=cls.model, max_tokens=9,
                                                         messages=q)

    x = Bot("claude-3-opus-20240229")
    """)
    assert _models(code) == []


# --- a value filled in when None: `if model is None: model = DEFAULT` ---------------------

def _sent(code: str) -> list[object]:
    reqs = analyze(textwrap.dedent(code), Settings()).requests
    return [r.value("model") for r in reqs]


def test_parameter_filled_in_when_none() -> None:
    (model,) = _sent("""
    import anthropic
    FALLBACK = "claude-3-opus-20240229"

    def ask(q, model=None):
        if model is None:
            model = FALLBACK
        return anthropic.Anthropic().messages.create(model=model, max_tokens=9, messages=q)
    """)
    assert isinstance(model, Text) and model.literal == "claude-3-opus-20240229"
    assert model.via == "default of parameter `model` (`FALLBACK`, filled in when None)"


def test_config_attribute_filled_in_when_none() -> None:
    (model,) = _sent("""
    import typing
    import anthropic
    DEFAULT = "claude-3-opus-20240229"

    class Client:
        def __init__(self, config=None):
            if config is None:
                config = Config()
            if config.model is None:
                config.model = DEFAULT
            self.client = anthropic.Anthropic()
            self.model = typing.cast(str, config.model)

        def ask(self, q):
            return self.client.messages.create(model=self.model, max_tokens=9, messages=q)
    """)
    assert isinstance(model, Text) and model.literal == "claude-3-opus-20240229"
    assert model.via == "`DEFAULT`, filled in when `config.model` is None"


@pytest.mark.parametrize("body", [
    # an `else`, a test that is not `is None`, the fill after the read
    "if model is None:\n    model = OLD\nelse:\n    model = model.strip()\n",
    "if model == None:\n    model = OLD\n",
    "if model is not None:\n    model = OLD\n",
    "if model is None:\n    model = OLD\n    log(model)\n",
    # under another condition, or bound again elsewhere
    "if fast:\n    if model is None:\n        model = OLD\n",
    "if model is None:\n    model = OLD\nmodel = pick(model)\n",
    "if model is None:\n    model = OLD\nif model is None:\n    model = OLD\n",
])
def test_look_alike_fills_stay_unknown(body: str) -> None:
    code = ("import anthropic\nOLD = 'claude-3-opus-20240229'\n\ndef ask(q, fast, model=None):\n"
            + textwrap.indent(body, "    ")
            + "    return anthropic.Anthropic().messages.create(model=model, max_tokens=9,"
              " messages=q)\n")
    (model,) = [r.value("model") for r in analyze(code, Settings()).requests]
    assert not (isinstance(model, Text) and model.literal == "claude-3-opus-20240229")


def test_read_before_the_fill_and_required_parameter_stay_unknown() -> None:
    for code in ("""
    import anthropic
    def ask(q, model=None):
        r = anthropic.Anthropic().messages.create(model=model, max_tokens=9, messages=q)
        if model is None:
            model = "claude-3-opus-20240229"
        return r
    """, """
    import anthropic
    def ask(q, model):
        if model is None:
            model = "claude-3-opus-20240229"
        return anthropic.Anthropic().messages.create(model=model, max_tokens=9, messages=q)
    """):
        (model,) = _sent(code)
        assert not isinstance(model, Text) or model.literal is None


@pytest.mark.parametrize("extra", [
    "config.model = pick()\n",            # stored again after the fill
    "config = other()\n",                 # the object is replaced after the fill
])
def test_look_alike_config_fills_stay_unknown(extra: str) -> None:
    code = ("import anthropic\n\ndef ask(q, config):\n"
            "    if config.model is None:\n        config.model = 'claude-3-opus-20240229'\n"
            + textwrap.indent(extra, "    ")
            + "    return anthropic.Anthropic().messages.create(model=config.model,"
              " max_tokens=9, messages=q)\n")
    (model,) = [r.value("model") for r in analyze(code, Settings()).requests]
    assert not (isinstance(model, Text) and model.literal == "claude-3-opus-20240229")


def test_local_object_attribute_is_not_a_parameter_default() -> None:
    (model,) = _sent("""
    import anthropic
    def ask(q):
        config = load()
        if config.model is None:
            config.model = "claude-3-opus-20240229"
        return anthropic.Anthropic().messages.create(model=config.model, max_tokens=9,
                                                     messages=q)
    """)
    assert not (isinstance(model, Text) and model.literal == "claude-3-opus-20240229")


@pytest.mark.parametrize("default,fill,via", [
    ('""', "model = model or OLD", "default of parameter `model` (`OLD`, filled in when empty)"),
    ("None", "model = model or OLD",
     "default of parameter `model` (`OLD`, filled in when None)"),
])
def test_parameter_filled_in_when_falsy(default: str, fill: str, via: str) -> None:
    code = (f"import anthropic\nOLD = 'claude-3-opus-20240229'\n\ndef ask(q, model={default}):\n"
            f"    {fill}\n"
            "    return anthropic.Anthropic().messages.create(model=model, max_tokens=9,"
            " messages=q)\n")
    (model,) = [r.value("model") for r in analyze(code, Settings()).requests]
    assert isinstance(model, Text) and model.literal == "claude-3-opus-20240229"
    assert model.via == via


@pytest.mark.parametrize("default,fill", [
    ('"claude-haiku-5-5"', "model = model or OLD"),   # a default that is not falsy
    ('""', "if model is None:\n        model = OLD"),   # "" is not None: not filled
    ("None", "model = model and OLD"),
    ("None", "model = other or OLD"),
    ("None", "model = OLD or model"),
])
def test_look_alike_falsy_fills(default: str, fill: str) -> None:
    code = (f"import anthropic\nOLD = 'claude-3-opus-20240229'\n\n"
            f"def ask(q, other, model={default}):\n    {fill}\n"
            "    return anthropic.Anthropic().messages.create(model=model, max_tokens=9,"
            " messages=q)\n")
    (model,) = [r.value("model") for r in analyze(code, Settings()).requests]
    assert not (isinstance(model, Text) and model.literal == "claude-3-opus-20240229")


def test_untraced_client_takes_only_claude_models() -> None:
    code = textwrap.dedent("""
    import anthropic

    class Bot:
        def __init__(self, client, model):
            self.client = client
            self.model = model

        def ask(self, q):
            return self.client.messages.create(model=self.model, max_tokens=9, messages=q)

    a = Bot(make(), "gpt-4o")
    b = Bot(make(), "claude-3-opus-20240229")
    """)
    assert _models(code) == ["claude-3-opus-20240229"]
