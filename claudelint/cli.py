"""The command line: `claudelint check`, `claudelint rule`, `claudelint rules`,
`claudelint sites`, `claudelint server`.

Start-up matters (pre-commit runs this on every commit): this module imports only click and
light modules; libcst is imported when a file survives the bytes prefilter.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import click

from claudelint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("full", "concise", "json", "sarif", "github", "gitlab", "markdown")


def _split_codes(values: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out.extend(s.strip() for s in v.split(",") if s.strip())
    return tuple(out)


def _error(message: str) -> None:
    click.echo(f"claudelint: error: {message}", err=True)


def _isatty(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _use_color(stream: IO[str]) -> bool:
    """Colour on a terminal only. `NO_COLOR` (any non-empty value) turns it off and wins;
    `FORCE_COLOR` (non-empty, not "0" or "false") turns it on for pipes too (CI logs that
    render ANSI). Files written with `-o` never get colour."""
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR", "").strip().lower()
    if force and force not in ("0", "false"):
        return True
    return _isatty(stream)


def _terminal_width(stream: IO[str]) -> int | None:
    """The terminal's width (`COLUMNS` first, as `shutil.get_terminal_size` reads it) when
    `stream` is a terminal; None for files and pipes, whose lines are never cut."""
    if not _isatty(stream):
        return None
    import shutil

    return shutil.get_terminal_size().columns


def _warn(message: str) -> None:
    click.echo(f"claudelint: warning: {message}", err=True)


def _check_today() -> None:
    """Exit 2 with a clear message when `CLAUDELINT_TODAY` is set but is not a date."""
    from claudelint.settings import current_date

    try:
        current_date()
    except ValueError as e:
        _error(str(e))
        sys.exit(EXIT_ERROR)


def _stale_data_note(settings: Any, quiet: bool) -> None:
    """Once per run, on stderr: the shipped model data is more than 90 days old."""
    if quiet or not settings.stale_data_warning:
        return
    from claudelint.knowledge.models import stale_data_warning

    message = stale_data_warning(settings.today)
    if message is not None:
        _warn(message)


def _exact_tokens_root() -> Path | None:
    """Where --exact-tokens caches counts (the working directory), or None with a warning
    when it cannot run: no API key."""
    from claudelint.workspace.token_counter import MISSING_KEY, has_api_key

    if not has_api_key():
        _warn(MISSING_KEY)
        return None
    return Path.cwd()


def _token_notes(result: Any, quiet: bool) -> None:
    """--exact-tokens: fallbacks (always) and what was counted (unless quiet), on stderr."""
    for msg in result.warnings:
        _warn(msg)
    stats = result.token_stats
    if stats is None or quiet:
        return
    sent = stats.requested - stats.failed
    if not (sent or stats.cached):
        return
    click.echo(f"Exact token counts: {sent:,} from the count_tokens endpoint, "
               f"{stats.cached:,} from the cache (.claudelint_cache/tokens).", err=True)


class _Group(click.Group):
    """Exit 2 on usage errors, as ruff does (click already uses 2 for those)."""


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from claudelint.knowledge.models import version_line

    click.echo(f"claudelint {__version__} ({version_line()})")
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", "-V", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version, help="Show the version and the model data's date.")
def main() -> None:
    """claudelint: find what makes Claude API calls cost more than they need to."""


# ------------------------------------------------------------------------------------ rules


@main.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule page.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rule_cmd(code: str | None, show_all: bool, output_format: str) -> None:
    """Explain a rule: `claudelint rule CL101` or `claudelint rule missing-cache-control`."""
    from claudelint.finding import PARSE_ERROR_CODE, PARSE_ERROR_NAME
    from claudelint.lint.registry import all_rules, get_rule, suggest

    if show_all:
        rules = list(all_rules())
    elif code is None:
        _error("give a rule code or name, or --all")
        sys.exit(EXIT_ERROR)
    else:
        rule = get_rule(code)
        if rule is None and code.strip().upper() in (PARSE_ERROR_CODE, PARSE_ERROR_NAME.upper()):
            _parse_error_page(output_format)
            return
        if rule is None:
            hint = suggest(code)
            _error(f"unknown rule {code!r}" + (f"; did you mean {hint!r}?" if hint else ""))
            sys.exit(EXIT_ERROR)
        rules = [rule]
    if output_format == "json":
        data: Any = [r.to_json() for r in rules]
        click.echo(json.dumps(data if show_all else data[0], indent=2))
    else:
        click.echo("\n".join(r.page() for r in rules), nl=False)


def _parse_error_page(output_format: str) -> None:
    """CL000 is reported like a rule but is no rule class: its page, in the rule's shape."""
    from claudelint.finding import (
        PARSE_ERROR_CODE,
        PARSE_ERROR_NAME,
        PARSE_ERROR_SUMMARY,
        parse_error_page,
    )

    page = parse_error_page()
    if output_format == "json":
        click.echo(json.dumps({
            "code": PARSE_ERROR_CODE, "name": PARSE_ERROR_NAME, "summary": PARSE_ERROR_SUMMARY,
            "level": "error", "fix": "none", "opt_in": False, "options": {},
            "explanation": page.split("\n\n", 2)[2],
        }, indent=2))
    else:
        click.echo(page, nl=False)


