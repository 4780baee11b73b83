"""Task detection (claudelint/analysis/task.py): which requests are short-answer tasks, and on what
evidence. Positive shapes must be recognised with the right kind; look-alikes must not."""

from __future__ import annotations

import pytest

from claudelint.analysis.request import Request
from claudelint.analysis.task import (
    TaskEvidence,
    arg_origin,
    classify_task,
    compares_models,
    max_tokens_literal_node,
    model_literal_node,
    model_thinks_by_default,
    thinking_setting,
)
from claudelint.knowledge.models import load_knowledge
from claudelint.lint.engine import analyze
from claudelint.settings import Settings

HEAD = "import anthropic\nimport json\n\nclient = anthropic.Anthropic()\n\n\n"


def requests_of(code: str) -> list[Request]:
    return analyze(code, Settings()).requests


def task_of(code: str, index: int = 0) -> TaskEvidence:
    return classify_task(requests_of(code)[index])


def call(system: str | None = None, user: str = "text", extra: str = "",
         after: str = "    return r.content[0].text\n", model: str = "'claude-sonnet-4-6'",
         max_tokens: str = "4096", params: str = "text: str") -> str:
    sys_arg = f"        system={system!r},\n" if system is not None else ""
    return (
        HEAD + f"def work({params}):\n"
        f"    r = client.messages.create(model={model}, max_tokens={max_tokens},\n"
        f"{sys_arg}{extra}"
        f"        messages=[{{'role': 'user', 'content': {user}}}])\n" + after
    )


