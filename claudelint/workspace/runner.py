"""One run over many paths: discover, prefilter, lint, fix, collect.

libcst is imported (through the engine) only once a file survives the bytes prefilter, so a
run over a tree with no Claude calls never pays for it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from claudelint.finding import Finding, parse_error
from claudelint.settings import Settings
from claudelint.workspace.config import ConfigResolver
from claudelint.workspace.discovery import (
    Importers,
    ImportSummary,
    constructs_one_of,
    discover,
    import_summary,
    may_hold_call_site,
    sending_classes,
)
from claudelint.workspace.source import (
    SourceError,
    SourceFile,
    decode_source,
    encode_source,
    read_file_bytes,
)

if TYPE_CHECKING:
    import libcst as cst

    from claudelint.lint.engine import Linter
    from claudelint.workspace.notebook import Notebook
    from claudelint.workspace.outside import Reader
    from claudelint.workspace.siterows import SiteRow
    from claudelint.workspace.token_counter import CountStats


@dataclass(frozen=True)
class RunOptions:
    fix: bool = False
    diff: bool = False
    stdin_filename: str | None = None
    force_exclude: bool = False
    use_cache: bool = True
    add_noqa: bool = False
    ignore_noqa: bool = False
    # Count tokens with the count_tokens endpoint (cached under this folder's
    # .claudelint_cache/tokens); None: estimates from characters.
    exact_tokens: Path | None = None
    # Worker processes; None: one per CPU. Files are linted in parallel only when enough of
    # them survive the prefilter to repay starting the workers.
    jobs: int | None = None

    @property
    def builds_sites(self) -> bool:
        """Whether the call-site rows (`claudelint sites`, the traffic line of `check`'s
        summary) are built: whenever files are linted without fixing, so that the results
        cache holds them for both commands."""
        return not (self.fix or self.diff or self.add_noqa)


# Fewer candidate files than this are linted in the main process.
PARALLEL_THRESHOLD = 12


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    diffs: list[str] = field(default_factory=list)
    # Files rewritten by --fix: display path -> new text (for source frames).
    fixed_texts: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    files_checked: int = 0
    fixed: int = 0
    unsafe_fixes_hidden: int = 0
    # Files whose findings came from the results cache.
    cache_hits: int = 0
    # Codes written by --add-noqa.
    noqa_added: int = 0
    # Bytes read from stdin, and their fixed version (printed when fixing stdin).
    stdin_raw: bytes = b""
    stdin_fixed: bytes | None = None
    # Other files the analysis read (project modules, prompt files): path -> digest, stored
    # with the file's cache entry (for one file's outcome).
    deps: dict[str, str] = field(default_factory=dict)
    # Warnings for the user (printed once each): --exact-tokens falling back to estimates.
    warnings: list[str] = field(default_factory=list)
    # --exact-tokens: counts answered from the cache, requests sent, requests failed.
    token_stats: CountStats | None = None
    # One row per call site (workspace/sites.py), built from the same analysis and findings.
    sites: list[SiteRow] = field(default_factory=list)

    def merge(self, other: RunResult) -> None:
        self.findings.extend(other.findings)
        self.sites.extend(other.sites)
        self.sources.update(other.sources)
        self.diffs.extend(other.diffs)
        self.fixed_texts.update(other.fixed_texts)
        self.errors.extend(other.errors)
        self.fixed += other.fixed
        self.unsafe_fixes_hidden += other.unsafe_fixes_hidden
        self.noqa_added += other.noqa_added
        self.warnings.extend(w for w in other.warnings if w not in self.warnings)
        if other.token_stats is not None:
            if self.token_stats is None:
                from claudelint.workspace.token_counter import CountStats

                self.token_stats = CountStats()
            self.token_stats.merge(other.token_stats)


class _Linters:
    """One Linter per distinct settings object (closest config wins per folder)."""

    def __init__(self) -> None:
        self._by_key: dict[object, Linter] = {}

    def get(self, settings: Settings, exact_tokens: Path | None = None) -> Linter:
        key = (repr(settings), exact_tokens)
        hit = self._by_key.get(key)
        if hit is None:
            from claudelint.lint.engine import Linter

            counter = None
            if exact_tokens is not None:
                from claudelint.workspace.token_counter import shared_counter

                counter = shared_counter(exact_tokens)
            hit = self._by_key[key] = Linter(settings, token_counter=counter)
        return hit


_WORKER_LINTERS = _Linters()


@dataclass(frozen=True)
class _Job:
    path: Path
    display: str
    raw: bytes
    settings: Settings


def _display(path: Path, cwd: Path) -> str:
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)



def run(paths: list[str], resolver: ConfigResolver, options: RunOptions) -> RunResult:
    result = RunResult()
    linters = _Linters()
    cwd = Path.cwd()
    from claudelint.analysis.project import reset as reset_project

    reset_project()  # modules and prompt files are read afresh by each run
    if paths == ["-"]:
        name = options.stdin_filename or "-"
        raw = sys.stdin.buffer.read()
        result.stdin_raw = raw
        settings = resolver.settings_for(Path(name).resolve() if name != "-" else cwd / "-")
        _lint_one(Path(name), name, raw, settings, linters, options, result, stdin=True)
        return result
    found = discover([Path(p) for p in paths], resolver, force_exclude=options.force_exclude)
    for bad_path, reason in found.errors:
        result.errors.append(f"{bad_path}: {reason}")
    cache = None
    if options.use_cache and not (
        options.fix or options.diff or options.add_noqa or options.ignore_noqa
    ):
        from claudelint.workspace.cache import ResultsCache

        cache = ResultsCache(cwd)
    # Files known from an earlier run to hold no call site are not read again.
    index = cache.prefilter_index() if cache is not None else None
    jobs: list[_Job] = []
    # Files without a call site that import something, for a second look below, and the
    # classes the files with one define: a file that constructs one of those may fix the model
    # its requests send (analysis/constructors.py). Until a file with a call site is seen
    # (there may be none: then there is no second look) a skipped file's imports are not read,
    # unless the index is to remember them.
    skipped: list[tuple[Path, str, ImportSummary | None]] = []
    classes: set[bytes] = set()
    for path in found.files:
        display = _display(path, cwd)
        stat_key = index.stat_key(path) if index is not None else None
        if stat_key is not None and index is not None:
            known = index.known(path, stat_key)
            if known is not None:
                result.files_checked += 1
                if known.summary is not None:
                    skipped.append((path, display, known.summary))
                continue
        try:
            raw = read_file_bytes(path)  # not path.read_bytes(): a FIFO blocks forever
        except OSError as e:
            # Reported twice on purpose: as CL000 with the findings (SPEC §9), and as an
            # error that makes the exit code 2 (SPEC §5).
            reason = f"cannot read: {e.strerror or e}"
            result.errors.append(f"{display}: {reason}")
            result.findings.append(parse_error(display, reason))
            continue
        result.files_checked += 1
        if not may_hold_call_site(raw):
            summary = None
            if path.suffix != ".py" or b"import" not in raw:
                pass
            elif not jobs and index is None:
                skipped.append((path, display, None))
            elif (summary := import_summary(raw)) is not None:
                skipped.append((path, display, summary))
            if stat_key is not None and index is not None:
                index.remember(path, stat_key, summary)
            continue
        if index is not None:
            index.forget(path)
        classes |= sending_classes(raw)
        settings = resolver.settings_for(path if path.is_absolute() else cwd / path)
        jobs.append(_Job(path, display, raw, settings))
    if index is not None:
        index.save()
    if skipped:
        walked = [Path(p).absolute() for p in paths if Path(p).is_dir()]
        _second_look(skipped, jobs, classes, resolver, cwd, found.files, walked)

    key_of: dict[int, str] = {}
    if cache is not None and jobs:
        from claudelint.workspace.cache import settings_key

        digests: dict[str, str] = {}
        keys: dict[int, str] = {}
        misses: list[_Job] = []
        for i, job in enumerate(jobs):
            shown = repr(job.settings)
            sk = digests.get(shown)
            if sk is None:  # computed once per distinct settings, not once per file
                sk = digests[shown] = settings_key(job.settings)
            if options.exact_tokens is not None:
                sk += "-exact"  # findings sized with exact counts
            keys[i] = key = cache.key(job.raw, job.display, sk)
            entry = cache.get_entry(key)
            if entry is None:
                misses.append(job)
            else:
                cached, rows = entry
                result.cache_hits += 1
                result.findings.extend(cached)
                if rows:
                    from claudelint.workspace.siterows import SiteRow

                    result.sites.extend(SiteRow.from_cache(r) for r in rows)
                if cached and job.path.suffix != ".ipynb":
                    result.sources[job.display] = job.raw.decode("utf-8", "replace")
                result.unsafe_fixes_hidden += _unsafe_hidden(cached, job.settings)
        key_of = {id(jobs[i]): k for i, k in keys.items()}
        jobs = misses
    outcomes = _lint_many(jobs, options, linters)
    for job, outcome in zip(jobs, outcomes, strict=True):
        result.merge(outcome)
        if cache is not None and key_of and not outcome.errors and not outcome.warnings:
            cache.put(key_of[id(job)], outcome.findings, outcome.deps,
                      [r.to_cache() for r in outcome.sites])
    result.findings.sort(key=lambda f: (f.path, f.cell or 0, f.line, f.column, f.code))
    return result


def _second_look(skipped: list[tuple[Path, str, ImportSummary | None]], jobs: list[_Job],
                 classes: set[bytes], resolver: ConfigResolver, cwd: Path,
                 run_files: list[Path], walked: list[Path]) -> None:
    """Add to `jobs` the files without a call site of their own that call, in a loop, a
    function of a module that makes one (analysis/imported.py), or construct a class whose
    requests send what its constructor stored (analysis/constructors.py). A file is read again
    only when its imports were not summarised in the first look or when they name one of
    those classes: keeping every file's bytes would cost memory. The modules imported that
    are not files of the run are looked at as if they were (workspace/outside.py)."""
    from claudelint.workspace.outside import OutsideModules

    importers = Importers([(j.path, j.raw) for j in jobs])
    constructs = constructs_one_of(classes)
    outside = OutsideModules(run_files, walked)
    for path, display, summary in skipped:
        raw: bytes | None = None
        reader_of = partial(_reader, resolver, path)
        look_outside = not outside.covered(path, reader_of)
        if summary is None:
            if not (look_outside or importers.by_stem or classes):
                continue  # nothing it may import can make it a candidate
            try:
                raw = read_file_bytes(path)
            except OSError:
                continue
            summary = import_summary(raw)
            if summary is None:
                continue
        keep = importers.imports_one(path, summary)
        if not keep and summary.may_import_one_of(classes):
            try:
                raw = raw if raw is not None else read_file_bytes(path)
            except OSError:
                continue
            keep = constructs(raw)
        if not keep and look_outside:
            keep = outside.admits(path.absolute(), summary, raw, reader_of)
        if keep:
            try:
                raw = raw if raw is not None else read_file_bytes(path)
            except OSError:
                continue
            settings = resolver.settings_for(path if path.is_absolute() else cwd / path)
            jobs.append(_Job(path, display, raw, settings))


def _reader(resolver: ConfigResolver, path: Path) -> Reader:
    from claudelint.analysis.project import import_roots
    from claudelint.workspace.outside import Reader

    return Reader(import_roots(resolver.settings_for(path.absolute())))


def _admitted_alone(path: Path, raw: bytes, settings: Settings) -> bool:
    if not path.name or path.name == "-":
        return False
    from claudelint.analysis.project import import_roots
    from claudelint.workspace.outside import admits_alone

    return admits_alone(path.absolute(), raw, import_roots(settings))


def _lint_job(job: _Job, options: RunOptions) -> RunResult:
    out = RunResult()
    _lint_one(job.path, job.display, job.raw, job.settings, _WORKER_LINTERS, options, out)
    return out


# The garbage collector's young-generation threshold while linting. libcst's parser allocates
# some 4,000 objects per KB of code, none in cycles; at CPython's default (700) the collector
# runs about ten times per file and took a sixth of a serial run on the bench tree. At 20,000
# it takes half as long, with the same peak memory (larger thresholds were slower again).
GC_YOUNG_THRESHOLD = 20_000


@contextlib.contextmanager
def _collector_tuned() -> Iterator[None]:
    old = gc.get_threshold()
    _tune_collector()
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _tune_collector() -> None:
    """Also each pool worker's initializer (a spawned worker does not inherit the setting)."""
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def _lint_many(jobs: list[_Job], options: RunOptions, linters: _Linters) -> list[RunResult]:
    with _collector_tuned():
        return _lint_all(jobs, options, linters)


