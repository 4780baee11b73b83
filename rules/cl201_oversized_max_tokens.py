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

_HEAD = "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"


class OversizedMaxTokens(Rule):
    """## What it does
    Finds a constant `max_tokens` far above what a short-answer task can use: a
    classification, a yes/no answer, a routing decision, a label, a score, or a short
    extraction (a few JSON fields). The task is read from evidence, never guessed: the prompt
    pins the answer's format ("Respond with only the category name", "Answer yes or no",
    "Return only JSON with keys name, email"), or the code needs the whole response to be
    short (`text.strip().lower() == "yes"`, `label in CATEGORIES`, `int(text)`,
    `ROUTES[label]`), or the prompt names such a task and another signal agrees
    (`stop_sequences`, "no explanation", `json.loads(text)`). The message quotes the evidence.

    It reports a limit from twice the task's cap or 256 tokens above it: `max_tokens=100`
    for a one-word answer is left alone. It stays silent when the prompt asks for reasoning
    or explanation (step by step, chain of thought, explain, justify) or for open-ended
    output (write, draft, summarise, translate, describe), when thinking is on, when tools
    are passed, and when `max_tokens` is a
    parameter or otherwise not a constant.

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
    never on a shared constant.

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
            _HEAD + "def summarise(doc: str) -> str:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,\n"
            "        system='Summarise the document in a few paragraphs.',\n"
            "        messages=[{'role': 'user', 'content': doc}])\n"
            "    return r.content[0].text\n"
        ),
        # A classifier that asks for reasoning first.
        Valid(
            _HEAD + "def route(ticket: str) -> str:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=2048,\n"
            "        system='Think step by step about the ticket, then respond with only the '\n"
            "               'category name on the last line.',\n"
            "        messages=[{'role': 'user', 'content': ticket}])\n"
            "    return r.content[0].text.splitlines()[-1]\n"
        ),
        # A classifier prompt on an OpenAI client: not a Claude request.
        Valid(
            "from openai import OpenAI\n\nclient = OpenAI()\n\n\n"
            "def is_spam(text: str) -> bool:\n"
            "    r = client.chat.completions.create(model='gpt-4o', max_tokens=4096,\n"
            "        messages=[{'role': 'system', 'content': 'Answer yes or no.'},\n"
            "                  {'role': 'user', 'content': text}])\n"
            "    return r.choices[0].message.content.strip().lower() == 'yes'\n"
        ),
        # max_tokens from a parameter: the caller decides.
        Valid(
            _HEAD + "def is_spam(text: str, max_tokens: int = 4096) -> bool:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=max_tokens,\n"
            "        system='Answer yes or no: is this spam?',\n"
            "        messages=[{'role': 'user', 'content': text}])\n"
            "    return r.content[0].text.strip().lower() == 'yes'\n"
        ),
        # A tool-using agent: tool loops need output room.
        Valid(
            _HEAD + "TOOLS = [{'name': 'lookup', 'description': 'Look up an order.',\n"
            "          'input_schema': {'type': 'object', 'properties': {}}}]\n\n\n"
            "def step(messages: list) -> object:\n"
            "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,\n"
            "        system='Classify the request, then respond with only the category name.',\n"
            "        tools=TOOLS, messages=messages)\n"
        ),
        # Thinking enabled: the budget needs room.
        Valid(
            _HEAD + "def grade(answer: str) -> int:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,\n"
            "        thinking={'type': 'enabled', 'budget_tokens': 2048},\n"
            "        system='Rate the answer from 1 to 5. Respond with only the number.',\n"
            "        messages=[{'role': 'user', 'content': answer}])\n"
            "    return int(r.content[-1].text)\n"
        ),
        # A model that thinks by default, thinking not turned off: thinking needs room.
        Valid(
            _HEAD + "def is_spam(text: str) -> bool:\n"
            "    r = client.messages.create(model='claude-sonnet-5-5', max_tokens=4096,\n"
            "        system='Answer yes or no: is this spam?',\n"
            "        messages=[{'role': 'user', 'content': text}])\n"
            "    return r.content[0].text.strip().lower() == 'yes'\n"
        ),
        # Weak evidence: a task word alone, the answer used as free text.
        Valid(
            _HEAD + "def sentiment(review: str) -> str:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=1024,\n"
            "        system='Analyse the sentiment of the review.',\n"
            "        messages=[{'role': 'user', 'content': review}])\n"
            "    return r.content[0].text\n"
        ),
        # A sentinel check on free text is not a short answer.
        Valid(
            _HEAD + "def answer(q: str) -> str | None:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=2048,\n"
            "        messages=[{'role': 'user', 'content': q}])\n"
            "    text = r.content[0].text\n"
            "    return None if text == 'NONE' else text\n"
        ),
        # Near the cap: a runaway one-word answer costs a few dozen tokens more.
        Valid(
            _HEAD + "def planet_name() -> str:\n"
            "    r = client.messages.create(model='claude-haiku-4-5', max_tokens=100,\n"
            "        messages=[{'role': 'user', 'content': 'Invent a planet name. '\n"
            "                   'Respond with a single word.'}])\n"
            "    return r.content[0].text.strip()\n"
        ),
        # Already within the cap.
        Valid(
            _HEAD + "def is_spam(text: str) -> bool:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=16,\n"
            "        system='Answer yes or no: is this spam?',\n"
            "        messages=[{'role': 'user', 'content': text}])\n"
            "    return r.content[0].text.strip().lower() == 'yes'\n"
        ),
    )
    invalid = (
        # The doc example: yes/no, from the prompt and the comparison.
        Invalid(
            _HEAD + "def is_spam(message: str) -> bool:\n"
            "    response = client.messages.create(\n"
            "        model='claude-sonnet-4-6',\n"
            "        max_tokens=4096,\n"
            "        system='You moderate a forum. Answer yes or no: is the message spam?',\n"
            "        messages=[{'role': 'user', 'content': message}],\n"
            "    )\n"
            "    return response.content[0].text.strip().lower() == 'yes'\n",
            expected_lines=(9,),
            message="max_tokens=4096 for a yes/no answer (prompt says",
            fixed=(
                _HEAD + "def is_spam(message: str) -> bool:\n"
                "    response = client.messages.create(\n"
                "        model='claude-sonnet-4-6',\n"
                "        max_tokens=64,\n"
                "        system='You moderate a forum. Answer yes or no: is the message spam?',\n"
                "        messages=[{'role': 'user', 'content': message}],\n"
                "    )\n"
                "    return response.content[0].text.strip().lower() == 'yes'\n"
            ),
        ),
        # Routing read from the code alone: the answer is looked up in a dict of queues.
        Invalid(
            _HEAD + "QUEUES = {'billing': 'q-bill', 'technical': 'q-tech', "
            "'sales': 'q-sales'}\n\n\n"
            "def route(ticket: str, prompt: str) -> str:\n"
            "    r = client.messages.create(model='claude-opus-4-6', max_tokens=1000,\n"
            "        messages=[{'role': 'user', 'content': prompt + ticket}])\n"
            "    team = r.content[0].text.strip().lower()\n"
            "    return QUEUES[team]\n",
            expected_lines=(10,),
            message="response used as a key of `QUEUES`",
            fixed=(
                _HEAD + "QUEUES = {'billing': 'q-bill', 'technical': 'q-tech', "
                "'sales': 'q-sales'}\n\n\n"
                "def route(ticket: str, prompt: str) -> str:\n"
                "    r = client.messages.create(model='claude-opus-4-6', max_tokens=64,\n"
                "        messages=[{'role': 'user', 'content': prompt + ticket}])\n"
                "    team = r.content[0].text.strip().lower()\n"
                "    return QUEUES[team]\n"
            ),
        ),
        # A short extraction: JSON with a few named keys gets the extraction cap.
        Invalid(
            _HEAD + "import json\n\n\n"
            "def contact(email_body: str) -> dict:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=8192,\n"
            "        system='Return only JSON with keys name, email and company.',\n"
            "        messages=[{'role': 'user', 'content': email_body}])\n"
            "    return json.loads(r.content[0].text)\n",
            expected_lines=(10,),
            message="for a short extraction",
            fixed=(
                _HEAD + "import json\n\n\n"
                "def contact(email_body: str) -> dict:\n"
                "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=1024,\n"
                "        system='Return only JSON with keys name, email and company.',\n"
                "        messages=[{'role': 'user', 'content': email_body}])\n"
                "    return json.loads(r.content[0].text)\n"
            ),
        ),
        # Scoring through a caller; a model that thinks by default, with thinking turned off.
        Invalid(
            _HEAD + "def grade(answer: str) -> str:\n"
            "    with client.messages.stream(model='claude-opus-4-8', max_tokens=2000,\n"
            "            thinking={'type': 'disabled'},\n"
            "            system='Score the answer on a scale of 1 to 10.',\n"
            "            messages=[{'role': 'user', 'content': answer}]) as stream:\n"
            "        return stream.get_final_text()\n\n\n"
            "def average(answers: list[str]) -> float:\n"
            "    return sum(int(grade(a)) for a in answers) / len(answers)\n",
            expected_lines=(7,),
            message="`grade()` result parsed with `int(...)`",
            fixed=(
                _HEAD + "def grade(answer: str) -> str:\n"
                "    with client.messages.stream(model='claude-opus-4-8', max_tokens=64,\n"
                "            thinking={'type': 'disabled'},\n"
                "            system='Score the answer on a scale of 1 to 10.',\n"
                "            messages=[{'role': 'user', 'content': answer}]) as stream:\n"
                "        return stream.get_final_text()\n\n\n"
                "def average(answers: list[str]) -> float:\n"
                "    return sum(int(grade(a)) for a in answers) / len(answers)\n"
            ),
        ),
        # A shared constant: reported, not fixed.
        Invalid(
            _HEAD + "MAX_TOKENS = 4096\nLABELS = ['bug', 'feature', 'question']\n\n\n"
            "def label(issue: str) -> str:\n"
            "    r = client.messages.create(model='claude-haiku-4-5', max_tokens=MAX_TOKENS,\n"
            "        system='Label the issue. Reply with just the label.',\n"
            "        messages=[{'role': 'user', 'content': issue}])\n"
            "    text = r.content[0].text.strip()\n"
            "    return text if text in LABELS else 'question'\n",
            expected_lines=(11,),
            message="for a label",
            fixed=None,
        ),
        # Options: a tighter cap.
        Invalid(
            _HEAD + "def is_spam(text: str) -> bool:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=64,\n"
            "        system='Answer yes or no: is this spam?',\n"
            "        messages=[{'role': 'user', 'content': text}])\n"
            "    return r.content[0].text.strip().lower() == 'yes'\n",
            expected_lines=(7,),
            message="16 is plenty",
            settings={"options": {RULE_NAME: {"classification-cap": 16}}},
            fixed=(
                _HEAD + "def is_spam(text: str) -> bool:\n"
                "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=16,\n"
                "        system='Answer yes or no: is this spam?',\n"
                "        messages=[{'role': 'user', 'content': text}])\n"
                "    return r.content[0].text.strip().lower() == 'yes'\n"
            ),
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        max_tokens = request.max_tokens
        if max_tokens is None:
            return
        if max_tokens <= min(ctx.task_cap("classification"), ctx.task_cap("extraction")):
            return
        from claudelint.api import (
            arg_origin,
            max_tokens_literal_node,
            model_thinks_by_default,
            thinking_setting,
        )

        if arg_origin(request, "max_tokens") not in ("literal", "constant"):
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
            f"max_tokens={max_tokens} for {task.label} ({task.because()}); {cap} is plenty "
            f"({worst})"
        )
        fix: FixPlan | None = None
        node = max_tokens_literal_node(request)
        edit = ctx.edit.replace_int(node, cap) if node is not None else None
        if edit is not None:
            from claudelint.api import FixPlan

            fix = FixPlan(f"Lower max_tokens to {cap}", "unsafe", (edit,))
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
