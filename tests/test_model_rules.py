"""The model-knowledge rules (CL103, CL104, CL202, CL203, CL302, CL303, CL901) beyond their
documented examples: how models resolve, which rule owns which string, platform dates, levels,
costs, and the SDK keyword data staying in step with the installed `anthropic` SDK."""

from __future__ import annotations

import datetime
import importlib.util
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from claudelint.finding import Finding
from claudelint.knowledge.models import load_knowledge, load_sdk_data, parse_sdk_data
from claudelint.lint.engine import Linter
from claudelint.lint.registry import all_rules
from claudelint.rules.cl303_unknown_model import closest_model
from claudelint.settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
MINE = ("CL103", "CL104", "CL202", "CL203", "CL302", "CL303", "CL901")
HEAD = "import os\nimport anthropic\nclient = anthropic.Anthropic()\n"
MSG = "messages=[{'role': 'user', 'content': 'Summarise the quarterly report.'}]"


def lint(code: str, *, select: tuple[str, ...] = MINE, **settings: Any) -> list[Finding]:
    s = replace(Settings(), select=select, **settings)
    return Linter(s).lint_text(code, "example.py")


def codes(code: str, **kw: Any) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint(code, **kw)]


def call(model: str, extra: str = "", max_tokens: int = 512) -> str:
    return f"r = client.messages.create(model={model}, max_tokens={max_tokens}, {extra}{MSG})\n"


# ---------------------------------------------------------------------- which rule owns a model


def test_claude_2_1_is_legacy_not_unknown() -> None:
    found = lint(HEAD + call("'claude-2.1'"))
    assert [f.code for f in found] == ["CL302"]
    assert found[0].level == "error"
    assert "retired on 2025-07-21" in found[0].message


@pytest.mark.parametrize(
    "model",
    [
        "claude-instant-1.2", "claude-1.3", "claude-3-opus-latest", "claude-3-5-haiku-latest",
        "claude-sonnet-4-0", "claude-opus-4-1", "claude-4-opus-20250514",
    ],
)
def test_retired_aliases_and_old_spellings_are_legacy(model: str) -> None:
    assert [c for _, c in codes(HEAD + call(repr(model)))] == ["CL302"]


@pytest.mark.parametrize(
    ("model", "suggestion", "close"),
    [
        ("claude-sonnet-4.6", "claude-sonnet-4-6", True),
        ("Claude-Opus-4-8", "claude-opus-4-8", True),
        ("claude-haiku-4-5-latest", "claude-haiku-4-5", True),
        ("claude-opus-4-6-20260205", "claude-opus-4-6", True),
        ("claude-sonnet-4-5-20250101", "claude-sonnet-4-5-20250929", True),
        ("claude-3-5-sonnet", "claude-3-5-sonnet-20241022", True),
        ("claude-sonnet-4-5-20250930", "claude-sonnet-4-5-20250929", True),
    ],
)
def test_closest_model(model: str, suggestion: str, close: bool) -> None:
    assert closest_model(load_knowledge(), model) == (suggestion, close)


@pytest.mark.parametrize(
    "model",
    [
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "anthropic.claude-v2:1",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "claude-sonnet-4-5@20250929",
        "claude-3-5-sonnet-v2@20241022",
        "claude-opus-4-6@default",
        "projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929",
    ],
)
def test_cloud_spellings_are_not_unknown(model: str) -> None:
    assert "CL303" not in [c for _, c in codes(HEAD + call(repr(model)))]


@pytest.mark.parametrize("client", ["AnthropicBedrock", "AnthropicVertex"])
def test_cloud_spellings_of_retired_models_are_silent_without_cloud_dates(client: str) -> None:
    model = ("'anthropic.claude-3-5-sonnet-20241022-v2:0'" if client == "AnthropicBedrock"
             else "'claude-3-5-sonnet-v2@20241022'")
    code = f"import anthropic\nclient = anthropic.{client}()\n" + call(model)
    assert codes(code) == []