def _lint_all(jobs: list[_Job], options: RunOptions, linters: _Linters) -> list[RunResult]:
    workers = options.jobs if options.jobs is not None else (os.cpu_count() or 1)
    workers = min(workers, len(jobs))
    if workers <= 1 or len(jobs) < PARALLEL_THRESHOLD:
        outs = []
        for job in jobs:
            out = RunResult()
            _lint_one(job.path, job.display, job.raw, job.settings, linters, options, out)
            outs.append(out)
        return outs
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Largest files first, one at a time: a file costs tens of milliseconds, far more than
    # handing it over, and no worker is left with a big file at the end while the other idles.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].raw))
    placed: list[RunResult | None] = [None] * len(jobs)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                             initializer=_tune_collector) as pool:
        done = pool.map(_lint_job, [jobs[i] for i in order], [options] * len(jobs))
        for i, out in zip(order, done, strict=True):
            placed[i] = out
    return [o for o in placed if o is not None]


def _unsafe_hidden(findings: list[Finding], settings: Settings) -> int:
    if settings.unsafe_fixes:
        return 0
    return sum(1 for f in findings if f.fix is not None and f.fix.applicability == "unsafe")


# The linters of `lint_buffer` (a language server's), kept for the process.
_BUFFER_LINTERS = _Linters()


