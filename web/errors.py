"""Engine errors become HTTP answers here, at the edge: pages for people, JSON for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from engine.errors import (
    ConcurrencyConflict,
    EngineError,
    InvalidDefinition,
    InvalidState,
    InvalidTaskData,
    NotAllowed,
    NotFound,
)

from .i18n import error_text

STATUS = {
    NotFound: 404,
    NotAllowed: 403,
    InvalidTaskData: 422,
    InvalidDefinition: 422,
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


def _page_message(error: HTTPException) -> str | None:
    # Flask-Limiter's description is the limit itself ("10 per 1 minute"): say what to do.
    if error.code == 429:
        return gettext("Too many attempts: wait a minute and try again.")
    return error.description


def protocol_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers HTTP asks of an error (`Allow` on 405, `Retry-After`, ...), not its body's."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
