"""Issue 14, gaps 3 and 5: CL201/CL301 accept `max_tokens` and `model` resolved to a constant
with a known origin (and say where it comes from), and read the task from the request's
structure (prefill, few-shot labels, structured output, forced tools, prompt phrases). Every
capability has look-alikes that must stay silent."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from claudelint.analysis import project as project_mod
from claudelint.finding import Finding
from claudelint.lint.engine import Linter
from claudelint.settings import Settings

HEAD = """
import json
from enum import Enum
from typing import Literal, Optional

import anthropic
from pydantic import BaseModel

client = anthropic.Anthropic()
"""


def _lint(body: str, path: str = "app.py") -> list[Finding]:
    code = HEAD + textwrap.dedent(body)
    return [f for f in Linter(Settings()).lint_text(code, path)
            if f.code in ("CL201", "CL301")]


def _codes(body: str) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in _lint(body)]


# --------------------------------------------------------------------------- gap 5: prefill

PREFILL = """
def pick(question: str) -> str:
    r = client.messages.create(model="claude-opus-4-5", max_tokens={n},
        messages=[{{"role": "user", "content": question}},
                  {{"role": "assistant", "content": "{prefill}"}}])
    return r.content[0].text
"""


def test_tiny_max_tokens_after_a_prefill_is_a_label() -> None:
    found = _lint(PREFILL.format(n=1, prefill="The answer is ("))
    assert [f.code for f in found] == ["CL301"]
    assert "(room for a few tokens after the assistant prefill 'The answer is ('; " \
           "max_tokens=1)" in found[0].message


@pytest.mark.parametrize("n, prefill", [
    (4096, "The answer is ("),  # room for a long answer: the prefill says nothing
    (1024, "Here is a detailed plan:"),  # a prefill that starts a long answer
])
def test_prefill_look_alikes_stay_silent(n: int, prefill: str) -> None:
    assert _lint(PREFILL.format(n=n, prefill=prefill)) == []


def test_tiny_max_tokens_without_prefill_is_not_evidence() -> None:
    # `max_tokens=1` alone is also how a cache is warmed: no task evidence.
    assert _lint("""
        def warm(doc: str) -> None:
            client.messages.create(model="claude-opus-4-5", max_tokens=1,
                messages=[{"role": "user", "content": doc}])
    """) == []


# --------------------------------------------------------------------------- few-shot labels

FEW_SHOT = """
def sentiment(review: str) -> str:
    r = client.messages.create(model="claude-sonnet-4-5", max_tokens={n},
        messages=[
            {{"role": "user", "content": "The food was great."}},
            {{"role": "assistant", "content": "{a}"}},
            {{"role": "user", "content": "Slow service, cold soup."}},
            {{"role": "assistant", "content": "{b}"}},
            {{"role": "user", "content": review}},
        ])
    return r.content[0].text
"""


def test_few_shot_labels_make_a_classification() -> None:
    found = _lint(FEW_SHOT.format(n=4096, a="positive", b="negative"))
    assert [(f.code, f.line) for f in found] == [("CL201", 12)]
    assert "for a classification (the few-shot answers are one-word labels " \
           "('positive', 'negative'))" in found[0].message
    found = _lint(FEW_SHOT.format(n=10, a="positive", b="negative"))
    assert [f.code for f in found] == ["CL301"]


def test_few_shot_yes_no_labels() -> None:
    found = _lint(FEW_SHOT.format(n=4096, a="yes", b="no"))
    assert [f.code for f in found] == ["CL201"] and "for a yes/no answer" in found[0].message


@pytest.mark.parametrize("a, b", [
    ("The review praises the food, so it is positive.", "negative"),  # a long answer
    ("positive", "I would call this one negative, mostly because of the soup."),
])
def test_few_shot_with_long_answers_stays_silent(a: str, b: str) -> None:
    assert _lint(FEW_SHOT.format(n=4096, a=a, b=b)) == []


def test_a_single_short_assistant_turn_is_a_conversation_not_examples() -> None:
    assert _lint("""
        def chat(q: str) -> str:
            r = client.messages.create(model="claude-sonnet-4-5", max_tokens=4096,
                messages=[{"role": "user", "content": "Hi"},
                          {"role": "assistant", "content": "Hello"},
                          {"role": "user", "content": q}])
            return r.content[0].text
    """) == []


# --------------------------------------------------------------------------- structured output


def test_parse_with_a_small_model_is_an_extraction() -> None:
    found = _lint("""
        class Contact(BaseModel):
            name: str
            email: str
            company: Optional[str] = None


        def contact(mail: str) -> Contact:
            r = client.messages.parse(model="claude-sonnet-4-5", max_tokens=8192,
                output_format=Contact,
                messages=[{"role": "user", "content": mail}])
            return r.parsed_output
    """)
    assert [(f.code, f.line) for f in found] == [("CL201", 18)]
    assert ("max_tokens=8192 for a short extraction (output_format `Contact` has 3 short "
            "fields (name, email, company)); 1024 is plenty") in found[0].message


def test_parse_with_one_enum_field_is_a_classification() -> None:
    found = _lint("""
        class Mood(Enum):
            GOOD = "good"
            BAD = "bad"


        class Verdict(BaseModel):
            mood: Mood


        def mood(text: str) -> Verdict:
            r = client.messages.parse(model="claude-opus-4-5", max_tokens=16,
                output_format=Verdict, messages=[{"role": "user", "content": text}])
            return r.parsed_output
    """)
    assert [f.code for f in found] == ["CL301"]
    assert "on a classification (output_format `Verdict` has one short field (mood)" \
        in found[0].message


@pytest.mark.parametrize("fields", [
    "name: str\n    summary: str",  # a free-text field
    "name: str\n    emails: list[str]",  # a list of unknown length
    "name: str\n    address: Address",  # a nested model
    "\n    ".join(f"f{i}: int" for i in range(12)),  # many fields
])
def test_parse_look_alikes_stay_silent(fields: str) -> None:
    assert _lint(f"""