def lint_buffer(path: Path, text: str, settings: Settings,
                pieces: dict[str, cst.Module] | None = None) -> RunResult:
    """Lint the text of an editor buffer for the file `path` (absolute; it may differ from
    the file on disk), the way `check --stdin-filename PATH` lints standard input, without
    the results cache. Unlike `run`, what was read of the project (its modules, prompt files)
    is kept between calls: a module read before is read again only when it changed on disk
    or through `analysis.project.set_overlay`. `deps` of the result lists the other files the
    analysis read. `pieces` (kept by the caller for this buffer, empty at first): the
    buffer's top-level statements as last parsed; only the statements an edit changed are
    parsed again (`syntax.parsing.parse_both`)."""
    src = SourceFile(path=path, raw=b"", text=text, encoding="utf-8", bom=False,
                     newline="\n", mode=None, digest="")
    result = RunResult()
    display = str(path)
    # A text that does not parse leaves the linter's deps as they were: not this buffer's.
    _BUFFER_LINTERS.get(settings).last_deps = {}
    _lint_one(path, display, text.encode("utf-8", "surrogatepass"), settings, _BUFFER_LINTERS,
              RunOptions(use_cache=False), result, stdin=True, src=src, pieces=pieces)
    return result


def fix_buffer(path: Path, text: str, settings: Settings,
               findings: list[Finding]) -> tuple[str, int]:
    """The text of an editor buffer with its fixes applied (`findings`: `lint_buffer`'s),
    as `check --fix` applies them (unsafe ones with `unsafe-fixes` only), and how many were
    applied. Writes nothing."""
    from claudelint.workspace.fixer import fix_text, parse_check

    linter = _BUFFER_LINTERS.get(settings)
    display = str(path)
    fixed = fix_text(text, findings, unsafe=settings.unsafe_fixes,
                     relint=lambda t: linter.lint_text(t, display), parses=parse_check(text))
    return fixed.text, fixed.applied


