"""Helpers two or more rules share. Imports only claudelint.api."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claudelint.api import (
        CacheBlock,
        Cost,
        Hole,
        ModelInfo,
        Pricing,
        Request,
        RuleContext,
        Text,
    )


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


def caching_saving(model: ModelInfo, tokens: int, calls: int, *, assumed: bool,
                   batch: bool = False) -> Cost | None:
    """What caching `tokens` prefix tokens saves over `calls` calls (CL101, CL106)."""
    from claudelint.api import Cost

    uncached = model.cost_usd(input_tokens=tokens * calls, batch=batch)
    cached = model.cost_usd(cache_write_tokens=tokens, cache_read_tokens=tokens * (calls - 1),
                            batch=batch)
    if uncached is None or cached is None:
        return None
    assumptions: tuple[str, ...] = (
        f"{tokens:,} prefix tokens (low estimate from characters)",
        "every call after the first reads the cache (calls within the 5-minute lifetime)",
        "one 5-minute cache write at 1.25x input",
    )
    if assumed:
        assumptions += ("model not known statically: least favourable active model",)
    if batch:
        assumptions += ("Message Batches prices (50%); batch cache hits are best-effort",)
    return Cost(model.id, tokens, max(0.0, uncached - cached), calls, assumptions)
