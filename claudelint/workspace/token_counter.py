"""`--exact-tokens`: token counts from the API's `count_tokens` endpoint, cached on disk.

Rules size text through `RuleContext.tokens`; with `--exact-tokens` that asks a `TokenCounter`
first, which returns the count the API gives for the text under the request's model, or None
(the rule then uses the offline estimate, as without the option).

- The `anthropic` SDK is imported only here, and only when the first count is not in the cache.
  It needs `ANTHROPIC_API_KEY`; its base URL can be changed with the SDK's own
  `ANTHROPIC_BASE_URL`.
- The endpoint counts a whole request, so a text is sent as the single user message and the
  framing around it is subtracted: `count(text) - (count("x") - 1)`, the baseline counted once
  per model.
- Counts are cached by a hash of model and text under `.claudelint_cache/tokens/` (one small
  JSON file each, written atomically: temp file + rename), so repeated runs, and texts shared
  by many call sites, are counted once. A count never changes for the same model and text.
- A failed request never fails the run: a rejected model (400/404) falls back to estimates for
  that model; any other failure (no connection, 401, 429, 5xx) for the rest of the run. The
  reason is reported once, as a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claudelint.workspace.cache import CACHE_DIR, write_entry

API_KEY_ENV = "ANTHROPIC_API_KEY"
TOKENS_DIR = "tokens"
BASELINE = "x"  # one token under every tokenizer
_TIMEOUT = 30.0
_MAX_RETRIES = 1

MISSING_KEY = (
    f"--exact-tokens needs {API_KEY_ENV} (the count_tokens endpoint is called through the "
    "anthropic SDK); token counts are estimates from characters"
)


def has_api_key() -> bool:
    return bool(os.environ.get(API_KEY_ENV, "").strip())


@dataclass
class CountStats:
    """What a counter did: counts read from the disk cache, requests sent, requests failed
    (a text seen twice in one run is looked up once)."""

    cached: int = 0
    requested: int = 0
    failed: int = 0

    def merge(self, other: CountStats) -> None:
        self.cached += other.cached
        self.requested += other.requested
        self.failed += other.failed


@dataclass
class TokenCounter:
    """Counts tokens through the `count_tokens` endpoint, with an on-disk cache.

    `root` is the folder that holds `.claudelint_cache` (the working directory of the run).
    """

    root: Path
    stats: CountStats = field(default_factory=CountStats)
    _warnings: list[str] = field(default_factory=list)
    _client: Any = None
    _disabled: str | None = None  # the reason, once the API is given up for this run
    _bad_models: set[str] = field(default_factory=set)
    _memo: dict[str, int] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.root / CACHE_DIR / TOKENS_DIR

    def count(self, text: str, model: str) -> int | None:
        """The tokens of `text` on its own under `model`, or None (use the estimate)."""
        if not text:
            return 0
        raw = self._raw(text, model)
        if raw is None:
            return None
        base = self._raw(BASELINE, model)
        if base is None:
            return None
        return max(1, raw - (base - 1))

    def take_warnings(self) -> list[str]:
        out, self._warnings = self._warnings, []
        return out

    def take_stats(self) -> CountStats:
        out, self.stats = self.stats, CountStats()
        return out

    # ------------------------------------------------------------------ cache

    @staticmethod
    def key(text: str, model: str) -> str:
        h = hashlib.sha256(model.encode("utf-8"))
        h.update(b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def _read(self, key: str) -> int | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            value = data["input_tokens"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        return value if isinstance(value, int) and value >= 0 else None

    def _write(self, key: str, model: str, tokens: int) -> None:
        path = self._path(key)
        try:
            top = self.root / CACHE_DIR
            path.parent.mkdir(parents=True, exist_ok=True)
            ignore = top / ".gitignore"
            if not ignore.exists():
                with contextlib.suppress(OSError):
                    ignore.write_text("# Created by claudelint\n*\n", encoding="utf-8")
            write_entry(path, json.dumps({"model": model, "input_tokens": tokens}))
        except OSError:
            pass  # a cache that cannot be written is no error

    def _raw(self, text: str, model: str) -> int | None:
        """The endpoint's `input_tokens` for `text` as the only user message."""
        key = self.key(text, model)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        hit = self._read(key)
        if hit is not None:
            self._memo[key] = hit
            self.stats.cached += 1
            return hit
        value = self._request(text, model)
        if value is not None:
            self._memo[key] = value
            self._write(key, model, value)
        return value

    # ------------------------------------------------------------------ API

    def _request(self, text: str, model: str) -> int | None:
        if self._disabled is not None or model in self._bad_models:
            return None
        if not has_api_key():
            self._give_up(MISSING_KEY)
            return None
        try:
            import anthropic
        except ImportError:  # pragma: no cover - a dependency, but be kind to broken installs
            self._give_up("--exact-tokens needs the anthropic package; token counts are "
                          "estimates from characters")
            return None
        if self._client is None:
            self._client = anthropic.Anthropic(
                api_key=os.environ[API_KEY_ENV].strip(), max_retries=_MAX_RETRIES,
                timeout=_TIMEOUT,
            )
        self.stats.requested += 1
        try:
            result = self._client.messages.count_tokens(
                model=model, messages=[{"role": "user", "content": text}],
            )
            tokens = int(result.input_tokens)
        except (anthropic.BadRequestError, anthropic.NotFoundError) as e:
            self.stats.failed += 1
            self._bad_models.add(model)
            self._warnings.append(
                f"--exact-tokens: count_tokens rejected model {model} ({_reason(e)}); "
                f"token counts for {model} are estimates from characters"
            )
            return None
        except Exception as e:  # connection, auth, rate limit, server error, bad response
            self.stats.failed += 1
            self._give_up(f"--exact-tokens: count_tokens request failed ({_reason(e)}); "
                          "token counts are estimates from characters for the rest of the run")
            return None
        return tokens if tokens >= 0 else None

    def _give_up(self, reason: str) -> None:
        if self._disabled is None:
            self._disabled = reason
            self._warnings.append(reason)


def _reason(e: BaseException) -> str:
    status = getattr(e, "status_code", None)
    name = type(e).__name__
    message = str(e).splitlines()[0] if str(e) else ""
    if len(message) > 160:
        message = message[:157] + "..."
    if status is not None:
        return f"HTTP {status}, {name}"
    return f"{name}: {message}" if message else name


_COUNTERS: dict[tuple[int, str], TokenCounter] = {}


def shared_counter(root: Path) -> TokenCounter:
    """One counter per process and cache root (worker processes build their own)."""
    key = (os.getpid(), str(root))
    counter = _COUNTERS.get(key)
    if counter is None:
        counter = _COUNTERS[key] = TokenCounter(root)
    return counter