@main.command("rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rules_cmd(output_format: str) -> None:
    """List every rule."""
    from claudelint.lint.registry import all_rules

    rules = all_rules()
    if output_format == "json":
        click.echo(json.dumps([r.to_json() for r in rules], indent=2))
        return
    fix_mark = {"safe": "fix", "unsafe": "unsafe fix", "none": ""}
    for r in rules:
        extra = " (opt-in)" if r.opt_in else ""
        click.echo(f"{r.code}  {r.name:<28} {r.level:<8} {fix_mark[r.fix_safety]:<11}"
                   f"{r.summary}{extra}")


# ------------------------------------------------------------------------------------ sites


@main.command("sites")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--output-format", type=click.Choice(["text", "json", "csv", "html"]),
              default="text", help="html: one self-contained page with charts.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--config", "config_file", type=click.Path(path_type=Path))
@click.option("--isolated", is_flag=True, help="Ignore every config file.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the results cache.")
def sites_cmd(paths: tuple[str, ...], output_format: str, output_file: str | None,
              config_file: Path | None, isolated: bool, no_cache: bool) -> None:
    """List every Claude call site with its model, prefix size and estimated cost per call
    (and per month where a traffic weight is known), most expensive first."""
    from claudelint.workspace.config import ConfigError, ConfigResolver
    from claudelint.workspace.sites import collect, render_sites

    _check_today()
    try:
        resolver = ConfigResolver(config_file=config_file, isolated=isolated)
        rows, errors = collect([Path(p) for p in (paths or (".",))], resolver,
                               use_cache=not no_cache)
    except ConfigError as e:
        _error(str(e))
        sys.exit(EXIT_ERROR)
    if output_format == "html":
        from claudelint.report.html import render_sites_html

        text = render_sites_html(rows)
    else:
        text = render_sites(rows, output_format)
    if output_file:
        try:
            Path(output_file).write_text(text, encoding="utf-8")
        except OSError as e:
            _error(f"cannot write {output_file}: {e.strerror or e}")
            sys.exit(EXIT_ERROR)
    else:
        click.echo(text, nl=False)
    for row in rows:
        if row.weight_problem:
            _warn(row.weight_problem)
    for msg in errors:
        _error(msg)
    sys.exit(EXIT_ERROR if errors else EXIT_OK)


# ------------------------------------------------------------------------------------ check


def _traffic_text(rows: list[Any], resolver: Any) -> str:
    """`check`'s closing line for the call sites with a traffic weight (none: nothing)."""
    from claudelint.workspace.sites import apply_config_weights, traffic_lines

    apply_config_weights(rows, resolver)
    return "".join(line + "\n" for line in traffic_lines(rows))


def _show_settings(resolver: Any, path: str) -> None:
    """`check --show-settings`: the settings for `path` (a folder: for the files directly in
    it), command-line overrides included, and the config file they come from; exit 0."""
    from claudelint.settings import describe_settings

    target = Path(path)
    if os.path.isdir(target):  # noqa: PTH112
        settings = resolver.settings_for_folder(target)
    else:
        settings = resolver.settings_for(target)
    source = str(settings.config_path) if settings.config_path else "none (defaults)"
    click.echo(f"Resolved settings for: {path}")
    click.echo(f"Settings path: {source}")
    click.echo("")
    click.echo("\n".join(describe_settings(settings)))
    sys.exit(EXIT_OK)


def _show_files(resolver: Any, paths: tuple[str, ...], force_exclude: bool) -> None:
    """`check --show-files`: every file a check of PATHS would read (after excludes and
    .gitignore), sorted, one per line; exit 0, or 2 when a path cannot be read."""
    from claudelint.workspace.discovery import discover

    found = discover([Path(p) for p in (paths or (".",))], resolver,
                     force_exclude=force_exclude)
    for f in found.files:
        click.echo(str(f))
    for bad_path, reason in found.errors:
        _error(f"{bad_path}: {reason}")
    sys.exit(EXIT_ERROR if found.errors else EXIT_OK)



