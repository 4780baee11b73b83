"""claudelint's rules, one module each. The tuple below is the registry: no import side effects."""

from __future__ import annotations

from claudelint.rule_base import Rule
from claudelint.rules.cl101_missing_cache_control import MissingCacheControl

RULES: tuple[type[Rule], ...] = (MissingCacheControl,)

__all__ = ["RULES"]
