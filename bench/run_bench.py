"""Benchmark claudelint against ruff and Fixit on two corpora (issue 6).

    python bench/run_bench.py                 # full run: 5 repetitions, Fixit 3
    python bench/run_bench.py --fixit-reps 1  # Fixit once per corpus (it takes minutes)
    python bench/run_bench.py --quick         # smoke run: 1 repetition, no Fixit, 400-file tree
    python bench/run_bench.py --json out.json # also write every sample as JSON
    python bench/run_bench.py --profile       # then cProfile one Claude-heavy claudelint run

Run it with the Python whose environment holds the claudelint to measure (`python -m
claudelint.cli` of that interpreter is what is timed). ruff and Fixit are installed, pinned, into
their own venv (bench/.venv); the corpora are built into bench/.cache (see make_corpus.py).
Every command runs in a child process whose wall time, CPU time and peak RSS come from
`os.wait4` (so POSIX only). ru_maxrss of a process tree is the peak of its largest single
process, which is what the memory target speaks of. Commands are interleaved: each repetition
runs every command once, in an order rotated from one repetition to the next.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus

BENCH_DIR = Path(__file__).resolve().parent
RUFF_VERSION = "0.17.6"
FIXIT_VERSION = "2.2.1"
FIXIT_RULE = "fixit.rules:NoRedundantFString"

# The targets of issue 6.
TARGET_NO_CLAUDE_VS_RUFF_E501 = 1.5
TARGET_FIXIT_OVER_CLAUDELINT = 20.0
TARGET_HEAVY_VS_RUFF_DEFAULT = 5.0
TARGET_PEAK_RSS_MB = 200.0
TARGET_WARM_VS_NO_CLAUDE = 1.2
TARGET_PRE_COMMIT_S = 0.5

NO_CLAUDE = "no-Claude"
HEAVY = "Claude-heavy"

CLAUDELINT_COLD = "claudelint --no-cache"
CLAUDELINT_WARM = "claudelint warm (cache)"
RUFF_E501 = "ruff --select E501"
RUFF_DEFAULT = "ruff (default rules)"
FIXIT = "fixit NoRedundantFString"
PRE_COMMIT = "claudelint, 2 files"
PARSE_FLOOR = "libcst parse only (floor)"


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system of the whole process tree
    peak_rss_mb: float  # of the largest single process in the tree
    returncode: int


@dataclass
class Command:
    corpus: str
    name: str
    argv: list[str]
    cwd: Path
    ok_returncodes: tuple[int, ...]
    max_reps: int | None = None  # None: every repetition
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    last_stdout: str = ""

    def median(self) -> float | None:
        return statistics.median(s.wall for s in self.samples) if self.samples else None

    def peak_rss(self) -> float | None:
        return max(s.peak_rss_mb for s in self.samples) if self.samples else None


# The measuring happens in a small helper process, not here: on Linux a child's ru_maxrss starts
# at the RSS of the process it was forked from (the high-water mark survives exec), so children
# of this process, which holds corpora in memory, would all report at least its size. The
# helper (python -S, a few MB) spawns the command, waits for it with os.wait4 and writes what it
# measured to a file; its own start-up is outside the timed span.
_HELPER = """
import json, os, sys, time
out, cwd, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
os.chdir(cwd)
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as fh:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
               "maxrss": usage.ru_maxrss, "status": os.waitstatus_to_exitcode(status)}, fh)
"""


def _rss_mb(maxrss: int) -> float:
    # Linux reports KiB, macOS bytes.
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def measure(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[Sample, str, str]:
    """Run argv once; its wall time, CPU time and peak RSS, and its output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "measured.json"
        helper = subprocess.run(
            [sys.executable, "-S", "-c", _HELPER, str(result), str(cwd), *argv],
            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err, check=False,
        )
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if helper.returncode != 0 or not result.is_file():
            raise SystemExit(f"could not run {' '.join(argv)} (in {cwd}):\n{stderr[-2000:]}")
        data = json.loads(result.read_text(encoding="utf-8"))
    sample = Sample(wall=data["wall"], cpu=data["cpu"], peak_rss_mb=_rss_mb(data["maxrss"]),
                    returncode=data["status"])
    return sample, stdout, stderr


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("FORCE_COLOR", None)
    env["NO_COLOR"] = "1"
    return env


