"""Scale-out on PostgreSQL: two `hotich serve --no-worker` web processes and two worker processes
on one database of their own, as a province runs them behind a proxy.

One sign-in is good on both web processes; jobs queued through either are shared by both
workers, and a job that waits longer than its lease is not taken twice; a worker killed in the
middle of a job leaves it to the other, which finishes it once the lease has run out.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

SERVER_URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not SERVER_URL.startswith(("postgres://", "postgresql://")),
    reason="several processes on one PostgreSQL server; needs DATABASE_URL=postgres://…",
)

LEASE = 3  # seconds (HOTICH_JOB_LEASE_SECONDS): the tests wait for leases to run out
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Scale0ut-2026"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Cluster:
    env: dict[str, str]
    database_url: str
    webs: list[str]  # base URLs of the two web processes
    workers: list[subprocess.Popen[bytes]]
    username: str
    password: str  # the temporary one `hotich bootstrap` printed
    logs: Path

    def jobs(self, where: str, *params: Any) -> list[dict[str, Any]]:
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(self.database_url, autocommit=True, row_factory=dict_row) as conn:
            return conn.execute(
                "SELECT id, kind, status, worker, attempts, progress, quarantined, message,"
                " lease_until > now() AS leased"
                f" FROM core_job WHERE {where} ORDER BY id",
                params,
            ).fetchall()

    def tail(self) -> str:
        """The end of every process's log, for a failing assertion."""
        return "\n".join(
            f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            for log in sorted(self.logs.glob("*.log"))
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return None


def _hotich(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "hotich.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _start(env: dict[str, str], log: Path, *command: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=out, stderr=out
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _answers(base: str) -> bool:
    import requests

    try:
        return requests.get(f"{base}/dang-nhap/", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    import psycopg

    name = f"hotich_scale_{secrets.token_hex(4)}"
    database_url = urlunsplit(urlsplit(SERVER_URL)._replace(path=f"/{name}"))
    data_dir = tmp_path_factory.mktemp("scale")
    logs = data_dir / "logs"
    logs.mkdir()
    # What every process of one installation shares: the database, the secret key (sessions
    # and CSRF tokens signed by one web process are checked by the other), the files.
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOTICH_DATA_DIR": str(data_dir),
        "HOTICH_SECRET_KEY": secrets.token_urlsafe(50),
        "HOTICH_JOBS": "external",
        "HOTICH_JOB_LEASE_SECONDS": str(LEASE),
        "PYTHONPATH": str(ROOT),
    }
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    procs: list[subprocess.Popen[bytes]] = []
    try:
        # Migrate once, before anything else starts; every process then runs --no-migrate.
        _hotich(env, "migrate", "-v0")
        printed = _hotich(env, "bootstrap", "--office", "Sở Tư pháp Mở rộng", "--username", "so.qt")
        password = printed.strip().rsplit(": ", 1)[1]
        webs = []
        for k in range(2):
            port = _free_port()
            serve = ("hotich.cli", "serve", "--host", "127.0.0.1", "--port", str(port))
            procs.append(_start(env, logs / f"web{k}.log", *serve, "--no-worker", "--no-migrate"))
            webs.append(f"http://127.0.0.1:{port}")
        # `hotich worker --child` with the test job kinds known (tests/core/jobkinds.py).
        workers = [
            _start(env, logs / f"worker{k}.log", "tests.core.jobkinds", "worker") for k in range(2)
        ]
        procs += workers
        cluster = Cluster(env, database_url, webs, workers, "so.qt", password, logs)
        for base in webs:
            assert _wait(lambda base=base: _answers(base), 60), cluster.tail()
        yield cluster
    finally:
        for proc in procs:
            _stop(proc)
        with psycopg.connect(SERVER_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _csrf(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, html[:2000]
    return match.group(1)


def _sign_in(base: str, username: str, password: str) -> Any:
    import requests

    session = requests.Session()
    page = session.get(f"{base}/dang-nhap/", timeout=10)
    response = session.post(
        f"{base}/dang-nhap/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": _csrf(page.text)},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    assert not response.headers["Location"].startswith("/dang-nhap/")
    return session


@pytest.fixture(scope="module")
def session(cluster: Cluster) -> Any:
    """The province administrator signed in through the first web process's login form, with
    the first-time password change made on the second (a proxy may send any request to either
    process)."""
    first, second = cluster.webs
    session = _sign_in(first, cluster.username, cluster.password)
    page = session.get(f"{second}/", timeout=10)  # redirected to the password page
    assert page.url == f"{second}/doi-mat-khau/", page.url
    changed = session.post(
        f"{second}/doi-mat-khau/",
        data={
            "old_password": cluster.password,
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
            "csrfmiddlewaretoken": _csrf(page.text),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert changed.status_code == 302 and changed.headers["Location"] == "/", changed.text[:2000]
    return session


def test_one_sign_in_is_good_on_both_web_processes(cluster, session):
    for base in cluster.webs:
        home = session.get(f"{base}/", allow_redirects=False, timeout=10)
        assert home.status_code == 200, (base, home.status_code, home.headers.get("Location"))
        assert cluster.username in home.text and "Đăng xuất" in home.text
        assert "app;dur=" in home.headers["Server-Timing"]
    # The new password, set through the second process, signs in through the first too.
    again = _sign_in(cluster.webs[1], cluster.username, PASSWORD)
    assert again.get(f"{cluster.webs[0]}/", allow_redirects=False, timeout=10).status_code == 200


def test_jobs_queued_through_both_web_processes_run_on_both_workers(cluster, session):
    import psycopg

    forms = {
        base: _csrf(session.get(f"{base}/nguoi/ban-trung/", timeout=10).text)
        for base in cluster.webs
    }
    kind = "people.duplicates_find"
    # The jobs read the records table: locked, each job a worker takes waits there (for longer
    # than a lease), so a worker that has one cannot take another and the heartbeat must hold it.
    with psycopg.connect(cluster.database_url) as lock:
        lock.execute("LOCK TABLE records_record IN ACCESS EXCLUSIVE MODE")
        for base, token in forms.items():
            for _ in range(2):
                queued = session.post(
                    f"{base}/nguoi/ban-trung/tim/",
                    data={"csrfmiddlewaretoken": token},
                    allow_redirects=False,
                    timeout=20,
                )
                assert queued.status_code == 302, (base, queued.status_code)
        both = _wait(
            lambda: (
                len({j["worker"] for j in cluster.jobs("kind = %s AND status = 'running'", kind)})
                == 2
            ),
            30,
        )
        assert both, (cluster.jobs("true"), cluster.tail())
        time.sleep(2 * LEASE)  # two leases: renewed by the heartbeats, not claimed again
        waiting = cluster.jobs("kind = %s", kind)
        lock.rollback()
    assert [j["status"] for j in waiting].count("running") == 2, waiting
    assert [j["status"] for j in waiting].count("queued") == 2, waiting
    running = [j for j in waiting if j["status"] == "running"]
    assert all(j["attempts"] == 1 and j["leased"] for j in running), waiting
    assert _wait(lambda: all(j["status"] == "done" for j in cluster.jobs("kind = %s", kind)), 30), (
        cluster.jobs("kind = %s", kind),
        cluster.tail(),
    )
    done = cluster.jobs("kind = %s", kind)
    assert len(done) == 4 and all(j["attempts"] == 1 for j in done), done
    host = socket.gethostname()
    assert {j["worker"] for j in done} == {f"{host}:{w.pid}" for w in cluster.workers}, done


def test_connections_terminated_under_load_cost_no_error_page(cluster, session):
    """The database drops every connection of the application (a restart, a fail-over,
    `pg_terminate_backend`) while pages are being read on both web processes: each page read
    either works on a new connection or is tried again on one; none ends in an error page, and
    the workers live on."""
    import threading

    import psycopg

    pages = ["/", "/so/", "/tac-vu-nen/"]
    statuses: list[int] = []
    stop = threading.Event()

    wrong: list[str] = []

    def read(base: str) -> None:
        while not stop.is_set():
            for path in pages:
                answer = session.get(f"{base}{path}", timeout=30)
                statuses.append(answer.status_code)
                if answer.status_code != 200:
                    wrong.append(f"{answer.status_code} {path} {answer.text[:300]!r}")

    readers = [threading.Thread(target=read, args=(base,)) for base in cluster.webs]
    for reader in readers:
        reader.start()
    terminated = 0
    try:
        with psycopg.connect(cluster.database_url, autocommit=True) as conn:
            for _ in range(12):
                time.sleep(0.4)
                terminated += len(
                    conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    ).fetchall()
                )
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
    assert terminated >= 12, terminated  # the web processes' and the workers' connections
    assert statuses and set(statuses) == {200}, (sorted(set(statuses)), wrong[:5], cluster.tail())
    after = [session.get(f"{base}/", timeout=10).status_code for base in cluster.webs]
    assert after == [200, 200]
    assert all(worker.poll() is None for worker in cluster.workers), cluster.tail()


def test_a_worker_killed_mid_job_leaves_it_to_the_other_which_finishes_it(cluster):
    queued = subprocess.run(
        [sys.executable, "-m", "tests.core.jobkinds", "enqueue", "test.slow"],
        cwd=ROOT,
        env=cluster.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    job_id = int(queued.stdout)
    mid = _wait(
        lambda: (
            (j := cluster.jobs("id = %s", job_id)[0])["status"] == "running"
            and j["progress"] >= 5
            and j
        ),
        30,
    )
    assert mid, (cluster.jobs("id = %s", job_id), cluster.tail())
    by_pid = {f"{socket.gethostname()}:{w.pid}": w for w in cluster.workers}
    victim = by_pid.pop(mid["worker"])
    (survivor,) = by_pid.values()
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed_at = time.monotonic()
    taken = _wait(lambda: cluster.jobs("id = %s AND attempts = 2", job_id), LEASE + 10)
    taken_after = time.monotonic() - killed_at
    finished = _wait(lambda: cluster.jobs("id = %s AND status = 'done'", job_id), 30)
    finished_after = time.monotonic() - killed_at
    assert taken and finished, (cluster.jobs("id = %s", job_id), cluster.tail())
    row = finished[0]
    assert row["attempts"] == 2 and row["worker"].endswith(f":{survivor.pid}"), row
    # Claimed again once the lease ran out (one lease after the kill, plus polling; the bound
    # leaves room for a loaded machine), then finished (the job itself takes 4 s).
    print(f"killed worker's job claimed again after {taken_after:.1f} s (lease {LEASE} s)")
    assert taken_after < LEASE + 6, taken_after
    assert finished_after < LEASE + 6 + 4 + 6, finished_after
    assert survivor.poll() is None
