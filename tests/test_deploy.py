"""The production set-up, run the way an operator runs it: real processes, real HTTP."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-" + "x9Qz" * 10,
    "ALLOWED_HOSTS": "peoplezones.example.org,127.0.0.1",
    "STATIC_MANIFEST": "1",
    "FAST_PASSWORD_HASHER": "0",
    "SECURE_SSL_REDIRECT": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(PRODUCTION_ENV)
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["VAR_DIR"] = str(tmp_path / "var")
    env["STATIC_ROOT"] = str(tmp_path / "static")
    env.update(extra)
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = _manage(_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_settings_refuse_to_start_without_secret_key_in_production(tmp_path):
    env = _env(tmp_path)
    env.pop("SECRET_KEY")

    result = _manage(env, "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_load_demo_refuses_on_a_production_site(tmp_path):
    env = _env(tmp_path)
    assert _manage(env, "migrate", "--no-input").returncode == 0

    result = _manage(env, "load_demo")

    assert result.returncode != 0
    assert "DJANGO_DEBUG is off" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_gunicorn_serves_pages_api_and_compressed_static_files(tmp_path):
    env = _env(tmp_path, SECURE_PROXY_SSL_HEADER="1")
    for args in (("migrate", "--no-input"), ("collectstatic", "--no-input")):
        result = _manage(env, *args)
        assert result.returncode == 0, result.stderr
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, body = _get(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        assert status == 200
        assert json.loads(body)["database"] == "ok"

        status, headers, body = _get(f"{base}/")
        assert status == 200
        assert "Strict-Transport-Security" in headers
        css_path = body.decode().split('rel="stylesheet" href="')[1].split('"')[0]
        # The manifest storage gives the stylesheet a content hash so it can be cached forever.
        assert css_path.startswith("/static/css/app.")
        assert css_path.count(".") == 2

        status, headers, _ = _get(base + css_path)
        assert status == 200
        assert "max-age=315360000" in headers["Cache-Control"]

        status, _, body = _get(f"{base}/api/v1/zones")
        assert status == 200
        assert json.loads(body) == []
    finally:
        server.terminate()
        server.wait(timeout=10)