def test_bedrock_dates_from_config_are_used() -> None:
    code = "import anthropic\nclient = anthropic.AnthropicBedrock()\n" + call(
        "'anthropic.claude-3-5-sonnet-20241022-v2:0'"
    )
    models = ({"id": "claude-3-5-sonnet-20241022", "bedrock_deprecated_on": "2025-09-01",
               "bedrock_retired_on": "2026-03-01"},)
    found = lint(code, models=models)
    assert [f.code for f in found] == ["CL302"]
    assert "on Amazon Bedrock on 2026-03-01" in found[0].message
    assert found[0].fix is None  # no fix across spellings


def test_plain_id_on_a_bedrock_client_uses_bedrock_dates() -> None:
    code = "import anthropic\nclient = anthropic.AnthropicBedrock()\n" + call(
        "'claude-3-5-sonnet-20241022'"
    )
    assert codes(code) == []


# ---------------------------------------------------------------------- how a model resolves


def test_model_from_a_dict_of_constants() -> None:
    code = HEAD + (
        "MODELS = {'fast': 'claude-3-5-haiku-20241022', 'smart': 'claude-opus-4-8'}\n"
        "def fast(q):\n"
        "    return client.messages.create(model=MODELS['fast'], max_tokens=300,\n"
        "        messages=[{'role': 'user', 'content': q}])\n"
        "def smart(q):\n"
        "    return client.messages.create(model=MODELS['smart'], max_tokens=300,\n"
        "        messages=[{'role': 'user', 'content': q}])\n"
    )
    found = lint(code)
    assert [(f.line, f.code) for f in found] == [(6, "CL302")]
    assert "claude-3-5-haiku-20241022" in found[0].message


def test_model_from_a_typo_in_a_dict_of_constants_is_unknown() -> None:
    code = HEAD + "MODELS = {'fast': 'claude-haiku-4.5'}\n" + call("MODELS['fast']")
    assert codes(code) == [(5, "CL303")]


@pytest.mark.parametrize(
    "model",
    [
        "model",  # a parameter with no default
        "os.environ['CLAUDE_MODEL']",  # no default: unknown
        "settings.model",  # an attribute of an unknown object
    ],
)
def test_unknown_model_values_are_silent(model: str) -> None:
    code = HEAD + "def ask(model, settings):\n    " + call(model)
    assert codes(code) == []


@pytest.mark.parametrize(
    "binding",
    [
        "MODEL = os.environ.get('CLAUDE_MODEL', 'claude-3-opus-20240229')\n",
        "MODEL = os.getenv('CLAUDE_MODEL', 'claude-3-opus-20240229')\n",
        "MODEL: str = 'claude-3-opus-20240229'\n",
    ],
)
def test_model_from_environment_defaults_and_constants(binding: str) -> None:
    assert [c for _, c in codes(HEAD + binding + call("MODEL"))] == ["CL302"]


def test_model_from_parameter_and_dataclass_defaults() -> None:
    code = HEAD + (
        "from dataclasses import dataclass\n"
        "@dataclass\n"
        "class Config:\n"
        "    model: str = 'claude-3-haiku-20240307'\n"
        "def ask(q, model='claude-3-sonnet-20240229'):\n"
        "    return client.messages.create(model=model, max_tokens=300,\n"
        "        messages=[{'role': 'user', 'content': q}])\n"
        "def ask2(q):\n"
        "    return client.messages.create(model=Config.model, max_tokens=300,\n"
        "        messages=[{'role': 'user', 'content': q}])\n"
    )
    assert [c for _, c in codes(code)] == ["CL302", "CL302"]


def test_openai_models_on_an_openai_client_are_not_claude_requests() -> None:
    code = (
        "from openai import OpenAI\nclient = OpenAI()\n"
        "r = client.chat.completions.create(model='gpt-4o', temperature=0, max_tokens=100000,\n"
        f"    {MSG})\n"
        "t = client.beta.threads.messages.create(thread_id='t', role='user', content='hi')\n"
    )
    assert codes(code) == []


