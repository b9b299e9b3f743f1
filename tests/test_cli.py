"""The newcomer's path, end to end: `hotich demo` prepares everything; `hotich serve` answers."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def run_hotich(args, data_dir, timeout=180):
    env = {**os.environ, "HOTICH_DATA_DIR": str(data_dir), "HOTICH_JOBS": "thread"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "hotich.cli", *args],
        env=env,
        timeout=timeout,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    result = run_hotich(["demo", "--no-serve"], data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    return data_dir, result.stdout


def test_demo_prints_the_accounts_and_the_address(demo_dir):
    _data_dir, output = demo_dir
    assert "tinh.admin" in output and "nghiloc.nhaplieu1" in output
    assert "hotich2025demo" in output
    assert "http://127.0.0.1:8000" in output
    assert (_data_dir / "hotich.sqlite3").exists()


def test_demo_a_second_time_keeps_the_data(demo_dir):
    data_dir, _output = demo_dir
    again = run_hotich(["demo", "--no-serve"], data_dir)
    assert again.returncode == 0
    assert "Dữ liệu mẫu đã có sẵn" in again.stdout


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_with_pages_and_local_static_files(demo_dir):
    data_dir, _output = demo_dir
    port = _free_port()
    env = {**os.environ, "HOTICH_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hotich.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-migrate",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"{base}/dang-nhap/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not answer")
        assert "Đăng nhập" in page
        assert "https://" not in page and "//cdn" not in page
        css = urllib.request.urlopen(f"{base}/static/hotich/app.css", timeout=5)
        assert css.status == 200
        assert b":root" in css.read()
        # Every operator's browser keeps its connection open between saves; 150 of them on
        # one process all get their page (Waitress's own limit stopped at the 99th).
        held = []
        try:
            for _ in range(150):
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                held.append(sock)
                sock.sendall(
                    b"GET /dang-nhap/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
                )
            answered = sum(sock.recv(12).startswith(b"HTTP/1.1 200") for sock in held)
        finally:
            for sock in held:
                sock.close()
        assert answered == 150
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_command_refused_by_a_service_says_why_without_a_traceback(
    register, users, tmp_path, capsys
):
    """`hotich import-scans` into an accepted register: the sentence, exit status 1."""
    from hotich.cli import main
    from hotich.registers.models import Register
    from tests.scans import samples

    Register.objects.filter(pk=register.pk).update(status="accepted")
    path = samples.make_case_pdf(tmp_path / "a.pdf")
    with pytest.raises(SystemExit) as ended:
        main(["import-scans", str(register.pk), str(path), "--user", users["unit_admin"].username])
    assert ended.value.code == 1
    err = capsys.readouterr().err
    assert "đã được khóa" in err and "Traceback" not in err
