"""The worker process and its supervisor.

`hotich worker` supervises one worker process (`hotich worker --child`) and starts a new one
whenever it ends: a native crash in a library (a hostile file), a job stuck past its time, or
the out-of-memory killer end that process, never the supervisor. `hotich serve` and `hotich
demo` run the same supervisor on a thread, so the web server never runs a job itself. The job
the dead worker held is claimed again when its lease runs out (`hotich.core.jobs`).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger(__name__)

#: A worker that lived at least this long ended by accident, not in a start-up loop.
STEADY_SECONDS = 60.0
BACKOFF_MAX = 30.0


def child_command(*, wake_fd: int | None = None, poll: float = 2.0) -> list[str]:
    command = [sys.executable, "-m", "hotich.cli", "worker", "--child", "--poll", str(poll)]
    command += ["--parent", str(os.getpid())]
    if wake_fd is not None:
        command += ["--wake-fd", str(wake_fd)]
    return command


def supervise(
    stop: threading.Event,
    *,
    wake_fd: int | None = None,
    poll: float = 2.0,
    grace: float = 15.0,
    command: list[str] | None = None,
) -> None:
    """Run one worker process until `stop` is set, starting a new one each time it ends."""
    backoff = 1.0
    while not stop.is_set():
        started = time.monotonic()
        proc = subprocess.Popen(
            command or child_command(wake_fd=wake_fd, poll=poll),
            pass_fds=(wake_fd,) if wake_fd is not None else (),
        )
        log.info("worker process %s started", proc.pid)
        while proc.poll() is None and not stop.wait(0.5):
            pass
        if stop.is_set():
            _end(proc, grace)
            return
        lived = time.monotonic() - started
        backoff = 1.0 if lived >= STEADY_SECONDS else min(BACKOFF_MAX, backoff * 2)
        log.error(
            "worker process %s ended (status %s) after %.0f s; a new one starts in %.0f s",
            proc.pid,
            proc.returncode,
            lived,
            backoff,
        )
        stop.wait(backoff)


def _end(proc: subprocess.Popen[bytes], grace: float) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        # Its job rolls back and is claimed again by the next worker, as after a crash.
        proc.kill()
        proc.wait()


def supervise_in_thread(*, poll: float = 1.0) -> threading.Event:
    """For `hotich serve`/`demo`: a supervised worker, woken at once when a job is queued."""
    from hotich.core import jobs

    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    jobs._wake_fd = write_fd
    stop = threading.Event()
    thread = threading.Thread(
        target=supervise,
        kwargs={"stop": stop, "wake_fd": read_fd, "poll": poll},
        name="hotich-worker-supervisor",
        daemon=True,
    )
    thread.start()
    return stop


def exit_with_parent() -> None:
    """End this helper process as soon as the process that started it is gone (a worker
    killed mid-job): it would otherwise wait for it forever, holding its memory. The starter
    passes its pid (HOTICH_PARENT_PID): it may be gone before this runs."""
    parent = int(os.environ.get("HOTICH_PARENT_PID") or os.getppid())
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _memory_limit(megabytes: int) -> None:
    """Cap this process's address space (HOTICH_WORKER_MEMORY_MB), never above its hard limit."""
    if not megabytes:
        return
    try:
        import resource
    except ImportError:  # not on Windows
        return
    wanted = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    log.info("worker %s: address space limited to %s MB", os.getpid(), wanted // 2**20)


def child_main(*, poll: float, parent: int | None, wake_fd: int | None) -> None:
    """The worker process itself: claim and run jobs until told to stop or orphaned."""
    from django.conf import settings

    from hotich.core.jobs import worker_loop

    _memory_limit(settings.HOTICH_WORKER_MEMORY_MB)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if parent:

        def orphaned() -> None:
            # The supervisor is gone (killed with the web server): do not run on alone.
            while not stop.wait(2.0):
                if os.getppid() != parent:
                    log.warning("worker %s: supervisor %s is gone, stopping", os.getpid(), parent)
                    stop.set()

        threading.Thread(target=orphaned, daemon=True).start()
    worker_loop(stop=stop, poll_seconds=poll, wake_fd=wake_fd, exit_on_overrun=True)
