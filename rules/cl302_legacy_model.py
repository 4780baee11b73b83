"""CL302 legacy-model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import (
    Cost,
    DictV,
    Invalid,
    Rule,
    Text,
    Valid,
    const_str,
    static_json,
    walk_texts,
)

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.api import Diagnostic, Knowledge, ModelInfo, Request, RuleContext

_Q = "messages=[{'role': 'user', 'content': 'Summarise the attached report.'}]"


class LegacyModel(Rule):
    """## What it does
    Finds requests whose model is retired (level `error`: the API rejects it) or deprecated
    (level `warning`: it will be retired on a published date). The message names the
    retirement date, the model to move to — the newest active model on the documented
    successor chain that accepts the request's thinking settings and `max_tokens` — and the
    price change per million tokens.

    The model is read from a literal, a constant, a parameter or dataclass default, a class
    attribute, an `os.environ.get("X", "claude-...")` / `os.getenv` default, or a dict of
    constants (`MODELS["fast"]`). Bedrock (`anthropic.claude-...-v1:0`) and Vertex AI
    (`claude-...@20250929`) spellings, and requests made through a Bedrock or Vertex client,
    are reported only when the knowledge base has that platform's own dates: the clouds retire
    models on their own schedule.

    A model name whose value is not known (a command-line argument, a parameter) is judged by
    the test of the branch the request sits in: inside `if args.model in ["a", "b"]:` (or
    `== "a"`, an `elif`, the `else` of `not in` / `!=`) it is one of the listed IDs, and the
    rule reports when every one of them is retired or deprecated, saying which test narrowed
    it (no fix: the test routes other values). A test joined by `or`, or a name re-bound in
    the branch, narrows nothing.

    ## Why is this bad?
    A retired model fails every request (`404 not_found_error`), so the feature is down. A
    deprecated one will fail on its retirement date. Legacy models are also often the
    expensive ones: Claude Opus 4.1 cost $15 / $75 per million input / output tokens, and
    Claude Opus 5.5 costs $4 / $20. The finding's cost line gives the difference for the
    request's known prompt and `max_tokens` per 1,000 calls — an "up to" figure, since answers
    are usually shorter than `max_tokens` — and never below zero: when the successor costs
    more, the assumptions say by how much.

    ## Known problems
    Retirement is judged from the shipped knowledge base (`claudelint --version` prints its
    date), the deprecation table of the installed `anthropic` SDK when it is newer than that
    data, and today's date (`CLAUDELINT_TODAY=YYYY-MM-DD` judges on another day): a deprecated
    model whose retirement date has passed is reported as retired. The message says which
    source the date came from. Prices per token are compared as listed; newer models use a
    tokenizer that counts about 30% more tokens for the same text, which the cost estimate
    includes.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()

    def summarise(report: str) -> str:
        response = client.messages.create(
            model="claude-3-5-sonnet-20241022",
            max_tokens=1024,
            messages=[{"role": "user", "content": report}],
        )
        return response.content[0].text
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()

    def summarise(report: str) -> str:
        response = client.messages.create(
            model="claude-sonnet-5-5",
            max_tokens=1024,
            messages=[{"role": "user", "content": report}],
        )
        return response.content[0].text
    ```

    ## Fix safety
    Unsafe: the fix replaces the model ID string with the successor, which changes the
    model's behaviour, output style and price. It is offered only when the ID is a plain
    string literal and a successor accepts the request's thinking mode and `max_tokens`.

    A successor is never offered for a request it would reject or starve: a request that ends
    with an assistant turn (a prefill) gets only a model the knowledge base says accepts one
    (Claude 4.6 and later models return 400), and a `max_tokens` of 100 or less, with thinking
    not turned off, never gets a model that thinks by default (thinking would use up the limit
    before the answer). When no successor fits, the message says why and no fix is offered.

    When the ID is a constant that the program also uses for something other than `model=`
    arguments (a key of its own pricing table, a label in logs), the fix replaces only this
    call's argument, so that other code keeps working; when the call passes the model through
    `**params`, no fix is offered. A constant used only as `model=` arguments is fixed where
    it is defined.

    ## Options
    None. Models, dates and successors come from the knowledge base; add or override entries
    with `[models]` in config (for example `bedrock_retired_on` / `vertex_retired_on` dates).

    ## References
    - https://platform.claude.com/docs/en/about-claude/model-deprecations
    - https://platform.claude.com/docs/en/about-claude/models/overview
    - https://platform.claude.com/docs/en/about-claude/pricing
    """

    code = "CL302"
    name = "legacy-model"
    summary = "Retired or deprecated Claude model"
    level = "warning"
    fix_safety = "unsafe"

    valid = (
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512, {_Q})
            """,
        ),
        # Bedrock and Vertex spellings: the clouds set their own dates, the data has none.
        Valid(
            f"""
            from anthropic import AnthropicBedrock
            client = AnthropicBedrock()
            r = client.messages.create(model='anthropic.claude-3-5-sonnet-20241022-v2:0',
                max_tokens=512, {_Q})
            """,
        ),
        Valid(
            f"""
            from anthropic import AnthropicVertex
            client = AnthropicVertex()
            r = client.messages.create(model='claude-3-5-sonnet-v2@20241022',
                max_tokens=512, {_Q})
            """,
        ),
        # A model from a parameter with no default: unknown, silent.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            def ask(model: str):
                return client.messages.create(model=model, max_tokens=512, {_Q})
            """,
        ),
        # os.environ["X"] has no default: unknown.
        Valid(
            """
            import os
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model=os.environ['CLAUDE_MODEL'], max_tokens=512,
                messages=[{'role': 'user', 'content': 'Summarise the attached report.'}])
            """,
        ),
        # Active but superseded ("legacy" on the docs page): not deprecated, not reported.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-haiku-4-5', max_tokens=512, {_Q})
            """,
        ),
    )
    invalid = (
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(
                model='claude-3-5-sonnet-20241022',
                max_tokens=512, {_Q})
            """,
            expected=((4, 11),),
            message="retired on 2025-10-28",
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(
                model='claude-sonnet-5-5',
                max_tokens=512, {_Q})
            """,
        ),
        # claude-2.1 is a retired model (CL302), not an unknown one (CL303).
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model="claude-2.1", max_tokens=300, {_Q})
            """,
            expected=((3, 34),),
            message="claude-2.1",
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model="claude-opus-5-5", max_tokens=300, {_Q})
            """,
        ),
        # Deprecated: a warning with the retirement date and where it comes from.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(model='claude-opus-4-5', max_tokens=512,
                    messages=[{'role': 'user', 'content': q}])
            """,
            expected=((4, 41),),
            message="will be retired on 2027-01-22 (per claudelint's model data",
        ),
        # A dict of constants; the finding points into the call, the fix edits the constant.
        # max_tokens=10 leaves no room to think: Haiku 5.5 (thinks by default) is skipped.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            MODELS = {'fast': 'claude-3-haiku-20240307', 'smart': 'claude-opus-4-8'}
            def classify(text):
                return client.messages.create(model=MODELS['fast'], max_tokens=10,
                    messages=[{'role': 'user', 'content': text}])
            """,
            expected=((5, 41),),
            message="use `claude-haiku-4-5-20251001`",
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            MODELS = {'fast': 'claude-haiku-4-5-20251001', 'smart': 'claude-opus-4-8'}
            def classify(text):
                return client.messages.create(model=MODELS['fast'], max_tokens=10,
                    messages=[{'role': 'user', 'content': text}])
            """,
        ),
        # os.getenv default; manual thinking keeps the fix on a model that accepts it.
        Invalid(
            f"""
            import os
            import anthropic
            client = anthropic.Anthropic()
            MODEL = os.getenv('CLAUDE_MODEL', 'claude-3-7-sonnet-20250219')
            r = client.messages.create(model=MODEL, max_tokens=4096,
                thinking={{'type': 'enabled', 'budget_tokens': 2048}}, {_Q})
            """,
            expected=((5, 34),),
            message="claude-sonnet-4-6",
            fixed=f"""
            import os
            import anthropic
            client = anthropic.Anthropic()
            MODEL = os.getenv('CLAUDE_MODEL', 'claude-sonnet-4-6')
            r = client.messages.create(model=MODEL, max_tokens=4096,
                thinking={{'type': 'enabled', 'budget_tokens': 2048}}, {_Q})
            """,
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        model_id = request.model_id
        if model_id is None:
            yield from _narrowed(request, ctx)
            return
        found = ctx.knowledge.model_state(model_id, request.client, ctx.today)
        if found is None:
            return
        match, platform, state = found
        info = match.info
        if state is None or state.status == "active":
            return  # active, or a cloud spelling without that cloud's own dates
        retired = state.status == "retired"
        retired_on = state.retired_on
        target = successor_for(ctx.knowledge, info, request)
        refused = _refusal(ctx.knowledge, info, request) if target is None else None
        where = "" if platform == "anthropic" else f" on {_PLATFORM_NAMES[platform]}"
        value = request.value("model")
        # Found away from the call (a config default, a helper's return): say where.
        via = getattr(value, "via", "")
        shown = f"`{model_id}` (model from {via})" if via else f"`{model_id}`"
        if retired:
            when = f" on {retired_on.isoformat()}" if retired_on is not None else ""
            head = (f"{shown} was retired{where}{when} (per {state.source}): the API "
                    "rejects every request")
        elif retired_on is not None:
            head = (f"{shown} is deprecated{where} and will be retired on "
                    f"{retired_on.isoformat()} (per {state.source})")
        else:
            head = f"{shown} is deprecated{where} (no retirement date published)"
        tail = ""
        if target is not None:
            tail = f"; use `{target.id}`{_price_change(info, target)}"
        elif refused is not None:
            tail = f"; no successor fits this request: {refused}"
        arg = request.arg("model")
        assert value is not None and arg is not None
        fix = None
        if target is not None and value.node is not None and platform == "anthropic":
            import libcst as cst

            from claudelint.api import FixPlan, NodeEdit, edit_reach

            reach = edit_reach(request, value.node, keywords=("model",))
            edit = ctx.edit.replace_string(value.node, target.id) if reach.local else None
            if (not reach.local and reach.name is not None and not arg.via_kwargs
                    and isinstance(arg.node, (cst.Name, cst.Subscript))):
                # The constant is also used for something else (a pricing key, a log label):
                # change only what this call sends.
                edit = NodeEdit(arg.node, f'"{target.id}"')
                tail += (f" (the fix changes this call's argument only: `{reach.name}` is also "
                         "used other than as a `model=` argument)")
            elif not reach.local and reach.name is not None:
                tail += (f" (no fix offered: `{reach.name}` is also used other than as a "
                         "`model=` argument)")
            elif not reach.local:
                tail += (" (no fix offered: the model string is set outside the call, where "
                         "other code may read it)")
            if edit is not None:
                fix = FixPlan(f"Replace `{model_id}` with `{target.id}`", "unsafe", (edit,))
        cost = _cost(request, info, target, ctx) if target is not None else None
        node: cst.CSTNode = value.node if value.node is not None else arg.node
        fallback = arg.node if not arg.via_kwargs else request.call
        yield ctx.diagnostic(node, head + tail, fix=fix, cost=cost, fallback=fallback,
                             level="error" if retired else "warning")


_PLATFORM_NAMES = {"bedrock": "Amazon Bedrock", "vertex": "Vertex AI"}


def _narrowed(request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A model name the resolver cannot pin, but which the test of the branch around the
    request narrows to listed IDs (`if args.model in ["a", "b"]:`): reported when every one
    of them is retired or deprecated (on the Anthropic API), with no fix."""
    narrowed = ctx.narrowed(request, "model")
    arg = request.arg("model")
    if narrowed is None or arg is None:
        return
    states = []
    for value in narrowed.values:
        found = ctx.knowledge.model_state(value, request.client, ctx.today)
        if found is None:
            return  # not a model the knowledge base knows: say nothing
        match, platform, state = found
        if platform != "anthropic" or state is None or state.status == "active":
            return
        states.append((value, match.info, state))
    retired = all(state.status == "retired" for _, _, state in states)
    branch = (f"the `else` of `if {_clip(narrowed.test)}`" if narrowed.negated
              else f"the test `{_clip(narrowed.test)}`")
    shown = " or ".join(f"`{v}`" for v in narrowed.values)
    sources = ", ".join(dict.fromkeys(state.source for _, _, state in states))
    whens = []
    for value, _, state in states:
        on = f" on {state.retired_on.isoformat()}" if state.retired_on is not None else ""
        if state.status == "retired":
            whens.append(f"`{value}` retired{on}")
        else:
            whens.append(f"`{value}` deprecated" + (f", retiring{on}" if on else ""))
    single = len(states) == 1
    if retired:
        what = "was retired" if single else "each of them was retired"
        tail = "the API rejects every request"
    else:
        what = "is deprecated" if single else "each of them is deprecated or retired"
        tail = "requests will fail once it is retired" if single else \
            "requests fail or will fail once they are retired"
    head = (f"`{narrowed.name}` is {shown} in this request (narrowed by {branch}), and "
            f"{what} ({'; '.join(whens)}; per {sources}): {tail}")
    targets = {successor_for(ctx.knowledge, info, request) for _, info, _ in states}
    target = next(iter(targets)) if len(targets) == 1 else None
    if target is not None:
        head += f"; use `{target.id}`"
        if single:
            head += _price_change(states[0][1], target)
    cost = _cost(request, states[0][1], target, ctx) if single and target is not None else None
    fallback = arg.node if not arg.via_kwargs else request.call
    yield ctx.diagnostic(arg.node, head, cost=cost, fallback=fallback,
                         level="error" if retired else "warning")


def _clip(code: str) -> str:
    code = " ".join(code.split())
    return code if len(code) <= 100 else code[:97] + "..."


def successor_for(knowledge: Knowledge, info: ModelInfo, request: Request) -> ModelInfo | None:
    """The newest active model on `info`'s successor chain that accepts the request's thinking
    type and `max_tokens`; the newest active one when none does; None when none is active."""
    active = [m for m in knowledge.successor_chain(info.id) if m.is_active]
    if not active:
        return None
    thinking = request.value("thinking")
    kind = const_str(thinking.get("type")) if isinstance(thinking, DictV) else None
    max_tokens = request.max_tokens
    from claudelint.api import breaks_request

    for candidate in reversed(active):
        if kind is not None and candidate.accepts_thinking(kind) is not True:
            continue  # rejected, or not known to be accepted
        if breaks_request(candidate, request) is not None:
            continue  # an assistant prefill it rejects, or no room to think
        if (
            max_tokens is not None and candidate.max_output_tokens is not None
            and max_tokens > candidate.max_output_tokens
        ):
            continue
        return candidate
    return None


def _refusal(knowledge: Knowledge, info: ModelInfo, request: Request) -> str | None:
    """Why no active successor was offered, when the newest one breaks the request (an
    assistant prefill it rejects, or `max_tokens` too small for a model that thinks)."""
    from claudelint.api import breaks_request

    active = [m for m in knowledge.successor_chain(info.id) if m.is_active]
    return breaks_request(active[-1], request) if active else None


def _money(x: float) -> str:
    return f"${x:,.0f}" if x == int(x) else f"${x:,.2f}"


def _price_change(old: ModelInfo, new: ModelInfo) -> str:
    if None in (old.input, old.output, new.input, new.output):
        return ""
    assert old.input is not None and old.output is not None
    assert new.input is not None and new.output is not None
    return (f" (input {_money(old.input)} -> {_money(new.input)}, output "
            f"{_money(old.output)} -> {_money(new.output)} per MTok)")


def prompt_text(request: Request) -> str:
    """The known characters of the request's prompt: tools, system and messages."""
    parts: list[str] = []
    tools = request.value("tools")
    if tools is not None:
        js = static_json(tools)
        if js is not None:
            parts.append(js)
    for name in ("system", "messages"):
        parts.extend(t.known for t in walk_texts(request.value(name)) if isinstance(t, Text))
    return "".join(parts)


def _cost(request: Request, old: ModelInfo, new: ModelInfo, ctx: RuleContext) -> Cost | None:
    calls = ctx.cost_basis_calls
    text = prompt_text(request)
    output = request.max_tokens or 0
    old_in = ctx.tokens(text, old).low if text else 0
    new_in = ctx.tokens(text, new).low if text else 0
    if old_in == 0 and output == 0:
        return None
    old_cost = old.cost_usd(input_tokens=old_in, output_tokens=output, batch=request.site.batch)
    new_cost = new.cost_usd(input_tokens=new_in, output_tokens=output, batch=request.site.batch)
    if old_cost is None or new_cost is None:
        return None
    delta = (old_cost - new_cost) * calls
    assumptions = [
        f"{old_in:,} known prompt tokens on {old.id}, {new_in:,} on {new.id} "
        "(low estimates from characters; unknown parts of the prompt not counted)",
        f"output at max_tokens={output:,} (an upper bound)" if output
        else "output not counted (max_tokens unknown)",
    ]
    if old.status == "retired":
        assumptions.append(f"{old.id} is retired, so its requests fail and bill nothing "
                           "today: the figure compares its last price with the successor's")
    if delta < 0:
        assumptions.append(f"{new.id} costs ~${-delta:,.2f} more per {calls:,} calls than "
                           f"{old.id} did; the saving is shown as $0")
    if request.site.batch:
        assumptions.append("Message Batches prices (50%)")
    # With the output counted at max_tokens the figure is a ceiling, not an expectation.
    return Cost(old.id, old_in + output, max(0.0, delta), calls, tuple(assumptions),
                upper_bound=output > 0)
