"""Issue 14, gap 10: CL401 with the loop in a caller reached through a name bound to the
request function (`call = new_api if flag else old_api`), through an executor `submit` two
local functions up, past a helper that answers one question per call, past a spending cap,
and with per-pass records written after the request. The look-alikes stay silent: a name that
may hold a function of another module, a submitted function that makes no request, a loop
whose next request reads the previous answer, a cap on something a response decides."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from cli_helpers import invoke

from claudelint.analysis import project as project_mod
from claudelint.lint.engine import Linter
from claudelint.settings import Settings

HEAD = """
import anthropic
from concurrent.futures import ThreadPoolExecutor

client = anthropic.Anthropic()
"""


@pytest.fixture(autouse=True)
def _fresh_project() -> None:
    project_mod.reset()


def _cl401(body: str) -> list[tuple[int, str]]:
    """(line, message) of each CL401 finding, lines counted from the body's first line."""
    head = textwrap.dedent(HEAD)
    text = head + textwrap.dedent(body)
    offset = head.count("\n")
    found = Linter(Settings(select=("CL401",))).lint_text(text, "job.py")
    return [(f.line - offset, f.message) for f in found if f.code == "CL401"]


# --------------------------------------------------------------------------- aliases

ALIAS = """
def ask_new(text, model):
    reply = client.messages.create(model=model, max_tokens=300,
                                   messages=[{{"role": "user", "content": text}}])
    return reply.content[0].text

def ask_old(text, model):
    return "n/a"

def run(records, model, modern):
    {binding}
    results = []
    for rec in records:
        results.append(send(rec["body"], model))
    return results
"""


def test_a_name_bound_by_a_conditional_expression_is_followed() -> None:
    found = _cl401(ALIAS.format(binding="send = ask_new if modern else ask_old"))
    assert [line for line, _ in found] == [3]
    msg = found[0][1]
    assert "`ask_new()` makes this request, called through `send` (line 16), once per item " \
        "of `records` in a `for` loop in `run()`" in msg


def test_a_name_bound_in_if_else_branches_is_followed() -> None:
    found = _cl401(ALIAS.format(binding=(
        "if modern:\n        send = ask_new\n    else:\n        send = ask_old")))
    assert [line for line, _ in found] == [3]
    assert "called through `send`" in found[0][1]


def test_a_name_that_may_hold_a_function_of_another_module_is_not_followed() -> None:
    body = "from vendor.clients import ask_remote\n" + ALIAS.format(
        binding="send = ask_new if modern else ask_remote")
    assert _cl401(body) == []


def test_a_name_that_may_hold_a_parameter_is_not_followed() -> None:
    body = ALIAS.replace("def run(records, model, modern):",
                         "def run(records, model, modern, custom=None):").format(
        binding="send = custom if custom else ask_new")
    assert _cl401(body) == []


def test_an_alias_in_a_chat_loop_stays_silent() -> None:
    found = _cl401("""
        def ask(text):
            reply = client.messages.create(model="claude-sonnet-4-6", max_tokens=300,
                                           messages=[{"role": "user", "content": text}])
            return reply.content[0].text

        def converse(openers, fast):
            talk = ask if fast else ask
            text = openers[0]
            for _ in openers:
                text = talk(text)
            return text
        """)
    assert found == []


# --------------------------------------------------------------------------- executors


SUBMIT = """
def complete(model, conv):
    out = "error"
    for _ in range(5):
        try:
            r = client.messages.create(model=model, max_tokens=64, messages=conv)
            out = r.content[0].text
            break
        except anthropic.APIError:
            continue
    return out

def tag(question, model, labels):
    tags = {{}}
    for label in labels:
        conv = label.build(question["text"])
        tags[label.name] = label.parse(complete(model, conv))
    question["tags"] = tags
    return question

def main(frame, model, labels):
    with ThreadPoolExecutor(8) as pool:
        futures = []
        for _, row in frame.iterrows():
            futures.append(pool.submit({submitted}, row, model, labels))
        return [f.result() for f in futures]
"""


def test_a_function_submitted_to_an_executor_two_calls_up() -> None:
    found = _cl401(SUBMIT.format(submitted="tag"))
    assert [line for line, _ in found] == [6]
    msg = found[0][1]
    assert "`complete()` makes this request, called from `tag()`, once per item of " \
        "`frame.iterrows()` through `pool.submit` in `main()`" in msg


def test_a_submitted_function_that_makes_no_request_is_not_reported() -> None:
    body = SUBMIT.format(submitted="save") + textwrap.dedent("""
        def save(row, model, labels):
            return row
        """)
    assert _cl401(body) == []


def test_a_helper_answering_one_question_alone_stays_silent() -> None:
    # `tag()` pairs one question with each label: with no loop around its calls, somebody
    # may be waiting for that one question's tags.
    body = SUBMIT.format(submitted="tag").split("def main")[0]
    assert _cl401(body) == []


