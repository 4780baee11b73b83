"""A request made by a function of another module of the project, with the caller's arguments
bound (analysis/bound_imports.py): `config = make_config(...)` then `send_config(config)`,
where `llm/requests.py` does `client.messages.create(**config)`. Findings about what the
caller passes are reported at the caller; what the other module reports on its own is not
repeated; the look-alikes in the fixture (the key popped before the request, the argument
unknown, the name rebound, a module outside the project, requests that differ by branch)
stay silent."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from cli_helpers import invoke

from claudelint.analysis import project as project_mod
from claudelint.lint.engine import Linter
from claudelint.settings import Settings
from claudelint.workspace.discovery import Importers, import_summary

FIXTURE = Path(__file__).parent / "fixtures" / "recall" / "xwrap"
MARK = re.compile(r"#\s*error:\s*\[([A-Z0-9, ]+)\]")
SUFFIX = "(the request is made in `{}()`)"


@pytest.fixture(autouse=True)
def _fresh_project() -> None:
    project_mod.reset()


def _copy(tmp_path: Path) -> Path:
    work = tmp_path / "xwrap"
    shutil.copytree(FIXTURE, work)
    return work


def _run(work: Path, *extra: str) -> list[dict[str, object]]:
    code, output = invoke(["check", "--isolated", *extra, "--output-format", "json", "."],
                          work)
    assert code in (0, 1), output
    found: list[dict[str, object]] = json.loads(output)
    return found


def _by_place(found: list[dict[str, object]]) -> dict[tuple[str, int, str], dict[str, object]]:
    return {(str(f["path"]), int(str(f["line"])), str(f["code"])): f for f in found}


def test_marked_findings_and_silent_look_alikes(tmp_path: Path) -> None:
    expected: dict[tuple[str, int], list[str]] = {}
    for p in sorted(FIXTURE.rglob("*.py")):
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            m = MARK.search(line)
            if m:
                expected[(p.relative_to(FIXTURE).as_posix(), i)] = sorted(
                    c.strip() for c in m.group(1).split(","))
    got: dict[tuple[str, int], list[str]] = {}
    for f in _run(_copy(tmp_path), "--no-cache"):
        got.setdefault((str(f["path"]), int(str(f["line"]))), []).append(str(f["code"]))
    assert {k: sorted(v) for k, v in got.items()} == expected


def test_messages_columns_and_fixes(tmp_path: Path) -> None:
    found = _by_place(_run(_copy(tmp_path), "--no-cache"))
    # A key of the caller's dict, built by another helper: at the call, without a fix.
    config = found[("jobs.py", 19, "CL901")]
    # Either request may be made: the message names both methods, not one as if certain.
    assert str(config["message"]).startswith(
        "`temperature` is not a parameter of `client.beta.messages.create` or "
        "`client.messages.create` in anthropic ")
    assert "(`temperature` from the return value of `make_config()`)" in str(config["message"])
    assert str(config["message"]).endswith(SUFFIX.format("send_config"))
    assert config["column"] == 12 and config["fix"] is None
    # The caller's own literal: pointed at, and fixed in the caller's statement only.
    model = found[("jobs.py", 23, "CL302")]
    assert model["column"] == 33
    assert str(model["message"]).startswith("`claude-3-opus-20240229` was retired")
    assert str(model["message"]).endswith(SUFFIX.format("complete"))
    fix = model["fix"]
    assert isinstance(fix, dict)
    assert [e["location"]["row"] for e in fix["edits"]] == [23]
    # A keyword forwarded through `**kwargs`: at the caller's keyword.
    forwarded = found[("jobs.py", 31, "CL901")]
    assert forwarded["column"] == 21
    assert str(forwarded["message"]).endswith(SUFFIX.format("forward"))
    # The loop one call up stays CL401's imported-request finding, reported once.
    loops = [f for f in found.values() if f["code"] == "CL401"]
    assert len(loops) == 1
    assert str(loops[0]["message"]).endswith("(the request is made in `complete()` of "
                                             "`llm.requests`)")


def test_the_other_module_is_never_edited(tmp_path: Path) -> None:
    work = _copy(tmp_path)
    before = (work / "llm" / "requests.py").read_text(encoding="utf-8")
    # (a file without a call site of its own is linted beside the module it calls)
    invoke(["check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--select",
            "CL302", "jobs.py", "llm/requests.py"], work)
    assert (work / "llm" / "requests.py").read_text(encoding="utf-8") == before
    fixed = (work / "jobs.py").read_text(encoding="utf-8")
    assert 'return complete(text, model="claude-opus-5-5")' in fixed
    # not through a local name that only looks like the imported function
    assert 'return complete(text, model="claude-3-opus-20240229")  # not the imported' in fixed


def test_a_change_to_the_other_module_rechecks_the_caller(tmp_path: Path) -> None:
    work = _copy(tmp_path)
    (work / ".claudelint.toml").write_text("")
    requests = work / "llm" / "requests.py"
    original = requests.read_text(encoding="utf-8")
    args = ["check", "--output-format", "concise", "--select", "CL901", "."]
    code, out = invoke(args, work)
    assert code == 1 and "jobs.py:19:" in out
    # The function now takes `temperature` out before sending: the cached finding must go.
    requests.write_text(original.replace(
        "    # Two requests on two branches, sending the same arguments.\n",
        "    config.pop(\"temperature\", None)\n"), encoding="utf-8")
    _, out = invoke(args, work)
    assert "jobs.py:19:" not in out and "jobs.py:31:" in out
    requests.write_text(original, encoding="utf-8")
    _, out = invoke(args, work)
    assert "jobs.py:19:" in out


def test_files_importing_a_function_with_a_few_requests_get_the_second_look(
        tmp_path: Path) -> None:
    work = _copy(tmp_path)
    llm = work / "llm" / "requests.py"
    five = "\n".join(f"    client.messages.create(model=m, max_tokens={i}, messages=[])"
                     for i in range(5))
    llm.write_text(llm.read_text(encoding="utf-8") + f"\n\ndef many(m):\n{five}\n",
                   encoding="utf-8")
    importers = Importers([(llm, llm.read_bytes())])

    def admitted(text: str) -> bool:
        path = work / "caller.py"
        path.write_text(text)
        summary = import_summary(path.read_bytes())
        return summary is not None and importers.imports_one(path, summary)

    assert admitted("from llm.requests import send_config\n")  # two requests
    assert admitted("from llm.requests import choose\n")
    assert not admitted("from llm.requests import many\n")  # more than a few
    assert not admitted("from llm.configs import make_config\n")  # no request


def _lint(tmp_path: Path, requests: str, caller: str) -> list[tuple[int, str, str]]:
    pkg = tmp_path / "pkg"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "llm.py").write_text(textwrap.dedent(requests))
    path = pkg / "run.py"
    path.write_text(textwrap.dedent(caller))
    project_mod.reset()
    found = Linter(Settings(root=tmp_path)).lint_text(path.read_text(), str(path))
    return [(f.line, f.code, f.message) for f in found]


SEND = """
import anthropic