# --------------------------------------------------------------------------- setting up


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _venv_tool(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def ensure_tools_venv(venv: Path, log: Callable[[str], None]) -> Path:
    """bench/.venv with the pinned ruff and Fixit (created with this Python once)."""
    stamp = venv / ".bench-tools"
    want = f"ruff=={RUFF_VERSION} fixit=={FIXIT_VERSION}"
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == want:
        return venv
    if not _venv_python(venv).is_file():
        log(f"creating {venv} ...")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    log(f"installing {want} into {venv} ...")
    subprocess.run(
        [str(_venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         f"ruff=={RUFF_VERSION}", f"fixit=={FIXIT_VERSION}"],
        check=True,
    )
    stamp.write_text(want + "\n", encoding="utf-8")
    return venv


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"? ({e})"
    return (done.stdout.strip() or done.stderr.strip()).splitlines()[0] if (
        done.stdout.strip() or done.stderr.strip()) else "?"


@dataclass
class CorpusInfo:
    name: str
    path: str
    description: str
    py_files: int
    megabytes: float
    prefilter_passes: int | None
    call_site_files: int | None
    pre_commit_files: list[str]


def _python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if ".claudelint_cache" not in p.parts)


def _prefilter_count(files: list[Path]) -> int | None:
    try:
        from claudelint.workspace.discovery import may_hold_call_site
    except ImportError:
        return None
    return sum(1 for p in files if may_hold_call_site(p.read_bytes()))


def describe_corpus(name: str, root: Path, description: str,
                    pre_commit: list[str], call_sites: int | None) -> CorpusInfo:
    files = _python_files(root)
    return CorpusInfo(
        name=name, path=str(root), description=description, py_files=len(files),
        megabytes=round(sum(p.stat().st_size for p in files) / 1e6, 1),
        prefilter_passes=_prefilter_count(files), call_site_files=call_sites,
        pre_commit_files=pre_commit,
    )


def _real_pre_commit_files(root: Path) -> list[str]:
    wanted = ["sympy/core/basic.py", "sympy/core/expr.py"]
    if all((root / w).is_file() for w in wanted):
        return wanted
    return [p.relative_to(root).as_posix() for p in _python_files(root)[:2]]


def _heavy_pre_commit_files(root: Path) -> tuple[list[str], int]:
    manifest = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    calls = sorted(p for p, f in manifest["files"].items() if f["kind"] == "call")
    return calls[:2], len(calls)


_SOURCE_PROBE = (
    "import os, claudelint, claudelint.rules as r; "
    "print(os.path.dirname(claudelint.__file__)); print(os.path.dirname(r.__file__))"
)


def claudelint_folders(cwd: Path) -> list[str]:
    """Where the measured claudelint's package and its rules live, as the commands (run in
    `cwd`) import them."""
    probe = subprocess.run([sys.executable, "-c", _SOURCE_PROBE], capture_output=True,
                           text=True, check=False, env=_child_env(), cwd=cwd)
    return sorted(set(probe.stdout.split()))


def claudelint_source_digest(cwd: Path) -> str:
    """Names, sizes and mtimes of the measured claudelint's code and data. Its results cache
    is keyed by the same, so an edit during the run (a shared work tree) turns warm runs cold
    and may break runs: the benchmark says so instead of printing wrong figures. `cwd` is
    where the measured commands run (the current folder comes first on sys.path)."""
    h = hashlib.sha256()
    for folder in claudelint_folders(cwd):
        for p in sorted(Path(folder).rglob("*")):
            if p.suffix in (".py", ".toml"):
                try:
                    st = p.stat()
                except OSError:
                    continue
                h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]


def compile_claudelint(cwd: Path) -> None:
    """Byte-compile the measured claudelint, as `pip install` does for a user's copy. An
    editable install run with PYTHONDONTWRITEBYTECODE set (as on some CI images) would
    otherwise compile every module of its own on each start, a cost users do not pay."""
    for folder in claudelint_folders(cwd):
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder],
                       stdout=subprocess.DEVNULL, check=False)


