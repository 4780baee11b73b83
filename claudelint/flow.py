"""How a request sits in the code around it: the loop that repeats it, whether its response
feeds the next request, whether the message list it sends grows.

Skeleton: the CL401/CL501 work fills this in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claudelint.request import Request


@dataclass(frozen=True)
class FlowInfo:
    pass


def analyze_flow(request: Request) -> FlowInfo:
    return FlowInfo()
