"""CL501 unbounded-history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import Cost, Invalid, Rule, Valid, format_usd

if TYPE_CHECKING:
    from claudelint.api import Diagnostic, ModelInfo, Request, RuleContext

# The conversation the cost line describes.
TURNS = 20
USER_TOKENS = 100
REPLY_TOKENS = 400


class UnboundedHistory(Rule):
    """## What it does
    Finds a message list (or a prompt string) that grows on every pass of a loop — `append`,
    `extend`, `insert`, `+=`, `history = history + [...]` — and is sent whole with each
    request, with nothing that bounds or caches it: no trimming (`history[-20:]`, `del`,
    `pop`), no summary or compaction (the list reassigned), no message-level cache breakpoint
    and no top-level `cache_control`. This includes `self.history` grown in a method that is
    called from a loop of the same file (a `chat()` method driven by a `while True:` prompt
    loop, directly or through one more method), a module-level list grown (or reassigned
    `HISTORY = HISTORY + [...]`) by a function called in a loop, an agent loop written as
    recursion (`step(messages)` grows `messages` and calls itself), and a filtered copy of
    the history (`[m for m in history if ...]`) sent whole. A list joined whole into the
    system prompt or a message's text (`"\\n".join(notes)`, `sep.join(f"- {n}" for n in
    notes)`, directly or through a name bound once) counts the same: the whole history is
    re-sent as text, including a parameter the caller fills, on every pass of a loop around
    the call, with a list that grows in that loop. A removal that only takes back
    the current turn does not bound the history: a `pop()` in an `except`, or a loop that
    pops until the last message is the user's (`while h and h[-1]["role"] != "user":
    h.pop()`); one that measures the list (`while len(h) > 20: h.pop()`) does.

    ## Why is this bad?
    Every request bills the whole history again as input. A conversation of N turns sends
    1 + 2 + … + N turns in total, so its input grows with N²: by turn 20 each call re-sends
    the 19 turns before it. With a cache breakpoint on the last message, the history is read
    from the cache at a tenth of the input price (or less) and only the new turn is written;
    with trimming or a summary it stops growing at all. The cost line compares the uncached
    and the cached conversation for the request's own model: its input and cache read prices,
    20 turns of ~500 tokens, averaged per call.

    ## Known problems
    Trimming done somewhere the rule cannot see (a helper in another module, a token-count
    check in a library) is not recognised; a list passed to a local function whose name says
    it trims, summarises, compacts or caches (`trim_history(messages)`), or that pops from or
    deletes in that parameter, counts as bounded (and one that appends to it grows the list).
    A `reset()` method that reassigns `self.history` anywhere in the class keeps the rule
    silent, even if the user rarely calls it. Histories received as parameters are followed
    only in the loop of the function that sends them, or along its own recursive calls (a
    joined text only in a caller's loop: a recursive call that re-joins its list is most
    often a one-off continuation).

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()
    history = []
    while True:
        history.append({"role": "user", "content": input("> ")})
        reply = client.messages.create(
            model="claude-sonnet-4-6", max_tokens=1024, messages=history
        )
        history.append({"role": "assistant", "content": reply.content})
        print(reply.content[0].text)
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()
    history = []
    while True:
        history.append({"role": "user", "content": input("> ")})
        reply = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=1024,
            messages=history,
            cache_control={"type": "ephemeral"},  # caches up to the last message
        )
        history.append({"role": "assistant", "content": reply.content})
        print(reply.content[0].text)
    ```
    Or keep the last turns only (`messages=history[-20:]`), or replace old turns by a summary.

    ## Fix safety
    No fix: where to bound or cache a conversation (how many turns, whether to summarise)
    changes what the model sees, and is for the author to decide.

    ## Options
    None.

    ## References
    - https://platform.claude.com/docs/en/build-with-claude/prompt-caching
    - https://platform.claude.com/docs/en/build-with-claude/context-windows
    """

    code = "CL501"
    name = "unbounded-history"
    summary = "A message history grows in a loop and is re-sent whole on every call"
    level = "warning"
    fix_safety = "none"

    valid = (
        # Trimmed to the last turns before sending.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            history = []
            while True:
                history.append({'role': 'user', 'content': input()})
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=history[-10:])
                history.append({'role': 'assistant', 'content': r.content})
            """,
        ),
        # Popped when too long.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            history = []
            while True:
                history.append({'role': 'user', 'content': input()})
                if len(history) > 20:
                    history.pop(0)
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=history)
                history.append({'role': 'assistant', 'content': r.content})
            """,
        ),
        # Top-level automatic caching.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            history = []
            while True:
                history.append({'role': 'user', 'content': input()})
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=history, cache_control={'type': 'ephemeral'})
                history.append({'role': 'assistant', 'content': r.content})
            """,
        ),
        # Message-level breakpoint added to the newest turn.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            history = []
            while True:
                history.append({'role': 'user', 'content': [{'type': 'text', 'text': input(),
                    'cache_control': {'type': 'ephemeral'}}]})
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=history)
                history.append({'role': 'assistant', 'content': r.content})
            """,
        ),
        # Summarised: the list is replaced.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            history = []
            while True:
                history.append({'role': 'user', 'content': input()})
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=history)
                history.append({'role': 'assistant', 'content': r.content})
                if len(history) > 30:
                    history = [{'role': 'user', 'content': summarise(history)}]
            """,
        ),
        # A fresh list for every item: nothing accumulates.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def run(docs):
                for doc in docs:
                    messages = [{'role': 'user', 'content': doc}]
                    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        messages=messages)
                    messages.append({'role': 'assistant', 'content': r.content})
            """,
        ),
        # A bounded deque.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            from collections import deque
            history = deque(maxlen=12)
            while True:
                history.append({'role': 'user', 'content': input()})
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=list(history))
                history.append({'role': 'assistant', 'content': r.content})
            """,
        ),
        # The method trims its own history.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            class Bot:
                def __init__(self):
                    self.messages = []
                def chat(self, text):
                    self.messages.append({'role': 'user', 'content': text})
                    self.messages = self.messages[-16:]
                    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        messages=self.messages)
                    self.messages.append({'role': 'assistant', 'content': r.content})
            bot = Bot()
            while True:
                bot.chat(input())
            """,
        ),
        # Grown by a method that is never called in a loop here.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            class Bot:
                def __init__(self):
                    self.messages = []
                def chat(self, text):
                    self.messages.append({'role': 'user', 'content': text})
                    return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        messages=self.messages)
            """,
        ),
        # A recursive agent step that sends only the last turns.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def step(messages):
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=messages[-10:])
                if r.stop_reason == 'end_turn':
                    return r
                messages.append({'role': 'assistant', 'content': r.content})
                return step(messages)
            """,
        ),
        # A new object (and history) on every call of the function the loop calls.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            class Bot:
                def __init__(self):
                    self.history = []
                def chat(self, text):
                    self.history.append({'role': 'user', 'content': text})
                    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        messages=self.history)
                    self.history.append({'role': 'assistant', 'content': r.content})
            def answer(text):
                bot = Bot()
                bot.chat(text)
            def answer_all(items):
                for t in items:
                    answer(t)
            """,
        ),
    )
    invalid = (
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            history = []
            while True:
                history.append({'role': 'user', 'content': input()})
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=history)
                history.append({'role': 'assistant', 'content': r.content})
            """,
            expected=((7, 18),),
            message="`history`",
        ),
        # self.messages grown by chat(), which a `while True` loop calls.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            class Bot:
                def __init__(self):
                    self.client = anthropic.Anthropic()
                    self.messages = []
                def chat(self, text):
                    self.messages.append({'role': 'user', 'content': text})
                    r = self.client.messages.create(model='claude-opus-4-8', max_tokens=1024,
                        messages=self.messages)
                    self.messages.append({'role': 'assistant', 'content': r.content})
                    return r.content[0].text
            def main():
                bot = Bot()
                while True:
                    print(bot.chat(input('> ')))
            """,
            expected=((10, 22),),
            message="Bot.chat()",
        ),
        # An agent tool loop re-sending its growing transcript without a breakpoint.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def run(task, tools):
                messages = [{'role': 'user', 'content': task}]
                while True:
                    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=2048,
                        tools=tools, messages=messages)
                    if r.stop_reason != 'tool_use':
                        return r
                    messages.append({'role': 'assistant', 'content': r.content})
                    messages.append({'role': 'user', 'content': run_tools(r)})
            """,
            expected=((7, 35),),
            message="N²",
        ),
        # A prompt string that accumulates the transcript.
        Invalid(
            r"""
            import anthropic
            client = anthropic.Anthropic()
            transcript = ''
            for line in script_lines():
                transcript += f'User: {line}\n'
                r = client.messages.create(model='claude-haiku-4-5', max_tokens=300,
                    messages=[{'role': 'user', 'content': transcript}])
                transcript += f'Assistant: {r.content[0].text}\n'
            """,
            expected=((7, 47),),
            message="`transcript`",
        ),
        # An agent loop written as recursion.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def step(messages):
                r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                    messages=messages)
                if r.stop_reason == 'end_turn':
                    return r
                messages.append({'role': 'assistant', 'content': r.content})
                messages.append({'role': 'user', 'content': run_tools(r)})
                return step(messages)
            """,
            expected=((5, 18),),
            message="on every recursive call of `step()`",
        ),
        # A filtered copy still grows; the pop only takes back a failed turn.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            history = []
            while True:
                history.append({'role': 'user', 'content': input()})
                try:
                    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        messages=[m for m in history if m['content']])
                except anthropic.APIError:
                    history.pop()
                    continue
                history.append({'role': 'assistant', 'content': r.content})
            """,
            expected=((8, 22),),
            message="`while True` loop",
        ),
        # The history is grown by the method that calls the one sending it, in a loop two
        # calls up.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            class Bot:
                def __init__(self):
                    self.history = []
                def _send(self):
                    return client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                        messages=self.history)
                def chat(self, text):
                    self.history.append({'role': 'user', 'content': text})
                    r = self._send()
                    self.history.append({'role': 'assistant', 'content': r.content})
                def handle(self, text):
                    self.chat(text.strip())
            bot = Bot()
            while True:
                bot.handle(input())
            """,
            expected=((8, 22),),
            message="on every call of `Bot.chat()`, from `Bot.handle()`",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        growth = ctx.history(request)
        if growth is None:
            return
        choice = ctx.model_or_default(request) or ctx.least_favourable(
            lambda m: None if m.input is None or m.cache_read is None else m.input - m.cache_read)
        model, assumed = choice.info, choice.assumed
        turn = USER_TOKENS + min(request.max_tokens or REPLY_TOKENS, REPLY_TOKENS)
        resent = (TURNS - 1) * turn
        full = model.cost_usd(input_tokens=resent)
        cached = model.cost_usd(cache_read_tokens=resent)
        detail = ""
        if full is not None and cached is not None:
            detail = (
                f"; by turn {TURNS} each call re-sends ~{resent:,} history tokens "
                f"({format_usd(full)} at {model.id}'s input price vs {format_usd(cached)} "
                f"read from cache)"
            )
        sent = "re-sent whole with each request"
        if growth.joined:
            where = "system prompt" if growth.into == "system" else "message"
            join = _short(growth.joined)
            if growth.joined_name and growth.joined_name not in join:
                join += f"` over `{growth.joined_name}"
            sent = f"joined whole into the {where} text (`{join}`) re-sent with each request"
        message = (
            f"`{growth.name}` grows (`{_short(growth.growth)}`) {growth.loop}, and is "
            f"{sent}: input grows with every turn, O(N²) over a "
            f"conversation, with no trimming, summary or message-level cache "
            f"breakpoint{detail}"
        )
        yield ctx.diagnostic(growth.node, message, fallback=request.call,
                             cost=_cost(model, turn, ctx.cost_basis_calls, assumed))


