"""One child process per file, forked from this one (Django and the libraries loaded once): a
crash, a runaway allocation or a hang ends the child and is observed, never suffered.

Each child runs in its own process group, with its address space capped (`RLIMIT_AS`, 4 GB by
default, so an allocation that runs away fails in that child and never takes the machine), no
core files, its own temporary folder, and its output (stdout, stderr: library warnings, a Rust
panic's message) in a file. It reports its outcome as one JSON document on a pipe. The parent
waits with a time limit and kills the whole group when it is exceeded; `os.wait4` gives the
child's peak resident memory (`ru_maxrss`; it includes what the child inherited from this
process, and the largest of any helper process it waited for).

Linux only (fork, process groups, `RLIMIT_AS`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import faulthandler
import json
import os
import resource
import select
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cases, targets

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    case: cases.Case
    outcome: str  # accepted | refused | unhandled | death | hang | harness_error
    seconds: float = 0.0
    peak_mb: float = 0.0
    exception: str = ""
    detail: Any = ""
    where: str = ""  # innermost frame in hotich/ (the product's code that let it through)
    frames: list[str] = field(default_factory=list)  # innermost last

    @property
    def failed(self) -> bool:
        return self.outcome in ("unhandled", "death", "hang", "harness_error")


def _short(filename: str) -> str:
    for base in (str(ROOT) + "/", *(p + "/" for p in sys.path if p.endswith("site-packages"))):
        if filename.startswith(base):
            return filename[len(base) :]
    return filename


def describe_exception(exc: BaseException) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/hotich/" in f.filename or f.filename.startswith("hotich/")]
    where = ours[-1] if ours else (frames[-1] if frames else None)
    kind = type(exc)
    notes = getattr(exc, "__notes__", [])
    return {
        "exception": f"{kind.__module__}.{kind.__qualname__}".removeprefix("builtins."),
        "detail": (str(exc)[:300] + (f" [{'; '.join(notes)}]" if notes else "")),
        "where": f"{_short(where.filename)}:{where.lineno} {where.name}" if where else "",
        "frames": [f"{_short(f.filename)}:{f.lineno} {f.name}" for f in frames[-6:]],
    }


def classify(run: Callable[[], Any]) -> dict[str, Any]:
    """Run a target and say how it ended."""
    clean = targets.clean_errors()
    try:
        return {"outcome": "accepted", "detail": run()}
    except targets.HarnessStop as exc:
        return {"outcome": "hang", "detail": f"harness stop: {exc}"}
    except clean as exc:
        return {"outcome": "refused", "exception": type(exc).__name__, "detail": str(exc)[:300]}
    except BaseException as exc:  # a Rust panic is a BaseException
        return {"outcome": "unhandled", **describe_exception(exc)}


# ---- the child -------------------------------------------------------------------------------


def _child(folder: Path, case: cases.Case, fixtures: targets.Fixtures, fd: int, opts: Any) -> None:
    payload: dict[str, Any]
    try:
        os.setpgid(0, 0)
        limit = opts.address_space_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
        output = os.open(folder / "output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(output, 1)
        os.dup2(output, 2)
        # A child that dies on a signal writes its Python stack there too (not to wherever
        # the parent's fault handler was pointed).
        faulthandler.enable(open(2, "w", closefd=False))  # noqa: SIM115 (lives with the child)
        tmp = folder / "tmp"
        tmp.mkdir()
        os.environ["TMPDIR"] = tempfile.tempdir = str(tmp)
        if opts.database_copy:
            from django.db import connections

            connections["default"].settings_dict["NAME"] = opts.database_copy
        path = folder / f"input{Path(case.filename).suffix}"
        target = targets.TARGETS[case.target]
        began = time.monotonic()
        payload = classify(lambda: target(path, case.filename, fixtures))
        # The child's own time: the parent may notice the end late (it makes the next files).
        payload["seconds"] = time.monotonic() - began
        data = json.dumps(payload, ensure_ascii=False, default=str).encode()
    except BaseException as exc:  # the harness itself; report what we can
        data = json.dumps({"outcome": "harness_error", "detail": repr(exc)[:300]}).encode()
    with contextlib.suppress(OSError):
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    os._exit(0)


# ---- the parent ------------------------------------------------------------------------------


@dataclass
class _Running:
    case: cases.Case
    folder: Path
    fd: int
    started: float
    slot: int
    chunks: list[bytes] = field(default_factory=list)
    killed: bool = False


def sqlite_copies(jobs: int, folder: Path) -> list[str]:
    """One copy of the SQLite database per concurrent child: SQLite's write lock is taken at
    the start of a transaction (`transaction_mode` IMMEDIATE), so two children sharing one file
    would wait on each other and fail with "database is locked"."""
    from django.db import connection

    source = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or jobs <= 1 or not Path(source).is_file():
        return []
    connection.close()
    copies = []
    for slot in range(jobs):
        target = folder / f"slot-{slot}.sqlite3"
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
        copies.append(str(target))
    return copies


def _finish(run: _Running, status: int, usage: Any, opts: Any) -> Result:
    with contextlib.suppress(OSError):
        while chunk := os.read(run.fd, 65536):
            run.chunks.append(chunk)
    os.close(run.fd)
    seconds = time.monotonic() - run.started
    result = Result(run.case, "death", round(seconds, 2), round(usage.ru_maxrss / 1024, 1))
    raw = b"".join(run.chunks)
    payload: dict[str, Any] = {}
    if raw:
        with contextlib.suppress(ValueError):
            payload = json.loads(raw)
    if run.killed:
        result.outcome = "hang"
        result.detail = f"killed after {opts.timeout:g} s"
    elif payload:
        result.outcome = payload.get("outcome", "harness_error")
        result.detail = payload.get("detail", "")
        result.exception = payload.get("exception", "")
        result.where = payload.get("where", "")
        result.frames = payload.get("frames", [])
        if isinstance(payload.get("seconds"), int | float):
            result.seconds = round(payload["seconds"], 2)
    else:
        if os.WIFSIGNALED(status):
            result.exception = signal.Signals(os.WTERMSIG(status)).name
        else:
            result.exception = f"exit status {os.WEXITSTATUS(status)}"
        result.detail = _last_words(run.folder / "output.txt")
    return result


_TELLING = ("panicked", "memory allocation", "Fatal Python error", "terminate called", "Abort")


def _last_words(path: Path) -> str:
    """What a dead child printed that says why: a Rust panic or failed allocation, a fatal
    Python error, else its last line."""
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - 65536))
            lines = fh.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    telling = [line.strip() for line in lines if any(t in line for t in _TELLING)]
    return (telling or [line.strip() for line in lines if line.strip()][-1:] or [""])[0][:300]


def _made(folder: Path, index: int, make: Callable[[int], cases.Case]) -> cases.Case:
    """Write case `index`'s file into `folder`, generated in a short-lived child: a mutation
    may build large things, and what this process allocates every later child inherits (and
    counts in its peak memory)."""
    pid = os.fork()
    if pid == 0:
        # Never return from here: up the stack are the runner's clean-ups (its temporary
        # directory, the database), which are the parent's to run.
        try:
            try:
                case = make(index)
                (folder / f"input{Path(case.filename).suffix}").write_bytes(case.data)
                case.data = b""
                info: dict[str, Any] = dataclasses.asdict(case)
                del info["data"]
            except BaseException as exc:  # reported to the parent
                info = {"error": repr(exc)[:300]}
            (folder / "case.json").write_text(json.dumps(info))
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(0)
    _pid, status = os.waitpid(pid, 0)
    try:
        info = json.loads((folder / "case.json").read_text())
    except (OSError, ValueError) as exc:
        raise RuntimeError(
            f"the generating process ended (status {status:#x}) without a case: {exc}"
        ) from exc
    if "error" in info:
        raise RuntimeError(info["error"])
    return cases.Case(**info)


def run_all(
    indexes: Iterable[int],
    *,
    fixtures: targets.Fixtures,
    opts: Any,
    workdir: Path,
    make: Callable[[int], cases.Case],
) -> Iterator[Result]:
    """Run every case (at most `opts.jobs` children at once), yielding results as they end."""
    from django.db import connections

    copies = sqlite_copies(opts.jobs, workdir)
    pending = iter(indexes)
    running: dict[int, _Running] = {}
    free_slots = list(range(max(1, opts.jobs)))
    exhausted = False
    try:
        while running or not exhausted:
            while not exhausted and len(running) < max(1, opts.jobs):
                index = next(pending, None)
                if index is None:
                    exhausted = True
                    break
                folder = workdir / f"case-{index}"
                folder.mkdir()
                try:
                    case = _made(folder, index, make)
                except RuntimeError as exc:  # a mutation that failed: the harness's own bug
                    shutil.rmtree(folder, ignore_errors=True)
                    described = cases.describe(opts.seed, index)
                    yield Result(described, "harness_error", detail=f"mutation: {exc}")
                    continue
                slot = free_slots.pop()
                opts.database_copy = copies[slot] if copies else ""
                connections.close_all()  # never share a database connection with a child
                read, write = os.pipe()
                pid = os.fork()
                if pid == 0:
                    try:
                        os.close(read)
                        _child(folder, case, fixtures, write, opts)
                    finally:
                        os._exit(70)
                os.close(write)
                with contextlib.suppress(OSError):  # also here: no race with a kill
                    os.setpgid(pid, pid)
                os.set_blocking(read, False)
                running[pid] = _Running(case, folder, read, time.monotonic(), slot)
            if not running:
                continue
            ready, _w, _x = select.select([r.fd for r in running.values()], [], [], 0.05)
            for run in running.values():
                if run.fd in ready:
                    with contextlib.suppress(BlockingIOError):
                        if chunk := os.read(run.fd, 65536):
                            run.chunks.append(chunk)
            for pid, run in list(running.items()):
                done, status, usage = os.wait4(pid, os.WNOHANG)
                if done == 0:
                    if time.monotonic() - run.started <= opts.timeout:
                        continue
                    run.killed = True
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGKILL)
                    done, status, usage = os.wait4(pid, 0)
                del running[pid]
                free_slots.append(run.slot)
                result = _finish(run, status, usage, opts)
                if opts.save and (result.failed or result.peak_mb > opts.target_mb):
                    save(result, run.folder, Path(opts.save))
                shutil.rmtree(run.folder, ignore_errors=True)
                yield result
    finally:
        for pid, run in running.items():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.wait4(pid, 0)
            shutil.rmtree(run.folder, ignore_errors=True)
        for copy in copies:
            Path(copy).unlink(missing_ok=True)


def save(result: Result, folder: Path, target: Path) -> None:
    """Keep a failing input, with what happened to it, for its owner to reproduce."""
    case = result.case
    target.mkdir(parents=True, exist_ok=True)
    stem = f"{case.seed}-{case.index:05d}-{case.format}-{case.kind}"
    source = folder / f"input{Path(case.filename).suffix}"
    if source.exists():
        shutil.copyfile(source, target / f"{stem}{source.suffix}")
    info = {
        "seed": case.seed,
        "index": case.index,
        "format": case.format,
        "kind": case.kind,
        "note": case.note,
        "seed_file": case.seed_file,
        "uploaded_as": case.filename,
        "outcome": result.outcome,
        "exception": result.exception,
        "detail": result.detail,
        "where": result.where,
        "frames": result.frames,
        "peak_mb": result.peak_mb,
        "seconds": result.seconds,
    }
    (target / f"{stem}.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
