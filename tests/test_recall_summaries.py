"""Issue 14, gaps 2, 4 and 8: values found in the return value of the project's own functions,
in configuration objects, and in module names bound more than once — each finding says where
its value comes from; the look-alikes in the fixture stay silent."""

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
from claudelint.analysis.values import Const, Text, Unknown
from claudelint.cli import main
from claudelint.lint.engine import analyze
from claudelint.settings import Settings

FIXTURE = Path(__file__).parent / "fixtures" / "recall" / "summaries"
MARK = re.compile(r"#\s*error:\s*\[([A-Z0-9, ]+)\]")


@pytest.fixture(autouse=True)
def _fresh_project() -> None:
    project_mod.reset()


def _run(tmp_path: Path) -> list[dict[str, object]]:
    work = tmp_path / "summaries"
    shutil.copytree(FIXTURE, work)
    old = Path.cwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(main, ["check", "--isolated", "--no-cache",
                                           "--output-format", "json", "."])
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    found: list[dict[str, object]] = json.loads(result.output)
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


def test_messages_say_where_the_model_comes_from(tmp_path: Path) -> None:
    by_line = {int(str(f["line"])): str(f["message"]) for f in _run(tmp_path)}
    assert "(model from the return value of `make_payload()`)" in by_line[31]
    assert "(model from the return value of `make_payload()`)" in by_line[40]
    assert "(model from the return value of `_params()`)" in by_line[52]
    # the helper reads a config default: the more precise note is kept
    assert "(model from `Settings.model` default)" in by_line[70]
    assert "(model from `Settings.model` default)" in by_line[79]
    assert "(model from default of environment variable `FAST_MODEL`)" in by_line[90]
    assert "(model from default of environment variable `MODEL`)" in by_line[95]


def _values(code: str, name: str) -> list[object]:
    reqs = analyze(textwrap.dedent(code), Settings()).requests
    return [r.value(name) for r in reqs]


def test_helper_fills_parameters_with_what_the_caller_passes() -> None:
    (system,) = _values("""
        import anthropic
        client = anthropic.Anthropic()
        def build_prompt(topic, style="formal"):
            return f"You are a {style} assistant on {topic}."
        def ask(q):
            return client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                          system=build_prompt("tax", style=q), messages=[])
    """, "system")
    assert isinstance(system, Text)
    assert system.parts[0] == "You are a "
    hole = system.holes[0]
    assert hole.origin == "param" and hole.expr == "q"  # the caller's parameter
    assert system.parts[-1] == " assistant on tax."
    assert system.via == "the return value of `build_prompt()`"


def test_helper_default_used_when_not_passed_and_recursion_is_unknown() -> None:
    system, messages = (_values("""
        import anthropic
        client = anthropic.Anthropic()
        def build_prompt(topic="law"):
            return "Topic: " + topic
        def loop(n):
            return loop(n)
        def ask(q):
            return client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                          system=build_prompt(), messages=loop(q))
    """, name)[0] for name in ("system", "messages"))
    assert isinstance(system, Text) and system.literal == "Topic: law"
    assert isinstance(messages, Unknown)


def test_look_alike_helpers_stay_unknown() -> None:
    """A generator, an async function, a decorated function, a call with **kwargs and a
    function whose returns disagree give no value."""
    values = _values("""
        import functools
        import anthropic
        client = anthropic.Anthropic()
        def gen():
            yield {"model": "claude-2.0"}
        async def coro():
            return "claude-2.0"
        @functools.lru_cache
        def cached():
            return "claude-2.0"
        def pick(x):
            if x:
                return "claude-2.0"
            return "claude-haiku-4-5"
        def ask(q, kw):
            client.messages.create(model=gen(), max_tokens=5, messages=[])
            client.messages.create(model=coro(), max_tokens=5, messages=[])
            client.messages.create(model=cached(), max_tokens=5, messages=[])
            client.messages.create(model=pick(**kw), max_tokens=5, messages=[])
            return client.messages.create(model=pick(q), max_tokens=5, messages=[])
    """, "model")
    assert all(isinstance(v, Unknown) for v in values), values


