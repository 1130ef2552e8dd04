"""The crash soak (bench/crash_soak.py), run briefly so that it cannot rot."""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "bench" / "crash_soak.py"


def load_soak():
    spec = importlib.util.spec_from_file_location("crash_soak", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_short_soak_loses_and_doubles_nothing(tmp_path):
    crash_soak = load_soak()
    # Seed 10 kills a web worker, then the worker (a master restart costs seconds more).
    result = crash_soak.soak(
        seconds=3, max_kills=2, clients=2, postgres=None, seed=10, work=tmp_path
    )
    assert crash_soak.passed(result), result
    assert result["acknowledged"].get("approve", 0) >= 1
    assert sum(result["kills"].values()) >= 1


def test_an_answer_cut_off_mid_body_counts_as_no_answer():
    """A worker killed while sending its answer left the client with half a body
    (IncompleteRead, no OSError): the client thread died and the soak went on short."""
    crash_soak = load_soak()
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_half() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 196\r\n\r\n{")

    server = threading.Thread(target=answer_half)
    server.start()
    port = listener.getsockname()[1]
    try:
        answer = crash_soak.Api(f"http://127.0.0.1:{port}", "token").call("POST", "/x", {})
    finally:
        server.join(timeout=5)
        listener.close()
    assert answer == (None, None)  # sent again by `step`, as a reset connection is
