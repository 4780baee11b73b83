"""A small support bot with the kind of cost problems claudelint finds.

Run `claudelint check examples/` to see them, `claudelint check --diff examples/` for the fixes.
"""

import anthropic

client = anthropic.Anthropic()

POLICY = (
    "You are Acme Corp's support assistant. Answer questions about orders, refunds, "
    "shipping and warranties. Follow the refund policy exactly; escalate legal threats. "
) * 40


def answer(question: str) -> str:
    """Called once per customer message: the policy is re-sent in full every time."""
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        system=POLICY,
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text