client = anthropic.Anthropic()


def send(params, note=""):
    {body}
    return client.messages.create(**params)
"""

CALL = """
from pkg.llm import send


def job(text):
    return send({"model": "claude-sonnet-5-5", "max_tokens": 64, "temperature": 0.2,
                 "messages": [{"role": "user", "content": text}]})
"""


def test_a_dict_the_caller_passes_whole(tmp_path: Path) -> None:
    found = _lint(tmp_path, SEND.format(body="pass"), CALL)
    assert [(line, code) for line, code, _ in found] == [(6, "CL901")]
    assert found[0][2].endswith(SUFFIX.format("send"))


@pytest.mark.parametrize("body", [
    'params.pop("temperature", None)',
    'del params["temperature"]',
    'params["temperature"] = None',  # set in place: not known what is sent
    'strip(params)',  # handed to a call that may take keys out
    'params = {k: v for k, v in params.items() if k != "temperature"}',
])
def test_what_the_function_does_to_the_dict_first_keeps_it_silent(tmp_path: Path,
                                                                  body: str) -> None:
    requests = SEND.format(body=body) + "\n\ndef strip(d):\n    d.pop('temperature')\n"
    assert _lint(tmp_path, requests, CALL) == []


def test_the_same_in_one_module_through_a_local_wrapper() -> None:
    # The binding of a caller's dict is shared with same-module wrappers (callsites.py).
    text = textwrap.dedent(SEND.format(body='params.pop("temperature", None)')) + \
        textwrap.dedent(CALL).replace("from pkg.llm import send\n", "")
    assert Linter(Settings()).lint_text(text, "one.py") == []


TWEAKED = """
from pkg.llm import send


