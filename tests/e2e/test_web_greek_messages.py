"""Full Greek: engine refusals, notices, diagrams and downloads speak the reader's language."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from engine import views
from engine.model import OutboxMail
from engine.views.notifications import notifications_page
from tests.e2e.staff_helpers import DEMO_PASSWORD, analysed, requested, sign_in
from web import task_page

pytest_plugins = ["tests.e2e.staff_helpers"]


def greek(staff):
    """Make a signed-in person's requests ask for Greek (their stored locale decides)."""
    staff.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "el"
    return staff


def test_the_four_eyes_refusal_reads_in_greek_with_the_task_named_in_greek(web_app, crm):
    analysis = requested(crm)
    analysed(crm, analysis)  # anna did the work; she also holds the A role
    crm.set_locale("anna.credit", "el")
    anna = sign_in(web_app, "anna.credit")
    refused = anna.post(f"/tasks/{analysis}/approve", {"password": DEMO_PASSWORD})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "αρχή των τεσσάρων ματιών" in html
    assert "«Πιστωτική ανάλυση (υπογραφή ελεγκτή πιστώσεων)»" in html
    assert "four eyes" not in html and "analyse_controller" not in html


def test_a_claim_lost_to_a_colleague_names_the_colleague_in_greek_not_the_task_id(web_app, crm):
    analysis = requested(crm)
    assert sign_in(web_app, "anna.credit").post(f"/tasks/{analysis}/claim").status_code == 302
    crm.set_locale("kostas.credit", "el")
    lost = sign_in(web_app, "kostas.credit").post(f"/tasks/{analysis}/claim")
    assert lost.status_code == 409
    [said] = re.findall(r'class="flash error" role="alert">([^<]*)<', lost.get_data(as_text=True))
    assert said == "Την εργασία την έχει ήδη αναλάβει ο/η Άννα Μιχαηλίδου"


def test_a_claim_lost_in_a_race_shows_the_task_as_it_stands_now(web_app, crm, monkeypatch):
    analysis = requested(crm)
    load_page = task_page.load

    def anna_claims_meanwhile(task_id, user):  # her click lands after kostas's page loaded
        page = load_page(task_id, user)
        if views.task_detail(crm.uow(), task_id)["assignee"] is None:
            crm.claim(task_id, user="anna.credit")
        return page

    monkeypatch.setattr(task_page, "load", anna_claims_meanwhile)
    crm.set_locale("kostas.credit", "el")
    lost = sign_in(web_app, "kostas.credit").post(f"/tasks/{analysis}/claim")
    html = lost.get_data(as_text=True)
    assert lost.status_code == 409
    assert "Την εργασία την έχει ήδη αναλάβει ο/η Άννα Μιχαηλίδου" in html
    assert f'action="/tasks/{analysis}/claim"' not in html  # no claim button beside it
    assert "κανέναν" not in html  # nor "claimed by nobody"


