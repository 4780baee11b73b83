"""CL401 batchable-loop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import Const, Cost, Invalid, Rule, Valid, walk_texts

if TYPE_CHECKING:
    from claudelint.api import Diagnostic, ModelInfo, Repetition, Request, RuleContext

# Clients whose SDK class refuses the Batches API (facts §3): Bedrock (and its Messages-API
# "Mantle" endpoint), Vertex AI, and Foundry (`messages.batches` is None).
_NO_BATCHES = ("Bedrock", "Vertex", "Foundry")

_HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"


def _src(body: str) -> str:
    return _HEAD + body


class BatchableLoop(Rule):
    """## What it does
    Finds Messages requests made one after another over a collection — in a `for` loop, a
    `while queue: item = queue.pop()` loop, a comprehension, `asyncio.gather(*[...])`, or an
    executor `map` / `submit` — where no response feeds a later request. The same holds when
    the loop calls a local function (or method) that makes one request. The message shows the
    Message Batches call that replaces the loop.

    ## Why is this bad?
    The Message Batches API bills input and output at 50% of the standard price. A job that
    labels, summarises or grades rows one request at a time, and does not need each answer
    within seconds, pays double. Summarising 1,000 documents of ~2,000 tokens into ~500-token
    summaries on Sonnet 4.6 costs ~$13.50 with single requests and ~$6.75 as one batch. The
    cost line gives the saving per 1,000 calls for the request's own model: its known prompt
    tokens as input and `max_tokens` as the output upper bound. Most batches finish within an
    hour (24 hours at most), and caching still applies inside them.

    ## Known problems
    The rule cannot know whether somebody waits for the answers. It stays silent where that is
    evident: loops in functions decorated as web routes (`@app.get`, `@app.post`,
    `@app.route`, `@router.*`), websocket handlers, streaming generators, interactive loops
    (`input()`), streaming requests (`stream=True`, `.stream(...)`: batches cannot stream).
    It also skips retry loops (`for attempt in range(n)` with `break`/`return` on success,
    `while result is None`, a `try` around the request), chat and agent loops (a response or
    anything built from it reaches a later request, or decides whether it is made, as in
    `while response.stop_reason == "tool_use"`), loops over three items or fewer or over a
    handful (at most 10) written out in the code (examples in a demo or a notebook), loops
    that pair a function's one `query` / `question` parameter with each item (reranking
    retrieved passages for a user who waits), files that already use `messages.batches`, and
    clients without the Batches API (Bedrock, Vertex AI, Foundry). A CLI tool or a worker
    whose user does wait for each answer will still be reported: suppress it with
    `# noqa: CL401`.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()

    def summarise_all(articles: list[str]) -> list[str]:
        summaries = []
        for article in articles:
            response = client.messages.create(
                model="claude-sonnet-4-6",
                max_tokens=512,
                messages=[{"role": "user", "content": f"Summarise:\\n\\n{article}"}],
            )
            summaries.append(response.content[0].text)
        return summaries
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()

    def submit_summaries(articles: list[str]) -> str:
        batch = client.messages.batches.create(
            requests=[
                {
                    "custom_id": f"article-{i}",
                    "params": {
                        "model": "claude-sonnet-4-6",
                        "max_tokens": 512,
                        "messages": [{"role": "user", "content": f"Summarise:\\n\\n{article}"}],
                    },
                }
                for i, article in enumerate(articles)
            ]
        )
        return batch.id  # poll client.messages.batches.retrieve(id), then .results(id)
    ```

    ## Fix safety
    No fix: moving to Batches changes when results arrive (asynchronously, within 24 hours)
    and how they are collected (`custom_id` per request), which only the author can decide.

    ## Options
    None.

    ## References
    - https://platform.claude.com/docs/en/build-with-claude/batch-processing
    - https://platform.claude.com/docs/en/about-claude/pricing
    """

    code = "CL401"
    name = "batchable-loop"
    summary = "Independent requests made one at a time over a collection could be one batch"
    level = "warning"
    fix_safety = "none"

    valid = (
        # Retry loop: break on success.
        Valid(_src(
            "def ask(q):\n"
            "    for attempt in range(5):\n"
            "        try:\n"
            "            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256,\n"
            "                messages=[{'role': 'user', 'content': q}])\n"
            "            break\n"
            "        except anthropic.RateLimitError:\n"
            "            continue\n"
            "    return r\n"
        )),
        # Retry loop: `while result is None`.
        Valid(_src(
            "def ask(q):\n"
            "    result = None\n"
            "    while result is None:\n"
            "        try:\n"
            "            result = client.messages.create(model='claude-sonnet-4-6',\n"
            "                max_tokens=256, messages=[{'role': 'user', 'content': q}])\n"
            "        except anthropic.APIError:\n"
            "            pass\n"
            "    return result\n"
        )),
        # Chat loop: the response is appended to the messages sent next.
        Valid(_src(
            "def chat(questions):\n"
            "    messages = []\n"
            "    for q in questions:\n"
            "        messages.append({'role': 'user', 'content': q})\n"
            "        r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256,\n"
            "            messages=messages)\n"
            "        messages.append({'role': 'assistant', 'content': r.content})\n"
        )),
        # Refinement chain: each draft feeds the next request.
        Valid(_src(
            "def refine(draft, critiques):\n"
            "    for critique in critiques:\n"
            "        r = client.messages.create(model='claude-sonnet-4-6', max_tokens=2048,\n"
            "            messages=[{'role': 'user', 'content': f'{draft}\\n\\nFix: {critique}'}])\n"
            "        draft = r.content[0].text\n"
            "    return draft\n"
        )),
        # Agent tool loop.
        Valid(_src(
            "def run(messages, tools):\n"
            "    response = client.messages.create(model='claude-sonnet-4-6', max_tokens=1024,\n"
            "        tools=tools, messages=messages)\n"
            "    while response.stop_reason == 'tool_use':\n"
            "        messages = [*messages, {'role': 'assistant', 'content': response.content}]\n"
            "        response = client.messages.create(model='claude-sonnet-4-6',\n"
            "            max_tokens=1024, tools=tools, messages=messages)\n"
            "    return response\n"
        )),
        # A web handler serving a waiting user.
        Valid(_src(
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "@app.post('/translate')\n"
            "def translate(lines: list[str]):\n"
            "    return [client.messages.create(model='claude-haiku-4-5', max_tokens=256,\n"
            "        messages=[{'role': 'user', 'content': line}]).content[0].text\n"
            "        for line in lines]\n"
        )),
        # Streaming requests cannot be batched.
        Valid(_src(
            "def stream_all(docs):\n"
            "    for doc in docs:\n"
            "        with client.messages.stream(model='claude-sonnet-4-6', max_tokens=512,\n"
            "                messages=[{'role': 'user', 'content': doc}]) as s:\n"
            "            print(s.get_final_text())\n"
        )),
        # Three models compared: not worth a batch.
        Valid(_src(
            "def compare(q):\n"
            "    for m in ('claude-haiku-4-5', 'claude-sonnet-4-6', 'claude-opus-4-8'):\n"
            "        client.messages.create(model=m, max_tokens=256,\n"
            "            messages=[{'role': 'user', 'content': q}])\n"
        )),
        # The file already uses Message Batches.
        Valid(_src(
            "def run(docs, urgent):\n"
            "    client.messages.batches.create(requests=[{'custom_id': str(i), 'params': {\n"
            "        'model': 'claude-sonnet-4-6', 'max_tokens': 256,\n"
            "        'messages': [{'role': 'user', 'content': d}]}} for i, d in enumerate(docs)])\n"
            "    for d in urgent:\n"
            "        client.messages.create(model='claude-sonnet-4-6', max_tokens=256,\n"
            "            messages=[{'role': 'user', 'content': d}])\n"
        )),
        # Bedrock has no Batches API in the SDK.
        Valid(
            "from anthropic import AnthropicBedrock\nclient = AnthropicBedrock()\n"
            "def run(docs):\n"
            "    for d in docs:\n"
            "        client.messages.create(model='anthropic.claude-sonnet-4-6', max_tokens=256,\n"
            "            messages=[{'role': 'user', 'content': d}])\n"
        ),
        # Interactive loop: a person waits for each answer.
        Valid(_src(
            "for _ in range(100):\n"
            "    q = input('> ')\n"
            "    print(client.messages.create(model='claude-sonnet-4-6', max_tokens=256,\n"
            "        messages=[{'role': 'user', 'content': q}]).content[0].text)\n"
        )),
        # A handful of examples written out in the code (a demo or a notebook), not data.
        Valid(_src(
            "QUESTIONS = ['What is 2+2?', 'Name a prime.', 'Spell cat.', 'Define pi.']\n"
            "for i, q in enumerate(QUESTIONS):\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256,\n"
            "        messages=[{'role': 'user', 'content': q}])\n"
            "    print(i, r.content[0].text)\n"
        )),
        # Reranking retrieved passages for one user's query: the user waits for the ranking.
        Valid(_src(
            "def rerank(query, passages):\n"
            "    scores = []\n"
            "    for p in passages:\n"
            "        r = client.messages.create(model='claude-haiku-4-5', max_tokens=4,\n"
            "            messages=[{'role': 'user', 'content':\n"
            "                f'Query: {query}\\nPassage: {p}\\nRelevance 0-10, digits only:'}])\n"
            "        scores.append(float(r.content[0].text))\n"
            "    return sorted(zip(scores, passages), reverse=True)\n"
        )),
        # Stops at the first acceptable answer: the response decides the next request.
        Valid(_src(
            "def first_match(candidates):\n"
            "    for c in candidates:\n"
            "        r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256,\n"
            "            messages=[{'role': 'user', 'content': c}])\n"
            "        if 'MATCH' in r.content[0].text:\n"
            "            return c\n"
        )),
    )
    invalid = (
        Invalid(_src(
            "rows = load_rows()\n"
            "for row in rows:\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,\n"
            "        messages=[{'role': 'user', 'content': f'Summarise: {row}'}])\n"
            "    save(row, r.content[0].text)\n"
        ), expected_lines=(5,), message="messages.batches.create"),
        # A comprehension.
        Invalid(_src(
            "def label(texts):\n"
            "    return [client.messages.create(model='claude-haiku-4-5', max_tokens=300,\n"
            "        messages=[{'role': 'user', 'content': t}]) for t in texts]\n"
        ), expected_lines=(4,), message="50%"),
        # asyncio.gather over calls of a local async function that makes one request.
        Invalid(
            "import asyncio\nimport anthropic\nclient = anthropic.AsyncAnthropic()\n"
            "async def summarise(doc):\n"
            "    r = await client.messages.create(model='claude-sonnet-4-6', max_tokens=400,\n"
            "        messages=[{'role': 'user', 'content': doc}])\n"
            "    return r.content[0].text\n"
            "async def main(docs):\n"
            "    return await asyncio.gather(*[summarise(d) for d in docs])\n",
            expected_lines=(9,), message="asyncio.gather",
        ),
        # A thread-pool map over a function that makes one request.
        Invalid(_src(
            "from concurrent.futures import ThreadPoolExecutor\n"
            "def grade(essay):\n"
            "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=800,\n"
            "        messages=[{'role': 'user', 'content': essay}]).content[0].text\n"
            "def grade_all(essays):\n"
            "    with ThreadPoolExecutor(8) as pool:\n"
            "        return list(pool.map(grade, essays))\n"
        ), expected_lines=(5,), message="pool.map"),
        # A retry loop inside a loop over a collection: the outer loop is batchable.
        Invalid(_src(
            "def run(docs):\n"
            "    for doc in docs:\n"
            "        for attempt in range(3):\n"
            "            try:\n"
            "                r = client.messages.create(model='claude-sonnet-4-6',\n"
            "                    max_tokens=256, messages=[{'role': 'user', 'content': doc}])\n"
            "                break\n"
            "            except anthropic.APIError:\n"
            "                continue\n"
        ), expected_lines=(7,), message="`docs`"),
        # The loop already numbers its items: the batch keeps that index.
        Invalid(_src(
            "rows = load_rows()\n"
            "for n, row in enumerate(rows):\n"
            "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,\n"
            "        messages=[{'role': 'user', 'content': f'Summarise: {row}'}])\n"
            "    save(n, r.content[0].text)\n"
        ), expected_lines=(5,), message='"custom_id": f"row-{n}"'),
        # Draining a work queue.
        Invalid(_src(
            "def drain(queue):\n"
            "    while queue:\n"
            "        job = queue.pop()\n"
            "        client.messages.create(model='claude-sonnet-4-6', max_tokens=256,\n"
            "            messages=[{'role': 'user', 'content': job}])\n"
        ), expected_lines=(6,)),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        if request.site.batch or request.method in ("stream", "tool_runner", "batch"):
            return
        stream = request.value("stream")
        if stream is not None and not (isinstance(stream, Const) and stream.value is False):
            return
        if any(word in request.client for word in _NO_BATCHES):
            return
        model_id = request.model_id
        if model_id is not None:
            match = ctx.knowledge.lookup(model_id)
            if match is not None and match.platform != "anthropic":
                return  # a Bedrock or Vertex AI model ID through an untraced client
        repetition = ctx.repetition(request)
        if repetition is None:
            return
        choice = ctx.model_or_default(request) or ctx.least_favourable(lambda m: m.input)
        model, assumed = choice.info, choice.assumed
        message = (
            f"{_what(request, repetition)}, and no response feeds a later request: one "
            f"Message Batch does the same work at 50% of the input and output price: "
            f"{_equivalent(request, repetition)}"
        )
        yield ctx.diagnostic(request.call, message,
                             cost=_cost(request, model, ctx, assumed,
                                        countable=choice is not None))


def _what(request: Request, rep: Repetition) -> str:
    items = f"`{rep.items}`"
    made = "request made"
    if rep.via is not None:
        made = f"`{rep.via}()` makes this request"
    if rep.kind == "gather":
        return f"{made} once per item of {items}, fanned out with `asyncio.gather`"
    if rep.kind == "map":
        holder = rep.node
        code = getattr(getattr(holder, "func", None), "attr", None)
        base = getattr(getattr(holder, "func", None), "value", None)
        shown = f"{getattr(base, 'value', '')}.{code.value}" if code is not None else "map"
        return f"{made} once per item of {items} through `{shown.lstrip('.')}`"
    if rep.kind == "while":
        return f"{made} once per item drained from {items}, one after another"
    if rep.kind == "comprehension":
        return f"{made} once per item of {items} in a comprehension, one after another"
    return f"{made} once per item of {items} in a `for` loop, one after another"


def _slug(name: str) -> str:
    slug = name.split(".")[-1].strip("_")
    slug = "".join(ch for ch in slug.replace("_", "-") if ch.isalnum() or ch == "-")[:20]
    return slug or "item"


def _equivalent(request: Request, rep: Repetition) -> str:
    beta = "beta." if request.beta else ""
    head = f"`client.{beta}messages.batches.create(requests=["
    params = '"params": {...same request...}}'
    # The loop already counts (`for i, doc in enumerate(docs)`): keep its index.
    if rep.items.startswith("enumerate(") and len(rep.targets) == 2 and \
            rep.targets[0].isidentifier() and rep.targets[1].isidentifier():
        index, item = rep.targets
        return (f'{head}{{"custom_id": f"{_slug(item)}-{{{index}}}", {params} '
                f"for {index}, {item} in {rep.items}])`")
    target = rep.targets[0] if len(rep.targets) == 1 else "item"
    if len(rep.targets) > 1:
        target = "(" + ", ".join(rep.targets) + ")"
    slug = _slug(rep.targets[0] if rep.targets else "item")
    return (
        f'{head}{{"custom_id": f"{slug}-{{i}}", {params} '
        f"for i, {target} in enumerate({rep.items})])`"
    )


def _prompt_tokens(request: Request, model: ModelInfo | None, tokenizer: str,
                   ctx: RuleContext) -> int:
    text = "".join(
        t.known for name in ("system", "tools", "messages") for t in walk_texts(request.value(name))
    )
    return ctx.tokens(text, model, tokenizer).low if text else 0


def _cost(request: Request, model: ModelInfo, ctx: RuleContext, assumed: bool, *,
          countable: bool) -> Cost | None:
    calls = ctx.cost_basis_calls
    prompt = _prompt_tokens(request, model if countable else None, model.tokenizer, ctx)
    out = request.max_tokens or 0
    full = model.cost_usd(input_tokens=prompt * calls, output_tokens=out * calls)
    batched = model.cost_usd(input_tokens=prompt * calls, output_tokens=out * calls, batch=True)
    if full is None or batched is None:
        return None
    assumptions: tuple[str, ...] = (
        f"{prompt:,} input tokens per request: the known characters of the prompt (low "
        "estimate; run-time values not counted)",
        f"output at max_tokens={out:,} per request (upper bound)" if out else
        "max_tokens not known: output not counted",
        "Message Batches bill input and output at 50% of the standard price",
        "no prompt caching (its multipliers stack with the batch discount)",
    )
    if assumed:
        assumptions += ("model not known statically: the cheapest active model",)
    # With the output counted at max_tokens the figure is a ceiling, not an expectation.
    return Cost(model.id, prompt, max(0.0, full - batched), calls, assumptions,
                upper_bound=out > 0)
