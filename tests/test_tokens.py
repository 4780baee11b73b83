"""Tests for claudelint.knowledge.tokens: offline token estimates."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claudelint.knowledge.models import load_knowledge
from claudelint.knowledge.tokens import TokenEstimate, classify, count_cjk, estimate_tokens

PROSE = (
    "You are a careful assistant that answers questions about the company's refund policy. "
    "Read the customer's message, decide whether the request falls within the thirty day "
    "window, and explain the outcome politely in two or three sentences. If the customer "
    "seems upset, acknowledge their frustration before giving the answer. "
) * 8

CODE = '''
def fetch_orders(client: Client, customer_id: int) -> list[Order]:
    """Return the orders of a customer, newest first."""
    rows = client.query("SELECT * FROM orders WHERE customer_id = %s", (customer_id,))
    orders = [Order(**row) for row in rows]
    orders.sort(key=lambda o: o.created_at, reverse=True)
    return orders


class OrderCache:
    def __init__(self) -> None:
        self._items: dict[int, list[Order]] = {}

    def get(self, key: int) -> list[Order] | None:
        return self._items.get(key)
'''

JSON_TEXT = json.dumps(
    {"tools": [{"name": f"tool_{i}", "params": {"id": i, "tags": ["a", "b"]}} for i in range(40)]}
)

HTML = "<ul>" + "".join(f'<li class="item"><a href="/p/{i}">Item {i}</a></li>' for i in range(60))
HTML += "</ul>"


def test_empty_text_is_zero() -> None:
    assert estimate_tokens("") == TokenEstimate(0, 0)
    assert estimate_tokens("", "new", "json") == TokenEstimate(0, 0)


def test_non_empty_text_is_at_least_one_token() -> None:
    assert estimate_tokens("a").low == 1
    assert estimate_tokens(" ").high >= 1


def test_ratios_come_from_the_data() -> None:
    prose = load_knowledge().tokenizer_ratios("legacy")["prose"]
    text = "a" * 4300
    est = estimate_tokens(text, "legacy", "prose")
    assert est.low == math.floor(4300 / prose[1])
    assert est.high == math.ceil(4300 / prose[0])
    assert (est.low, est.high) == (1000, 1075)


def test_cjk_counts_about_one_token_per_character() -> None:
    text = "日本語の文章です。これは試験です。한국어 문장입니다。中文句子。" * 40
    n = len(text)
    assert count_cjk(text) == n - text.count(" ")
    for tokenizer in ("legacy", "new"):
        est = estimate_tokens(text, tokenizer)
        assert n / 1.7 <= est.low <= est.high <= n + 1
    # Pure CJK is the same on both generations (the CJK ratio is unchanged).
    pure = text.replace(" ", "")
    assert estimate_tokens(pure, "legacy") == estimate_tokens(pure, "new")
    assert estimate_tokens(pure).high == len(pure)
    # Far more tokens than the same number of English characters.
    assert estimate_tokens(text).low > estimate_tokens(PROSE[:n]).high


def test_cjk_and_ascii_are_counted_at_their_own_ratios() -> None:
    text = "漢" * 160 + "b" * 430
    est = estimate_tokens(text, "legacy", "prose")
    assert est.low == math.floor(160 / 1.6 + 430 / 4.3)
    assert est.high == math.ceil(160 / 1.0 + 430 / 4.0)


def test_fullwidth_counts_as_cjk() -> None:
    assert count_cjk("\uff21\uff22\uff23\uff11\uff12\uff13") == 6
    assert count_cjk("plain ascii") == 0
    assert count_cjk("café naïve") == 0


def test_json_is_denser_than_prose() -> None:
    n = min(len(JSON_TEXT), len(PROSE))
    json_est = estimate_tokens(JSON_TEXT[:n])  # truncated JSON is still recognised
    prose_est = estimate_tokens(PROSE[:n])
    assert classify(JSON_TEXT[:n]) == "json"
    assert json_est.low > prose_est.high


def test_code_is_between_prose_and_json() -> None:
    n = len(CODE)
    code = estimate_tokens(CODE, "legacy", "code")
    prose = estimate_tokens(PROSE[:n], "legacy", "prose")
    json_like = estimate_tokens(JSON_TEXT[:n], "legacy", "json")
    assert prose.low < code.low < json_like.low
    assert prose.high < code.high < json_like.high


def test_new_tokenizer_gives_more_tokens_for_english() -> None:
    legacy = estimate_tokens(PROSE, "legacy")
    new = estimate_tokens(PROSE, "new")
    assert new.low > legacy.high


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (PROSE, "prose"),
        ("Summarise the following ticket in one sentence.", "prose"),
        (CODE, "code"),
        (JSON_TEXT, "json"),
        ('[{"a": 1}, {"a": 2}]', "json"),
        ('{"truncated": [1, 2, 3], "more": {"k": "v"', "json"),
        (HTML, "json"),
        ("", "prose"),
        ("<instructions>\n" + PROSE + "\n</instructions>", "prose"),
    ],
)
def test_classify(text: str, kind: str) -> None:
    assert classify(text) == kind


def test_forced_kind_and_errors() -> None:
    assert estimate_tokens(PROSE, kind="json").low > estimate_tokens(PROSE, kind="prose").high
    with pytest.raises(ValueError, match="content kind"):
        estimate_tokens(PROSE, kind="markdown")
    with pytest.raises(ValueError, match="tokenizer"):
        estimate_tokens(PROSE, tokenizer="cl100k")


def test_mixed_evidence_widens_the_range() -> None:
    # Short prose with a few code-ish symbols: the range must cover both readings.
    text = "Use the `fetch()` helper; it returns a list[dict] of rows (id, name) = values.\n" * 5
    est = estimate_tokens(text, "legacy")
    as_prose = estimate_tokens(text, "legacy", "prose")
    as_code = estimate_tokens(text, "legacy", "code")
    assert est.low <= min(as_prose.low, as_code.low)
    assert est.high >= max(as_prose.high, as_code.high)


def test_token_estimate_arithmetic() -> None:
    a = TokenEstimate(10, 12)
    b = TokenEstimate(3, 5)
    assert a + b == TokenEstimate(13, 17)
    assert sum([a, b]) == TokenEstimate(13, 17)
    assert TokenEstimate.exact(7) == TokenEstimate(7, 7)
    with pytest.raises(ValueError):
        TokenEstimate(5, 4)
    with pytest.raises(ValueError):
        TokenEstimate(-1, 4)


def test_estimates_add_up_across_parts() -> None:
    whole = estimate_tokens(PROSE * 2, "legacy", "prose")
    parts = estimate_tokens(PROSE, "legacy", "prose") + estimate_tokens(PROSE, "legacy", "prose")
    assert abs(whole.low - parts.low) <= 1
    assert abs(whole.high - parts.high) <= 1


def test_large_text_is_estimated() -> None:
    # No wall-clock limit here (the suite has none): the speed of estimates is the benchmark's.
    part = PROSE + CODE + "日本語の文章です。"
    text = part * 5_000  # about 10 MB
    est = estimate_tokens(text, "new")
    one = estimate_tokens(part, "new")
    assert est.low > 1_000_000
    assert abs(est.low - one.low * 5_000) <= 5_000


@given(st.text(max_size=400), st.sampled_from(["legacy", "new"]))
def test_low_never_exceeds_high(text: str, tokenizer: str) -> None:
    est = estimate_tokens(text, tokenizer)
    assert 0 <= est.low <= est.high
    assert (est.low == 0) == (text == "")
    assert est.high <= max(1, len(text))  # never more than one token per character
    assert classify(text) in {"prose", "code", "json"}
