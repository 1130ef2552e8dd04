"""An emergency order stays an emergency on its way: when credit control must review its
release, the credit controller's inbox badges the review and puts it first among
"Emergencies, then due", as it does the emergency order's own tasks."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select, update

from engine import views
from engine.views import casefile
from tests.e2e.staff_helpers import (
    DEMO_PASSWORD,
    emergency_order,
    open_notice,
    open_task,
    order_desk,
    set_due,
    sign_in,
)
from tests.e2e.test_web_inbox import badges
from workflows.orders import records
from workflows.tables import customers, orders, stock

pytest_plugins = ["tests.e2e.staff_helpers"]
AT_THEIR_LIMIT = (54, 55)  # demo customers: any order of theirs waits for credit control
LINES = [{"product_code": "P0005", "quantity": 10}]


@pytest.fixture
def crm(crm: Any) -> Any:
    order_desk(crm, "emergency_order", "order_release")
    with crm.uow() as uow:
        uow.session.execute(
            update(customers)
            .where(customers.c.id.in_(AT_THEIR_LIMIT))
            .values(exposure=customers.c.credit_limit, overdue_balance=0)
        )
        uow.commit()
    return crm


def ordinary_review(crm: Any, customer: int) -> str:
    """A cleaned ordinary order sent to release: its credit review."""
    with crm.uow() as uow:
        order_id, _ = records.create_order(
            uow.session,
            customer_id=customer,
            channel="hht",
            warehouse_code="ATH",
            lines=LINES,
            emergency=False,
            by="giorgos.bd",
            at=uow.now,
            instance_id=None,
        )
        uow.session.execute(update(orders).where(orders.c.id == order_id).values(status="clean"))
        uow.commit()
    state = crm.start("order_release", user="giorgos.bd", data={"order_id": order_id})
    return open_task(crm, state.instance_id, "credit_review_controller")


def emergency_review(crm: Any, customer: int) -> str:
    """A call agent's emergency order, released by customer service after logistics
    answered: its release's credit review."""
    emergency = emergency_order(crm, customer)
    handle = open_task(crm, emergency, "handle_emergency")
    [consultation] = views.task_detail(crm.uow(), handle)["consultations"]
    crm.answer_consultation(consultation["id"], user="michalis.log", comment="Van 3 at 14:00")
    crm.complete(handle, user="sofia.cs", data={"emergency_decision": "release", "same_day": True})
    return open_task(crm, release_of(crm, emergency), "credit_review_controller")


def release_of(crm: Any, emergency: str) -> str:
    """The release case an emergency order's case started."""
    [release] = [
        event["instance_id"]
        for event in views.audit_events(crm.uow(), process_id="order_release", action="start")
        if event["details"].get("started_by_instance") == emergency
    ]
    return release


def test_an_emergency_orders_credit_review_is_urgent_in_credit_controls_inbox(web_app, crm):
    ordinary = ordinary_review(crm, AT_THEIR_LIMIT[0])
    emergency = emergency_review(crm, AT_THEIR_LIMIT[1])
    anna = sign_in(web_app, "anna.credit")

    by_due = anna.page("/inbox/?section=queue")
    assert badges(by_due, emergency) == ["emergency"]
    assert badges(by_due, ordinary) == []
    # Neither has a deadline: the emergency is due at once, though the other is older (it
    # sank below all routine work with a deadline).
    assert by_due.index(emergency) < by_due.index(ordinary)
    set_due(crm, ordinary, datetime.now(UTC) + timedelta(days=2))  # routine, with a deadline
    by_due = anna.page("/inbox/?section=queue")
    assert by_due.index(emergency) < by_due.index(ordinary)

    emergencies_first = anna.page("/inbox/?section=queue&sort=priority")
    assert emergencies_first.index(emergency) < emergencies_first.index(ordinary)

    heading = '<h1 class="wrap">Review the credit block (controller sign-off)'
    assert f'{heading} <span class="badge urgent">emergency</span></h1>' in anna.page(
        f"/tasks/{emergency}"
    )
    assert f"{heading}</h1>" in anna.page(f"/tasks/{ordinary}")

    token = crm.create_token("anna.credit", label="test")
    api = web_app.test_client()
    queue = api.get("/api/v1/tasks?sort=priority", headers={"Authorization": f"Bearer {token}"})
    urgent = [(item["id"], item["urgent"]) for item in queue.get_json()["items"]]
    assert (emergency, True) in urgent and (ordinary, False) in urgent
    assert urgent.index((emergency, True)) < urgent.index((ordinary, False))


