"""CL301 overpowered-model."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import Cost, DictV, Invalid, Option, Rule, Valid, const_str

if TYPE_CHECKING:
    from claudelint.api import Diagnostic, FixPlan, ModelInfo, Request, RuleContext

SMALL_MAX_TOKENS = 256
# Clients whose model IDs are the Claude API's own: the Haiku ID can be written as is.
_FIRST_PARTY = frozenset({"Anthropic", "AsyncAnthropic", "Client", "AsyncClient", "untraced"})


def _ratio(a: float, b: float) -> str:
    r = a / b
    return f"{r:.0f}x" if r >= 10 else f"{r:.1f}x".replace(".0x", "x")


class OverpoweredModel(Rule):
    """## What it does
    Finds an Opus or Sonnet model used for a short-answer task — a classification, a yes/no
    answer, a routing decision, a label, a score or a short extraction, read from the same
    evidence as CL201 (oversized-max-tokens) — with a small `max_tokens` (at most the task's
    cap, or at most `small-max-tokens`), and suggests the newest Haiku in the knowledge base
    that takes the request as written. Haiku 5.5 thinks by default and thinking tokens count
    against `max_tokens`, so for a `max_tokens` of 100 or less (thinking not turned off) the
    suggestion is Haiku 4.5; a request that ends with an assistant prefill gets only a Haiku
    known to accept one (`prefill` in the knowledge base: Claude 4.6 and later models reject
    it). The message shows the evidence and the price ratio.

    The model and `max_tokens` may be written at the call or come from values fixed for the
    process — a constant of the module or imported from another module of the project, an
    entry of a constant dict (`MODELS["smart"]`), a class attribute, an attribute set once in
    `__init__` from such a value, or an environment variable's default — and the message
    says where each comes from ("claude-opus-4-8 from `MODELS['smart']`"). A tiny
    `max_tokens` after an assistant prefill (`max_tokens=1` after "The answer is (") is
    evidence of a one-token answer too.

    It stays silent when the model is not a constant (a parameter, an attribute set from
    one, a loop over models), when the code compares models on purpose (the
    function, its class or the file is named eval, benchmark, compare, experiment, or the
    call sits in a loop over models), and whenever CL201's detection does (reasoning asked
    for, open-ended output, thinking on, tools present).

    ## Why is this bad?
    Picking a label or answering yes or no is what the smallest model does well, and the
    price gap is large: Opus 4.8 costs $5 per million input tokens and $25 per million
    output tokens, Haiku 5.5 $0.10 and $0.50 — 50x. A classifier that reads 1,500 tokens per
    call costs about $7.50 per 1,000 calls on Opus 4.8 and $0.15 on Haiku 5.5. The cost line
    gives the estimate for the request's own prompt: the known prompt tokens (run-time
    values such as the user's text are not counted, so the real saving is higher) and the
    output at `max_tokens` (an upper bound; a short answer uses fewer).

    ## Known problems
    Some short answers are hard: a label that needs expert judgement, a subtle policy
    decision. Evaluate Haiku on a sample of real inputs before switching; if it falls short,
    keep the model and add `# noqa: CL301` with the reason. Haiku 5.5 thinks adaptively by
    default, and thinking tokens count against `max_tokens` (which is why it is not suggested
    for a limit of 100 or less): check for `stop_reason == "max_tokens"` after switching.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()


    def is_spam(message: str) -> bool:
        response = client.messages.create(
            model="claude-opus-4-8",
            max_tokens=8,
            system="You moderate a forum. Answer yes or no: is the message spam?",
            messages=[{"role": "user", "content": message}],
        )
        return response.content[0].text.strip().lower() == "yes"
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()


    def is_spam(message: str) -> bool:
        response = client.messages.create(
            model="claude-haiku-4-5-20251001",
            max_tokens=8,
            system="You moderate a forum. Answer yes or no: is the message spam?",
            messages=[{"role": "user", "content": message}],
        )
        return response.content[0].text.strip().lower() == "yes"
    ```

    ## Fix safety
    The fix replaces the model string with the current Haiku's ID. It is unsafe: a different
    model may answer differently, and accuracy on your task is yours to measure. It is offered
    only when the string is written at the call (or in a `**params` dict literal used by that
    call alone, or in a constant of the module that nothing but this request reads) and is a
    Claude API ID or alias, not a constant shared with other requests (the message then says
    why no fix is offered) and not a Bedrock or Vertex AI name (whose Haiku IDs and
    availability differ).

    ## Options
    - `small-max-tokens` (default `256`): a `max_tokens` at or below this (or at or below the
      task's cap from `[options.oversized-max-tokens]`) counts as small.

    ## References
    - https://platform.claude.com/docs/en/about-claude/models/choosing-a-model
    - https://platform.claude.com/docs/en/about-claude/pricing
    """

    code = "CL301"
    name = "overpowered-model"
    summary = "Opus or Sonnet used for a short-answer task that Haiku handles"
    level = "warning"
    fix_safety = "unsafe"
    options = {
        "small-max-tokens": Option(
            SMALL_MAX_TOKENS, int,
            "a max_tokens at or below this (or the task's cap) counts as a small answer",
        ),
    }

    valid = (
        # Summarisation needs a capable model and room.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def summarise(doc: str) -> str:
                r = client.messages.create(model='claude-opus-4-8', max_tokens=200,
                    system='Summarise the document in three sentences.',
                    messages=[{'role': 'user', 'content': doc}])
                return r.content[0].text
            """,
        ),
        # The model is a parameter: the caller chooses.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(text: str, model: str = 'claude-opus-4-8') -> bool:
                r = client.messages.create(model=model, max_tokens=8,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
        ),
        # An eval loop over models compares them on purpose.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            MODELS = ['claude-opus-4-8', 'claude-sonnet-4-6', 'claude-haiku-5-5']


            def run(texts: list[str]) -> dict:
                hits = {}
                for model in MODELS:
                    for t in texts:
                        r = client.messages.create(model=model, max_tokens=8,
                            system='Answer yes or no: is this spam?',
                            messages=[{'role': 'user', 'content': t}])
                        hits[model] = r.content[0].text.strip().lower() == 'yes'
                return hits
            """,
        ),
        # A function named as an eval, with a literal model.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def eval_opus_spam(text: str) -> bool:
                r = client.messages.create(model='claude-opus-4-8', max_tokens=8,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
        ),
        # A classifier that asks for reasoning first.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def route(ticket: str) -> str:
                r = client.messages.create(model='claude-opus-4-8', max_tokens=256,
                    system='Explain your reasoning, then give the category.',
                    messages=[{'role': 'user', 'content': ticket}])
                return r.content[0].text
            """,
        ),
        # A tool-using agent.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def step(messages: list, tools: list) -> object:
                return client.messages.create(model='claude-opus-4-8', max_tokens=200,
                    system='Respond with only the category name.', tools=tools,
                    messages=messages)
            """,
        ),
        # Thinking enabled.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def grade(answer: str) -> str:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=2048,
                    thinking={'type': 'enabled', 'budget_tokens': 1024},
                    system='Rate the answer from 1 to 5. Respond with only the number.',
                    messages=[{'role': 'user', 'content': answer}])
                return r.content[-1].text
            """,
        ),
        # A classifier prompt on an OpenAI client.
        Valid(
            """
            from openai import OpenAI

            client = OpenAI()


            def is_spam(text: str) -> bool:
                r = client.chat.completions.create(model='gpt-4o', max_tokens=8,
                    messages=[{'role': 'system', 'content': 'Answer yes or no.'},
                              {'role': 'user', 'content': text}])
                return r.choices[0].message.content.strip().lower() == 'yes'
            """,
        ),
        # Already Haiku.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(text: str) -> bool:
                r = client.messages.create(model='claude-haiku-5-5', max_tokens=8,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
        ),
        # A large max_tokens: CL201's business first, not a small answer as written.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(text: str) -> bool:
                r = client.messages.create(model='claude-opus-4-8', max_tokens=4096,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
        ),
        # Benchmark files compare models on purpose.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(text: str) -> bool:
                r = client.messages.create(model='claude-opus-4-8', max_tokens=8,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
            path="bench/spam_benchmark.py",
        ),
    )
    invalid = (
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(message: str) -> bool:
                response = client.messages.create(
                    model='claude-opus-4-8',
                    max_tokens=8,
                    system='You moderate a forum. Answer yes or no: is the message spam?',
                    messages=[{'role': 'user', 'content': message}],
                )
                return response.content[0].text.strip().lower() == 'yes'
            """,
            expected=((8, 15),),
            message="claude-opus-4-8 costs 5x claude-haiku-4-5-20251001 per input token",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(message: str) -> bool:
                response = client.messages.create(
                    model='claude-haiku-4-5-20251001',
                    max_tokens=8,
                    system='You moderate a forum. Answer yes or no: is the message spam?',
                    messages=[{'role': 'user', 'content': message}],
                )
                return response.content[0].text.strip().lower() == 'yes'
            """,
        ),
        # A `**params` dict literal used by this call alone; a sentiment classifier.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def sentiment(review: str) -> str:
                params = {
                    'model': "claude-sonnet-4-6",
                    'max_tokens': 5,
                    'system': 'Classify the sentiment of the review. '
                              'Output only the label: positive, negative or neutral.',
                }
                r = client.messages.create(messages=[{'role': 'user', 'content': review}],
                                           **params)
                return r.content[0].text.strip()
            """,
            expected=((13, 9),),
            message="a classification",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            def sentiment(review: str) -> str:
                params = {
                    'model': "claude-haiku-4-5-20251001",
                    'max_tokens': 5,
                    'system': 'Classify the sentiment of the review. '
                              'Output only the label: positive, negative or neutral.',
                }
                r = client.messages.create(messages=[{'role': 'user', 'content': review}],
                                           **params)
                return r.content[0].text.strip()
            """,
        ),
        # One token after a prefill: the answer is a letter, whatever the prompt says.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def pick(question: str) -> str:
                r = client.messages.create(model='claude-opus-4-5', max_tokens=1,
                    messages=[{'role': 'user', 'content': question},
                              {'role': 'assistant', 'content': 'The answer is ('}])
                return r.content[0].text
            """,
            expected=((7, 38),),
            message="claude-opus-4-5-20251101 on a classification (room for a few tokens "
                    "after the assistant prefill 'The answer is ('; max_tokens=1)",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            def pick(question: str) -> str:
                r = client.messages.create(model='claude-haiku-4-5-20251001', max_tokens=1,
                    messages=[{'role': 'user', 'content': question},
                              {'role': 'assistant', 'content': 'The answer is ('}])
                return r.content[0].text
            """,
        ),
        # A module constant shared by several calls: reported, not fixed.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            MODEL = 'claude-sonnet-4-6'


            def priority(ticket: str) -> int:
                r = client.messages.create(model=MODEL, max_tokens=4,
                    system='Rate the urgency from 1 to 5. Respond with only the number.',
                    messages=[{'role': 'user', 'content': ticket}])
                return int(r.content[0].text)


            def reply(ticket: str) -> str:
                r = client.messages.create(model=MODEL, max_tokens=2048,
                    messages=[{'role': 'user', 'content': ticket}])
                return r.content[0].text
            """,
            expected=((10, 38),),
            message="claude-sonnet-4-6 from `MODEL` on a score (prompt says 'Respond with only "
                    "the number.'; response parsed with `int(...)`; max_tokens=4): "
                    "claude-haiku-4-5-20251001 is enough — claude-sonnet-4-6 costs 3x "
                    "claude-haiku-4-5-20251001 per input token (no fix offered: `MODEL` is "
                    "also read elsewhere)",
        ),
        # A model picked from a constant table, with a limit from a constant: reported with
        # both origins; the table is read elsewhere, so no fix.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            MODELS = {'fast': 'claude-sonnet-4-6', 'smart': 'claude-opus-4-8'}
            LABEL_TOKENS = 8


            def sentiment(review: str) -> str:
                r = client.messages.create(model=MODELS['smart'], max_tokens=LABEL_TOKENS,
                    system='Output only the sentiment: positive, negative or neutral.',
                    messages=[{'role': 'user', 'content': review}])
                return r.content[0].text.strip()


            def names() -> list[str]:
                return list(MODELS.values())
            """,
            expected=((11, 38),),
            message="claude-opus-4-8 from `MODELS['smart']` on a classification (prompt says "
                    "'Output only the sentiment: positive, negative or neutral.'; "
                    "max_tokens=8 from `LABEL_TOKENS`)",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        model_id = request.model_id
        max_tokens = request.max_tokens
        if model_id is None or max_tokens is None:
            return
        match = ctx.knowledge.lookup(model_id)
        if match is None or match.info.family not in ("opus", "sonnet"):
            return
        model = match.info
        haiku = _fitting_haiku(ctx, request)
        if haiku is None or not model.input or not haiku.input or model.input <= haiku.input:
            return
        small = int(ctx.option("small-max-tokens"))
        if max_tokens > max(small, ctx.task_cap("classification"), ctx.task_cap("extraction")):
            return
        from claudelint.api import (
            compares_models,
            known_prompt_text,
            value_edit,
            value_source,
        )

        source = value_source(request, "model")
        limit_source = value_source(request, "max_tokens")
        if source is None or limit_source is None:
            return
        task = ctx.task(request)
        if not task.short_answer:
            return
        if max_tokens > max(small, ctx.task_cap(task.kind)):
            return
        if compares_models(request, ctx.path) is not None:
            return
        cost = _cost(request, model, haiku, max_tokens, known_prompt_text(request), ctx)
        if cost is None:
            return
        message = (
            f"{model.id}{source.shown} on {task.label} ({task.because()}; "
            f"max_tokens={max_tokens}{limit_source.shown}): {haiku.id} is enough — "
            f"{model.id} costs {_ratio(model.input, haiku.input)} {haiku.id} per input token"
        )
        fix: FixPlan | None = None
        target = value_edit(request, "model")
        if (
            target.node is not None and match.platform == "anthropic"
            and match.spelling in ("id", "alias") and request.client in _FIRST_PARTY
        ):
            edit = ctx.edit.replace_string(target.node, haiku.id)
            if edit is not None:
                from claudelint.api import FixPlan

                fix = FixPlan(f"Use {haiku.id}", "unsafe", (edit,))
        elif target.why_not:
            message += f" ({target.why_not})"
        arg = request.arg("model")
        assert arg is not None
        yield ctx.diagnostic(arg.node, message, fix=fix, cost=cost, fallback=request.call)


def _fitting_haiku(ctx: RuleContext, request: Request) -> ModelInfo | None:
    """The newest active Haiku that takes the request as it is: its thinking type, an
    assistant prefill, and a `max_tokens` with no room to think for a model that thinks by
    default (`breaks_request`). Haiku 5.5 thinks by default, so a request with
    `max_tokens=8` gets Haiku 4.5."""
    from claudelint.api import breaks_request

    thinking = request.value("thinking")
    kind = const_str(thinking.get("type")) if isinstance(thinking, DictV) else None
    haikus = sorted((m for m in ctx.knowledge.active_models()
                     if "haiku" in (m.family, m.line) and m.released_on is not None),
                    key=lambda m: m.released_on or datetime.date.min, reverse=True)
    for m in haikus:
        if kind is not None and m.accepts_thinking(kind) is not True:
            continue
        if breaks_request(m, request) is None:
            return m
    return None


def _cost(request: Request, model: ModelInfo, haiku: ModelInfo, max_tokens: int,
          prompt: str, ctx: RuleContext) -> Cost | None:
    calls = ctx.cost_basis_calls
    prompt_tokens = ctx.tokens(prompt, model).low if prompt else 0
    batch = request.site.batch
    now = model.cost_usd(input_tokens=prompt_tokens * calls, output_tokens=max_tokens * calls,
                         batch=batch)
    then = haiku.cost_usd(input_tokens=prompt_tokens * calls, output_tokens=max_tokens * calls,
                          batch=batch)
    if now is None or then is None:
        return None
    assumptions: list[str] = [
        f"{prompt_tokens:,} input tokens: the prompt text known statically (low estimate; "
        "run-time values such as the user's input are not counted)",
        f"{max_tokens:,} output tokens: max_tokens, an upper bound (a short answer uses fewer)",
        f"the same token counts on {haiku.id}",
    ]
    if batch:
        assumptions.append("Message Batches prices (50%)")
    return Cost(model.id, prompt_tokens + max_tokens, max(0.0, now - then), calls,
                tuple(assumptions))
