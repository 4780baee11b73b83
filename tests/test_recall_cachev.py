"""Issue 14, gaps 1 and 7: whether an unknown part of a request may hide a cache breakpoint is
decided from where that part comes from (not from the whole file), and a large static prompt
behind a dynamic head is reported (CL106)."""

from __future__ import annotations

import textwrap

import pytest

from claudelint.lint.engine import Linter
from claudelint.settings import Settings

BIG = "You are a meticulous support agent for Acme Corp. " * 120
HEAD = f"""
import anthropic
from pathlib import Path
client = anthropic.Anthropic()
SYSTEM = {BIG!r}
TOOLS = [{{"name": "lookup", "description": SYSTEM, "input_schema": {{"type": "object"}}}}]
"""
# Another request of the file sets a breakpoint: the file mentions `cache_control`.
CACHED = """
def cached(q):
    return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
        system=[{"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": q}])
"""


def _codes(body: str, code: str) -> list[int]:
    text = HEAD + textwrap.dedent(body) + CACHED
    return [f.line for f in Linter(Settings()).lint_text(text, "app.py") if f.code == code]


# --------------------------------------------------------------------------- gap 1


@pytest.mark.parametrize("body", [
    # system read from a file: a str, never a list of blocks
    """
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512, tools=TOOLS,
            system=Path("prompt.md").read_text(), messages=[{"role": "user", "content": q}])
    """,
    # open(...).read()
    """
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512, tools=TOOLS,
            system=open("prompt.md").read(), messages=[{"role": "user", "content": q}])
    """,
    # a local annotated `str`
    """
    def answer(q, store):
        system: str = store.get("system")
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512, tools=TOOLS,
            system=system, messages=[{"role": "user", "content": q}])
    """,
    # a helper of this module annotated `-> str`
    """
    def build_system(store) -> str:
        return store.render()
    def answer(q, store):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512, tools=TOOLS,
            system=build_system(store), messages=[{"role": "user", "content": q}])
    """,
    # `.format()` of something unknown
    """
    def answer(q, template):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512, tools=TOOLS,
            system=template.format(q=q), messages=[{"role": "user", "content": q}])
    """,
    # the messages come from a helper of this module that never mentions cache_control
    """
    def _turns(q, store):
        out = store.load(q)
        out.append({"role": "user", "content": q})
        return out
    def answer(q, store):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=_turns(q, store))
    """,
    # ... and splices in the caller's list
    """
    def _turns(q, past):
        out = [*past]
        out.append({"role": "user", "content": q})
        return out
    def answer(q, past):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=_turns(q, past))
    """,
    # ... through a second helper of this module
    """
    def _one(q):
        return {"role": "user", "content": q}
    def _turns(q):
        return [_one(q)]
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=_turns(q))
    """,
])
def test_unknown_part_that_cannot_carry_a_breakpoint_is_reported(body: str) -> None:
    assert len(_codes(body, "CL101")) == 1


@pytest.mark.parametrize("body", [
    # the helper adds a breakpoint
    """
    def _turns(q):
        m = {"role": "user", "content": [{"type": "text", "text": q}]}
        m["content"][-1]["cache_control"] = {"type": "ephemeral"}
        return [m]
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=_turns(q))
    """,
    # ... through a helper it calls
    """
    def _mark(m):
        m["content"][-1]["cache_control"] = {"type": "ephemeral"}
        return m
    def _turns(q):
        return [_mark({"role": "user", "content": [{"type": "text", "text": q}]})]
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=_turns(q))
    """,
    # the function making the request marks the history
    """
    def answer(q, load):
        msgs = load(q)
        msgs[-1]["cache_control"] = {"type": "ephemeral"}
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=msgs)
    """,
    # an imported helper: its module is not read, so it may add one
    """
    from .history import turns
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=turns(q))
    """,
    # an attribute: any method of the file may have marked it
    """
    class Agent:
        def answer(self, q):
            return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
                system=SYSTEM, messages=self.history)
    """,
    # the history is changed in place below its first level after it is built
    """
    def answer(q):
        m = {"role": "user", "content": [{"type": "text", "text": q}]}
        m["content"][-1]["cache_control"] = {"type": "ephemeral"}
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=[m])
    """,
    # an unknown system list from a parameter's method
    """
    def answer(q, store):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512, tools=TOOLS,
            system=store.system_blocks(), messages=[{"role": "user", "content": q}])
    """,
])
def test_unknown_part_that_may_carry_a_breakpoint_keeps_cl101_silent(body: str) -> None:
    assert _codes(body, "CL101") == []


# --------------------------------------------------------------------------- gap 7


def _cl106(body: str) -> list[tuple[int, str, bool]]:
    text = HEAD + "import datetime\n" + textwrap.dedent(body)
    return [(f.line, f.message, f.fix is not None)
            for f in Linter(Settings()).lint_text(text, "app.py") if f.code == "CL106"]


