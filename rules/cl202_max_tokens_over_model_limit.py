"""CL202 max-tokens-over-model-limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import Const, Cost, Invalid, Rule, Valid, load_sdk_data

if TYPE_CHECKING:
    from claudelint.api import Diagnostic, FixPlan, ModelInfo, Request, RuleContext

_Q = "messages=[{'role': 'user', 'content': 'Write the chapter.'}]"
# The Batches API accepts up to 300K output tokens with the `output-300k-2026-03-24` beta.
_BATCH_BETA_MAX = 300_000
# Methods that send a non-streaming request unless `stream=True` is passed.
_NON_STREAMING = ("create", "parse")


class MaxTokensOverModelLimit(Rule):
    """## What it does
    Finds a constant `max_tokens` that the request cannot use:
    - above the model's maximum output (128,000 tokens on current models, 64,000 on Claude
      Haiku 4.5, Sonnet 4.5 and Opus 4.5; 4,096 on Claude 3.5 Sonnet of June 2024 — 8,192
      with its `max-tokens-3-5-sonnet-2024-07-15` beta — and older models): the API rejects
      the request with a 400;
    - on a non-streaming request (`messages.create` without `stream=True`, or
      `messages.parse`), above the `anthropic` SDK's limit for its default 10-minute timeout
      (21,333 tokens; 8,192 for the Opus 4 spellings of its `MODEL_NONSTREAMING_TOKENS`
      table): the SDK raises `ValueError: Streaming is required ...` before sending anything.

    When the model is not known, only a `max_tokens` above every active model's maximum is
    reported. The SDK limit is checked only when the client is created in the same file
    without a custom timeout and the call passes no `timeout=`.

    ## Why is this bad?
    The request never runs: every call raises. Nothing is billed for a request the API or
    the SDK refuses, so the finding's cost line is $0 — the cost is a feature that fails on
    every call (the SDK does not retry a 400 or a `ValueError`).

    ## Known problems
    A client constructed in another module with `timeout=` is not seen; the rule then stays
    silent about the SDK limit only if the file mentions `timeout` at all. Batch requests
    made with the `output-300k-2026-03-24` beta may use up to 300,000 tokens; beta batches
    are checked against that.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()

    def write_report(outline: str) -> str:
        response = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=64000,
            messages=[{"role": "user", "content": outline}],
        )
        return response.content[0].text
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()

    def write_report(outline: str) -> str:
        with client.messages.stream(
            model="claude-sonnet-4-6",
            max_tokens=64000,
            messages=[{"role": "user", "content": outline}],
        ) as stream:
            return stream.get_final_message().content[0].text
    ```

    ## Fix safety
    Unsafe: the fix lowers the literal `max_tokens` to the largest value that works (the
    model's maximum, or the SDK's non-streaming limit), which can cut long answers short.
    Streaming the request keeps the full budget and is often the better change; claudelint
    does not rewrite to streaming. No fix when the number is a constant defined elsewhere.

    ## Options
    None. Model limits come from the knowledge base; the SDK limit from `data/sdk.toml`,
    generated from the SDK by `scripts/update_sdk_data.py`.

    ## References
    - https://platform.claude.com/docs/en/about-claude/models/overview
    - https://platform.claude.com/docs/en/cli-sdks-libraries/sdks/python#long-requests
    """

    code = "CL202"
    name = "max-tokens-over-model-limit"
    summary = "max_tokens above the model's maximum output or the SDK's non-streaming limit"
    level = "error"
    fix_safety = "unsafe"

    valid = (
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=16000, {_Q})
            """,
        ),
        # Streaming requests may use the model's full output.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            with client.messages.stream(model='claude-opus-4-8', max_tokens=128000,
                    messages=[{'role': 'user', 'content': 'Write the chapter.'}]) as s:
                text = s.get_final_text()
            r = client.messages.create(model='claude-opus-4-8', max_tokens=100000,
                stream=True, messages=[{'role': 'user', 'content': 'Write the chapter.'}])
            """,
        ),
        # A custom timeout lifts the SDK's non-streaming limit.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic(timeout=3600)
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=64000, {_Q})
            """,
        ),
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=64000,
                timeout=1800.0, messages=[{'role': 'user', 'content': 'Write the chapter.'}])
            """,
        ),
        # Claude 3.5 Sonnet (June 2024) reaches 8,192 output tokens with its beta header.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic()
            with client.messages.stream(model='claude-3-5-sonnet-20240620', max_tokens=8192,
                    extra_headers={'anthropic-beta': 'max-tokens-3-5-sonnet-2024-07-15'},
                    messages=[{'role': 'user', 'content': 'Write the chapter.'}]) as s:
                text = s.get_final_text()
            """,
        ),
        # A look-alike: the project's own test double is not an Anthropic client.
        Valid(
            f"""
            class FakeMessages:
                def create(self, **kwargs):
                    return kwargs
            class FakeAnthropic:
                def __init__(self):
                    self.messages = FakeMessages()
            client = FakeAnthropic()
            r = client.messages.create(model='claude-haiku-4-5', max_tokens=100000, {_Q})
            """,
        ),
        # Unknown model and a max_tokens some active model accepts; unknown max_tokens.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            def ask(model, budget):
                a = client.messages.stream(model=model, max_tokens=100000, {_Q})
                b = client.messages.create(model='claude-haiku-4-5', max_tokens=budget, {_Q})
            """,
        ),
    )
    invalid = (
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            with client.messages.stream(model='claude-haiku-4-5', max_tokens=100_000,
                    messages=[{'role': 'user', 'content': 'Write the chapter.'}]) as s:
                text = s.get_final_text()
            """,
            expected=((3, 66),),
            message="64,000",
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            with client.messages.stream(model='claude-haiku-4-5', max_tokens=64_000,
                    messages=[{'role': 'user', 'content': 'Write the chapter.'}]) as s:
                text = s.get_final_text()
            """,
        ),
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def write(outline):
                return client.messages.create(model='claude-opus-4-8', max_tokens=32000,
                    messages=[{'role': 'user', 'content': outline}])
            """,
            expected=((4, 71),),
            message="Streaming is required",
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            def write(outline):
                return client.messages.create(model='claude-opus-4-8', max_tokens=21333,
                    messages=[{'role': 'user', 'content': outline}])
            """,
        ),
        # The SDK's lower non-streaming limit for some spellings (MODEL_NONSTREAMING_TOKENS).
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-opus-4-0', max_tokens=16000, {_Q})
            """,
            expected=((3, 64),),
            message="8,192-token limit for non-streaming `claude-opus-4-0` requests",
        ),
        # Maximum output of an older model, from the shipped data; a batch request built
        # with the SDK's typed constructors.
        Invalid(
            """
            import anthropic
            from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
            from anthropic.types.messages.batch_create_params import Request
            client = anthropic.Anthropic()
            batch = client.messages.batches.create(requests=[
                Request(custom_id='a', params=MessageCreateParamsNonStreaming(
                    model='claude-3-5-sonnet-20240620', max_tokens=8192,
                    messages=[{'role': 'user', 'content': 'Write the chapter.'}]))])
            """,
            expected=((7, 56),),
            message="maximum output of 4,096 tokens",
        ),
        # Above every active model's maximum: reported even with an unknown model.
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            def ask(model):
                with client.messages.stream(model=model, max_tokens=200000, {_Q}) as s:
                    return s.get_final_text()
            """,
            expected=((4, 57),),
            message="128,000",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        max_tokens = request.max_tokens
        arg = request.arg("max_tokens")
        if max_tokens is None or arg is None:
            return
        choice = ctx.model_or_default(request)
        model = choice.info if choice is not None else None
        limits: list[tuple[int, str]] = []
        model_limit = _model_limit(request, model, ctx)
        if model_limit is not None and max_tokens > model_limit[0]:
            limits.append(model_limit)
        sdk_limit = self._sdk_limit(request)
        if sdk_limit is not None and max_tokens > sdk_limit[0]:
            limits.append(sdk_limit)
        if not limits:
            return
        clamp = min(limit for limit, _ in limits)
        message = f"max_tokens={max_tokens:,} " + " and ".join(why for _, why in limits)
        value = request.value("max_tokens")
        node = value.node if isinstance(value, Const) and value.node is not None else arg.node
        fix: FixPlan | None = None
        if node is arg.node:
            edit = ctx.edit.replace_int(node, clamp)
            if edit is not None:
                from claudelint.api import FixPlan

                fix = FixPlan(f"Lower max_tokens to {clamp:,}", "unsafe", (edit,))
        cost = Cost(
            model.id if model is not None else "unknown", 0, 0.0, ctx.cost_basis_calls,
            ("the request is refused before any tokens are processed: nothing is billed; the "
             "cost is a request that fails on every call (no retries: a 400 or ValueError)",),
        )
        fallback = arg.node if not arg.via_kwargs else request.call
        yield ctx.diagnostic(node, message, fix=fix, cost=cost, fallback=fallback)

    def _sdk_limit(self, request: Request) -> tuple[int, str] | None:
        """The SDK's non-streaming limit, when the SDK is sure to enforce it."""
        if request.method not in _NON_STREAMING or request.site.batch or request.unknown_kwargs:
            return None
        if request.method == "create":
            stream = request.value("stream")
            if stream is not None and not (isinstance(stream, Const) and stream.value is False):
                return None  # streaming, or not known
        if request.arg("timeout") is not None or request.client == "untraced":
            return None
        if not request.in_file or request.file_mentions("timeout"):
            return None
        sdk = load_sdk_data()
        model_id = request.model_id
        per_model = sdk.model_nonstreaming_tokens.get(model_id) if model_id else None
        limit = sdk.nonstreaming_max_tokens
        which = "non-streaming requests"
        if per_model is not None and (limit is None or per_model < limit):
            # MODEL_NONSTREAMING_TOKENS: a lower limit for some spellings of a model.
            limit, which = per_model, f"non-streaming `{model_id}` requests"
        if limit is None:
            return None
        return limit, (
            f"is above the anthropic SDK's {limit:,}-token limit for {which}: it raises "
            "`ValueError: Streaming is required ...` before sending; use "
            "`messages.stream(...)` or pass `timeout=`"
        )




def _model_limit(request: Request, model: ModelInfo | None,
                 ctx: RuleContext) -> tuple[int, str] | None:
    if request.site.batch and request.beta:
        limit = max(_BATCH_BETA_MAX, model.max_output_tokens or 0) if model else _BATCH_BETA_MAX
        return limit, f"is above the Batches API's {limit:,}-token maximum output"
    if model is not None:
        if model.max_output_tokens is None:
            return None
        beta = model.beta_max_output_tokens
        if beta is not None and _may_send_beta(request, model.beta_max_output_header):
            return beta, (
                f"is above {model.id}'s maximum output of {beta:,} tokens (with the "
                f"`{model.beta_max_output_header}` beta): the API rejects the request"
            )
        return model.max_output_tokens, (
            f"is above {model.id}'s maximum output of {model.max_output_tokens:,} tokens: "
            "the API rejects the request"
        )
    highest = max((m.max_output_tokens or 0 for m in ctx.knowledge.active_models()), default=0)
    if highest <= 0:
        return None
    return highest, (
        f"is above every current model's maximum output ({highest:,} tokens): the API "
        "rejects the request"
    )


def _may_send_beta(request: Request, header: str | None) -> bool:
    """Whether the request may carry the beta header that raises the model's maximum output:
    the file names it, or headers come from where claudelint cannot see (`extra_headers=`,
    `**kwargs`, a client made in another file)."""
    if header is None or not request.in_file or request.unknown_kwargs:
        return True
    if request.arg("extra_headers") is not None or request.client == "untraced":
        return True
    return request.file_mentions(header) or request.file_mentions("default_headers")
