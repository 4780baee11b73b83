"""`claudelint sites --output-format html`: one self-contained page of the call sites by cost.

Inline CSS and CSS bar charts only: no script, no font, no image, no link to anything, so the
page can be attached to a ticket or opened offline. Every text that comes from the checked
code (paths, model ids, function names, finding messages) is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from claudelint.finding import format_usd
from claudelint.workspace.siterows import SiteRow
from claudelint.workspace.sites import monthly_totals
from claudelint.workspace.traffic import format_calls_per_day

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
p.note{color:#59636e;margin:4px 0}
.charts{display:flex;flex-wrap:wrap;gap:32px}.chart{flex:1 1 380px;min-width:320px}
.bar-row{display:grid;grid-template-columns:minmax(120px,38%) 1fr 90px;gap:8px;
align-items:center;margin:3px 0}
.bar-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-size:12px}
.bar-track{background:#eef1f4;height:14px;border-radius:3px}
.bar{background:#d4773a;height:14px;border-radius:3px;min-width:1px}
.bar-value{font-size:12px;text-align:right;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{border-bottom:1px solid #d8dee4;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
ul.findings{margin:0;padding-left:16px}.muted{color:#59636e}
.warn{color:#9a6700}.bad{color:#cf222e}
"""


def render_sites_html(rows: Sequence[SiteRow], *, title: str = "claudelint: call sites by cost"
                      ) -> str:
    monthly = monthly_totals(rows)
    by_month = monthly is not None
    ordered = sorted(rows, key=lambda r: (
        -(r.usd_per_month if r.usd_per_month is not None else -1.0),
        -(r.usd_per_call or 0.0), r.path, r.cell or 0, r.line))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    out.extend(_summary(rows, monthly))
    metric: Callable[[SiteRow], float | None]
    if by_month:
        metric, unit = (lambda r: r.usd_per_month), "per month"
        charted = [r for r in rows if r.usd_per_month is not None]
        left_out = len(rows) - len(charted)
    else:
        metric, unit = (lambda r: None if r.usd_per_call is None else r.usd_per_call * 1000), \
            "per 1k calls"
        charted = [r for r in rows if r.usd_per_call is not None]
        left_out = len(rows) - len(charted)
    out.append(f"<h2>Cost {escape(unit)}</h2>")
    if left_out:
        why = "without a traffic weight or a known cost" if by_month else "without a known cost"
        out.append(f'<p class="note">{left_out} call site{"s" if left_out != 1 else ""} '
                   f"{why} not charted.</p>")
    out.append('<div class="charts">')
    out.extend(_chart("By file", _group(charted, lambda r: r.path, metric)))
    out.extend(_chart("By model", _group(charted, lambda r: r.model or "unknown model", metric)))
    out.append("</div>")
    out.append(f"<h2>Call sites ({len(rows)})</h2>")
    out.extend(_table(ordered, by_month))
    out.append('<p class="note">Cost of one call: input at the static prefix size (cache '
               "reads or writes where the rules see them), output at <code>max_tokens</code>: "
               "an upper bound. Per month: calls per day &times; 30.</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _summary(rows: Sequence[SiteRow], monthly: tuple[int, float, float] | None) -> list[str]:
    per_call = sum(r.usd_per_call or 0.0 for r in rows)
    lines = [f'<p class="note">{len(rows)} call site{"s" if len(rows) != 1 else ""}; one call '
             f"of each costs at most {escape(format_usd(per_call))}.</p>"]
    if monthly is not None:
        n, cost, saved = monthly
        text = (f"At the known traffic ({n} weighted site{'s' if n != 1 else ''}): at most "
                f"{format_usd(cost)} per month")
        if saved > 0:
            text += f"; est. savings ~{format_usd(saved)} per month"
        lines.append(f'<p class="note">{escape(text)}.</p>')
    else:
        lines.append('<p class="note">No traffic weights: costs are per call and per 1k '
                     "calls. Add <code>[tool.claudelint.traffic]</code> or a "
                     "<code># claudelint: calls-per-day=N</code> comment for dollars per "
                     "month.</p>")
    return lines


def _group(rows: Sequence[SiteRow], key: Callable[[SiteRow], str],
           metric: Callable[[SiteRow], float | None]) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    for r in rows:
        totals[key(r)] = totals.get(key(r), 0.0) + (metric(r) or 0.0)
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


def _chart(heading: str, groups: list[tuple[str, float]], limit: int = 15) -> list[str]:
    out = ['<div class="chart">', f"<h2>{escape(heading)}</h2>"]
    if not groups:
        out.append('<p class="note">Nothing to chart.</p>')
    top = max((v for _, v in groups), default=0.0)
    shown = groups[:limit]
    for label, value in shown:
        width = 100.0 * value / top if top > 0 else 0.0
        out.append(
            f'<div class="bar-row"><span class="bar-label" title="{escape(label)}">'
            f"{escape(label)}</span>"
            f'<div class="bar-track"><div class="bar" style="width:{width:.1f}%"></div></div>'
            f'<span class="bar-value">{escape(format_usd(value))}</span></div>')
    if len(groups) > limit:
        rest = sum(v for _, v in groups[limit:])
        out.append(f'<p class="note">{len(groups) - limit} more: '
                   f"{escape(format_usd(rest))} together.</p>")
    out.append("</div>")
    return out


_CACHE = {"read": "read", "none": "none", "never-read": "written, never read",
          "below-minimum": "below minimum"}


def _table(rows: Sequence[SiteRow], by_month: bool) -> list[str]:
    heads = ["Location", "Function", "Model", "Prefix", "max_tokens", "Cache", "Loop",
             "$/call", "$/1k calls", "Calls/day", "$/month", "Findings", "Est. savings"]
    out = ["<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in heads)
           + "</tr></thead><tbody>"]
    for r in rows:
        model = escape(r.model or "?")
        if r.model_status and r.model_status != "active":
            model += f' <span class="bad">({escape(r.model_status)})</span>'
        loop = ("batchable" if r.batchable else "yes") if r.in_loop else "no"
        weight = ""
        if r.calls_per_day is not None:
            weight = (f"{escape(format_calls_per_day(r.calls_per_day))}"
                      f'<br><span class="muted">{escape(r.weight_source or "")}</span>')
        cells = [
            f"<code>{escape(r.location)}</code>",
            f"<code>{escape(r.function)}</code>" if r.function else '<span class="muted">'
            "module</span>",
            f"{model}<br><span class=\"muted\">{escape(r.method)}</span>",
            _num(f"{r.prefix_tokens:,}"),
            _num(str(r.max_tokens) if r.max_tokens is not None else "?"),
            escape(_CACHE.get(r.cache, r.cache)),
            escape(loop),
            _num(f"${r.usd_per_call:.4f}" if r.usd_per_call is not None else "?"),
            _num(format_usd(r.usd_per_call * 1000) if r.usd_per_call is not None else "?"),
            _num(weight),
            _num(escape(format_usd(r.usd_per_month)) if r.usd_per_month is not None else ""),
            _findings(r),
            _num(_savings(r)),
        ]
        out.append("<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>"
                                    for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return out


def _num(text: str) -> str:
    return f'<td class="num">{text}</td>'


def _findings(r: SiteRow) -> str:
    if not r.messages and not r.findings:
        return '<span class="muted">none</span>'
    items = r.messages or r.findings
    return '<ul class="findings">' + "".join(f"<li>{escape(m)}</li>" for m in items) + "</ul>"


def _savings(r: SiteRow) -> str:
    parts = []
    if r.usd_saved_per_call > 0:
        if r.calls_per_day is not None:
            parts.append(f"~{format_usd(r.saved_per_month or 0.0)}/month")
        parts.append(f"~{format_usd(r.usd_saved_per_call * 1000)}/1k calls")
    if r.usd_saved_up_to_per_call > 0:
        parts.append(f"up to {format_usd(r.usd_saved_up_to_per_call * 1000)}/1k calls more")
    return "<br>".join(escape(p) for p in parts)
