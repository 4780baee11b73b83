"""Issue 14, gap 6 and value narrowing.

CL501 on a history joined into a prompt text (`"\\n".join(notes)` in the system prompt or a
message) that grows on every pass of a loop — in the loop around the request, or in the
caller's loop that passes the list as a parameter — with the look-alikes that stay silent
(a slice, a list cleared or rebuilt each pass, a copy made before the loop, a list grown in
another loop, a one-off recursive continuation).

CL302 on a model name narrowed by the test of the branch the request sits in
(`if name in ["a", "b"]:`, `if name == "a":`), with its look-alikes (`not in`, `or`, the name
re-bound in the branch, only some of the listed models retired)."""

from __future__ import annotations

import textwrap

from claudelint.lint.engine import Linter
from claudelint.settings import Settings

HEAD = """
import anthropic

client = anthropic.Anthropic()
"""


def _found(body: str, code: str) -> list[tuple[int, str]]:
    """(line, message) of each `code` finding, lines counted from the body's first line."""
    head = textwrap.dedent(HEAD)
    text = head + textwrap.dedent(body)
    offset = head.count("\n")
    return [(f.line - offset, f.message) for f in Linter(Settings()).lint_text(text, "app.py")
            if f.code == code]


# --- CL501: joined history ----------------------------------------------------------------


def test_module_list_grown_in_the_callers_loop_and_joined_into_a_message() -> None:
    found = _found("""
        def plan(goal, notes=None):
            done = "\\n".join(notes) if notes else "(nothing yet)"
            messages = [{"role": "user", "content": [
                {"type": "text", "text": f"Goal: {goal}" + f"\\n\\nDone so far:\\n{done}"}]}]
            r = client.messages.create(model="claude-sonnet-4-6", max_tokens=800,
                                       messages=messages)
            return r.content[0].text

        steps = []
        while True:
            summaries = [s for _, s in steps]
            step = plan("write a poem", notes=summaries)
            if step == "stop":
                break
            steps.append((step, run(step)))
        """, "CL501")
    assert [line for line, _ in found] == [7]
    message = found[0][1]
    assert message.startswith("`steps` grows (`steps.append((step, run(step)))`) on every "
                              "pass of a `while True` loop around the call of `plan()`")
    assert "joined whole into the message text (`\"\\n\".join(notes)`)" in message


def test_parameter_with_empty_default_joined_into_the_system_prompt() -> None:
    found = _found("""
        def worker(task, history=None):
            if history is None:
                history = []
            system = "Earlier work:\\n" + "\\n".join(f"- {h}" for h in history)
            r = client.messages.create(model="claude-haiku-4-5", max_tokens=400,
                                       system=system,
                                       messages=[{"role": "user", "content": task}])
            return r.content[0].text

        def main(tasks):
            log = []
            for t in tasks:
                log.append(worker(t, log))
        """, "CL501")
    assert [line for line, _ in found] == [7]
    message = found[0][1]
    assert "`log` grows (`log.append(worker(t, log))`) on every pass of a `for` loop over " \
           "`tasks` around the call of `worker()`" in message
    assert "joined whole into the system prompt text " \
           "(`\"\\n\".join(f\"- {h}\" for h in history)`)" in message


def test_list_joined_in_the_loop_around_the_request() -> None:
    found = _found("""
        def chat():
            facts = []
            while True:
                q = input()
                r = client.messages.create(
                    model="claude-haiku-4-5", max_tokens=300,
                    system="Known facts:\\n" + "; ".join(facts),
                    messages=[{"role": "user", "content": q}])
                facts.append(r.content[0].text)
        """, "CL501")
    assert [line for line, _ in found] == [8]
    assert "`facts` grows (`facts.append(r.content[0].text)`) on every pass of a " \
           "`while True` loop" in found[0][1]
    assert "system prompt text" in found[0][1]


