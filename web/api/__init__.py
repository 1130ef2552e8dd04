"""The JSON API under /api/v1 (being built: issue 5)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API's blueprints and its OpenAPI document."""
