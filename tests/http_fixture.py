"""A real HTTP server on localhost for connector tests: routes that answer, fail, or stall."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Seen:
    """What the server was asked: (method, path, headers, body) per request."""

    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    failures_left: dict[str, int] = field(default_factory=dict)  # path -> 503s to give first


def _handler(seen: Seen) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet in test output
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen.requests.append((self.command, self.path, dict(self.headers), body))
            path = self.path.split("?")[0]
            if seen.failures_left.get(path, 0) > 0:
                seen.failures_left[path] -= 1
                return self._send(503, {"error": "busy"})
            if path.startswith("/customers/"):
                if path.endswith("/404"):
                    return self._send(404, {"error": "no such customer"})
                customer = path.rsplit("/", 1)[1]
                return self._send(
                    200, {"id": customer, "name": "Kiosk Ω", "credit": {"limit": 5000}}
                )
            if path == "/slow":
                time.sleep(1.0)
                return self._send(200, {"late": True})
            if path == "/orders":
                return self._send(201, {"created": json.loads(body or b"{}")})
            return self._send(404, {"error": "unknown route"})

        def _send(self, status: int, payload: object) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _answer

    return Handler


@pytest.fixture
def http_server() -> Iterator[tuple[str, Seen]]:
    """(base URL, what it saw) of a server on a free localhost port, for one test."""
    seen = Seen()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(seen))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
