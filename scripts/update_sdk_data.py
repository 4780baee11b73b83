"""Regenerate claudelint/knowledge/data/sdk.toml from the installed `anthropic` SDK, and compare
the SDK's model list with claudelint's knowledge base.

    python scripts/update_sdk_data.py            # rewrite the data file, print the model report
    python scripts/update_sdk_data.py --check    # exit 1 when the shipped file is out of date
                                                 # or the SDK knows model IDs the data lacks

The data file holds what CL901 (removed-parameter) and CL202 (max-tokens-over-model-limit)
need: the keyword parameters of `messages.create / stream / parse / count_tokens` and their
beta counterparts (plus `beta.messages.tool_runner`), the keys of a Message Batch request's
`params`, the `max_tokens` above which the SDK refuses a non-streaming request under its default
timeout, its per-model non-streaming limits, and the IDs of its `ModelParam` literal. claudelint
reads the file at run time and never imports `anthropic` to lint.

The model report lists IDs in the SDK's `ModelParam` literal that
`claudelint/knowledge/data/models.toml` does not know (add them there, with prices and limits
from the docs), and models the knowledge base lists as active or deprecated that the SDK no
longer offers (check whether they were retired).
"""

from __future__ import annotations

import argparse
import inspect
import sys
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_FILE = ROOT / "claudelint" / "knowledge" / "data" / "sdk.toml"

# (key in the data file, module of the resource class, method name)
_METHODS: tuple[tuple[str, str, str], ...] = (
    ("create", "anthropic.resources.messages.messages", "create"),
    ("stream", "anthropic.resources.messages.messages", "stream"),
    ("parse", "anthropic.resources.messages.messages", "parse"),
    ("count_tokens", "anthropic.resources.messages.messages", "count_tokens"),
    ("beta_create", "anthropic.resources.beta.messages.messages", "create"),
    ("beta_stream", "anthropic.resources.beta.messages.messages", "stream"),
    ("beta_parse", "anthropic.resources.beta.messages.messages", "parse"),
    ("beta_count_tokens", "anthropic.resources.beta.messages.messages", "count_tokens"),
    ("beta_tool_runner", "anthropic.resources.beta.messages.messages", "tool_runner"),
)
_BATCH_PARAMS: tuple[tuple[str, str], ...] = (
    ("batch_params", "anthropic.types.message_create_params"),
    ("beta_batch_params", "anthropic.types.beta.message_create_params"),
)
# Binary search bounds for the SDK's non-streaming refusal.
_SEARCH_MAX = 10_000_000


def _import(module: str) -> Any:
    __import__(module)
    return sys.modules[module]


def _keywords(fn: Callable[..., Any]) -> list[str]:
    params = inspect.signature(fn).parameters.values()
    return sorted(
        p.name for p in params
        if p.name != "self" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    )


def _typed_dict_keys(cls: Any) -> list[str]:
    return sorted(set(cls.__required_keys__) | set(cls.__optional_keys__))


def _nonstreaming_threshold() -> int | None:
    """The largest `max_tokens` the SDK accepts for a non-streaming request under its default
    timeout, found by asking `_calculate_nonstreaming_timeout` itself."""
    base = _import("anthropic._base_client").BaseClient
    calc = getattr(base, "_calculate_nonstreaming_timeout", None)
    if calc is None:
        return None

    def refused(n: int) -> bool:
        try:
            calc(None, n, None)
        except ValueError:
            return True
        return False

    if not refused(_SEARCH_MAX):
        return None
    lo, hi = 1, _SEARCH_MAX  # lo accepted, hi refused
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if refused(mid):
            hi = mid
        else:
            lo = mid
    return lo


def collect() -> dict[str, Any]:
    """Read everything the data file holds from the installed SDK."""
    anthropic = _import("anthropic")
    keywords: dict[str, list[str]] = {}
    for key, module, method in _METHODS:
        sync_cls = _import(module).Messages
        async_cls = _import(module).AsyncMessages
        fn = getattr(sync_cls, method, None)
        if fn is None:
            continue
        names = _keywords(fn)
        async_fn = getattr(async_cls, method, None)
        if async_fn is not None and _keywords(async_fn) != names:
            raise SystemExit(f"sync and async {key} differ in the installed SDK")
        keywords[key] = names
    for key, module in _BATCH_PARAMS:
        keywords[key] = _typed_dict_keys(_import(module).MessageCreateParamsNonStreaming)
    constants = _import("anthropic._constants")
    limits = dict(getattr(constants, "MODEL_NONSTREAMING_TOKENS", {}))
    model_param = typing.get_args(typing.get_args(_import("anthropic.types").ModelParam)[0])
    deprecated = dict(getattr(_import("anthropic.resources.messages.messages"),
                              "DEPRECATED_MODELS", {}))
    return {
        "sdk_version": anthropic.__version__,
        "nonstreaming_max_tokens": _nonstreaming_threshold(),
        "keywords": keywords,
        "model_nonstreaming_tokens": {k: int(v) for k, v in sorted(limits.items())},
        "model_param": list(model_param),
        "deprecated_models": {k: str(v) for k, v in sorted(deprecated.items())},
    }


