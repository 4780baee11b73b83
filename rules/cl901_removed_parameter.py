"""CL901 removed-parameter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from claudelint.api import Cost, DictV, Invalid, ListV, Rule, Unknown, Valid, load_sdk_data

if TYPE_CHECKING:
    from claudelint.api import Arg, Diagnostic, Request, RuleContext

_Q = "messages=[{'role': 'user', 'content': 'Hello'}]"
_SAMPLING = "sampling parameters were removed in anthropic 1.0 and current models reject them"
_OPENAI = "an OpenAI parameter"
# Keywords people pass that the Messages API does not take, with what to do instead. These are
# reported on any call site, traced or not; other unknown keywords only on traced clients.
WELL_KNOWN: dict[str, str] = {
    "temperature": _SAMPLING,
    "top_p": _SAMPLING,
    "top_k": _SAMPLING,
    "response_format": f"{_OPENAI}; use `output_config={{\"format\": ...}}` or "
                       "`messages.parse(output_format=...)`",
    "prompt": "Text Completions was removed in anthropic 1.0; send `messages=`",
    "max_tokens_to_sample": "a Text Completions parameter; use `max_tokens`",
    "stop": f"{_OPENAI}; use `stop_sequences`",
    "max_completion_tokens": f"{_OPENAI}; use `max_tokens`",
    "n": _OPENAI,
    "frequency_penalty": _OPENAI,
    "presence_penalty": _OPENAI,
    "logit_bias": _OPENAI,
    "logprobs": _OPENAI,
    "top_logprobs": _OPENAI,
    "seed": _OPENAI,
    "functions": f"{_OPENAI}; use `tools`",
    "function_call": f"{_OPENAI}; use `tool_choice`",
    "parallel_tool_calls": f"{_OPENAI}; use `tool_choice={{\"disable_parallel_tool_use\": ...}}`",
}
# Sampling parameters the API itself rejects, even when sent through `extra_body`.
_API_REJECTS = ("temperature", "top_p", "top_k")
# Keywords instructor's patched `create` takes on top of the SDK's.
_INSTRUCTOR = frozenset(
    {"response_model", "max_retries", "validation_context", "context", "strict", "hooks"}
)
_LEGACY_PROMPTS = ("HUMAN_PROMPT", "AI_PROMPT")
_METHOD_LABEL = {
    "create": "messages.create", "stream": "messages.stream", "parse": "messages.parse",
    "tool_runner": "messages.tool_runner", "count_tokens": "messages.count_tokens",
}


class RemovedParameter(Rule):
    """## What it does
    Finds keywords that the current `anthropic` SDK's request method does not accept:
    sampling parameters (`temperature`, `top_p`, `top_k`, removed in SDK 1.0), OpenAI's
    parameters (`response_format`, `n`, `stop`, `functions`, ...), Text Completions
    parameters (`prompt`, `max_tokens_to_sample`), beta-only keywords (`betas`,
    `context_management`, ...) on a non-beta call, and keywords of a sibling method
    (`stream=` on `messages.stream()`, which always streams; `output_format=` on
    `messages.create`, which takes `output_config`). Also finds the legacy
    `anthropic.HUMAN_PROMPT` / `AI_PROMPT` constants used as stop sequences, and sampling
    parameters smuggled in through `extra_body`.

    The accepted keywords are data (`knowledge/data/sdk.toml`), generated from the SDK's own
    signatures by `scripts/update_sdk_data.py`. On a receiver not traced to an Anthropic
    client, only the well-known foreign keywords above are reported; on a Message Batch
    request's `params`, only those too, since the API (not the SDK) judges them.

    ## Why is this bad?
    The SDK raises `TypeError: create() got an unexpected keyword argument` before sending
    anything, and `anthropic.HUMAN_PROMPT` no longer exists (`AttributeError` /
    `ImportError`); sampling parameters sent through `extra_body` are rejected by the API
    with a 400. Every call fails and nothing is billed, so the finding's cost line is $0: the
    cost is a request that never runs.

    ## Known problems
    The data describes one SDK version (`sdk_version` in `sdk.toml`); a project pinned to
    an older SDK may still accept some of these keywords. `**kwargs` that cannot be read are
    not checked. A keyword a `**` dict holds on some paths only (set in a branch) is
    reported, and the message says so and names the helper whose dict it came from.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        temperature=0.2,
        messages=[{"role": "user", "content": "Name three prime numbers."}],
    )
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        messages=[{"role": "user", "content": "Name three prime numbers."}],
    )
    ```

    ## Fix safety
    No fix: dropping a parameter changes what the author asked for (`response_format` wants
    structured output, `temperature=0` wanted determinism); the replacement is a design
    choice.

    ## Options
    None.

    ## References
    - https://platform.claude.com/docs/en/api/messages/create
    - https://platform.claude.com/docs/en/about-claude/model-deprecations
    - https://github.com/anthropics/anthropic-sdk-python
    """

    code = "CL901"
    name = "removed-parameter"
    summary = "Keyword the current anthropic SDK does not accept"
    level = "error"
    fix_safety = "none"

    valid = (
        Valid(
            rf"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                stop_sequences=['\n\nHuman:'], metadata={{'user_id': 'u1'}}, {_Q})
            """,
        ),
        # Beta-only keywords on a beta call; output_format on parse and stream.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.beta.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                betas=['context-management-2025-06-27'], {_Q})
            p = client.messages.parse(model='claude-sonnet-4-6', max_tokens=512,
                output_format=dict, messages=[{{'role': 'user', 'content': 'Hello'}}])
            """,
        ),
        # instructor's own keywords on its patched client.
        Valid(
            f"""
            import anthropic
            import instructor
            client = instructor.from_anthropic(anthropic.Anthropic())
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                response_model=dict, max_retries=2, {_Q})
            """,
        ),
        # Another provider's client is not a Claude request.
        Valid(
            f"""
            from openai import OpenAI
            client = OpenAI()
            r = client.chat.completions.create(model='gpt-4o', temperature=0,
                response_format={{'type': 'json_object'}}, {_Q})
            """,
        ),
    )
    invalid = (
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=512,
                    temperature=0,
                    top_p=0.9,
                    messages=[{'role': 'user', 'content': q}])
            """,
            expected=((6, 21), (7, 15)),
            message="TypeError",
        ),
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512,
                betas=['files-api-2025-04-14'], messages=[{'role': 'user', 'content': 'Hello'}])
            """,
            expected=((4, 11),),
            message="client.beta.messages",
        ),
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            with client.messages.stream(model='claude-sonnet-4-6', max_tokens=512,
                    stream=True, messages=[{'role': 'user', 'content': 'Hello'}]) as s:
                text = s.get_final_text()
            """,
            expected=((4, 16),),
            message="messages.stream",
        ),
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-haiku-4-5', max_tokens=512,
                stop_sequences=[anthropic.HUMAN_PROMPT], {_Q})
            """,
            expected=((4, 21),),
            message="HUMAN_PROMPT",
        ),
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            PARAMS = dict(model='claude-haiku-4-5', max_tokens=256,
                          extra_body={'top_k': 5})
            def ask(q):
                return client.messages.create(**PARAMS,
                    messages=[{'role': 'user', 'content': q}])
            """,
            expected=((6, 12),),
            message="extra_body",
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        sdk = load_sdk_data()
        accepted = sdk.accepted(request.method, beta=request.beta)
        if accepted is None:
            return
        traced = request.client != "untraced" and request.method != "batch"
        instructor = request.file_imports("instructor")
        model = ctx.model_of(request)
        model_name = model.id if model is not None else "unknown"

        def cost(what: str) -> Cost:
            return Cost(model_name, 0, 0.0, ctx.cost_basis_calls,
                        (f"{what} before any tokens are processed: nothing is billed; the "
                         "cost is a request that fails on every call",))

        label = ("client.beta." if request.beta else "client.") + _METHOD_LABEL.get(
            request.method, "messages.create")
        for name, arg in request.args.items():
            if name in accepted or (instructor and name in _INSTRUCTOR):
                continue
            why = WELL_KNOWN.get(name)
            if why is None and not traced:
                continue
            if request.method == "batch":
                message = (f"`{name}` in a Message Batch request's params: the API rejects "
                           f"it ({why})")
                yield ctx.diagnostic(arg.node, message, cost=cost("the API rejects the request"),
                                     fallback=arg.node if not arg.via_kwargs else request.call)
                continue
            where = _elsewhere(sdk.keywords, name, request.method, request.beta)
            if why is None:
                why = where or f"not in anthropic {sdk.version}'s signature"
            message = (f"`{name}` is not a parameter of `{label}` in anthropic {sdk.version}: "
                       f"the SDK raises TypeError; {why}")
            # About the keyword, not its value: where the keyword is written (in a wrapper's
            # own request for a keyword bound to a parameter of the wrapper, which reports it
            # there once), not where a caller passes the value.
            node = arg.written_at
            message += _where(name, arg)
            yield ctx.diagnostic(node, message, cost=cost("the SDK raises TypeError"),
                                 fallback=node if not arg.via_kwargs else request.call)
        extra = request.value("extra_body")
        extra_arg = request.arg("extra_body")
        if isinstance(extra, DictV) and extra_arg is not None:
            for name in _API_REJECTS:
                if extra.get(name) is not None:
                    yield ctx.diagnostic(
                        extra_arg.node,
                        f"`{name}` sent through extra_body reaches the API, which rejects "
                        "sampling parameters (400) under the SDK's API version",
                        cost=cost("the API rejects the request"),
                        fallback=extra_arg.node if not extra_arg.via_kwargs else request.call,
                    )
        yield from self._legacy_stop_sequences(
            request, ctx, cost("referencing the removed constant raises")
        )

    def _legacy_stop_sequences(self, request: Request, ctx: RuleContext,
                               cost: Cost) -> Iterator[Diagnostic]:
        stops = request.value("stop_sequences")
        arg = request.arg("stop_sequences")
        if arg is None or not request.in_file:
            return
        items = stops.items if isinstance(stops, ListV) else (stops,) if stops else ()
        for item in items:
            if not isinstance(item, Unknown) or item.node is None:
                continue
            qual = ""
            reason = item.reason
            if reason.startswith("imported "):
                qual = reason[len("imported "):]
            if not qual.startswith("anthropic."):
                qual = request.qualified_name(item.node) or ""
            const = qual.rsplit(".", 1)[-1]
            if not qual.startswith("anthropic.") or const not in _LEGACY_PROMPTS:
                continue
            yield ctx.diagnostic(
                item.node,
                f"`anthropic.{const}` was removed with the Text Completions API in anthropic "
                "1.0: using it raises AttributeError (ImportError when imported); Messages "
                "requests need no turn marker as a stop sequence",
                cost=cost, fallback=arg.node if not arg.via_kwargs else request.call,
            )




def _where(name: str, arg: Arg) -> str:
    """Where a keyword given by a `**` dict comes from, and whether it is always there."""
    if arg.source and arg.conditional:
        return f" (`{name}` from {arg.source}, which sets it on some paths only)"
    if arg.source:
        return f" (`{name}` from {arg.source})"
    if arg.conditional:
        return f" (`{name}` is set on some paths only)"
    return ""


def _elsewhere(keywords: Mapping[str, frozenset[str]], name: str, method: str,
               beta: bool) -> str | None:
    """Where else `name` is accepted: the beta resource, or a sibling method."""
    if not beta and name in keywords.get(f"beta_{method}", ()):
        return f"it is accepted only by `client.beta.messages.{method}`"
    others = [
        m for m in ("create", "stream", "parse")
        if m != method and name in keywords.get(f"beta_{m}" if beta else m, ())
    ]
    if not others:
        return None
    if method == "stream" and name == "stream":
        return "`messages.stream()` always streams: drop `stream=`"
    return "it is accepted by " + ", ".join(f"`messages.{m}`" for m in others)