# --------------------------------------------------------------------------- the plan


def claudelint_argv(*extra: str) -> list[str]:
    return [sys.executable, "-m", "claudelint.cli", "check", "--isolated", "--exit-zero",
            "--output-format", "concise", *extra]


def build_commands(corpora: dict[str, tuple[Path, list[str]]], venv: Path,
                   fixit_reps: int) -> list[Command]:
    ruff = str(_venv_tool(venv, "ruff"))
    fixit = str(_venv_tool(venv, "fixit"))
    commands: list[Command] = []
    for corpus, (root, pre_commit) in corpora.items():
        commands += [
            Command(corpus, CLAUDELINT_COLD, claudelint_argv("--no-cache", "."), root, (0,)),
            Command(corpus, CLAUDELINT_WARM, claudelint_argv("."), root, (0,)),
            Command(corpus, RUFF_E501,
                    [ruff, "check", "--select", "E501", "--no-cache", "--isolated", "."],
                    root, (0, 1)),
            Command(corpus, RUFF_DEFAULT, [ruff, "check", "--no-cache", "--isolated", "."],
                    root, (0, 1)),
            Command(corpus, PRE_COMMIT,
                    claudelint_argv("--no-cache", "--force-exclude", *pre_commit), root, (0,)),
        ]
        if corpus == HEAVY:
            commands.append(Command(corpus, PARSE_FLOOR,
                                    [sys.executable, str(BENCH_DIR / "parse_floor.py")],
                                    root, (0,)))
        if fixit_reps > 0:
            # Fixit's exit status is a bit set: 1 findings, 2 files it could not process.
            commands.append(Command(corpus, FIXIT, [fixit, "--rules", FIXIT_RULE, "lint", "."],
                                    root, (0, 1, 2, 3), max_reps=fixit_reps))
    return commands


def run_plan(commands: list[Command], reps: int, log: Callable[[str], None]) -> list[int]:
    """Run the plan; the repetitions after which claudelint's source had changed."""
    env = _child_env()
    where = commands[0].cwd
    compile_claudelint(where)
    digest = claudelint_source_digest(where)
    changed: list[int] = []
    # Untimed: check that every fast command works, warm the page cache, and fill the results
    # cache that the warm runs read (from an empty one).
    for cmd in commands:
        if cmd.name == CLAUDELINT_WARM:
            shutil.rmtree(cmd.cwd / ".claudelint_cache", ignore_errors=True)
        if cmd.name == FIXIT:
            continue
        sample, stdout, stderr = measure(cmd.argv, cmd.cwd, env)
        if sample.returncode not in cmd.ok_returncodes:
            raise SystemExit(
                f"{cmd.corpus} / {cmd.name} failed (exit {sample.returncode}):\n"
                f"  {' '.join(cmd.argv)}\n{stderr[-3000:]}"
            )
    for rep in range(reps):
        todo = [c for c in commands if c.max_reps is None or rep < c.max_reps]
        shift = rep % len(todo)
        todo = todo[shift:] + todo[:shift]
        log(f"repetition {rep + 1}/{reps}: {len(todo)} commands")
        for cmd in todo:
            sample, stdout, stderr = measure(cmd.argv, cmd.cwd, env)
            if sample.returncode not in cmd.ok_returncodes:
                cmd.failures.append(f"exit {sample.returncode}: {stderr[-500:]}")
                log(f"  ! {cmd.corpus} / {cmd.name}: exit {sample.returncode}")
                continue
            cmd.samples.append(sample)
            cmd.last_stdout = stdout
            if cmd.name == FIXIT:
                log(f"  {cmd.corpus} / {cmd.name}: {sample.wall:.1f} s")
        now = claudelint_source_digest(where)
        if now != digest:
            changed.append(rep + 1)
            log(f"  ! claudelint's source changed during repetition {rep + 1}")
            digest = now
    return changed


# --------------------------------------------------------------------------- reporting


@dataclass
class Target:
    name: str
    measured: float | None
    goal: str
    met: bool | None
    unit: str = "x"

    def shown(self) -> str:
        if self.measured is None:
            return "n/a"
        return f"{self.measured:.2f} {self.unit}" if self.unit != "x" else f"{self.measured:.2f}x"


