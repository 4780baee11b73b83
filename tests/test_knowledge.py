"""Tests for claudelint.knowledge.models: the shipped model data and the questions asked of it."""

from __future__ import annotations

import datetime
import subprocess
import sys
from typing import Any

import pytest

from claudelint.knowledge.entries import ModelInfo
from claudelint.knowledge.models import Knowledge, load_knowledge, load_sdk_data


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


NEW_TOKENIZER = {
    "claude-fable-5-2",
    "claude-mythos-5-2",
    "claude-opus-5-5",
    "claude-sonnet-5-5",
    "claude-haiku-5-5",
    "claude-fable-5-1",
    "claude-mythos-5-1",
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-5",
    "claude-sonnet-5",
    "claude-opus-4-8",
    "claude-opus-4-7",
    "claude-mythos-preview",
}


# --------------------------------------------------------------------------- the data


def test_data_loads_with_sections(kb: Knowledge) -> None:
    assert kb.as_of == datetime.date(2026, 12, 4)
    assert len(kb.sources) >= 10
    assert kb.pricing_rules["batch_multiplier"] == 0.5
    assert kb.caching["max_breakpoints"] == 4
    assert kb.batches["max_requests"] == 100_000
    assert kb.thinking["budget_tokens_min"] == 1024
    assert kb.sdk["nonstreaming_max_tokens_threshold"] == 21333
    assert len(kb.models()) == 38
    assert len({m.id for m in kb.models()}) == 38


def test_every_model_has_source_confidence_and_tokenizer(kb: Knowledge) -> None:
    for m in kb.models():
        assert m.source, m.id
        assert m.confidence in {"official", "third-party", "mixed"}, m.id
        expected = "new" if m.id in NEW_TOKENIZER else "legacy"
        assert m.tokenizer == expected, m.id


def test_fields_are_typed(kb: Knowledge) -> None:
    opus = kb.get("claude-opus-5-5")
    assert opus is not None
    assert opus.family == "opus" and opus.line == "opus"
    assert opus.released_on == datetime.date(2026, 9, 22)
    assert opus.thinking_modes == ("adaptive",)
    assert opus.min_cacheable_tokens == 512
    assert opus.max_output_tokens == 128_000
    assert opus.default_effort == "medium"
    fable = kb.get("claude-fable-5-2")
    assert fable is not None
    assert fable.family == "other" and fable.line == "fable"
    assert fable.min_cacheable_tokens is None  # no source: unknown, not guessed
    sonnet45 = kb.get("claude-sonnet-4-5")
    assert sonnet45 is not None
    assert sonnet45.status == "retired"
    assert sonnet45.retired_on == datetime.date(2026, 11, 30)
    assert kb.get("claude-2.1") is not None
    assert kb.get("claude-2.1").line == "claude-2"  # type: ignore[union-attr]


def test_active_models_have_prices_and_limits(kb: Knowledge) -> None:
    for m in kb.active_models():
        assert m.input is not None and m.output is not None, m.id
        assert m.cache_read is not None and m.cache_write_5m is not None, m.id
        assert m.max_output_tokens is not None and m.context_window is not None, m.id
        assert m.released_on is not None, m.id


def test_cache_write_prices_follow_the_multipliers(kb: Knowledge) -> None:
    rules = kb.pricing_rules
    exceptions = {"claude-3-haiku-20240307"}  # 1.2x write on the pricing page (facts 1.3)
    for m in kb.models():
        if m.input is None or m.cache_write_5m is None or m.id in exceptions:
            continue
        assert m.cache_write_5m == pytest.approx(m.input * rules["cache_write_5m_multiplier"]), m.id
        assert m.cache_write_1h == pytest.approx(m.input * rules["cache_write_1h_multiplier"]), m.id


def test_successors_resolve_and_statuses_are_consistent(kb: Knowledge) -> None:
    for m in kb.models():
        if m.successor is not None:
            assert kb.get(m.successor) is not None, m.id
        if m.status == "retired":
            assert m.retired_on is not None and m.retired_on <= kb.as_of, m.id
            assert m.successor is not None, m.id