@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, default=None,
              help="Also apply (and show) fixes that may change behaviour.")
@click.option("--diff", is_flag=True, help="Print the fixes as unified diffs; write nothing.")
@click.option("--show-fixes", is_flag=True, help="Show the fix title under each finding.")
@click.option("--select", multiple=True, help="Rules to enable (codes, prefixes or names).")
@click.option("--extend-select", multiple=True, help="Rules to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Rules to disable.")
@click.option("--output-format", type=click.Choice(FORMATS), default=None)
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, path_type=str),
              help="Write the report to a file.")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="warning",
              show_default=True,
              help="Exit 1 only for findings of this level or worse (`error`: warnings are "
                   "reported but do not fail the run).")
@click.option("--config", "config_file", type=click.Path(path_type=Path),
              help="Use this config file for every path.")
@click.option("--isolated", is_flag=True, help="Ignore every config file.")
@click.option("--stdin-filename", help="The name of the file read from stdin.")
@click.option("--force-exclude", is_flag=True, default=None,
              help="Apply excludes to paths given explicitly too.")
@click.option("--exclude", multiple=True, help="Replace the exclude patterns.")
@click.option("--extend-exclude", multiple=True, help="Add exclude patterns.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the results cache.")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes.")
@click.option("--add-noqa", is_flag=True,
              help="Write a `# noqa: CODE` comment for every current finding.")
@click.option("--ignore-noqa", is_flag=True, help="Report findings that comments suppress.")
@click.option("--exact-tokens", is_flag=True,
              help="Count tokens with the API's count_tokens endpoint (needs "
                   "ANTHROPIC_API_KEY; counts cached in .claudelint_cache/tokens).")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--show-settings", is_flag=True,
              help="Print the settings that apply to the first path (and the config file "
                   "they come from), then exit.")
@click.option("--show-files", is_flag=True,
              help="Print every file that would be checked, one per line, then exit.")
