"""What task a request performs (classification, yes/no, extraction, open generation), read
from evidence: the prompt text, `stop_sequences`, and how the response is used.

Skeleton: the CL201/CL301 work fills this in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claudelint.request import Request


@dataclass(frozen=True)
class TaskEvidence:
    # "classification" | "yes-no" | "routing" | "labelling" | "scoring" | "extraction" |
    # "generation" | "unknown"
    kind: str = "unknown"
    # Human-readable evidence, quoted in messages: "prompt says 'Respond with only ...'".
    evidence: tuple[str, ...] = ()

    @property
    def short_answer(self) -> bool:
        return self.kind not in ("unknown", "generation")


def classify_task(request: Request) -> TaskEvidence:
    return TaskEvidence()
