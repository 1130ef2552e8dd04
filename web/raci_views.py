"""The raci pages (being built: issue 5)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("raci", __name__, url_prefix="/raci")


@bp.get("/")
@login_required
def index() -> str:
    return render_template("placeholder.html", title="raci")
