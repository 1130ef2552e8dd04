"""Each request reads in one transaction: the engine's read scope, opened and ended here.

See engine/read_scope.py: the reads of a request (who is calling, what they may see,
the page's data) share one read transaction; a write the request makes runs in its own
and ends the read one, so what is read after it sees it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from flask import Flask, g

from engine.read_scope import ReadScope, shared_reads

_KEY = "raciflow_read_scope"


def init_app(app: Flask) -> None:
    # Before every other hook: the user's sign-in is read inside the scope.
    app.before_request_funcs.setdefault(None, []).insert(0, _open_scope)
    app.teardown_request(_close_scope)


def _open_scope() -> None:
    scope = shared_reads()
    scope.__enter__()
    setattr(g, _KEY, scope)


def _close_scope(_exc: BaseException | None) -> None:
    scope: AbstractContextManager[ReadScope] | None = g.pop(_KEY, None)
    if scope is not None:
        scope.__exit__(None, None, None)
