"""Run the Flask app under gunicorn, the production WSGI server."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from web.app import create_app

        return create_app()


class AddressInUse(OSError):
    """The address to serve on cannot be bound."""


def run(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int = 1,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve until stopped; `on_ready` runs once the server listens."""
    _check_bindable(host, port)
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "accesslog": "-",
    }
    if on_ready is not None:
        options["when_ready"] = lambda _server: on_ready()
    _Server(options).run()


def _check_bindable(host: str, port: int) -> None:
    # gunicorn retries a busy address for five seconds and logs each try; say it once.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise AddressInUse(f"cannot serve on {host}:{port}: {err.strerror}") from err