POSITIVE: list[tuple[str, str, str]] = [
    # --- the prompt pins the format -----------------------------------------------------
    ("respond-only-category", call("Respond with only the category name."), "classification"),
    ("reply-just-label", call("Reply with just the label."), "classification"),
    ("only-output-label", call("Only output the label, nothing else."), "classification"),
    ("output-only-category",
     call("Classify the ticket. Output only the category: bug, feature or question."),
     "classification"),
    ("single-word", call("What is the capital of the country? Answer with a single word."),
     "classification"),
    ("one-word-answer", call("Give a one-word answer."), "classification"),
    ("yes-or-no", call("Answer yes or no: does the review mention shipping?"), "yes-no"),
    ("quoted-yes-no", call("Respond with 'yes' or 'no' only."), "yes-no"),
    ("true-false", call("Reply true or false: is the statement supported?"), "yes-no"),
    ("score-only-number",
     call("Rate the answer from 1 to 10. Respond with only the number."), "scoring"),
    ("route-only-team", call("Route the ticket. Respond with only the team name."), "routing"),
    ("json-keys",
     call("Return only JSON with keys name, email and company."), "extraction"),
    ("json-quoted-keys",
     call('Respond only with JSON with the keys "title" and "year".'), "extraction"),
    ("json-example-object",
     call('Reply with only JSON, like {"city": "...", "country": "..."}.'), "extraction"),
    ("instruction-in-user-message",
     call(None, user="f'Is this spam? Answer yes or no.\\n\\n{text}'"), "yes-no"),
    ("system-block-list",
     call(None, extra="        system=[{'type': 'text', 'text': "
                      "'Respond with only the category name.'}],\n"),
     "classification"),
    ("template-replace",
     "import textwrap\nT = textwrap.dedent('''\n    Classify the ticket: {{ticket}}\n"
     "    Respond with just the label.\n    ''')\n" + call(
         None, user="T.replace('{{ticket}}', text).strip()"),
     "classification"),
    ("template-system-replace",
     "T = 'Classify the review. Do not explain. Context: {{ctx}}'\n" + call(
         None, extra="        system=T.replace('{{ctx}}', text),\n"),
     "classification"),
    # --- a task named in the prompt plus a supporting signal -----------------------------
    ("classify-nothing-else",
     call("Classify this text as either ALLOW or BLOCK. Return nothing else."),
     "classification"),
    ("classify-no-explanation",
     call("Classify the sentiment of the review. Do not explain."), "classification"),
    ("sentiment-stop-sequence",
     call("Give the sentiment of the review.", extra="        stop_sequences=['\\n'],\n"),
     "classification"),
    ("label-json-loads",
     call("Label the issue.", after="    return json.loads(r.content[0].text)\n"),
     "extraction"),
    # --- the code needs a short answer ---------------------------------------------------
    ("eq-yes", call(None, after="    return r.content[0].text.strip().lower() == 'yes'\n"),
     "yes-no"),
    ("yes-eq-reversed", call(None, after="    return 'YES' == r.content[0].text.upper()\n"),
     "yes-no"),
    ("in-tuple",
     call(None, after="    t = r.content[0].text.strip()\n"
                      "    return t if t in ('positive', 'negative', 'neutral') else None\n"),
     "classification"),
    ("in-module-list",
     "LABELS = ['bug', 'feature', 'question']\n" + call(
         None, after="    label = r.content[0].text.strip()\n"
                     "    assert label in LABELS\n    return label\n"),
     "classification"),
    ("int-of-text", call(None, after="    return int(r.content[0].text.strip())\n"), "scoring"),
    ("float-of-text", call(None, after="    return float(r.content[0].text)\n"), "scoring"),
    ("dict-key",
     "QUEUES = {'billing': 1, 'tech': 2}\n" + call(
         None, after="    return QUEUES[r.content[0].text.strip()]\n"),
     "routing"),
    ("dict-get",
     "QUEUES = {'billing': 1, 'tech': 2}\n" + call(
         None, after="    return QUEUES.get(r.content[0].text.strip(), 0)\n"),
     "routing"),
    ("if-elif-chain",
     call(None, after="    t = r.content[0].text.strip()\n"
                      "    if t == 'billing':\n        return 1\n"
                      "    elif t == 'technical':\n        return 2\n    return 0\n"),
     "classification"),
    ("match-case",
     call(None, after="    match r.content[0].text.strip():\n"
                      "        case 'yes':\n            return True\n"
                      "        case 'no':\n            return False\n"
                      "    return None\n"),
     "yes-no"),
    ("content-block-variable",
     call(None, after="    block = r.content[0]\n    return block.text == 'yes'\n"), "yes-no"),
    ("join-of-blocks",
     call(None, after="    t = ''.join(b.text for b in r.content)\n    return t == 'no'\n"),
     "yes-no"),
    ("walrus", call(None, after="    if (t := r.content[0].text) == 'yes':\n"
                                "        return 1\n    return 0\n"), "yes-no"),
    ("str-call", call(None, after="    return str(r.content[0].text).lower() == 'yes'\n"),
     "yes-no"),
    ("for-block", call(None, after="    for b in r.content:\n"
                                   "        return int(b.text)\n"), "scoring"),
    ("chained-call",
     HEAD + "def work(text):\n"
     "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,\n"
     "        messages=[{'role': 'user', 'content': text}]).content[0].text == 'yes'\n",
     "yes-no"),
    ("stream-final-text",
     HEAD + "def work(text):\n"
     "    with client.messages.stream(model='claude-sonnet-4-6', max_tokens=4096,\n"
     "            messages=[{'role': 'user', 'content': text}]) as s:\n"
     "        return s.get_final_text().strip() == 'yes'\n",
     "yes-no"),
    ("stream-final-message",
     HEAD + "def work(text):\n"
     "    with client.messages.stream(model='claude-sonnet-4-6', max_tokens=4096,\n"
     "            messages=[{'role': 'user', 'content': text}]) as s:\n"
     "        m = s.get_final_message()\n"
     "    return int(m.content[0].text)\n",
     "scoring"),
    ("async-await",
     "import anthropic\n\nclient = anthropic.AsyncAnthropic()\n\n\n"
     "async def work(text):\n"
     "    r = await client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,\n"
     "        messages=[{'role': 'user', 'content': text}])\n"
     "    return r.content[0].text.strip().lower() == 'yes'\n",
     "yes-no"),
    ("caller-compares",
     call(None) + "\n\ndef check(t):\n    return work(t).strip() == 'yes'\n", "yes-no"),
    ("method-caller",
     "import anthropic\n\n\nclass Judge:\n"
     "    def __init__(self):\n        self.client = anthropic.Anthropic()\n\n"
     "    def ask(self, text):\n"
     "        r = self.client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,\n"
     "            messages=[{'role': 'user', 'content': text}])\n"
     "        return r.content[0].text\n\n"
     "    def score(self, text):\n        return int(self.ask(text))\n",
     "scoring"),
    ("module-level-script",
     "import anthropic\n\nclient = anthropic.Anthropic()\n"
     "r = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,\n"
     "    messages=[{'role': 'user', 'content': 'Is water wet?'}])\n"
     "print(r.content[0].text.strip().lower() == 'yes')\n",
     "yes-no"),
    ("thinking-disabled",
     call("Answer yes or no.", extra="        thinking={'type': 'disabled'},\n"), "yes-no"),
]