class Address(BaseModel):
    street: str


class Out(BaseModel):
    {fields}


def read(mail: str) -> Out:
    r = client.messages.parse(model="claude-sonnet-4-5", max_tokens=8192,
        output_format=Out,
        system="Extract the sender. Respond with only JSON with keys name, email.",
        messages=[{{"role": "user", "content": mail}}])
    return r.parsed_output
""") == []


TOOL = """
TOOLS = [{{
    "name": "record",
    "description": "Record the ticket's triage.",
    "input_schema": {{"type": "object", "properties": {props},
                     "required": ["category"]}},
}}]


def triage(ticket: str) -> dict:
    r = client.messages.create(model="claude-opus-4-5", max_tokens={n}, tools=TOOLS,
        tool_choice={{"type": "tool", "name": "record"}},
        messages=[{{"role": "user", "content": ticket}}])
    return r.content[0].input
"""
SMALL_PROPS = ('{"category": {"type": "string", "enum": ["bug", "billing", "other"]}, '
               '"urgent": {"type": "boolean"}}')


def test_forced_tool_with_a_small_schema_is_an_extraction() -> None:
    found = _lint(TOOL.format(props=SMALL_PROPS, n=4096))
    assert [f.code for f in found] == ["CL201"]
    assert ("for a short extraction (the forced tool `record`'s input schema has 2 short "
            "fields (category, urgent))") in found[0].message
    found = _lint(TOOL.format(props=SMALL_PROPS, n=200))
    assert [f.code for f in found] == ["CL301"]


@pytest.mark.parametrize("props", [
    '{"category": {"type": "string"}, "summary": {"type": "string"}}',
    '{"category": {"type": "string"}, "items": {"type": "array"}}',
    '{"category": {"type": "object", "properties": {}}}',
])
def test_forced_tool_look_alikes_stay_silent(props: str) -> None:
    assert _lint(TOOL.format(props=props, n=4096)) == []


def test_tools_not_forced_stay_an_agent() -> None:
    body = TOOL.format(props=SMALL_PROPS, n=4096).replace(
        '{"type": "tool", "name": "record"}', '{"type": "auto"}')
    assert _lint(body) == []


def test_output_config_json_schema() -> None:
    found = _lint("""
        SCHEMA = {"type": "object", "properties": {"score": {"type": "integer"}}}


        def score(essay: str) -> str:
            r = client.messages.create(model="claude-sonnet-4-5", max_tokens=4096,
                output_config={"format": {"type": "json_schema", "schema": SCHEMA}},
                messages=[{"role": "user", "content": essay}])
            return r.content[0].text
    """)
    assert [f.code for f in found] == ["CL201"] and "for a score" in found[0].message


# --------------------------------------------------------------------------- prompt phrases

PROMPT = """
def ask(doc: str) -> str:
    r = client.messages.create(model="claude-sonnet-4-5", max_tokens=4096,
        system="{prompt}", messages=[{{"role": "user", "content": doc}}])
    return r.content[0].text