def test_bounded_or_fresh_joined_lists_stay_silent() -> None:
    assert _found("""
        def ask(q, notes):
            return client.messages.create(
                model="claude-haiku-4-5", max_tokens=300,
                system="Notes:\\n" + "\\n".join(notes[-5:]),
                messages=[{"role": "user", "content": q}])

        def ask_all(q, notes):
            return client.messages.create(
                model="claude-haiku-4-5", max_tokens=300,
                system="Notes:\\n" + "\\n".join(notes),
                messages=[{"role": "user", "content": q}])

        def trimmed():
            notes = []
            while True:
                notes.append(ask(input(), notes))

        def cleared():
            notes = []
            while True:
                notes.append(ask_all(input(), notes))
                if len(notes) > 8:
                    notes.clear()

        def rebuilt(items):
            for item in items:
                notes = [item]
                notes.append(ask_all(item, notes))

        def fixed(items):
            notes = ["be brief", "be kind"]
            for item in items:
                ask_all(item, notes)

        def grown_elsewhere(items, questions):
            notes = []
            for item in items:
                notes.append(item)
            for q in questions:
                ask_all(q, notes)

        def copied_before(items):
            notes = []
            snapshot = list(notes)
            for item in items:
                notes.append(ask_all(item, snapshot))
        """, "CL501") == []


def test_joined_look_alikes_in_the_callee_stay_silent() -> None:
    assert _found("""
        import os

        def shortened(q, notes):
            notes = notes[-3:]
            return client.messages.create(
                model="claude-haiku-4-5", max_tokens=300,
                system="\\n".join(notes), messages=[{"role": "user", "content": q}])

        def popped(q, notes):
            while len(notes) > 10:
                notes.pop(0)
            return client.messages.create(
                model="claude-haiku-4-5", max_tokens=300,
                system="\\n".join(notes), messages=[{"role": "user", "content": q}])

        def path_only(q, parts):
            return client.messages.create(
                model="claude-haiku-4-5", max_tokens=300,
                system=os.path.join(parts), messages=[{"role": "user", "content": q}])

        def finish(q, parts, again=False):
            r = client.messages.create(
                model="claude-haiku-4-5", max_tokens=300,
                messages=[{"role": "user", "content": q + "\\n".join(parts)}])
            if r.stop_reason == "max_tokens" and not again:
                return finish(q, parts + [r.content[0].text], again=True)
            return r

        def drive(qs):
            notes = []
            for q in qs:
                notes.append(shortened(q, notes))
                notes.append(popped(q, notes))
                notes.append(path_only(q, notes))
        """, "CL501") == []


# --- CL302: a model name narrowed by the branch's test -------------------------------------

OPUS3 = "claude-3-opus-20240229"
SONNET3 = "claude-3-sonnet-20240229"


def test_membership_test_narrows_to_retired_models() -> None:
    found = _found(f"""
        import argparse

        def ask(q):
            if args.model in ["gpt-4o", "o1"]:
                return None
            elif args.model in ["{OPUS3}", "{SONNET3}"]:
                return client.messages.create(
                    model=args.model, max_tokens=100,
                    messages=[{{"role": "user", "content": q}}])

        parser = argparse.ArgumentParser()
        parser.add_argument("--model", default="gpt-4o")
        args = parser.parse_args()
        """, "CL302")
    assert [line for line, _ in found] == [9]
    message = found[0][1]
    assert message.startswith(
        f"`args.model` is `{OPUS3}` or `{SONNET3}` in this request (narrowed by the test "
        f"`args.model in [\"{OPUS3}\", \"{SONNET3}\"]`), and each of them was retired")
    assert "the API rejects every request" in message


def test_equality_and_else_of_a_negated_test_narrow() -> None:
    found = _found(f"""
        def one(model, q):
            if model == "{OPUS3}" and q:
                return client.messages.create(model=model, max_tokens=100, messages=[])

        def other(model, q):
            if model not in ("{SONNET3}",):
                raise ValueError(model)
            else:
                return client.messages.create(model=model, max_tokens=100, messages=[])
        """, "CL302")
    assert [line for line, _ in found] == [4, 10]
    assert f"`model` is `{OPUS3}` in this request (narrowed by the test `model == " \
           f"\"{OPUS3}\" and q`), and was retired" in found[0][1]
    assert f"(narrowed by the `else` of `if model not in (\"{SONNET3}\",)`)" in found[1][1]


