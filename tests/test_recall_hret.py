"""Issue 14, gap 2: request keywords from a dict RETURNED by the project's own function or
method and spread with `**` — a method inherited from a base class of the module, a dict built
step by step (keys set in branches are "on some paths only", and the message says so), keys
changed in place below their first level — and the look-alikes that stay silent: keys taken
out after the call, a filtered copy, a helper with different dicts per branch, a helper's dict
handed to an unknown call, a same-named method of another class, an override in sight."""

from __future__ import annotations

import textwrap

from claudelint.lint.engine import Linter
from claudelint.settings import Settings

HEAD = """
import anthropic

client = anthropic.Anthropic()
FALLBACK_T = 0.5
"""


def _cl901(body: str) -> list[tuple[int, str]]:
    """(line, message) of each CL901 finding, lines counted from the body's first line."""
    head = textwrap.dedent(HEAD)
    text = head + textwrap.dedent(body)
    offset = head.count("\n") + 1  # the body opens with a newline
    return sorted((f.line - offset, f.message)
                  for f in Linter(Settings()).lint_text(text, "app.py") if f.code == "CL901")


def test_dict_returned_by_an_inherited_method_built_step_by_step() -> None:
    found = _cl901("""
        class Shared:
            def request_params(self, job):
                params = {"model": "claude-sonnet-4-6",
                          "messages": [{"role": "user", "content": job.text}]}
                if job.nucleus:
                    params["top_p"] = job.nucleus
                else:
                    params["temperature"] = job.heat if job.heat is not None else FALLBACK_T
                params["stop_sequences"] = ["END"]
                if job.reasoning:
                    params["thinking"] = {"type": "enabled", "budget_tokens": 2048}
                    if job.visible:
                        params["thinking"]["display"] = "summarized"
                params["max_tokens"] = 2048
                params["seed"] = 7
                return params

        class Worker(Shared, object):
            def go(self, job):
                params = self.request_params(job)
                return client.messages.create(**params)
        """)
    assert [line for line, _ in found] == [21, 21, 21]
    by_key = {m.split("`")[1]: m for _, m in found}
    assert set(by_key) == {"seed", "temperature", "top_p"}
    # always sent: the helper is named; set in a branch only: the message says so
    assert by_key["seed"].endswith("(`seed` from the return value of `request_params()`)")
    assert by_key["temperature"].endswith(
        "(`temperature` from the return value of `request_params()`, which sets it on some "
        "paths only)")


def test_key_set_in_a_branch_of_a_local_dict_says_so() -> None:
    found = _cl901("""
        def ask(text, nucleus):
            kw = {"model": "claude-sonnet-4-6", "max_tokens": 64, "top_k": 3,
                  "messages": [{"role": "user", "content": text}]}
            for _ in range(2):
                kw["top_k"] = 4
            if nucleus:
                kw["top_p"] = nucleus
            return client.messages.create(**kw)
        """)
    assert [line for line, _ in found] == [8, 8]
    top_k, top_p = (m for _, m in sorted(found, key=lambda f: f[1]))
    assert "on some paths" not in top_k  # in the literal: on every path
    assert top_p.endswith("(`top_p` is set on some paths only)")


def test_keys_changed_in_place_below_one_key_keep_the_others() -> None:
    found = _cl901("""
        def build(text):
            body = {"model": "claude-sonnet-4-6", "max_tokens": 64, "temperature": 0.1,
                    "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]}
            body["messages"][0]["content"][0]["cache_control"] = {"type": "ephemeral"}
            return body

        def ask(text):
            return client.messages.create(**build(text))

        def ask_nested_unknown(text):
            body = build(text)
            body[text]["x"] = 1
            return client.messages.create(**body)
        """)
    assert [line for line, _ in found] == [8]
    assert "(`temperature` from the return value of `build()`)" in found[0][1]


def test_look_alike_helpers_stay_silent() -> None:
    found = _cl901("""
        def make():
            return {"model": "claude-sonnet-4-6", "max_tokens": 64, "temperature": 0.3,
                    "messages": [{"role": "user", "content": "hi"}]}

        def scrub(d):
            d.pop("temperature", None)

        def per_branch(fast):
            if fast:
                return {"model": "claude-haiku-4-5", "max_tokens": 64, "top_k": 2,
                        "messages": [{"role": "user", "content": "hi"}]}
            return {"model": "claude-sonnet-4-6", "max_tokens": 64,
                    "messages": [{"role": "user", "content": "hi"}]}

        def popped():
            kw = make()
            kw.pop("temperature")
            return client.messages.create(**kw)

        def deleted():
            kw = make()
            del kw["temperature"]
            return client.messages.create(**kw)

        def filtered():
            kw = make()
            clean = {k: v for k, v in kw.items() if k != "temperature"}
            return client.messages.create(**clean)

        def handed_to_unknown_call():
            kw = make()
            scrub(kw)
            return client.messages.create(**kw)

        def handed_to_unknown_call_local():
            kw = {"model": "claude-sonnet-4-6", "max_tokens": 64, "temperature": 0.3,
                  "messages": [{"role": "user", "content": "hi"}]}
            scrub(kw)
            return client.messages.create(**kw)

        def branches(fast):
            return client.messages.create(**per_branch(fast))

        def logged_is_still_sent(log):
            kw = make()
            log.info(kw)
            print(len(kw))
            {}.update(kw)
            return client.messages.create(**kw)
        """)
    assert [line for line, _ in found] == [49]


