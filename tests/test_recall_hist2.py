"""CL501 on REPL and agent loops whose only removals take back a failed turn, on histories a
closure shares with the function that made it, and on look-alikes that really bound the list
or only share a name with it."""

from __future__ import annotations

import textwrap

from claudelint.lint.engine import Linter
from claudelint.settings import Settings

HEAD = """
import anthropic
client = anthropic.Anthropic()
"""


def _cl501(body: str) -> list[tuple[int, str]]:
    text = textwrap.dedent(HEAD) + textwrap.dedent(body)
    return [(f.line, f.message) for f in Linter(Settings()).lint_text(text, "app.py")
            if f.code == "CL501"]


def _line(body: str, needle: str) -> int:
    text = textwrap.dedent(HEAD) + textwrap.dedent(body)
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


ROLLBACK_REPL = """
def repl():
    history = []
    while True:
        history.append({"role": "user", "content": input("> ")})
        while True:
            try:
                r = client.messages.create(model="claude-sonnet-4-6", max_tokens=900,
                    messages=history)
            except anthropic.APIError:
                while history and history[-1]["role"] != "user":
                    history.pop()
                if history:
                    history.pop()
                break
            history.append({"role": "assistant", "content": r.content})
            if r.stop_reason != "tool_use":
                break
            history.append({"role": "user", "content": call_tools(r)})
"""


def test_a_pop_loop_that_undoes_the_failed_turn_is_not_trimming() -> None:
    found = _cl501(ROLLBACK_REPL)
    assert [line for line, _ in found] == [_line(ROLLBACK_REPL, "messages=history")]
    assert "`history` grows" in found[0][1]


def test_the_undo_loop_outside_an_except_is_not_trimming_either() -> None:
    body = """
    def repl():
        log = []
        while True:
            log.append({"role": "user", "content": input("> ")})
            r = client.messages.create(model="claude-sonnet-4-6", max_tokens=900,
                messages=log)
            if r.stop_reason == "max_tokens":
                while log and log[-1]["role"] != "user":
                    del log[-1]
                continue
            log.append({"role": "assistant", "content": r.content})
    """
    assert [line for line, _ in _cl501(body)] == [_line(body, "messages=log")]


def test_a_pop_loop_on_the_length_trims() -> None:
    # Look-alike: the same loop shape, but it measures the list.
    body = """
    def repl():
        history = []
        while True:
            history.append({"role": "user", "content": input("> ")})
            while len(history) > 24:
                history.pop()
            r = client.messages.create(model="claude-sonnet-4-6", max_tokens=900,
                messages=history)
            history.append({"role": "assistant", "content": r.content})
    """
    assert _cl501(body) == []


def test_a_token_budget_loop_in_an_except_trims() -> None:
    body = """
    def repl():
        history = []
        while True:
            history.append({"role": "user", "content": input("> ")})
            try:
                r = client.messages.create(model="claude-sonnet-4-6", max_tokens=900,
                    messages=history)
            except anthropic.BadRequestError:
                while history[-1] and count_tokens(history) > 90000:
                    history.pop()
                continue
            history.append({"role": "assistant", "content": r.content})
    """
    assert _cl501(body) == []


def test_dropping_the_oldest_turns_still_bounds() -> None:
    body = """
    def repl():
        history = []
        while True:
            history.append({"role": "user", "content": input("> ")})
            if len(history) > 40:
                del history[:2]
            try:
                r = client.messages.create(model="claude-sonnet-4-6", max_tokens=900,
                    messages=history)
            except anthropic.APIError:
                history.pop()
                continue
            history.append({"role": "assistant", "content": r.content})
    """
    assert _cl501(body) == []


CLOSURE = """
def repl():
    history = []
    while True:
        text = input("> ")

        def make_turn(user_text, msgs):
            def turn():
                msgs.append({"role": "user", "content": user_text})
                while True:
                    r = client.messages.create(model="claude-sonnet-4-6", max_tokens=900,
                        messages=msgs)
                    msgs.append({"role": "assistant", "content": r.content})
                    if r.stop_reason != "tool_use":
                        return r
                    msgs.append({"role": "user", "content": call_tools(r)})
            return turn

        run_later(make_turn(text, history))
"""


def test_a_closure_grows_the_list_of_the_function_that_made_it() -> None:
    found = _cl501(CLOSURE)
    assert [line for line, _ in found] == [_line(CLOSURE, "messages=msgs")]
    assert "`msgs` grows (`msgs.append(" in found[0][1]


def test_a_closure_whose_maker_trims_the_list_is_bounded() -> None:
    body = CLOSURE.replace("            return turn",
                           "            del msgs[:-20]\n            return turn")
    assert _cl501(body) == []


def test_a_wrapper_local_is_not_the_callers_list_of_the_same_name() -> None:
    # Look-alike: the caller collects finished answers in a list named like the wrapper's
    # history; each wrapper call starts its own one-turn history.
    body = """
    def ask(msg, past=None):
        past = past or []
        history = past + [{"role": "user", "content": msg}]
        r = client.messages.create(model="claude-sonnet-4-6", max_tokens=900,
            messages=history)
        return r.content[0].text, history

    def ensemble(msg, n):
        answers, history = [], []
        for _ in range(n):
            a, h = ask(msg)
            answers.append(a)
            history.append(h)
        return answers, history
    """
    assert _cl501(body) == []