def test_untraced_receiver_with_a_non_claude_model_is_silent() -> None:
    code = (
        "def ask(llm):\n"
        "    return llm.messages.create(model='llama-3-70b', max_tokens=100000, temperature=0,\n"
        f"        {MSG})\n"
    )
    assert codes(code) == []


# ---------------------------------------------------------------------- CL302 details


def test_deprecated_is_a_warning_with_its_retirement_date() -> None:
    # Judged on a pinned day before Sonnet 4.5's retirement (2026-11-30).
    found = lint(HEAD + call("'claude-sonnet-4-5-20250929'"), today=datetime.date(2026, 11, 1))
    assert [(f.code, f.level) for f in found] == [("CL302", "warning")]
    assert "will be retired on 2026-11-30 (per claudelint's model data of" in found[0].message
    assert "claude-sonnet-5-5" in found[0].message
    assert "input $3 -> $2, output $15 -> $10 per MTok" in found[0].message


@pytest.mark.parametrize(
    ("today", "level", "words"),
    [
        (datetime.date(2027, 1, 21), "warning", "will be retired on 2027-01-22"),
        (datetime.date(2027, 1, 22), "error", "was retired on 2027-01-22"),
    ],
)
def test_the_verdict_follows_the_pinned_date(today: datetime.date, level: str,
                                             words: str) -> None:
    found = lint(HEAD + call("'claude-opus-4-5'"), today=today)
    assert [(f.code, f.level) for f in found] == [("CL302", level)]
    assert words in found[0].message


def test_opus_4_5_is_deprecated_with_the_sdk_end_of_life() -> None:
    for spelling in ("claude-opus-4-5", "claude-opus-4-5-20251101"):
        found = lint(HEAD + call(f"'{spelling}'"), today=datetime.date(2026, 12, 4))
        assert [(f.code, f.level) for f in found] == [("CL302", "warning")]
        assert "will be retired on 2027-01-22" in found[0].message


def test_retired_sonnet_4_5_is_an_error_after_its_date() -> None:
    found = lint(HEAD + call("'claude-sonnet-4-5'"), today=datetime.date(2026, 12, 4))
    assert [(f.code, f.level) for f in found] == [("CL302", "error")]
    assert "was retired on 2026-11-30" in found[0].message


def test_deprecated_past_its_retirement_date_is_an_error() -> None:
    models = ({"id": "claude-sonnet-4-6", "status": "deprecated", "deprecated_on": "2020-01-01",
               "retired_on": "2020-06-01"},)
    found = lint(HEAD + call("'claude-sonnet-4-6'"), models=models)
    assert [(f.code, f.level) for f in found] == [("CL302", "error")]
    assert "retired on 2020-06-01" in found[0].message


def test_json_level_follows_the_finding() -> None:
    found = lint(HEAD + call("'claude-2.1'") + call("'claude-opus-4-5'"),
                 today=datetime.date(2026, 12, 4))
    assert [f.to_json()["level"] for f in found] == ["error", "warning"]


def test_successor_is_the_newest_active_model_that_accepts_the_request() -> None:
    plain = lint(HEAD + call("'claude-3-7-sonnet-20250219'"))
    assert "use `claude-sonnet-5-5`" in plain[0].message
    thinking = lint(HEAD + call("'claude-3-7-sonnet-20250219'",
                                "thinking={'type': 'enabled', 'budget_tokens': 2048}, ", 4096))
    assert "use `claude-sonnet-4-6`" in thinking[0].message


