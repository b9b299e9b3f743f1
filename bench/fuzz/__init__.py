"""Fuzzing every upload path: seeded mutations of valid files, each in a child process.

`python -m bench fuzz` generates valid seed files in code (`seeds`: the Ministry workbook as the
export and Excel write it, a register inventory as .xlsx and .csv, PDFs, JPEG, PNG, TIFF
(multi-page), a zip of scans, nested zips), mutates them reproducibly from (seed, index)
(`cases`: truncation, byte flips, damage inside zip members, broken XML parts, absurd declared
counts and dimensions, decompression and zip bombs, nesting), and pushes each through the
functions the upload pages and commands call (`targets`), in a child forked from this process
(`zygote`). Outcomes: accepted, refused cleanly (an error meant for the person), unhandled
exception, process death, hang (over `--timeout`), and the peak memory of each file against
the 1 GB target. Every failure is printed with a command that reproduces it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from . import cases, seeds, targets, zygote

DESCRIPTION = "fuzz every upload path with seeded mutations of valid files, one child per file"

OUTCOMES = ("accepted", "refused", "unhandled", "death", "hang", "harness_error")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--files", type=int, default=2000, help="files to run (default 2,000)")
    parser.add_argument("--start", type=int, default=0, help="first case index (default 0)")
    parser.add_argument(
        "--index", help="run exactly these case indexes: 5,9,100-120 (ignores --files, --start)"
    )
    parser.add_argument(
        "--cover", action="store_true", help="one file per format and mutation kind"
    )
    parser.add_argument(
        "--formats",
        help=f"comma-separated subset of {', '.join(f.name for f in cases.FORMATS)}",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a hang")
    parser.add_argument(
        "--address-space-mb", type=int, default=4096, help="RLIMIT_AS of each child"
    )
    parser.add_argument("--target-mb", type=float, default=1024, help="peak memory target")
    parser.add_argument("--jobs", type=int, default=1, help="children at once (default 1)")
    parser.add_argument("--save", metavar="DIR", help="write failing inputs (and a .json) here")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the cases in this process (no fork, no limits) and print full tracebacks",
    )
    parser.add_argument("--file", help="run this file (a saved input) instead of a generated one")
    parser.add_argument("--format", help="with --file: its format (see --formats)")
    parser.add_argument("--by-kind", action="store_true", help="also print counts per kind")


def _indexes(args: argparse.Namespace) -> list[int]:
    if args.index:
        found: list[int] = []
        for part in args.index.split(","):
            low, _dash, high = part.strip().partition("-")
            found += range(int(low), int(high or low) + 1)
        return found
    wanted = set(args.formats.split(",")) if args.formats else None
    unknown = (wanted or set()) - set(cases.FORMAT_BY_NAME)
    if unknown:
        raise SystemExit(f"bench fuzz: unknown format(s) {', '.join(sorted(unknown))}")
    if args.cover:
        return [
            i for i in cases.cover_indexes() if not wanted or cases.describe(0, i).format in wanted
        ]
    found, index = [], args.start
    width = len(cases.FORMATS)
    while len(found) < args.files:
        if not wanted or cases.FORMATS[index % width].name in wanted:
            found.append(index)
        index += 1
    return found


def repro(case: cases.Case) -> str:
    return f"python -m bench fuzz --seed {case.seed} --index {case.index} --in-process"


def _file_case(args: argparse.Namespace) -> cases.Case:
    if args.format not in cases.FORMAT_BY_NAME:
        raise SystemExit("bench fuzz: --file needs --format (one of --formats)")
    fmt = cases.FORMAT_BY_NAME[args.format]
    data = Path(args.file).read_bytes()
    return cases.Case(args.seed, -1, fmt.name, "file", args.file, fmt.filename, fmt.target,
                      "given file", data)  # fmt: skip


def _in_process(case: cases.Case, fixtures: targets.Fixtures, workdir: Path) -> zygote.Result:
    """The case here, with the full traceback printed: for a debugger or a closer look."""
    folder = Path(tempfile.mkdtemp(dir=workdir))
    path = folder / f"input{Path(case.filename).suffix}"
    path.write_bytes(case.data)
    target = targets.TARGETS[case.target]
    print(f"-- {case.index} {case.label} ({case.seed_file}): {case.note}")
    started = time.perf_counter()
    try:
        detail = target(path, case.filename, fixtures)
        result = zygote.Result(case, "accepted", detail=detail)
    except targets.clean_errors() as exc:
        result = zygote.Result(case, "refused", exception=type(exc).__name__, detail=str(exc))
    except targets.HarnessStop as exc:
        result = zygote.Result(case, "hang", detail=f"harness stop: {exc}")
    except BaseException as exc:  # reported, and this is a debugging mode
        traceback.print_exc()
        result = zygote.Result(case, "unhandled", **zygote.describe_exception(exc))
    result.seconds = round(time.perf_counter() - started, 2)
    result.peak_mb = round(zygote.rss_mb(), 1)
    print(f"   {result.outcome}: {result.exception} {result.detail}")
    return result


def _setup() -> targets.Fixtures:
    from django.conf import settings
    from django.db import transaction

    # Jobs are queued, never run inline: the targets call the job's service themselves, so
    # that what it raises is seen here instead of being recorded on a job row.
    settings.HOTICH_JOBS = "external"
    with transaction.atomic():
        fixtures = targets.fixtures_create()
    targets.preload()
    for name in seeds.MAKERS:  # once, here: every child then has them
        seeds.seed(name)
    return fixtures


def run(args: argparse.Namespace) -> dict[str, Any]:
    import os

    fixtures = _setup()
    workdir = Path(tempfile.mkdtemp(prefix="fuzz-", dir=os.environ.get("HOTICH_DATA_DIR")))
    args.database_copy = ""
    baseline = zygote.rss_mb()
    started = time.perf_counter()
    results: list[zygote.Result] = []
    if args.file:
        made = {-1: _file_case(args)}
        indexes = [-1]
    else:
        made = {}
        indexes = _indexes(args)

    def make(index: int) -> cases.Case:
        return made.pop(index) if index in made else cases.make(args.seed, index)

    if args.in_process:
        results = [_in_process(make(i), fixtures, workdir) for i in indexes]
    else:
        stream = zygote.run_all(indexes, fixtures=fixtures, opts=args, workdir=workdir, make=make)
        for result in stream:
            results.append(result)
            if result.failed or len(results) % 100 == 0:
                _progress(result, len(results), len(indexes), started)
    return summary(results, args, baseline)


def _progress(result: zygote.Result, done: int, total: int, started: float) -> None:
    line = f"[{done}/{total} {time.perf_counter() - started:.0f}s]"
    if result.failed:
        line += f" {result.outcome} {result.case.label} {result.exception} {result.where}"
    print(line, file=sys.stderr, flush=True)


def summary(
    results: list[zygote.Result], args: argparse.Namespace, baseline: float
) -> dict[str, Any]:
    counts = Counter(r.outcome for r in results)
    worst = max(results, key=lambda r: r.peak_mb, default=None)
    slowest = max(results, key=lambda r: r.seconds, default=None)
    over = [r for r in results if r.peak_mb > args.target_mb]
    out: dict[str, Any] = {
        "seed": args.seed,
        "files": len(results),
        **{o: counts.get(o, 0) for o in OUTCOMES},
        "over_memory_target": len(over),
        "target_mb": args.target_mb,
        "zygote_rss_mb": round(baseline, 1),
        "worst_peak_mb": worst.peak_mb if worst else 0,
        "worst_peak_file": _name(worst) if worst else "",
        "slowest_seconds": slowest.seconds if slowest else 0,
        "slowest_file": _name(slowest) if slowest else "",
    }
    out["clean"] = (
        not any(counts.get(o, 0) for o in ("unhandled", "death", "hang", "harness_error"))
        and not over
    )
    out["by_format"] = _by(results, lambda r: {"format": r.case.format})
    if args.by_kind:
        out["by_kind"] = _by(results, lambda r: {"format": r.case.format, "kind": r.case.kind})
    out["distinct_failures"] = _distinct([r for r in results if r.failed or r in over])
    out["failures"] = [
        {
            "index": r.case.index,
            "case": r.case.label,
            "outcome": r.outcome if r.failed else f"{r.outcome}, over {args.target_mb:g} MB",
            "exception": r.exception,
            "where": r.where,
            "peak_mb": r.peak_mb,
            "seconds": r.seconds,
            "mutation": r.case.note[:70],
            "detail": str(r.detail)[:100].replace("\n", " "),
            "reproduce": repro(r.case),
        }
        for r in results
        if r.failed or r in over
    ]
    return out


def _name(result: zygote.Result) -> str:
    case = result.case
    return f"seed {case.seed} index {case.index} {case.label} ({case.note[:60]})"


def _by(results: list[zygote.Result], key: Any) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[zygote.Result]] = defaultdict(list)
    for r in results:
        groups[tuple(key(r).items())].append(r)
    rows = []
    for group_key, members in groups.items():
        outcome = Counter(r.outcome for r in members)
        rows.append(
            {
                **dict(group_key),
                "files": len(members),
                **{o: outcome.get(o, 0) for o in OUTCOMES[:5]},
                "peak_mb": max(r.peak_mb for r in members),
                "max_s": max(r.seconds for r in members),
            }
        )
    order = {f.name: n for n, f in enumerate(cases.FORMATS)}
    return sorted(rows, key=lambda row: (order.get(row["format"], 99), row.get("kind", "")))


def _distinct(results: list[zygote.Result]) -> list[dict[str, Any]]:
    """One row per (target, outcome, exception, where): what an owner has to fix."""
    groups: dict[tuple[str, ...], list[zygote.Result]] = defaultdict(list)
    for r in results:
        outcome = r.outcome if r.failed else "memory"
        groups[(r.case.target, outcome, r.exception, r.where)].append(r)
    return [
        {
            "target": target,
            "outcome": outcome,
            "exception": exception,
            "where": where,
            "files": len(members),
            "cases": ", ".join(sorted({m.case.label for m in members}))[:80],
            "reproduce": repro(members[0].case),
        }
        for (target, outcome, exception, where), members in sorted(
            groups.items(), key=lambda item: (item[0][1], item[0][0], -len(item[1]))
        )
    ]