def job(text, tweak):
    params = {"model": "claude-sonnet-5-5", "max_tokens": 64, "temperature": 0.2,
              "messages": [{"role": "user", "content": text}]}
    tweak(params)
    return send(params)
"""


@pytest.mark.parametrize("caller", [
    # unknown in the caller
    CALL.replace('"temperature": 0.2,', "**extra,").replace("def job(text):",
                                                             "def job(text, extra):"),
    # a module outside the project
    CALL.replace("from pkg.llm import send", "from vendor.llm import send"),
    # the name rebound locally
    CALL.replace("def job(text):\n", "def job(text, make_sender):\n    send = make_sender()\n"),
    # the name rebound at module level (a decorator applied by hand)
    CALL.replace("from pkg.llm import send\n", "from pkg.llm import send\n\nsend = "
                 "with_defaults(send)\n"),
    # the dict handed to another call that may change it first
    TWEAKED,
])
def test_callers_whose_arguments_are_not_known_stay_silent(tmp_path: Path,
                                                           caller: str) -> None:
    assert _lint(tmp_path, SEND.format(body="pass"), caller) == []


def test_the_function_passed_the_callers_dict_is_read_as_the_call_starts(
        tmp_path: Path) -> None:
    caller = TWEAKED.replace("    tweak(params)\n", "").replace("def job(text, tweak):",
                                                                 "def job(text):")
    found = _lint(tmp_path, SEND.format(body="pass"), caller)
    assert [(line, code) for line, code, _ in found] == [(8, "CL901")]


ASK = """
import anthropic

client = anthropic.Anthropic({client_args})


def ask(prompt, max_tokens):
    return client.messages.create(model="claude-opus-4-6", max_tokens=max_tokens,
                                  messages=[{{"role": "user", "content": prompt}}])
"""

ASK_CALL = """
from pkg.llm import ask


def job(text):
    return ask(text, max_tokens=64000)
"""


def test_a_value_the_caller_passes_is_judged_with_the_other_modules_client(
        tmp_path: Path) -> None:
    found = _lint(tmp_path, ASK.format(client_args=""), ASK_CALL)
    assert [(line, code) for line, code, _ in found] == [(6, "CL202")]
    assert found[0][2].endswith(SUFFIX.format("ask"))
    # The client in the other module sets a timeout: what either file says counts.
    assert _lint(tmp_path, ASK.format(client_args="timeout=900"), ASK_CALL) == []


@pytest.mark.parametrize(("decorator", "reported"), [
    ("@fill_defaults", False),  # may change the arguments before the body runs
    ("@retry(tries=3)", True),  # calls the function again with the same arguments
])
def test_decorated_functions(tmp_path: Path, decorator: str, reported: bool) -> None:
    requests = SEND.format(body="pass").replace(
        "\n\ndef send(", f"\n\ndef fill_defaults(f):\n    return f\n\n\n"
                         f"def retry(tries):\n    return lambda f: f\n\n\n{decorator}\ndef send(")
    found = _lint(tmp_path, requests, CALL)
    assert [(line, code) for line, code, _ in found] == ([(6, "CL901")] if reported else [])