def test_cost_is_the_price_difference_and_never_negative() -> None:
    cheaper = lint(HEAD + call("'claude-3-opus-20240229'", max_tokens=1000))[0]
    assert cheaper.cost is not None and cheaper.cost.usd_saved > 0
    # Opus 3 at $15/$75 -> Opus 5.5 at $4/$20: 1,000 output tokens save $0.055 a call.
    assert cheaper.cost.usd_saved == pytest.approx(55.0, rel=0.05)
    # Haiku 3 with manual thinking can only move to Haiku 4.5, which costs more.
    dearer = lint(HEAD + call("'claude-3-haiku-20240307'",
                              "thinking={'type': 'enabled', 'budget_tokens': 1024}, ", 2048))[0]
    assert dearer.cost is not None and dearer.cost.usd_saved == 0.0
    assert any("costs" in a and "more" in a for a in dearer.cost.assumptions)


def test_unknown_prices_give_no_cost() -> None:
    found = lint(HEAD + call("'claude-1.3'"))
    assert [f.code for f in found] == ["CL302"] and found[0].cost is None


def test_deprecated_without_a_date() -> None:
    models = ({"id": "claude-sonnet-4-6", "status": "deprecated"},)
    found = lint(HEAD + call("'claude-sonnet-4-6'"), models=models)
    assert "no retirement date published" in found[0].message
    assert found[0].level == "warning"


def test_mythos_preview_is_past_its_sdk_end_of_life() -> None:
    found = lint(HEAD + call("'claude-mythos-preview'"), today=datetime.date(2026, 12, 4))
    assert [(f.code, f.level) for f in found] == [("CL302", "error")]
    assert "was retired on 2026-06-30" in found[0].message


# ---------------------------------------------------------------------- CL303 details


def test_unknown_model_suggests_and_fixes_only_when_close() -> None:
    close = lint(HEAD + call("'claude-sonnet-4.6'"))[0]
    assert close.fix is not None and close.fix.applicability == "unsafe"
    far = lint(HEAD + call("'claude-ultra'"))
    assert [f.code for f in far] == ["CL303"] and far[0].fix is None


def test_gateway_routes_and_non_claude_names_are_not_unknown() -> None:
    for model in ("'openrouter/anthropic/claude-3.5-sonnet'", "'gpt-4o'", "'my-finetune'"):
        assert codes(HEAD + call(model)) == []


# ---------------------------------------------------------------------- CL202 / CL203 / CL104


def test_sdk_limit_only_for_non_streaming_default_timeout() -> None:
    base = HEAD + "def f():\n    "
    assert codes(base + call("'claude-sonnet-4-6'", max_tokens=21333)) == []
    assert codes(base + call("'claude-sonnet-4-6'", max_tokens=21334)) == [(5, "CL202")]
    assert codes(base + call("'claude-sonnet-4-6'", "stream=True, ", 64000)) == []
    assert codes(base + call("'claude-sonnet-4-6'", "stream=flag, ", 64000)) == []
    assert codes(base + call("'claude-sonnet-4-6'", "timeout=900, ", 64000)) == []
    parse = base + call("'claude-sonnet-4-6'", max_tokens=64000).replace(".create(", ".parse(")
    assert codes(parse) == [(5, "CL202")]


def test_sdk_limit_is_silent_for_clients_built_elsewhere() -> None:
    code = "import anthropic\nfrom .clients import client\n" + call(
        "'claude-sonnet-4-6'", max_tokens=64000
    )
    assert codes(code) == []


def test_opus_4_bedrock_has_a_lower_nonstreaming_limit() -> None:
    code = "import anthropic\nclient = anthropic.AnthropicBedrock()\n" + call(
        "'anthropic.claude-opus-4-1-20250805-v1:0'", max_tokens=10000
    )
    found = lint(code)
    assert [f.code for f in found] == ["CL202"] and "8,192" in found[0].message


def test_budget_equal_to_max_tokens_is_rejected() -> None:
    code = HEAD + call("'claude-sonnet-4-6'",
                       "thinking={'type': 'enabled', 'budget_tokens': 4000}, ", 4000)
    assert [c for _, c in codes(code)] == ["CL203"]


