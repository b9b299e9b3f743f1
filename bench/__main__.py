"""The benchmark runner: `python -m bench NAME [options]`, `python -m bench --list`.

Every run gets a database of its own, created here and dropped afterwards (kept with --keep):
a new SQLite file in a new temporary directory, or, when the URL (--database-url or
DATABASE_URL) names a PostgreSQL server, a new database `hotich_bench_<random>` on that server.
The database named in the URL is never written to, so pointing the runner at a server that holds
real data destroys nothing; the account needs the CREATEDB privilege.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import pkgutil
import platform
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REQUIRED = ("DESCRIPTION", "add_arguments", "run")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The database URL must be known before Django's settings load, and settings must load
    # before the benchmark modules are imported (they may import models at module level).
    early = _common_options(argparse.ArgumentParser(add_help=False, allow_abbrev=False))
    known, _rest = early.parse_known_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="hotich-bench-"))
    try:
        _configure_django(workdir, known.database_url)
        modules = discover()
        args = _parser(modules).parse_args(argv)
        if args.list or not args.name:
            for name, module in modules.items():
                print(f"{name:<24} {module.DESCRIPTION}")
            return 0
        return _run(args.name, modules[args.name], args, workdir)
    finally:
        if known.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def discover() -> dict[str, ModuleType]:
    """Benchmark modules of this package, by name."""
    package = importlib.import_module("bench")
    found = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if all(hasattr(module, attr) for attr in REQUIRED):
            found[info.name] = module
    return found


def _common_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="server to benchmark on (default: $DATABASE_URL, else SQLite in a temporary "
        "directory); a new database is created there and dropped afterwards",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory and the database"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the result as JSON")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic data")
    return parser


def _parser(modules: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run a hotich benchmark.", allow_abbrev=False
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    common = _common_options(argparse.ArgumentParser(add_help=False, allow_abbrev=False))
    subparsers = parser.add_subparsers(dest="name", metavar="NAME")
    for name, module in modules.items():
        sub = subparsers.add_parser(
            name,
            help=module.DESCRIPTION,
            description=module.DESCRIPTION,
            parents=[common],
            allow_abbrev=False,
        )
        module.add_arguments(sub)
    return parser


def _configure_django(workdir: Path, database_url: str) -> None:
    os.environ["HOTICH_DATA_DIR"] = str(workdir)
    os.environ["HOTICH_JOBS"] = "immediate"
    os.environ["DJANGO_SETTINGS_MODULE"] = "hotich.settings"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()


def _create_database(workdir: Path) -> tuple[str, str]:
    """Create and migrate this run's own database; returns (URL's database, new database)."""
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        str(workdir / "bench.sqlite3")
        if connection.vendor == "sqlite"
        else f"hotich_bench_{secrets.token_hex(4)}"
    )
    # autoclobber only ever applies to the fresh random name chosen above.
    created = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return original, created


def machine_facts() -> dict[str, Any]:
    import django
    from django.db import connection

    return {
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": f"{connection.vendor} "
        + ".".join(str(part) for part in connection.get_database_version()),
        "date": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _run(name: str, module: ModuleType, args: argparse.Namespace, workdir: Path) -> int:
    from django.db import connection

    try:
        original, database = _create_database(workdir)
    except SystemExit:
        # Django's test-database creation exits after printing the server's error.
        server = connection.settings_dict.get("HOST") or "the server"
        print(
            f"bench: could not create a database on {server}"
            " (the account needs the CREATEDB privilege)",
            file=sys.stderr,
        )
        return 2
    try:
        facts = machine_facts()
        print(f"hotich bench: {name} — {module.DESCRIPTION}")
        _print_pairs(facts)
        print()
        started = time.perf_counter()
        result = module.run(args)
        wall = time.perf_counter() - started
        print(format_result(result))
        print(f"\nwall time: {wall:.1f} s")
        if args.json:
            report = {
                "benchmark": name,
                "description": module.DESCRIPTION,
                "machine": facts,
                "options": {
                    **{k: v for k, v in vars(args).items() if k not in ("list", "name")},
                    "database_url": _without_password(args.database_url),
                },
                "result": result,
                "wall_seconds": round(wall, 3),
            }
            Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    finally:
        if args.keep:
            print(f"kept database: {database}")
            connection.close()
        else:
            connection.creation.destroy_test_db(original, verbosity=0)
    return 0


def _without_password(url: str) -> str:
    """The URL as it may appear in a shared result file."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def format_value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 1000 else f"{value:.2f}"
    return str(value)


def format_result(result: dict[str, Any]) -> str:
    """Scalars as aligned "name  value" lines, then each list of dicts as a table."""
    scalars = {k: v for k, v in result.items() if not isinstance(v, list)}
    tables = {k: v for k, v in result.items() if isinstance(v, list)}
    lines = _pair_lines(scalars)
    for title, rows in tables.items():
        lines += ["", f"{title}:", *_table_lines(rows)]
    return "\n".join(lines)


def _pair_lines(pairs: dict[str, Any]) -> list[str]:
    width = max((len(k) for k in pairs), default=0)
    return [f"{k:<{width}}  {format_value(v)}" for k, v in pairs.items()]


def _print_pairs(pairs: dict[str, Any]) -> None:
    print("\n".join(_pair_lines(pairs)))


def _table_lines(rows: list[dict[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    cells = [[format_value(row.get(c, "")) for c in columns] for row in rows]
    numeric = [
        all(isinstance(row.get(c), int | float) for row in rows if c in row) for c in columns
    ]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]


if __name__ == "__main__":
    sys.exit(main())
