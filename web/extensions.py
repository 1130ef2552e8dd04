"""The Flask extensions, created once and bound to the app by the factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf import CSRFProtect

from . import ratelimit_store  # noqa: F401  registers the raciflow-sqlite:// store

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_limiter(app: Flask) -> None:
    """Bind the limiter, which counts only where a view says so (@limiter.limit,
    password_guesses: each checks itself when called).

    There is no limit on every request (default_limits=[]), so the check the limiter
    hooks in before every request finds nothing to count, at ~3% of an API call's CPU;
    it is left out, unless a default or application-wide limit is configured."""
    limiter.init_app(app)
    manager = limiter.limit_manager
    hooks = app.before_request_funcs.get(None, [])
    every_request = limiter._check_request_limit  # not hooked in if limits are disabled
    if every_request in hooks and not manager.default_limits and not manager.application_limits:
        hooks.remove(every_request)


def _refused(response: Response) -> bool:
    return response.status_code == 403


def _signed_in_user() -> str:
    return f"user:{current_user.get_id()}"


def password_guesses(scope: str, key_func: Callable[[], str] = _signed_in_user) -> Any:
    """Ten refused passwords a minute per user, shared by every act of `scope`.

    Only a refused password (403) costs: a supervisor signing fifty orders in a row is
    not guessing, and an office behind one address is not one user.
    """
    return limiter.shared_limit(
        "10 per minute", scope=scope, key_func=key_func, deduct_when=_refused
    )
