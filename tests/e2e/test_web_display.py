"""Every value a page shows reads for people: tables not dumps, Greek money, local time,
names not usernames, the address where field and logistics work happens.

The demo company with every process of bpmn/, its staff in Greek (their default).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from engine import build_engine, collect_files, views
from engine.clock import FakeClock
from engine.database import make_engine, upgrade
from web import create_app
from web.config import Settings
from workflows import forms
from workflows.demo import DEMO_PASSWORD, demo_directory, load_data, set_demo_passwords
from workflows.demo.instances import SAMPLE_STARTS
from workflows.services import build_registry

ROOT = Path(__file__).resolve().parents[2]
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# What a Python or JSON dump leaves on a page (quotes are escaped in HTML as &#39;).
REPR = ("{'", "[{", "{&#39;", "[{&#39;", "None", "True", "False", '{"')
KNOWN_INSTANT = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 12:00 in Athens (summer time)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    folder = tmp_path_factory.mktemp("display")
    settings = Settings.from_env(
        {
            "RACIFLOW_INSTANCE_DIR": str(folder),
            "RACIFLOW_SECRET_KEY": "test",
            "RACIFLOW_ENV": "development",
        }
    )
    upgrade(make_engine(settings.database_url))
    app = create_app(settings, test_config={"RATELIMIT_ENABLED": False})
    engine = app.extensions["raciflow"]
    engine.import_directory(demo_directory(), user="admin")
    load_data(engine)
    set_demo_passwords(engine, by="admin")
    engine.deploy(collect_files([ROOT / "bpmn"]), user="lena.owner")
    app.config["TEST_DATABASE_URL"] = settings.database_url
    return app


def signed_in(app: Flask, username: str) -> Any:
    client = app.test_client()
    token = _TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302
    return client


def page(client: Any, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True).replace("\xa0", " ")


def open_task(engine: Any, instance_id: str, element: str) -> str:
    [task] = [
        t["id"]
        for t in views.open_tasks(engine.uow(), instance_id=instance_id)
        if t["element"] == element
    ]
    return task


def assert_no_repr(html: str) -> None:
    for dump in REPR:
        assert dump not in html, dump


def test_a_flagged_order_shows_its_lines_as_a_table_and_its_problems_above_the_form(app):
    engine = app.extensions["raciflow"]
    order = {
        "customer_id": 5,
        "channel": "hht",
        "warehouse_code": "ATH",
        "lines": [
            {"product_code": "P9999", "quantity": 10},
            {"product_code": "P0003", "quantity": 9000},
        ],
    }
    started = engine.start("order_cleaning", user="giorgos.bd", data=order)
    task = open_task(engine, started.instance_id, "review_order")

    html = page(signed_in(app, "sofia.cs"), f"/tasks/{task}")

    assert_no_repr(html)
    assert "<table" in html and "<th>Γραμμές παραγγελίας</th>" not in html
    assert "Γραμμές παραγγελίας" in html and "<th>Ποσότητα</th>" in html and "9.000" in html
    warnings = html.index("Ελέγξτε πριν προχωρήσετε")
    assert "Άγνωστο προϊόν" in html and "Ασυνήθιστα μεγάλη παραγγελία" in html
    assert "εμποδίζει την παραγγελία" in html  # the unknown product blocks it
    assert warnings < html.index('class="stack work-form"')  # before the form
    assert "106.290,00 €" in html  # the order's total, in Greek
    assert "Ξενοδοχείο Δημητρίου" in html  # the customer by name


def test_order_lines_name_the_product_before_its_figures(app):
    """The start data comes back from the trail with its keys sorted; a line still reads
    product first, by name, then quantity and discount."""
    engine = app.extensions["raciflow"]
    with make_engine(app.config["TEST_DATABASE_URL"]).connect() as connection:
        name = connection.execute(
            text("SELECT name FROM crm_products WHERE code = 'P0003'")
        ).scalar_one()
    order = {
        "customer_id": 5,
        "channel": "hht",
        "warehouse_code": "ATH",
        "lines": [{"discount_pct": 5, "product_code": "P0003", "quantity": 2}],
    }
    started = engine.start("order_cleaning", user="giorgos.bd", data=order)

    html = page(signed_in(app, "giorgos.bd"), f"/instances/{started.instance_id}")

    lines = html[html.index("Γραμμές παραγγελίας") :]
    assert f"{name} (P0003)" in lines
    heads = [lines.index(f"<th>{head}") for head in ("Προϊόν", "Ποσότητα", "Έκπτωση")]
    assert heads == sorted(heads)


def test_a_case_says_whose_move_each_open_task_is(app):
    """The clerk who starts an order lands on its case: the open task names the role that
    does it, and once submitted, the role that signs it off."""
    engine = app.extensions["raciflow"]
    order = {
        "customer_id": 5,
        "channel": "hht",
        "warehouse_code": "ATH",
        "lines": [{"product_code": "P0003", "quantity": 9000}],  # unusually large: reviewed
    }
    started = engine.start("order_cleaning", user="giorgos.bd", data=order)
    bd = signed_in(app, "giorgos.bd")

    html = page(bd, f"/instances/{started.instance_id}")
    open_work = html[html.index("Ανοιχτές εργασίες") :]
    # after any task's name, masculine or feminine: "Χειρισμός ... διαθέσιμη" read wrong
    assert "σε εκκρεμότητα · Υπάλληλος εξυπηρέτησης πελατών" in open_work

    task = open_task(engine, started.instance_id, "review_order")
    engine.claim(task, user="sofia.cs")
    engine.complete(
        task, user="sofia.cs", data={"outcome": "confirm", "customer_contact": "phoned the owner"}
    )
    html = page(bd, f"/instances/{started.instance_id}")
    open_work = html[html.index("Ανοιχτές εργασίες") :]
    assert "Προϊστάμενος εξυπηρέτησης πελατών" in open_work.split("</ul>")[0]


def test_money_on_a_task_page_is_written_the_greek_way(app):
    engine = app.extensions["raciflow"]
    user, data, key = SAMPLE_STARTS["credit_limit_change"]  # C00007: a 15,000 limit
    started = engine.start("credit_limit_change", user=user, data=data, business_key=key)

    html = page(signed_in(app, user), f"/tasks/{open_task(engine, started.instance_id, 'request')}")

    assert "15.000,00 €" in html and "15000.00" not in html
    assert "Αλλαγή πιστωτικού ορίου</a>" in html  # the process by its name, not its id
    assert_no_repr(html)


def test_instance_and_audit_pages_show_a_utc_instant_in_athens_time(app):
    clock = FakeClock(KNOWN_INSTANT)
    at_known_time = build_engine(
        app.config["TEST_DATABASE_URL"],
        services=build_registry(),
        forms=forms.validator,
        clock=clock,
    )
    started = at_known_time.start(
        "credit_limit_change", user="giorgos.bd", data={"customer_id": 9}, business_key="C00009"
    )
    auditor = signed_in(app, "fotis.audit")

    instance = page(auditor, f"/instances/{started.instance_id}")
    trail = page(auditor, f"/audit/?instance={started.instance_id[:8]}")

    for html in (instance, trail):
        assert "2026-07-01 12:00" in html and "2026-07-01 09:00" not in html
    assert "Γιώργος Παπαδόπουλος" in instance  # who started it, by name
    assert_no_repr(instance)


def test_the_order_release_names_the_customer_and_shows_where_to_deliver(app):
    engine = app.extensions["raciflow"]
    user, data, _ = SAMPLE_STARTS["order_cleaning"]  # a clean order: its release starts
    engine.start("order_cleaning", user=user, data=data)
    [release] = [t for t in views.open_tasks(engine.uow()) if t["process_id"] == "order_release"]

    html = page(signed_in(app, "michalis.log"), f"/tasks/{release['id']}")

    customer = re.search(r"<dt>Πελάτης</dt><dd[^>]*>([^<]*)", html).group(1)
    assert customer.strip() == "Καφενείο Ιωάννου"  # not the order number
    assert release["business_key"] in html  # the order number, as the reference
    assert "Διεύθυνση παράδοσης" in html
    assert 'href="https://www.openstreetmap.org/search?query=' in html
    assert_no_repr(html)


def test_the_equipment_dispatcher_sees_the_installation_address(app):
    engine = app.extensions["raciflow"]
    user, data, key = SAMPLE_STARTS["equipment_request"]
    started = engine.start("equipment_request", user=user, data=data, business_key=key)
    engine.complete(
        open_task(engine, started.instance_id, "decide"),
        user="alexandra.tm",
        data={"decision": "approve", "reason": "Strong outlet on a busy corner"},
    )

    html = page(
        signed_in(app, "irini.service"),
        f"/tasks/{open_task(engine, started.instance_id, 'schedule')}",
    )

    assert "Διεύθυνση εγκατάστασης" in html
    assert 'href="https://www.openstreetmap.org/search?query=' in html
    assert "Ελένη Γεωργίου" in html  # the BD by name, not eleni.bd
    assert_no_repr(html)
