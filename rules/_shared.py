"""Helpers two or more rules share. Imports only claudelint.api."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claudelint.api import CacheBlock, Hole, ModelInfo, Pricing, Request, RuleContext, Text


def _premium(m: ModelInfo) -> float | None:
    """What a cache write costs over a read: the least favourable model has the smallest."""
    if m.cache_write_5m is None or m.cache_read is None:
        return None
    return m.cache_write_5m - m.cache_read


def pricing(request: Request, ctx: RuleContext) -> Pricing | None:
    """How CL102 and CL105 price a cache entry: None when the model has no cache prices."""
    p = ctx.cache_pricing(request, worst=_premium)
    if p is None or p.model.cache_write_5m is None or p.model.cache_read is None:
        return None
    return p


def where_of(block: CacheBlock) -> str:
    if block.where == "tools":
        return "tool definitions"
    if block.where == "system":
        return "system prompt"
    i = block.message_index or 0
    return "first user message" if i == 0 else f"message {i + 1}"


def known_before(text: Text | None, hole: Hole) -> str:
    """The known characters of `text` before `hole`."""
    if text is None:
        return ""
    out: list[str] = []
    for part in text.parts:
        if part is hole:
            break
        if isinstance(part, str):
            out.append(part)
    return "".join(out)
