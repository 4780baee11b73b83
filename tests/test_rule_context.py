"""RuleContext's model choice: the request's model, the default, else the least favourable."""

from __future__ import annotations

import pytest

from claudelint.analysis.request import Request
from claudelint.knowledge.models import load_knowledge
from claudelint.lint.context import RuleContext
from claudelint.lint.edits import Edits
from claudelint.lint.engine import analyze
from claudelint.rules.cl401_batchable_loop import BatchableLoop
from claudelint.settings import Settings

CODE = """\
import anthropic
client = anthropic.Anthropic()
def ask(model, q):
    return client.messages.create(model=model, max_tokens=9,
                                  messages=[{"role": "user", "content": q}])
"""


def context(settings: Settings) -> tuple[RuleContext, Request]:
    analysis = analyze(CODE, settings)
    ctx = RuleContext(BatchableLoop, settings, load_knowledge(), Edits(analysis.module))
    return ctx, analysis.requests[0]


def test_unknown_model_falls_back_to_the_least_favourable() -> None:
    ctx, request = context(Settings())
    assert ctx.model_or_default(request) is None
    choice = ctx.least_favourable(lambda m: m.input)
    cheapest = min(m.input for m in ctx.knowledge.active_models() if m.input is not None)
    assert choice.assumed and choice.info.input == cheapest


def test_default_model_comes_first() -> None:
    ctx, request = context(Settings(default_model="claude-sonnet-4-6"))
    choice = ctx.model_or_default(request) or ctx.least_favourable(lambda m: m.input)
    assert (choice.info.id, choice.assumed) == ("claude-sonnet-4-6", True)


def test_no_model_with_the_figure_is_a_lookup_error() -> None:
    ctx, _ = context(Settings())
    with pytest.raises(LookupError):
        ctx.least_favourable(lambda m: None)