def test_a_helper_answering_one_question_inside_a_web_handler_stays_silent() -> None:
    body = SUBMIT.format(submitted="tag").split("def main")[0] + textwrap.dedent("""
        from fastapi import FastAPI
        app = FastAPI()

        @app.post("/tag")
        def tag_many(rows: list[dict], model: str):
            return [tag(r, model, LABELS) for r in rows]
        """)
    assert _cl401(body) == []


# --------------------------------------------------------------------------- a pass's own data


def test_a_record_built_fresh_each_pass_does_not_feed_the_next_request() -> None:
    found = _cl401("""
        def run(items, sink):
            for item in items:
                record = {"id": item["id"], "prompt": item["text"]}
                r = client.messages.create(model="claude-haiku-4-5", max_tokens=200,
                    messages=[{"role": "user", "content": record["prompt"]}])
                record["answer"] = r.content[0].text
                item["done"] = True
                sink.write(record)
        """)
    assert [line for line, _ in found] == [5]


def test_a_record_kept_across_passes_still_feeds_the_next_request() -> None:
    found = _cl401("""
        def run(items, sink):
            record = {"prompt": ""}
            for item in items:
                r = client.messages.create(model="claude-haiku-4-5", max_tokens=200,
                    messages=[{"role": "user", "content": record["prompt"] + item}])
                record["prompt"] = r.content[0].text
        """)
    assert found == []


def test_a_fresh_name_bound_after_the_request_does_not_count() -> None:
    found = _cl401("""
        def run(items):
            note = {"text": ""}
            for item in items:
                r = client.messages.create(model="claude-haiku-4-5", max_tokens=200,
                    messages=[{"role": "user", "content": item + note["text"]}])
                note = {"text": r.content[0].text}
        """)
    assert found == []


def test_the_loop_item_rewritten_inside_an_outer_loop_stays_silent() -> None:
    found = _cl401("""
        def debate(agents, rounds):
            for _ in range(rounds):
                for agent in agents:
                    r = client.messages.create(model="claude-haiku-4-5", max_tokens=200,
                        messages=agent.history)
                    agent.remember(r.content[0].text)
        """)
    assert found == []


# --------------------------------------------------------------------------- spending caps


CAP = """
def run(items, max_cost):
    total_cost = 0.0
    for item in items:
        r = client.messages.create(model="claude-haiku-4-5", max_tokens=200,
            messages=[{{"role": "user", "content": item}}])
        total_cost += r.usage.output_tokens * 0.000004
        if {test}:
            break
"""


def test_a_spending_cap_does_not_make_the_requests_dependent() -> None:
    found = _cl401(CAP.format(test="max_cost is not None and total_cost >= max_cost"))
    assert [line for line, _ in found] == [5]


def test_a_stop_on_what_a_response_says_stays_silent() -> None:
    assert _cl401(CAP.format(test="'DONE' in r.content[0].text")) == []


def test_a_running_total_that_is_not_spending_stays_silent() -> None:
    body = CAP.replace("total_cost", "found").format(test="found >= max_cost")
    assert _cl401(body) == []


def test_a_cap_compared_with_a_response_value_stays_silent() -> None:
    body = CAP.format(test="total_cost >= r.usage.input_tokens")
    assert _cl401(body) == []


# --------------------------------------------------------------------------- other modules

LLM = '''
import anthropic

client = anthropic.Anthropic()


def summarise(text, model="claude-sonnet-4-6"):
    for attempt in range(3):
        try:
            r = client.messages.create(model=model, max_tokens=400, temperature=0.2,
                                       messages=[{"role": "user", "content": text}])
            return r.content[0].text
        except anthropic.APIError:
            continue
    return None
'''

PARTS = '''
import anthropic

client = anthropic.Anthropic()


def summarise(text, model="claude-sonnet-4-6"):
    out = []
    for part in text.split("\\n\\n"):
        r = client.messages.create(model=model, max_tokens=400,
                                   messages=[{"role": "user", "content": part}])
        out.append(r.content[0].text)
    return out
'''

RUN = '''
from pkg.llm import summarise


def main(docs):
    out = []
    for doc in docs:
        out.append(summarise(doc.text))
    return out
'''


def _project(tmp_path: Path, llm: str = LLM, run: str = RUN) -> Path:
    pkg = tmp_path / "pkg"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "llm.py").write_text(llm)
    (pkg / "run.py").write_text(run)
    return pkg / "run.py"


def _lint_file(path: Path) -> list[tuple[int, str, str]]:
    project_mod.reset()
    found = Linter(Settings(root=path.parent.parent)).lint_text(path.read_text(), str(path))
    return [(f.line, f.code, f.message) for f in found]


