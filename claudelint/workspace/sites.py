"""`claudelint sites`: an inventory of every Claude call site, sorted by estimated cost.

The cost baseline teams ask for before optimising: where each request is made, with which
model, how big its static prefix is, whether it is cached or repeated in a loop, and what one
call costs at most (input at the static prefix size, output at max_tokens).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claudelint.settings import Settings
from claudelint.workspace.config import ConfigResolver
from claudelint.workspace.discovery import discover, may_hold_call_site
from claudelint.workspace.source import SourceError, decode_source, read_file_bytes

if TYPE_CHECKING:
    from claudelint.analysis.request import Request
    from claudelint.knowledge.models import Knowledge


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
    cached: bool
    in_loop: bool
    repeated: bool
    usd_per_call: float | None
    findings: list[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        cell = f"cell {self.cell + 1}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"


def _rows_for_text(text: str, display: str, settings: Settings,
                   cell_of: Any = None) -> list[SiteRow]:
    import libcst as cst

    try:
        return _rows(text, display, settings, cell_of)
    except (cst.ParserSyntaxError, RecursionError):  # `check` reports these files as CL000
        return []


def _rows(text: str, display: str, settings: Settings, cell_of: Any) -> list[SiteRow]:
    from claudelint.knowledge.tokens import estimate_tokens
    from claudelint.lint.engine import Linter, analyze

    analysis = analyze(text, settings, display)
    if not analysis.requests:
        return []
    linter = Linter(settings)
    findings = linter.check(analysis, text, display)
    knowledge = linter.knowledge
    rows: list[SiteRow] = []
    for req in analysis.requests:
        rng = analysis.position(req.call)
        info = knowledge.get(req.model_id) if req.model_id else None
        tokenizer = info.tokenizer if info is not None else "legacy"
        prefix_tokens = estimate_tokens(req.static_prefix().text, tokenizer).low
        cached = bool(req.breakpoints())
        cost = None
        if info is not None and req.max_tokens is not None:
            if cached:
                cost = info.cost_usd(cache_read_tokens=prefix_tokens,
                                     output_tokens=req.max_tokens, batch=req.site.batch)
            else:
                cost = info.cost_usd(input_tokens=prefix_tokens, output_tokens=req.max_tokens,
                                     batch=req.site.batch)
        codes = sorted({f.code for f in findings
                        if rng.start.line <= f.line <= rng.end.line
                        or f.suppress_lines[0] <= rng.start.line <= f.suppress_lines[1]})
        line, cell = rng.start.line, None
        if cell_of is not None:
            cell, line = cell_of(line)
        rows.append(SiteRow(
            path=display, line=line, column=rng.start.column + 1, cell=cell,
            method=("beta." if req.beta else "") + req.method, model=req.model_id,
            model_status=_status(knowledge, req, settings),
            max_tokens=req.max_tokens, prefix_tokens=prefix_tokens, cached=cached,
            in_loop=bool(req.site.loops), repeated=req.site.repeated, usd_per_call=cost,
            findings=codes,
        ))
    return rows


def collect(paths: list[Path], resolver: ConfigResolver, *, force_exclude: bool = False,
            cwd: Path | None = None) -> tuple[list[SiteRow], list[str]]:
    cwd = cwd or Path.cwd()
    found = discover(paths, resolver, force_exclude=force_exclude)
    errors = [f"{p}: {reason}" for p, reason in found.errors]
    rows: list[SiteRow] = []
    for path in found.files:
        try:
            raw = read_file_bytes(path)  # not path.read_bytes(): a FIFO blocks forever
        except OSError as e:
            errors.append(f"{path}: cannot read: {e.strerror or e}")
            continue
        if not may_hold_call_site(raw):
            continue
        display = str(path.relative_to(cwd)) if path.is_absolute() and path.is_relative_to(
            cwd) else str(path)
        settings = resolver.settings_for(path if path.is_absolute() else cwd / path)
        try:
            src = decode_source(raw, path)
        except SourceError:
            continue
        if path.suffix == ".ipynb":
            from claudelint.workspace.notebook import NotebookError, read_notebook

            try:
                nb = read_notebook(src.text)
            except NotebookError:
                continue
            rows.extend(_rows_for_text(nb.text, display, settings, cell_of=nb.locate))
        else:
            rows.extend(_rows_for_text(src.text, display, settings))
    rows.sort(key=lambda r: (-(r.usd_per_call or 0.0), r.path, r.cell or 0, r.line))
    return rows, errors


def render_sites(rows: list[SiteRow], fmt: str) -> str:
    if fmt == "json":
        # Cells numbered from 1, as in the location and in `check` output.
        items = [
            {**asdict(r), "cell": None if r.cell is None else r.cell + 1, "location": r.location}
            for r in rows
        ]
        return json.dumps(items, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["location", "method", "model", "model_status", "max_tokens",
                    "prefix_tokens", "cached", "in_loop", "repeated", "usd_per_call",
                    "findings"])
        for r in rows:
            w.writerow([r.location, r.method, r.model or "", r.model_status or "",
                        r.max_tokens if r.max_tokens is not None else "", r.prefix_tokens,
                        r.cached, r.in_loop, r.repeated,
                        f"{r.usd_per_call:.6f}" if r.usd_per_call is not None else "",
                        " ".join(r.findings)])
        return buf.getvalue()
    headers = ["location", "model", "max_tokens", "prefix", "cached", "loop", "$/call",
               "findings"]
    table = [headers]
    for r in rows:
        model = r.model or "?"
        if r.model_status and r.model_status != "active":
            model += f" ({r.model_status})"
        table.append([
            r.location, model, str(r.max_tokens) if r.max_tokens is not None else "?",
            f"{r.prefix_tokens:,}", "yes" if r.cached else "no",
            "yes" if r.in_loop else "no",
            f"${r.usd_per_call:.4f}" if r.usd_per_call is not None else "?",
            " ".join(r.findings),
        ])
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in table]
    total = sum(r.usd_per_call or 0.0 for r in rows)
    lines.append(f"{len(rows)} call site{'s' if len(rows) != 1 else ''}; "
                 f"one call of each costs at most ${total:.4f} "
                 "(input at the static prefix size, output at max_tokens)")
    return "\n".join(lines) + "\n"


def _status(knowledge: Knowledge, req: Request, settings: Settings) -> str | None:
    """The model's status as CL302 judges it: by date, on the platform that serves it."""
    if not req.model_id:
        return None
    found = knowledge.model_state(req.model_id, req.client, settings.today)
    if found is None:
        return None
    match, _platform, state = found
    return state.status if state is not None else match.info.status
