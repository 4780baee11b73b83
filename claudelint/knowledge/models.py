"""Models, prices and limits: the one module that answers questions about Claude models.

The facts live in ``data/models.toml`` (dated and sourced); this module loads them,
validates them (one entry at a time, in knowledge/entries.py, which also holds `ModelInfo`),
merges extra or overriding model entries from configuration, and answers
questions such as "which model is this string?", "what replaces it?" and "what does this request
cost?".

It deliberately imports neither ``anthropic`` nor ``libcst`` so that start-up stays fast.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from claudelint.knowledge.entries import (
    ModelInfo,
    ModelMatch,
    _build_info,
    _validate_entry,
)

if TYPE_CHECKING:
    from claudelint.knowledge.sdk import InstalledSdk

__all__ = [
    "Knowledge",
    "Lifecycle",
    "SdkData",
    "load_knowledge",
    "load_sdk_data",
]

# Bedrock cross-region inference profile prefixes (``us.anthropic.claude-...``).
_BEDROCK_REGION_PREFIXES = frozenset({"us-gov", "us", "eu", "apac", "global", "jp", "au", "ca"})
# ``-v1``, ``-v1:0``, ``-v2:0``, and provisioned-throughput variants such as ``-v1:0:200k``.
_BEDROCK_VERSION_SUFFIX = re.compile(r"-v\d+(?::\d+)?(?::\d+k)?\Z")
# Bedrock spellings of the oldest models, which do not follow the API IDs.
_BEDROCK_LEGACY: dict[str, str] = {
    "claude-v2:1": "claude-2.1",
    "claude-v2": "claude-2.0",
    "claude-v1": "claude-1.3",
    "claude-instant-v1": "claude-instant-1.2",
}
# Vertex AI writes dated snapshots as ``name@YYYYMMDD`` and sometimes marks a second version of a
# name with ``-v2`` (``claude-3-5-sonnet-v2@20241022``).
_VERTEX_AT = re.compile(r"\A(?P<base>[^@]+)@(?P<version>[^@]+)\Z")
_VERTEX_V2 = re.compile(r"-v\d+\Z")
_VERTEX_PATH_MARK = "publishers/anthropic/models/"


# --------------------------------------------------------------------------- the knowledge base


def _family_of(model_id: str) -> tuple[str, str]:
    """(family, line) guessed from a model ID's words, for a model only the SDK knows."""
    for family in ("opus", "sonnet", "haiku"):
        if family in model_id:
            return family, family
    for line in ("fable", "mythos"):
        if line in model_id:
            return "other", line
    return "other", "other"


def _merge_sdk(merged: dict[str, dict[str, Any]], sdk: InstalledSdk) -> set[str]:
    """Merge the installed SDK's deprecation table and model IDs into ``merged`` (the shipped
    entries, by ID), under the shipped data: a shipped retirement date or retired status is
    kept; an SDK end-of-life date is added where the data has none (the model becomes
    deprecated); an ID the data does not know becomes a model with no prices or limits.
    Returns the IDs whose retirement date now comes from the SDK."""
    names: dict[str, str] = {}
    for model_id, fields in merged.items():
        for name in (model_id, *fields.get("aliases", ())):
            names.setdefault(name, model_id)
    source = f"installed anthropic {sdk.version}"
    dated: set[str] = set()
    for name, end_of_life in sdk.deprecated.items():
        known = names.get(name)
        if known is None:
            family, line = _family_of(name)
            merged[name] = {"id": name, "family": family, "line": line, "status": "deprecated",
                            "retired_on": end_of_life, "source": source}
            names[name] = name
            dated.add(name)
            continue
        fields = merged[known]
        if fields.get("status") == "retired" or fields.get("retired_on") is not None:
            continue
        merged[known] = {**fields, "status": "deprecated", "retired_on": end_of_life}
        dated.add(known)
    for name in sdk.models:
        if name not in names:
            family, line = _family_of(name)
            merged[name] = {"id": name, "family": family, "line": line, "status": "active",
                            "source": source}
            names[name] = name
    return dated