def _find(commands: list[Command], corpus: str, name: str) -> Command | None:
    for c in commands:
        if c.corpus == corpus and c.name == name:
            return c
    return None


def _med(commands: list[Command], corpus: str, name: str) -> float | None:
    c = _find(commands, corpus, name)
    return c.median() if c is not None else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b is not None and b > 0 else None


def targets(commands: list[Command]) -> tuple[list[Target], list[Target]]:
    """The targets of issue 6, and other ratios worth seeing."""
    def le(name: str, value: float | None, goal: float, unit: str = "x") -> Target:
        shown_goal = f"<= {goal:g}{'x' if unit == 'x' else ' ' + unit}"
        return Target(name, value, shown_goal, None if value is None else value <= goal, unit)

    def ge(name: str, value: float | None, goal: float) -> Target:
        return Target(name, value, f">= {goal:g}x", None if value is None else value >= goal)

    cl_nc = _med(commands, NO_CLAUDE, CLAUDELINT_COLD)
    cl_h = _med(commands, HEAVY, CLAUDELINT_COLD)
    rss = [c.peak_rss() for c in commands
           if c.name in (CLAUDELINT_COLD, CLAUDELINT_WARM, PRE_COMMIT)]
    peak = max((r for r in rss if r is not None), default=None)
    pre = [v for v in (_med(commands, HEAVY, PRE_COMMIT), _med(commands, NO_CLAUDE, PRE_COMMIT))
           if v is not None]
    main = [
        le("no-Claude tree: claudelint / ruff E501",
           _ratio(cl_nc, _med(commands, NO_CLAUDE, RUFF_E501)), TARGET_NO_CLAUDE_VS_RUFF_E501),
        ge("Claude-heavy: fixit / claudelint",
           _ratio(_med(commands, HEAVY, FIXIT), cl_h), TARGET_FIXIT_OVER_CLAUDELINT),
        le("Claude-heavy: claudelint / ruff default",
           _ratio(cl_h, _med(commands, HEAVY, RUFF_DEFAULT)), TARGET_HEAVY_VS_RUFF_DEFAULT),
        le("peak RSS per process, any claudelint run", peak, TARGET_PEAK_RSS_MB, "MB"),
        le("warm re-run, Claude-heavy / no-Claude claudelint",
           _ratio(_med(commands, HEAVY, CLAUDELINT_WARM), cl_nc), TARGET_WARM_VS_NO_CLAUDE),
        le("pre-commit on 2 changed files (slower tree)", max(pre) if pre else None,
           TARGET_PRE_COMMIT_S, "s"),
    ]
    extra = [
        Target("no-Claude tree: claudelint / ruff default",
               _ratio(cl_nc, _med(commands, NO_CLAUDE, RUFF_DEFAULT)), "", None),
        Target("no-Claude tree: fixit / claudelint",
               _ratio(_med(commands, NO_CLAUDE, FIXIT), cl_nc), "", None),
        Target("Claude-heavy: claudelint / ruff E501",
               _ratio(cl_h, _med(commands, HEAVY, RUFF_E501)), "", None),
        Target("Claude-heavy: libcst parse only (floor) / ruff default",
               _ratio(_med(commands, HEAVY, PARSE_FLOOR), _med(commands, HEAVY, RUFF_DEFAULT)),
               "", None),
        Target("Claude-heavy: claudelint / libcst parse only (floor)",
               _ratio(cl_h, _med(commands, HEAVY, PARSE_FLOOR)), "", None),
        Target("Claude-heavy: cold / warm claudelint",
               _ratio(cl_h, _med(commands, HEAVY, CLAUDELINT_WARM)), "", None),
        Target("no-Claude tree: warm / cold claudelint",
               _ratio(_med(commands, NO_CLAUDE, CLAUDELINT_WARM), cl_nc), "", None),
    ]
    return main, extra