@pytest.mark.parametrize(("code", "kind"), [pytest.param(c, k, id=i) for i, c, k in POSITIVE])
def test_short_answer_tasks_are_recognised(code: str, kind: str) -> None:
    task = task_of(code)
    assert task.short_answer, task
    assert task.kind == kind, task
    assert task.evidence and task.label


NEGATIVE: list[tuple[str, str]] = [
    # --- the prompt asks for room --------------------------------------------------------
    ("reasoning-first",
     call("Think step by step, then respond with only the category name.")),
    ("explain-then-answer", call("Explain your reasoning, then answer yes or no.")),
    ("chain-of-thought", call("Use chain of thought. Output only the label at the end.")),
    ("justify", call("Classify the ticket and justify the choice. Reply with just the label.")),
    ("summarise", call("Summarise the document. Respond with only the summary.")),
    ("write-reply",
     call("Classify the e-mail, then write a short reply to the customer. "
          "Respond with only the category on the first line.")),
    ("translate", call("Translate the text to French. Respond with only the translation.")),
    ("describe", call("Describe the image. Answer yes or no first.")),
    ("extract-all-json",
     call("Extract all people mentioned. Return only JSON with keys name and role.")),
    ("json-without-keys", call("Return only JSON.")),
    ("template-replaced-instruction",
     "T = 'Classify the review. Do not explain.'\n" + call(
         None, extra="        system=T.replace('Do not explain.', 'Explain briefly.'),\n")),
    ("extract-nothing-else",
     call("Extract the key facts from the report. Return nothing else.")),
    ("meta-prompt-nothing-else",
     call("Write instructions for a sub-agent that will classify the documents. "
          "Output only the prompt and nothing else.")),
    ("only-prompt-nothing-else",
     call("Classify what the sub-agent needs. Output only the prompt and nothing else.")),
    # --- the request needs room ----------------------------------------------------------
    ("thinking-enabled",
     call("Answer yes or no.",
          extra="        thinking={'type': 'enabled', 'budget_tokens': 2048},\n")),
    ("thinking-adaptive",
     call("Answer yes or no.", extra="        thinking={'type': 'adaptive'},\n")),
    ("thinking-unknown", call("Answer yes or no.", extra="        thinking=cfg,\n",
                              params="text, cfg")),
    ("tools-present", call("Respond with only the category name.",
                           extra="        tools=[{'name': 'x', 'input_schema': {}}],\n")),
    ("tools-unknown", call("Answer yes or no.", extra="        tools=tools,\n",
                           params="text, tools")),
    # --- weak or no evidence -------------------------------------------------------------
    ("plain-chat", call("You are a helpful assistant.")),
    ("task-word-alone", call("Classify the ticket.")),
    ("sentiment-alone", call("Analyse the sentiment of the review.")),
    ("only-the-code", call("Return only the code, no markdown.")),
    ("only-the-answer", call("Respond with only the answer.")),
    ("sentinel-compare",
     call(None, after="    t = r.content[0].text\n    return None if t == 'NONE' else t\n")),
    ("substring-check", call(None, after="    return 'yes' in r.content[0].text.lower()\n")),
    ("startswith-check",
     call(None, after="    return r.content[0].text.lower().startswith('yes')\n")),
    ("long-literal-compare",
     call(None, after="    return r.content[0].text == "
                      "'I am sorry, I cannot help with that request today, sorry'\n")),
    ("slice-compare", call(None, after="    return r.content[0].text[:3] == 'yes'\n")),
    ("single-item-collection",
     call(None, after="    return r.content[0].text in ('DONE',)\n")),
    ("other-variable-compared",
     call(None, after="    other = 'x'\n    print(r.content[0].text)\n"
                      "    return other == 'yes'\n")),
    ("json-loads-alone", call(None, after="    return json.loads(r.content[0].text)\n")),
    ("event-stream",
     call(None, extra="        stream=True,\n",
          after="    for e in r:\n        if e == 'yes':\n            return 1\n")),
    ("uses-in-nested-function",
     call(None, after="    def inner():\n        return r.content[0].text == 'yes'\n"
                      "    return inner\n")),
]


