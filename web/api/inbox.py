"""The caller's inbox: work of their roles, their claimed work, sign-offs, consultations, notices.

Every list here is the caller's own: the queue holds open tasks of the R roles
they hold or stand in for today (unclaimed, or claimed by them or by someone
they stand in for: a deputy carries on the absent claimant's work); sign-offs, the
work waiting for their A role and never their own; consultations, those
addressed to their C roles; notifications, theirs alone.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from engine import views
from engine.views import api_lists
from engine.views.notifications import notifications_page
from web import display
from web.services import engine

from .auth import api_blueprint, api_user
from .errors import documented
from .schemas import (
    MAX_ID,
    PageArgs,
    Task,
    TaskPage,
    WorkedTask,
    WorkedTaskPage,
    nullable,
    page_of,
    text,
    time_field,
)

bp = api_blueprint("api_inbox", __name__, "Your inbox.")


class QueueArgs(PageArgs):
    process = text(200, metadata={"description": "A process id"})
    business_key = text(200)
    due = fields.String(
        validate=validate.OneOf(api_lists.DUE_WINDOWS),
        metadata={
            "description": "overdue: due before now; today: before the next midnight in the"
            " server's time zone (RACIFLOW_TIMEZONE), overdue included; week: within 7 days"
        },
    )
    sort = fields.String(load_default="created", validate=validate.OneOf(api_lists.TASK_SORTS))


class ListArgs(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class Signoff(WorkedTask):
    pass


class OpenConsultation(Schema):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    requested_at = time_field(required=True)
    task = fields.Nested(Task, required=True)


class Notification(Schema):
    id = fields.Integer(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    created_at = time_field(required=True)
    read_at = time_field()
    instance_id = nullable()
    task_id = nullable()
    draft_id = nullable()


class NotificationArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class ReadArgs(Schema):
    ids = fields.List(
        fields.Integer(validate=validate.Range(1, MAX_ID)),
        required=True,
        validate=validate.Length(min=1, max=1000),
    )


class Marked(Schema):
    marked = fields.Integer(required=True, metadata={"description": "How many were unread"})


@bp.route("/tasks")
@bp.arguments(QueueArgs, location="query")
@bp.response(200, TaskPage)
@documented(bp)
def queue(args: dict[str, Any]) -> dict[str, Any]:
    """List the open tasks your roles may work, claimed by you or by nobody."""
    process_id = args.pop("process", None)
    return api_lists.task_queue(
        engine().uow(), api_user().username, process_id=process_id, zone=display.zone(), **args
    )


@bp.route("/tasks/mine")
@bp.arguments(PageArgs, location="query")
@bp.response(200, WorkedTaskPage)
@documented(bp)
def mine(args: dict[str, Any]) -> dict[str, Any]:
    """List the tasks you claimed, and your work still waiting for sign-off."""
    return api_lists.my_tasks(engine().uow(), api_user().username, **args)


@bp.route("/signoffs")
@bp.arguments(ListArgs, location="query")
@bp.response(200, Signoff(many=True))
@documented(bp)
def signoffs(args: dict[str, Any]) -> list[dict[str, Any]]:
    """List the work waiting for your sign-off (A), oldest first; never your own."""
    return views.signoffs_for(engine().uow(), api_user().username, limit=args["limit"])


@bp.route("/consultations")
@bp.arguments(ListArgs, location="query")
@bp.response(200, OpenConsultation(many=True))
@documented(bp)
def consultations(args: dict[str, Any]) -> list[dict[str, Any]]:
    """List the open consultations addressed to your roles (C)."""
    return views.consultations_for(engine().uow(), api_user().username, limit=args["limit"])


@bp.route("/notifications")
@bp.arguments(NotificationArgs, location="query")
@bp.response(200, page_of(Notification, "NotificationPage"))
@documented(bp)
def notifications(args: dict[str, Any]) -> dict[str, Any]:
    """List your notifications (RACI I, and work sent back to you), newest first."""
    unread = args.pop("unread")
    return notifications_page(engine().uow(), api_user().username, unread_only=unread, **args)


@bp.route("/notifications/read", methods=["POST"])
@bp.arguments(ReadArgs)
@bp.response(200, Marked)
@documented(bp, 400, 413)
def mark_read(args: dict[str, Any]) -> dict[str, Any]:
    """Mark some of your notifications read (others' ids are ignored)."""
    return {"marked": engine().mark_read(api_user().username, args["ids"])}
