"""Who is calling the API: bearer tokens only, and the token exchange (POST /tokens).

Every API call but the token exchange and the OpenAPI document needs
`Authorization: Bearer <token>`. Session cookies from the web pages never
authenticate an API call, so a page on another site cannot ride on a signed-in
browser: that is why the API needs, and has, no CSRF token.

POST /tokens trades a username and password for a new token, shown once (only
its hash is stored). It expires after `expires_in_days` (default 90), and dies
earlier when the user's password changes or an admin revokes it. It is
rate-limited like the sign-in page: 10 a minute per address, 20 an hour per
username.
"""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, Unauthorized

from engine.commands.accounts import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from engine.errors import NotAllowed
from engine.views.visibility import OVERSIGHT_ROLES
from raci.messages import N_, Message
from web.auth import WebUser, web_user
from web.extensions import limiter
from web.services import engine

from .errors import Error, handle_http_error
from .schemas import text

OVERSIGHT = OVERSIGHT_ROLES  # and admin: WebUser.has_role always lets admins in


def api_blueprint(
    name: str, import_name: str, description: str, *, authenticated: bool = True
) -> Blueprint:
    """A blueprint of the API: bearer-authenticated, answering errors in the one shape."""
    blueprint = Blueprint(name, import_name, description=description)
    blueprint.before_request(refuse_oversized)
    if authenticated:
        blueprint.before_request(authenticate)
    blueprint.register_error_handler(HTTPException, handle_http_error)
    return blueprint


def authenticate() -> None:
    """Identify the caller by their bearer token (before every protected API view).

    One read transaction: the token and its owner in one SELECT, the directory from
    the process's cache; the token's last use is written at most once a minute.
    """
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    account = engine().signed_in_by_token(token.strip())
    if account is None:
        raise Unauthorized()
    g.api_user = web_user(account)


def refuse_oversized() -> None:
    """Refuse a body over MAX_CONTENT_LENGTH before reading it, whatever the endpoint."""
    limit = request.max_content_length  # the app's, or a larger one for uploads (case_notes)
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def api_user() -> WebUser:
    """The user the current API call authenticated as."""
    return g.api_user


def require_role(*roles: str) -> WebUser:
    """The caller, if they hold one of `roles` (admins always); else NotAllowed (403)."""
    user = api_user()
    if not user.has_role(*roles):
        raise NotAllowed(f"this needs one of the roles {', '.join(roles)}")
    return user


bp = api_blueprint(
    "api_tokens", __name__, "Exchange a password for an API token.", authenticated=False
)


class Credentials(Schema):
    username = text(200, required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1000))
    label = text(100, load_default="api", metadata={"description": "What the token is for"})
    expires_in_days = fields.Integer(
        load_default=DEFAULT_TOKEN_DAYS,
        validate=validate.Range(1, MAX_TOKEN_DAYS),
        metadata={"description": "Days until the token stops working"},
    )


class Token(Schema):
    token = fields.String(required=True, metadata={"description": "Shown once: keep it safe"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    username = fields.String(required=True)
    id = fields.String(
        required=True,
        metadata={
            "description": "Names the token to revoke it (`raciflow directory revoke-token`)"
        },
    )
    expires_at = fields.DateTime(required=True)


def _username_key() -> str:
    # Limit guesses per account as well as per address.
    body = request.get_json(silent=True) if (request.content_length or 0) < 65536 else None
    username = body.get("username") if isinstance(body, dict) else None
    return f"api-token:{str(username or '').strip().lower()}"


@bp.route("/tokens", methods=["POST"])
@limiter.limit("10 per minute")
@limiter.limit("20 per hour", key_func=_username_key)
@bp.arguments(Credentials)
@bp.response(201, Token)
@bp.alt_response(401, schema=Error, description="Wrong username or password")
@bp.alt_response(403, schema=Error, description="The password is a one-time password")
@bp.alt_response(429, schema=Error, description="Too many attempts")
@bp.doc(security=[])
def create_token(credentials: dict[str, Any]) -> dict[str, Any]:
    """Exchange a username and password for an API token."""
    username = credentials["username"].strip().lower()
    if not engine().authenticate(username, credentials["password"]):
        raise Unauthorized("wrong username or password")
    if engine().must_change_password(username):
        # A one-time password opens the password change and nothing else (web/auth.py).
        raise NotAllowed(
            Message(N_("change your one-time password on the web before asking for a token"))
        )
    issued = engine().issue_token(
        username,
        label=credentials["label"],
        expires_in_days=credentials["expires_in_days"],
        by=username,
    )
    return {
        "token": issued.token,
        "token_type": "Bearer",
        "username": username,
        "id": issued.id,
        "expires_at": issued.expires_at,
    }
