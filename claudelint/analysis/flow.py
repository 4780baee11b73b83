"""How a request sits in the code around it: the loop that repeats it, whether its response
feeds the next request, whether the message list it sends grows.

Two questions, asked by CL401 and CL501:

- `FlowInfo.repetition`: is the request made once per item of a collection, each request
  independent of the previous responses? That is a `for` loop, a `while queue: x = queue.pop()`
  loop, a comprehension, `asyncio.gather(*[...])`, or an executor `map` / `submit` — around the
  call itself, or around the calls of the local function that makes the request. Retry loops are
  looked through (the loop around them counts); chat and agent loops (a response reaches the next
  request, or decides whether it is made), interactive loops, web handlers and streaming
  generators stop the search. `FlowInfo.not_batchable` says why nothing was found.
- `FlowInfo.history`: does the request send a message list (or a prompt string) that grows on
  every pass of a loop — `append`, `extend`, `insert`, `+=` — whole, with no trimming, no
  summary, no message-level cache breakpoint? Either in the loop around the call, or as
  `self.history` / a module global grown by a method or function that is called in a loop of the
  same file.

Everything here reads the syntax tree: one extra pass over the module (cached per module,
analysis/facts.py) records parent links and, by dotted name, the calls, growth, trimming and
resets the questions need; loop bodies are then walked on demand (analysis/taint.py for what a
response reaches, analysis/repetition.py for CL401, analysis/history.py for CL501). Rules read
only `FlowInfo` and the dataclasses `Repetition` and `HistoryGrowth`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from claudelint.analysis.history import HistoryGrowth, _analyze_history
from claudelint.analysis.repetition import Repetition, _analyze_repetition

if TYPE_CHECKING:
    from claudelint.analysis.request import Request


class FlowInfo:
    """The flow facts of one request; each part is computed on first use."""

    def __init__(self, request: Request) -> None:
        self._request = request

    @cached_property
    def _batch(self) -> tuple[Repetition | None, str]:
        return _analyze_repetition(self._request)

    @property
    def repetition(self) -> Repetition | None:
        """How the request repeats over a collection, when it could be batched."""
        return self._batch[0]

    @property
    def not_batchable(self) -> str:
        """Why `repetition` is None (a retry loop, a chat loop, a handler, ...)."""
        return self._batch[1]

    @cached_property
    def history(self) -> HistoryGrowth | None:
        return _analyze_history(self._request)


def analyze_flow(request: Request) -> FlowInfo:
    return FlowInfo(request)


__all__: Sequence[str] = ("FlowInfo", "analyze_flow")