def test_interleaved_beta_in_extra_headers() -> None:
    code = HEAD + call(
        "'claude-sonnet-4-6'",
        "thinking={'type': 'enabled', 'budget_tokens': 8000}, "
        "extra_headers={'anthropic-beta': 'interleaved-thinking-2025-05-14'}, ", 4000)
    assert codes(code) == []


def test_breakpoints_from_a_starred_list_and_a_comprehension() -> None:
    code = HEAD + (
        "CC = {'type': 'ephemeral'}\n"
        "TOOLS = [{'name': n, 'description': n, 'input_schema': {}, 'cache_control': CC}\n"
        "         for n in ['a', 'b', 'c']]\n"
        "SYSTEM = [{'type': 'text', 'text': 'x', 'cache_control': CC}]\n"
        "def ask(q):\n"
        "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=300,\n"
        "        tools=TOOLS,\n"
        "        system=[*SYSTEM, {'type': 'text', 'text': 'y', 'cache_control': CC}],\n"
        "        messages=[{'role': 'user', 'content': q}])\n"
    )
    found = lint(code, select=("CL104",))
    assert [f.code for f in found] == ["CL104"] and "5 cache breakpoints" in found[0].message


def test_four_breakpoints_are_fine() -> None:
    cc = "'cache_control': {'type': 'ephemeral'}"
    blocks = ", ".join(f"{{'type': 'text', 'text': '{i}', {cc}}}" for i in range(4))
    assert codes(HEAD + call("'claude-sonnet-4-6'", f"system=[{blocks}], "),
                 select=("CL104",)) == []


# ---------------------------------------------------------------------- CL901 details


def test_untraced_receivers_report_only_well_known_foreign_keywords() -> None:
    code = (
        "import anthropic\n"
        "def ask(llm):\n"
        "    return llm.messages.create(model='claude-sonnet-4-6', max_tokens=100,\n"
        f"        temperature=0, my_wrapper_option=1, {MSG})\n"
    )
    found = lint(code)
    assert [f.code for f in found] == ["CL901"] and "`temperature`" in found[0].message


def test_traced_clients_report_any_unknown_keyword() -> None:
    found = lint(HEAD + call("'claude-sonnet-4-6'", "tools_choice='auto', "))
    assert [f.code for f in found] == ["CL901"] and "`tools_choice`" in found[0].message


def test_batch_params_with_sampling_parameters() -> None:
    code = HEAD + (
        "def grade(essays):\n"
        "    return client.messages.batches.create(requests=[\n"
        "        {'custom_id': f'e{i}', 'params': {'model': 'claude-haiku-4-5', 'max_tokens': 50,\n"
        "         'temperature': 0, 'messages': [{'role': 'user', 'content': e}]}}\n"
        "        for i, e in enumerate(essays)])\n"
    )
    found = lint(code)
    assert [f.code for f in found] == ["CL901"] and "Message Batch" in found[0].message


def test_human_prompt_imported_by_name() -> None:
    code = HEAD + "from anthropic import HUMAN_PROMPT\n" + call(
        "'claude-sonnet-4-6'", "stop_sequences=[HUMAN_PROMPT], "
    )
    found = lint(code)
    assert [f.code for f in found] == ["CL901"] and "HUMAN_PROMPT" in found[0].message


# ---------------------------------------------------------------------- the SDK data