def test_tokenizer_ratios(kb: Knowledge) -> None:
    legacy = kb.tokenizer_ratios("legacy")
    new = kb.tokenizer_ratios("new")
    assert legacy["prose"] == (4.0, 4.3)
    assert new["json"] == (1.8, 2.3)
    assert set(legacy) == set(new) == {"prose", "code", "json", "cjk"}
    for kind in ("prose", "code", "json"):
        assert new[kind][1] < legacy[kind][1], kind  # new tokenizer: fewer chars per token
    with pytest.raises(ValueError, match="unknown tokenizer"):
        kb.tokenizer_ratios("gpt")


# --------------------------------------------------------------------------- lookups


def test_every_id_and_alias_resolves(kb: Knowledge) -> None:
    for m in kb.models():
        match = kb.lookup(m.id)
        assert match is not None and match.info is m
        assert (match.spelling, match.platform) == ("id", "anthropic")
        for alias in m.aliases:
            match = kb.lookup(alias)
            assert match is not None and match.info is m, alias
            assert (match.spelling, match.platform) == ("alias", "anthropic")


@pytest.mark.parametrize(
    ("spelling", "model_id"),
    [
        ("claude-opus-4-1", "claude-opus-4-1-20250805"),
        ("claude-haiku-4-5", "claude-haiku-4-5-20251001"),
        ("claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022"),
        ("claude-4-opus-20250514", "claude-opus-4-20250514"),
        ("claude-instant-1.1-100k", "claude-instant-1.1"),
    ],
)
def test_aliases(kb: Knowledge, spelling: str, model_id: str) -> None:
    match = kb.lookup(spelling)
    assert match is not None
    assert match.info.id == model_id
    assert match.spelling == "alias"


@pytest.mark.parametrize(
    ("spelling", "model_id"),
    [
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"),
        ("anthropic.claude-sonnet-4-5-20250929-v1", "claude-sonnet-4-5-20250929"),
        ("us.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5-20251001"),
        ("eu.anthropic.claude-opus-4-5-20251101-v1:0", "claude-opus-4-5-20251101"),
        ("apac.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022"),
        ("global.anthropic.claude-opus-4-6-v1", "claude-opus-4-6"),
        ("anthropic.claude-3-sonnet-20240229-v1:0:200k", "claude-3-sonnet-20240229"),
        (
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            "claude-3-haiku-20240307",
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
            "us.anthropic.claude-sonnet-4-20250514-v1:0",
            "claude-sonnet-4-20250514",
        ),
        ("anthropic.claude-v2:1", "claude-2.1"),
        ("anthropic.claude-instant-v1", "claude-instant-1.2"),
    ],
)
def test_bedrock_spellings(kb: Knowledge, spelling: str, model_id: str) -> None:
    match = kb.lookup(spelling)
    assert match is not None
    assert match.info.id == model_id
    assert (match.spelling, match.platform) == ("bedrock", "bedrock")


@pytest.mark.parametrize(
    ("spelling", "model_id"),
    [
        ("claude-sonnet-4-5@20250929", "claude-sonnet-4-5-20250929"),
        ("claude-haiku-4-5@20251001", "claude-haiku-4-5-20251001"),
        ("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-20241022"),
        ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet-20240620"),
        ("claude-opus-4-6@default", "claude-opus-4-6"),
        (
            "projects/p/locations/us-east5/publishers/anthropic/models/claude-opus-4-5@20251101",
            "claude-opus-4-5-20251101",
        ),
        ("publishers/anthropic/models/claude-sonnet-4-6", "claude-sonnet-4-6"),
    ],
)
def test_vertex_spellings(kb: Knowledge, spelling: str, model_id: str) -> None:
    match = kb.lookup(spelling)
    assert match is not None
    assert match.info.id == model_id
    assert (match.spelling, match.platform) == ("vertex", "vertex")


def test_plain_vertex_spelling_of_dateless_model_is_the_api_id(kb: Knowledge) -> None:
    match = kb.lookup("claude-opus-4-6")
    assert match is not None
    assert (match.info.id, match.spelling) == ("claude-opus-4-6", "id")


