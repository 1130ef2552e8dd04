"""Engine errors become HTTP answers here, at the edge: pages for people, JSON for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from engine.attachments import AttachmentRefused
from engine.errors import (
    ConcurrencyConflict,
    EngineError,
    InvalidDefinition,
    InvalidState,
    InvalidTaskData,
    InvalidText,
    NotAllowed,
    NotFound,
)
from raci.messages import message_of

from .i18n import error_text

STATUS = {
    AttachmentRefused: 422,
    NotFound: 404,
    NotAllowed: 403,
    InvalidTaskData: 422,
    InvalidDefinition: 422,
    InvalidText: 422,  # before InvalidState, which it is
    InvalidState: 409,
    ConcurrencyConflict: 409,
}


def status_of(error: EngineError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def error_body(status: int, code: str, message: str, fields: Any = None) -> dict[str, Any]:
    """The one shape of every API error."""
    body: dict[str, Any] = {"error": {"status": status, "code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return body


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def engine_error(error: EngineError) -> Any:
        status = status_of(error)
        fields = error.errors if isinstance(error, InvalidTaskData) else None
        code = type(error).__name__
        message = error_text(error)
        if wants_json():
            return jsonify(error_body(status, code, message, fields)), status
        if message_of(error) is None:  # an English detail for logs and the API: say it plainly
            message = _engine_error_plainly(error, status, message)
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if wants_json():
            code = (error.name or "error").replace(" ", "")
            body = jsonify(error_body(status, code, error.description or ""))
        else:
            body = render_template("error.html", status=status, message=_page_message(error))
        return body, status, protocol_headers(error)


# What a page says for an answer that carries no message of its own for people (the web
# framework's English default, or an engine error's English detail).
PLAIN_WORDS = {
    400: _l("The request could not be read. Go back and try again."),
    403: _l("You may not open this page or do this."),
    404: _l("There is no such page: it may have been removed, or the link is wrong."),
    405: _l("This page is not opened that way: go back and use its buttons."),
    409: _l("Someone else changed this at the same time: reload the page and try again."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts: wait a minute and try again."),
    500: _l(
        "Something went wrong on our side. Reload the page to see where things stand; if it"
        " happens again, tell an administrator."
    ),
}


MOVED_ON = _l("This cannot be done now: the case has moved on. Reload the page.")


def _engine_error_plainly(error: EngineError, status: int, detail: str) -> str:
    if isinstance(error, InvalidState) and not isinstance(error, ConcurrencyConflict):
        return str(MOVED_ON)
    return _said_plainly(status, detail) or detail


def _said_plainly(status: int, message: str | None) -> str | None:
    plain = PLAIN_WORDS.get(status)
    return str(plain) if plain is not None else message


def _page_message(error: HTTPException) -> str | None:
    # The framework's descriptions are English, and Flask-Limiter's is the limit itself
    # ("10 per 1 minute"); a description the app gave (abort(403, reason)) is kept.
    if error.code == 429 or error.description == type(error).description:
        return _said_plainly(error.code or 500, error.description)
    return error.description


def protocol_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers HTTP asks of an error (`Allow` on 405, `Retry-After`, ...), not its body's."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
