"""Real worker processes on a real database file: a killed worker's job finishes on another,
and a job that kills its worker every time is quarantined instead of looping."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

LEASE = 3  # seconds: the tests wait for leases to run out


@pytest.fixture
def env(tmp_path):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("one SQLite file here; tests/test_scale_out.py covers PostgreSQL")
    env = {
        **os.environ,
        "HOTICH_DATA_DIR": str(tmp_path),
        "HOTICH_JOBS": "external",
        "HOTICH_JOB_LEASE_SECONDS": str(LEASE),
        "PYTHONPATH": os.getcwd(),
    }
    env.pop("DATABASE_URL", None)
    migrate = subprocess.run(
        [sys.executable, "-m", "hotich.cli", "migrate", "-v0"], env=env, capture_output=True
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    return env, tmp_path / "hotich.sqlite3"


def _run(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "tests.core.jobkinds", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def _job(db, job_id):
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT status, worker, attempts, quarantined, message FROM core_job WHERE id = ?",
            (job_id,),
        ).fetchone()
    return dict(zip(["status", "worker", "attempts", "quarantined", "message"], row, strict=True))


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return None


def _start(env, what):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.core.jobkinds", what],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_mid_job_leaves_it_to_another_which_finishes_it(env):
    env, db = env
    job_id = int(_run(env, "enqueue", "test.slow"))
    first = _start(env, "worker")
    second = None
    try:
        assert _wait(lambda: _job(db, job_id)["status"] == "running", 30)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()
        second = _start(env, "worker")
        done = _wait(lambda: _job(db, job_id)["status"] == "done", 60)
        recovered = time.monotonic() - killed_at
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
    row = _job(db, job_id)
    assert done, row
    assert row["attempts"] == 2 and row["worker"].endswith(f":{second.pid}")
    # Claimed again once the lease ran out (plus the time the job itself takes, 4 s).
    assert recovered < LEASE + 4 + 10, recovered


def test_a_job_that_crashes_its_worker_each_time_is_quarantined_and_the_worker_lives_on(env):
    env, db = env
    job_id = int(_run(env, "enqueue", "test.native_crash"))
    supervisor = _start(env, "supervise")
    try:
        row = _wait(lambda: (r := _job(db, job_id))["quarantined"] and r, 90)
        assert row, _job(db, job_id)
        assert row["status"] == "failed" and row["attempts"] == 3
        assert "3 lần" in row["message"]
        # The supervisor is still there and its worker takes new work.
        later = int(_run(env, "enqueue", "test.slow"))
        assert _wait(lambda: _job(db, later)["status"] == "done", 60), _job(db, later)
        assert supervisor.poll() is None
        assert _job(db, job_id)["attempts"] == 3  # never started again by itself
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=30)
        except subprocess.TimeoutExpired:
            supervisor.kill()
