"""The caller: who they are, their roles and language, their saved inbox filters.

Everything here is the caller's own; nobody reads or changes another user's.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from engine.commands.accounts import LOCALES
from engine.views import api_lists
from web.services import engine

from .auth import api_blueprint, api_user
from .errors import documented
from .schemas import MAX_ID, text

bp = api_blueprint("api_me", __name__, "You: roles, language, saved filters.")


class Me(Schema):
    username = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    stands_in_for = fields.List(
        fields.String(), required=True, metadata={"description": "Whom you deputise for today"}
    )
    language = fields.String(required=True, validate=validate.OneOf(LOCALES))


class LanguageArgs(Schema):
    language = fields.String(required=True, validate=validate.OneOf(LOCALES))


class SavedFilter(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    query = fields.Dict(required=True)


class FilterArgs(Schema):
    name = text(100, blank=False, required=True)
    query = fields.Dict(
        keys=text(50),
        values=text(200),
        required=True,
        validate=validate.Length(max=20),
        metadata={"description": "Query parameters of GET /tasks"},
    )


def _me() -> dict[str, Any]:
    user = api_user()
    return {
        "username": user.username,
        "name": user.name,
        "roles": sorted(user.roles),
        "stands_in_for": api_lists.acting_for(engine().uow(), user.username),
        "language": user.locale,
    }


@bp.route("/me")
@bp.response(200, Me)
@documented(bp)
def me() -> dict[str, Any]:
    """Show who you are: your roles, whom you stand in for today, your language."""
    return _me()


@bp.route("/me/language", methods=["POST"])
@bp.arguments(LanguageArgs)
@bp.response(200, Me)
@documented(bp, 400, 413)
def language(args: dict[str, Any]) -> dict[str, Any]:
    """Choose the language of your pages and notifications."""
    engine().set_locale(api_user().username, args["language"])
    api_user().locale = args["language"]
    return _me()


@bp.route("/me/filters")
@bp.response(200, SavedFilter(many=True))
@documented(bp)
def filters() -> list[dict[str, Any]]:
    """List your saved inbox filters."""
    return engine().saved_filters(api_user().username)


@bp.route("/me/filters", methods=["POST"])
@bp.arguments(FilterArgs)
@bp.response(200, SavedFilter(many=True))
@documented(bp, 400, 413)
def save_filter(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Save an inbox filter under a name (the same name replaces it)."""
    engine().save_filter(api_user().username, args["name"].strip(), args["query"])
    return engine().saved_filters(api_user().username)


@bp.route(f"/me/filters/<int(max={MAX_ID}):filter_id>", methods=["DELETE"])
@bp.response(204)
@documented(bp, 404)
def delete_filter(filter_id: int) -> None:
    """Delete one of your saved filters."""
    engine().delete_filter(api_user().username, filter_id)
