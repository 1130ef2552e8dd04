"""The start pages: who may start what, choosing the customer, and off to the first task."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from engine import SourceFile, views
from tests.e2e.staff_helpers import ROOT, sign_in
from workflows.tables import customer_contacts, customers

pytest_plugins = ["tests.e2e.staff_helpers"]
START = "/start/credit_limit_change"


def options(html: str) -> list[str]:
    """The customer ids the chooser offers."""
    chooser = html[html.index('name="customer_id"') :]
    chooser = chooser[: chooser.index("</select>")]
    return re.findall(r'<option value="(\d+)"', chooser)


def test_the_list_shows_what_the_user_may_start(web_app):
    assert START in sign_in(web_app, "giorgos.bd").page("/start/")
    assert START in sign_in(web_app, "admin").page("/start/")
    html = sign_in(web_app, "anna.credit").page("/start/")
    assert START not in html and "There is no process you may start." in html


def test_others_may_not_open_or_post_the_start_form(web_app, crm):
    anna = sign_in(web_app, "anna.credit")
    assert anna.get(START).status_code == 403
    assert anna.post(START, {"customer_id": "150"}).status_code == 403
    assert views.process_versions(crm.uow()) and not views.open_tasks(crm.uow())
    assert sign_in(web_app, "giorgos.bd").get("/start/no_such_process").status_code == 404


def test_starting_opens_the_first_task_for_the_starter(web_app, crm):
    giorgos = sign_in(web_app, "giorgos.bd")
    started = giorgos.post(START, {"customer_id": "150"})
    assert started.status_code == 302 and started.headers["Location"].startswith("/tasks/")
    task_id = started.headers["Location"].removeprefix("/tasks/")
    task = views.task_detail(crm.uow(), task_id)
    assert (task["element"], task["business_key"]) == ("request", "C00150")
    html = giorgos.page(started.headers["Location"])
    assert "Started. This is your first task." in html and 'name="requested_limit"' in html


def test_a_start_form_sent_twice_starts_one_case(web_app, crm):
    """A Start pressed twice, or a form sent again after a dropped connection, started
    two cases: the form carries the key it was shown with, and the second gets the first's."""
    giorgos = sign_in(web_app, "giorgos.bd")
    form = giorgos.page(START)
    [key] = re.findall(r'name="request_key" value="([0-9a-f]{32})"', form)
    assert re.findall(r'name="request_key" value="([0-9a-f]{32})"', giorgos.page(START)) != [key]

    first = giorgos.post(START, {"customer_id": "150", "request_key": key})
    again = giorgos.post(START, {"customer_id": "150", "request_key": key})

    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]  # the same first task
    assert "Already started: this is the case this form started a moment ago." in giorgos.page(
        again.headers["Location"]
    )
    assert len(views.open_tasks(crm.uow())) == 1
    # The page gone back to and filled in anew is a new request: a second case.
    other = giorgos.post(START, {"customer_id": "151", "request_key": key})
    assert other.status_code == 302 and other.headers["Location"] != first.headers["Location"]
    assert len(views.open_tasks(crm.uow())) == 2


def test_a_starter_who_cannot_work_the_first_task_goes_to_the_case(web_app, crm):
    admin = sign_in(web_app, "admin")
    started = admin.post(START, {"customer_id": "150"})
    [task] = views.open_tasks(crm.uow())
    assert task["business_key"] == "C00150"
    assert started.headers["Location"] == f"/instances/{task['instance_id']}"
    case = admin.page(started.headers["Location"])
    assert "Started: the next step is with" in case and "C00150" in case


def test_the_customer_chooser_lists_a_bds_own_customers_and_searches(web_app, crm):
    with crm.uow() as uow:
        own = {
            str(i)
            for i in uow.session.scalars(
                select(customers.c.id).where(customers.c.bd == "giorgos.bd")
            )
        }
    giorgos = sign_in(web_app, "giorgos.bd")
    assert set(options(giorgos.page(START))) == own

    assert set(options(giorgos.page(f"{START}?q=c0015"))) == {str(i) for i in range(150, 160)}
    prefilled = giorgos.page(f"{START}?customer_id=150")  # not one of giorgos's
    assert '<option value="150" selected>' in prefilled and options(prefilled)[0] == "150"


