"""Call-site recognition (SPEC §1): what is a Messages request and what is not."""

from __future__ import annotations

import textwrap

import pytest

from claudelint.lint.engine import analyze
from claudelint.settings import Settings

SHAPE = 'model="claude-sonnet-4-6", max_tokens=10, messages=[{"role": "user", "content": "hi"}]'


def requests(code: str, **settings: object):  # type: ignore[no-untyped-def]
    return analyze(textwrap.dedent(code), Settings(**settings)).requests  # type: ignore[arg-type]


POSITIVE = {
    "module global client": """
        import anthropic
        client = anthropic.Anthropic()
        client.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "from-import alias": """
        from anthropic import Anthropic as A
        c = A()
        c.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "module alias": """
        import anthropic as ant
        ant.AsyncAnthropic().messages.create(model=M, max_tokens=1, messages=[])
    """,
    "bedrock client": """
        from anthropic import AnthropicBedrock
        AnthropicBedrock().messages.create(model=M, max_tokens=1, messages=[])
    """,
    "vertex client from lib path": """
        from anthropic.lib.vertex import AnthropicVertex
        AnthropicVertex().messages.create(model=M, max_tokens=1, messages=[])
    """,
    "self attribute set in __init__": """
        import anthropic
        class Bot:
            def __init__(self):
                self._client = anthropic.Anthropic()
            def ask(self):
                return self._client.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "annotated parameter": """
        from anthropic import AsyncAnthropic
        async def ask(client: AsyncAnthropic):
            return await client.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "optional annotated parameter": """
        from typing import Optional
        import anthropic
        def ask(client: Optional[anthropic.Anthropic] = None):
            return client.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "string annotation": """
        import anthropic
        def ask(client: "anthropic.Anthropic"):
            return client.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "with_options": """
        import anthropic
        client = anthropic.Anthropic()
        client.with_options(timeout=5).messages.create(model=M, max_tokens=1, messages=[])
    """,
    "with_raw_response": """
        import anthropic
        client = anthropic.Anthropic()
        client.messages.with_raw_response.create(model=M, max_tokens=1, messages=[])
    """,
    "beta": """
        import anthropic
        client = anthropic.Anthropic()
        client.beta.messages.create(model=M, max_tokens=1, messages=[], betas=["x"])
    """,
    "removed prompt_caching namespace": """
        import anthropic
        client = anthropic.Anthropic()
        client.beta.prompt_caching.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "stream in with": """
        import anthropic
        client = anthropic.Anthropic()
        with client.messages.stream(model=M, max_tokens=1, messages=[]) as s:
            pass
    """,
    "parse": """
        import anthropic
        client = anthropic.Anthropic()
        client.messages.parse(model=M, max_tokens=1, messages=[], output_format=X)
    """,
    "aliased resource": """
        import anthropic
        client = anthropic.Anthropic()
        m = client.beta.messages
        m.create(model=M, max_tokens=1, messages=[])
    """,
    "bound method": """
        import anthropic
        class Bot:
            def __init__(self):
                self.client = anthropic.Anthropic()
            def ask(self):
                create = self.client.messages.create
                return create(model=M, max_tokens=1, messages=[])
    """,
    "with-statement client": """
        import anthropic
        with anthropic.Anthropic() as client:
            client.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "local factory with return annotation": """
        from anthropic import Anthropic
        def get_client() -> Anthropic:
            return make()
        get_client().messages.create(model=M, max_tokens=1, messages=[])
    """,
    "local factory returning a client": """
        import anthropic
        def get_client():
            return anthropic.Anthropic(api_key="k")
        def ask():
            client = get_client()
            return client.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "inside a lambda": """
        import anthropic
        client = anthropic.Anthropic()
        ask = lambda q: client.messages.create(model=M, max_tokens=1, messages=[q])
    """,
    "run_in_executor": """
        import anthropic, asyncio, functools
        client = anthropic.Anthropic()
        async def ask(q):
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, lambda: client.messages.create(
                model=M, max_tokens=1, messages=[q]))
    """,
    "instructor": """
        import anthropic, instructor
        client = instructor.from_anthropic(anthropic.Anthropic())
        client.messages.create(model=M, max_tokens=1, messages=[], response_model=X)
    """,
    "untraced receiver with anthropic import and shape": f"""
        import anthropic
        def ask(llm):
            return llm.messages.create({SHAPE})
    """,
    "untraced receiver, Claude model literal, no import": f"""
        def ask(llm):
            return llm.messages.create({SHAPE})
    """,
    "injected client or default": """
        from anthropic import Anthropic
        class Agent:
            def __init__(self, client=None):
                self.client = client or Anthropic()
            def run(self, params):
                return self.client.messages.create(**params)
    """,
    "conditional client": """
        import anthropic
        def make(provider):
            client = anthropic.AnthropicBedrock() if provider == "aws" else anthropic.Anthropic()
            return client.messages.create(model=M, max_tokens=1, messages=[])
    """,
    "class-level annotation": """
        import anthropic
        from dataclasses import dataclass
        @dataclass
        class Service:
            client: anthropic.Anthropic
            def run(self):
                return self.client.messages.create(model=M, max_tokens=1, messages=[])
    """,
}

NEGATIVE = {
    "openai threads": """
        from openai import OpenAI
        client = OpenAI()
        client.beta.threads.messages.create(thread_id="t", role="user", content="hi")
    """,
    "openai client with messages shape": f"""
        from openai import OpenAI
        client = OpenAI()
        client.messages.create({SHAPE})
    """,
    "instructor from openai": f"""
        import instructor
        from openai import OpenAI
        client = instructor.from_openai(OpenAI())
        client.messages.create({SHAPE})
    """,
    "own class without the shape": """
        class Inbox:
            def __init__(self, db):
                self.db = db
            def post(self, text):
                self.db.messages.create(body=text)
    """,
    "untraced without anthropic import or claude model": """
        def ask(llm, model):
            return llm.messages.create(model=model, max_tokens=1, messages=[])
    """,
    "untraced with a non-claude model": """
        import anthropic
        def ask(llm):
            return llm.messages.create(model="gpt-4o", max_tokens=1, messages=[])
    """,
    "count_tokens": """
        import anthropic
        client = anthropic.Anthropic()
        client.messages.count_tokens(model="claude-sonnet-4-6", messages=[])
    """,
    "text in strings and comments": """
        # client.messages.create(model="claude-sonnet-4-6", max_tokens=1, messages=[])
        doc = "client.messages.create(model='claude-sonnet-4-6', max_tokens=1, messages=[])"
    """,
    "mistral client": f"""
        from mistralai import Mistral
        client = Mistral(api_key="k")
        client.messages.create({SHAPE})
    """,
    "models resource": """
        import anthropic
        client = anthropic.Anthropic()
        client.models.create(name="x")
    """,
}


@pytest.mark.parametrize("code", POSITIVE.values(), ids=POSITIVE.keys())
def test_call_site_found(code: str) -> None:
    assert len(requests(code)) == 1


@pytest.mark.parametrize("code", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_not_a_call_site(code: str) -> None:
    assert requests(code) == []


def test_client_factories_from_config() -> None:
    code = """
        from myproject.llm import build_client
        client = build_client()
        def ask(x):
            return client.messages.create(model=x, max_tokens=1, messages=[])
    """
    assert requests(code) == []
    found = requests(code, extend_client_factories=("myproject.llm.build_client",))
    assert len(found) == 1


def test_request_facts() -> None:
    (req,) = requests("""
        import anthropic
        client = anthropic.AsyncAnthropic()
        async def ask(items):
            for item in items:
                await client.beta.messages.with_raw_response.create(
                    model="claude-opus-4-8", max_tokens=256, messages=[], stream=True)
    """)
    assert req.method == "create" and req.beta and req.client == "AsyncAnthropic"
    assert req.model_id == "claude-opus-4-8" and req.max_tokens == 256
    assert req.site.repeated and req.site.awaited and req.site.is_async
    assert req.site.function == "ask" and len(req.site.loops) == 1


def test_module_level_request_is_one_shot_and_loop_is_not() -> None:
    one, looped = requests("""
        import anthropic
        client = anthropic.Anthropic()
        client.messages.create(model="claude-opus-4-8", max_tokens=1, messages=[])
        for x in range(3):
            client.messages.create(model="claude-opus-4-8", max_tokens=1, messages=[])
    """)
    assert not one.site.repeated
    assert looped.site.repeated


def test_batch_params_are_requests() -> None:
    reqs = requests("""
        import anthropic
        client = anthropic.Anthropic()
        SYSTEM = "Grade essays."
        def submit(essays):
            return client.messages.batches.create(requests=[
                {"custom_id": f"e{i}", "params": {"model": "claude-sonnet-4-6",
                 "max_tokens": 100, "system": SYSTEM, "messages": [{"role": "user", "content": e}]}}
                for i, e in enumerate(essays)
            ])
    """)
    assert len(reqs) == 1
    (req,) = reqs
    assert req.method == "batch" and req.site.batch and req.model_id == "claude-sonnet-4-6"
    assert req.value("system") is not None


def test_kwargs_dict_literal_is_read() -> None:
    (req,) = requests("""
        import anthropic
        client = anthropic.Anthropic()
        def ask(q):
            params = {"model": "claude-haiku-5-5", "max_tokens": 64}
            params["system"] = "Be brief."
            return client.messages.create(messages=[{"role": "user", "content": q}], **params)
    """)
    assert req.model_id == "claude-haiku-5-5" and req.max_tokens == 64
    assert req.arg("system") is not None and not req.unknown_kwargs


def test_unknown_kwargs_are_flagged() -> None:
    (req,) = requests("""
        import anthropic
        client = anthropic.Anthropic()
        def ask(q, **kw):
            return client.messages.create(messages=[q], **kw)
    """)
    assert req.unknown_kwargs


# --- combining traces (one helper for `a or b`, a name's bindings, `self.x`'s bindings) ------


def test_combine_traces() -> None:
    from claudelint.analysis.callsites import NONE, OTHER, Trace, _combine

    client, beta = Trace("client", "Anthropic"), Trace("client", "AsyncAnthropic", beta=True)
    assert _combine([]) is NONE
    assert _combine([NONE, NONE]) is NONE
    assert _combine([NONE, client, beta]) is client  # the first known one
    assert _combine([client, OTHER]) is OTHER  # another provider's object on any path wins
    assert _combine([OTHER, NONE]) is OTHER


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("c = anthropic.Anthropic() if x else None\nc.messages.create({SHAPE})", 1),
        ("c = None or anthropic.Anthropic()\nc.messages.create({SHAPE})", 1),
        ("c = anthropic.Anthropic() if x else openai.OpenAI()\nc.messages.create({SHAPE})", 0),
        ("c = anthropic.Anthropic()\nif x:\n    c = openai.OpenAI()\nc.messages.create({SHAPE})",
         0),
        ("class A:\n    def __init__(self):\n        self.c = anthropic.Anthropic()\n"
         "    def f(self):\n        return self.c.messages.create({SHAPE})", 1),
        ("class A:\n    c = openai.OpenAI()\n    def __init__(self):\n"
         "        self.c = anthropic.Anthropic()\n"
         "    def f(self):\n        return self.c.messages.create({SHAPE})", 0),
    ],
)
def test_combined_traces_in_code(code: str, found: int) -> None:
    src = "import anthropic, openai\n" + code.replace("{SHAPE}", SHAPE) + "\n"
    assert len(requests(src)) == found