@pytest.mark.parametrize("body", [
    # a date first in the system prompt (written in the call): fix offered
    """
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=f"Today is {datetime.date.today()}.\\n\\n{SYSTEM}",
            messages=[{"role": "user", "content": q}])
    """,
    # a parameter first, through a variable this request alone reads: fix offered
    """
    def answer(name, q):
        prompt = f"The customer is {name}. {SYSTEM}"
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=prompt, messages=[{"role": "user", "content": q}])
    """,
    # a loop variable first, in a loop
    """
    def run(names):
        for name in names:
            client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
                system=f"Customer: {name}\\n{SYSTEM}", messages=[{"role": "user", "content": "hi"}])
    """,
])
def test_dynamic_head_before_a_large_static_prompt_is_reported(body: str) -> None:
    found = _cl106(body)
    assert len(found) == 1
    assert "re-sent at full price" in found[0][1]
    assert found[0][2]


@pytest.mark.parametrize("body", [
    # fixed for the process (module level)
    """
    SYS = f"Today is {datetime.date.today()}. {SYSTEM}"
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYS, messages=[{"role": "user", "content": q}])
    """,
    # fixed in __init__
    """
    class Bot:
        def __init__(self, name):
            self.system = f"The customer is {name}. {SYSTEM}"
        def answer(self, q):
            return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
                system=self.system, messages=[{"role": "user", "content": q}])
    """,
    # a small static tail
    """
    def answer(name, q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=f"The customer is {name}. Be kind.", messages=[{"role": "user", "content": q}])
    """,
    # a breakpoint is set (CL102's ground)
    """
    def answer(name, q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=[{"type": "text", "text": f"Customer {name}. {SYSTEM}",
                     "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": q}])
    """,
    # once, at module level
    """
    r = client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
        system=f"Today is {datetime.date.today()}. {SYSTEM}",
        messages=[{"role": "user", "content": "hi"}])
    """,
])
def test_dynamic_head_look_alikes_stay_silent(body: str) -> None:
    assert _cl106(body) == []


def test_shared_variable_is_reported_without_a_fix() -> None:
    found = _cl106("""
    def answer(name, q):
        system = f"The customer is {name}. {SYSTEM}"
        print(system)
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=system, messages=[{"role": "user", "content": q}])
    """)
    assert len(found) == 1 and not found[0][2]


def test_history_built_by_a_method_that_never_mentions_cache_control_is_reported() -> None:
    body = """
    class Agent:
        def _turns(self, q):
            return [{"role": "user", "content": q}]
        def answer(self, q):
            return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
                system=SYSTEM, messages=self._turns(q))
    """
    assert len(_codes(body, "CL101")) == 1
    # a subclass overriding it may add a breakpoint
    assert _codes(body + """
    class Cached(Agent):
        def _turns(self, q):
            return [{"role": "user", "content": [{"type": "text", "text": q,
                     "cache_control": {"type": "ephemeral"}}]}]
    """, "CL101") == []


@pytest.mark.parametrize("body", [
    # the helper passes through blocks marked at module level
    """
    MARKED = [{"role": "user", "content": [{"type": "text", "text": SYSTEM,
               "cache_control": {"type": "ephemeral"}}]}]
    def _wrap(prefix, q):
        return [*prefix, {"role": "user", "content": q}]
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=_wrap(MARKED, q))
    """,
    # the helper reads a module-level name built from marked blocks
    """
    MARKED = {"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}
    PREFIX = [{"role": "user", "content": [MARKED]}]
    def _turns(q):
        return PREFIX + [{"role": "user", "content": q}]
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system=SYSTEM, messages=_turns(q))
    """,
])
def test_breakpoints_reaching_the_helper_from_module_names_keep_cl101_silent(body: str) -> None:
    assert _codes(body, "CL101") == []


@pytest.mark.parametrize(("expr", "moved"), [
    ('f"Today is {datetime.date.today()}.\\n\\n" + SYSTEM',
     'SYSTEM + f"\\n\\nToday is {datetime.date.today()}."'),
    ('f"Today is {datetime.date.today()}." + SYSTEM',
     'SYSTEM + f"\\n\\nToday is {datetime.date.today()}."'),
    ('f"Today is {datetime.date.today()}. {SYSTEM}"',
     'f"{SYSTEM} Today is {datetime.date.today()}."'),
    ('f"Today is {datetime.date.today()}.\\n\\nPolicy:\\n{SYSTEM}"',
     'f"Policy:\\n{SYSTEM}\\n\\nToday is {datetime.date.today()}."'),
    ('f"Today is {datetime.date.today()}{SYSTEM}"',
     'f"{SYSTEM}\\n\\nToday is {datetime.date.today()}"'),
])
def test_the_fix_moves_the_changing_head_after_the_static_text(expr: str, moved: str) -> None:
    text = HEAD + "import datetime\n" + textwrap.dedent(f"""
    def answer(q):
        return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
            system={expr}, messages=[{{"role": "user", "content": q}}])
    """)
    found = [f for f in Linter(Settings()).lint_text(text, "app.py") if f.code == "CL106"]
    assert len(found) == 1 and found[0].fix is not None
    assert found[0].fix.applicability == "unsafe"
    assert [e.content for e in found[0].fix.edits] == [moved]
