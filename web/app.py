"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user

from engine import views
from raci.visibility import ANALYST_ROLE, AUDITOR_ROLE

from . import (
    case_notes,
    cookie_sessions,
    display,
    errors,
    form_messages,
    i18n,
    input_hygiene,
    names,
    request_reads,
    suggestions,
    trail_views,
    vocabulary,
)
from .bootstrap import engine_for
from .config import Settings
from .diagram_response import LIMITS_KEY
from .extensions import babel, csrf, init_limiter, login_manager

LOCALES = ("el", "en")


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
        SESSION_COOKIE_SECURE=not settings.development,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=not settings.development,
        MAX_CONTENT_LENGTH=1024 * 1024,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage,
        # Explicit: the limiter is one shared object and would keep another app's setting.
        RATELIMIT_ENABLED=True,
        BABEL_DEFAULT_LOCALE="el",
        BABEL_TRANSLATION_DIRECTORIES="translations",
        WTF_CSRF_TIME_LIMIT=None,  # the session's lifetime bounds the token
    )
    app.config[LIMITS_KEY] = settings.diagram_limits
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["raciflow"] = engine_for(settings)

    login_manager.init_app(app)
    case_notes.init_app(app)  # before CSRF, which reads the body: uploads may be larger
    csrf.init_app(app)
    init_limiter(app)
    babel.init_app(app, locale_selector=_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    # Names that come from data (process and task names in BPMN) are in the catalog too.
    app.jinja_env.filters["tr"] = lambda text: gettext(text) if text else text
    # Codes as words, through the one lookup of each (web/vocabulary.py, web/names.py).
    app.jinja_env.filters["role"] = vocabulary.role_name
    app.jinja_env.filters["roles"] = vocabulary.role_names
    app.jinja_env.filters["term"] = vocabulary.term
    app.jinja_env.filters["reason"] = trail_views.reason_view
    app.jinja_env.filters["event_reason"] = trail_views.event_reason
    app.jinja_env.filters["process_name"] = names.process_name
    app.jinja_env.globals["task_name"] = names.task_name
    app.jinja_env.globals["suggestions"] = suggestions.suggestions
    app.jinja_env.globals["semicolon"] = i18n.semicolon
    app.jinja_env.filters["form_message"] = form_messages.translate
    errors.init_app(app)
    input_hygiene.init_app(app)
    request_reads.init_app(app)
    cookie_sessions.init_app(app)
    _register_blueprints(app)
    display.init_app(app, settings.timezone)  # after the blueprints: its filters win
    app.after_request(_security_headers)

    @app.get("/healthz")
    def health() -> Any:
        engine = app.extensions["raciflow"]
        return jsonify(status="ok", process_versions=len(views.process_versions(engine.uow())))

    @app.get("/")
    def home() -> Any:
        if not current_user.is_authenticated:
            return render_template("index.html")
        return redirect(_landing(current_user.roles))

    return app


# Where a sign-in lands for someone whose only role reads rather than works: an analyst
# or an auditor holds no letter in any matrix, so their inbox is always empty.
_READING_PAGES = {ANALYST_ROLE: "analytics.index", AUDITOR_ROLE: "audit.index"}


def _landing(roles: set[str]) -> str:
    """The first page of a signed-in user: their inbox, unless reading is all their work."""
    only = next(iter(roles)) if len(roles) == 1 else None
    return url_for(_READING_PAGES.get(only, "inbox.index"))


def _register_blueprints(app: Flask) -> None:
    from . import (
        account,
        analytics,
        api,
        audit_views,
        auth,
        bpmn_viewer,
        case_views,
        drafts,
        inbox,
        instances,
        raci_views,
        reassign,
        start,
        tasks,
        user_admin,
        vendor,
        versions,
    )

    for module in (auth, inbox, tasks, start, instances, audit_views, case_views, raci_views):
        app.register_blueprint(module.bp)
    for module in (account, user_admin, reassign):  # people: issue 12
        app.register_blueprint(module.bp)
    for module in (versions, drafts, vendor, bpmn_viewer):  # process owners: issue 15
        app.register_blueprint(module.bp)
    app.register_blueprint(analytics.bp)  # issue 16
    api.init_app(app)


def _locale() -> str:
    api_caller = g.get("api_user")  # an API call answers in its caller's language too
    if api_caller is not None:
        return api_caller.locale
    if current_user.is_authenticated:
        return current_user.locale
    return request.accept_languages.best_match(LOCALES) or LOCALES[0]


def _security_headers(response: Any) -> Any:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