def test_the_api_answers_a_refusal_in_the_callers_language(web_app, crm):
    analysis = requested(crm)
    analysed(crm, analysis)
    crm.set_locale("anna.credit", "el")
    token = crm.create_token("anna.credit", label="test")
    answer = web_app.test_client().post(
        f"/api/v1/tasks/{analysis}/approve",
        json={"password": DEMO_PASSWORD},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403
    assert "αρχή των τεσσάρων ματιών" in answer.get_json()["error"]["message"]


def test_notices_are_written_in_each_recipients_language(web_app, crm):
    crm.set_locale("anna.credit", "el")  # both credit controllers are told of the request
    crm.set_locale("kostas.credit", "en")
    requested(crm)
    [to_anna] = notifications_page(crm.uow(), "anna.credit")["items"]
    [to_kostas] = notifications_page(crm.uow(), "kostas.credit")["items"]
    assert to_anna["subject"].startswith("Αίτημα νέου πιστωτικού ορίου:")
    assert "Αλλαγή πιστωτικού ορίου" in to_anna["body"]  # the process by its Greek name
    assert to_kostas["subject"].startswith("Request new credit limit:")
    with crm.uow() as uow:  # the e-mail the worker sends is the notice's own text
        mails = {m.recipient: m.subject for m in uow.session.scalars(select(OutboxMail))}
    assert mails["anna.credit@example.com"] == to_anna["subject"]
    assert mails["kostas.credit@example.com"] == to_kostas["subject"]


def test_diagrams_and_the_raci_page_name_everything_in_greek(web_app, crm):
    crm.set_locale("anna.credit", "el")
    lena = greek(sign_in(web_app, "anna.credit"))
    svg = lena.get("/raci/credit_limit_change/diagram.svg").get_data(as_text=True)
    assert "Εφαρμογή του νέου" in svg and "Apply the" not in svg  # names wrap at 20
    page = lena.page("/raci/credit_limit_change")
    assert "Ελεγκτής πιστώσεων" in page and ">credit_controller<" not in page


def test_the_timeline_names_tasks_and_processes_in_greek(web_app, crm):
    analysis = requested(crm)
    instance = views.task_detail(crm.uow(), analysis)["instance_id"]
    crm.set_locale("giorgos.bd", "el")
    page = greek(sign_in(web_app, "giorgos.bd")).page(f"/instances/{instance}")
    assert "<h1>Αλλαγή πιστωτικού ορίου" in page
    assert "Αίτημα νέου πιστωτικού ορίου" in page
    assert "Request new credit limit" not in page


def test_the_case_file_csv_has_greek_headers(web_app, crm):
    analysis = requested(crm)
    instance = views.task_detail(crm.uow(), analysis)["instance_id"]
    crm.set_locale("fotis.audit", "el")
    answer = greek(sign_in(web_app, "fotis.audit")).get(f"/audit/instances/{instance}/case.csv")
    header = next(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert header[:3] == ["πότε", "ποιος", "εκ μέρους"]


def test_error_pages_speak_greek_and_a_reloaded_act_goes_back_to_its_task(web_app, crm):
    analysis = requested(crm)
    crm.set_locale("anna.credit", "el")
    anna = sign_in(web_app, "anna.credit")
    missing = anna.get("/tasks/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert "Η σελίδα δεν υπάρχει" in missing.get_data(as_text=True)
    nowhere = anna.get("/no/such/page")
    assert nowhere.status_code == 404 and "Η σελίδα δεν υπάρχει" in nowhere.get_data(as_text=True)
    assert "The requested URL was not found" not in nowhere.get_data(as_text=True)

    reloaded = anna.get(f"/tasks/{analysis}/complete")  # the address a refused form leaves
    assert reloaded.status_code == 302 and reloaded.headers["Location"] == f"/tasks/{analysis}"

    crm.set_locale("christina.sales", "el")
    outsider = sign_in(web_app, "christina.sales").get("/admin/users/")
    assert outsider.status_code == 403
    assert "Δεν έχετε δικαίωμα" in outsider.get_data(as_text=True)


def test_the_auditor_reads_a_refusal_and_every_act_in_greek(web_app, crm):
    analysis = requested(crm)
    analysed(crm, analysis)
    anna = sign_in(web_app, "anna.credit")
    assert anna.post(f"/tasks/{analysis}/approve", {"password": DEMO_PASSWORD}).status_code == 403
    soon = date.today() + timedelta(days=7)
    crm.set_deputy("anna.credit", "kostas.credit", starts=soon, ends=soon + timedelta(days=2))

    crm.set_locale("fotis.audit", "el")
    fotis = sign_in(web_app, "fotis.audit")
    refused = fotis.page("/audit/?action=refused")
    assert "αρχή των τεσσάρων ματιών" in refused and "four eyes" not in refused
    trail = fotis.page("/audit/?action=deputy_set")
    assert "ορίστηκε αναπληρωτής" in trail and ">deputy_set<" not in trail
