"""analyze_flow: the loop around a request (CL401) and the history it re-sends (CL501)."""

from __future__ import annotations

import pytest

from claudelint.analysis.flow import FlowInfo, analyze_flow
from claudelint.analysis.request import Request
from claudelint.lint.engine import analyze
from claudelint.settings import Settings

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"
CALL = ("client.messages.create(model='claude-sonnet-4-6', max_tokens=256, "
        "messages=[{'role': 'user', 'content': x}])")


def _requests(code: str) -> list[Request]:
    return analyze(code, Settings()).requests


def _flow(code: str, index: int = 0) -> FlowInfo:
    return analyze_flow(_requests(code)[index])


# --------------------------------------------------------------------------- repetition


def test_for_loop_over_a_collection() -> None:
    f = _flow(HEAD + f"def run(docs):\n    for x in docs:\n        r = {CALL}\n        save(r)\n")
    assert f.repetition is not None
    assert (f.repetition.kind, f.repetition.items, f.repetition.targets) == ("for", "docs", ("x",))
    assert f.repetition.via is None


def test_module_level_loop_and_unpacked_targets() -> None:
    f = _flow(HEAD + f"for i, x in enumerate(rows):\n    print({CALL})\n")
    assert f.repetition is not None and f.repetition.targets == ("i", "x")
    assert f.repetition.items == "enumerate(rows)"


def test_comprehension_and_gather() -> None:
    comp = _flow(HEAD + f"def run(xs):\n    return [{CALL} for x in xs]\n")
    assert comp.repetition is not None and comp.repetition.kind == "comprehension"
    gather = _flow(
        "import asyncio\nimport anthropic\nclient = anthropic.AsyncAnthropic()\n"
        f"async def run(xs):\n    return await asyncio.gather(*[{CALL} for x in xs])\n"
    )
    assert gather.repetition is not None and gather.repetition.kind == "gather"


def test_request_first_iter_of_comprehension_is_not_repeated() -> None:
    f = _flow(HEAD + f"def run(x):\n    return [b.text for b in {CALL}.content]\n")
    assert f.repetition is None


def test_wrapper_called_in_gather_map_submit_and_loop() -> None:
    wrapper = f"def one(x):\n    return {CALL}\n"
    cases = {
        "def run(xs):\n    for x in xs:\n        one(x)\n": "for",
        "def run(xs, pool):\n    return list(pool.map(one, xs))\n": "map",
        "def run(xs, ex):\n    return [ex.submit(one, x) for x in xs]\n": "map",
        "import asyncio\nasync def run(xs):\n    await asyncio.gather(*(one(x) for x in xs))\n":
            "gather",
    }
    for caller, kind in cases.items():
        f = _flow(HEAD + wrapper + caller)
        assert f.repetition is not None, caller
        assert f.repetition.kind == kind and f.repetition.via == "one"


def test_method_called_in_a_loop_through_an_instance() -> None:
    f = _flow(HEAD + "class Tagger:\n"
              f"    def tag(self, x):\n        return {CALL}\n"
              "def main(rows):\n    t = Tagger()\n    for x in rows:\n        t.tag(x)\n")
    assert f.repetition is not None and f.repetition.via == "tag"