def test_same_named_method_of_another_class_or_an_override_stays_silent() -> None:
    found = _cl901("""
        class Base:
            def params(self):
                return {"model": "claude-sonnet-4-6", "max_tokens": 64, "temperature": 0.3,
                        "messages": [{"role": "user", "content": "hi"}]}

        class Other:
            def params(self):
                return {"model": "claude-sonnet-4-6", "max_tokens": 64,
                        "messages": [{"role": "user", "content": "hi"}]}

        class Child(Base):
            def go(self):
                return client.messages.create(**self.params())

        class Foreign:
            def go(self, helper):
                return client.messages.create(**helper.params())
        """)
    assert found == []


def test_base_not_in_sight_first_stays_silent() -> None:
    found = _cl901("""
        import somewhere

        class Local:
            def settings(self):
                return {"model": "claude-sonnet-4-6", "max_tokens": 64, "top_k": 3,
                        "messages": [{"role": "user", "content": "hi"}]}

        class Mixed(somewhere.Mixin, Local):
            def go(self):
                return client.messages.create(**self.settings())

        class Ordered(Local, somewhere.Mixin):
            def go(self):
                return client.messages.create(**self.settings())
        """)
    # `somewhere.Mixin` may define `settings()` before `Local` in the first class only
    assert [line for line, _ in found] == [14]


def test_dict_bound_in_each_branch_with_the_same_keys() -> None:
    found = _cl901("""
        def options_for(prompt, limit, heat=1, name="claude-sonnet-4-6", extra=None):
            if isinstance(prompt, list):
                opts = {"model": name, "temperature": heat, "max_tokens": limit,
                        "messages": prompt}
            else:
                opts = {"model": name, "temperature": heat, "max_tokens": limit,
                        "messages": [{"role": "user", "content": prompt}]}
            if extra:
                opts["tools"] = extra
            return opts

        def other_keys(flag):
            if flag:
                kw = {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": []}
            else:
                kw = {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": [],
                      "top_k": 2}
            return kw

        def call(q):
            return client.messages.create(**options_for(q, 100))

        def call_other(flag):
            return client.messages.create(**other_keys(flag))

        def rebound_after_a_key(q):
            kw = {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": q}
            kw["top_p"] = 0.5
            kw = {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": q}
            return client.messages.create(**kw)
        """)
    assert [line for line, _ in found] == [21, 30]
    assert found[0][1].endswith("(`temperature` from the return value of `options_for()`)")
    # a key set next to several bindings may be set before a rebinding: not on every path
    assert found[1][1].endswith("(`top_p` is set on some paths only)")


def test_values_that_differ_between_bindings_are_unknown() -> None:
    from claudelint.analysis.values import Const, DictV, Unknown
    from claudelint.lint.engine import analyze

    code = textwrap.dedent(HEAD) + textwrap.dedent("""
        def pick(fast, q):
            if fast:
                kw = {"model": "claude-haiku-4-5", "max_tokens": 8, "messages": q}
            else:
                kw = {"model": "claude-opus-4-6", "max_tokens": 8, "messages": q}
            return client.messages.create(**kw)
        """)
    (req,) = analyze(code, Settings()).requests
    assert isinstance(req.value("model"), Unknown)
    max_tokens = req.value("max_tokens")
    assert isinstance(max_tokens, Const) and max_tokens.value == 8
    assert not isinstance(req.value("messages"), DictV)


def test_helper_dict_merged_into_another_keeps_its_notes() -> None:
    found = _cl901("""
        def base(nucleus):
            kw = {"model": "claude-sonnet-4-6", "max_tokens": 8}
            if nucleus:
                kw["top_p"] = nucleus
            return kw

        def spread(q, nucleus):
            return client.messages.create(**{**base(nucleus), "messages": q})

        def written_over(q, nucleus):
            return client.messages.create(**dict(base(nucleus), messages=q, top_p=0.1))

        def set_after(q, nucleus):
            kw = base(nucleus)
            kw["top_p"] = 0.2
            kw["messages"] = q
            return client.messages.create(**kw)
        """)
    assert [line for line, _ in found] == [8, 11, 17]
    assert found[0][1].endswith(
        "(`top_p` from the return value of `base()`, which sets it on some paths only)")
    # written in the merge or set after the call: on every path, and written here
    assert found[1][1].endswith("current models reject them")
    assert found[2][1].endswith("current models reject them")


def test_inherited_helper_reading_an_attribute_the_subclass_sets_stays_silent() -> None:
    found = _cl901("""
        class Shared:
            sampling = {"temperature": 0.2}

            def __init__(self):
                self.extra = {"top_k": 3}

            def with_sampling(self):
                return {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": [],
                        **self.sampling}

            def with_extra(self):
                return {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": [],
                        **self.extra}

        class Plain(Shared):
            sampling = {}

            def __init__(self):
                self.extra = {}

            def one(self):
                return client.messages.create(**self.with_sampling())

            def two(self):
                return client.messages.create(**self.with_extra())

        class Kept(Shared):
            def one(self):
                return client.messages.create(**self.with_sampling())
        """)
    assert [line for line, _ in found] == [29]


def test_a_model_the_same_in_every_binding_is_reported_without_a_fix() -> None:
    code = textwrap.dedent(HEAD) + textwrap.dedent("""
        def pick(fast, q):
            if fast:
                kw = {"model": "claude-3-opus-20240229", "max_tokens": 8, "messages": q}
            else:
                kw = {"model": "claude-3-opus-20240229", "max_tokens": 64, "messages": q}
            return client.messages.create(**kw)
        """)
    found = [f for f in Linter(Settings()).lint_text(code, "app.py") if f.code == "CL302"]
    assert len(found) == 1
    assert found[0].fix is None