@pytest.mark.parametrize("code", [pytest.param(c, id=i) for i, c in NEGATIVE])
def test_look_alikes_are_not_short_answer_tasks(code: str) -> None:
    task = task_of(code)
    assert not task.short_answer, task


def test_negated_explanation_is_a_format_constraint_not_a_veto() -> None:
    task = task_of(call("Classify the ticket. Don't include any explanation."))
    assert task.kind == "classification"
    assert not task.against


def test_against_lists_the_reasons() -> None:
    task = task_of(call("Think step by step, then answer yes or no.",
                        extra="        tools=[{'name': 'x', 'input_schema': {}}],\n"))
    assert any("tools" in a for a in task.against)
    assert any("reasoning" in a and "step by step" in a for a in task.against)


def test_generation_kind_for_open_ended_prompts() -> None:
    assert task_of(call("Write a blog post about the product.")).kind == "generation"


def test_evidence_quotes_the_prompt_sentence_and_the_code() -> None:
    task = task_of(call(
        "You label support tickets. Respond with only the category name.",
        after="    return r.content[0].text.strip() == 'yes'\n",
    ))
    assert "prompt says 'Respond with only the category name.'" in task.evidence
    assert "response compared with `== 'yes'`" in task.evidence
    assert task.because().count(";") == 1


def test_evidence_of_callers_names_the_function() -> None:
    task = task_of(call(None) + "\n\ndef check(t):\n    return work(t) == 'no'\n")
    assert task.evidence == ("`work()` result compared with `== 'no'`",)


def test_a_second_request_in_the_function_is_judged_on_its_own() -> None:
    code = (
        HEAD + "def work(text):\n"
        "    a = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,\n"
        "        messages=[{'role': 'user', 'content': text}])\n"
        "    b = client.messages.create(model='claude-sonnet-4-6', max_tokens=4096,\n"
        "        messages=[{'role': 'user', 'content': text}])\n"
        "    return a.content[0].text, b.content[0].text == 'yes'\n"
    )
    assert not task_of(code, 0).short_answer
    assert task_of(code, 1).kind == "yes-no"


def test_huge_prompt_is_scanned_head_and_tail_quickly() -> None:
    big = "Reference material about widgets. " * 40_000
    code = HEAD + f"DOC = {big!r} + 'Answer yes or no.'\n" + call(None, user="DOC + text")
    assert task_of(code).kind == "yes-no"


# --------------------------------------------------------------------------- helpers


