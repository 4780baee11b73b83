"""Offline token estimates from characters.

There is no offline tokenizer for current Claude models, so claudelint estimates a *range* of
tokens from character counts, per tokenizer generation (``"legacy"`` or ``"new"``) and content
kind. The characters-per-token figures are data (``[tokenizers.*]`` in ``data/models.toml``).

``TokenEstimate.low`` assumes the most characters per token (fewest tokens) and ``high`` the
fewest characters per token (most tokens). A rule takes the end that makes it harder to fire:
"prefix is above the minimum" uses ``low``, "prefix is below the minimum" uses ``high``.
CJK characters (Han, Hiragana, Katakana, Hangul, fullwidth forms) are always counted at the
``cjk`` ratio, about one token per character; the rest at the ratio of the text's kind.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass

from claudelint.knowledge.models import load_knowledge

__all__ = ["KINDS", "TokenEstimate", "classify", "count_cjk", "estimate_tokens"]

KINDS: tuple[str, ...] = ("prose", "code", "json")

_CJK_RUN = re.compile(
    "["
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3000-\u303f"  # CJK symbols and punctuation
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3100-\u312f"  # Bopomofo
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3200-\u33ff"  # enclosed CJK letters, CJK compatibility
    "\u3400-\u4dbf"  # CJK unified ideographs extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"  # Hangul Jamo extended-A
    "\uac00-\ud7ff"  # Hangul syllables, Jamo extended-B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\ufe30-\ufe4f"  # CJK compatibility forms
    "\uff00-\uffef"  # halfwidth and fullwidth forms
    "\U00020000-\U0003134f"  # CJK unified ideographs extensions B-G
    "]+"
)

# Characters much more frequent in source code than in prose.
_CODE_CHARS = "{}()[];=<>_+*/\\|&!$%^~`#"
_DELETE_CODE = str.maketrans("", "", _CODE_CHARS)
_JSON_CHARS = '{}[]":,'
_DELETE_JSON = str.maketrans("", "", _JSON_CHARS)
_MARKUP_CHARS = '<>/="'
_DELETE_MARKUP = str.maketrans("", "", _MARKUP_CHARS)
_CODE_LINE = re.compile(
    r"^[ \t]*(?:def |class |import |from \S+ import |return\b|async def |if .*:$|for .*:$|"
    r"elif .*:$|while .*:$|try:$|except\b|function\b|const |let |var |#include|public |private |"
    r"package |func |fn |[}\])];?$|@\w)",
    re.M,
)
_INDENTED_LINE = re.compile(r"^(?:    |\t)\S", re.M)
_NONBLANK_LINE = re.compile(r"^[ \t]*\S", re.M)

_SAMPLE_CHARS = 100_000  # structure is judged on at most this much text
_JSON_PARSE_LIMIT = 5_000_000

# Thresholds on the share of code characters. Below _AMBIGUOUS_CODE it is prose; between that
# and _CLEAR_CODE a text is code only with code-shaped lines, and the estimate spans both kinds.
_AMBIGUOUS_CODE = 0.03
_CLEAR_CODE = 0.08
_EPS = 1e-9


@dataclass(frozen=True)
class TokenEstimate:
    """A range of token counts: ``low <= high``."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low < 0 or self.low > self.high:
            raise ValueError(f"invalid token estimate: low={self.low}, high={self.high}")

    def __add__(self, other: TokenEstimate) -> TokenEstimate:
        if not isinstance(other, TokenEstimate):
            return NotImplemented
        return TokenEstimate(self.low + other.low, self.high + other.high)

    def __radd__(self, other: object) -> TokenEstimate:
        # Lets ``sum(estimates)`` start from the integer 0.
        if other == 0:
            return self
        return NotImplemented

    @classmethod
    def exact(cls, tokens: int) -> TokenEstimate:
        """A known count (for example from the count_tokens endpoint)."""
        return cls(tokens, tokens)


def count_cjk(text: str) -> int:
    """How many CJK characters (Han, kana, Hangul, fullwidth forms) ``text`` holds."""
    if text.isascii():
        return 0
    return sum(map(len, _CJK_RUN.findall(text)))


def _share(text: str, table: dict[int, int | None]) -> float:
    return (len(text) - len(text.translate(table))) / len(text)


def _kinds(text: str) -> tuple[str, ...]:
    """Plausible kinds of ``text``, most likely first (two when the evidence is mixed)."""
    stripped = text.strip()
    if not stripped:
        return ("prose",)
    if stripped[0] in "{[" and stripped[-1] in "}]" and len(stripped) <= _JSON_PARSE_LIMIT:
        try:
            json.loads(stripped)
        except ValueError:
            pass
        else:
            return ("json",)
    sample = stripped if len(stripped) <= 2 * _SAMPLE_CHARS else stripped[:_SAMPLE_CHARS]
    if sample[0] in "{[" and _share(sample, _DELETE_JSON) >= 0.12:
        return ("json",)  # JSON-like but not parseable: truncated, templated, or JSON lines
    if sample[0] == "<" and _share(sample, _DELETE_MARKUP) >= 0.08:
        return ("json",)  # markup (HTML/XML) tokenizes like JSON
    density = _share(sample, _DELETE_CODE)
    if density < _AMBIGUOUS_CODE:
        return ("prose",)
    lines = max(1, len(_NONBLANK_LINE.findall(sample)))
    code_lines = len(_CODE_LINE.findall(sample)) / lines
    indented = len(_INDENTED_LINE.findall(sample)) / lines
    code_shaped = code_lines >= 0.15 or (indented >= 0.3 and density >= 0.05)
    if density >= _CLEAR_CODE and code_shaped:
        return ("code",)
    if code_shaped:
        return ("code", "prose")
    if density >= _CLEAR_CODE:
        return ("prose", "code")
    return ("prose",)


def classify(text: str) -> str:
    """The content kind of ``text``: ``"prose"``, ``"code"`` or ``"json"`` (JSON or markup).

    CJK characters are not a kind: :func:`estimate_tokens` always counts them separately.
    """
    return _kinds(text)[0]


@functools.lru_cache(maxsize=8)
def _ratios(tokenizer: str) -> dict[str, tuple[float, float]]:
    return load_knowledge().tokenizer_ratios(tokenizer)


def estimate_tokens(text: str, tokenizer: str = "legacy", kind: str | None = None) -> TokenEstimate:
    """Estimate how many tokens ``text`` is for a ``tokenizer`` generation (``legacy``/``new``).

    ``kind`` forces a content kind (``prose``, ``code``, ``json``); by default it is guessed
    with :func:`classify`, and when the evidence is mixed the range covers both candidate kinds.
    Any non-empty text is at least one token.
    """
    if not text:
        return TokenEstimate(0, 0)
    ratios = _ratios(tokenizer)
    if kind is None:
        kinds = _kinds(text)
    elif kind in ratios:
        kinds = (kind,)
    else:
        raise ValueError(f"unknown content kind {kind!r}; expected one of {', '.join(ratios)}")
    cjk = count_cjk(text)
    rest = len(text) - cjk
    cjk_low, cjk_high = ratios["cjk"]
    fewest = min(cjk / cjk_high + rest / ratios[k][1] for k in kinds)
    most = max(cjk / cjk_low + rest / ratios[k][0] for k in kinds)
    low = max(1, math.floor(fewest + _EPS))
    high = max(low, math.ceil(most - _EPS))
    return TokenEstimate(low, high)