def _short(code: str) -> str:
    first = code.splitlines()[0] if code else code
    if "(" in first and len(first) > 40:
        return first[: first.index("(") + 1] + "...)"
    return first if len(first) <= 60 else first[:57] + "..."


def _cost(model: ModelInfo, turn: int, calls: int, assumed: bool) -> Cost | None:
    """The saving per call, averaged over a TURNS-turn conversation, of caching the history:
    turn k sends (k-1) earlier turns plus its own; uncached all of it is input, cached the
    earlier turns are read and the new turn is written once."""
    uncached = 0.0
    cached = 0.0
    for k in range(1, TURNS + 1):
        full = model.cost_usd(input_tokens=k * turn)
        hit = model.cost_usd(cache_read_tokens=(k - 1) * turn, cache_write_tokens=turn)
        if full is None or hit is None:
            return None
        uncached += full
        cached += hit
    per_call = max(0.0, uncached - cached) / TURNS
    assumptions: tuple[str, ...] = (
        f"a conversation of {TURNS} turns, each adding ~{turn:,} tokens "
        f"(~{USER_TOKENS} user + ~{turn - USER_TOKENS} reply)",
        "uncached: the whole history is billed as input on every call",
        "cached: a breakpoint on the last message; earlier turns read at the model's cache "
        "read price, each new turn written once at the 5-minute write price",
        f"saving averaged over the {TURNS} calls of a conversation",
    )
    if assumed:
        assumptions += ("model not known statically: the model with the smallest saving",)
    return Cost(model.id, (TURNS - 1) * turn, per_call * calls, calls, assumptions)
