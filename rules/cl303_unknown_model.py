"""CL303 unknown-model."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import Cost, Invalid, Rule, Valid

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.api import Diagnostic, FixPlan, Knowledge, Request, RuleContext

_Q = "messages=[{'role': 'user', 'content': 'Hello'}]"
_DATE_SUFFIX = re.compile(r"-(\d{8})\Z")
# A suggestion found only by string similarity is offered as a fix from this ratio on.
_CLOSE_RATIO = 0.9
# Claude's naming scheme from the 4 models on: line, version, optional snapshot date.
_SCHEME = re.compile(r"\Aclaude-(?P<line>opus|sonnet|haiku|fable|mythos)-(?P<major>\d{1,2})"
                     r"(?:-(?P<minor>\d{1,2}))?(?:-(?P<date>\d{8}))?\Z")


class UnknownModel(Rule):
    """## What it does
    Finds a model string that looks like a Claude model but is no model ID, alias, Amazon
    Bedrock ID or Vertex AI name that claudelint knows: `claude-sonnet-4.6` (current IDs use
    hyphens), `claude-haiku-4-5-latest` (models from 4.5 on have no `-latest` alias), a dated
    ID whose date is not a snapshot (`claude-sonnet-4-5-20250930`), a made-up family order
    (`claude-4-5-sonnet`). The message suggests the closest known ID.

    A retired ID is not unknown: it is reported by CL302 (legacy-model). Strings without
    `claude` in them (another provider's model on a gateway) and gateway routes with a `/`
    are not reported.

    ## Why is this bad?
    The API answers an unknown model with `404 not_found_error`, so every request fails — often
    only in production, where the string comes from config. Nothing is billed for a rejected
    request, so the finding's cost line is $0: the cost is the feature being down.

    An ID that follows Claude's naming scheme and is newer than every model of its line in
    the data (`claude-opus-6`, `claude-sonnet-5-7-20270101`) may be a model released after the
    data: it is a `warning` that says so, with no fix, never an error.

    ## Known problems
    The list of models is claudelint's knowledge base (`claudelint --version` prints its
    date), plus the model IDs of the installed `anthropic` SDK when that is newer than the
    data. Add a model under `[models]` in config to silence the warning for a new model.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()
    reply = client.messages.create(
        model="claude-sonnet-4.6",
        max_tokens=1024,
        messages=[{"role": "user", "content": "Hello"}],
    )
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()
    reply = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        messages=[{"role": "user", "content": "Hello"}],
    )
    ```

    ## Fix safety
    Unsafe: the fix replaces the string with the closest known ID, which may not be the model
    that was meant. It is offered only when the suggestion is close (a different separator,
    letter case, a `-latest` or date suffix on an ID that has none, or a near-identical
    spelling), the suggested model is not retired, and the string is a plain literal.

    ## Options
    None. Add models with `[models]` in config.

    ## References
    - https://platform.claude.com/docs/en/about-claude/models/overview
    - https://platform.claude.com/docs/en/api/errors
    """

    code = "CL303"
    name = "unknown-model"
    summary = "Model string that is no known Claude model"
    level = "error"
    fix_safety = "unsafe"

    valid = (
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-haiku-4-5', max_tokens=512, {_Q})
            """,
        ),
        # Bedrock and Vertex AI spellings of a known model.
        Valid(
            """
            from anthropic import AnthropicBedrock
            client = AnthropicBedrock()
            r = client.messages.create(model='anthropic.claude-sonnet-4-5-20250929-v1:0',
                max_tokens=512, messages=[{'role': 'user', 'content': 'Hello'}])
            """,
        ),
        Valid(
            """
            from anthropic import AnthropicBedrock
            client = AnthropicBedrock()
            r = client.messages.create(model='us.anthropic.claude-sonnet-4-5-20250929-v1:0',
                max_tokens=512, messages=[{'role': 'user', 'content': 'Hello'}])
            """,
        ),
        Valid(
            """
            from anthropic import AnthropicVertex
            client = AnthropicVertex()
            r = client.messages.create(model='claude-sonnet-4-5@20250929',
                max_tokens=512, messages=[{'role': 'user', 'content': 'Hello'}])
            """,
        ),
        # A retired model is CL302's, not an unknown one.
        Valid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-2.1', max_tokens=512, {_Q})
            """,
        ),
        # A model from a parameter with no default, or os.environ[...]: unknown, silent.
        Valid(
            f"""
            import os
            import anthropic
            client = anthropic.Anthropic()
            def ask(model):
                return client.messages.create(model=model, max_tokens=512, {_Q})
            r = client.messages.create(model=os.environ['MODEL'], max_tokens=512,
                messages=[{{'role': 'user', 'content': 'Hello'}}])
            """,
        ),
        # OpenAI models on an OpenAI client are not Claude requests at all.
        Valid(
            """
            from openai import OpenAI
            client = OpenAI()
            r = client.chat.completions.create(model='gpt-4o', max_tokens=512,
                messages=[{'role': 'user', 'content': 'Hello'}])
            """,
        ),
        # A gateway route on an Anthropic-compatible proxy.
        Valid(
            """
            import anthropic
            client = anthropic.Anthropic(base_url='http://litellm:4000')
            r = client.messages.create(model='openrouter/anthropic/claude-sonnet-4.6',
                max_tokens=512, messages=[{'role': 'user', 'content': 'Hello'}])
            """,
        ),
    )
    invalid = (
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4.6', max_tokens=512, {_Q})
            """,
            expected=((3, 34),),
            message="did you mean `claude-sonnet-4-6`",
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4-6', max_tokens=512, {_Q})
            """,
        ),
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            FAST = 'claude-haiku-4-5-latest'
            def ask(q):
                return client.messages.create(model=FAST, max_tokens=256,
                    messages=[{'role': 'user', 'content': q}])
            """,
            expected=((5, 41),),
            message="claude-haiku-4-5",
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            FAST = 'claude-haiku-4-5'
            def ask(q):
                return client.messages.create(model=FAST, max_tokens=256,
                    messages=[{'role': 'user', 'content': q}])
            """,
        ),
        # A dated ID whose date is no snapshot of that model.
        Invalid(
            """
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-sonnet-4-5-20250930', max_tokens=512,
                messages=[{'role': 'user', 'content': 'Hello'}])
            """,
            expected=((3, 34),),
            message="claude-sonnet-4-5-20250929",
        ),
        # Claude's naming scheme, newer than the data: a warning, never rewritten to an older
        # model.
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-opus-6', max_tokens=512, {_Q})
            """,
            expected=((3, 34),),
            message="may be a model released since",
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-opus-6', max_tokens=512, {_Q})
            """,
        ),
        # Close to a retired ID only: suggested, but no fix to a model the API rejects.
        Invalid(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-3-sonnet', max_tokens=512, {_Q})
            """,
            expected=((3, 34),),
            message="claude-3-sonnet-20240229",
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            r = client.messages.create(model='claude-3-sonnet', max_tokens=512, {_Q})
            """,
        ),
    )

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        model_id = request.model_id
        if not model_id or "claude" not in model_id.lower() or "/" in model_id:
            return
        if ctx.knowledge.lookup(model_id) is not None:
            return
        value = request.value("model")
        arg = request.arg("model")
        assert value is not None and arg is not None
        node: cst.CSTNode = value.node if value.node is not None else arg.node
        fallback = arg.node if not arg.via_kwargs else request.call
        line = newer_than_data(ctx.knowledge, model_id)
        if line is not None:
            yield ctx.diagnostic(
                node,
                f"`{model_id}` is not in claudelint's model data of "
                f"{ctx.knowledge.as_of.isoformat()}, but it follows Claude's naming scheme and "
                f"is newer than every {line} model the data knows: it may be a model released "
                "since. Check the ID; add it under `[models]` in config once confirmed",
                cost=Cost(model_id, 0, 0.0, ctx.cost_basis_calls, (
                    "no saving is estimated: if the ID does not exist the API rejects the "
                    "request before billing anything; if it is a new model, claudelint has no "
                    "prices for it",)),
                fallback=fallback, level="warning",
            )
            return
        suggestion, close = closest_model(ctx.knowledge, model_id)
        via = getattr(value, "via", "")
        shown = f"`{model_id}` (model from {via})" if via else f"`{model_id}`"
        message = (
            f"{shown} is not a Claude model ID (model data of "
            f"{ctx.knowledge.as_of.isoformat()}): the API rejects the request"
        )
        fix: FixPlan | None = None
        if suggestion is not None:
            info = ctx.knowledge.get(suggestion)
            message += f"; did you mean `{suggestion}`?"
            if info is not None and info.status == "retired":
                current = ctx.knowledge.current(suggestion)
                message += " (retired" + (f"; use `{current.id}`" if current else "") + ")"
            elif close and value.node is not None and _plain_api_form(model_id):
                edit = ctx.edit.replace_string(value.node, suggestion)
                if edit is not None:
                    from claudelint.api import FixPlan

                    fix = FixPlan(f"Replace with `{suggestion}`", "unsafe", (edit,))
        cost = Cost(
            suggestion or model_id, 0, 0.0, ctx.cost_basis_calls,
            ("the API rejects the request (404 not_found_error) before any tokens are "
             "processed: nothing is billed; the cost is the failed request",),
        )
        yield ctx.diagnostic(node, message, fix=fix, cost=cost, fallback=fallback)


@functools.lru_cache(maxsize=8)
def _newest_versions(knowledge: Knowledge) -> dict[str, tuple[int, int]]:
    """The newest version of each line (`opus` -> (5, 5)) among the names the data knows."""
    newest: dict[str, tuple[int, int]] = {}
    for info in knowledge.models():
        for name in info.names:
            m = _SCHEME.match(name)
            if m:
                version = (int(m.group("major")), int(m.group("minor") or 0))
                newest[m.group("line")] = max(newest.get(m.group("line"), version), version)
    return newest


def newer_than_data(knowledge: Knowledge, model_id: str) -> str | None:
    """The line (`opus`) when `model_id` follows Claude's naming scheme and is newer than the
    data: a higher version than every model of its line, or the newest version with a
    snapshot date after the data's date. None otherwise (a typo of a known model)."""
    m = _SCHEME.match(model_id)
    if m is None:
        return None
    line = m.group("line")
    newest = _newest_versions(knowledge).get(line)
    if newest is None:
        return None
    version = (int(m.group("major")), int(m.group("minor") or 0))
    if version > newest:
        return line
    snapshot = m.group("date")
    if version == newest and snapshot and snapshot > knowledge.as_of.strftime("%Y%m%d"):
        return line
    return None


def _plain_api_form(model_id: str) -> bool:
    return not model_id.startswith(("anthropic.", "arn:")) and "@" not in model_id and (
        "anthropic." not in model_id
    )


def closest_model(knowledge: Knowledge, text: str) -> tuple[str | None, bool]:
    """The known model name closest to `text`, and whether it is close enough to fix to."""
    wanted = text.strip()
    # Cloud spellings: suggest for the model part.
    if "@" in wanted:
        wanted = wanted.split("@", 1)[0]
    if "anthropic." in wanted:
        wanted = wanted.split("anthropic.", 1)[1]
        wanted = re.sub(r"-v\d+(?::\d+)?\Z", "", wanted)
    candidates = [wanted, wanted.lower()]
    for c in list(candidates):
        candidates.append(c.replace(".", "-"))
        candidates.append(c.replace("_", "-"))
    for c in list(candidates):
        if c.endswith("-latest"):
            candidates.append(c[: -len("-latest")])
    for c in list(candidates):
        m = _DATE_SUFFIX.search(c)
        if m:
            candidates.append(c[: m.start()])
    for c in candidates:
        info = knowledge.get(c)
        if info is not None:
            # An alias named with a date that is not its snapshot: suggest the snapshot ID.
            name = info.id if (c != wanted and _DATE_SUFFIX.search(wanted) and
                               _DATE_SUFFIX.search(info.id)) else c
            if knowledge.get(name) is None:
                name = info.id
            return name, True
        hit = knowledge.closest_ids(c, 1)
        if hit and hit[0].replace(".", "-") == c.replace(".", "-"):
            return hit[0], True
    for c in candidates:
        # A snapshot name without its date (`claude-3-sonnet`): the newest snapshot.
        dated = sorted(m.id for m in knowledge.models()
                       if m.id.startswith(c + "-") and _DATE_SUFFIX.fullmatch(m.id[len(c):]))
        if dated:
            return dated[-1], True
    hits = knowledge.closest_ids(wanted.lower(), 3)
    if not hits:
        return None, False
    best = max(hits, key=lambda h: difflib.SequenceMatcher(None, wanted.lower(), h).ratio())
    ratio = difflib.SequenceMatcher(None, wanted.lower(), best).ratio()
    return best, ratio >= _CLOSE_RATIO
