"""`raciflow serve`: the app under gunicorn, as `make run` starts it."""

from __future__ import annotations

import json
import selectors
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.e2e.conftest import RACIFLOW, bpmn_folder


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(tmp_path, FIXTURES / "approval.bpmn", FIXTURES / "approval_level.dmn")


def first_line(process: subprocess.Popen, stream=None, timeout: float = 60) -> str:
    stream = stream or process.stdout
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        assert selector.select(timeout), "the process announced nothing"
    return stream.readline()


def test_serve_announces_where_it_listens_and_serves_the_app(cli, free_tcp_port):
    cli("init")
    port = free_tcp_port
    env = {**cli.env, "RACIFLOW_WEB_WORKERS": "1"}
    command = [*RACIFLOW, "serve", "--port", str(port), "--json"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(first_line(server))
        assert ready == {"url": f"http://127.0.0.1:{port}/", "workers": 1}
        with urllib.request.urlopen(f"{ready['url']}login", timeout=30) as response:
            page = response.read().decode()
        assert response.status == 200 and 'name="password"' in page

        busy = cli("serve", "--port", str(port), ok=False)
        assert busy.returncode == 1
        assert busy.stderr.startswith(f"error: cannot serve on 127.0.0.1:{port}")
        assert busy.stderr.count("\n") == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