def check_cmd(paths: tuple[str, ...], fix: bool, unsafe_fixes: bool | None, diff: bool,
              show_fixes: bool, select: tuple[str, ...], extend_select: tuple[str, ...],
              ignore: tuple[str, ...], output_format: str | None, output_file: str | None,
              statistics: bool, exit_zero: bool, config_file: Path | None, isolated: bool,
              stdin_filename: str | None, force_exclude: bool | None,
              exclude: tuple[str, ...], extend_exclude: tuple[str, ...], no_cache: bool,
              jobs: int | None, add_noqa: bool, ignore_noqa: bool, exact_tokens: bool,
              quiet: bool,
              fail_on: str, show_settings: bool, show_files: bool) -> None:
    """Lint PATHS (default: the current folder; `-` reads standard input)."""
    from claudelint.lint.registry import is_valid_selector, suggest
    from claudelint.workspace.config import ConfigError, ConfigResolver

    if show_settings and show_files:
        _error("--show-settings cannot be combined with --show-files")
        sys.exit(EXIT_ERROR)
    if add_noqa and diff:
        # --diff promises to write nothing and --add-noqa writes: refuse.
        _error("--add-noqa cannot be combined with --diff (--diff writes nothing)")
        sys.exit(EXIT_ERROR)
    for sel in _split_codes(select + extend_select + ignore):
        if not is_valid_selector(sel):
            hint = suggest(sel)
            _error(f"unknown rule selector {sel!r}" + (f"; did you mean {hint!r}?" if hint else ""))
            sys.exit(EXIT_ERROR)
    overrides: dict[str, Any] = {}
    if select:
        overrides["select"] = _split_codes(select)
    if extend_select:
        overrides["extend_select"] = _split_codes(extend_select)
    if ignore:
        overrides["ignore"] = _split_codes(ignore)
    if unsafe_fixes is not None:
        overrides["unsafe_fixes"] = unsafe_fixes
    if force_exclude:
        overrides["force_exclude"] = True
    if exclude:
        overrides["exclude"] = _split_codes(exclude)
    if extend_exclude:
        overrides["extend_exclude"] = _split_codes(extend_exclude)
    if config_file is not None and not config_file.is_file():
        _error(f"config file not found: {config_file}")
        sys.exit(EXIT_ERROR)
    _check_today()
    try:
        resolver = ConfigResolver(config_file=config_file, isolated=isolated,
                                  overrides=overrides)
        root_settings = resolver.root_settings(Path.cwd())
        if show_settings:
            _show_settings(resolver, paths[0] if paths else ".")
        if show_files:
            _show_files(resolver, paths, bool(force_exclude or root_settings.force_exclude))
        _stale_data_note(root_settings, quiet)
        if output_format is None:
            output_format = root_settings.output_format
        from claudelint.workspace.runner import RunOptions, run

        exact_root = _exact_tokens_root() if exact_tokens else None
        options = RunOptions(
            exact_tokens=exact_root,
            fix=fix and not diff, diff=diff, stdin_filename=stdin_filename,
            force_exclude=bool(force_exclude or root_settings.force_exclude),
            use_cache=not no_cache, jobs=jobs, add_noqa=add_noqa, ignore_noqa=ignore_noqa,
        )
        result = run(list(paths) or ["."], resolver, options)
    except ConfigError as e:
        _error(str(e))
        sys.exit(EXIT_ERROR)

    if add_noqa:
        _token_notes(result, quiet)
        for msg in result.errors:
            _error(msg)
        if not quiet:
            n = result.noqa_added
            click.echo(f"Added {n} noqa directive{'s' if n != 1 else ''}.")
        sys.exit(EXIT_ERROR if result.errors else EXIT_OK)

    from claudelint.lint.registry import select_rules
    from claudelint.report import RunSummary, render

    # Only SARIF lists the enabled rules; other formats need not import the rule modules
    # (a warm run over cached files stays light).
    rules = (
        select_rules(root_settings.select, root_settings.extend_select, root_settings.ignore)
        if output_format == "sarif" else ()
    )
    summary = RunSummary(
        files_checked=result.files_checked,
        fixed=result.fixed,
        unsafe_fixes_hidden=result.unsafe_fixes_hidden,
        fix_mode=fix,
        unsafe_fixes=root_settings.unsafe_fixes,
        errors=len(result.errors),
    )
    stdin_fix = fix and not diff and list(paths) == ["-"]
    color = False
    if diff:
        out_text = "".join(result.diffs)
    else:
        # The report goes to stderr when stdout carries the fixed source (fixing stdin).
        stream = sys.stderr if stdin_fix else sys.stdout
        to_stream = output_file is None
        color = to_stream and _use_color(stream) and output_format in ("full", "concise")
        width = _terminal_width(stream) if to_stream and output_format == "full" else None
        out_text = render(
            result.findings, fmt=output_format, rules=rules, sources=result.sources,
            summary=summary, root=Path.cwd(), color=color,
            show_fixes=show_fixes, statistics=statistics,
            cost_basis_calls=root_settings.cost_basis_calls, quiet=quiet, width=width,
        )
        if output_format in ("full", "concise") and not quiet and result.sites:
            out_text += _traffic_text(result.sites, resolver)
    if output_file:
        try:
            Path(output_file).write_text(out_text, encoding="utf-8")
        except OSError as e:
            _error(f"cannot write {output_file}: {e.strerror or e}")
            sys.exit(EXIT_ERROR)
    elif stdin_fix:
        # Like ruff: the fixed source goes to stdout, the report to stderr.
        sys.stdout.flush()
        sys.stdout.buffer.write(
            result.stdin_fixed if result.stdin_fixed is not None else result.stdin_raw
        )
        sys.stdout.buffer.flush()
        if out_text:
            click.echo(out_text, nl=not out_text.endswith("\n"), err=True, color=color)
    elif out_text:
        # click strips ANSI codes outside terminals unless told: FORCE_COLOR must reach pipes.
        click.echo(out_text, nl=not out_text.endswith("\n"), color=color)
    _token_notes(result, quiet)
    for row in result.sites:
        if row.weight_problem:
            _warn(row.weight_problem)
    for msg in result.errors:
        _error(msg)
    if result.errors:
        sys.exit(EXIT_ERROR)
    if exit_zero:
        sys.exit(EXIT_OK)
    if diff:
        sys.exit(EXIT_FINDINGS if result.diffs else EXIT_OK)
    failing = [f for f in result.findings if fail_on == "warning" or f.level == "error"]
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


# ----------------------------------------------------------------------------------- server


@main.command("server")
def server_cmd() -> None:
    """Run the language server (LSP over stdio) for editors.

    Settings come from the same config files as `claudelint check`. Needs pygls:
    `pip install 'claude-api-lint[server]'`.
    """
    try:
        import pygls  # noqa: F401
    except ImportError:
        _error("`claudelint server` needs pygls, which is not installed: "
               "pip install 'claude-api-lint[server]'")
        sys.exit(EXIT_ERROR)
    _check_today()
    from claudelint.server.lsp import serve

    serve()


if __name__ == "__main__":  # pragma: no cover
    main()
