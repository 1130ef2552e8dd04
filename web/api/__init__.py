"""The JSON API under /api/v1, for everything the web pages do, with its OpenAPI document.

Built with flask-smorest: the marshmallow schemas of each area both check what
comes in and document what goes out, at GET /api/v1/openapi.json (OpenAPI 3,
bearer security). One blueprint per area; authentication is web/api/auth.py,
the authorisation rules web/api/access.py and each area's docstring.

Every error is JSON of one shape (web/errors.py `error_body`):
`{"error": {"status", "code", "message", "fields"?}}`; unknown ids are 404,
malformed JSON 400, bodies over MAX_CONTENT_LENGTH 413, invalid input 422 with
the messages by field.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from werkzeug.routing import BaseConverter

from web.extensions import csrf

from . import (
    analytics,
    audit,
    auth,
    drafts,
    events,
    inbox,
    instances,
    me,
    notes,
    processes,
    signoff,
    tasks,
    versions,
)
from .errors import Error

PREFIX = "/api/v1"
ID_PATTERN = r"[A-Za-z0-9_.\-]{1,200}"  # of the URL converter; the document anchors it
AREAS = (
    me, inbox, tasks, signoff, processes, instances, notes, audit, drafts, events, versions,
    analytics,
)  # fmt: skip


def is_api_path(path: str) -> bool:
    """Whether a request's path is the JSON API's (bearer tokens, no cookie session)."""
    return path.startswith(PREFIX + "/")


class IdConverter(BaseConverter):
    """Task, instance and process ids: letters, digits and `_.-`; anything else is 404."""

    regex = ID_PATTERN


class RaciflowApi(Api):
    """flask-smorest's Api, minus its app-wide error handler: the web pages keep theirs."""

    ERROR_SCHEMA = Error

    def _register_error_handlers(self) -> None:
        """Leave errors to web/errors.py and to handle_http_error in the API blueprints."""


def init_app(app: Flask) -> None:
    """Register the API's blueprints and its OpenAPI document."""
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.url_map.converters["id"] = IdConverter
    api = RaciflowApi(
        app,
        spec_kwargs={
            "title": "raciflow",
            "version": "1",
            "openapi_version": "3.0.3",
            "info": {"description": __doc__},
            "security": [{"bearerAuth": []}],
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "A token from POST /tokens"},
    )
    api.register_converter(IdConverter, lambda _: {"type": "string", "pattern": f"^{ID_PATTERN}$"})
    for blueprint in (auth.bp, *(area.bp for area in AREAS)):
        csrf.exempt(blueprint)  # bearer tokens only: see web/api/auth.py
        api.register_blueprint(blueprint, url_prefix=PREFIX)
