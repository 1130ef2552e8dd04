"""The inbox: my tasks, my roles' queue, sign-offs, consultations and notifications.

Any signed-in user has an inbox; it only ever lists their own work (the read
model engine/views/inbox.py selects by their roles). Claiming and releasing
go through the engine, which applies the RACI rules to each task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine import views
from engine.errors import EngineError
from engine.views.inbox import (
    COUNT_CAP,
    OPENING_ORDER,
    inbox_counts,
    inbox_page,
    opening_section,
)
from engine.views.inbox_sections import DUE_FILTERS, SORTS, InboxQuery
from engine.views.notifications import notification, notifications_page
from workflows.customer_search import CASES_BY_CUSTOMER_NAME

from . import display, form_values, names
from .customer_card import case_customers
from .draft_files import process_title
from .i18n import error_text
from .inbox_rows import inbox_rows
from .query_args import page_number
from .services import engine

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
bp.add_app_template_filter(form_values.local_time, "local_time")

PER_PAGE = 20
MAX_BULK = 100  # tasks one bulk action may touch
DEFAULTS = {"due": DUE_FILTERS[0], "sort": SORTS[0]}


@bp.get("/")
@login_required
def index() -> str:
    args = _filters(request.args)
    page = page_number()
    user = current_user.username
    counts = inbox_counts(engine().uow(), user)
    if not args["section"]:  # none picked: open where the work is
        args["section"] = opening_section(counts)
    processes = _process_names()
    if args["section"] == "notifications":
        listing = notifications_page(
            engine().uow(), user, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
    else:
        query = InboxQuery(
            section=args["section"],
            process_id=args["process"] or None,
            customer=args["customer"] or None,
            key_search=CASES_BY_CUSTOMER_NAME,
            due=args["due"],
            sort=args["sort"],
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
            zone=display.zone(),
        )
        listing = inbox_page(engine().uow(), user, query)
        listing["items"] = inbox_rows(engine().uow(), listing["items"], processes)
    pages = max(1, -(-listing["total"] // PER_PAGE))
    # The section is always kept: a page without one would open where the work is.
    kept = {key: value for key, value in args.items() if value and value != DEFAULTS.get(key)}

    def link(**changes: Any) -> str:
        """This inbox page's address with some of its filters changed."""
        return url_for("inbox.index", **{**kept, **changes})

    # The process changes an approver is to sign (sign-off work, listed in that section).
    waiting = counts.get("drafts") and args["section"] == "signoffs"
    drafts_to_sign = [
        {"id": d.id, "title": process_title(d.process_id, d.files), "owner": d.owner}
        for d in (engine().drafts(user=user)["to_approve"] if waiting else [])
    ]
    return render_template(
        "inbox/index.html",
        drafts_to_sign=drafts_to_sign,
        args=args,
        link=link,
        listing=listing,
        page=page,
        pages=pages,
        counts=counts,
        processes=processes,
        saved=engine().saved_filters(user),
        cap=COUNT_CAP,
    )


def _process_names() -> dict[str, str]:
    """Each deployed process's name (its latest version's), by process id."""
    versions = sorted(views.process_versions(engine().uow()), key=lambda v: v["version"])
    return {v["process_id"]: v["name"] for v in versions}


@bp.post("/claim")
@login_required
def claim() -> Response:
    done, refused = _each(engine().claim)
    return _report(ngettext("Claimed %(num)s task.", "Claimed %(num)s tasks.", done), refused)


@bp.post("/release")
@login_required
def release() -> Response:
    done, refused = _each(engine().release)
    return _report(
        ngettext(
            "Returned %(num)s task to the queue.", "Returned %(num)s tasks to the queue.", done
        ),
        refused,
    )