def test_a_function_of_another_module_called_in_a_loop(tmp_path: Path) -> None:
    found = _lint_file(_project(tmp_path))
    assert [(line, code) for line, code, _ in found] == [(8, "CL401")]
    msg = found[0][2]
    assert "once per item of `docs` in a `for` loop" in msg
    assert msg.endswith("(the request is made in `summarise()` of `pkg.llm`)")


def test_other_rules_leave_the_imported_request_to_its_own_module(tmp_path: Path) -> None:
    # `temperature=` is reported in pkg/llm.py itself, not again at each caller.
    codes = {code for _, code, _ in _lint_file(_project(tmp_path))}
    assert codes == {"CL401"}


@pytest.mark.parametrize("llm", [
    # A chat loop inside the imported function: its calls are not independent requests.
    LLM.replace("    for attempt in range(3):\n", "    while True:\n").replace(
        "            return r.content[0].text\n",
        "            if r.stop_reason != 'tool_use':\n                return r\n"
        "            text = text + r.content[0].text\n"),
    # Two requests: which one a call makes is not known.
    LLM.replace("    return None", "    return client.messages.create(model=model, "
                "max_tokens=9, messages=[])"),
    # No request at all.
    "def summarise(text):\n    return text.upper()\n",
    # The function waits for a person.
    LLM.replace("def summarise(text, ", "def summarise(text, hint=input('> '), "
                ).replace('"content": text', '"content": text + input("> ")'),
    # The request is repeated inside the function: reported there, not at the caller.
    PARTS,
])
def test_imported_look_alikes_stay_silent(tmp_path: Path, llm: str) -> None:
    path = _project(tmp_path, llm=llm)
    assert [f for f in _lint_file(path) if f[1] == "CL401"] == []


def test_a_function_of_a_module_outside_the_project_is_not_followed(tmp_path: Path) -> None:
    path = _project(tmp_path, run=RUN.replace("from pkg.llm import", "from vendor.llm import"))
    assert _lint_file(path) == []


def test_a_name_imported_then_rebound_is_not_followed(tmp_path: Path) -> None:
    run = RUN.replace("def main(docs):", "def summarise(text):\n    return text\n\n\n"
                      "def main(docs):")
    assert _lint_file(_project(tmp_path, run=run)) == []


def test_a_run_lints_the_importer_and_drops_its_cached_result_when_the_module_changes(
        tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / ".claudelint.toml").write_text("")
    args = ["check", "--output-format", "concise", "--select", "CL401", "pkg"]
    code, out = invoke(args, tmp_path)
    # pkg/run.py holds no call site of its own: it is linted because it imports pkg.llm.
    assert "pkg/run.py:8:" in out and code == 1
    # A second request in pkg/llm.py: the cached finding of pkg/run.py must go.
    llm = tmp_path / "pkg" / "llm.py"
    llm.write_text(LLM.replace("    return None", "    return client.messages.create("
                               "model=model, max_tokens=9, messages=[])"))
    code, out = invoke(args, tmp_path)
    assert "pkg/run.py" not in out
    llm.write_text(LLM)
    code, out = invoke(args, tmp_path)
    assert "pkg/run.py:8:" in out


def test_only_files_importing_a_function_that_makes_one_request_are_added(
        tmp_path: Path) -> None:
    from claudelint.workspace.discovery import Importers, import_summary

    _project(tmp_path, llm=LLM + "\n\ndef helper(x):\n    return x\n")
    llm = tmp_path / "pkg" / "llm.py"
    importers = Importers([(llm, llm.read_bytes())])

    def admitted(rel: str, text: str) -> bool:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        summary = import_summary(path.read_bytes())
        return summary is not None and importers.imports_one(path, summary)

    assert admitted("pkg/a.py", "from pkg.llm import summarise\n")
    assert admitted("pkg/b.py", "from .llm import helper, summarise as s\n")
    assert admitted("pkg/sub/c.py", "from ..llm import summarise\n")
    assert not admitted("pkg/d.py", "from pkg.llm import helper\n")  # no request in it
    assert not admitted("pkg/e.py", "import pkg.llm\n")  # module calls are not followed
    assert not admitted("other/f.py", "from llm import summarise\n")  # not beside it
    assert not admitted("pkg/sub/g.py", "from .llm import summarise\n")  # pkg/sub/llm.py


def test_an_imported_function_fed_its_previous_answer_stays_silent(tmp_path: Path) -> None:
    run = RUN.replace("    out = []\n    for doc in docs:\n"
                      "        out.append(summarise(doc.text))\n    return out",
                      "    summary = ''\n    for doc in docs:\n"
                      "        summary = summarise(summary + doc.text)\n    return summary")
    assert "summary = summarise(summary + doc.text)" in run
    assert _lint_file(_project(tmp_path, run=run)) == []