def test_kwargs_built_in_init_and_merged() -> None:
    (tokens,) = _values("""
        import anthropic
        client = anthropic.Anthropic()
        class Bot:
            def __init__(self):
                self.kwargs = {"model": "claude-haiku-4-5", "max_tokens": 77}
            def ask(self, q):
                return client.messages.create(**(self.kwargs | {"messages": []}))
    """, "max_tokens")
    assert isinstance(tokens, Const) and tokens.value == 77


def test_config_instance_keyword_overrides_the_default() -> None:
    model, tokens = [_values("""
        import anthropic
        from dataclasses import dataclass
        client = anthropic.Anthropic()
        @dataclass
        class Config:
            model: str = "claude-2.0"
            max_tokens: int = 900
        def ask(q, config=None):
            config = config or Config(model="claude-haiku-4-5")
            return client.messages.create(model=config.model, max_tokens=config.max_tokens,
                                          messages=[])
    """, name)[0] for name in ("model", "max_tokens")]
    assert isinstance(model, Text) and model.literal == "claude-haiku-4-5"
    assert isinstance(tokens, Const) and tokens.value == 900
    assert tokens.via == "`Config.max_tokens` default"


def test_config_with_positional_arguments_stays_unknown() -> None:
    (model,) = _values("""
        import anthropic
        client = anthropic.Anthropic()
        class Config:
            def __init__(self, model="claude-2.0"):
                self.model = model
        def ask(name):
            config = Config(name)
            return client.messages.create(model=config.model, max_tokens=5, messages=[])
    """, "model")
    assert isinstance(model, Unknown)


def test_augmented_or_global_rebinding_stays_unknown() -> None:
    values = _values("""
        import anthropic
        client = anthropic.Anthropic()
        PROMPT = "a"
        PROMPT += "b"
        MODEL = "claude-haiku-4-5"
        def set_model(m):
            global MODEL
            MODEL = m
        MODEL = "claude-haiku-4-5"
        def ask():
            return client.messages.create(model=MODEL, max_tokens=5, system=PROMPT,
                                          messages=[])
    """, "model")
    assert isinstance(values[0], Unknown)


def test_dict_entries_from_a_helper_carry_no_foreign_nodes() -> None:
    (d,) = _values("""
        import anthropic
        client = anthropic.Anthropic()
        def payload():
            return {"model": "claude-haiku-4-5", "max_tokens": 5, "messages": []}
        def ask():
            return client.messages.create(**payload())
    """, "model")
    assert isinstance(d, Text) and d.node is None  # rules point at the call, never edit it


def test_config_attribute_assigned_elsewhere_stays_unknown() -> None:
    (model,) = _values("""
        import anthropic
        from dataclasses import dataclass
        client = anthropic.Anthropic()
        @dataclass
        class Config:
            model: str = "claude-2.0"
        config = Config()
        def configure(m):
            config.model = m
        def ask():
            return client.messages.create(model=config.model, max_tokens=5, messages=[])
    """, "model")
    assert isinstance(model, Unknown)


def test_method_overridden_in_a_subclass_stays_unknown() -> None:
    (model,) = _values("""
        import anthropic
        client = anthropic.Anthropic()
        class Base:
            def _model(self):
                return "claude-2.0"
            def ask(self):
                return client.messages.create(model=self._model(), max_tokens=5, messages=[])
        class Fast(Base):
            def _model(self):
                return "claude-haiku-4-5"
    """, "model")
    assert isinstance(model, Unknown)


def test_field_declared_defaults() -> None:
    model, tokens = (_values("""
        import anthropic
        from dataclasses import dataclass, field
        from pydantic import BaseModel, Field
        client = anthropic.Anthropic()
        class Settings(BaseModel):
            model: str = Field("claude-2.0", description="the model")
        @dataclass
        class Limits:
            max_tokens: int = field(default=333)
        def ask():
            return client.messages.create(model=Settings().model,
                                          max_tokens=Limits().max_tokens, messages=[])
    """, name)[0] for name in ("model", "max_tokens"))
    assert isinstance(model, Text) and model.literal == "claude-2.0"
    assert model.via == "`Settings.model` default"
    assert isinstance(tokens, Const) and tokens.value == 333