def _fmt(v: float | None, digits: int = 2) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def render_tables(commands: list[Command]) -> str:
    lines = [
        "| corpus | command | runs | median s | min s | max s | CPU s (median) | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in commands:
        walls = [s.wall for s in c.samples]
        cpu = statistics.median(s.cpu for s in c.samples) if c.samples else None
        lines.append(
            f"| {c.corpus} | {c.name} | {len(walls)} | {_fmt(c.median())} | "
            f"{_fmt(min(walls) if walls else None)} | {_fmt(max(walls) if walls else None)} | "
            f"{_fmt(cpu)} | {_fmt(c.peak_rss(), 0)} |"
        )
    main, extra = targets(commands)
    lines += ["", "| target (issue 6) | measured | goal | met |", "|---|---:|---:|---|"]
    for t in main:
        met = "n/a" if t.met is None else ("met" if t.met else "NOT MET")
        lines.append(f"| {t.name} | {t.shown()} | {t.goal} | {met} |")
    lines += ["", "| other ratios | measured |", "|---|---:|"]
    lines += [f"| {t.name} | {t.shown()} |" for t in extra]
    failed = [c for c in commands if c.failures]
    for c in failed:
        lines.append(f"\n! {c.corpus} / {c.name}: {len(c.failures)} failed run(s): "
                     f"{c.failures[0][:300]}")
    return "\n".join(lines)


def _count_findings(stdout: str) -> tuple[int, int]:
    """(findings, files with findings) in claudelint's concise output."""
    files: set[str] = set()
    n = 0
    for line in stdout.splitlines():
        head, sep, _rest = line.partition(": ")
        parts = head.rsplit(":", 2)
        if sep and len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            n += 1
            files.add(parts[0])
    return n, len(files)


def machine_info(venv: Path) -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "claudelint": _version([sys.executable, "-m", "claudelint.cli", "--version"]),
        "ruff": _version([str(_venv_tool(venv, "ruff")), "--version"]),
        "fixit": _version([str(_venv_tool(venv, "fixit")), "--version"]),
        "load_average_before": _load_average(),
    }


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# --------------------------------------------------------------------------- profiling


