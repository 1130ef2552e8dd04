"""Who may see a task: one rule, the same answer on the web page and in the API.

Issue 11 D8: the web task page showed a task in progress to anyone holding one
of its I roles (a BD saw another BD's customer data) while the API said 403.
Issue 13 settled it (raci/visibility.py, docs/raci.md "Who sees what"): whoever
holds any of its letters may read a task, I included, and a role scoped to the
case (the customer's own BD) counts for the case's person only, so another BD
still sees nothing. The whole table is tests/e2e/test_visibility_table.py.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_web_instances import (  # noqa: F401 - fixtures
    PASSWORD,
    as_user,
    open_task,
    process_engine,
    seeded_database,
    start_credit_change,
    web_app,
)

# The CFO's analysis of a large credit change (credit_limit_change.raci.csv):
# credit_controller R, finance_manager C, cfo A, sales_manager I, bd I (the customer's own).
WHO_SEES_THE_TASK = [
    ("anna.credit", "R member", True),
    ("petros.cfo", "A", True),
    ("vasso.finance", "C", True),
    ("christina.sales", "I", True),
    ("eleni.bd", "I scoped to the customer's BD, another BD", False),
    ("giorgos.bd", "started the instance (and I)", True),
    ("thanasis.tech", "unrelated", False),
    ("admin", "admin", True),
    ("fotis.audit", "auditor", True),
]


@pytest.fixture
def cfo_task(engine) -> str:
    instance_id = start_credit_change(engine, user="giorgos.bd")
    engine.complete(
        open_task(engine, instance_id, "request"),
        user="giorgos.bd",
        data={"requested_limit": 90000, "justification": "Νέο κατάστημα"},
    )
    return open_task(engine, instance_id, "analyse_cfo")


def test_the_web_page_and_the_api_give_the_same_answer_for_every_role(app, engine, cfo_task):
    for username in ("petros.cfo", "thanasis.tech", "christina.sales"):
        engine.set_password(username, PASSWORD, by="admin")
    answers = {}
    for username, part, expected in WHO_SEES_THE_TASK:
        web = as_user(app, username).get(f"/tasks/{cfo_task}").status_code
        token = engine.create_token(username, label="test")
        api = (
            app.test_client()
            .get(f"/api/v1/tasks/{cfo_task}", headers={"Authorization": f"Bearer {token}"})
            .status_code
        )
        answers[part] = (web, api)
        assert (web, api) == ((200, 200) if expected else (403, 403)), (part, answers)


def test_an_i_holder_sees_no_customer_data_of_the_task(app, engine, cfo_task):
    answer = as_user(app, "eleni.bd").get(f"/tasks/{cfo_task}")
    assert answer.status_code == 403
    assert "Νέο κατάστημα" not in answer.get_data(as_text=True)
