"""What a task page knows: the task, its RACI roles, what the signed-in user may do with it.

Who may see a task (checked for the page and for every action on it) is
raci.visibility.may_see_task, which the API follows too: holders of any of its
letters (R, A, C or I; their deputies today; a role scoped to the case counts for
the case's person only), whoever acted on it, the instance's starter, auditors,
process owners and admins (read-only unless they also hold a role), and anyone
for an ungoverned process. Everyone else gets 403. What they may *do* is then
the engine's RACI rules; the page only offers the actions those rules allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort

from engine import views
from engine.views import visibility
from engine.views.inbox import task_facts
from raci import visibility as rules
from raci.matrix import Letter
from workflows.key_figures import customer_id_of

from .auth import WebUser
from .customer_card import customer_card, customer_of_order
from .display_values import is_blank
from .services import engine

# Processes whose work happens at the customer's: their pages show where, with a map link.
SITE_WORK = {
    "equipment_request": "installation",
    "order_release": "delivery",
    "emergency_order": "delivery",
}
# What the person sent there reads first about the job, beside the address: the case's
# fields, in this order (a technician on a phone saw only "Do the job at the customer").
SITE_BRIEF = {"equipment_request": ("kind", "asset_type", "asset_serial", "description")}


@dataclass
class TaskPage:
    """One task as `user` sees it."""

    task: dict[str, Any]
    letters: dict[str, list[str]]
    roles: set[str]  # the roles the user acts for today (own, and as a deputy)
    governed: bool
    overdue: bool
    user: str
    own_level: str | None = None  # the activity's own A role, when the work needs a higher one
    requested_by: str | None = None  # who asked for the case: they sign none of it
    advisory: bool = True  # its consultations do not hold the work back (RACI `advisory`)
    claimants: tuple[str, ...] = ()  # whose claimed tasks the user works: own, as a deputy
    earlier_performers: tuple[str, ...] = ()  # did it in a round before it was sent back

    @property
    def site_work(self) -> str | None:
        """ "installation" or "delivery" when the work happens at the customer's."""
        return SITE_WORK.get(self.task["process_id"])

    @property
    def status(self) -> str:
        return self.task["status"]

    def _holds(self, letter: str) -> bool:
        return bool(set(self.letters[letter]) & self.roles)

    @property
    def can_work(self) -> bool:
        """R: may claim and complete (open, an R role or ungoverned, and unclaimed or
        claimed by the user or by someone they stand in for today)."""
        return (
            self.status == "ready"
            and self.task["assignee"] in (None, *self.claimants)
            and (not self.governed or self._holds("R"))
        )

    @property
    def can_claim(self) -> bool:
        return self.can_work and self.task["assignee"] is None

    @property
    def can_release(self) -> bool:
        return self.status == "ready" and self.task["assignee"] in self.claimants

    @property
    def stood_in_for(self) -> str | None:
        """The claimant whose task the user carries on as their deputy, if any."""
        assignee = self.task["assignee"]
        return assignee if assignee != self.user and assignee in self.claimants else None

    @property
    def is_performer(self) -> bool:
        return self.user in (self.task["performer"], self.task["performer_for"])

    @property
    def waiting_for(self) -> list[str]:
        """The roles whose answer the work waits for before it can be completed: said
        beside the Complete button, not after the form was filled and sent."""
        if self.advisory or self.status != "ready":
            return []
        return [
            c["role"]
            for c in self.task.get("consultations", [])
            if c["answered_at"] is None and c["overridden_by"] is None
        ]

    @property
    def worked_before(self) -> bool:
        """Did this work (or had it done for them) before it was sent back: four eyes."""
        return self.user in self.earlier_performers and not self.is_performer

    @property
    def is_requester(self) -> bool:
        return self.user == self.requested_by

    @property
    def holds_signing_role(self) -> bool:
        """Acts today for the role that signs the task (A), themselves or as a deputy."""
        return self._holds("A")

    @property
    def holds_signoff_of_own_request(self) -> bool:
        """Holds the A role (e.g. standing in for the signer) of a case they asked for."""
        return self.is_requester and self._holds("A")

    @property
    def can_sign(self) -> bool:
        """A: may approve or reject (never one's own work nor request: four eyes)."""
        return (
            self.status == "awaiting_signoff"
            and self._holds("A")
            and not self.is_performer
            and not self.worked_before
            and not self.is_requester
        )

    @property
    def beyond_own_level(self) -> bool:
        """The user holds the activity's own A role, but the submitted work needs a higher
        one (raci `authority`): they read why they do not sign it."""
        return (
            self.status == "awaiting_signoff"
            and not self.can_sign
            and not self.is_performer
            and self.own_level in self.roles
        )

    @property
    def can_reassign(self) -> bool:
        """Whether the user may hand the open task to someone else (raci.policy's rule)."""
        return self.status == "ready" and engine().may_hand_over(self.task["id"], user=self.user)

    @property
    def accountable(self) -> str | None:
        return (self.letters["A"] or [None])[0]

    @property
    def can_override(self) -> bool:
        """A: may let the work go on without the answers it waits for (with a reason)."""
        return bool(self.waiting_for) and self._holds("A")

    def can_answer(self, consultation: dict[str, Any]) -> bool:
        """C: an open consultation of a role the user acts for, on an open task."""
        return (
            self.status in ("ready", "awaiting_signoff")
            and consultation["answered_at"] is None
            and consultation["overridden_by"] is None
            and consultation["role"] in self.roles
            and consultation.get("routed_to") in (None, self.user)  # scoped: the case's own
        )