def test_the_chooser_says_which_customers_are_blocked_or_not_yet_customers(web_app, crm):
    """A clerk picked a blocked customer from the list, took the order and told the
    customer it was in; the block showed only after starting."""
    with crm.uow() as uow:
        for customer_id, status in ((151, "blocked"), (152, "prospect")):
            uow.session.execute(
                customers.update().where(customers.c.id == customer_id).values(status=status)
            )
        uow.commit()
    giorgos = sign_in(web_app, "giorgos.bd")
    html = giorgos.page(f"{START}?q=c0015")
    labels = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', html))
    assert labels["151"].endswith("(blocked)") and labels["152"].endswith("(prospect)")
    assert "(" not in labels["150"]  # an active customer reads as before
    crm.set_locale("giorgos.bd", "el")
    greek = dict(
        re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', giorgos.page(f"{START}?q=c0015"))
    )
    assert greek["151"].endswith("(μπλοκαρισμένος)") and greek["152"].endswith("(υποψήφιος)")


def test_namesakes_in_the_chooser_are_told_apart_by_their_phone(web_app, crm):
    """Three "Καφενείο Πετρόπουλος" read alike in the list: nothing said which was on the
    line."""
    with crm.uow() as uow:
        uow.session.execute(customers.update().where(customers.c.id == 160).values(phone=None))
        uow.commit()
        phones = dict(
            uow.session.execute(
                select(customers.c.id, customers.c.phone).where(customers.c.id.in_((130, 150)))
            ).all()
        )
    html = sign_in(web_app, "giorgos.bd").page(f"{START}?q=καφενειο πετροπουλος")
    labels = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', html))
    assert labels["130"] == f"C00130 · Καφενείο Πετρόπουλος · {phones[130]}"
    assert labels["150"] == f"C00150 · Καφενείο Πετρόπουλος · {phones[150]}"
    assert phones[130] != phones[150]
    assert labels["160"] == "C00160 · Καφενείο Πετρόπουλος"  # no phone on file


def test_a_list_cut_at_its_first_customers_says_so(web_app, crm):
    """200 customers, 100 listed: nothing said the others were left out."""
    note = "The list shows the first 100 customers by name: search to find any other."
    everyone = sign_in(web_app, "admin").page(START)  # no BD: every customer
    assert len(options(everyone)) == 100 and note in everyone
    assert note not in sign_in(web_app, "giorgos.bd").page(START)  # his own, all listed


def test_a_customer_is_found_by_name_as_typed_and_the_search_keeps_the_form(web_app, crm):
    with crm.uow() as uow:
        name = uow.session.scalar(select(customers.c.name).where(customers.c.id == 150))
    plain = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    giorgos = sign_in(web_app, "giorgos.bd")
    for typed in (name, plain.lower(), plain.upper(), name.split()[-1].lower()):
        assert "150" in options(giorgos.page(f"{START}?q={typed}")), typed

    files = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("complaint.*"))]
    crm.deploy(files, user="lena.owner")
    typed = {"kind": "bad_taste", "description": "Η μπύρα είχε περίεργη γεύση"}
    complaint = "/start/complaint"
    searched = giorgos.post(complaint, {"q": plain.lower(), "search_customer": "1", **typed})
    html = searched.get_data(as_text=True)
    assert searched.status_code == 200 and "150" in options(html)
    assert '<option value="bad_taste" selected>' in html  # what was typed is kept
    assert ">Η μπύρα είχε περίεργη γεύση</textarea>" in html
    assert not views.open_tasks(crm.uow())  # a search never starts anything
    by_code = giorgos.post(complaint, {"q": "C00150", "search_customer": "1"})
    assert '<option value="150" selected>' in by_code.get_data(as_text=True)  # the one match
    nothing = giorgos.post(complaint, {"q": "ζζζζ", "search_customer": "1"})
    assert "No customer matches “ζζζζ”." in nothing.get_data(as_text=True)


