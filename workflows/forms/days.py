"""Days a form may name: a delivery is planned from today up to a horizon."""

from __future__ import annotations

from datetime import date, timedelta

from marshmallow import ValidationError

from engine.clock import form_time

from ..equipment_rules import local_today

# As far ahead as technicians are booked (equipment_rules.SCHEDULING_HORIZON): a day
# further off is a typing slip (2099 for 2026), not a plan.
DELIVERY_HORIZON = timedelta(days=60)


def delivery_day(day: date) -> None:
    """Refuse a delivery day that is over, or further ahead than the horizon."""
    today = local_today(form_time())
    if day < today:
        raise ValidationError("that day is over: choose today or a later day")
    if day - today > DELIVERY_HORIZON:
        raise ValidationError("at most 60 days ahead")
