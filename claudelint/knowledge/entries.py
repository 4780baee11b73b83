"""One model's entry in the knowledge base: `ModelInfo` (prices, limits, lifecycle, what the
model accepts) and its checking — an entry of ``data/models.toml`` or of the configuration is
validated field by field and built into a `ModelInfo` here; `Knowledge`
(knowledge/models.py) loads, merges and answers questions over the entries.

It deliberately imports neither ``anthropic`` nor ``libcst`` so that start-up stays fast.
"""

from __future__ import annotations

import datetime
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

__all__ = [
    "FAMILIES",
    "PRICE_KINDS",
    "STATUSES",
    "TOKENIZERS",
    "TTLS",
    "ModelInfo",
    "ModelMatch",
]

FAMILIES: tuple[str, ...] = ("opus", "sonnet", "haiku", "other")
STATUSES: tuple[str, ...] = ("active", "deprecated", "retired")
TOKENIZERS: tuple[str, ...] = ("legacy", "new")
PRICE_KINDS: tuple[str, ...] = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
TTLS: tuple[str, ...] = ("5m", "1h")


# --------------------------------------------------------------------------- model records


@dataclass(frozen=True)
class ModelInfo:
    """Everything the knowledge base says about one model ID. ``None`` means unknown."""

    id: str
    aliases: tuple[str, ...] = ()
    family: str = "other"
    line: str = "other"
    status: str = "active"
    input: float | None = None
    output: float | None = None
    cache_write_5m: float | None = None
    cache_write_1h: float | None = None
    cache_read: float | None = None
    max_output_tokens: int | None = None
    # A higher maximum output a beta header unlocks (Claude 3.5 Sonnet of June 2024: 8,192
    # with `max-tokens-3-5-sonnet-2024-07-15`), and that header.
    beta_max_output_tokens: int | None = None
    beta_max_output_header: str | None = None
    context_window: int | None = None
    min_cacheable_tokens: int | None = None
    tokenizer: str = "new"
    thinking_modes: tuple[str, ...] = ()
    # Whether a request that sets no `thinking` gets thinking tokens: "on", "off", or None.
    thinking_default: str | None = None
    # Whether the API accepts a request whose messages end with an assistant turn (a
    # prefill): "accepted", "rejected", or None (unknown).
    prefill: str | None = None
    successor: str | None = None
    released_on: datetime.date | None = None
    deprecated_on: datetime.date | None = None
    retired_on: datetime.date | None = None
    retirement_not_before: datetime.date | None = None
    confidence: str = "unknown"
    source: str = ""
    notes: str = ""
    availability: str | None = None
    default_effort: str | None = None
    long_prompt_threshold_tokens: int | None = None
    long_prompt_input: float | None = None
    long_prompt_output: float | None = None
    long_prompt_cache_write_5m: float | None = None
    long_prompt_cache_write_1h: float | None = None
    long_prompt_cache_read: float | None = None
    # Platform-specific lifecycle dates (Bedrock and Vertex AI / Google Cloud set their own).
    bedrock_deprecated_on: datetime.date | None = None
    bedrock_retired_on: datetime.date | None = None
    vertex_deprecated_on: datetime.date | None = None
    vertex_retired_on: datetime.date | None = None
    # From [pricing_rules]; carried on the model so cost_usd needs nothing else.
    batch_multiplier: float = field(default=0.5, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """The ID followed by its aliases."""
        return (self.id, *self.aliases)

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def accepts_thinking(self, kind: str) -> bool | None:
        """Whether the API accepts ``thinking.type == kind`` on this model; ``None`` when the
        data does not say (no ``thinking_modes`` listed)."""
        if not self.thinking_modes:
            return None
        return kind in self.thinking_modes

    def lifecycle(self, platform: str = "anthropic") -> tuple[datetime.date | None,
                                                             datetime.date | None] | None:
        """``(deprecated_on, retired_on)`` on ``platform`` (``anthropic``, ``bedrock`` or
        ``vertex``). ``None`` when the data has no dates for that platform: Bedrock and Vertex
        AI set their own, so the Claude API's dates say nothing about them."""
        if platform == "anthropic":
            return self.deprecated_on, self.retired_on
        deprecated: datetime.date | None = getattr(self, f"{platform}_deprecated_on", None)
        retired: datetime.date | None = getattr(self, f"{platform}_retired_on", None)
        if deprecated is None and retired is None:
            return None
        return deprecated, retired

    def uses_long_band(self, prompt_tokens: int) -> bool:
        """Whether a prompt of ``prompt_tokens`` (input + cache writes + cache reads) is billed at
        the long-prompt band (Haiku 5.5: more than 100K tokens)."""
        threshold = self.long_prompt_threshold_tokens
        return threshold is not None and prompt_tokens > threshold

    def price(self, kind: str, prompt_tokens: int = 0) -> float | None:
        """USD per million tokens of ``kind`` for a request whose prompt is ``prompt_tokens`` long.

        ``kind`` is one of ``input``, ``output``, ``cache_write_5m``, ``cache_write_1h``,
        ``cache_read``. Above the model's long-prompt threshold the long band applies to every
        kind, output included. ``None`` when the price is unknown.
        """
        if kind not in PRICE_KINDS:
            raise ValueError(
                f"unknown price kind {kind!r}; expected one of {', '.join(PRICE_KINDS)}"
            )
        if self.uses_long_band(prompt_tokens):
            long_price: float | None = getattr(self, f"long_prompt_{kind}")
            return long_price
        base: float | None = getattr(self, kind)
        return base

    def cost_usd(
        self,
        *,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cache_write_tokens: int = 0,
        cache_read_tokens: int = 0,
        ttl: str = "5m",
        batch: bool = False,
    ) -> float | None:
        """Cost in USD of one request with these token counts.

        ``input_tokens`` are the uncached input tokens (the API's ``input_tokens``),
        ``cache_write_tokens`` are written with ``ttl`` (``"5m"`` or ``"1h"``), and the price band
        is decided by input + cache writes + cache reads. ``batch`` applies the Batch API discount
        (it stacks with the cache multipliers). ``None`` when a price needed for a non-zero count
        is unknown.
        """
        if ttl not in TTLS:
            raise ValueError(f"unknown cache ttl {ttl!r}; expected '5m' or '1h'")
        counts = {
            "input": input_tokens,
            "output": output_tokens,
            f"cache_write_{ttl}": cache_write_tokens,
            "cache_read": cache_read_tokens,
        }
        for kind, count in counts.items():
            if count < 0:
                raise ValueError(f"{kind} token count must not be negative, got {count}")
        prompt_tokens = input_tokens + cache_write_tokens + cache_read_tokens
        total = 0.0
        for kind, count in counts.items():
            if count == 0:
                continue
            per_million = self.price(kind, prompt_tokens)
            if per_million is None:
                return None
            total += count * per_million
        total /= 1_000_000
        if batch:
            total *= self.batch_multiplier
        return total


@dataclass(frozen=True)
class ModelMatch:
    """A model string resolved to a model: how it was spelled and for which platform."""

    info: ModelInfo
    spelling: str  # "id" | "alias" | "bedrock" | "vertex"
    platform: str  # "anthropic" | "bedrock" | "vertex"


# --------------------------------------------------------------------------- validation

_STR_FIELDS = ("id", "family", "line", "status", "tokenizer", "confidence", "source", "notes")
_OPT_STR_FIELDS = ("successor", "availability", "default_effort", "thinking_default", "prefill",
                   "beta_max_output_header")
_PRICE_FIELDS = (
    *PRICE_KINDS,
    "long_prompt_input",
    "long_prompt_output",
    "long_prompt_cache_write_5m",
    "long_prompt_cache_write_1h",
    "long_prompt_cache_read",
)
_INT_FIELDS = (
    "max_output_tokens",
    "beta_max_output_tokens",
    "context_window",
    "min_cacheable_tokens",
    "long_prompt_threshold_tokens",
)
_DATE_FIELDS = (
    "released_on",
    "deprecated_on",
    "retired_on",
    "retirement_not_before",
    "bedrock_deprecated_on",
    "bedrock_retired_on",
    "vertex_deprecated_on",
    "vertex_retired_on",
)
_STR_LIST_FIELDS = ("aliases", "thinking_modes")
_KNOWN_KEYS: frozenset[str] = frozenset(
    (*_STR_FIELDS, *_OPT_STR_FIELDS, *_PRICE_FIELDS, *_INT_FIELDS, *_DATE_FIELDS, *_STR_LIST_FIELDS)
)
_CHOICES: dict[str, tuple[str, ...]] = {
    "thinking_default": ("on", "off"),
    "prefill": ("accepted", "rejected"),
    "family": FAMILIES,
    "status": STATUSES,
    "tokenizer": TOKENIZERS,
}


def _where(entry: Mapping[str, Any], origin: str) -> str:
    model_id = entry.get("id")
    return f"{origin} model {model_id!r}" if isinstance(model_id, str) else f"{origin} model entry"


def _validate_entry(entry: Mapping[str, Any], origin: str, *, partial: bool) -> dict[str, Any]:
    """Check one ``[[model]]`` mapping and return it with normalised value types.

    ``partial`` entries (overrides of an existing model) need only an ``id``.
    """
    if not isinstance(entry, Mapping):
        raise ValueError(f"{origin} model entry must be a table, got {type(entry).__name__}")
    where = _where(entry, origin)
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id:
        raise ValueError(f"{where}: 'id' is required and must be a non-empty string")
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if not isinstance(key, str) or key not in _KNOWN_KEYS:
            hint = difflib.get_close_matches(str(key), sorted(_KNOWN_KEYS), n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ValueError(f"{where}: unknown key {key!r}{extra}")
        out[key] = _validate_value(where, key, value)
    if not partial:
        for key in ("family", "status"):
            if key not in out:
                raise ValueError(f"{where}: {key!r} is required for a new model")
    return out


def _validate_value(where: str, key: str, value: Any) -> Any:
    if key in _STR_FIELDS or key in _OPT_STR_FIELDS:
        if not isinstance(value, str):
            raise ValueError(f"{where}: {key!r} must be a string, got {type(value).__name__}")
        choices = _CHOICES.get(key)
        if choices is not None and value not in choices:
            raise ValueError(f"{where}: {key!r} must be one of {', '.join(choices)}, got {value!r}")
        return value
    if key in _PRICE_FIELDS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where}: {key!r} must be a number, got {type(value).__name__}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{where}: {key!r} must be a finite number >= 0, got {value!r}")
        return float(value)
    if key in _INT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{where}: {key!r} must be an integer, got {type(value).__name__}")
        if value < 0:
            raise ValueError(f"{where}: {key!r} must be >= 0, got {value!r}")
        return value
    if key in _DATE_FIELDS:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(f"{where}: {key!r} must be a date (YYYY-MM-DD), got {value!r}")
    # _STR_LIST_FIELDS
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{where}: {key!r} must be a list of strings, got {type(value).__name__}")
    if not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"{where}: {key!r} must contain only non-empty strings")
    return tuple(value)


def _build_info(fields: Mapping[str, Any], batch_multiplier: float) -> ModelInfo:
    values = dict(fields)
    values.setdefault("line", values.get("family", "other"))
    return ModelInfo(batch_multiplier=batch_multiplier, **values)
