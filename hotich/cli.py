"""The `hotich` command: `demo`, `serve`, `worker`, and every Django management command."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

FIRST_RUN_HELP = """\
Hộ tịch số — các lệnh / commands:
  hotich demo      cài đặt, nạp dữ liệu mẫu và chạy ứng dụng tại http://127.0.0.1:8000
                   (set up, load demo data and start the app)
  hotich serve     chạy máy chủ web và tiến trình nền (production web server + worker)
  hotich worker    chỉ chạy tiến trình nền (background worker only, for more workers)
  hotich backup THƯ_MỤC    sao lưu cơ sở dữ liệu và mọi tệp (backup; --verify to check one)
  hotich restore THƯ_MỤC   khôi phục vào nơi trống (restore into an empty place)
  hotich <lệnh>    mọi lệnh quản trị của Django, ví dụ: hotich migrate, hotich load_units,
                   hotich bootstrap --help
"""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotich.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        # A setting with a value it does not know: say which, and do not start.
        print(exc, file=sys.stderr)
        sys.exit(2)


def _open_files_raise(wanted: int) -> None:
    """Let this process hold `wanted` sockets besides its files, up to what the system allows."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted + 256
    if hard != resource.RLIM_INFINITY:
        target = min(target, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _serve(host: str, port: int, threads: int, worker: bool, connections: int = 1000) -> None:
    from django.conf import settings
    from waitress import serve

    from hotich.core.worker import supervise_in_thread
    from hotich.wsgi import application

    stop = None
    if worker and settings.HOTICH_JOBS == "builtin":
        # Jobs run in a worker process of their own, restarted if it dies: a native crash in a
        # library reading a hostile file never takes the pages down with it.
        stop = supervise_in_thread()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        # Every browser keeps its connection open between saves: Waitress's own limit (100, its
        # own sockets included) would leave the 99th operator of a process without an answer,
        # and select() stops at 1,024 descriptors, so poll() and a limit of our own.
        _open_files_raise(connections)
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            connection_limit=connections,
            asyncore_use_poll=True,
            ident="hotich",
        )
    finally:
        if stop is not None:
            stop.set()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_demo(args: argparse.Namespace) -> None:
    _setup()
    from django.conf import settings

    from hotich.demo import demo_load, demo_print

    print(f"Hộ tịch số — dữ liệu tại {settings.DATA_DIR}")
    print("Đang chuẩn bị cơ sở dữ liệu…")
    _migrate()
    accounts = demo_load(stdout=sys.stdout)
    demo_print(accounts, host=args.host, port=args.port, stdout=sys.stdout)
    if args.no_serve:
        return
    _serve(args.host, args.port, args.threads, worker=True, connections=args.connections)


def cmd_serve(args: argparse.Namespace) -> None:
    _setup()
    if not args.no_migrate:
        _migrate()
    print(f"Hộ tịch số đang chạy tại http://{args.host}:{args.port} (Ctrl+C để dừng)", flush=True)
    _serve(
        args.host,
        args.port,
        args.threads,
        worker=not args.no_worker,
        connections=args.connections,
    )


def cmd_worker(args: argparse.Namespace) -> None:
    _setup()
    from hotich.core.worker import child_main, supervise

    if args.child:
        child_main(poll=args.poll, parent=args.parent, wake_fd=args.wake_fd)
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("Tiến trình nền đang chạy (Ctrl+C để dừng)", flush=True)
    try:
        supervise(stop, poll=args.poll)
    except KeyboardInterrupt:
        stop.set()


def _env_count(name: str, default: int) -> int:
    """A whole number from the environment; anything else stops the start with a message."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        print(
            f"{name}={raw!r}: cần một số nguyên dương / must be a positive whole number",
            file=sys.stderr,
        )
        sys.exit(2)
    return int(raw)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hotich",
        description=FIRST_RUN_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command")

    def web_options(p: argparse.ArgumentParser, host: str) -> None:
        p.add_argument("--host", default=os.environ.get("HOTICH_HOST", host))
        p.add_argument("--port", type=int, default=_env_count("HOTICH_PORT", 8000))
        p.add_argument("--threads", type=int, default=_env_count("HOTICH_THREADS", 8))
        p.add_argument(
            "--connections",
            type=int,
            default=_env_count("HOTICH_CONNECTIONS", 1000),
            help="open browser connections this process accepts (default 1000)",
        )

    demo = sub.add_parser("demo", help="set up, load demo data, start the app")
    web_options(demo, "127.0.0.1")
    demo.add_argument("--no-serve", action="store_true", help="prepare only, do not start")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="production web server with the background worker")
    web_options(serve, "0.0.0.0")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not run jobs in this process (run `hotich worker` instead)",
    )
    serve.add_argument("--no-migrate", action="store_true")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background jobs")
    worker.add_argument("--poll", type=float, default=2.0)
    # The supervised worker process itself (started by `hotich worker`, `serve` and `demo`).
    worker.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    worker.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    worker.add_argument("--wake-fd", type=int, default=None, help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)
    return parser


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in {"demo", "serve", "worker", "-h", "--help"}:
        _setup()
        from django.core.exceptions import ValidationError
        from django.core.management import execute_from_command_line

        from hotich.core.errors import UserFacingError

        try:
            # `hotich import-scans` is the Django command `import_scans`.
            execute_from_command_line(["hotich", argv[0].replace("-", "_"), *argv[1:]])
        except (UserFacingError, ValidationError) as exc:
            # A refusal of a service (a frozen register, a file over a limit): its sentence,
            # as the pages show it, not a traceback.
            messages = getattr(exc, "messages", None) or [str(exc)]
            print(" ".join(str(m) for m in messages), file=sys.stderr)
            sys.exit(1)
        return
    args = _parser().parse_args(argv)
    if not getattr(args, "func", None):
        print(FIRST_RUN_HELP)
        return
    args.func(args)


if __name__ == "__main__":
    main()
