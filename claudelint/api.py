"""The one import for rule authors.

A rule module imports from here and nowhere else in claudelint (plus `claudelint.rules._shared`
for helpers rules share): the rule base and its examples, the context a rule receives, the
Request it reads and the values in it, the diagnostics it yields, and the knowledge it prices
with. Everything here is importable without libcst, so `claudelint rule CODE` stays fast; the
analyses that need libcst (the task a request performs, the loop around it) load on first use,
inside a rule's `check`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from claudelint.analysis.cache_blocks import (
    Block,
    expand_comprehension,
    request_blocks,
    top_level_breakpoint,
)
from claudelint.analysis.request import (
    Arg,
    CacheBlock,
    PrefixBlock,
    Request,
    static_json,
)
from claudelint.analysis.values import (
    Const,
    DictV,
    Hole,
    ListV,
    Text,
    Unknown,
    Value,
    const_int,
    const_str,
    walk_texts,
)
from claudelint.finding import PARSE_ERROR_CODE, Cost, Edit, Fix, Level, format_usd
from claudelint.knowledge.entries import ModelInfo
from claudelint.knowledge.models import Knowledge, load_sdk_data
from claudelint.knowledge.tokens import estimate_tokens
from claudelint.lint.context import CLASSIFICATION_CAP, EXTRACTION_CAP, RuleContext
from claudelint.lint.diagnostic import (
    Diagnostic,
    FileFacts,
    FixPlan,
    LineDiagnostic,
    ModelChoice,
    NodeEdit,
    Option,
    Pricing,
)
from claudelint.lint.rule import FileRule, Invalid, Rule, Valid
from claudelint.lint.suppress import ALL, Directive, normalise_token

if TYPE_CHECKING:
    from claudelint.analysis.history import HistoryGrowth
    from claudelint.analysis.narrowing import Narrowed
    from claudelint.analysis.prompt_signals import known_prompt_text
    from claudelint.analysis.repetition import Repetition
    from claudelint.analysis.task import (
        TaskEvidence,
        arg_origin,
        breaks_request,
        compares_models,
        edit_reach,
        max_tokens_literal_node,
        model_literal_node,
        model_thinks_by_default,
        thinking_setting,
        value_edit,
        value_source,
    )

# Names whose modules import libcst: loaded when a rule first asks for them.
_LAZY: dict[str, str] = {
    "HistoryGrowth": "claudelint.analysis.history",
    "Narrowed": "claudelint.analysis.narrowing",
    "Repetition": "claudelint.analysis.repetition",
    "TaskEvidence": "claudelint.analysis.task",
    "arg_origin": "claudelint.analysis.task",
    "breaks_request": "claudelint.analysis.task",
    "compares_models": "claudelint.analysis.task",
    "edit_reach": "claudelint.analysis.task",
    "known_prompt_text": "claudelint.analysis.prompt_signals",
    "max_tokens_literal_node": "claudelint.analysis.task",
    "model_literal_node": "claudelint.analysis.task",
    "model_thinks_by_default": "claudelint.analysis.task",
    "thinking_setting": "claudelint.analysis.task",
    "value_edit": "claudelint.analysis.task",
    "value_source": "claudelint.analysis.task",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'claudelint.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ALL",
    "CLASSIFICATION_CAP",
    "EXTRACTION_CAP",
    "PARSE_ERROR_CODE",
    "Arg",
    "Block",
    "CacheBlock",
    "Const",
    "Cost",
    "Diagnostic",
    "DictV",
    "Directive",
    "Edit",
    "FileFacts",
    "FileRule",
    "Fix",
    "FixPlan",
    "HistoryGrowth",
    "Hole",
    "Invalid",
    "Knowledge",
    "Level",
    "LineDiagnostic",
    "ListV",
    "ModelChoice",
    "ModelInfo",
    "Narrowed",
    "NodeEdit",
    "Option",
    "PrefixBlock",
    "Pricing",
    "Repetition",
    "Request",
    "Rule",
    "RuleContext",
    "TaskEvidence",
    "Text",
    "Unknown",
    "Valid",
    "Value",
    "arg_origin",
    "breaks_request",
    "compares_models",
    "const_int",
    "const_str",
    "edit_reach",
    "estimate_tokens",
    "expand_comprehension",
    "format_usd",
    "known_prompt_text",
    "load_sdk_data",
    "max_tokens_literal_node",
    "model_literal_node",
    "model_thinks_by_default",
    "normalise_token",
    "request_blocks",
    "static_json",
    "thinking_setting",
    "top_level_breakpoint",
    "value_edit",
    "value_source",
    "walk_texts",
]