def test_wrapper_with_two_requests_is_not_followed() -> None:
    f = _flow(HEAD + f"def two(x):\n    a = {CALL}\n    return {CALL}\n"
              "def run(xs):\n    for x in xs:\n        two(x)\n")
    assert f.repetition is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # retry loops
        (f"def f(x):\n    for attempt in range(5):\n        try:\n            return {CALL}\n"
         "        except Exception:\n            pass\n", "retry"),
        (f"def f(x):\n    r = None\n    while r is None:\n        try:\n            r = {CALL}\n"
         "        except Exception:\n            pass\n", "retry"),
        (f"def f(x):\n    done = False\n    while not done:\n        try:\n            r = {CALL}\n"
         "            done = True\n        except Exception:\n            pass\n", "retry"),
        # chat: the response reaches the next request through a list, a name, or a helper
        ("def f(qs):\n    msgs = []\n    for q in qs:\n"
         "        r = client.messages.create(model='m', max_tokens=9, messages=msgs)\n"
         "        msgs.append({'role': 'assistant', 'content': r.content})\n", "chat"),
        (f"def f(x, steps):\n    for s in steps:\n        x = {CALL}.content[0].text\n", "chat"),
        ("class B:\n    def f(self, qs):\n        for q in qs:\n"
         "            r = client.messages.create(model='m', max_tokens=9, messages=self.build(q))\n"
         "            self.history.append(r)\n"
         "    def build(self, q):\n        return [*self.history, q]\n", "chat"),
        # agent loop
        (f"def f(x):\n    r = {CALL}\n    while r.stop_reason == 'tool_use':\n        r = {CALL}\n",
         "agent"),
        # the response decides whether the loop goes on
        (f"def f(xs):\n    for x in xs:\n        if 'DONE' in {CALL}.content[0].text:\n"
         "            break\n", "stops"),
        # a crawl: responses add to what the loop visits
        (f"def f(xs):\n    for x in xs:\n        xs.extend(links({CALL}))\n", "decide"),
        # interactive, small, stream, serving
        (f"while True:\n    x = input()\n    {CALL}\n", "interactive"),
        (f"for x in range(3):\n    {CALL}\n", "only 3"),
        (f"for x in ['a', 'b']:\n    {CALL}\n", "only 2"),
        (f"import sys\nfor x in sys.stdin:\n    {CALL}\n", "stream"),
        (f"def f(xs):\n    for x in xs:\n        yield {CALL}\n", "generator"),
        ("@app.get('/x')\n"
         f"def f(xs):\n    return [{CALL} for x in xs]\n", "web handler"),
        ("@router.post('/x')\n"
         f"async def f(xs):\n    for x in xs:\n        {CALL}\n", "web handler"),
        (f"async def f(websocket):\n    for x in xs:\n        {CALL}\n", "websocket"),
        # no loop at all; a while loop that is not over a collection
        (f"def f(x):\n    return {CALL}\n", "not in a loop"),
        (f"def f(q):\n    while True:\n        x = q.get()\n        {CALL}\n", "not over a"),
    ],
)
def test_not_batchable(body: str, reason: str) -> None:
    f = analyze_flow(_requests(HEAD + body)[-1])
    assert f.repetition is None
    assert reason in f.not_batchable


def test_retry_inside_a_collection_loop_is_looked_through() -> None:
    f = _flow(HEAD + f"def f(xs):\n    for x in xs:\n        for attempt in range(3):\n"
              f"            try:\n                r = {CALL}\n                break\n"
              "            except Exception:\n                continue\n")
    assert f.repetition is not None and f.repetition.items == "xs"


def test_error_exit_does_not_count_as_a_response_exit() -> None:
    f = _flow(HEAD + f"def f(xs):\n    for x in xs:\n        try:\n            {CALL}\n"
              "        except KeyboardInterrupt:\n            break\n")
    assert f.repetition is not None


def test_results_collected_do_not_make_a_chain() -> None:
    f = _flow(HEAD + f"def f(xs):\n    out = {{}}\n    total = 0\n    for x in xs:\n"
              f"        r = {CALL}\n        out[x] = r.content[0].text\n"
              "        total += r.usage.output_tokens\n    return out, total\n")
    assert f.repetition is not None


def test_draining_a_queue() -> None:
    f = _flow(HEAD + f"def f(todo):\n    while todo:\n        x = todo.pop()\n        {CALL}\n")
    assert f.repetition is not None
    rep = f.repetition
    assert (rep.kind, rep.items, rep.targets) == ("while", "todo", ("x",))


def test_file_using_batches_is_skipped() -> None:
    f = _flow(HEAD + f"def f(xs):\n    for x in xs:\n        {CALL}\n"
              "def g(reqs):\n    client.messages.batches.create(requests=reqs)\n")
    assert f.repetition is None and "Batches" in f.not_batchable


def test_lambda_in_executor_map() -> None:
    f = _flow(HEAD + f"def f(xs, pool):\n    return list(pool.map(lambda x: {CALL}, xs))\n")
    assert f.repetition is not None and f.repetition.kind == "map"