def load(task_id: str, user: WebUser) -> TaskPage:
    """The task page of `task_id` for `user`; 404 if there is no such task, 403 if not theirs."""
    part = visibility.task_access(engine().uow(), task_id, user.username)
    if not rules.may_see_task(user.roles, part):
        abort(403)
    task = views.task_detail(engine().uow(), task_id)
    facts = task_facts(engine().uow(), task_id, user.username)
    if task["status"] in ("ready", "awaiting_signoff"):
        letters, governed = facts["letters"], facts["governed"]
    else:
        letters, governed = _matrix_letters(task, facts["version"])
    page = TaskPage(
        task,
        letters,
        set(facts["acting_roles"]),
        governed,
        facts["overdue"],
        user.username,
        requested_by=facts["started_by"],
        advisory=_advisory(task, facts["version"]),
        claimants=tuple(facts["claimants"]),
        earlier_performers=tuple(facts["earlier_performers"]),
    )
    if task["status"] == "awaiting_signoff":
        own = _matrix_letters(task, facts["version"])[0]["A"]
        if own and not set(own) & set(letters["A"]):
            page.own_level = own[0]
    return page


def _advisory(task: dict[str, Any], version: int) -> bool:
    """Whether the task's consultations are advice only (its matrix row's `advisory`)."""
    if not task["consultations"]:
        return True
    _, matrix = engine().matrix(task["process_id"], version)
    row = matrix.row_for(task["element"], task["name"]) if matrix else None
    return row is None or row.rules.advisory


def _matrix_letters(task: dict[str, Any], version: int) -> tuple[dict[str, list[str]], bool]:
    """A closed task's roles: the role index keeps open tasks only, so ask its matrix."""
    _, matrix = engine().matrix(task["process_id"], version)
    row = matrix.row_for(task["element"], task["name"]) if matrix else None
    letters: dict[str, list[str]] = {letter.value: [] for letter in Letter}
    if row is not None:
        for letter in Letter:
            letters[letter.value] = row.roles_with(letter)
    return letters, matrix is not None


def case_data(page: TaskPage) -> dict[str, Any]:
    """What earlier steps left for an open task (the request it answers, what was found)."""
    if page.status not in ("ready", "awaiting_signoff"):
        return {}
    return engine().task_data(page.task["id"])


def site_brief(page: TaskPage, case: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The job's fields the site card shows (SITE_BRIEF), those the case has filled."""
    keys = SITE_BRIEF.get(page.task["process_id"], ())
    return [(key, case[key]) for key in keys if not is_blank(case.get(key))]


def worth_reading(case: Mapping[str, Any]) -> dict[str, Any]:
    """`case` without the fields nobody filled, in it and in its records: a data change
    asking for a new phone listed a dozen other contact fields as "—", twice. Rows of a
    table keep their empty cells (the columns stay aligned)."""
    kept = {}
    for key, value in case.items():
        if isinstance(value, Mapping):
            value = worth_reading(value)
        if not is_blank(value):
            kept[key] = value
    return kept


def customer_of(page: TaskPage, case: dict[str, Any]) -> dict[str, Any] | None:
    """The customer the task is about: by its business key (a customer code), else by the
    customer or order its data names (an order's key is the order number, not a customer)."""
    task = page.task
    if task["business_key"]:
        card = customer_card(engine().uow(), code=task["business_key"])
        if card is not None:
            return card
    sources = [case, task["submitted_data"] or {}]
    customer_id = _first_id(sources, "customer_id") or customer_id_of(case)  # a prospect too
    order_id = _first_id(sources, "order_id")
    if customer_id is None and order_id is None:
        [start] = views.audit_events(
            engine().uow(), instance_id=task["instance_id"], action="start", limit=1
        ) or [{"details": {}}]
        start_data = start["details"].get("data") or {}
        customer_id = _first_id([start_data], "customer_id")
        order_id = _first_id([start_data], "order_id")
    if customer_id is None and order_id is not None:
        customer_id = customer_of_order(engine().uow(), order_id)
    if customer_id is not None:
        return customer_card(engine().uow(), customer_id=customer_id)
    return None


def _first_id(sources: list[dict[str, Any]], key: str) -> int | None:
    for data in sources:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def role_description(role: str | None) -> str:
    """How the directory describes a role (its name when it has no description)."""
    if role is None:
        return ""
    found = engine().directory().roles.get(role)
    return found.description if found and found.description else role
