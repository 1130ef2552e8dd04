"""The inbox: each person sees their own work by role, filters it, and claims it in bulk."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, time
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.numbers import format_currency
from markupsafe import escape

from engine import views
from raci.directory import Deputy
from tests.e2e.staff_helpers import (
    CUSTOMER,
    DEMO_PASSWORD,
    analysed,
    days,
    open_notice,
    open_task,
    requested,
    set_due,
    sign_in,
    start_credit,
)
from workflows.customers import get_customer
from workflows.demo import demo_directory

pytest_plugins = ["tests.e2e.staff_helpers"]


def counts(html: str) -> dict[str, int]:
    """The number on each section tab."""
    return {
        name: int(number)
        for name, number in re.findall(r'class="badge count-(\w+)">(\d+)\+?<', html)
    }


def total(html: str) -> int:
    """How many items the list says match."""
    return int(re.search(r'class="muted total">(\d+) items?', html).group(1))


def task_ids(html: str) -> list[str]:
    """The tasks listed, in order."""
    return re.findall(r'href="/tasks/([0-9a-f-]{36})"', html)


def test_each_section_lists_the_work_of_the_users_roles(web_app, crm):
    analysis = requested(crm)  # a small increase: any credit controller analyses it
    anna, kostas, giorgos = (
        sign_in(web_app, u) for u in ("anna.credit", "kostas.credit", "giorgos.bd")
    )

    assert counts(anna.page("/inbox/"))["queue"] == 1
    assert task_ids(anna.page("/inbox/?section=queue")) == [analysis]
    assert counts(giorgos.page("/inbox/"))["queue"] == 0  # not a BD's work

    anna.post("/inbox/claim", {"task_id": analysis, "next": "/inbox/?section=queue"})
    assert counts(anna.page("/inbox/")).items() >= {"mine": 1, "queue": 0}.items()
    assert task_ids(anna.page("/inbox/")) == [analysis]  # "my tasks" is the first section
    assert counts(kostas.page("/inbox/"))["queue"] == 0  # claimed by someone else

    analysed(crm, analysis, limit=5000)
    assert counts(kostas.page("/inbox/"))["signoffs"] == 1
    assert task_ids(kostas.page("/inbox/?section=signoffs")) == [analysis]
    assert counts(anna.page("/inbox/"))["signoffs"] == 0  # never one's own work (four eyes)
    # The customer's own BD is informed (RACI I, bd scoped to customer_bd); no other BD is.
    with crm.uow() as uow:
        own_bd = get_customer(uow.session, CUSTOMER)["bd"]
    assert own_bd != "giorgos.bd"  # the demo's customer 150 is another BD's
    assert crm.notifications(own_bd, unread_only=True)
    assert counts(giorgos.page("/inbox/"))["notifications"] == 0


def test_consultations_reach_the_consulted_role(web_app, crm):
    analysis = requested(crm, increase=60000)  # a large limit: the CFO signs, finance is asked
    vasso = sign_in(web_app, "vasso.finance")
    html = vasso.page("/inbox/?section=consultations")
    assert counts(html)["consultations"] == 1
    assert task_ids(html) == [analysis]
    assert "Your input as Finance manager" in html
    assert counts(sign_in(web_app, "kostas.credit").page("/inbox/"))["consultations"] == 0


def test_filters_sort_and_pages(web_app, crm):
    instances = [start_credit(crm, customer) for customer in range(101, 126)]  # 25 requests
    eleni = sign_in(web_app, "eleni.bd")  # any BD may take a BD's request

    first = eleni.page("/inbox/?section=queue")
    assert total(first) == 25 and len(task_ids(first)) == 20
    assert 'href="/inbox/?section=queue&amp;page=2"' in first
    second = eleni.page("/inbox/?section=queue&page=2")
    assert len(task_ids(second)) == 5
    assert not set(task_ids(first)) & set(task_ids(second))

    oldest = open_task(crm, instances[0], "request")
    newest = open_task(crm, instances[-1], "request")
    assert task_ids(eleni.page("/inbox/?section=queue&sort=created"))[0] == oldest
    assert task_ids(eleni.page("/inbox/?section=queue&sort=newest"))[0] == newest

    by_customer = eleni.page("/inbox/?section=queue&customer=c0011")  # C00110..C00119
    assert total(by_customer) == 10
    assert total(eleni.page("/inbox/?section=queue&process=order_cleaning")) == 0
    assert total(eleni.page("/inbox/?section=queue&process=credit_limit_change")) == 25
    assert total(eleni.page("/inbox/?section=queue&customer=C00125")) == 1


ATHENS = ZoneInfo("Europe/Athens")  # the display zone the tests' app runs with (the default)


def local_midnight(day_offset: int = 0) -> datetime:
    """Midnight in Athens, today (or some days from today there)."""
    today = datetime.now(ATHENS).date() + days(day_offset)
    return datetime.combine(today, time(), tzinfo=ATHENS)


def test_overdue_work_is_highlighted_filtered_and_first(web_app, crm):
    late, today, later = (open_task(crm, start_credit(crm, c), "request") for c in (140, 141, 142))
    now = datetime.now(UTC)
    set_due(crm, late, now - days(2))
    set_due(crm, today, local_midnight() + days(1 / 86400))
    set_due(crm, later, now + days(5))
    giorgos = sign_in(web_app, "giorgos.bd")

    html = giorgos.page("/inbox/?section=queue")
    assert task_ids(html) == [late, today, later]  # due first: overdue work leads
    assert 'class="is-overdue"' in row_of(html, late) and 'class="overdue"' in row_of(html, late)
    assert "overdue" not in row_of(html, later)
    assert task_ids(giorgos.page("/inbox/?section=queue&due=overdue")) == [late, today]
    assert task_ids(giorgos.page("/inbox/?section=queue&due=today")) == [today]


def test_due_today_means_the_readers_day_not_the_servers_utc_day(web_app, crm):
    """Athens is two or three hours ahead of UTC: work due at half past midnight there
    belongs to that day, though in UTC it is still the day before."""
    tonight, tomorrow_night = (open_task(crm, start_credit(crm, c), "request") for c in (143, 144))
    half_past = days(1 / 48)
    set_due(crm, tonight, local_midnight() + half_past)  # today 00:30 in Athens, gone by
    set_due(crm, tomorrow_night, local_midnight(1) + half_past)  # tomorrow 00:30 in Athens
    giorgos = sign_in(web_app, "giorgos.bd")

    assert task_ids(giorgos.page("/inbox/?section=queue&due=today")) == [tonight]

    token = crm.create_token("giorgos.bd", label="test")
    listed = web_app.test_client().get(
        "/api/v1/tasks?due=today", headers={"Authorization": f"Bearer {token}"}
    )
    assert [task["id"] for task in listed.get_json()["items"]] == [tonight]


def row_of(html: str, task_id: str) -> str:
    [row] = [row for row in html.split("<tr")[1:] if task_id in row]
    return row


def test_saved_filters_belong_to_their_user(web_app, crm):
    giorgos = sign_in(web_app, "giorgos.bd")
    saved = giorgos.post(
        "/inbox/filters",
        {"name": "My overdue", "section": "queue", "due": "overdue", "sort": "due"},
    )
    assert saved.status_code == 302
    [found] = crm.saved_filters("giorgos.bd")
    assert found["name"] == "My overdue" and found["query"]["due"] == "overdue"
    html = giorgos.page("/inbox/")
    assert "My overdue" in html and "due=overdue" in html

    eleni = sign_in(web_app, "eleni.bd")
    assert "My overdue" not in eleni.page("/inbox/")
    assert eleni.post(f"/inbox/filters/{found['id']}/delete").status_code == 404
    assert giorgos.post(f"/inbox/filters/{found['id']}/delete").status_code == 302
    assert crm.saved_filters("giorgos.bd") == []
    assert giorgos.post("/inbox/filters", {"name": "  "}).status_code == 302  # refused, said
    assert crm.saved_filters("giorgos.bd") == []


def test_claim_and_release_many_at_once(web_app, crm):
    tasks = [open_task(crm, start_credit(crm, c), "request") for c in (150, 151, 152)]
    giorgos = sign_in(web_app, "giorgos.bd")

    answer = giorgos.post("/inbox/claim", {"task_id": tasks, "next": "/inbox/?section=queue"})
    assert answer.headers["Location"] == "/inbox/?section=queue"
    assert "Claimed 3 tasks." in giorgos.page("/inbox/?section=queue")
    assert {t["assignee"] for t in views.open_tasks(crm.uow())} == {"giorgos.bd"}

    giorgos.post("/inbox/release", {"task_id": tasks[:2]})
    assert counts(giorgos.page("/inbox/")).items() >= {"mine": 1, "queue": 2}.items()

    eleni = sign_in(web_app, "eleni.bd")
    eleni.post("/inbox/claim", {"task_id": tasks})  # one of them is giorgos's
    html = eleni.page("/inbox/")
    giorgos = crm.directory().users["giorgos.bd"].name  # pages name people by name
    assert "Claimed 2 tasks." in html
    [refusal] = re.findall(r'class="flash error"[^>]*>([^<]*)<', html)
    with crm.uow() as uow:
        kept = get_customer(uow.session, 152)  # the customer of the one giorgos kept
    # The refused one among many is named as its inbox row names it, not by its id.
    assert refusal == str(
        escape(
            f"Not done: «Request new credit limit» ({kept['name']} {kept['code']}): "
            f"the task is already claimed by {giorgos}"
        )
    )


def test_a_user_cannot_claim_work_outside_their_roles(web_app, crm):
    analysis = requested(crm)
    giorgos = sign_in(web_app, "giorgos.bd")
    giorgos.post("/inbox/claim", {"task_id": analysis})
    assert "Not done" in giorgos.page("/inbox/")
    assert views.task_detail(crm.uow(), analysis)["assignee"] is None


def test_notifications_can_be_marked_read(web_app, crm):
    requested(crm)  # credit controllers are informed of the request (RACI I)
    anna = sign_in(web_app, "anna.credit")
    html = anna.page("/inbox/?section=notifications")
    assert counts(html)["notifications"] == 1
    [notice] = re.findall(r'name="notification_id" value="(\d+)"', html)
    anna.post("/inbox/notifications/read", {"notification_id": notice})
    assert counts(anna.page("/inbox/"))["notifications"] == 0
    assert crm.notifications("anna.credit", unread_only=True) == []


def test_opening_an_unread_notice_counts_it_read_and_another_users_is_not_found(web_app, crm):
    """A notice stayed unread after it was read: the reader had to tick it as well, so
    nobody did, and the count of unread notices meant nothing."""
    analysis = requested(crm)  # credit controllers are informed of the request (RACI I)
    anna = sign_in(web_app, "anna.credit")
    html = anna.page("/inbox/?section=notifications")
    [notice] = re.findall(r'name="notification_id" value="(\d+)"', html)
    instance = views.task_detail(crm.uow(), analysis)["instance_id"]

    kostas = sign_in(web_app, "kostas.credit")
    assert kostas.post(f"/inbox/notifications/{notice}/open?to=case").status_code == 404
    assert anna.post(f"/inbox/notifications/{notice}/open?to=nowhere").status_code == 404
    assert counts(anna.page("/inbox/"))["notifications"] == 1  # neither counted it read

    assert open_notice(anna, html, "Open the case") == f"/instances/{instance}"
    assert counts(anna.page("/inbox/"))["notifications"] == 0
    read = anna.page("/inbox/?section=notifications")  # read: a plain link from now on
    assert f'<a href="/instances/{instance}">Open the case</a>' in read


def test_every_inbox_form_needs_its_csrf_token(web_app, crm):
    task = open_task(crm, start_credit(crm), "request")
    giorgos = sign_in(web_app, "giorgos.bd")
    for path, data in (
        ("/inbox/claim", {"task_id": task}),
        ("/inbox/release", {"task_id": task}),
        ("/inbox/filters", {"name": "x"}),
        ("/inbox/notifications/read", {}),
    ):
        assert giorgos.client.post(path, data=data).status_code == 400, path
    assert views.task_detail(crm.uow(), task)["assignee"] is None


def test_the_inbox_needs_a_signed_in_user(web_app):
    assert web_app.test_client().get("/inbox/").status_code == 302


def test_a_deputy_works_the_queue_of_the_person_they_stand_in_for(web_app, crm):
    today = datetime.now(UTC).date()
    stand_in = Deputy("katerina.call", "anna.credit", today, today)
    crm.import_directory(replace(demo_directory(), deputies=(stand_in,)), user="admin")
    analysis = requested(crm)
    katerina = sign_in(web_app, "katerina.call")
    assert task_ids(katerina.page("/inbox/?section=queue")) == [analysis]
    assert 'name="recommendation"' in katerina.page(f"/tasks/{analysis}")


def test_a_deputy_finds_and_finishes_the_work_the_absent_person_had_claimed(web_app, crm):
    """anna claimed an analysis and went on leave; katerina, standing in for her, finds it
    under her own tasks, reads whose it is, and completes it for her."""
    today = datetime.now(UTC).date()
    stand_in = Deputy("katerina.call", "anna.credit", today, today)
    crm.import_directory(replace(demo_directory(), deputies=(stand_in,)), user="admin")
    analysis = requested(crm)
    crm.claim(analysis, user="anna.credit")
    katerina, kostas = sign_in(web_app, "katerina.call"), sign_in(web_app, "kostas.credit")

    inbox = katerina.page("/inbox/?section=mine")
    assert task_ids(inbox) == [analysis] and counts(inbox)["mine"] == 1
    page = katerina.page(f"/tasks/{analysis}")
    assert (
        "You stand in for them today: you may complete it or return it to the queue for them."
        in page
    )
    # Standing in, she holds the signing role too: not for her own work (four eyes).
    assert (
        "Done by you, it is signed off by another member of the role Credit controller,"
        " not by you." in page
    )
    assert 'name="recommendation"' in page and f"/tasks/{analysis}/release" in page
    other = kostas.page(f"/tasks/{analysis}")  # another controller: anna's, not his
    assert 'name="recommendation"' not in other and "has claimed this task." in other

    answer = katerina.post(
        f"/tasks/{analysis}/complete",
        {"recommendation": "approve", "approved_limit": "5000", "analysis": "Pays on time"},
    )

    assert answer.status_code == 302, answer.get_data(as_text=True)
    done = views.task_detail(crm.uow(), analysis)
    assert (done["status"], done["performer"], done["performer_for"]) == (
        "awaiting_signoff",
        "katerina.call",
        "anna.credit",
    )
    anna_name = crm.directory().users["anna.credit"].name
    signer_page = kostas.page(f"/tasks/{analysis}")  # sent back, it is anna's again
    assert f"Rejecting sends the work back to {anna_name} with your reason" in signer_page
    anna_page = sign_in(web_app, "anna.credit").page(f"/tasks/{analysis}")
    assert "did this work for you, standing in, so someone else signs it off" in anna_page
    sent_back = kostas.post(
        f"/tasks/{analysis}/reject",
        {"reason": "Attach the payment history", "password": DEMO_PASSWORD},
    )
    assert sent_back.status_code == 302
    assert f"Sent back to {anna_name} with your reason." in kostas.page(sent_back.location)


def test_a_deputy_gives_the_absent_persons_claim_back_to_the_queue(web_app, crm):
    today = datetime.now(UTC).date()
    stand_in = Deputy("katerina.call", "anna.credit", today, today)
    crm.import_directory(replace(demo_directory(), deputies=(stand_in,)), user="admin")
    analysis = requested(crm)
    crm.claim(analysis, user="anna.credit")
    katerina = sign_in(web_app, "katerina.call")

    katerina.post(f"/tasks/{analysis}/release")

    assert views.task_detail(crm.uow(), analysis)["assignee"] is None
    assert task_ids(sign_in(web_app, "kostas.credit").page("/inbox/?section=queue")) == [analysis]


def active_tab(html: str) -> str:
    """The section the page shows (its tab is marked current)."""
    return re.search(r'href="/inbox/\?section=(\w+)" class="tab active"', html).group(1)


def test_the_inbox_opens_on_the_first_section_holding_work(web_app, crm):
    analysis = requested(crm)
    anna = sign_in(web_app, "anna.credit")

    html = anna.page("/inbox/")  # nothing claimed: her roles' queue holds the work
    assert active_tab(html) == "queue" and task_ids(html) == [analysis]
    assert active_tab(anna.page("/inbox/?section=mine")) == "mine"  # a tab picked is kept
    assert "Nothing here." in anna.page("/inbox/?section=mine")

    anna.post("/inbox/claim", {"task_id": analysis})
    assert active_tab(anna.page("/inbox/")) == "mine"
    analysed(crm, analysis, limit=5000)
    kostas = sign_in(web_app, "kostas.credit")
    assert active_tab(kostas.page("/inbox/")) == "signoffs"


def test_pages_of_an_opened_section_stay_in_it(web_app, crm):
    for customer in range(101, 123):  # 22 requests: two pages of a BD's queue
        start_credit(crm, customer)
    html = sign_in(web_app, "eleni.bd").page("/inbox/")
    assert active_tab(html) == "queue"
    assert 'href="/inbox/?section=queue&amp;page=2"' in html


def test_a_row_names_the_customer_the_key_figure_and_the_process(web_app, crm):
    analysis = requested(crm, increase=2500)
    with crm.uow() as uow:
        customer = get_customer(uow.session, CUSTOMER)
    limit = customer["credit_limit"] + 2500
    anna = sign_in(web_app, "anna.credit")

    row = row_of(anna.page("/inbox/?section=queue"), analysis)
    assert str(escape(customer["name"])) in row and customer["code"] in row
    assert "Requested limit" in row and format_currency(limit, "EUR", locale="en") in row
    assert "Credit limit change" in row and "Analyse credit (controller sign-off)" in row
    assert "credit_limit_change" not in row  # never a raw process id

    crm.set_locale("anna.credit", "el")
    row = row_of(anna.page("/inbox/?section=queue"), analysis)
    assert "Αλλαγή πιστωτικού ορίου" in row and "Αιτούμενο όριο" in row
    assert format_currency(limit, "EUR", locale="el") in row  # 1.234,00 €
    assert "Πιστωτική ανάλυση (υπογραφή ελεγκτή πιστώσεων)" in row


def test_a_credit_change_not_yet_asked_shows_the_current_limit_as_such(web_app, crm):
    """The row read 'Requested limit' beside the current limit before anything was asked."""
    instance = start_credit(crm)
    request = open_task(crm, instance, "request")
    with crm.uow() as uow:
        current = get_customer(uow.session, CUSTOMER)["credit_limit"]
    row = row_of(sign_in(web_app, "giorgos.bd").page("/inbox/?section=queue"), request)
    assert "Current limit" in row and format_currency(current, "EUR", locale="en") in row
    assert "Requested limit" not in row


def test_the_customer_filter_takes_a_name_typed_any_way(web_app, crm):
    analysis = requested(crm)
    other = open_task(crm, start_credit(crm, 101), "request")
    with crm.uow() as uow:
        name = get_customer(uow.session, CUSTOMER)["name"]
    word = max(name.split(), key=len)  # a word of the name, typed without accents
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    anna = sign_in(web_app, "anna.credit")
    for typed in (bare.lower(), bare.upper(), word):
        html = anna.page(f"/inbox/?section=queue&customer={quote(typed)}")
        assert analysis in task_ids(html) and other not in task_ids(html), typed
    html = anna.page("/inbox/?section=queue&customer=" + "x" * 5000)  # bounded, no error
    assert total(html) == 0


def test_the_inbox_names_who_has_a_task_and_who_did_it_by_name(web_app, crm):
    claimed, signing = requested(crm), requested(crm, customer=151)
    crm.claim(claimed, user="anna.credit")
    crm.claim(signing, user="anna.credit")
    analysed(crm, signing)  # done by anna, it now waits for another's sign-off
    anna = crm.directory().users["anna.credit"].name

    mine = sign_in(web_app, "anna.credit").page("/inbox/?section=mine")
    assert who_cells(mine) == [anna]
    signoffs = sign_in(web_app, "kostas.credit").page("/inbox/?section=signoffs")
    assert who_cells(signoffs) == [f"by {anna}"]


def who_cells(html: str) -> list[str]:
    return re.findall(r'<td data-label="Who">([^<]*)</td>', html)


def test_a_bulk_action_with_nothing_ticked_says_to_tick_first(web_app, crm):
    """Pressing "claim selected" with nothing ticked read "Claimed 0 tasks."."""
    giorgos = sign_in(web_app, "giorgos.bd")
    for action in ("claim", "release"):
        giorgos.post(f"/inbox/{action}", {"next": "/inbox/?section=queue"})
        html = giorgos.page("/inbox/?section=queue")
        assert "Tick the tasks first: none was chosen." in html, action
        assert " 0 tasks." not in html, action


def test_work_done_again_after_a_return_reads_resubmitted_to_its_signer(web_app, crm):
    analysis = requested(crm)
    analysed(crm, analysis)
    crm.reject(analysis, user="kostas.credit", reason="Attach the payment history")
    anna, kostas = sign_in(web_app, "anna.credit"), sign_in(web_app, "kostas.credit")
    assert badges(anna.page("/inbox/?section=mine"), analysis) == ["sent back"]

    analysed(crm, analysis)

    assert badges(kostas.page("/inbox/?section=signoffs"), analysis) == ["resubmitted"]


def test_work_sent_back_after_its_performer_left_goes_to_the_roles_queue(web_app, crm):
    """Sent back to a deactivated performer, the work waited under their name, in nobody's
    inbox: the signer is told it goes to the role's queue instead, and it does."""
    analysis = requested(crm)
    analysed(crm, analysis, user="anna.credit")
    crm.set_user_active("anna.credit", False, by="admin")
    kostas = sign_in(web_app, "kostas.credit")
    anna = crm.directory().users["anna.credit"].name
    assert (
        f"Rejecting sends the work back to its role's queue with your reason, as {anna} is"
        " no longer active" in html.unescape(kostas.page(f"/tasks/{analysis}"))
    )

    reason = {"reason": "Attach the payment history", "password": DEMO_PASSWORD}
    sent = kostas.post(f"/tasks/{analysis}/reject", reason)

    assert sent.status_code == 302
    told = f"Sent back to its role's queue with your reason: {anna} is no longer active."
    assert told in html.unescape(kostas.page("/inbox/"))
    task = views.task_detail(crm.uow(), analysis)
    assert (task["status"], task["assignee"]) == ("ready", None)
    assert badges(kostas.page("/inbox/?section=queue"), analysis) == ["sent back"]
    assert kostas.post("/inbox/claim", {"task_id": analysis}).status_code == 302
    assert views.task_detail(crm.uow(), analysis)["assignee"] == "kostas.credit"
    [rejected] = views.audit_events(crm.uow(), task_id=analysis, action="reject")
    assert rejected["details"]["to_queue"] == "anna.credit"
    case = html.unescape(kostas.page(f"/instances/{task['instance_id']}"))
    assert f"to its role's queue, as {anna} is no longer active" in case  # the timeline