def test_a_release_case_says_whose_it_is_from_which_case_and_whose_act_started_it(web_app, crm):
    """Its page read "Started by" the call agent who asked for the order, while its
    timeline said customer service started it (releasing the emergency order)."""
    review = emergency_review(crm, AT_THEIR_LIMIT[1])
    release = views.task_detail(crm.uow(), review)["instance_id"]
    [started] = views.audit_events(crm.uow(), instance_id=release, action="start")
    emergency = started["details"]["started_by_instance"]
    names = crm.directory().users
    page = sign_in(web_app, "anna.credit").page(f"/instances/{release}")
    facts = " ".join(re.sub(r"<[^>]+>", " ", page[: page.index("</dl>")]).split())

    # whose it is, as the case list says: not "Started by", which the timeline's start by
    # customer service contradicted
    assert f"Asked for by {names['katerina.call'].name}," in facts and "Started by" not in facts
    customer = views.instance(crm.uow(), release)["summary"]["customer_name"]
    assert f"Customer {customer} Order number SO-" in facts  # as on the order's own page
    key = views.instance(crm.uow(), emergency)["business_key"]
    order = "Emergency order" + (f" · {key}" if key else "")  # named, not "another case"
    # Credit control may not open the order: named, not linked to a refusal.
    assert f"<dt>Came from</dt><dd>{order}, when {names['sofia.cs'].name} acted in it" in page
    assert f'href="/instances/{emergency}"' not in page
    asker = sign_in(web_app, "katerina.call").page(f"/instances/{release}")
    assert f'<dt>Came from</dt><dd><a href="/instances/{emergency}">{order}</a>, when' in asker


def test_an_emergency_orders_case_leads_to_the_release_it_started(web_app, crm):
    """The release linked back to the order, but the order's page said nothing of the
    release: the call agent following the order could not go on to it."""
    review = emergency_review(crm, AT_THEIR_LIMIT[1])
    release = views.task_detail(crm.uow(), review)["instance_id"]
    [started] = views.audit_events(crm.uow(), instance_id=release, action="start")
    emergency = started["details"]["started_by_instance"]
    link = f'<a href="/instances/{release}">Order release'

    page = sign_in(web_app, "katerina.call").page(f"/instances/{emergency}")
    facts = page[: page.index("</dl>")]
    assert f"<dt>Led to</dt><dd>{link}" in facts
    timeline = page[page.index("Timeline") :]
    assert f"started another case: {link}" in timeline
    completed = timeline[timeline.index('<tr class="action-instance_completed">') :]
    completed = completed[: completed.index("</tr>")]
    what, task = re.findall(r'data-label="(?:What|Task)">(.*?)</td>', completed, re.S)
    # The outcome is what happened, not a task: it read under "Task".
    assert 'instance completed: <span class="outcome">Order sent to release</span>' in what
    assert task == ""
    assert "Order release" in sign_in(web_app, "katerina.call").page(f"/instances/{release}")
    # Logistics, consulted on the order, may not open the release: named, not linked.
    consulted = sign_in(web_app, "michalis.log").page(f"/instances/{emergency}")
    assert "<dt>Led to</dt><dd>Order release" in consulted
    assert f'href="/instances/{release}"' not in consulted

    [event] = views.audit_events(crm.uow(), instance_id=emergency, action="case_started")
    assert event["actor"] == "sofia.cs" and event["details"]["instance"] == release
    assert crm.verify_audit().ok

    auditor = sign_in(web_app, "fotis.audit")
    key = views.instance(crm.uow(), release)["business_key"]
    emergency_file = auditor.page(f"/audit/instances/{emergency}/case")
    assert f"Case: Order release {key}" in emergency_file
    assert f'<a href="/instances/{emergency}">Open the case</a>' in emergency_file  # no dead end
    release_file = auditor.page(f"/audit/instances/{release}/case")
    # The order as people know it, not its record's id ("Order id: 3").
    assert re.search(r"Order number: SO-\d{4}-\d{6}", release_file), release_file
    assert "Order id" not in release_file
    assert f"Came from: case {emergency[:8]}" in release_file
    # Each names the other case with links to its file and its page, not as text alone.
    for page, other in ((release_file, emergency), (emergency_file, release)):
        assert f'href="/audit/instances/{other}/case">{other[:8]}</a>' in page
        assert f'<a href="/instances/{other}">Open the case</a>' in page
    search = auditor.page("/audit/?action=case_started")  # which case: on the row
    assert f'started another case <a href="/instances/{release}">Order release' in search
    case_csv = auditor.page(f"/audit/instances/{emergency}/case.csv")
    assert "started another case" in case_csv and f"Case: Order release {key}" in case_csv
    # A file of both cases (a customer's): the act that started the release before the
    # release's own acts of the same moment; the order's outcome as its meaning.
    events = casefile.case_records(crm.uow(), [emergency, release])["events"]
    acts = [(event["instance_id"], event["action"]) for event in events]
    handled = acts.index((emergency, "complete"))
    assert handled < acts.index((emergency, "case_started")) < acts.index((release, "start"))
    rows = list(csv.DictReader(io.StringIO(case_csv.lstrip("\ufeff"))))
    [ended] = [row for row in rows if row["action"] == "instance_completed"]
    assert (ended["task"], ended["meaning"]) == ("", "Order sent to release")
    pdf = auditor.get(f"/audit/instances/{emergency}/case.pdf")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")


