"""Submitted form data checked against the CRM records (workflows/form_checks.py)."""

from __future__ import annotations

from typing import Any

from workflows import form_checks, forms

from .services import engine


def problems(
    process_id: str, task_id: str, data: dict[str, Any], case: dict[str, Any]
) -> dict[str, list[str]]:
    """Errors by field where `data` names a record that is not there (or not as needed),
    with the form's own messages beside them so that one submit shows every mistake."""
    with engine().reader() as uow:
        found = form_checks.problems(uow.session, process_id, task_id, data, case)
    return {**forms.problems(process_id, task_id, data), **found} if found else {}