@dataclass(frozen=True)
class Lifecycle:
    """Where a model stands on a given day (see :meth:`Knowledge.lifecycle_on`)."""

    status: str  # "active", "deprecated" or "retired"
    retired_on: datetime.date | None
    # Where the retirement date comes from, for messages: "claudelint's model data of
    # 2026-12-04" or "the installed anthropic 2.18.0's deprecation table".
    source: str


class Knowledge:
    """The loaded knowledge base. Obtain it through :func:`load_knowledge`."""

    def __init__(self, data: Mapping[str, Any], extra_models: Iterable[Mapping[str, Any]] = (),
                 sdk: InstalledSdk | None = None):
        as_of = data.get("as_of")
        if not isinstance(as_of, datetime.date):
            raise ValueError("models.toml: 'as_of' must be a date")
        self.as_of: datetime.date = as_of
        self.sources: tuple[str, ...] = tuple(data.get("sources", ()))
        self.pricing_rules: dict[str, Any] = dict(data.get("pricing_rules", {}))
        self.caching: dict[str, Any] = dict(data.get("caching", {}))
        self.batches: dict[str, Any] = dict(data.get("batches", {}))
        self.thinking: dict[str, Any] = dict(data.get("thinking", {}))
        self.sdk: dict[str, Any] = dict(data.get("sdk", {}))
        self._tokenizers = self._read_tokenizers(data.get("tokenizers", {}))

        batch_multiplier = self.pricing_rules.get("batch_multiplier", 0.5)
        if isinstance(batch_multiplier, bool) or not isinstance(batch_multiplier, (int, float)):
            raise ValueError("models.toml: [pricing_rules] batch_multiplier must be a number")

        merged: dict[str, dict[str, Any]] = {}
        for entry in data.get("model", ()):
            fields = _validate_entry(entry, "models.toml", partial=False)
            if fields["id"] in merged:
                raise ValueError(f"models.toml: model {fields['id']!r} is listed twice")
            merged[fields["id"]] = fields
        # The installed SDK's deprecations and model IDs, under the shipped data: it fills in
        # what the shipped data does not say; configured entries still override both.
        self.installed_sdk: InstalledSdk | None = sdk
        self._dated_by_sdk: frozenset[str] = frozenset(
            _merge_sdk(merged, sdk) if sdk is not None else ())
        for entry in extra_models:
            entry_id = entry.get("id") if isinstance(entry, Mapping) else None
            known = isinstance(entry_id, str) and entry_id in merged
            fields = _validate_entry(entry, "configured", partial=known)
            if known:
                merged[fields["id"]] = {**merged[fields["id"]], **fields}
            else:
                merged[fields["id"]] = fields
            if "retired_on" in fields or "status" in fields:
                self._dated_by_sdk -= {fields["id"]}

        self._models: tuple[ModelInfo, ...] = tuple(
            _build_info(fields, float(batch_multiplier)) for fields in merged.values()
        )
        self._by_id: dict[str, ModelInfo] = {m.id: m for m in self._models}
        self._by_name: dict[str, tuple[ModelInfo, str]] = {}
        for m in self._models:
            self._by_name[m.id] = (m, "id")
        for m in self._models:
            for alias in m.aliases:
                other = self._by_name.get(alias)
                if other is not None and other[0].id != m.id:
                    raise ValueError(
                        f"model {m.id!r}: alias {alias!r} is already a name of "
                        f"model {other[0].id!r}"
                    )
                self._by_name.setdefault(alias, (m, "alias"))
        for m in self._models:
            if m.successor is not None:
                target = self._by_name.get(m.successor)
                if target is None:
                    raise ValueError(
                        f"model {m.id!r}: successor {m.successor!r} is not a known model"
                    )
                if target[0].id == m.id:
                    raise ValueError(f"model {m.id!r}: successor is the model itself")
        for m in self._models:
            self._chain(m)  # raises on a cycle
        self._normalised: dict[str, str] = {}
        for name in self._by_name:
            self._normalised.setdefault(name.replace(".", "-"), name)

    @staticmethod
    def _read_tokenizers(raw: Any) -> dict[str, dict[str, tuple[float, float]]]:
        if not isinstance(raw, Mapping):
            raise ValueError("models.toml: [tokenizers] must be a table")
        result: dict[str, dict[str, tuple[float, float]]] = {}
        for name, kinds in raw.items():
            if not isinstance(kinds, Mapping):
                raise ValueError(f"models.toml: [tokenizers.{name}] must be a table")
            ratios: dict[str, tuple[float, float]] = {}
            for kind, rng in kinds.items():
                low = rng.get("low") if isinstance(rng, Mapping) else None
                high = rng.get("high") if isinstance(rng, Mapping) else None
                if not (
                    isinstance(low, (int, float))
                    and isinstance(high, (int, float))
                    and 0 < low <= high
                ):
                    raise ValueError(
                        f"models.toml: [tokenizers.{name}] {kind} needs 0 < low <= high chars/token"
                    )
                ratios[str(kind)] = (float(low), float(high))
            result[str(name)] = ratios
        return result

    # ------------------------------------------------------------------ lookups

    def models(self) -> tuple[ModelInfo, ...]:
        """Every model, in data order (newest lineup first)."""
        return self._models

    def active_models(self) -> tuple[ModelInfo, ...]:
        return tuple(m for m in self._models if m.is_active)

    # ------------------------------------------------------------------ dates

    def lifecycle_on(self, info: ModelInfo, today: datetime.date,
                     platform: str = "anthropic") -> Lifecycle | None:
        """Where ``info`` stands on ``today`` on ``platform``: retired once its retirement date
        has passed (or, with no date, when the data says so), deprecated likewise, else
        active. ``None`` for a cloud platform the data has no dates for (the clouds retire
        models on their own schedule).
        The one place that judges a model's status by date: CL302 and ``claudelint sites``
        both ask it, so they agree."""
        dates = info.lifecycle(platform)
        if dates is None:
            return None
        deprecated_on, retired_on = dates
        first_party = platform == "anthropic"
        # A known retirement date decides (on a day before it, a model the data calls retired
        # was still deprecated); without one, the data's status does.
        if retired_on is not None:
            is_retired = retired_on <= today
        else:
            is_retired = info.status == "retired" and first_party
        if is_retired:
            status = "retired"
        elif (info.status in ("deprecated", "retired") and first_party) or (
            deprecated_on is not None and deprecated_on <= today
        ):
            status = "deprecated"
        else:
            status = "active"
        if info.id in self._dated_by_sdk and self.installed_sdk is not None:
            source = f"the installed anthropic {self.installed_sdk.version}'s deprecation table"
        else:
            source = f"claudelint's model data of {self.as_of.isoformat()}"
        return Lifecycle(status, retired_on, source)

    def model_state(self, model_id: str, client: str,
                    today: datetime.date) -> tuple[ModelMatch, str, Lifecycle | None] | None:
        """How a request's model stands on ``today``: its match, the platform it is served on
        (the spelling's, else the client's: ``AnthropicBedrock`` serves API IDs on Bedrock),
        and its lifecycle there (``None``: that platform's dates are unknown). ``None`` for an
        unknown model."""
        match = self.lookup(model_id)
        if match is None:
            return None
        platform = match.platform
        if platform == "anthropic":
            if "Bedrock" in client:
                platform = "bedrock"
            elif "Vertex" in client or "GoogleCloud" in client:
                platform = "vertex"
        return match, platform, self.lifecycle_on(match.info, today, platform)

    def lookup(self, model: str) -> ModelMatch | None:
        """Resolve a model string as the API, Bedrock or Vertex AI would spell it.

        Case-sensitive, like the API. Accepts IDs and aliases (``claude-sonnet-4-5``), Bedrock
        model IDs (``anthropic.claude-sonnet-4-5-20250929-v1:0``, with or without ``:0``, with an
        inference-profile region prefix such as ``us.`` or ``global.``, or inside an ARN), and
        Vertex AI names (``claude-sonnet-4-5@20250929``, optionally as a
        ``publishers/anthropic/models/...`` resource path). ``None`` when nothing matches.
        """
        if not isinstance(model, str) or not model:
            return None
        direct = self._by_name.get(model)
        if direct is not None:
            return ModelMatch(direct[0], direct[1], "anthropic")
        tail = model.rsplit("/", 1)[-1] if "/" in model else model
        bedrock = self._lookup_bedrock(tail)
        if bedrock is not None:
            return ModelMatch(bedrock, "bedrock", "bedrock")
        vertex = self._lookup_vertex(tail, from_path=_VERTEX_PATH_MARK in model)
        if vertex is not None:
            return ModelMatch(vertex, "vertex", "vertex")
        return None

    def _lookup_bedrock(self, name: str) -> ModelInfo | None:
        head, dot, rest = name.partition(".")
        if dot and head in _BEDROCK_REGION_PREFIXES:
            name = rest
        if not name.startswith("anthropic."):
            return None
        name = name[len("anthropic.") :]
        legacy = _BEDROCK_LEGACY.get(name)
        if legacy is not None:
            return self._by_id.get(legacy)
        base = _BEDROCK_VERSION_SUFFIX.sub("", name)
        hit = self._by_name.get(base)
        return hit[0] if hit is not None else None

    def _lookup_vertex(self, name: str, *, from_path: bool) -> ModelInfo | None:
        at = _VERTEX_AT.match(name)
        if at is None:
            if from_path:
                hit = self._by_name.get(name)
                return hit[0] if hit is not None else None
            return None
        base, version = at.group("base"), at.group("version")
        for candidate in (base, _VERTEX_V2.sub("", base)):
            hit = self._by_name.get(f"{candidate}-{version}")
            if hit is not None:
                return hit[0]
            # Dateless IDs (4.6 and later) have no snapshot date to append.
            if version in ("default", "latest") or not version.isdigit():
                hit = self._by_name.get(candidate)
                if hit is not None:
                    return hit[0]
        return None

    def get(self, model: str) -> ModelInfo | None:
        """The model a string names (any spelling :meth:`lookup` accepts), or ``None``."""
        match = self.lookup(model)
        return match.info if match is not None else None

    # ------------------------------------------------------------------ successors

    def _chain(self, info: ModelInfo) -> list[ModelInfo]:
        chain: list[ModelInfo] = []
        seen = {info.id}
        current = info
        while current.successor is not None:
            nxt = self._by_name[current.successor][0]
            if nxt.id in seen:
                raise ValueError(f"model {info.id!r}: successor chain loops back to {nxt.id!r}")
            seen.add(nxt.id)
            chain.append(nxt)
            current = nxt
        return chain

    def successor_chain(self, model: str) -> list[ModelInfo]:
        """Every documented successor of ``model`` in order, not including the model itself.

        Empty for an unknown model or one without a successor.
        """
        info = self.get(model)
        return self._chain(info) if info is not None else []

    def active_successor(self, model: str) -> ModelInfo | None:
        """The first active model on the successor chain of ``model`` (not the model itself)."""
        return next((m for m in self.successor_chain(model) if m.is_active), None)

    def current(self, model: str) -> ModelInfo | None:
        """The newest active model of the line ``model`` belongs to, by its successor chain.

        Follows ``successor`` links to the end and returns the last active model on the way (the
        model itself when it is active and has no successor). ``None`` for an unknown model or
        when no model on the chain is active.
        """
        info = self.get(model)
        if info is None:
            return None
        for candidate in reversed([info, *self._chain(info)]):
            if candidate.is_active:
                return candidate
        return None

    def newest(self, family: str) -> ModelInfo | None:
        """The newest active model (by release date) whose family or line is ``family``.

        ``newest("haiku")`` is the current Haiku; ``newest("fable")`` works on lines too. Ties go
        to the model listed first in the data.
        """
        best: ModelInfo | None = None
        for m in self._models:
            if not m.is_active or m.released_on is None or family not in (m.family, m.line):
                continue
            if best is None or best.released_on is None or m.released_on > best.released_on:
                best = m
        return best

    # ------------------------------------------------------------------ suggestions and fallbacks

    def closest_ids(self, text: str, n: int = 3) -> list[str]:
        """Model IDs or aliases that look like ``text``, closest first (for "did you mean").

        Dots are compared as hyphens, so ``claude-sonnet-4.6`` suggests ``claude-sonnet-4-6``.
        """
        if n <= 0 or not text:
            return []
        wanted = text.strip().replace(".", "-")
        if wanted in self._normalised:
            first = [self._normalised[wanted]]
        else:
            first = []
        close = difflib.get_close_matches(wanted, list(self._normalised), n=n + 1, cutoff=0.6)
        result: list[str] = []
        for name in [*first, *(self._normalised[c] for c in close)]:
            if name not in result:
                result.append(name)
        return result[:n]

    def least_favourable(
        self, key: Callable[[ModelInfo], float | int | None], *, maximize: bool = False
    ) -> ModelInfo:
        """The active model with the smallest (or, with ``maximize``, largest) ``key``.

        Used when the model of a request is unknown: a rule takes the figure that makes it
        hardest to fire. Models for which ``key`` returns ``None`` are skipped; raises
        ``LookupError`` when no active model has a value.
        """
        scored = [(value, m) for m in self.active_models() if (value := key(m)) is not None]
        if not scored:
            raise LookupError("no active model has a value for this key")
        if maximize:
            return max(scored, key=lambda pair: pair[0])[1]
        return min(scored, key=lambda pair: pair[0])[1]

    # ------------------------------------------------------------------ tokenizers

    def tokenizer_ratios(self, tokenizer: str) -> dict[str, tuple[float, float]]:
        """Characters per token for each content kind: ``kind -> (low, high)``."""
        ratios = self._tokenizers.get(tokenizer)
        if ratios is None:
            known = ", ".join(sorted(self._tokenizers))
            raise ValueError(f"unknown tokenizer {tokenizer!r}; expected one of {known}")
        return dict(ratios)

    def tokenizer_names(self) -> tuple[str, ...]:
        return tuple(self._tokenizers)


