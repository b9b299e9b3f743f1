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


def test_record_save_generates_records_that_save_without_a_warning():
    """The keyed data of the save benchmark is what a careful operator types: canonical
    values, consecutive numbers, on-time registrations (no timing is measured here)."""
    from bench.record_save import Book, corrected, record_data, registration_date
    from hotich.core.synthetic import Synth
    from hotich.records.schema import record_type
    from hotich.records.validation import check_rules, clean_data
    from hotich.registers.models import Register

    rtype = record_type("KS")
    register = Register(register_type="KS", year_start=2004, volume="01")
    book = Book(1, "01", 2004, "UBND xã Mỹ Lạc", "huyện Hoàng Thủy", "tỉnh Bình Định", "A", "B")
    synth = Synth(3)
    for index in range(0, 2000, 7):
        data = record_data(synth, book, index)
        assert data["so"] == f"{index + 1:02d}"
        assert data["ngayDangKy"] == registration_date(2004, index).strftime("%d.%m.%Y")
        for keyed in (data, corrected(synth, data)):
            cleaned, issues = clean_data(rtype, keyed)
            assert (cleaned, issues + check_rules(rtype, cleaned, register)) == (keyed, [])
    assert registration_date(2004, 10_000).year == 2004


def test_record_save_reads_its_figures():
    from bench.record_save import (
        Sample,
        database_url_for,
        form_fields,
        proc_pid_cpu,
        proc_stat_busy,
        server_ms,
        summarise,
    )

    assert server_ms({"Server-Timing": "db;dur=2, app;dur=12.5"}) == 12.5
    assert server_ms({}) is None
    assert (
        database_url_for("postgres://u:p@h:5432/postgres?sslmode=require", "hotich_bench_1")
        == "postgres://u:p@h:5432/hotich_bench_1?sslmode=require"
    )
    assert database_url_for("", "/tmp/x/bench.sqlite3") == "sqlite:////tmp/x/bench.sqlite3"
    body = form_fields(["so", "ghiChu"], {"so": "01"}, action="next")
    assert body == {"so": "01", "ghiChu": "", "action": "next"}
    samples = [Sample("new", 0, 10.0 * i, 5.0 * i, "submitted") for i in range(1, 21)]
    samples += [Sample("new", 0, 0, None, "error"), Sample("update", 0, 3, 2, "draft")]
    summary = summarise(samples)
    assert (summary["requests"], summary["errors"], summary["drafts"]) == (22, 1, 1)
    assert summary["server_p95_ms"] == 95.0 and summary["server_max_ms"] == 100.0
    assert proc_stat_busy("cpu  100 0 50 800 50 0 0 0 0 0") == (150.0, 1000.0)
    assert proc_pid_cpu("12 (hotich serve) S 1 2 3 4 5 6 7 8 9 10 70 30 0 0") == 100.0