def _each(act: Callable[..., Any]) -> tuple[int, list[str]]:
    """Apply `act` to each chosen task; count what went through, keep why others did not."""
    done, refused = 0, []
    for task_id in request.form.getlist("task_id")[:MAX_BULK]:
        try:
            act(task_id, user=current_user.username)
            done += 1
        except EngineError as error:  # one refusal must not stop the others
            refused.append(
                _("%(task)s: %(reason)s", task=_named(task_id), reason=error_text(error))
            )
    return done, refused


def _named(task_id: str) -> str:
    """A task among many, as its inbox row names it: its name and its case's key."""
    try:
        task = views.task_detail(engine().uow(), task_id)
    except EngineError:  # no such task (a form made by hand): say so without its id
        return _("a task that does not exist")
    key = task.get("business_key")
    if not key:
        return _("«%(task)s»", task=names.tr(task["name"]))
    [customer] = case_customers(engine().uow(), [(None, key)])
    case = f"{customer['name']} {customer['code']}" if customer else key
    return _("«%(task)s» (%(case)s)", task=names.tr(task["name"]), case=case)


def _report(message: str, refused: list[str]) -> Response:
    if not request.form.getlist("task_id"):  # nothing ticked: "claimed 0 tasks" says nothing
        flash(_("Tick the tasks first: none was chosen."), "error")
        return _back()
    if not refused or len(refused) < len(request.form.getlist("task_id")):
        flash(message, "ok")
    for reason in refused:
        flash(_("Not done: %(reason)s", reason=reason), "error")
    return _back()


@bp.post("/filters")
@login_required
def save_filter() -> Response:
    query = {key: value for key, value in _filters(request.form).items() if value}
    try:
        engine().save_filter(current_user.username, request.form.get("name", ""), query)
        flash(_("Filter saved."), "ok")
    except EngineError as error:
        flash(error_text(error), "error")
    return redirect(url_for("inbox.index", **query))


@bp.post("/filters/<int:filter_id>/delete")
@login_required
def delete_filter(filter_id: int) -> Response:
    engine().delete_filter(current_user.username, filter_id)  # NotFound for another's filter
    flash(_("Filter deleted."), "ok")
    return _back()


@bp.post("/notifications/read")
@login_required
def mark_read() -> Response:
    ids = [int(i) for i in request.form.getlist("notification_id") if i.isdigit()]
    count = engine().mark_read(current_user.username, ids)
    flash(ngettext("%(num)s notification read.", "%(num)s notifications read.", count), "ok")
    return _back()


# Where a notice's "open" buttons lead: the notice's field naming it, and the page.
NOTICE_TARGETS = {
    "task": ("task_id", "tasks.show", "task_id"),
    "case": ("instance_id", "instances.detail", "instance_id"),
    "change": ("draft_id", "drafts.review", "draft_id"),
}


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int) -> Response:
    """Go to what an unread notice is about, and count it read: having to tick it
    afterwards as well was a chore nobody did, so the count of unread meant nothing."""
    notice = notification(engine().uow(), current_user.username, notification_id)
    target = NOTICE_TARGETS.get(request.args.get("to", ""))
    if notice is None or target is None or not notice[target[0]]:
        abort(404)
    field, endpoint, argument = target
    engine().mark_read(current_user.username, [notification_id])
    return redirect(url_for(endpoint, **{argument: notice[field]}))


def _filters(source: Any) -> dict[str, str]:
    """The inbox filters in `source` (query string or form); unknown values fall back."""
    section = source.get("section", "")
    due, sort = source.get("due", ""), source.get("sort", "")
    return {
        "section": section if section in OPENING_ORDER else "",  # "": where the work is
        "process": source.get("process", "").strip()[:200],
        "customer": source.get("customer", "").strip()[:200],
        "due": due if due in DUE_FILTERS else DUE_FILTERS[0],
        "sort": sort if sort in SORTS else SORTS[0],
    }


def _back() -> Response:
    """Back to the inbox page the form was on (same-site inbox paths only)."""
    target = request.form.get("next", "")
    if target.startswith("/inbox/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("inbox.index"))