def _lint_one(path: Path, display: str, raw: bytes, settings: Settings, linters: _Linters,
              options: RunOptions, result: RunResult, stdin: bool = False,
              src: SourceFile | None = None,
              pieces: dict[str, cst.Module] | None = None) -> None:
    """`src`: the text already decoded, `pieces`: its statements parsed before (an editor
    buffer, `lint_buffer`)."""
    if src is None:
        try:
            src = decode_source(raw, path)
        except SourceError as e:
            result.findings.append(parse_error(display, e.reason, e.line, e.column))
            return
    if stdin:
        result.files_checked += 1
        if not may_hold_call_site(raw) and not _admitted_alone(path, raw, settings):
            return
    notebook: Notebook | None = None
    text = src.text
    if path.suffix == ".ipynb":
        from claudelint.workspace.notebook import NotebookError, read_notebook

        try:
            notebook = read_notebook(src.text)
        except NotebookError as e:
            result.findings.append(parse_error(display, e.reason))
            return
        text = notebook.text
    linter = linters.get(settings, options.exact_tokens)
    try:
        findings = linter.lint_text(text, display, apply_suppressions=not options.ignore_noqa,
                                    pieces=pieces if notebook is None else None)
        broken: list[Finding] = []
        while notebook is not None and findings and findings[0].code == "CL000":
            # A cell that does not parse: report it, leave it out, lint the other cells.
            first = findings[0]
            m = re.search(r"\bon line (\d+)", first.message)
            culprit = int(m.group(1)) if m else first.line
            cell = notebook.mask_cell_at(culprit)
            if cell is None:
                break
            # Line numbers in the parser's message count in the joined cells: drop or
            # translate them (the finding itself is mapped to its cell later).
            message = re.sub(r"\s*\(detected at line \d+\)", "", first.message)
            message = re.sub(r"\bon line \d+",
                             f"on line {notebook.locate(culprit)[1]}", message)
            if culprit != first.line:
                first = replace(first, line=culprit, end_line=culprit, column=1, end_column=1)
            broken.append(replace(first, message=message))
            text = notebook.text
            findings = linter.lint_text(text, display,
                                        apply_suppressions=not options.ignore_noqa)
        findings = broken + findings
        result.deps.update(linter.last_deps)
        result.warnings.extend(w for w in linter.last_warnings if w not in result.warnings)
        if options.add_noqa:
            _add_noqa(src, text, notebook, display, findings, result)
            return
        if (options.fix or options.diff) and any(f.fix for f in findings):
            # The cells that do not parse stay CL000 after fixing the others.
            findings = broken + _fix(src, text, notebook, display, findings[len(broken):],
                                     settings, linter, options, result, stdin)
    except RecursionError:
        result.findings.append(parse_error(display, "the file is nested too deeply to analyse"))
        return
    except Exception as e:  # an internal error must not stop the run
        result.errors.append(
            f"{display}: internal error: {type(e).__name__}: {e} "
            "(please report this with the file that caused it)"
        )
        return
    finally:
        _collect_token_notes(linter, result)
    result.unsafe_fixes_hidden += _unsafe_hidden(findings, settings)
    analysis, linter.last_analysis = linter.last_analysis, None  # keep no tree alive
    if analysis is not None and options.builds_sites:
        from claudelint.workspace.siterows import site_rows

        # A file too deep to describe: check reports it; the inventory goes without its rows.
        with contextlib.suppress(RecursionError):
            result.sites.extend(site_rows(
                analysis, findings, linter.knowledge, settings, display,
                cell_of=notebook.locate if notebook is not None else None))
    if notebook is not None:
        findings = [notebook.map_finding(f) for f in findings]
    elif findings:
        result.sources[display] = result.fixed_texts.get(display, src.text)
    result.findings.extend(findings)