def test_thinking_setting() -> None:
    def setting(extra: str) -> str:
        return thinking_setting(requests_of(call(None, extra=extra, params="text, cfg"))[0])

    assert setting("") == "absent"
    assert setting("        thinking={'type': 'disabled'},\n") == "off"
    assert setting("        thinking={'type': 'between_tools'},\n") == "off"
    assert setting("        thinking={'type': 'adaptive'},\n") == "on"
    assert setting("        thinking=cfg,\n") == "unknown"


def test_model_thinks_by_default() -> None:
    kb = load_knowledge()

    def thinks(model: str) -> bool | None:
        info = kb.get(model)
        assert info is not None
        return model_thinks_by_default(info)

    assert thinks("claude-sonnet-4-6") is False  # manual thinking era: off unless asked
    assert thinks("claude-haiku-4-5") is False
    assert thinks("claude-opus-5-5") is True  # adaptive only: cannot be turned off
    assert thinks("claude-sonnet-5-5") is True  # thinking_default = "on" in the data
    assert thinks("claude-opus-4-8") is False  # thinking_default = "off": adaptive, but off


@pytest.mark.parametrize(
    ("prelude", "arg", "params", "origin"),
    [
        ("", "'claude-opus-4-8'", "text", "literal"),
        ("MODEL = 'claude-opus-4-8'\n", "MODEL", "text", "constant"),
        ("", "model", "text, model='claude-opus-4-8'", "parameter"),
        ("import os\nMODEL = os.environ.get('M', 'claude-opus-4-8')\n", "MODEL", "text",
         "other"),
        ("class C:\n    model = 'x'\n", "C.model", "text", "attribute"),
    ],
)
def test_arg_origin(prelude: str, arg: str, params: str, origin: str) -> None:
    req = requests_of(prelude + call(None, model=arg, params=params))[0]
    assert arg_origin(req, "model") == origin


def test_literal_nodes_for_fixes() -> None:
    req = requests_of(call(None))[0]
    assert model_literal_node(req) is not None
    assert max_tokens_literal_node(req) is not None
    shared = requests_of("MODEL = 'claude-opus-4-8'\n" + call(None, model="MODEL"))[0]
    assert model_literal_node(shared) is None


def test_params_dict_used_once_is_local_and_shared_one_is_not() -> None:
    local = (
        HEAD + "def work(text):\n"
        "    params = {'model': 'claude-opus-4-8', 'max_tokens': 900}\n"
        "    return client.messages.create(messages=[], **params)\n"
    )
    req = requests_of(local)[0]
    assert model_literal_node(req) is not None and max_tokens_literal_node(req) is not None
    shared = (
        HEAD + "def work(text):\n"
        "    params = {'model': 'claude-opus-4-8', 'max_tokens': 900}\n"
        "    log(params)\n"
        "    return client.messages.create(messages=[], **params)\n"
    )
    assert model_literal_node(requests_of(shared)[0]) is None
    module_level = (
        HEAD + "PARAMS = {'model': 'claude-opus-4-8', 'max_tokens': 900}\n\n\n"
        "def work(text):\n"
        "    return client.messages.create(messages=[], **PARAMS)\n"
    )
    assert model_literal_node(requests_of(module_level)[0]) is None


def test_compares_models() -> None:
    loop = (
        HEAD + "def work(texts):\n"
        "    for model in ['claude-opus-4-8', 'claude-haiku-5-5']:\n"
        "        client.messages.create(model=model, max_tokens=5, messages=[])\n"
    )
    assert compares_models(requests_of(loop)[0]) == "the model comes from a loop"
    named = HEAD + "def benchmark_spam(text):\n" + (
        "    client.messages.create(model='claude-opus-4-8', max_tokens=5, messages=[])\n"
    )
    assert compares_models(requests_of(named)[0]) is not None
    plain = requests_of(call(None))[0]
    assert compares_models(plain) is None
    assert compares_models(plain, "evals/spam_eval.py") is not None
    assert compares_models(plain, "app/service.py") is None