# --------------------------------------------------------------------------- loading


def _read_toml(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)
    import tomli  # type: ignore[import-not-found, unused-ignore]

    result: dict[str, Any] = tomli.loads(text)
    return result


Frozen = Any  # a hashable mirror of TOML data: tuples for lists and tagged tuples for tables


def _freeze(value: Any) -> Frozen:
    if isinstance(value, Mapping):
        return ("__table__", tuple((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("__array__", tuple(_freeze(v) for v in value))
    hash(value)  # raises TypeError on anything else that is not hashable
    return value


def _thaw(value: Frozen) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__table__":
        return {k: _thaw(v) for k, v in value[1]}
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__array__":
        return [_thaw(v) for v in value[1]]
    return value


@functools.lru_cache(maxsize=1)
def _shipped_data() -> dict[str, Any]:
    text = resources.files("claudelint.knowledge.data").joinpath("models.toml").read_text("utf-8")
    return _read_toml(text)


@functools.lru_cache(maxsize=16)
def _load_frozen(frozen_extra: tuple[Frozen, ...]) -> Knowledge:
    return Knowledge(_shipped_data(), tuple(_thaw(entry) for entry in frozen_extra),
                     sdk=newer_installed_sdk())


def newer_installed_sdk() -> InstalledSdk | None:
    """The installed ``anthropic`` when it is newer than the one ``data/sdk.toml`` was
    generated from (its deprecations and model IDs may be newer than the shipped data)."""
    from claudelint.knowledge.sdk import newer_than

    return newer_than(load_sdk_data().version)


def load_knowledge(extra_models: tuple[Mapping[str, Any], ...] = ()) -> Knowledge:
    """Load the shipped knowledge base, with ``extra_models`` merged in (cached).

    An extra entry whose ``id`` is a known model overrides only the keys it sets; any other entry
    adds a model and must give at least ``id``, ``family`` and ``status``. Raises ``ValueError``
    with a message naming the model and key when an entry is malformed.
    """
    try:
        frozen = tuple(_freeze(entry) for entry in extra_models)
    except TypeError as exc:
        raise ValueError(f"configured model entries must hold TOML values: {exc}") from None
    return _load_frozen(frozen)


def shipped_data_date() -> datetime.date:
    """The date the shipped model data was compiled."""
    as_of = _shipped_data().get("as_of")
    assert isinstance(as_of, datetime.date), "models.toml: 'as_of' must be a date"
    return as_of


# The shipped data is called stale once it is this much older than today.
STALE_AFTER_DAYS = 90


def stale_data_warning(today: datetime.date) -> str | None:
    """A warning when the shipped model data is more than ``STALE_AFTER_DAYS`` older than
    ``today`` (models released or retired since are unknown to it); None otherwise."""
    as_of = shipped_data_date()
    age = (today - as_of).days
    if age <= STALE_AFTER_DAYS:
        return None
    return (f"claudelint's model data is {age} days old (as of {as_of.isoformat()}): newer "
            "models and retirement dates may be missing; upgrade claudelint, or set "
            "`stale-data-warning = false` to silence this")


def version_line() -> str:
    """What `claudelint --version` prints after the version: the data's date, the SDK the
    shipped SDK data was generated from, and the installed SDK it reads when that is newer."""
    shipped = load_sdk_data().version
    parts = [f"model data as of {shipped_data_date().isoformat()}",
             f"SDK data from anthropic {shipped}"]
    from claudelint.knowledge.sdk import find_installed_sdk

    installed = find_installed_sdk()
    if installed is None:
        parts.append("no installed anthropic read")
    elif newer_installed_sdk() is not None:
        parts.append(f"deprecations and model IDs also read from the installed anthropic "
                     f"{installed.version}")
    else:
        parts.append(f"installed anthropic {installed.version}")
    return "; ".join(parts)


# --------------------------------------------------------------------------- SDK signatures


@dataclass(frozen=True)
class SdkData:
    """What the ``anthropic`` SDK accepts, from ``data/sdk.toml`` (generated from the SDK's
    signatures by ``scripts/update_sdk_data.py``; never imported from ``anthropic`` at run
    time)."""

    version: str
    # "create", "stream", "parse", "count_tokens", "beta_create", ..., "batch_params",
    # "beta_batch_params" -> accepted keyword names
    keywords: Mapping[str, frozenset[str]]
    # The SDK refuses non-streaming requests above this max_tokens (default timeout).
    nonstreaming_max_tokens: int | None
    # Lower per-model limits for non-streaming requests (``MODEL_NONSTREAMING_TOKENS``).
    model_nonstreaming_tokens: Mapping[str, int]
    # The model IDs of the SDK's ``ModelParam`` literal.
    model_param: tuple[str, ...]

    def accepted(self, method: str, *, beta: bool) -> frozenset[str] | None:
        """Keywords a request method accepts (``create``, ``stream``, ``parse``,
        ``tool_runner``, ``count_tokens``; ``batch`` for the ``params`` of a Message Batch
        request). ``None`` when the data has no such method."""
        key = "batch_params" if method == "batch" else method
        return self.keywords.get(f"beta_{key}" if beta else key)


def parse_sdk_data(data: Mapping[str, Any]) -> SdkData:
    """Build :class:`SdkData` from the parsed TOML of ``sdk.toml``."""
    raw_keywords = data.get("keywords", {})
    if not isinstance(raw_keywords, Mapping):
        raise ValueError("sdk.toml: [keywords] must be a table")
    keywords: dict[str, frozenset[str]] = {}
    for name, names in raw_keywords.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError(f"sdk.toml: keywords.{name} must be a list of strings")
        keywords[str(name)] = frozenset(names)
    limits = data.get("model_nonstreaming_tokens", {})
    if not isinstance(limits, Mapping) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in limits.values()
    ):
        raise ValueError("sdk.toml: [model_nonstreaming_tokens] must map model IDs to integers")
    threshold = data.get("nonstreaming_max_tokens")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int)):
        raise ValueError("sdk.toml: nonstreaming_max_tokens must be an integer")
    models = data.get("models", {})
    model_param = models.get("model_param", []) if isinstance(models, Mapping) else []
    return SdkData(
        version=str(data.get("sdk_version", "")),
        keywords=keywords,
        nonstreaming_max_tokens=threshold,
        model_nonstreaming_tokens={str(k): int(v) for k, v in limits.items()},
        model_param=tuple(str(m) for m in model_param),
    )


@functools.lru_cache(maxsize=1)
def load_sdk_data() -> SdkData:
    """The shipped ``data/sdk.toml`` (cached)."""
    text = resources.files("claudelint.knowledge.data").joinpath("sdk.toml").read_text("utf-8")
    return parse_sdk_data(_read_toml(text))
