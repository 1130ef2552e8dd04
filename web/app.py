"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template

from engine import views

from .bootstrap import engine_for
from .config import Settings


def create_app(
    settings: Settings | None = None, test_config: dict[str, Any] | None = None
) -> Flask:
    """Create the raciflow web application."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["raciflow"] = engine_for(settings)

    @app.get("/healthz")
    def health() -> Any:
        engine = app.extensions["raciflow"]
        return jsonify(status="ok", process_versions=len(views.process_versions(engine.uow())))

    @app.get("/")
    def index() -> str:
        engine = app.extensions["raciflow"]
        return render_template("index.html", versions=views.process_versions(engine.uow()))

    return app