def _update_script() -> ModuleType:
    path = ROOT / "scripts" / "update_sdk_data.py"
    spec = importlib.util.spec_from_file_location("update_sdk_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["update_sdk_data"] = module
    spec.loader.exec_module(module)
    return module


def _shipped_sdk_text() -> str:
    return resources.files("claudelint.knowledge.data").joinpath("sdk.toml").read_text("utf-8")


def test_update_script_check_mode_and_model_report(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The drift check, run against pinned SDK data (the shipped file's own contents), never
    against whatever `anthropic` is installed."""
    script = _update_script()
    pinned = _pinned_sdk_data()
    monkeypatch.setattr(script, "collect", lambda: dict(pinned))
    current = tmp_path / "sdk.toml"
    current.write_text(_shipped_sdk_text(), encoding="utf-8")
    assert script.main(["--check", "--output", str(current)]) == 0
    stale = tmp_path / "stale.toml"
    stale.write_text("sdk_version = \"0\"\n", encoding="utf-8")
    assert script.main(["--check", "--output", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().out
    newer = {**pinned, "model_param": [*pinned["model_param"], "claude-opus-9"]}
    missing, gone, unlimited = script.model_report(newer)
    assert missing == ["claude-opus-9"] and gone == [] and unlimited == []
    table = {**pinned["model_nonstreaming_tokens"], "claude-opus-9@20990101": 8192}
    assert script.model_report({**pinned, "model_nonstreaming_tokens": table})[2] == [
        "claude-opus-9@20990101"]


def _pinned_sdk_data() -> dict[str, Any]:
    """What `collect()` read from the SDK the shipped file was generated from, rebuilt from
    that file."""
    raw = tomllib.loads(_shipped_sdk_text())
    return {
        "sdk_version": raw["sdk_version"],
        "nonstreaming_max_tokens": raw.get("nonstreaming_max_tokens"),
        "keywords": raw["keywords"],
        "model_nonstreaming_tokens": raw["model_nonstreaming_tokens"],
        "model_param": raw["models"]["model_param"],
        "deprecated_models": raw["models"]["deprecated"],
    }


def test_the_shipped_sdk_file_is_what_the_script_renders() -> None:
    assert _update_script().render(_pinned_sdk_data()) == _shipped_sdk_text()


def test_shipped_data_agrees_with_the_sdks_deprecation_table() -> None:
    """Every model the pinned SDK data calls deprecated is deprecated or retired in the model
    data, with the SDK's end-of-life date (or an earlier retirement)."""
    from claudelint.knowledge.sdk import parse_end_of_life

    knowledge = load_knowledge()
    for model_id, when in _pinned_sdk_data()["deprecated_models"].items():
        info = knowledge.get(model_id)
        assert info is not None, model_id
        assert info.status in ("deprecated", "retired"), model_id
        end_of_life = parse_end_of_life(when)
        assert info.retired_on is not None and end_of_life is not None
        assert info.retired_on <= end_of_life, model_id


def test_sdk_data_is_consistent_with_the_knowledge_base() -> None:
    sdk = load_sdk_data()
    knowledge = load_knowledge()
    assert all(knowledge.get(m) is not None for m in sdk.model_param)
    assert sdk.nonstreaming_max_tokens == knowledge.sdk["nonstreaming_max_tokens_threshold"]
    for model_id in sdk.model_nonstreaming_tokens:
        assert knowledge.get(model_id) is not None, model_id
    create = sdk.accepted("create", beta=False)
    assert create is not None
    assert {"model", "max_tokens", "messages", "extra_body"} <= create
    assert not {"temperature", "top_p", "top_k", "betas"} & create
    beta = sdk.accepted("create", beta=True)
    assert beta is not None and "betas" in beta


def test_sdk_data_parses_without_the_sdk() -> None:
    data = tomllib.loads(_shipped_sdk_text())
    parsed = parse_sdk_data(data)
    assert parsed.version and parsed.keywords["stream"]
    with pytest.raises(ValueError, match="keywords"):
        parse_sdk_data({"keywords": {"create": "model"}})


def test_rules_do_not_import_libcst_or_anthropic_at_import_time() -> None:
    import subprocess

    code = (
        "import sys\n"
        "import claudelint.rules\n"
        "bad = [m for m in ('libcst', 'anthropic') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


def test_every_rule_of_this_issue_is_registered() -> None:
    registered = {r.code for r in all_rules()}
    assert set(MINE) <= registered
