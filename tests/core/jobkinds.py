"""Job kinds for the worker-process tests, and a runner that starts real worker processes.

`python -m tests.core.jobkinds worker` is `hotich worker --child` with these kinds known;
`... supervise` is `hotich worker` (the supervisor) starting such children;
`... enqueue KIND` queues one job and prints its id.
"""

import os
import signal
import sys
import threading
import time


def _register() -> None:
    from hotich.core.jobs import job_handler

    @job_handler("test.slow")
    def slow(ctx):
        for step in range(int(ctx.args.get("steps", 40))):
            ctx.progress(step, None)
            time.sleep(0.1)
        return {"worker": ctx.job.worker}

    @job_handler("test.native_crash")
    def native_crash(ctx):
        # What a library's abort() does: the process dies at once, no Python clean-up.
        os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotich.settings")
    django.setup()
    _register()
    what = sys.argv[1]
    if what == "enqueue":
        from hotich.core.jobs import job_enqueue

        print(job_enqueue(kind=sys.argv[2], args={}).pk, flush=True)
    elif what == "worker":
        from hotich.core.worker import child_main

        child_main(poll=0.2, parent=None, wake_fd=None)
    elif what == "supervise":
        from hotich.core import worker

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        worker.supervise(stop, command=[sys.executable, "-m", "tests.core.jobkinds", "worker"])


if __name__ == "__main__":
    main()
