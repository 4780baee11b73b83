"""CL901 on request keywords built away from the call: a wrapper forwarding its `**kwargs`
to `create(**kwargs)` (method or function, with a retry decorator or none), a dict copied by
a comprehension, and the look-alikes that stay silent: keys taken out in place
(`d.pop("k")`, `del d["k"]`), a wrapper that edits its `**kwargs`, a filtered copy."""

from __future__ import annotations

import textwrap

from claudelint.lint.engine import Linter
from claudelint.settings import Settings

HEAD = """
import anthropic
from tenacity import retry

client = anthropic.Anthropic()
"""


def _cl901(body: str) -> list[tuple[int, str]]:
    """(line, message) of each CL901 finding, lines counted from the body's first line."""
    head = textwrap.dedent(HEAD)
    text = head + textwrap.dedent(body)
    offset = head.count("\n")
    return [(f.line - offset, f.message) for f in Linter(Settings()).lint_text(text, "app.py")
            if f.code == "CL901"]


def test_a_method_forwarding_its_kwargs_is_checked_at_each_caller() -> None:
    found = _cl901("""
        class Bot:
            def __init__(self, temperature):
                self.temperature = temperature

            @retry(stop=3)
            def send(self, **kwargs):
                return client.messages.create(**kwargs)

            def ask(self, messages):
                params = {
                    "model": "claude-sonnet-4-6",
                    "max_tokens": 512,
                    "temperature": self.temperature,
                    "messages": messages,
                }
                params["timeout"] = 60
                return self.send(**params)

            def ask_top_k(self, messages):
                return self.send(model="claude-sonnet-4-6", max_tokens=9, messages=messages,
                                 top_k=5)
        """)
    assert [line for line, _ in found] == [14, 22]
    assert "`temperature` is not a parameter" in found[0][1]
    assert "(the request is made in `send()`)" in found[0][1]
    assert "`top_k`" in found[1][1]


def test_a_function_forwarding_its_kwargs_with_its_own_keywords() -> None:
    found = _cl901("""
        def ask(prompt, **kwargs):
            return client.messages.create(
                messages=[{"role": "user", "content": prompt}], **kwargs)

        def main():
            ask("hi", model="claude-sonnet-4-6", max_tokens=100, temperature=0.3)
        """)
    assert [line for line, _ in found] == [7]


def test_wrappers_that_change_their_kwargs_stay_silent() -> None:
    assert _cl901("""
        def ask(**kwargs):
            kwargs.pop("temperature", None)
            return client.messages.create(**kwargs)

        def other(**kwargs):
            return client.messages.create(**kwargs)

        @some_cache
        def cached(**kwargs):
            return client.messages.create(**kwargs)

        def main(m):
            ask(model="claude-sonnet-4-6", max_tokens=10, messages=m, temperature=0.3)
            other(model="claude-sonnet-4-6", max_tokens=10, messages=m)
            cached(model="claude-sonnet-4-6", max_tokens=10, messages=m, temperature=0.3)
        """) == []


def test_keys_taken_out_in_place_are_not_sent() -> None:
    assert _cl901("""
        def ask(m, hot):
            d = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": m, "temperature": 1}
            if not hot:
                d.pop("temperature")
            return client.messages.create(**d)

        def ask2(m):
            d = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": m, "top_p": 0.9}
            del d["top_p"]
            return client.messages.create(**d)
        """) == []


def test_a_dict_copied_by_a_comprehension_keeps_its_keys() -> None:
    found = _cl901("""
        NOT_GIVEN = object()

        def ask(m, temperature):
            kw = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": m,
                  "temperature": temperature}
            actual = {k: (v if v is not None else NOT_GIVEN) for k, v in kw.items()}
            return client.messages.create(**actual)

        def filtered(m, temperature):
            kw = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": m,
                  "temperature": temperature}
            actual = {k: v for k, v in kw.items() if k != "temperature"}
            return client.messages.create(**actual)
        """)
    assert [line for line, _ in found] == [8]  # at the call: the dict is built elsewhere