def test_narrowing_look_alikes_stay_silent() -> None:
    assert _found(f"""
        def not_in(model):
            if model not in ["{OPUS3}"]:
                return client.messages.create(model=model, max_tokens=100, messages=[])

        def either(model, fallback):
            if model in ["{OPUS3}"] or fallback:
                return client.messages.create(model=model, max_tokens=100, messages=[])

        def rebound(model):
            if model in ["{OPUS3}", "{SONNET3}"]:
                model = upgrade(model)
                return client.messages.create(model=model, max_tokens=100, messages=[])

        def some_active(model):
            if model in ["{OPUS3}", "claude-sonnet-4-6"]:
                return client.messages.create(model=model, max_tokens=100, messages=[])

        def not_claude(model):
            if model == "gpt-4o":
                return client.messages.create(model=model, max_tokens=100, messages=[])

        def changed_by_a_method(cfg):
            if cfg.model == "{OPUS3}":
                cfg.refresh()
                return client.messages.create(model=cfg.model, max_tokens=100, messages=[])

        def after_the_branch(model):
            if model == "{OPUS3}":
                print("old model")
            return client.messages.create(model=model, max_tokens=100, messages=[])

        LEGACY = ["{OPUS3}"]

        def listed_elsewhere(model):
            if model in LEGACY:
                return client.messages.create(model=model, max_tokens=100, messages=[])

        def other_name(model, backup):
            if backup == "{OPUS3}":
                return client.messages.create(model=model, max_tokens=100, messages=[])
        """, "CL302") == []


def test_a_method_joining_its_parameter_counts_arguments_after_self() -> None:
    planner = """
        class Planner:
            def step(self, goal, done, extra=""):
                return client.messages.create(
                    model="claude-haiku-4-5", max_tokens=300,
                    system="Done:\\n" + "\\n".join(done),
                    messages=[{"role": "user", "content": goal + extra}])

            def run(self, goals):
                done = []
                for g in goals:
                    done.append(self.step(g, %s))
        """
    # The growing list passed as `extra`, a fixed one as `done`: nothing grows in the prompt.
    assert _found(planner % 'fixed, "".join(done)', "CL501") == []
    assert _found(planner % '["a"], done', "CL501") == []
    found = _found(planner % "done", "CL501")
    assert [line for line, _ in found] == [6]
    assert "on every pass of a `for` loop over `goals` around the call of `step()`" \
        in found[0][1]


def test_a_text_joined_once_before_the_loop_is_a_snapshot() -> None:
    assert _found("""
        NOTES = []
        SUMMARY = "\\n".join(NOTES)

        def ask(q):
            return client.messages.create(
                model="claude-haiku-4-5", max_tokens=300, system=SUMMARY,
                messages=[{"role": "user", "content": q}])

        def run():
            notes = []
            summary = "\\n".join(notes)
            while True:
                r = client.messages.create(
                    model="claude-haiku-4-5", max_tokens=300, system=summary,
                    messages=[{"role": "user", "content": input()}])
                notes.append(r.content[0].text)

        while True:
            NOTES.append(ask(input()))
        """, "CL501") == []
    found = _found("""
        def run():
            notes = []
            while True:
                summary = "\\n".join(notes)
                r = client.messages.create(
                    model="claude-haiku-4-5", max_tokens=300, system=summary,
                    messages=[{"role": "user", "content": input()}])
                notes.append(r.content[0].text)
        """, "CL501")
    assert [line for line, _ in found] == [7]


def test_deprecated_narrowed_models_warn_and_name_a_shared_successor() -> None:
    body = """
        def one(model):
            if model == "claude-opus-4-5-20251101":
                return client.messages.create(model=model, max_tokens=1000, messages=[])

        def mixed(model):
            if model in ("claude-opus-4-5-20251101", "claude-3-opus-20240229"):
                return client.messages.create(model=model, max_tokens=1000, messages=[])
        """
    text = textwrap.dedent(HEAD) + textwrap.dedent(body)
    found = [f for f in Linter(Settings()).lint_text(text, "app.py") if f.code == "CL302"]
    assert [f.level for f in found] == ["warning", "warning"]
    assert "and is deprecated (`claude-opus-4-5-20251101` deprecated, retiring on " \
           "2027-01-22;" in found[0].message
    assert found[0].message.endswith("; use `claude-opus-5-5` (input $5 -> $4, output $25 -> "
                                     "$20 per MTok)")
    assert "each of them is deprecated or retired" in found[1].message
    assert "`claude-3-opus-20240229` retired on 2026-01-05" in found[1].message
    assert found[1].message.endswith("; use `claude-opus-5-5`")
