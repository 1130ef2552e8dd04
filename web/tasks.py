"""The tasks pages (being built: issue 5)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.get("/")
@login_required
def index() -> str:
    return render_template("placeholder.html", title="tasks")
