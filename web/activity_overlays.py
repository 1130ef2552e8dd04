"""What the process page writes on each activity of its diagram: the open tasks and the
median time they waited to be taken up (engine/views/activity_load.py), in the reader's
language. A badge per activity with open tasks; other pages that draw a version (an
analytics heat map) can take the same texts, or the loads themselves for colours."""

from __future__ import annotations

from flask_babel import gettext

from engine.views.activity_load import ActivityLoad

from . import display
from .services import engine


def loads(process_id: str, version: int) -> dict[str, ActivityLoad]:
    """Each activity of the version that has open tasks, by its BPMN id."""
    return engine().activity_load(process_id, version)


def badge_text(load: ActivityLoad) -> str:
    return gettext(
        "%(count)s open · median wait %(wait)s",
        count=load.open,
        wait=display.duration(load.median_wait),
    )


def overlay_texts(process_id: str, version: int) -> dict[str, str]:
    """The badge of each activity of the version that has open tasks."""
    return {activity: badge_text(load) for activity, load in loads(process_id, version).items()}
