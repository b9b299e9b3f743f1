"""The benchmark runner, through its command line."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_list_names_the_benchmarks():
    result = bench("--list")
    assert result.returncode == 0, result.stderr
    assert "registers_list" in result.stdout


def test_registers_list_runs_and_prints_the_figures(tmp_path):
    result = bench(
        "registers_list",
        "--offices",
        "5",
        "--registers",
        "50",
        "--repeat",
        "2",
        "--json",
        str(tmp_path / "result.json"),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "python" in out and "database" in out
    assert "p95_ms" in out
    for who in ("province admin", "district admin", "operator"):
        assert who in out
    assert "wall time" in out
    report = json.loads((tmp_path / "result.json").read_text())
    assert report["result"]["registers"] == 50
    cases = report["result"]["cases"]
    assert all(case["queries"] == 2 for case in cases)
    # The province admin sees the whole tree, so at least what anybody else sees.
    unfiltered = {c["user"]: c["total"] for c in cases if c["filter"] == "none"}
    assert unfiltered["province admin"] == 50
    assert unfiltered["operator"] <= unfiltered["district admin"] <= 50


def test_the_database_named_in_the_url_is_never_written(tmp_path):
    precious = tmp_path / "precious.sqlite3"
    with sqlite3.connect(precious) as db:
        db.execute("create table keep (x)")
        db.execute("insert into keep values (42)")
    before = precious.read_bytes()
    result = bench(
        "registers_list",
        "--offices",
        "4",
        "--registers",
        "10",
        "--repeat",
        "1",
        env={"DATABASE_URL": f"sqlite:///{precious}"},
    )
    assert result.returncode == 0, result.stderr
    assert precious.read_bytes() == before


def test_unknown_benchmark_is_an_error():
    result = bench("no_such_benchmark")
    assert result.returncode != 0
    assert "invalid choice" in result.stderr


def test_result_files_do_not_carry_the_database_password():
    from bench.__main__ import _without_password

    assert (
        _without_password("postgres://bench:s3cret@db:5432/x") == "postgres://bench:***@db:5432/x"
    )
    assert _without_password("postgres://bench@db/x") == "postgres://bench@db/x"