def test_a_caller_is_found_by_the_number_they_call_from_their_tax_id_or_words_in_any_order(
    web_app, crm
):
    """A call agent had only the code or the name's exact wording to find the customer
    on the line by: not the number on the screen, not the tax id on an invoice."""
    with crm.uow() as uow:
        uow.session.execute(
            customers.update().where(customers.c.id == 150).values(phone="2105551234")
        )
        uow.session.execute(
            customer_contacts.insert().values(
                customer_id=151, name="Νίκος Παππάς", role="buyer", phone="6941234567"
            )
        )
        afm, name = uow.session.execute(
            select(customers.c.afm, customers.c.name).where(customers.c.id == 152)
        ).one()
        uow.commit()
    giorgos = sign_in(web_app, "giorgos.bd")

    def search(typed: str) -> str:
        return giorgos.post(START, {"q": typed, "search_customer": "1"}).get_data(as_text=True)

    def chosen(typed: str) -> str | None:  # the one customer found is chosen
        found = re.search(r'<option value="(\d+)" selected>', search(typed))
        return found[1] if found else None

    assert chosen("+30 210 555 1234") == chosen("210-5551234") == "150"
    assert chosen("694 123 4567") == "151"  # a contact person's mobile
    assert chosen(afm) == "152"
    assert "152" in options(search(" ".join(reversed(name.lower().split()))))
    assert chosen("210 555 1235") is None  # one digit off: nobody
    assert not views.open_tasks(crm.uow())  # searching never starts anything


def test_a_data_change_is_requested_in_one_of_the_starters_own_roles(web_app, crm):
    """Any requester role was offered: a BD who picked customer service sent the entry to
    that team and was left with nothing to do."""
    files = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("customer_data_change.*"))]
    crm.deploy(files, user="lena.owner")
    path = "/start/customer_data_change"
    bd = sign_in(web_app, "giorgos.bd")
    chooser = bd.page(path)
    chooser = chooser[chooser.index('name="requester_role"') :]
    chooser = chooser[: chooser.index("</select>")]
    assert re.findall(r'<option value="(\w+)"( selected)?', chooser) == [("bd", " selected")]

    refused = bd.post(path, {"customer_id": "12", "requester_role": "cs_agent"})
    assert refused.status_code == 422
    assert "Choose one of your own roles." in refused.get_data(as_text=True)
    assert not views.open_tasks(crm.uow())

    started = bd.post(path, {"customer_id": "12", "requester_role": "bd"})
    assert started.status_code == 302 and started.headers["Location"].startswith("/tasks/")


def test_bad_start_data_is_shown_by_field(web_app, crm):
    giorgos = sign_in(web_app, "giorgos.bd")
    for sent, message in (
        ({}, "Missing data for required field."),
        ({"customer_id": "99999"}, "There is no such customer."),
        ({"customer_id": "abc"}, "Not a valid integer."),
        ({"customer_id": "9" * 25}, "There is no such customer."),  # was a 500 (overflow)
    ):
        answer = giorgos.post(START, sent)
        assert answer.status_code == 422, sent
        assert f'<p class="field-error" id="e-customer_id">{message}</p>' in answer.get_data(
            as_text=True
        )
    assert views.open_tasks(crm.uow()) == []


def test_a_form_sent_back_with_errors_keeps_the_customer_search_typed(web_app, crm):
    """The agent searched by phone, chose the caller and sent the form with a mistake:
    the page came back with the search box empty and the list back to the first names."""
    with crm.uow() as uow:
        uow.session.execute(
            customers.update().where(customers.c.id == 150).values(phone="2105551234")
        )
        uow.commit()
    giorgos = sign_in(web_app, "giorgos.bd")
    answer = giorgos.post(START, {"q": "2105551234", "customer_id": "abc"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'name="q" value="2105551234"' in html
    assert options(html) == ["150"]  # the search's one match, not the first names
    assert views.open_tasks(crm.uow()) == []


def test_starting_needs_the_csrf_token(web_app, crm):
    giorgos = sign_in(web_app, "giorgos.bd")
    assert giorgos.client.post(START, data={"customer_id": "150"}).status_code == 400
    assert views.open_tasks(crm.uow()) == []
