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


class BatchableLoop(Rule):
    """## What it does
    Finds Messages requests made one after another over a collection — in a `for` loop, a
    `while queue: item = queue.pop()` loop, a comprehension, `asyncio.gather(*[...])`, or an
    executor `map` / `submit` — where no response feeds a later request. The same holds when
    the loop calls a local function (or method) that makes one request, directly or through
    one more function of the same file, or through a name bound to it (`call = ask_v2 if new
    else ask_v1`, every function it may hold defined in the file); the message then names the
    function, the name it was called through, and the line of the loop. A loop that calls a
    function imported from another module of the project, which makes one request there, is
    reported at the call (the message names the function and its module) when both files are
    linted in the same run. The message shows the Message Batches call that replaces the loop.

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
    anything built from it reaches a later request, or decides whether it is made, as in `while
    response.stop_reason == "tool_use"`), agent steps that send a conversation kept across calls
    (`self.messages` or a module-level list), loops over the tools a response asked for (`for
    tool_use in tool_uses`), a scheduler's tick that skips the jobs not due yet (`if now <
    job.next_run_at: continue`) — a `break` when a running total of the cost reaches a limit
    (`if spent >= budget: break`) is a cap, not a dependency —, a search that returns or breaks
    after its one request (the loop around it still counts), helpers that wait for `input()`,
    loops over three items or fewer or over a handful (at most 10) written out in the code, or
    mapped from such a handful (examples in a demo or a notebook), loops that pair a function's
    one `query` / `question` parameter with each item (reranking retrieved passages for a user
    who waits) unless that function is itself called once per item of a collection, files that
    already use `messages.batches`, and clients without the Batches API (Bedrock, Vertex AI,
    Foundry). A loop in another module around a call of this file's functions is not seen. A CLI
    tool or a worker whose user does wait for each answer will still be reported: suppress it
    with `# noqa: CL401`.

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
    imported_wrappers = True

    valid = (
        # Retry loop: break on success.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                for attempt in range(5):
                    try:
                        r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256,
                            messages=[{'role': 'user', 'content': q}])
                        break
                    except anthropic.RateLimitError:
                        continue
                return r
            """,
        ),
        # Retry loop: `while result is None`.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                result = None
                while result is None:
                    try:
                        result = client.messages.create(model='claude-sonnet-4-6',
                            max_tokens=256, messages=[{'role': 'user', 'content': q}])
                    except anthropic.APIError:
                        pass
                return result
            """,
        ),
        # Chat loop: the response is appended to the messages sent next.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def chat(questions):
                messages = []
                for q in questions:
                    messages.append({'role': 'user', 'content': q})
                    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256,
                        messages=messages)
                    messages.append({'role': 'assistant', 'content': r.content})
            """,
        ),
        # Refinement chain: each draft feeds the next request.
        Valid(
            r"""
            import anthropic
            client = anthropic.Anthropic()
            def refine(draft, critiques):
                for critique in critiques:
                    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=2048,
                        messages=[{'role': 'user', 'content': f'{draft}\n\nFix: {critique}'}])
                    draft = r.content[0].text
                return draft
            """,
        ),
        # Agent tool loop.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def run(messages, tools):
                response = client.messages.create(model='claude-sonnet-4-6', max_tokens=1024,
                    tools=tools, messages=messages)
                while response.stop_reason == 'tool_use':
                    messages = [*messages, {'role': 'assistant', 'content': response.content}]
                    response = client.messages.create(model='claude-sonnet-4-6',
                        max_tokens=1024, tools=tools, messages=messages)
                return response
            """,
        ),
        # A web handler serving a waiting user.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            from fastapi import FastAPI
            app = FastAPI()
            @app.post('/translate')
            def translate(lines: list[str]):
                return [client.messages.create(model='claude-haiku-4-5', max_tokens=256,
                    messages=[{'role': 'user', 'content': line}]).content[0].text
                    for line in lines]
            """,
        ),
        # Streaming requests cannot be batched.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def stream_all(docs):
                for doc in docs:
                    with client.messages.stream(model='claude-sonnet-4-6', max_tokens=512,
                            messages=[{'role': 'user', 'content': doc}]) as s:
                        print(s.get_final_text())
            """,
        ),
        # Three models compared: not worth a batch.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def compare(q):
                for m in ('claude-haiku-4-5', 'claude-sonnet-4-6', 'claude-opus-4-8'):
                    client.messages.create(model=m, max_tokens=256,
                        messages=[{'role': 'user', 'content': q}])
            """,
        ),
        # The file already uses Message Batches.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def run(docs, urgent):
                client.messages.batches.create(requests=[{'custom_id': str(i), 'params': {
                    'model': 'claude-sonnet-4-6', 'max_tokens': 256,
                    'messages': [{'role': 'user', 'content': d}]}} for i, d in enumerate(docs)])
                for d in urgent:
                    client.messages.create(model='claude-sonnet-4-6', max_tokens=256,
                        messages=[{'role': 'user', 'content': d}])
            """,
        ),
        # Bedrock has no Batches API in the SDK.
        Valid(
            """
            from anthropic import AnthropicBedrock
            client = AnthropicBedrock()
            def run(docs):
                for d in docs:
                    client.messages.create(model='anthropic.claude-sonnet-4-6', max_tokens=256,
                        messages=[{'role': 'user', 'content': d}])
            """,
        ),
        # Interactive loop: a person waits for each answer.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            for _ in range(100):
                q = input('> ')
                print(client.messages.create(model='claude-sonnet-4-6', max_tokens=256,
                    messages=[{'role': 'user', 'content': q}]).content[0].text)
            """,
        ),
        # A handful of examples written out in the code (a demo or a notebook), not data.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            QUESTIONS = ['What is 2+2?', 'Name a prime.', 'Spell cat.', 'Define pi.']
            for i, q in enumerate(QUESTIONS):
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256,
                    messages=[{'role': 'user', 'content': q}])
                print(i, r.content[0].text)
            """,
        ),
        # Reranking retrieved passages for one user's query: the user waits for the ranking.
        Valid(
            r"""
            import anthropic
            client = anthropic.Anthropic()
            def rerank(query, passages):
                scores = []
                for p in passages:
                    r = client.messages.create(model='claude-haiku-4-5', max_tokens=4,
                        messages=[{'role': 'user', 'content':
                            f'Query: {query}\nPassage: {p}\nRelevance 0-10, digits only:'}])
                    scores.append(float(r.content[0].text))
                return sorted(zip(scores, passages), reverse=True)
            """,
        ),
        # Stops at the first acceptable answer: the response decides the next request.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def first_match(candidates):
                for c in candidates:
                    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256,
                        messages=[{'role': 'user', 'content': c}])
                    if 'MATCH' in r.content[0].text:
                        return c
            """,
        ),
        # An agent step reached through a method: the conversation lives on the object.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            class Agent:
                def __init__(self):
                    self.messages = []
                def step(self, text):
                    self.messages.append({'role': 'user', 'content': text})
                    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256,
                        messages=self.messages)
                    self.messages.append({'role': 'assistant', 'content': r.content})
                    return r
            def work(tasks):
                agent = Agent()
                for t in tasks:
                    agent.step(t)
            """,
        ),
        # A helper that waits for the user, called in a loop.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            class Helper:
                def reply(self, q):
                    return client.messages.create(model='claude-sonnet-4-6', max_tokens=256,
                        messages=[{'role': 'user', 'content': q}])
                def turn(self):
                    return self.reply(input('> '))
            def repl(rounds):
                h = Helper()
                for _ in rounds:
                    h.turn()
            """,
        ),
    )
    invalid = (
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            rows = load_rows()
            for row in rows:
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=[{'role': 'user', 'content': f'Summarise: {row}'}])
                save(row, r.content[0].text)
            """,
            expected=((5, 9),),
            message="messages.batches.create",
        ),
        # A comprehension.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def label(texts):
                return [client.messages.create(model='claude-haiku-4-5', max_tokens=300,
                    messages=[{'role': 'user', 'content': t}]) for t in texts]
            """,
            expected=((4, 13),),
            message="50%",
        ),
        # asyncio.gather over calls of a local async function that makes one request.
        Invalid(
            """
            import asyncio
            import anthropic
            client = anthropic.AsyncAnthropic()
            async def summarise(doc):
                r = await client.messages.create(model='claude-sonnet-4-6', max_tokens=400,
                    messages=[{'role': 'user', 'content': doc}])
                return r.content[0].text
            async def main(docs):
                return await asyncio.gather(*[summarise(d) for d in docs])
            """,
            expected=((9, 35),),
            message="asyncio.gather",
        ),
        # A thread-pool map over a function that makes one request.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            from concurrent.futures import ThreadPoolExecutor
            def grade(essay):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=800,
                    messages=[{'role': 'user', 'content': essay}]).content[0].text
            def grade_all(essays):
                with ThreadPoolExecutor(8) as pool:
                    return list(pool.map(grade, essays))
            """,
            expected=((5, 12),),
            message="pool.map",
        ),
        # A retry loop inside a loop over a collection: the outer loop is batchable.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def run(docs):
                for doc in docs:
                    for attempt in range(3):
                        try:
                            r = client.messages.create(model='claude-sonnet-4-6',
                                max_tokens=256, messages=[{'role': 'user', 'content': doc}])
                            break
                        except anthropic.APIError:
                            continue
            """,
            expected=((7, 21),),
            message="`docs`",
        ),
        # The loop already numbers its items: the batch keeps that index.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            rows = load_rows()
            for n, row in enumerate(rows):
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=[{'role': 'user', 'content': f'Summarise: {row}'}])
                save(n, r.content[0].text)
            """,
            expected=((5, 9),),
            message='"custom_id": f"row-{n}"',
        ),
        # Draining a work queue.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def drain(queue):
                while queue:
                    job = queue.pop()
                    client.messages.create(model='claude-sonnet-4-6', max_tokens=256,
                        messages=[{'role': 'user', 'content': job}])
            """,
            expected=((6, 9),),
            message="drained from `queue`",
        ),
        # The loop two calls up, through methods: the message names where the loop is.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            class Summariser:
                def _call(self, text):
                    return client.messages.create(model='claude-sonnet-4-6', max_tokens=300,
                        messages=[{'role': 'user', 'content': text}])
                def summarise(self, doc):
                    return self._call('Summarise: ' + doc)
            def run(docs):
                s = Summariser()
                for d in docs:
                    s.summarise(d)
            """,
            expected=((5, 16),),
            message="called from `summarise()`, once per item of `docs` in a `for` loop in "
                    "`run()` (line 11)",
        ),
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
        if rep.through:
            made += ", called from " + " from ".join(f"`{t}()`" for t in rep.through) + ","
        if rep.alias is not None:
            made += f" through {rep.alias}," if rep.through else f", called through {rep.alias},"
    where = f" in {rep.place}" if rep.place is not None else ""
    if rep.kind == "gather":
        return f"{made} once per item of {items}, fanned out with `asyncio.gather`{where}"
    if rep.kind == "map":
        holder = rep.node
        code = getattr(getattr(holder, "func", None), "attr", None)
        base = getattr(getattr(holder, "func", None), "value", None)
        shown = f"{getattr(base, 'value', '')}.{code.value}" if code is not None else "map"
        return f"{made} once per item of {items} through `{shown.lstrip('.')}`{where}"
    if rep.kind == "while":
        return f"{made} once per item drained from {items}{where}, one after another"
    if rep.kind == "comprehension":
        return (f"{made} once per item of {items} in a comprehension{where}, "
                "one after another")
    return f"{made} once per item of {items} in a `for` loop{where}, one after another"


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
