"""One row per Claude call site, built from a file's analysis and its findings.

workspace/runner.py builds the rows in the same pass as `check` (the "loop" and "cache" columns
say what the rules say) and the results cache stores them with the findings; `claudelint sites`
(workspace/sites.py) collects, weights, sorts and renders them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from claudelint.finding import Finding
from claudelint.settings import Settings
from claudelint.workspace.traffic import comment_weight, per_month

if TYPE_CHECKING:
    from claudelint.analysis.request import Request
    from claudelint.knowledge.models import Knowledge
    from claudelint.lint.engine import Analysis

# Findings that say a breakpoint is written on every call and never read.
_NEVER_READ = ("CL102", "CL105")
# A breakpoint on a prefix below the minimum: nothing is cached.
_BELOW_MINIMUM = "CL103"
# A request made once per item of a collection, one at a time (possibly through a function).
_BATCHABLE = "CL401"


@dataclass
class SiteRow:
    path: str
    line: int
    column: int
    cell: int | None
    method: str
    model: str | None
    model_status: str | None
    max_tokens: int | None
    prefix_tokens: int
    # The prefix is read from the cache on later calls, as the caching rules see it.
    cached: bool
    in_loop: bool
    repeated: bool
    usd_per_call: float | None
    findings: list[str] = field(default_factory=list)
    # "read" (a breakpoint no rule faults), "never-read" (CL102/CL105: written on every call,
    # never read), "below-minimum" (CL103: nothing cached), "none" (no breakpoint).
    cache: str = "none"
    # CL401 reports the loop (or fan-out) as one Message Batch.
    batchable: bool = False
    # The innermost function that makes the request (None at module level).
    function: str | None = None
    end_line: int = 0
    # What fixing this site's findings saves per call: expected, and worst cases avoided.
    usd_saved_per_call: float = 0.0
    usd_saved_up_to_per_call: float = 0.0
    # The traffic weight and where it came from; None: unknown.
    calls_per_day: float | None = None
    weight_source: str | None = None
    # A `calls-per-day` comment whose value is not a number (reported as a warning).
    weight_problem: str | None = None
    # The findings, as "CODE (line N): message" (the HTML report shows them).
    messages: list[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        cell = f"cell {self.cell + 1}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"

    @property
    def usd_per_month(self) -> float | None:
        if self.calls_per_day is None or self.usd_per_call is None:
            return None
        return per_month(self.usd_per_call, self.calls_per_day)

    @property
    def saved_per_month(self) -> float | None:
        if self.calls_per_day is None:
            return None
        return per_month(self.usd_saved_per_call, self.calls_per_day)

    def to_cache(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> SiteRow:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def site_rows(analysis: Analysis, findings: Sequence[Finding], knowledge: Knowledge,
              settings: Settings, display: str,
              cell_of: Callable[[int], tuple[int, int]] | None = None) -> list[SiteRow]:
    """One row per request of `analysis`, with the findings `check` reports for the file
    (lines as in the analysed text, before a notebook's are mapped to cells): each finding
    belongs to the innermost call whose lines hold it, a finding at a call of a wrapper
    function to the wrapper's request."""
    from claudelint.knowledge.tokens import estimate_tokens

    if not analysis.requests:
        return []
    lines = analysis.text.splitlines()
    spans = []
    index_of = {id(req): i for i, req in enumerate(analysis.requests)}
    for req in analysis.requests:
        rng = analysis.position(req.call)
        stmt = analysis.position(req.statement) if analysis.has(req.statement) else rng
        spans.append((rng, min(stmt.start.line, rng.start.line)))
    # (lines, row): each request's call, then each call of a wrapper function, whose
    # findings (CL401 on `route()` called in a loop) are about the wrapper's request.
    places = [(rng.start.line, rng.end.line, i) for i, (rng, _) in enumerate(spans)]
    for wrapper in analysis.wrapper_requests:
        inner = index_of.get(id(wrapper.via.inner)) if wrapper.via is not None else None
        if inner is not None and analysis.has(wrapper.call):
            rng = analysis.position(wrapper.call)
            places.append((rng.start.line, rng.end.line, inner))
    owned: list[list[Finding]] = [[] for _ in spans]
    for f in findings:
        # The innermost call that holds the finding (a request's own call first).
        holding = [(end - start, n, row) for n, (start, end, row) in enumerate(places)
                   if start <= f.line <= end]
        best = min(holding)[2] if holding else next(
            (i for i, (rng, _) in enumerate(spans)
             if f.suppress_lines[0] <= rng.start.line <= f.suppress_lines[1]), None)
        if best is not None:
            owned[best].append(f)
    rows: list[SiteRow] = []
    for req, (rng, first), mine in zip(analysis.requests, spans, owned, strict=True):
        codes = sorted({f.code for f in mine})
        info = knowledge.get(req.model_id) if req.model_id else None
        tokenizer = info.tokenizer if info is not None else "legacy"
        prefix_tokens = estimate_tokens(req.static_prefix().text, tokenizer).low
        if not req.breakpoints():
            cache = "none"
        elif any(c in codes for c in _NEVER_READ):
            cache = "never-read"
        elif _BELOW_MINIMUM in codes:
            cache = "below-minimum"
        else:
            cache = "read"
        cost = None
        if info is not None and req.max_tokens is not None:
            read = prefix_tokens if cache == "read" else 0
            written = prefix_tokens if cache == "never-read" else 0
            cost = info.cost_usd(input_tokens=prefix_tokens - read - written,
                                 cache_read_tokens=read, cache_write_tokens=written,
                                 output_tokens=req.max_tokens, batch=req.site.batch)
        weight, problem, at = comment_weight(lines, first, rng.start.line)
        saved = sum(f.cost.usd_saved / f.cost.calls for f in mine
                    if f.cost is not None and not f.cost.upper_bound and f.cost.calls > 0)
        up_to = sum(f.cost.usd_saved / f.cost.calls for f in mine
                    if f.cost is not None and f.cost.upper_bound and f.cost.calls > 0)
        line, cell, end_line = rng.start.line, None, rng.end.line
        if cell_of is not None:
            cell, line = cell_of(rng.start.line)
            end_line = line + rng.end.line - rng.start.line
            if at:
                at = cell_of(at)[1]
        batchable = _BATCHABLE in codes
        rows.append(SiteRow(
            path=display, line=line, column=rng.start.column + 1, cell=cell,
            method=("beta." if req.beta else "") + req.method, model=req.model_id,
            model_status=_status(knowledge, req, settings),
            max_tokens=req.max_tokens, prefix_tokens=prefix_tokens, cached=cache == "read",
            in_loop=bool(req.site.loops) or batchable, repeated=req.site.repeated,
            usd_per_call=cost, findings=codes, cache=cache, batchable=batchable,
            function=req.site.function, end_line=end_line,
            usd_saved_per_call=saved, usd_saved_up_to_per_call=up_to,
            calls_per_day=weight, weight_source=f"comment (line {at})" if weight is not None
            else None,
            weight_problem=f"{display}:{at}: {problem}" if problem else None,
            messages=[f"{f.code} ({_where(f, cell_of)}): {f.message}"
                      for f in sorted(mine, key=lambda f: (f.line, f.column, f.code))],
        ))
    return rows


def _where(f: Finding, cell_of: Callable[[int], tuple[int, int]] | None) -> str:
    if cell_of is None:
        return f"line {f.line}"
    cell, line = cell_of(f.line)
    return f"cell {cell + 1}, line {line}"


def _status(knowledge: Knowledge, req: Request, settings: Settings) -> str | None:
    """The model's status as CL302 judges it: by date, on the platform that serves it."""
    if not req.model_id:
        return None
    found = knowledge.model_state(req.model_id, req.client, settings.today)
    if found is None:
        return None
    match, _platform, state = found
    return state.status if state is not None else match.info.status
