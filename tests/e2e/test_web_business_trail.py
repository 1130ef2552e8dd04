"""The instance page's timeline shows business changes (old → new) and the DMN decisions
taken on the way, in words, in English and in Greek."""

from __future__ import annotations

from babel.numbers import format_currency, format_decimal
from sqlalchemy import select

from engine.model import HumanTask, TaskStatus
from tests.e2e.test_web_instances import (  # noqa: F401  (fixtures)
    as_user,
    open_task,
    process_engine,
    seeded_database,
    start_credit_change,
    text_of,
    web_app,
)
from workflows.customers import get_customer

CUSTOMER = 7


def limit_of(engine) -> float:
    with engine.uow() as uow:
        return get_customer(uow.session, CUSTOMER)["credit_limit"]


def credit_limit_changed(engine, new_limit: float) -> str:
    """A BD asks for `new_limit`, a controller analyses and recommends it, another signs."""
    instance = start_credit_change(engine)
    engine.complete(
        open_task(engine, instance, "request"),
        user="giorgos.bd",
        data={"requested_limit": new_limit, "justification": "Opens a second shop next month"},
    )
    engine.complete(
        open_task(engine, instance, "analyse_controller"),
        user="anna.credit",
        data={
            "recommendation": "approve",
            "analysis": "Pays within terms",
            "approved_limit": new_limit,
        },
    )
    return instance


def approve_pending(engine, instance: str, user: str) -> None:
    with engine.uow() as uow:
        [task] = uow.session.scalars(
            select(HumanTask.id).where(
                HumanTask.instance_id == instance,
                HumanTask.status == TaskStatus.AWAITING_SIGNOFF,
            )
        ).all()
    engine.approve(task, user=user)


def format_number(value: float, locale: str = "en") -> str:
    return format_decimal(value, locale=locale)


def test_the_trail_shows_the_decision_that_picked_the_signer_and_the_old_and_new_limit(app, engine):
    before = limit_of(engine)
    instance = credit_limit_changed(engine, before + 1000)
    approve_pending(engine, instance, "kostas.credit")
    assert limit_of(engine) == before + 1000

    page = text_of(as_user(app, "fotis.audit").page(f"/instances/{instance}"))

    assert "decision" in page
    assert "credit_approval_level" not in page  # the table by its task's name, not its id
    assert f"Requested limit (EUR) = {format_number(before + 1000)}" in page
    assert f"Increase over the current limit (EUR) = {format_number(1000)}" in page
    assert "Who approves = Credit controller" in page  # another credit controller signs
    assert "Decide the sign-off level" in page  # the business rule task that decided
    assert "Small changes: another credit controller signs" in page  # the matched rule
    assert f"(C{CUSTOMER:05d}) · credit limit: {euros(before)} → {euros(before + 1000)}" in page
    assert "credit limit change approved" in page  # the reason, beside the signer


def euros(amount: float, locale: str = "en") -> str:
    """An amount as the pages write it, its no-break space read as a space (text_of)."""
    return " ".join(format_currency(amount, "EUR", locale=locale).split())


def test_the_greek_trail_reads_in_greek(app, engine):
    before = limit_of(engine)
    instance = credit_limit_changed(engine, before + 1000)
    approve_pending(engine, instance, "kostas.credit")
    auditor = as_user(app, "fotis.audit")
    engine.set_locale("fotis.audit", "el")

    page = text_of(auditor.page(f"/instances/{instance}"))

    assert (
        f"(C{CUSTOMER:05d}) · πιστωτικό όριο: {euros(before, 'el')} → "
        f"{euros(before + 1000, 'el')}" in page
    )
    assert "εγκρίθηκε η αλλαγή πιστωτικού ορίου" in page  # the reason
    assert "Πίνακας απόφασης" in page and "Κανόνας που ταίριαξε" in page
    for english in ("data changed", "Decision table", "credit limit:", "change approved", "row 5"):
        assert english not in page