def _q(text: str) -> str:
    """A TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _array(items: list[str], indent: str = "  ") -> str:
    if not items:
        return "[]"
    body = "".join(f"{indent}{_q(i)},\n" for i in items)
    return f"[\n{body}]"


def render(data: Mapping[str, Any]) -> str:
    """The data file's text: deterministic, so a regeneration can be compared byte for byte."""
    out = [
        "# What the anthropic Python SDK accepts, read from its signatures.",
        "# GENERATED by scripts/update_sdk_data.py from the installed SDK; do not edit by hand.",
        "# claudelint reads this file at run time (it never imports anthropic to lint).",
        "",
        f"sdk_version = {_q(data['sdk_version'])}",
    ]
    threshold = data.get("nonstreaming_max_tokens")
    if threshold is not None:
        out.append(
            "# A non-streaming request whose max_tokens is above this raises ValueError in the SDK"
        )
        out.append("# under the default timeout (_base_client._calculate_nonstreaming_timeout).")
        out.append(f"nonstreaming_max_tokens = {threshold}")
    out += ["", "# Keyword parameters per request method; *_batch_params: keys of a Message Batch",
            "# request's `params` (MessageCreateParamsNonStreaming).", "[keywords]"]
    for key, names in data["keywords"].items():
        out.append(f"{key} = {_array(names)}")
    out += ["", "# Lower non-streaming max_tokens limits per model spelling",
            "# (MODEL_NONSTREAMING_TOKENS).", "[model_nonstreaming_tokens]"]
    for model, limit in data["model_nonstreaming_tokens"].items():
        out.append(f"{_q(model)} = {limit}")
    out += ["", "[models]", "# The IDs of the SDK's ModelParam literal, in its order.",
            f"model_param = {_array(data['model_param'])}",
            "", "# DEPRECATED_MODELS: the SDK warns about these, with the end-of-life it states.",
            "[models.deprecated]"]
    for model, when in data["deprecated_models"].items():
        out.append(f"{_q(model)} = {_q(when)}")
    return "\n".join(out) + "\n"


def model_report(data: Mapping[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """(IDs the SDK offers that the knowledge base lacks, knowledge-base models that are not
    retired but that the SDK no longer offers under any of their names, spellings of the SDK's
    non-streaming table whose model has no maximum output in the knowledge base — CL202
    compares `max_tokens` with both)."""
    sys.path.insert(0, str(ROOT))
    from claudelint.knowledge.models import load_knowledge

    knowledge = load_knowledge()
    offered = list(data["model_param"])
    missing = [m for m in offered if knowledge.get(m) is None]
    gone = [
        m.id for m in knowledge.models()
        if m.status != "retired" and not any(name in offered for name in m.names)
    ]
    unlimited = []
    for spelling in data["model_nonstreaming_tokens"]:
        match = knowledge.lookup(spelling)
        if match is None or match.info.max_output_tokens is None:
            unlimited.append(spelling)
    return missing, gone, unlimited


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the data file or the models are stale")
    parser.add_argument("--output", type=Path, default=DATA_FILE, help="the data file")
    args = parser.parse_args(argv)
    data = collect()
    text = render(data)
    status = 0
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if args.check:
        if current != text:
            print(f"{args.output} is out of date for anthropic {data['sdk_version']}: "
                  "run scripts/update_sdk_data.py")
            status = 1
    elif current != text:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output} (anthropic {data['sdk_version']})")
    else:
        print(f"{args.output} is up to date (anthropic {data['sdk_version']})")
    missing, gone, unlimited = model_report(data)
    for model_id in missing:
        print(f"new in the SDK, missing from claudelint/knowledge/data/models.toml: {model_id}")
        status = 1 if args.check else status
    for spelling in unlimited:
        print(f"in the SDK's MODEL_NONSTREAMING_TOKENS, no max_output_tokens in models.toml: "
              f"{spelling}")
        status = 1 if args.check else status
    for model_id in gone:
        print(f"in models.toml (not retired) but no longer in the SDK: {model_id}")
    if not missing and not gone and not unlimited:
        print("models: the knowledge base and the SDK's ModelParam agree")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
