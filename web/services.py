"""How views reach the service layer: the engine lives in app.extensions, not in globals."""

from __future__ import annotations

from flask import current_app

from engine import ProcessEngine


def engine() -> ProcessEngine:
    return current_app.extensions["raciflow"]
