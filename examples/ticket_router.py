"""A nightly job that routes support tickets: a one-word answer from the most expensive model,
one synchronous request at a time.

Run `claudelint check examples/` to see what it costs, `claudelint rule CL301` for why.
"""

import json

import anthropic

client = anthropic.Anthropic()

ROUTER_PROMPT = (
    "Classify the support ticket into exactly one category: billing, shipping, returns, "
    "technical, other. Respond with only the category name."
)


def route(ticket: str) -> str:
    response = client.messages.create(
        model="claude-opus-4-8",
        max_tokens=4096,
        system=ROUTER_PROMPT,
        messages=[{"role": "user", "content": ticket}],
    )
    return response.content[0].text.strip().lower()


def main(path: str) -> None:
    with open(path) as f:
        tickets = json.load(f)
    for ticket in tickets:
        print(route(ticket["body"]))
