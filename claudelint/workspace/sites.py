"""`claudelint sites`: an inventory of every Claude call site, sorted by estimated cost.

The cost baseline teams ask for before optimising: where each request is made, with which
model, how big its static prefix is, whether its cache is read or it is repeated in a loop,
what one call costs at most (input at the static prefix size, output at max_tokens), and —
with a traffic weight (`[traffic]` config or a `# claudelint: calls-per-day=N` comment) —
what it costs per month.

The rows are built by the same run as `check` (workspace/runner.py lints each file once and
builds its rows from that analysis and those findings), and are stored with the findings in
the results cache: the "loop" and "cache" columns say what the rules say.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from claudelint.workspace.config import ConfigResolver
from claudelint.workspace.siterows import SiteRow
from claudelint.workspace.traffic import config_weight, format_calls_per_day


def apply_config_weights(rows: list[SiteRow], resolver: ConfigResolver,
                         cwd: Path | None = None) -> None:
    """Give each row without a comment weight its `[traffic]` weight (config is not part of
    the cache key, so this runs after the rows are read from it)."""
    cwd = cwd or Path.cwd()
    for row in rows:
        if row.calls_per_day is not None:
            continue
        path = Path(row.path)
        path = path if path.is_absolute() else cwd / path
        weight = config_weight(resolver.settings_for(path), path, row.function)
        if weight is not None:
            row.calls_per_day, row.weight_source = weight.calls_per_day, weight.source


def sort_rows(rows: list[SiteRow]) -> None:
    """Most expensive first: by dollars per month where a weight is known (those first),
    then by the cost of one call."""
    rows.sort(key=lambda r: (-(r.usd_per_month or 0.0), -(r.usd_per_call or 0.0),
                             r.path, r.cell or 0, r.line))


def collect(paths: list[Path], resolver: ConfigResolver, *, force_exclude: bool = False,
            use_cache: bool = True, cwd: Path | None = None) -> tuple[list[SiteRow], list[str]]:
    """The rows of every call site under `paths` and the errors (unreadable paths), from the
    same run `check` makes (cached the same way)."""
    from claudelint.workspace.runner import RunOptions, run

    result = run([str(p) for p in paths], resolver,
                 RunOptions(force_exclude=force_exclude, use_cache=use_cache))
    rows = list(result.sites)
    apply_config_weights(rows, resolver, cwd)
    sort_rows(rows)
    return rows, list(result.errors)


def monthly_totals(rows: Sequence[SiteRow]) -> tuple[int, float, float] | None:
    """(weighted sites, $/month at most, est. savings $/month) over the rows with a known
    traffic weight and cost; None when no row has one."""
    weighted = [r for r in rows if r.usd_per_month is not None]
    if not weighted:
        return None
    return (len(weighted), sum(r.usd_per_month or 0.0 for r in weighted),
            sum(r.saved_per_month or 0.0 for r in weighted))


def _money(amount: float | None) -> str:
    from claudelint.finding import format_usd

    return format_usd(amount) if amount is not None else ""


def _row_json(r: SiteRow) -> dict[str, Any]:
    # Cells numbered from 1, as in the location and in `check` output.
    out = asdict(r)
    out.pop("end_line")
    out["cell"] = None if r.cell is None else r.cell + 1
    out["location"] = r.location
    out["usd_per_month"] = r.usd_per_month
    out["usd_saved_per_month"] = r.saved_per_month
    return out


def render_sites(rows: list[SiteRow], fmt: str) -> str:
    """The inventory as text, JSON or CSV (HTML is a report: claudelint/report/html.py)."""
    if fmt == "json":
        return json.dumps([_row_json(r) for r in rows], indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["location", "method", "model", "model_status", "max_tokens",
                    "prefix_tokens", "cached", "in_loop", "repeated", "usd_per_call",
                    "findings", "cache", "batchable", "calls_per_day", "usd_per_month",
                    "weight_source"])
        for r in rows:
            w.writerow([r.location, r.method, r.model or "", r.model_status or "",
                        r.max_tokens if r.max_tokens is not None else "", r.prefix_tokens,
                        r.cached, r.in_loop, r.repeated,
                        f"{r.usd_per_call:.6f}" if r.usd_per_call is not None else "",
                        " ".join(r.findings), r.cache, r.batchable,
                        f"{r.calls_per_day:g}" if r.calls_per_day is not None else "",
                        f"{r.usd_per_month:.2f}" if r.usd_per_month is not None else "",
                        r.weight_source or ""])
        return buf.getvalue()
    weighted = any(r.calls_per_day is not None for r in rows)
    headers = ["location", "model", "max_tokens", "prefix", "cache", "loop", "$/call"]
    if weighted:
        headers += ["calls/day", "$/month"]
    headers.append("findings")
    table = [headers]
    for r in rows:
        model = r.model or "?"
        if r.model_status and r.model_status != "active":
            model += f" ({r.model_status})"
        cells = [
            r.location, model, str(r.max_tokens) if r.max_tokens is not None else "?",
            f"{r.prefix_tokens:,}", _CACHE_TEXT[r.cache],
            ("batchable" if r.batchable else "yes") if r.in_loop else "no",
            f"${r.usd_per_call:.4f}" if r.usd_per_call is not None else "?",
        ]
        if weighted:
            cells += [format_calls_per_day(r.calls_per_day) if r.calls_per_day is not None
                      else "", _money(r.usd_per_month)]
        cells.append(" ".join(r.findings))
        table.append(cells)
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in table]
    total = sum(r.usd_per_call or 0.0 for r in rows)
    lines.append(f"{len(rows)} call site{'s' if len(rows) != 1 else ''}; "
                 f"one call of each costs at most ${total:.4f} "
                 "(input at the static prefix size, output at max_tokens)")
    lines.extend(traffic_lines(rows))
    return "\n".join(lines) + "\n"


_CACHE_TEXT = {"read": "yes", "none": "no", "never-read": "never read",
               "below-minimum": "below min"}


def traffic_lines(rows: Sequence[SiteRow]) -> list[str]:
    """What the known traffic weights make of the costs, and where the weights came from
    (the closing lines of `sites` and of `check`'s summary)."""
    totals = monthly_totals(rows)
    if totals is None:
        return []
    n, cost, saved = totals
    from claudelint.finding import format_usd

    comments = sum(1 for r in rows if r.usd_per_month is not None
                   and (r.weight_source or "").startswith("comment"))
    sources = []
    if comments:
        sources.append(f"{comments} from calls-per-day comments")
    if n - comments:
        sources.append(f"{n - comments} from [traffic] in config")
    line = (f"At the known traffic ({n} call site{'s' if n != 1 else ''} weighted: "
            f"{', '.join(sources)}): at most {format_usd(cost)} per month")
    if saved > 0:
        line += f"; est. savings ~{format_usd(saved)} per month"
    return [line + " (30 days at the calls per day given)."]