# --------------------------------------------------------------------------- history

CHAT = ("r = client.messages.create(model='claude-sonnet-4-6', max_tokens=256, "
        "messages=history)")


def test_history_grown_in_the_loop() -> None:
    f = _flow(HEAD + "history = []\nwhile True:\n"
              "    history.append({'role': 'user', 'content': input()})\n"
              f"    {CHAT}\n"
              "    history.append({'role': 'assistant', 'content': r.content})\n")
    assert f.history is not None
    assert f.history.name == "history"
    assert f.history.growth.startswith("history.append(")
    assert "while True" in f.history.loop


@pytest.mark.parametrize(
    "grow",
    ["history += [x]", "history = history + [x]", "history = [*history, x]",
     "history.extend([x, x])", "history.insert(len(history), x)"],
)
def test_growth_forms(grow: str) -> None:
    f = _flow(HEAD + f"def f(xs):\n    history = []\n    for x in xs:\n        {grow}\n"
              f"        {CHAT}\n")
    assert f.history is not None, grow


@pytest.mark.parametrize(
    "sent",
    ["[*history, {'role': 'user', 'content': 'go'}]", "history + [x]", "list(history)",
     "history.copy()", "history[:]"],
)
def test_whole_history_sent_in_other_shapes(sent: str) -> None:
    f = _flow(HEAD + "def f(xs):\n    history = []\n    for x in xs:\n"
              "        history.append(x)\n"
              f"        client.messages.create(model='m', max_tokens=9, messages={sent})\n")
    assert f.history is not None, sent


@pytest.mark.parametrize(
    "bound",
    [
        "history = history[-10:]",
        "del history[:2]",
        "history.pop(0)",
        "history[:] = history[-6:]",
        "history = [summary(x)]",
        "history.clear()",
        "trim_history(history)",
        "history[-1]['cache_control'] = {'type': 'ephemeral'}",
    ],
)
def test_bounded_histories(bound: str) -> None:
    f = _flow(HEAD + "def f(xs):\n    history = []\n    for x in xs:\n"
              f"        history.append(x)\n        {bound}\n        {CHAT}\n")
    assert f.history is None, bound


def test_sliced_or_top_level_cached_history_is_fine() -> None:
    base = "def f(xs):\n    history = []\n    for x in xs:\n        history.append(x)\n"
    sliced = _flow(HEAD + base + "        client.messages.create(model='m', max_tokens=9, "
                   "messages=history[-8:])\n")
    cached = _flow(HEAD + base + "        client.messages.create(model='m', max_tokens=9, "
                   "messages=history, cache_control={'type': 'ephemeral'})\n")
    assert sliced.history is None and cached.history is None


def test_system_breakpoint_does_not_bound_the_history() -> None:
    f = _flow(HEAD + "def f(xs):\n    history = []\n    for x in xs:\n        history.append(x)\n"
              "        client.messages.create(model='m', max_tokens=9, messages=history,\n"
              "            system=[{'type': 'text', 'text': 'S', "
              "'cache_control': {'type': 'ephemeral'}}])\n")
    assert f.history is not None


def test_fresh_list_per_item_and_small_loops() -> None:
    fresh = _flow(HEAD + "def f(xs):\n    for x in xs:\n        history = [x]\n"
                  f"        {CHAT}\n        history.append(r)\n")
    small = _flow(HEAD + "def f(x):\n    history = [x]\n    for _ in range(2):\n"
                  f"        {CHAT}\n        history.append(r)\n")
    assert fresh.history is None and small.history is None


def test_inner_agent_loop_grows_even_when_the_outer_loop_resets() -> None:
    f = _flow(HEAD + "def f(tasks):\n    for t in tasks:\n        history = [t]\n"
              "        while True:\n"
              f"            {CHAT}\n            history.append(r)\n")
    assert f.history is not None and "while True" in f.history.loop


def test_text_prompt_accumulating() -> None:
    f = _flow(HEAD + "log = ''\nfor line in lines:\n    log += line\n"
              "    client.messages.create(model='m', max_tokens=9, "
              "messages=[{'role': 'user', 'content': f'{log}\\nWhat next?'}])\n")
    assert f.history is not None and f.history.name == "log"


