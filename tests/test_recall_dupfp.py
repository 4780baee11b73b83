"""CL901 reported once, where the bad keyword is written, and `**dict` keys removed only after
the request:

- a wrapper function whose request writes `temperature=temperature` (a named parameter of the
  wrapper) is reported in the wrapper, once, and not again at each call of the wrapper that
  passes a value for the parameter: the caller supplies a value, not the keyword; a keyword
  the caller sends through a wrapper's forwarded `**kwargs` is still reported at the caller,
  and findings about values (a retired model passed by the caller) stay at the caller;
- a local dict built afresh, spread into the request and only then stripped in place
  (`del d["temperature"]` below the request, before a second use of the dict) still sends the
  key; a removal that may run before the request (in a loop around it, in an earlier branch,
  on a shared dict, or before a read in a nested function) still counts.
"""

from __future__ import annotations

import textwrap

from claudelint.lint.engine import Linter
from claudelint.settings import Settings

HEAD = """
import anthropic
from tenacity import retry

client = anthropic.Anthropic()
"""


def _findings(body: str, code: str = "CL901") -> list[tuple[int, str]]:
    """(line, message) of each finding of `code`, lines counted from the body's first line."""
    head = textwrap.dedent(HEAD)
    text = head + textwrap.dedent(body)
    offset = head.count("\n")
    return [(f.line - offset, f.message) for f in Linter(Settings()).lint_text(text, "app.py")
            if f.code == code]


# --- a keyword written in a wrapper is reported in the wrapper, once -------------------------


def test_a_named_parameter_keyword_is_reported_in_the_wrapper_only() -> None:
    found = _findings("""
        @retry(stop=3)
        def complete(prompt, model, warmth=0.7, nucleus=None):
            return client.messages.create(
                model=model,
                max_tokens=300,
                temperature=warmth,
                top_p=nucleus,
                messages=[{"role": "user", "content": prompt}],
            )

        def sample_many(prompt, n, warmth):
            outs = []
            for _ in range(n):
                outs.append(complete(prompt, "claude-sonnet-4-6", warmth=warmth, nucleus=0.9))
            return outs

        def once(prompt):
            return complete(prompt, "claude-sonnet-4-6", 0.2)

        def default(prompt):
            return complete(prompt, "claude-sonnet-4-6")
        """)
    assert [line for line, _ in found] == [7, 8]
    assert all("the request is made in" not in message for _, message in found)


def test_a_wrapper_keyword_bound_by_position_or_default_stays_in_the_wrapper() -> None:
    found = _findings("""
        def rate(text, seed_value):
            return client.messages.create(
                model="claude-haiku-4-5", max_tokens=5, seed=seed_value,
                messages=[{"role": "user", "content": text}])

        def main(items):
            return [rate(t, 7) for t in items] + [rate("x", seed_value=1)]
        """)
    assert [line for line, _ in found] == [4]
    assert "`seed`" in found[0][1]


def test_a_keyword_forwarded_through_kwargs_is_still_reported_at_the_caller() -> None:
    found = _findings("""
        def chat(prompt, temperature=0.5, **kwargs):
            return client.messages.create(
                messages=[{"role": "user", "content": prompt}],
                temperature=temperature, **kwargs)

        def main():
            chat("hi", model="claude-sonnet-4-6", max_tokens=100, top_k=40,
                 temperature=0.1)
        """)
    lines = sorted(line for line, _ in found)
    assert lines == [5, 8]
    at_caller = dict(found)[8]
    assert "`top_k`" in at_caller and "(the request is made in `chat()`)" in at_caller
    assert "`temperature`" in dict(found)[5]


def test_a_value_the_caller_passes_is_still_reported_at_the_caller() -> None:
    found = _findings("""
        def ask(model, prompt):
            return client.messages.create(
                model=model, max_tokens=100,
                messages=[{"role": "user", "content": prompt}])

        def main():
            return ask("claude-3-opus-20240229", "hi")
        """, code="CL302")
    assert [line for line, _ in found] == [8]
    assert "(the request is made in `ask()`)" in found[0][1]


def test_a_wrapper_around_another_provider_reports_nothing() -> None:
    assert _findings("""
        from openai import OpenAI

        oa = OpenAI()

        def complete(prompt, temperature):
            return oa.chat.completions.create(
                model="gpt-4o", temperature=temperature,
                messages=[{"role": "user", "content": prompt}])

        def main():
            return complete("hi", temperature=0.3)
        """) == []


# --- keys removed in place only after the request ---------------------------------------


def test_a_key_deleted_after_the_request_was_sent() -> None:
    found = _findings("""
        MISSING = object()

        def stream_answer(model, messages, temperature, max_tokens, extra=None):
            opts: dict = {"max_tokens": max_tokens, "temperature": temperature}
            if extra is not None:
                opts.update(extra)
            sent = {k: (v if v is not None else MISSING) for k, v in opts.items()}
            sent.pop("stream", None)
            with client.messages.stream(model=model, messages=messages, **sent) as s:
                text = s.get_final_text()
            del sent["temperature"]
            del sent["max_tokens"]
            usage = client.messages.count_tokens(model=model, messages=messages, **sent)
            return text, usage
        """)
    assert [line for line, _ in found] == [10]
    assert "`temperature`" in found[0][1] and "messages.stream" in found[0][1]


def test_a_key_deleted_in_a_body_with_the_request_counts() -> None:
    # after in the text, but a loop around both runs it before the next request
    assert _findings("""
        def retrying(m):
            params = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": m,
                      "temperature": 0.5}
            while True:
                try:
                    return client.messages.create(**params)
                except Exception:
                    del params["temperature"]
        """) == []


def test_a_key_removed_from_a_shared_dict_after_the_request_counts() -> None:
    # the module's dict loses the key for every later call
    assert _findings("""
        DEFAULTS = {"model": "claude-sonnet-4-6", "max_tokens": 10, "temperature": 0.5}

        def ask(m):
            params = DEFAULTS
            r = client.messages.create(messages=m, **params)
            params.pop("temperature", None)
            return r
        """) == []


def test_a_key_removed_before_a_nested_read_counts() -> None:
    # the nested function and the lambda run later, after the removal
    assert _findings("""
        def make(m):
            params = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": m,
                      "top_k": 5}

            def later():
                return client.messages.create(**params)

            run = lambda: client.messages.create(**params)
            del params["top_k"]
            return later, run
        """) == []


def test_a_key_removed_in_the_statement_of_the_request_counts() -> None:
    assert _findings("""
        def ask(m):
            params = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": m,
                      "top_p": 0.9}
            return client.messages.create(**params) if params.pop("top_p") else None
        """) == []


def test_a_key_removed_on_an_earlier_branch_counts() -> None:
    assert _findings("""
        def ask(m, hot):
            params = dict(model="claude-sonnet-4-6", max_tokens=10, messages=m,
                          temperature=1.0)
            if hot:
                params.pop("temperature")
            else:
                return None
            return client.messages.create(**params)
        """) == []