def test_who_did_the_work_before_it_was_sent_back_is_not_offered_its_sign_off(web_app, crm):
    """Anna's analysis was sent back and redone by Kostas: the engine refused her signature
    (four eyes across rework), but her sign-off list and the task page offered it."""
    analysis = requested(crm)
    analysed(crm, analysis, user="anna.credit")
    crm.reject(analysis, user="kostas.credit", reason="Attach the payment history")
    crm.reassign(analysis, user="admin", to="kostas.credit", reason="Anna is on leave")
    analysed(crm, analysis, user="kostas.credit")
    anna = sign_in(web_app, "anna.credit")

    assert f"/tasks/{analysis}" not in anna.page("/inbox/?section=signoffs")
    page = anna.page(f"/tasks/{analysis}")
    assert "You worked on this before it was sent back, so someone else signs it off" in page
    assert f'action="/tasks/{analysis}/approve"' not in page
    # The demo's two credit controllers both did it: nobody is left to sign, and the page
    # says so, to them and to the admin who can end it.
    dead_end = "Nobody can sign this off now: everyone who holds Credit controller today"
    assert dead_end in page
    assert dead_end in sign_in(web_app, "admin").page(f"/tasks/{analysis}")
    crm.add_role("vasso.finance", "credit_controller", by="admin")
    assert dead_end not in anna.page(f"/tasks/{analysis}")
    token = crm.create_token("anna.credit", label="test")
    listed = web_app.test_client().get(
        "/api/v1/signoffs", headers={"Authorization": f"Bearer {token}"}
    )
    assert analysis not in [item["id"] for item in listed.get_json()]


def badges(html: str, task_id: str) -> list[str]:
    """The badges on the inbox row of `task_id`."""
    row = html[html.index(f'href="/tasks/{task_id}"') :]
    row = row[: row.index("</td>")]
    return re.findall(r'<span class="badge [a-z]+">([^<]+)</span>', row)