def _collect_token_notes(linter: Linter, result: RunResult) -> None:
    counter = linter.token_counter
    if counter is None:
        return
    from claudelint.workspace.token_counter import CountStats, TokenCounter

    if isinstance(counter, TokenCounter):
        result.warnings.extend(w for w in counter.take_warnings() if w not in result.warnings)
        if result.token_stats is None:
            result.token_stats = CountStats()
        result.token_stats.merge(counter.take_stats())


def _add_noqa(src: SourceFile, text: str, notebook: Notebook | None, display: str,
              findings: list[Finding], result: RunResult) -> None:
    from claudelint.workspace.add_noqa import add_noqa
    from claudelint.workspace.fixer import ConcurrentModification, FixWriteError, write_atomic

    new_text, added = add_noqa(text, findings)
    if not added:
        return
    if notebook is not None:
        from claudelint.workspace.notebook import NotebookError

        try:
            new_text = notebook.with_text(new_text)
        except NotebookError as e:
            result.errors.append(f"{display}: noqa comments not written: {e.reason}")
            return
    try:
        write_atomic(src, new_text)
    except (ConcurrentModification, FixWriteError, OSError) as e:
        result.errors.append(f"{display}: noqa comments not written: {e}")
        return
    result.noqa_added += added


def _fix(src: SourceFile, text: str, notebook: Notebook | None, display: str,
         findings: list[Finding], settings: Settings, linter: Linter, options: RunOptions,
         result: RunResult, stdin: bool) -> list[Finding]:
    """Apply fixes to `text` (the file's text, or a notebook's code cells); write the file
    (or print the diff). Returns the findings that remain."""
    from claudelint.workspace.fixer import (
        ConcurrentModification,
        FixWriteError,
        fix_text,
        parse_check,
        unified_diff,
        write_atomic,
    )

    fixed = fix_text(
        text, findings, unsafe=settings.unsafe_fixes,
        relint=lambda t: linter.lint_text(t, display), parses=parse_check(text),
    )
    if fixed.text == text:
        return findings
    new_file_text = fixed.text
    if notebook is not None:
        from claudelint.workspace.notebook import NotebookError

        try:
            new_file_text = notebook.with_text(fixed.text)
        except NotebookError as e:
            result.errors.append(f"{display}: fix not written: {e.reason}")
            return findings
    if options.diff:
        result.diffs.append(unified_diff(display, src.text, new_file_text))
        return findings
    if stdin:
        try:
            result.stdin_fixed = encode_source(src, new_file_text)
        except UnicodeEncodeError:
            result.errors.append(f"{display}: fix not applied: not representable in "
                                 f"{src.encoding}")
            return findings
        result.fixed += fixed.applied
        return list(fixed.remaining)
    try:
        write_atomic(src, new_file_text)
    except ConcurrentModification:
        result.errors.append(f"{display}: changed by another process during --fix; not written")
        return findings
    except (FixWriteError, OSError) as e:
        result.errors.append(f"{display}: fix not written: {e}")
        return findings
    result.fixed += fixed.applied
    result.fixed_texts[display] = new_file_text
    return list(fixed.remaining)