@pytest.mark.parametrize(
    "spelling",
    [
        "",
        "claude-sonnet-4.6",  # the API never uses dots in 4.x+ IDs
        "Claude-Sonnet-4-6",  # case-sensitive like the API
        "claude-sonnet-4-6 ",
        "gpt-4o",
        "claude-sonnet-4-5@20990101",
        "anthropic.gpt-4-v1:0",
        "meta.anthropic.claude-opus-4-6-v1",
        "claude-sonnet-7",
    ],
)
def test_unknown_spellings(kb: Knowledge, spelling: str) -> None:
    assert kb.lookup(spelling) is None
    assert kb.get(spelling) is None


def test_sdk_current_ids_are_known(kb: Knowledge) -> None:
    """The pinned SDK data's model list (data/sdk.toml), not the installed SDK's."""
    sdk_ids = load_sdk_data().model_param
    assert len(sdk_ids) >= 20
    missing = [model_id for model_id in sdk_ids if kb.lookup(model_id) is None]
    assert missing == []
    # The SDK Literal only holds models the API still serves.
    not_served = [i for i in sdk_ids if kb.get(i).status == "retired"]  # type: ignore[union-attr]
    assert not_served == []


def test_import_is_light() -> None:
    code = (
        "import sys, claudelint.knowledge.models as k; k.load_knowledge(); "
        "print(sorted(m for m in ('anthropic', 'libcst') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- successors


def test_successor_chain_of_claude_3_opus(kb: Knowledge) -> None:
    chain = kb.successor_chain("claude-3-opus-20240229")
    assert [m.id for m in chain] == ["claude-opus-4-8", "claude-opus-5-5"]
    first = kb.active_successor("claude-3-opus-20240229")
    assert first is not None and first.id == "claude-opus-4-8"
    newest = kb.current("claude-3-opus-20240229")
    assert newest is not None and newest.id == "claude-opus-5-5"


def test_successor_chain_through_alias_and_other_spellings(kb: Knowledge) -> None:
    for spelling in ("claude-opus-4-1", "anthropic.claude-opus-4-1-20250805-v1:0"):
        assert [m.id for m in kb.successor_chain(spelling)] == [
            "claude-opus-4-8",
            "claude-opus-5-5",
        ]
    assert [m.id for m in kb.successor_chain("claude-3-haiku-20240307")] == [
        "claude-haiku-4-5-20251001",
        "claude-haiku-5-5",
    ]
    assert [m.id for m in kb.successor_chain("claude-mythos-preview")] == [
        "claude-mythos-5",
        "claude-mythos-5-1",
        "claude-mythos-5-2",
    ]


def test_successor_of_newest_and_unknown(kb: Knowledge) -> None:
    assert kb.successor_chain("claude-haiku-5-5") == []
    assert kb.active_successor("claude-haiku-5-5") is None
    current = kb.current("claude-haiku-5-5")
    assert current is not None and current.id == "claude-haiku-5-5"
    assert kb.successor_chain("gpt-4o") == []
    assert kb.active_successor("gpt-4o") is None
    assert kb.current("gpt-4o") is None


@pytest.mark.parametrize(
    ("family", "model_id"),
    [
        ("haiku", "claude-haiku-5-5"),
        ("sonnet", "claude-sonnet-5-5"),
        ("opus", "claude-opus-5-5"),
        ("fable", "claude-fable-5-2"),
        ("mythos", "claude-mythos-5-2"),
    ],
)
def test_newest(kb: Knowledge, family: str, model_id: str) -> None:
    newest = kb.newest(family)
    assert newest is not None and newest.id == model_id


def test_newest_unknown_family(kb: Knowledge) -> None:
    assert kb.newest("claude-2") is None  # no active model in that line
    assert kb.newest("llama") is None


# --------------------------------------------------------------------------- prices


def test_haiku_5_5_long_prompt_band(kb: Knowledge) -> None:
    haiku = kb.get("claude-haiku-5-5")
    assert haiku is not None
    assert haiku.price("input") == 0.10
    assert haiku.price("input", 100_000) == 0.10  # the band starts above 100K
    assert haiku.price("input", 150_000) == 0.50
    assert haiku.price("output", 150_000) == 2.50
    assert haiku.price("cache_read", 150_000) == 0.05
    cost = haiku.cost_usd(input_tokens=150_000, output_tokens=1_000)
    assert cost == pytest.approx((150_000 * 0.50 + 1_000 * 2.50) / 1e6)
    # Cache reads and writes count toward the band, and then every token is on the long band.
    cost = haiku.cost_usd(
        input_tokens=10_000, cache_read_tokens=95_000, cache_write_tokens=1_000, output_tokens=500
    )
    assert cost == pytest.approx((10_000 * 0.50 + 95_000 * 0.05 + 1_000 * 0.625 + 500 * 2.5) / 1e6)
    cost = haiku.cost_usd(input_tokens=50_000, cache_read_tokens=50_000, output_tokens=500)
    assert cost == pytest.approx((50_000 * 0.10 + 50_000 * 0.01 + 500 * 0.50) / 1e6)


def test_band_only_on_models_with_a_threshold(kb: Knowledge) -> None:
    sonnet = kb.get("claude-sonnet-4-6")
    assert sonnet is not None
    assert sonnet.price("input", 900_000) == 3.0


def test_cost_cache_read_on_opus_5_5(kb: Knowledge) -> None:
    opus = kb.get("claude-opus-5-5")
    assert opus is not None
    assert opus.cost_usd(input_tokens=1_000_000) == pytest.approx(4.0)
    # 0.05x input, not the default 0.1x.
    assert opus.cost_usd(cache_read_tokens=1_000_000) == pytest.approx(0.20)
    assert opus.cost_usd(cache_write_tokens=1_000_000) == pytest.approx(5.0)
    assert opus.cost_usd(cache_write_tokens=1_000_000, ttl="1h") == pytest.approx(8.0)
    full = opus.cost_usd(
        input_tokens=2_000, cache_read_tokens=10_000, cache_write_tokens=0, output_tokens=300
    )
    assert full == pytest.approx((2_000 * 4.0 + 10_000 * 0.20 + 300 * 20.0) / 1e6)
    assert opus.cost_usd(input_tokens=2_000, output_tokens=300, batch=True) == pytest.approx(
        (2_000 * 4.0 + 300 * 20.0) / 1e6 * 0.5
    )


def test_cost_unknown_price_is_none(kb: Knowledge) -> None:
    preview = kb.get("claude-mythos-preview")
    assert preview is not None
    assert preview.cost_usd(input_tokens=1) is None
    assert preview.cost_usd() == 0.0
    old = kb.get("claude-3-sonnet-20240229")
    assert old is not None
    assert old.cost_usd(input_tokens=1_000_000) == pytest.approx(3.0)
    assert old.cost_usd(input_tokens=1, cache_read_tokens=1) is None


def test_cost_rejects_bad_arguments(kb: Knowledge) -> None:
    opus = kb.get("claude-opus-5-5")
    assert opus is not None
    with pytest.raises(ValueError, match="ttl"):
        opus.cost_usd(cache_write_tokens=1, ttl="10m")
    with pytest.raises(ValueError, match="negative"):
        opus.cost_usd(input_tokens=-1)
    with pytest.raises(ValueError, match="price kind"):
        opus.price("cache_write")


# --------------------------------------------------------------------------- suggestions


def test_closest_ids(kb: Knowledge) -> None:
    assert kb.closest_ids("claude-sonnet-4.6")[0] == "claude-sonnet-4-6"
    assert kb.closest_ids("claude-haiku-4.5")[0] == "claude-haiku-4-5"
    assert "claude-sonnet-4-5" in kb.closest_ids("claude-sonet-4-5")
    assert kb.closest_ids("claude-2.1")[0] == "claude-2.1"
    assert len(kb.closest_ids("claude-opus", n=2)) <= 2
    assert kb.closest_ids("completely unrelated text") == []


def test_least_favourable(kb: Knowledge) -> None:
    largest = kb.least_favourable(lambda m: m.min_cacheable_tokens, maximize=True)
    assert largest.min_cacheable_tokens == 4096
    assert largest.status == "active"
    smallest = kb.least_favourable(lambda m: m.min_cacheable_tokens)
    assert smallest.min_cacheable_tokens == 512
    cheapest = kb.least_favourable(lambda m: m.input)
    assert cheapest.id == "claude-haiku-5-5"
    # Retired Opus 4.1 costs $15; only active models count.
    dearest = kb.least_favourable(lambda m: m.input, maximize=True)
    assert dearest.input == 10.0
    with pytest.raises(LookupError):
        kb.least_favourable(lambda m: None)


# --------------------------------------------------------------------------- extra models


def test_load_is_cached() -> None:
    assert load_knowledge() is load_knowledge()
    extra = ({"id": "claude-opus-5-5", "input": 3.0},)
    same = ({"id": "claude-opus-5-5", "input": 3.0},)
    assert load_knowledge(extra) is load_knowledge(same)
    assert load_knowledge(extra) is not load_knowledge()


def test_extra_model_overrides_only_given_keys() -> None:
    kb = load_knowledge(({"id": "claude-opus-5-5", "input": 3.0, "aliases": ["opus-latest"]},))
    opus = kb.get("claude-opus-5-5")
    assert opus is not None
    assert opus.input == 3.0
    assert opus.output == 20.0  # untouched
    assert opus.min_cacheable_tokens == 512
    match = kb.lookup("opus-latest")
    assert match is not None and match.info is opus
    # The shipped knowledge is unchanged.
    shipped = load_knowledge().get("claude-opus-5-5")
    assert shipped is not None and shipped.input == 4.0


def test_extra_model_adds_a_model() -> None:
    entry: dict[str, Any] = {
        "id": "claude-sonnet-6",
        "family": "sonnet",
        "status": "active",
        "released_on": "2027-01-10",
        "input": 2,
        "output": 10,
        "cache_read": 0.2,
        "min_cacheable_tokens": 512,
    }
    kb = load_knowledge((entry,))
    info = kb.get("claude-sonnet-6")
    assert isinstance(info, ModelInfo)
    assert info.line == "sonnet"
    assert info.input == 2.0 and isinstance(info.input, float)
    assert info.released_on == datetime.date(2027, 1, 10)
    newest = kb.newest("sonnet")
    assert newest is not None and newest.id == "claude-sonnet-6"
    assert len(kb.models()) == len(load_knowledge().models()) + 1
    redirected = load_knowledge(
        ({"id": "claude-sonnet-5-5", "successor": "claude-sonnet-6"}, entry)
    )
    assert [m.id for m in redirected.successor_chain("claude-sonnet-4-5")] == [
        "claude-sonnet-5-5",
        "claude-sonnet-6",
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"family": "opus", "status": "active"}, "'id' is required"),
        ({"id": 7}, "'id' is required"),
        ({"id": "claude-opus-5-5", "input": "four"}, "'input' must be a number"),
        ({"id": "claude-opus-5-5", "input": True}, "'input' must be a number"),
        ({"id": "claude-opus-5-5", "input": -1.0}, ">= 0"),
        ({"id": "claude-opus-5-5", "max_output_tokens": 1.5}, "must be an integer"),
        ({"id": "claude-opus-5-5", "aliases": "opus"}, "list of strings"),
        ({"id": "claude-opus-5-5", "status": "sunset"}, "'status' must be one of"),
        ({"id": "claude-opus-5-5", "tokenizer": "o200k"}, "'tokenizer' must be one of"),
        ({"id": "claude-opus-5-5", "released_on": "yesterday"}, "must be a date"),
        ({"id": "claude-opus-5-5", "inptu": 1.0}, "did you mean 'input'"),
        ({"id": "claude-new"}, "'family' is required"),
        ({"id": "claude-opus-5-5", "successor": "claude-opus-9"}, "not a known model"),
        ({"id": "claude-opus-5-5", "successor": "claude-opus-4-8"}, "loops back"),
        ({"id": "claude-opus-5-5", "aliases": ["claude-sonnet-4-5"]}, "already a name"),
        ("claude-opus-5-5", "must be a table"),
    ],
)
def test_bad_extra_models_raise(entry: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_knowledge((entry,))