CLASS = (
    "class Bot:\n"
    "    def __init__(self):\n        self.messages = []\n"
    "    def chat(self, text):\n"
    "        self.messages.append({'role': 'user', 'content': text})\n"
    "        r = client.messages.create(model='m', max_tokens=9, messages=self.messages)\n"
    "        self.messages.append({'role': 'assistant', 'content': r.content})\n"
)


def test_self_history_grown_by_a_method_called_in_a_loop() -> None:
    f = _flow(HEAD + CLASS + "def main():\n    bot = Bot()\n    for line in lines():\n"
              "        bot.chat(line)\n")
    assert f.history is not None and f.history.name == "self.messages"
    assert "Bot.chat()" in f.history.loop


def test_self_history_called_from_a_method_loop() -> None:
    f = _flow(HEAD + CLASS + "    def repl(self):\n        while True:\n"
              "            self.chat(input())\n")
    assert f.history is not None


@pytest.mark.parametrize(
    "tail",
    [
        "",  # never called in a loop
        "def main():\n    for line in lines():\n        Bot().chat(line)\n",  # fresh object
        "def main():\n    for line in lines():\n        bot = Bot()\n        bot.chat(line)\n",
        "    def reset(self):\n        self.messages = []\n"
        "def main():\n    bot = Bot()\n    while True:\n        bot.chat(input())\n",
    ],
)
def test_self_history_not_reported(tail: str) -> None:
    assert _flow(HEAD + CLASS + tail).history is None


def test_global_history_grown_by_a_function_called_in_a_loop() -> None:
    f = _flow(HEAD + "HISTORY = []\n"
              "def ask(q):\n    HISTORY.append(q)\n"
              "    return client.messages.create(model='m', max_tokens=9, messages=HISTORY)\n"
              "while True:\n    ask(input())\n")
    assert f.history is not None and "ask()" in f.history.loop


def test_history_parameter_grown_in_the_callee_loop() -> None:
    f = _flow(HEAD + "def run(messages):\n    while True:\n"
              "        r = client.messages.create(model='m', max_tokens=9, messages=messages)\n"
              "        if r.stop_reason != 'tool_use':\n            return r\n"
              "        messages.append({'role': 'assistant', 'content': r.content})\n")
    assert f.history is not None


def test_tool_runner_and_batches_have_no_history() -> None:
    code = (HEAD + "def f(xs):\n    history = []\n    for x in xs:\n        history.append(x)\n"
            "        client.beta.messages.tool_runner(model='m', max_tokens=9, messages=history)\n")
    assert all(analyze_flow(r).history is None for r in _requests(code))


@pytest.mark.parametrize(
    "store",
    [
        "conv.add_turn(r.content[0].text)",  # a history object's method
        "self.remember(r)",  # a method writing self.history
        "add_turn(history, r)",  # a local function mutating its parameter
    ],
)
def test_responses_stored_through_calls_make_a_chat(store: str) -> None:
    code = (HEAD + "def add_turn(h, r):\n    h.append(r)\n"
            "class B:\n    def remember(self, r):\n        self.history.append(r)\n"
            "    def run(self, conv, history, qs):\n        for q in qs:\n"
            "            r = client.messages.create(model='m', max_tokens=9,\n"
            "                messages=[*conv.turns(), *history, *self.history, q])\n"
            f"            {store}\n")
    f = analyze_flow(_requests(code)[0])
    assert f.repetition is None and "chat" in f.not_batchable


def test_storing_results_elsewhere_keeps_the_loop_batchable() -> None:
    f = _flow(HEAD + "import json\n"
              "def f(rows, writer):\n    for row in rows:\n"
              "        r = client.messages.create(model='m', max_tokens=9,\n"
              "            messages=[{'role': 'user', 'content': json.dumps(row)}])\n"
              "        writer.writerow([row, json.loads(r.content[0].text)])\n"
              "        save(row, r)\n")
    assert f.repetition is not None