"""


@pytest.mark.parametrize("prompt, label", [
    ("Output only the indices of the relevant passages, comma-separated.",
     "a short extraction"),
    ("Respond with a JSON object with keys name, email and phone.", "a short extraction"),
    ("Convert the date in the text to ISO 8601. Output only the date.", "a classification"),
    ("Reply with only the ISO country code of the address.", "a classification"),
])
def test_prompt_phrases(prompt: str, label: str) -> None:
    found = _lint(PROMPT.format(prompt=prompt))
    assert [f.code for f in found] == ["CL201"] and f"for {label}" in found[0].message


@pytest.mark.parametrize("prompt", [
    "Respond with a JSON object with keys title and body.",  # free text
    "Respond with a JSON object with keys name and description.",
    "Return JSON with all the people mentioned.",  # a list of unknown length
    "Output only the code, no commentary.",  # program code is not a label
])
def test_prompt_look_alikes_stay_silent(prompt: str) -> None:
    assert _lint(PROMPT.format(prompt=prompt)) == []


# --------------------------------------------------------------------------- gap 3: origins


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project_mod.reset()
    (tmp_path / "settings.py").write_text(textwrap.dedent("""
        MAX_TOKENS = 4096
        MODELS = {"fast": "claude-haiku-4-5", "smart": "claude-opus-4-5"}
        LABEL_TOKENS = 8
    """), encoding="utf-8")
    return tmp_path


def _lint_file(root: Path, body: str) -> list[Finding]:
    path = root / "app.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    old = Path.cwd()
    os.chdir(root)
    try:
        return [f for f in Linter(Settings()).lint_text(path.read_text(), str(path))
                if f.code in ("CL201", "CL301")]
    finally:
        os.chdir(old)


def test_imported_constants_and_dict_entries(project: Path) -> None:
    found = _lint_file(project, """
        import anthropic

        import settings
        from settings import LABEL_TOKENS, MODELS

        client = anthropic.Anthropic()


        def is_spam(text: str) -> bool:
            r = client.messages.create(model="claude-haiku-4-5",
                max_tokens=settings.MAX_TOKENS,
                system="Answer yes or no: is this spam?",
                messages=[{"role": "user", "content": text}])
            return r.content[0].text.strip().lower() == "yes"


        def mood(review: str) -> str:
            r = client.messages.create(model=MODELS["smart"], max_tokens=LABEL_TOKENS,
                system="Output only the sentiment: positive, negative or neutral.",
                messages=[{"role": "user", "content": review}])
            return r.content[0].text.strip()
    """)
    assert [(f.code, f.line) for f in found] == [("CL201", 12), ("CL301", 19)]
    assert found[0].message.startswith("max_tokens=4096 from `settings.MAX_TOKENS` for a yes/no")
    assert "no fix offered: the value is set outside the call" in found[0].message
    assert found[0].fix is None
    assert found[1].message.startswith('claude-opus-4-5-20251101 from `MODELS["smart"]` on a '
                                       "classification")
    assert "max_tokens=8 from `LABEL_TOKENS`" in found[1].message and found[1].fix is None


def test_class_and_instance_attributes() -> None:
    found = _lint("""
        class Grader:
            model = "claude-sonnet-4-5"

            def __init__(self) -> None:
                self.limit = 4000

            def grade(self, answer: str) -> int:
                r = client.messages.create(model=self.model, max_tokens=self.limit,
                    system="Rate the answer from 1 to 5. Respond with only the number.",
                    messages=[{"role": "user", "content": answer}])
                return int(r.content[0].text)
    """)
    assert [f.code for f in found] == ["CL201"]
    assert "max_tokens=4000 from `self.limit` for a score" in found[0].message


@pytest.mark.parametrize("setup, expr", [
    ("def ask(text, limit=4096):", "limit"),  # a parameter: the caller decides
    ("def ask(text):\n    limit = 4096 if text else 8\n", "limit"),  # not one constant
    ("LIMIT = 4096\nLIMIT = 2048\ndef ask(text):", "LIMIT"),  # bound twice
    ("def ask(text):\n    for limit in (4096, 8192):\n        pass\n", "limit"),
])
def test_values_not_fixed_for_the_process_stay_silent(setup: str, expr: str) -> None:
    body = setup + f"""
    r = client.messages.create(model="claude-haiku-4-5", max_tokens={expr},
        system="Answer yes or no: is this spam?",
        messages=[{{"role": "user", "content": text}}])
    return r.content[0].text.strip().lower() == "yes"
"""
    assert _lint(body) == []


def test_dataclass_field_defaults_are_left_to_the_caller() -> None:
    # `self.model` of a dataclass is what the constructor got; the class value is a default.
    assert _lint("""
        from dataclasses import dataclass


        @dataclass
        class Grader:
            model: str = "claude-sonnet-4-5"
            limit: int = 4000

            def grade(self, answer: str) -> int:
                r = client.messages.create(model=self.model, max_tokens=self.limit,
                    system="Rate the answer from 1 to 5. Respond with only the number.",
                    messages=[{"role": "user", "content": answer}])
                return int(r.content[0].text)
    """) == []
