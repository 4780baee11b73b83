"""CL201 oversized-max-tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from claudelint.api import (
    CLASSIFICATION_CAP,
    EXTRACTION_CAP,
    Cost,
    Invalid,
    Option,
    Rule,
    Valid,
    format_usd,
)

if TYPE_CHECKING:
    from claudelint.api import Diagnostic, FixPlan, ModelInfo, Request, RuleContext, TaskEvidence

RULE_NAME = "oversized-max-tokens"
# Reported only from this multiple of the cap, or this many tokens above it:
# `max_tokens=100` for a one-word answer is not worth a warning (a runaway answer costs a
# few dozen tokens more).
OVERSHOOT = 2
MATERIAL_TOKENS = 256


class OversizedMaxTokens(Rule):
    """## What it does
    Finds a constant `max_tokens` far above what a short-answer task can use: a
    classification, a yes/no answer, a routing decision, a label, a score, or a short
    extraction (a few JSON fields). The task is read from evidence, never guessed: the prompt
    pins the answer's format ("Respond with only the category name", "Answer yes or no",
    "Return only JSON with keys name, email"), or the code needs the whole response to be
    short (`text.strip().lower() == "yes"`, `label in CATEGORIES`, `int(text)`,
    `ROUTES[label]`), or the request's structure pins it: few-shot assistant turns that are
    one-word labels, structured output with a handful of short fields
    (`messages.parse(output_format=Model)`, an `output_config` JSON schema, or one tool forced
    by `tool_choice` whose `input_schema` is the answer's format), or the prompt names such a
    task and another signal agrees (`stop_sequences`, "no explanation", `json.loads(text)`).
    The message quotes the evidence. A schema with many fields, a nested object or list, or a
    free-text field (`summary`, `body`, `explanation`) is evidence against a short answer.

    `max_tokens` may be written at the call or come from a value fixed for the process: a
    constant of the module or imported from another module of the project, an entry of a
    constant dict (`LIMITS["classify"]`), a class attribute, or an attribute set once in
    `__init__` from such a value; the message says where it comes from
    ("max_tokens=4096 from `config.MAX_TOKENS`").

    It reports a limit from twice the task's cap or 256 tokens above it: `max_tokens=100`
    for a one-word answer is left alone. It stays silent when the prompt asks for reasoning
    or explanation (step by step, chain of thought, explain, justify) or for open-ended
    output (write, draft, summarise, translate, describe), when thinking is on, when tools
    are passed (unless one forced tool is the answer's format), and when `max_tokens` is a
    parameter, a loop variable or otherwise not a constant.

    ## Why is this bad?
    Output tokens are billed only as they are generated, so a well-formed "yes" costs the same
    under `max_tokens=4096` as under `max_tokens=64`. What the large limit buys is the worst
    case: an answer that runs away — the model ignores the format and explains itself, an
    input carries a prompt injection, a repetition loop — is billed up to the full limit, and
    holds the request open for seconds. Output is the expensive side (5x the input price):
    at Sonnet 4.6's $15 per million output tokens, one runaway answer under 4,096 costs about
    $0.06, against $0.001 under 64. A tight limit also keeps the request's output-token
    rate-limit reservation small, since rate limits are estimated from `max_tokens` when a
    request starts.

    The cost line is therefore an upper bound, and says so: the worst case avoided, as if
    every answer ran to the limit. Expect the real saving to be a small fraction of it — it
    is insurance, priced at its maximum.

    ## Known problems
    The task is read from the prompt's words and the code that uses the response in the same
    function (and, when that function returns the text, in its callers in the same module);
    a prompt assembled at run time or a response used far away leaves it silent. Models that
    think by default (Opus 5 and 5.5, Sonnet 5 and 5.5, Haiku 5.5, Fable and Mythos) count
    thinking tokens against `max_tokens`, so the rule is silent for them unless the request
    turns thinking off, and for a model it cannot identify.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()


    def is_spam(message: str) -> bool:
        response = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=4096,
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
            model="claude-sonnet-4-6",
            max_tokens=64,
            system="You moderate a forum. Answer yes or no: is the message spam?",
            messages=[{"role": "user", "content": message}],
        )
        return response.content[0].text.strip().lower() == "yes"
    ```

    ## Fix safety
    The fix lowers the literal `max_tokens` to the task's cap. It is unsafe: an answer longer
    than the cap is cut off (`stop_reason == "max_tokens"`), which is the point for a runaway
    answer but a behaviour change for a legitimate long one, for example a category name
    longer than the cap or a JSON object with long values. The fix is offered only when the
    number is written at the call (or in a `**params` dict literal used by that call alone),
    or in a constant of the module that nothing but this request reads (the fix then lowers
    the constant where it is defined). A fix never rewrites a value the program also uses
    elsewhere: for a shared constant, or a value set in another module, the message says
    why no fix is offered.

    ## Options
    - `classification-cap` (default `64`): the cap for classification, yes/no, routing,
      labelling and scoring answers.
    - `extraction-cap` (default `1024`): the cap for a short extraction (a JSON object with a
      few named keys).

    ```toml
    [tool.claudelint.options.oversized-max-tokens]
    classification-cap = 32
    extraction-cap = 512
    ```

    ## References
    - https://platform.claude.com/docs/en/api/messages (`max_tokens`, `stop_reason`)
    - https://platform.claude.com/docs/en/api/rate-limits (output tokens are estimated from
      `max_tokens`)
    - https://platform.claude.com/docs/en/about-claude/pricing
    """

    code = "CL201"
    name = RULE_NAME
    summary = "max_tokens far above what a short-answer task can use"
    level = "warning"
    fix_safety = "unsafe"
    options = {
        "classification-cap": Option(
            CLASSIFICATION_CAP, int,
            "max_tokens for classification, yes/no, routing, labelling and scoring answers",
        ),
        "extraction-cap": Option(
            EXTRACTION_CAP, int, "max_tokens for a short extraction (a few JSON fields)"
        ),
    }

    valid = (
        # Summarisation: open-ended output needs room.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def summarise(doc: str) -> str:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,
                    system='Summarise the document in a few paragraphs.',
                    messages=[{'role': 'user', 'content': doc}])
                return r.content[0].text
            """,
        ),
        # A classifier that asks for reasoning first.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def route(ticket: str) -> str:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=2048,
                    system='Think step by step about the ticket, then respond with only the '
                           'category name on the last line.',
                    messages=[{'role': 'user', 'content': ticket}])
                return r.content[0].text.splitlines()[-1]
            """,
        ),
        # A classifier prompt on an OpenAI client: not a Claude request.
        Valid(
            """
            from openai import OpenAI

            client = OpenAI()


            def is_spam(text: str) -> bool:
                r = client.chat.completions.create(model='gpt-4o', max_tokens=4096,
                    messages=[{'role': 'system', 'content': 'Answer yes or no.'},
                              {'role': 'user', 'content': text}])
                return r.choices[0].message.content.strip().lower() == 'yes'
            """,
        ),
        # max_tokens from a parameter: the caller decides.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(text: str, max_tokens: int = 4096) -> bool:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=max_tokens,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
        ),
        # A tool-using agent: tool loops need output room.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            TOOLS = [{'name': 'lookup', 'description': 'Look up an order.',
                      'input_schema': {'type': 'object', 'properties': {}}}]


            def step(messages: list) -> object:
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,
                    system='Classify the request, then respond with only the category name.',
                    tools=TOOLS, messages=messages)
            """,
        ),
        # Thinking enabled: the budget needs room.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def grade(answer: str) -> int:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,
                    thinking={'type': 'enabled', 'budget_tokens': 2048},
                    system='Rate the answer from 1 to 5. Respond with only the number.',
                    messages=[{'role': 'user', 'content': answer}])
                return int(r.content[-1].text)
            """,
        ),
        # A model that thinks by default, thinking not turned off: thinking needs room.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(text: str) -> bool:
                r = client.messages.create(model='claude-sonnet-5-5', max_tokens=4096,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
        ),
        # Weak evidence: a task word alone, the answer used as free text.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def sentiment(review: str) -> str:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=1024,
                    system='Analyse the sentiment of the review.',
                    messages=[{'role': 'user', 'content': review}])
                return r.content[0].text
            """,
        ),
        # A sentinel check on free text is not a short answer.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def answer(q: str) -> str | None:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=2048,
                    messages=[{'role': 'user', 'content': q}])
                text = r.content[0].text
                return None if text == 'NONE' else text
            """,
        ),
        # Near the cap: a runaway one-word answer costs a few dozen tokens more.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def planet_name() -> str:
                r = client.messages.create(model='claude-haiku-4-5', max_tokens=100,
                    messages=[{'role': 'user', 'content': 'Invent a planet name. '
                               'Respond with a single word.'}])
                return r.content[0].text.strip()
            """,
        ),
        # A forced tool whose schema has a free-text field: the answer has room.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            REPORT = {'name': 'report', 'description': 'File the report.',
                      'input_schema': {'type': 'object', 'properties': {
                          'team': {'type': 'string', 'enum': ['billing', 'tech']},
                          'summary': {'type': 'string'}}}}


            def report(ticket: str) -> dict:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,
                    tools=[REPORT], tool_choice={'type': 'tool', 'name': 'report'},
                    system='Classify the ticket.',
                    messages=[{'role': 'user', 'content': ticket}])
                return r.content[0].input
            """,
        ),
        # Few-shot examples with long answers: no label evidence.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def mood(review: str) -> str:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,
                    messages=[{'role': 'user', 'content': 'Great food.'},
                              {'role': 'assistant', 'content': 'Positive: the food pleased.'},
                              {'role': 'user', 'content': 'Cold soup.'},
                              {'role': 'assistant', 'content': 'Negative: the soup was cold.'},
                              {'role': 'user', 'content': review}])
                return r.content[0].text
            """,
        ),
        # Already within the cap.
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(text: str) -> bool:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=16,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
        ),
    )
    invalid = (
        # The doc example: yes/no, from the prompt and the comparison.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(message: str) -> bool:
                response = client.messages.create(
                    model='claude-sonnet-4-6',
                    max_tokens=4096,
                    system='You moderate a forum. Answer yes or no: is the message spam?',
                    messages=[{'role': 'user', 'content': message}],
                )
                return response.content[0].text.strip().lower() == 'yes'
            """,
            expected=((9, 20),),
            message="max_tokens=4096 for a yes/no answer (prompt says",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(message: str) -> bool:
                response = client.messages.create(
                    model='claude-sonnet-4-6',
                    max_tokens=64,
                    system='You moderate a forum. Answer yes or no: is the message spam?',
                    messages=[{'role': 'user', 'content': message}],
                )
                return response.content[0].text.strip().lower() == 'yes'
            """,
        ),
        # Routing read from the code alone: the answer is looked up in a dict of queues.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            QUEUES = {'billing': 'q-bill', 'technical': 'q-tech', 'sales': 'q-sales'}


            def route(ticket: str, prompt: str) -> str:
                r = client.messages.create(model='claude-opus-4-6', max_tokens=1000,
                    messages=[{'role': 'user', 'content': prompt + ticket}])
                team = r.content[0].text.strip().lower()
                return QUEUES[team]
            """,
            expected=((10, 68),),
            message="response used as a key of `QUEUES`",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            QUEUES = {'billing': 'q-bill', 'technical': 'q-tech', 'sales': 'q-sales'}


            def route(ticket: str, prompt: str) -> str:
                r = client.messages.create(model='claude-opus-4-6', max_tokens=64,
                    messages=[{'role': 'user', 'content': prompt + ticket}])
                team = r.content[0].text.strip().lower()
                return QUEUES[team]
            """,
        ),
        # A short extraction: JSON with a few named keys gets the extraction cap.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            import json


            def contact(email_body: str) -> dict:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=8192,
                    system='Return only JSON with keys name, email and company.',
                    messages=[{'role': 'user', 'content': email_body}])
                return json.loads(r.content[0].text)
            """,
            expected=((10, 70),),
            message="for a short extraction",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            import json


            def contact(email_body: str) -> dict:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=1024,
                    system='Return only JSON with keys name, email and company.',
                    messages=[{'role': 'user', 'content': email_body}])
                return json.loads(r.content[0].text)
            """,
        ),
        # Scoring through a caller; a model that thinks by default, with thinking turned off.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def grade(answer: str) -> str:
                with client.messages.stream(model='claude-opus-4-8', max_tokens=2000,
                        thinking={'type': 'disabled'},
                        system='Score the answer on a scale of 1 to 10.',
                        messages=[{'role': 'user', 'content': answer}]) as stream:
                    return stream.get_final_text()


            def average(answers: list[str]) -> float:
                return sum(int(grade(a)) for a in answers) / len(answers)
            """,
            expected=((7, 69),),
            message="`grade()` result parsed with `int(...)`",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            def grade(answer: str) -> str:
                with client.messages.stream(model='claude-opus-4-8', max_tokens=64,
                        thinking={'type': 'disabled'},
                        system='Score the answer on a scale of 1 to 10.',
                        messages=[{'role': 'user', 'content': answer}]) as stream:
                    return stream.get_final_text()


            def average(answers: list[str]) -> float:
                return sum(int(grade(a)) for a in answers) / len(answers)
            """,
        ),
        # A shared constant: reported, not fixed (the other request reads it too).
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            MAX_TOKENS = 4096
            LABELS = ['bug', 'feature', 'question']


            def label(issue: str) -> str:
                r = client.messages.create(model='claude-haiku-4-5', max_tokens=MAX_TOKENS,
                    system='Label the issue. Reply with just the label.',
                    messages=[{'role': 'user', 'content': issue}])
                text = r.content[0].text.strip()
                return text if text in LABELS else 'question'


            def answer(question: str) -> str:
                r = client.messages.create(model='claude-haiku-4-5', max_tokens=MAX_TOKENS,
                    messages=[{'role': 'user', 'content': question}])
                return r.content[0].text
            """,
            expected=((11, 69),),
            message="max_tokens=4096 from `MAX_TOKENS` for a label (prompt says 'Reply with "
                    "just the label.'; response checked `in LABELS`); 64 is plenty (a runaway "
                    "answer costs up to $0.02 more on claude-haiku-4-5-20251001) (no fix "
                    "offered: `MAX_TOKENS` is also read elsewhere)",
        ),
        # A constant read by this request alone: the fix lowers it where it is defined.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            LABEL_TOKENS: int = 2048


            def triage(issue: str) -> str:
                r = client.messages.create(model='claude-haiku-4-5',
                    max_tokens=LABEL_TOKENS,
                    system='Reply with only the priority: low, medium or high.',
                    messages=[{'role': 'user', 'content': issue}])
                return r.content[0].text.strip()
            """,
            expected=((11, 20),),
            message="max_tokens=2048 from `LABEL_TOKENS` for a classification",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            LABEL_TOKENS: int = 64


            def triage(issue: str) -> str:
                r = client.messages.create(model='claude-haiku-4-5',
                    max_tokens=LABEL_TOKENS,
                    system='Reply with only the priority: low, medium or high.',
                    messages=[{'role': 'user', 'content': issue}])
                return r.content[0].text.strip()
            """,
        ),
        # An entry of a constant dict of limits, shared with another request: no fix.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            LIMITS = {'classify': 4096, 'draft': 8192}


            def is_urgent(mail: str) -> bool:
                r = client.messages.create(model='claude-haiku-4-5',
                    max_tokens=LIMITS['classify'],
                    system='Is the mail urgent? Answer yes or no.',
                    messages=[{'role': 'user', 'content': mail}])
                return r.content[0].text.strip().lower() == 'yes'


            def draft(notes: str) -> str:
                r = client.messages.create(model='claude-haiku-4-5', max_tokens=LIMITS['draft'],
                    messages=[{'role': 'user', 'content': 'Write a reply: ' + notes}])
                return r.content[0].text
            """,
            expected=((11, 20),),
            message="max_tokens=4096 from `LIMITS['classify']` for a yes/no answer",
        ),
        # Structure, not words: a forced tool whose schema has two short fields.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            TRIAGE = {'name': 'triage', 'description': 'Record the triage.',
                      'input_schema': {'type': 'object', 'properties': {
                          'team': {'type': 'string', 'enum': ['billing', 'tech', 'sales']},
                          'urgent': {'type': 'boolean'}}}}


            def triage(ticket: str) -> dict:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,
                    tools=[TRIAGE], tool_choice={'type': 'tool', 'name': 'triage'},
                    messages=[{'role': 'user', 'content': ticket}])
                return r.content[0].input
            """,
            expected=((13, 70),),
            message="max_tokens=4096 for a short extraction (the forced tool `triage`'s input "
                    "schema has 2 short fields (team, urgent)); 1024 is plenty",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            TRIAGE = {'name': 'triage', 'description': 'Record the triage.',
                      'input_schema': {'type': 'object', 'properties': {
                          'team': {'type': 'string', 'enum': ['billing', 'tech', 'sales']},
                          'urgent': {'type': 'boolean'}}}}


            def triage(ticket: str) -> dict:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=1024,
                    tools=[TRIAGE], tool_choice={'type': 'tool', 'name': 'triage'},
                    messages=[{'role': 'user', 'content': ticket}])
                return r.content[0].input
            """,
        ),
        # Options: a tighter cap.
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(text: str) -> bool:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=64,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
            expected=((7, 70),),
            message="16 is plenty",
            fixed="""
            import anthropic

            client = anthropic.Anthropic()


            def is_spam(text: str) -> bool:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=16,
                    system='Answer yes or no: is this spam?',
                    messages=[{'role': 'user', 'content': text}])
                return r.content[0].text.strip().lower() == 'yes'
            """,
            settings={"options": {RULE_NAME: {"classification-cap": 16}}},
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        max_tokens = request.max_tokens
        if max_tokens is None:
            return
        if max_tokens <= min(ctx.task_cap("classification"), ctx.task_cap("extraction")):
            return
        from claudelint.api import (
            model_thinks_by_default,
            thinking_setting,
            value_edit,
            value_source,
        )

        source = value_source(request, "max_tokens")
        if source is None:
            return
        task = ctx.task(request)
        if not task.short_answer:
            return
        cap = ctx.task_cap(task.kind)
        if max_tokens < OVERSHOOT * cap and max_tokens - cap < MATERIAL_TOKENS:
            return  # a limit near the cap: nothing worth a warning
        choice = ctx.model_or_default(request)
        # Thinking tokens count against max_tokens: unless the request turns thinking off,
        # only a model known not to think by default leaves the whole limit to the answer.
        if thinking_setting(request) != "off" and (
            choice is None or model_thinks_by_default(choice.info) is not False
        ):
            return
        choice = choice or ctx.least_favourable(lambda m: m.output)
        model, assumed = choice.info, choice.assumed
        cost = _cost(model, max_tokens, cap, task, ctx.cost_basis_calls, assumed=assumed,
                     batch=request.site.batch)
        if cost is None:
            return
        per_call = cost.usd_saved / cost.calls
        if per_call >= 0.0001:
            worst = f"a runaway answer costs up to {format_usd(per_call)} more on {model.id}"
        else:  # too small to show per call
            worst = (f"runaway answers cost up to {format_usd(cost.usd_saved)} more per "
                     f"{cost.calls:,} calls on {model.id}")
        message = (
            f"max_tokens={max_tokens}{source.shown} for {task.label} ({task.because()}); "
            f"{cap} is plenty ({worst})"
        )
        fix: FixPlan | None = None
        target = value_edit(request, "max_tokens")
        edit = ctx.edit.replace_int(target.node, cap) if target.node is not None else None
        if edit is not None:
            from claudelint.api import FixPlan

            fix = FixPlan(f"Lower max_tokens to {cap}", "unsafe", (edit,))
        elif target.why_not:
            message += f" ({target.why_not})"
        arg = request.arg("max_tokens")
        assert arg is not None
        yield ctx.diagnostic(arg.node, message, fix=fix, cost=cost, fallback=request.call)


def _cost(model: ModelInfo, max_tokens: int, cap: int, task: TaskEvidence, calls: int, *,
          assumed: bool, batch: bool) -> Cost | None:
    avoided = max_tokens - cap
    worst = model.cost_usd(output_tokens=avoided * calls, batch=batch)
    if worst is None:
        return None
    assumptions: list[Any] = [
        f"worst case avoided: every answer runs away to max_tokens={max_tokens} instead of "
        f"stopping at {cap} ({avoided:,} output tokens per call)",
        f"a well-formed answer ({task.label}) costs the same either way: output is billed "
        "as generated, so the real saving is a fraction of this upper bound",
        f"output price of {model.id}",
    ]
    if assumed:
        assumptions.append("model not known statically: the configured default or the "
                           "active model with the lowest output price")
    if batch:
        assumptions.append("Message Batches prices (50%)")
    return Cost(model.id, avoided, worst, calls, tuple(assumptions), upper_bound=True)