def test_latency_measurements_and_small_model_comparisons_are_skipped() -> None:
    timed = _flow(HEAD + "import time\ndef f(xs):\n    for x in xs:\n        t0 = time.time()\n"
                  f"        {CALL}\n        print(time.time() - t0)\n")
    assert timed.repetition is None and "latency" in timed.not_batchable
    models = _flow(HEAD + "def f(x):\n    models = ['claude-haiku-4-5', 'claude-sonnet-4-6']\n"
                   "    for m in models:\n"
                   "        client.messages.create(model=m, max_tokens=9, messages=x)\n")
    assert models.repetition is None and "only 2" in models.not_batchable
    data = _flow(HEAD + "essays = open('essays.txt').read().split()\nfor e in essays:\n"
                 "    client.messages.create(model='m', max_tokens=9, messages=e)\n")
    assert data.repetition is not None


# Regressions from real repositories (look-alikes, not their code).


@pytest.mark.parametrize("setup", [
    "EXAMPLES = ['one', 'two', 'three', 'four', 'five']\n",
    # bound twice, both times to a handful (notebook cells redefine it)
    "EXAMPLES = ['a', 'b']\nEXAMPLES = ['c', 'd', 'e', 'f']\n",
])
def test_a_handful_of_examples_written_in_the_code_is_not_batchable(setup: str) -> None:
    f = _flow(HEAD + setup + f"for i, x in enumerate(EXAMPLES):\n    print({CALL})\n")
    assert f.repetition is None and "written out in the code" in f.not_batchable
    g = _flow(HEAD + setup + f"outs = [{CALL} for x in EXAMPLES]\n")
    assert g.repetition is None and "written out in the code" in g.not_batchable


@pytest.mark.parametrize("setup", [
    "ROWS = [" + ", ".join(f"'r{i}'" for i in range(11)) + "]\n",  # more than a handful
    "ROWS = ['a', 'b']\nROWS.extend(load())\n",  # grown after the literal
    "ROWS = ['a', 'b']\nROWS = load()\n",  # rebound to data
])
def test_literal_collections_that_are_data_stay_batchable(setup: str) -> None:
    f = _flow(HEAD + setup + f"for x in ROWS:\n    print({CALL})\n")
    assert f.repetition is not None


@pytest.mark.parametrize("param", ["query", "question", "user_query", "q"])
def test_reranking_candidates_for_one_query_serves_that_query(param: str) -> None:
    f = _flow(HEAD + f"def rank(self, {param}, top_k=3):\n    scores = []\n"
              "    for summary in self.summaries:\n"
              f"        x = f'Doc: {{summary}} Query: {{{param}}} Score 0-10.'\n"
              f"        scores.append(float({CALL}.content[0].text))\n"
              "    return sorted(scores)[:top_k]\n")
    assert f.repetition is None and f"`{param}`" in f.not_batchable


def test_a_loop_over_the_queries_themselves_stays_batchable() -> None:
    f = _flow(HEAD + "def answer_all(questions, query):\n"
              f"    for x in questions:\n        print({CALL})\n")
    assert f.repetition is not None  # `query` is not used in the loop
    g = _flow(HEAD + "def grade(query):\n"
              f"    for x in query.split(','):\n        print(query, {CALL})\n")
    assert g.repetition is not None  # the loop walks the query itself


def test_a_files_analysis_is_freed_after_its_check() -> None:
    """Nothing derived from one file (flow facts hold its whole tree) outlives its check: a run
    over many files must not keep every tree alive (memory, and the garbage collector's time,
    grew with each file)."""
    import gc
    import weakref

    from claudelint.lint.engine import Linter

    text = (
        "import anthropic\nclient = anthropic.Anthropic()\nhistory = []\n"
        "for q in questions:\n    history.append({'role': 'user', 'content': q})\n"
        "    r = client.messages.create(model='claude-sonnet-4-6', max_tokens=64000,\n"
        "                               messages=history)\n"
    )
    linter = Linter(Settings())
    analysis = analyze(text, Settings(), None)
    findings = linter.check(analysis, text, "loop.py")
    assert {f.code for f in findings} >= {"CL401", "CL501"}  # the flow facts were built
    assert analysis.resolver is not None
    index = weakref.ref(analysis.resolver.index)
    del analysis, findings
    gc.collect()
    assert index() is None
