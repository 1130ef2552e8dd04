"""Each request reads in one transaction: the engine's read scope, opened and ended here.

See engine/read_scope.py: the reads of a request (who is calling, what they may see,
the page's data) share one read transaction; a write the request makes runs in its own
and ends the read one, so what is read after it sees it. An API call that changes
something reads in the transaction its write then continues (one, not two).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from flask import Flask, g, request

from engine.read_scope import ReadScope, shared_reads

from .api import is_api_path

_KEY = "raciflow_read_scope"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    # Before every other hook: the user's sign-in is read inside the scope.
    app.before_request_funcs.setdefault(None, []).insert(0, _open_scope)
    app.teardown_request(_close_scope)


def _open_scope() -> None:
    scope = shared_reads(writes_next=writes_next())
    scope.__enter__()
    setattr(g, _KEY, scope)


def _close_scope(_exc: BaseException | None) -> None:
    scope: AbstractContextManager[ReadScope] | None = g.pop(_KEY, None)
    if scope is not None:
        scope.__exit__(None, None, None)


def writes_next() -> bool:
    """Whether this request reads in the transaction its write will continue: an API
    call that changes something, with a JSON body or none, which is read whole first.
    On SQLite that transaction holds the write lock, never while a client still sends.
    An upload (a form) reads and writes as pages do; an oversized body is refused later."""
    if request.method in SAFE_METHODS or not is_api_path(request.path):
        return False
    length = request.content_length or 0
    if length and not request.is_json:
        return False
    limit = request.max_content_length
    if limit is not None and length > limit:
        return False
    request.get_data(cache=True)
    return True