def profile_heavy(root: Path, out_dir: Path, top: int) -> str:
    """cProfile of one serial (--jobs 1) claudelint run on the Claude-heavy tree."""
    import io
    import pstats

    out_dir.mkdir(parents=True, exist_ok=True)
    prof = out_dir / "claude-heavy.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "claudelint.cli",
            *claudelint_argv("--no-cache", "--jobs", "1", ".")[3:]]
    start = time.perf_counter()
    subprocess.run(argv, cwd=root, env=_child_env(), stdout=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    buf = io.StringIO()
    stats = pstats.Stats(str(prof), stream=buf)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return f"cProfile, --jobs 1, {wall:.1f} s under the profiler; saved as {prof}\n" + (
        buf.getvalue())


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark claudelint against ruff and Fixit (issue 6).")
    parser.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--fixit-reps", type=int, default=3,
                        help="Fixit runs per corpus, in the first repetitions (default 3)")
    parser.add_argument("--skip-fixit", action="store_true", help="do not run Fixit")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 repetition, no Fixit, a 400-file Claude-heavy tree")
    parser.add_argument("--files", type=int, default=2000,
                        help="files in the Claude-heavy tree (default 2000)")
    parser.add_argument("--seed", type=int, default=6, help="seed of the Claude-heavy tree")
    parser.add_argument("--cache-dir", type=Path, default=make_corpus.DEFAULT_CACHE)
    parser.add_argument("--venv", type=Path, default=BENCH_DIR / ".venv",
                        help="venv for ruff and Fixit (default bench/.venv)")
    parser.add_argument("--json", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--profile", action="store_true",
                        help="after the benchmark, cProfile one Claude-heavy claudelint run")
    parser.add_argument("--profile-only", action="store_true",
                        help="only build the corpora and profile")
    parser.add_argument("--profile-top", type=int, default=30)
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.skip_fixit = 1, True
        if args.files == 2000:
            args.files = 400
    if not hasattr(os, "wait4"):
        parser.error("needs os.wait4 (Linux or macOS)")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    probe = subprocess.run([sys.executable, "-c", "import claudelint.cli"], check=False)
    if probe.returncode != 0:
        parser.error(f"claudelint is not importable by {sys.executable}; run this script with "
                     "the Python of the environment that has claudelint installed")

    venv = ensure_tools_venv(args.venv.resolve(), log)
    cache = args.cache_dir.resolve()
    real = make_corpus.fetch_real_tree(cache, python=str(_venv_python(venv)), log=log)
    heavy_dir = make_corpus.claude_tree_dir(cache, args.seed, args.files)
    if not (heavy_dir / "MANIFEST.json").is_file():
        log(f"generating the Claude-heavy tree ({args.files} files) ...")
    heavy = make_corpus.write_claude_tree(heavy_dir, seed=args.seed, n_files=args.files)
    heavy_pre, n_calls = _heavy_pre_commit_files(heavy)
    real_pre = _real_pre_commit_files(real)

    if args.profile_only:
        print(profile_heavy(heavy, BENCH_DIR / "results", args.profile_top))
        return 0

    infos = [
        describe_corpus(NO_CLAUDE, real, f"{make_corpus.REAL_TREE.name} "
                        f"{make_corpus.REAL_TREE.version} sdist (sha256 "
                        f"{make_corpus.REAL_TREE.sha256[:12]}...)", real_pre, 0),
        describe_corpus(HEAVY, heavy, f"generated, seed {args.seed}", heavy_pre, n_calls),
    ]
    fixit_reps = 0 if args.skip_fixit else max(0, min(args.fixit_reps, args.reps))
    commands = build_commands({NO_CLAUDE: (real, real_pre), HEAVY: (heavy, heavy_pre)},
                              venv, fixit_reps)
    machine = machine_info(venv)
    started = time.perf_counter()
    changed = run_plan(commands, args.reps, log)
    elapsed = time.perf_counter() - started
    if changed:
        print(f"WARNING: claudelint's source changed during repetition(s) {changed}: warm runs "
              "missed the cache and some runs may have measured a half-edited tree; rerun on a "
              "quiet tree (or a snapshot on PYTHONPATH) before quoting these figures.\n")

    machine["load_average_after"] = _load_average()
    print(f"machine: {machine['platform']}, {machine['cpus']} CPUs, Python {machine['python']}; "
          f"load average {machine['load_average_before']} before, "
          f"{machine['load_average_after']} after")
    print(f"tools: {machine['claudelint']}; {machine['ruff']}; {machine['fixit']}")
    for info in infos:
        passes = "?" if info.prefilter_passes is None else str(info.prefilter_passes)
        calls = "" if not info.call_site_files else f", {info.call_site_files} with call sites"
        print(f"{info.name}: {info.description}: {info.py_files} .py files, {info.megabytes} MB"
              f"{calls}; {passes} pass the prefilter; pre-commit files: "
              f"{' '.join(info.pre_commit_files)}")
    for corpus in (NO_CLAUDE, HEAVY):
        c = _find(commands, corpus, CLAUDELINT_COLD)
        if c is not None and c.samples:
            n, files = _count_findings(c.last_stdout)
            print(f"claudelint on {corpus}: {n} findings in {files} files")
    print(f"{args.reps} repetitions (Fixit {fixit_reps}), interleaved; wall medians; "
          f"{elapsed:.0f} s in all\n")
    print(render_tables(commands))

    if args.json is not None:
        main_t, extra_t = targets(commands)
        doc = {
            "machine": machine,
            "reps": args.reps,
            "claudelint_source_changed_in_reps": changed,
            "fixit_reps": fixit_reps,
            "corpora": [asdict(i) for i in infos],
            "commands": [
                {"corpus": c.corpus, "name": c.name, "argv": c.argv, "cwd": str(c.cwd),
                 "median_wall": c.median(), "peak_rss_mb": c.peak_rss(),
                 "samples": [asdict(s) for s in c.samples], "failures": c.failures}
                for c in commands
            ],
            "targets": [asdict(t) for t in main_t],
            "other_ratios": [asdict(t) for t in extra_t],
        }
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    if args.profile:
        print("\n" + profile_heavy(heavy, BENCH_DIR / "results", args.profile_top))
    return 1 if any(c.failures for c in commands) else 0


if __name__ == "__main__":
    sys.exit(main())
