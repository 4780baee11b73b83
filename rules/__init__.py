"""claudelint's rules, one module each. The tuple below is the registry: no import side effects."""

from __future__ import annotations

from claudelint.api import Rule
from claudelint.rules.cl001_unused_suppression import UnusedSuppression
from claudelint.rules.cl101_missing_cache_control import MissingCacheControl
from claudelint.rules.cl102_dynamic_cached_prefix import DynamicCachedPrefix
from claudelint.rules.cl103_cache_below_minimum import CacheBelowMinimum
from claudelint.rules.cl104_too_many_cache_breakpoints import TooManyCacheBreakpoints
from claudelint.rules.cl105_cache_write_never_read import CacheWriteNeverRead
from claudelint.rules.cl106_dynamic_head_before_static_prompt import DynamicHeadBeforeStaticPrompt
from claudelint.rules.cl201_oversized_max_tokens import OversizedMaxTokens
from claudelint.rules.cl202_max_tokens_over_model_limit import MaxTokensOverModelLimit
from claudelint.rules.cl203_invalid_thinking_config import InvalidThinkingConfig
from claudelint.rules.cl301_overpowered_model import OverpoweredModel
from claudelint.rules.cl302_legacy_model import LegacyModel
from claudelint.rules.cl303_unknown_model import UnknownModel
from claudelint.rules.cl401_batchable_loop import BatchableLoop
from claudelint.rules.cl501_unbounded_history import UnboundedHistory
from claudelint.rules.cl901_removed_parameter import RemovedParameter

RULES: tuple[type[Rule], ...] = (
    UnusedSuppression,
    MissingCacheControl,
    DynamicCachedPrefix,
    CacheWriteNeverRead,
    DynamicHeadBeforeStaticPrompt,
    OversizedMaxTokens,
    OverpoweredModel,
    CacheBelowMinimum,
    TooManyCacheBreakpoints,
    MaxTokensOverModelLimit,
    InvalidThinkingConfig,
    LegacyModel,
    UnknownModel,
    BatchableLoop,
    UnboundedHistory,
    RemovedParameter,
)

__all__ = ["RULES"]