def test_in_greek_returning_a_task_to_the_queue_is_not_worded_as_releasing_the_order(web_app, crm):
    """The button that gives a claimed emergency back to the queue read "Αποδέσμευση",
    right above the decision "αποδέσμευση" (release the order): one slip of the thumb."""
    handle = open_task(crm, emergency_order(crm, AT_THEIR_LIMIT[0]), "handle_emergency")
    crm.claim(handle, user="sofia.cs")
    crm.set_locale("sofia.cs", "el")
    sofia = sign_in(web_app, "sofia.cs")

    page = sofia.page(f"/tasks/{handle}")
    assert ">Επιστροφή στην ουρά</button>" in page
    assert ">Αποδέσμευση</button>" not in page
    assert 'value="release"' in page  # releasing the order is still the decision's word

    returned = sofia.post(f"/tasks/{handle}/release", follow_redirects=True)
    assert "Η εργασία επέστρεψε στην ουρά των ρόλων της." in returned.get_data(as_text=True)
    case = sofia.page(f"/instances/{views.task_detail(crm.uow(), handle)['instance_id']}")
    assert "επέστρεψε στην ουρά" in case and "αποδεσμεύτηκε" not in case


def test_who_asked_for_an_order_may_not_cancel_the_release_another_case_started(web_app, crm):
    """The call agent follows her order's release as hers (it is "started by" her), and
    was offered "Cancel this instance" on it: logistics' and credit control's case,
    started by customer service's decision. Refused on the page, the form and the API;
    her own order she may still cancel, and a process owner the release."""
    review = emergency_review(crm, AT_THEIR_LIMIT[1])
    release = views.task_detail(crm.uow(), review)["instance_id"]
    katerina = sign_in(web_app, "katerina.call")

    assert "Cancel this instance" not in katerina.page(f"/instances/{release}")
    refused = katerina.post(f"/instances/{release}/cancel", {"reason": "customer changed mind"})
    assert refused.status_code == 403
    token = crm.create_token("katerina.call", label="test")
    called = web_app.test_client().post(
        f"/api/v1/instances/{release}/cancel",
        json={"reason": "customer changed mind"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert called.status_code == 403
    assert views.instance(crm.uow(), release)["status"] == "waiting"

    own = emergency_order(crm, AT_THEIR_LIMIT[0])
    assert "Cancel this instance" in katerina.page(f"/instances/{own}")
    crm.set_password("lena.owner", DEMO_PASSWORD, by="admin")
    crm.set_locale("lena.owner", "en")
    assert "Cancel this instance" in sign_in(web_app, "lena.owner").page(f"/instances/{release}")


def test_the_call_agent_is_told_how_her_emergency_order_ended_in_her_language(web_app, crm):
    """She took the order by phone and heard nothing more: customer service's decision
    told only the roles of the matrix. Whoever starts a case is now told how it ended,
    once, in their language, with a link to the case; so is its cancellation, and why."""
    crm.set_locale("katerina.call", "el")
    emergency = emergency_order(crm, AT_THEIR_LIMIT[0])
    handle = open_task(crm, emergency, "handle_emergency")
    [consultation] = views.task_detail(crm.uow(), handle)["consultations"]
    crm.answer_consultation(consultation["id"], user="michalis.log", comment="Van 3 at 14:00")
    crm.complete(handle, user="sofia.cs", data={"emergency_decision": "release", "same_day": True})

    katerina = sign_in(web_app, "katerina.call")
    notices = katerina.page("/inbox/?section=notifications")
    summary = views.instance(crm.uow(), emergency)["summary"]
    which = f"{summary['customer_name']}, {summary['order_number']}"  # the case, named
    said = (
        f"Η υπόθεση «Επείγουσα παραγγελία» {which} που ξεκινήσατε ολοκληρώθηκε:"
        " Η παραγγελία στάλθηκε για αποδέσμευση."
    )
    assert notices.count(said) == 1
    assert open_notice(katerina, notices, "Άνοιγμα της υπόθεσης") == f"/instances/{emergency}"
    notified = views.audit_events(crm.uow(), instance_id=emergency, action="notified")
    assert [e["details"]["recipient"] for e in notified if e["raci_role"] is None] == [
        "katerina.call"
    ]
    # The auditor's file folds the notice into the line of the case's end.
    case_file = sign_in(web_app, "fotis.audit").page(f"/audit/instances/{emergency}/case")
    ended = case_file[case_file.index('<tr class="action-instance_completed">') :]
    assert "notified: 1 person (" in ended[: ended.index("</tr>")]

    other = emergency_order(crm, AT_THEIR_LIMIT[1])
    crm.cancel(other, user="admin", reason="Entered twice by mistake")
    notices = sign_in(web_app, "katerina.call").page("/inbox/?section=notifications")
    assert "που ξεκινήσατε ακυρώθηκε από: " in notices
    assert "Αιτία: Entered twice by mistake" in notices


def test_who_ends_their_own_case_is_not_told_what_they_just_did(web_app, crm):
    own = emergency_order(crm, AT_THEIR_LIMIT[0])
    crm.cancel(own, user="katerina.call", reason="The customer called back: not needed")
    notified = views.audit_events(crm.uow(), instance_id=own, action="notified")
    assert [e["details"]["after"] for e in notified] == ["asked"]  # logistics, at the start


def test_logistics_is_told_its_opinion_is_asked_and_the_claimant_that_it_answered(web_app, crm):
    """An emergency waits for logistics' word on a two-hour clock, and nobody was told:
    the question sat in a tab logistics had no reason to open, the answer likewise."""
    emergency = emergency_order(crm, AT_THEIR_LIMIT[0])
    handle = open_task(crm, emergency, "handle_emergency")
    crm.claim(handle, user="sofia.cs")
    michalis = sign_in(web_app, "michalis.log")

    asked = michalis.page("/inbox/?section=notifications")
    assert "Handle the emergency order: your opinion is asked" in asked
    assert "answer it under Consultations in your inbox." in asked
    assert open_notice(michalis, asked, "Open the task") == f"/tasks/{handle}"

    [consultation] = views.task_detail(crm.uow(), handle)["consultations"]
    michalis.post(
        f"/tasks/{handle}/consultations/{consultation['id']}/answer", {"comment": "Van 3"}
    )
    sofia = sign_in(web_app, "sofia.cs")
    answered = sofia.page("/inbox/?section=notifications")
    name = crm.directory().users["michalis.log"].name
    assert f"Handle the emergency order: {name} answered" in answered
    assert open_notice(sofia, answered, "Open the task") == f"/tasks/{handle}"
    assert "answered" not in michalis.page("/inbox/?section=notifications")  # not told his own

    # The compliance view of the task: the consultation is C's, not a notice to an I.
    case_file = sign_in(web_app, "fotis.audit").page(f"/audit/instances/{emergency}/case")
    requested = case_file[case_file.index('<tr class="action-consult_requested">') :]
    assert "notified: 1 person (" in requested[: requested.index("</tr>")]
    # What logistics answered, in the file: the line said only that an answer came.
    answer = case_file[case_file.index('<tr class="action-consult_answered">') :]
    assert "<p>Answer as Logistics and warehouse: Van 3</p>" in answer[: answer.index("</tr>")]
    case_csv = sign_in(web_app, "fotis.audit").page(f"/audit/instances/{emergency}/case.csv")
    assert "Answer as Logistics and warehouse: Van 3" in case_csv


def test_the_customer_service_supervisor_follows_her_teams_emergencies(web_app, crm):
    """maria.cssup was refused every emergency case and task of her own team (403): the
    matrix gave her no letter on handling one. She is informed (I) of it now."""
    crm.set_password("maria.cssup", DEMO_PASSWORD, by="admin")
    crm.set_locale("maria.cssup", "en")
    emergency = emergency_order(crm, AT_THEIR_LIMIT[0])
    handle = open_task(crm, emergency, "handle_emergency")
    maria = sign_in(web_app, "maria.cssup")

    assert "Handle the emergency order" in maria.page(f"/tasks/{handle}")
    assert maria.get(f"/instances/{emergency}").status_code == 200
    [consultation] = views.task_detail(crm.uow(), handle)["consultations"]
    crm.answer_consultation(consultation["id"], user="michalis.log", comment="Van 3 at 14:00")
    crm.complete(handle, user="sofia.cs", data={"emergency_decision": "release", "same_day": True})
    told = maria.page("/inbox/?section=notifications")
    assert "Handle the emergency order: signed off (release)" in told


def test_the_call_agent_finds_her_case_by_order_number_customer_name_or_phone(web_app, crm):
    """The order number is printed in every row of the case list, yet searching it (or
    the customer's name) found nothing: the field took the customer's code alone."""
    mine = emergency_order(crm, 31)
    other = emergency_order(crm, 32)
    number = views.instance(crm.uow(), mine)["summary"]["order_number"]
    with crm.uow() as uow:
        name, phone, code = uow.session.execute(
            select(customers.c.name, customers.c.phone, customers.c.code).where(
                customers.c.id == 31
            )
        ).one()
    katerina = sign_in(web_app, "katerina.call")

    def found(text: str) -> set[str]:
        page = katerina.page(f"/instances/?business_key={quote(text)}")
        return set(re.findall(r'href="/instances/([0-9a-f-]{36})"', page)) & {mine, other}

    assert found("") == {mine, other}
    assert found(number.lower()) == {mine}  # as typed from a note, in any case
    assert found(number[:-1]) >= {mine}  # the start of one
    assert found(unaccented_words_reversed(name)) == {mine}
    assert found(phone) == {mine}
    assert found(code) == {mine}
    assert found("ΚΑΝΕΝΑΣ-ΤΕΤΟΙΟΣ") == set()
    # The search finds within what the reader may see: a BD with no part in either case
    # finds neither by its number or its customer.
    eleni = sign_in(web_app, "eleni.bd")
    for text in (number, code):
        page = eleni.page(f"/instances/?business_key={quote(text)}")
        assert set(re.findall(r'href="/instances/([0-9a-f-]{36})"', page)) & {mine, other} == set()
    assert "Customer or order" in katerina.page("/instances/")


def unaccented_words_reversed(name: str) -> str:
    import unicodedata

    plain = "".join(
        c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn"
    )
    return " ".join(reversed(plain.lower().split()))


def test_an_emergency_releases_tasks_show_the_orders_amount(web_app, crm):
    """Its shortage and substitutes read "—" under the key figure: an emergency's
    release may never be priced by credit control, and the order's total stayed behind."""
    with crm.uow() as uow:  # too little stock: the release stops at the shortage
        uow.session.execute(update(stock).values(on_hand=1))
        uow.commit()
    emergency = emergency_order(crm, 31)
    handle = open_task(crm, emergency, "handle_emergency")
    [consultation] = views.task_detail(crm.uow(), handle)["consultations"]
    crm.answer_consultation(consultation["id"], user="michalis.log", comment="Van 3 at 14:00")
    crm.complete(handle, user="sofia.cs", data={"emergency_decision": "release", "same_day": True})
    release = release_of(crm, emergency)
    with crm.uow() as uow:
        total = uow.session.scalar(select(orders.c.total).where(orders.c.instance_id == emergency))

    summary = views.instance(crm.uow(), release)["summary"]
    assert (summary["figure"], summary["value"]) == ("order_amount", float(total))
    shortage = open_task(crm, release, "resolve_shortage")
    row = sign_in(web_app, "sofia.cs").page("/inbox/?section=queue")
    row = row[row.index(f'href="/tasks/{shortage}"') :]
    row = row[: row.index("</tr>")]
    figure = re.search(r'class="figure">(.*?)</td>', row, re.S)
    assert figure is not None and "Order amount" in figure.group(1), row


def test_a_customers_case_file_names_each_order_case_by_its_order_number(web_app, crm):
    """The auditor's customer file listed cases as "ff04fea5 …, c39c3a37 …"."""
    with crm.uow() as uow:
        code = uow.session.scalar(select(customers.c.code).where(customers.c.id == 31))
    emergency = crm.start(  # as the start page does: keyed by the customer's code
        "emergency_order",
        user="katerina.call",
        business_key=code,
        data={
            "customer_id": 31,
            "channel": "call_agent",
            "warehouse_code": "ATH",
            "lines": LINES,
            "urgency": "Festival tonight",
        },
    ).instance_id
    summary = views.instance(crm.uow(), emergency)["summary"]
    number = summary["order_number"]
    auditor = sign_in(web_app, "fotis.audit")
    page = auditor.page(f"/audit/customers/{code}/case")
    line = page[page.index(f'href="/audit/instances/{emergency}/case"') :]
    assert f"Emergency order · {number} · " in line[: line.index("</li>")]
    # The audit search's rows name the case as people know it, beside its id.
    search = auditor.page("/audit/?action=start")
    cell = search[: search.index(f'<a class="id" href="/instances/{emergency}"')]
    assert cell.endswith(f"{code} ({summary['customer_name']}, {number})<br>"), cell[-200:]


def test_an_order_customer_service_cancelled_reads_closed_not_completed(web_app, crm):
    """It ended "completed" with the green badge of an order sent on its way, and the
    case list's "cancelled" did not find it: now it is "closed", and filtered apart."""
    cancelled = emergency_order(crm, 31)
    sent = emergency_order(crm, 32)
    for instance, decision in ((cancelled, "cancel"), (sent, "release")):
        handle = open_task(crm, instance, "handle_emergency")
        [consultation] = views.task_detail(crm.uow(), handle)["consultations"]
        crm.answer_consultation(consultation["id"], user="michalis.log", comment="No van")
        data = {"emergency_decision": decision, "same_day": True}
        if decision == "cancel":
            data = {"emergency_decision": "cancel", "cancel_reason": "Customer called it off"}
        crm.complete(handle, user="sofia.cs", data=data)
    assert views.instance(crm.uow(), cancelled)["status"] == "completed"  # to the engine
    katerina = sign_in(web_app, "katerina.call")

    def badge(page: str, instance: str) -> str:
        row = page[page.index(f'href="/instances/{instance}"') :]
        return re.search(r'<span class="status status-(\w+)">([^<]*)</span>', row).groups()

    listed = katerina.page("/instances/")
    assert badge(listed, cancelled) == ("closed", "closed")
    assert badge(listed, sent) == ("completed", "completed")
    detail = katerina.page(f"/instances/{cancelled}")
    assert (
        '<span class="status status-closed">closed</span> <span class="outcome">Order cancelled'
        in detail
    )

    def found(status: str) -> set[str]:
        page = katerina.page(f"/instances/?status={status}")
        return set(re.findall(r'href="/instances/([0-9a-f-]{36})"', page)) & {cancelled, sent}

    assert found("closed") == {cancelled}
    assert found("completed") == {sent}
    assert found("cancelled") == set()  # a case someone stopped: these went to their ends
    assert '<option value="closed" >closed</option>' in listed  # a status to choose
