"""A scheduled technician gets the job, on the pages and through the API (docs/raci.md,
"Routing to a named person"): nobody else in the role may claim it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text

from engine import SourceFile
from tests.e2e.staff_helpers import (
    DEMO_PASSWORD,
    ROOT,
    days,
    next_working_day,
    open_task,
    sign_in,
)

pytest_plugins = ["tests.e2e.staff_helpers"]


def to_schedule(engine: Any) -> str:
    """An approved placement waiting for the dispatcher; return the instance id."""
    files = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("equipment_request.*"))]
    engine.deploy(files, user="lena.owner")
    for username in ("irini.service", "stelios.tech"):
        engine.set_password(username, DEMO_PASSWORD, by="admin")
        engine.set_locale(username, "en")
    started = engine.start(
        "equipment_request",
        user="giorgos.bd",
        data={
            "kind": "placement",
            "customer_id": 1,
            "asset_type": "cooler",
            "description": "Asked by the owner on today's visit",
        },
        business_key="C00001",
    )
    instance = started.instance_id
    engine.complete(
        open_task(engine, instance, "decide"),
        user="alexandra.tm",
        data={"decision": "approve", "reason": "Strong outlet on a busy corner"},
    )
    return instance


def scheduled_job(engine: Any, technician: str = "stelios.tech") -> str:
    """A placement the dispatcher scheduled for `technician`; return the job's task id."""
    instance = to_schedule(engine)
    engine.complete(
        open_task(engine, instance, "schedule"),
        user="irini.service",
        data={"technician": technician, "due_on": next_working_day(days(3)).isoformat()},
    )
    return open_task(engine, instance, "work")


def name_of(crm, username: str) -> str:
    return crm.directory().users[username].name


def test_the_other_technician_is_refused_in_greek_and_the_job_stays_with_the_scheduled_one(
    web_app, crm
):
    job = scheduled_job(crm)
    crm.set_locale("thanasis.tech", "el")
    thanasis = sign_in(web_app, "thanasis.tech")

    answer = thanasis.post(f"/tasks/{job}/claim")

    assert answer.status_code == 403
    html = answer.get_data(as_text=True)
    assert (
        "Η εργασία «Εκτέλεση της επέμβασης στον πελάτη» έχει ανατεθεί στον χρήστη"
        f" {name_of(crm, 'stelios.tech')}: ο χρήστης {name_of(crm, 'thanasis.tech')}"
        " δεν μπορεί να την αναλάβει"
    ) in html
    assert "may not take it" not in html
    assert thanasis.post(f"/tasks/{job}/complete", {"serial": "EQ-00001"}).status_code == 403

    stelios = sign_in(web_app, "stelios.tech")
    assert f'href="/tasks/{job}"' in stelios.page("/inbox/?section=mine")
    page = stelios.page(f"/tasks/{job}")
    assert f'action="/tasks/{job}/complete"' in page


def test_the_api_refuses_the_other_technicians_claim_with_the_reason(web_app, crm):
    job = scheduled_job(crm)
    token = crm.create_token("thanasis.tech", label="test")
    client = web_app.test_client()

    answer = client.post(
        f"/api/v1/tasks/{job}/claim",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )

    assert answer.status_code == 403
    error = answer.get_json()["error"]
    assert error["code"] == "RaciRefusal"
    assert error["message"] == (
        "'Do the job at the customer' is assigned to stelios.tech: thanasis.tech may not take it"
        " (a supervisor may reassign it)"
    )
    mine = client.get(
        f"/api/v1/tasks/{job}",
        headers={"Authorization": f"Bearer {crm.create_token('stelios.tech', label='t')}"},
    ).get_json()
    assert (mine["assignee"], mine["routed_to"]) == ("stelios.tech", "stelios.tech")


def test_the_dispatcher_picks_a_technician_from_a_list_with_the_proposal_chosen(web_app, crm):
    instance = to_schedule(crm)
    task = open_task(crm, instance, "schedule")
    proposed = crm.task_data(task)["proposal"]["technician"]
    other = ({"stelios.tech", "thanasis.tech"} - {proposed}).pop()

    page = sign_in(web_app, "irini.service").page(f"/tasks/{task}")

    select = re.search(r'<select id="f-technician" name="technician".*?</select>', page, re.S)
    assert select, "the technician is not a select"
    assert f'<option value="{proposed}" selected>' in select.group(0)
    assert f'<option value="{other}">' in select.group(0)
    assert 'value="irini.service"' not in select.group(0)  # only technicians


def repair_job(engine: Any) -> str:
    """A repair of the asset placed at customer 1, scheduled for stelios.tech."""
    to_schedule(engine)  # deploys the process and gives the staff their passwords
    with engine.uow() as uow:
        serial = uow.session.execute(
            text("SELECT serial FROM crm_assets WHERE customer_id = 1 AND status = 'placed'")
        ).scalar_one()
    started = engine.start(
        "equipment_request",
        user="giorgos.bd",
        data={
            "kind": "repair",
            "customer_id": 1,
            "asset_serial": serial,
            "description": "The freezer stopped cooling last night",
        },
        business_key="C00001",
    )
    engine.complete(
        open_task(engine, started.instance_id, "schedule"),
        user="irini.service",
        data={"technician": "stelios.tech", "due_on": next_working_day(days(3)).isoformat()},
    )
    return open_task(engine, started.instance_id, "work")


def test_the_technician_reads_the_job_first_and_finds_the_asset_filled_in(web_app, crm):
    """On a phone the job page said only "Do the job at the customer": the fault was far
    down the case so far, and the serial the request named had to be typed again."""
    job = repair_job(crm)

    html = sign_in(web_app, "stelios.tech").page(f"/tasks/{job}")

    site = html[html.index('class="card site"') : html.index('id="site-title"')]
    assert "repair" in site and "The freezer stopped cooling last night" in site
    serial = re.search(r'name="serial"[^>]*value="([^"]*)"', html).group(1)
    assert re.fullmatch(r"EQ-\d{5}", serial)


def test_a_placement_offers_the_units_in_stock_as_the_technician_types(web_app, crm):
    """A technician typed the label's "ΨΓ-2026-0412" and was told no such asset exists,
    with no hint of the EQ-… serials in stock."""
    job = scheduled_job(crm)

    html = sign_in(web_app, "stelios.tech").page(f"/tasks/{job}")

    assert re.search(r'name="serial"[^>]*list="s-assets_in_stock"', html)
    with crm.uow() as uow:
        in_stock = (
            uow.session.execute(
                text("SELECT serial FROM crm_assets WHERE status = 'in_stock' ORDER BY serial")
            )
            .scalars()
            .all()
        )
    offered = re.search(r'<datalist id="s-assets_in_stock">(.*?)</datalist>', html, re.S)
    assert re.findall(r'<option value="([^"]+)">', offered.group(1)) == in_stock
