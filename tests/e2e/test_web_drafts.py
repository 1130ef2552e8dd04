"""The drafts pages over HTTP: the modeler's save (diagram, tables, RACI grid) with its
checks, submission, the approver's review of the diff and signature with a password."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from lxml import html as lxml_html

from engine import views
from tests.e2e.staff_helpers import open_notice
from tests.e2e.test_api_drafts import with_extra_check

from .test_web_instances import (  # noqa: F401  (the fixtures app, engine, seeded)
    PASSWORD,
    as_user,
    process_engine,
    seeded_database,
    web_app,
)

PROCESS = "credit_limit_change"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN = f"{PROCESS}.approval_level.dmn"


def editor(page: str) -> dict:
    [script] = lxml_html.fromstring(page).xpath("//script[@id='draft-data']")
    return json.loads(script.text)


def opened(app) -> tuple[object, str, dict]:
    owner = as_user(app, "lena.owner")
    answer = owner.post("/drafts/", {"process_id": PROCESS})
    assert answer.status_code == 302
    draft_id = answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    return owner, draft_id, editor(owner.page(f"/drafts/{draft_id}"))


def saved(owner, draft_id: str, payload: dict):
    return owner.client.post(
        f"/drafts/{draft_id}/save",
        json=payload,
        headers={"X-CSRFToken": owner.token(), "Accept-Language": "en"},
    )


def test_the_modeler_saves_diagram_table_and_grid_and_the_approver_signs(app, engine):
    owner, draft_id, data = opened(app)
    assert "bpmndi:BPMNDiagram" in data["bpmn"]  # laid out for the modeler
    assert data["names"]["analyse_controller"] == "Analyse credit (controller sign-off)"
    rows = {row["activity"]: row for row in data["rows"]}
    rows["analyse_controller"]["cells"]["sales_manager"] = "C"
    table = data["dmn"][DMN].replace("&gt; 50000", "&gt; 60000")
    renamed = data["bpmn"].replace('name="Measure the increase"', 'name="Measure the change"')
    assert renamed != data["bpmn"]
    answer = saved(
        owner,
        draft_id,
        {
            "bpmn": renamed,
            "dmn": {DMN: table},
            "matrix": {"roles": data["roles"], "rows": list(rows.values())},
        },
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["ok"] is True
    auditor = as_user(app, "fotis.audit")
    assert auditor.get(f"/drafts/{draft_id}/review").status_code == 404  # work in progress
    submitted = owner.post(f"/drafts/{draft_id}/submit", {"comment": "CFO from 60k; sales asked"})
    assert submitted.status_code == 303

    engine.set_password("stavros.approver", PASSWORD, by="admin")
    engine.set_locale("stavros.approver", "en")
    approver = as_user(app, "stavros.approver")
    assert draft_id in approver.page("/drafts/")
    review = approver.page(f"/drafts/{draft_id}/review")
    assert "&gt; 50000" in review and "&gt; 60000" in review
    assert "Analyse credit (controller sign-off)" in review  # the row by its name
    assert "renamed from «Measure the increase»" in review  # what the step was called
    wrong = approver.post(f"/drafts/{draft_id}/approve", {"password": "nope"})
    assert wrong.status_code == 403 and "not right" in wrong.get_data(as_text=True)
    # A reason typed before a mistyped password is still there to send again.
    said = "Ask sales first"
    back = approver.post(f"/drafts/{draft_id}/reject", {"password": "nope", "reason": said})
    assert back.status_code == 403 and f">{said}</textarea>" in back.get_data(as_text=True)
    assert engine.draft(draft_id, user="lena.owner").status == "submitted"
    assert engine.matrix(PROCESS)[0] == 1
    approver.post(f"/drafts/{draft_id}/approve", {"password": PASSWORD})
    assert engine.matrix(PROCESS)[0] == 2
    [row] = [r for r in engine.matrix(PROCESS)[1].rows if r.activity == "analyse_controller"]
    assert "".join(row.cells["sales_manager"]) == "C"
    assert (row.rules.authority.decided_by, row.rules.scopes) == (
        "approval_level",
        (("bd", "customer_bd"),),
    )
    assert views.audit_events(engine.uow(), process_id=PROCESS, action="draft_approved")
    # The auditor reads what was signed, from the trail, and may not sign anything.
    assert f"/drafts/{draft_id}/review" in auditor.page(f"/audit/?process_id={PROCESS}")
    signed = auditor.page(f"/drafts/{draft_id}/review")
    assert "&gt; 60000" in signed and 'name="password"' not in signed


def test_the_notices_of_a_submitted_change_link_to_its_review(app, engine):
    owner, draft_id, data = opened(app)
    rows = {row["activity"]: row for row in data["rows"]}
    rows["analyse_controller"]["cells"]["sales_manager"] = "C"
    matrix = {"roles": data["roles"], "rows": list(rows.values())}
    assert saved(owner, draft_id, {"bpmn": data["bpmn"], "matrix": matrix}).status_code == 200
    engine.set_password("stavros.approver", PASSWORD, by="admin")
    engine.set_locale("stavros.approver", "en")  # notices are worded when they are sent
    assert owner.post(f"/drafts/{draft_id}/submit", {"comment": "tell sales"}).status_code == 303

    approver = as_user(app, "stavros.approver")
    review = f"/drafts/{draft_id}/review"
    notices = approver.page("/inbox/?section=notifications")
    assert "a change waits for your signature" in notices
    assert open_notice(approver, notices, "Open the change") == review
    assert 'name="password"' in approver.page(review)  # the link leads to the signature
    # The notice once read, the inbox still says a change waits: it opens on sign-offs,
    # counts it there and leads to the changes; the owner's own inbox counts nothing.
    inbox = approver.page("/inbox/")
    assert re.search(r'class="badge count-signoffs">1<', inbox)
    assert "1 process change waits for your signature." in inbox
    assert f'<a href="/drafts/{draft_id}/review">Credit limit change</a>' in inbox
    assert "Nothing here." not in inbox and "0 items" not in inbox  # the change is its item
    assert "waits for your signature" not in owner.page("/inbox/?section=signoffs")

    approver.post(f"/drafts/{draft_id}/reject", {"password": PASSWORD, "reason": "ask sales"})
    assert "waits for your signature" not in approver.page("/inbox/?section=signoffs")
    told = owner.page("/inbox/?section=notifications")  # the owner: sent back, and where
    assert "your change was sent back" in told
    assert open_notice(owner, told, "Open the change") == review
    # The reason stays in sight while the owner works on it again, saved or not.
    assert saved(owner, draft_id, {"bpmn": data["bpmn"], "matrix": matrix}).status_code == 200
    assert ": ask sales</p>" in owner.page(f"/drafts/{draft_id}")


def with_sales_consulted(owner, draft_id: str, data: dict) -> None:
    rows = {row["activity"]: row for row in data["rows"]}
    rows["analyse_controller"]["cells"]["sales_manager"] = "C"
    matrix = {"roles": data["roles"], "rows": list(rows.values())}
    assert saved(owner, draft_id, {"bpmn": data["bpmn"], "matrix": matrix}).status_code == 200


def test_a_draft_another_version_overtook_is_said_so_and_offers_only_sending_back(app, engine):
    """Two changes opened from version 1: once one was signed, the other still offered
    "Approve and deploy", and the approver learnt only after typing the password."""
    owner, first, data = opened(app)
    with_sales_consulted(owner, first, data)
    _owner, second, data = opened(app)
    with_sales_consulted(owner, second, data)
    _owner, third, data = opened(app)
    with_sales_consulted(owner, third, data)
    for draft_id in (first, second):
        assert owner.post(f"/drafts/{draft_id}/submit", {"comment": "sales"}).status_code == 303
    engine.set_password("stavros.approver", PASSWORD, by="admin")
    engine.set_locale("stavros.approver", "en")
    approver = as_user(app, "stavros.approver")
    assert 'id="approve"' in approver.page(f"/drafts/{second}/review")
    approver.post(f"/drafts/{first}/approve", {"password": PASSWORD})
    assert engine.matrix(PROCESS)[0] == 2

    said = "Version 2 was deployed after this draft was opened from version 1"
    review = approver.page(f"/drafts/{second}/review")
    assert said in review and 'id="approve"' not in review  # no signing what would undo v2
    assert f'action="/drafts/{second}/reject"' in review  # it can go back to its owner
    assert "(v2 deployed since: it can no longer be approved)" in approver.page("/drafts/")
    forced = approver.post(f"/drafts/{second}/approve", {"password": PASSWORD})
    assert forced.status_code == 303 and engine.matrix(PROCESS)[0] == 2
    assert "must open the process again" in approver.page(f"/drafts/{second}/review")

    editor = owner.page(f"/drafts/{third}")
    assert said in editor  # its owner reads it before submitting, and is offered no submit
    assert 'class="card submit-draft"' not in editor
    refused = owner.post(f"/drafts/{third}/submit", {"comment": "sales"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/{third}")
    assert "must open the process again" in owner.page(f"/drafts/{third}")
    assert engine.draft(third, user="lena.owner").may_edit
    assert said not in owner.page(f"/drafts/{opened(app)[1]}")  # a fresh one is fine


def test_deleting_a_draft_asks_first(app, engine):
    owner, draft_id, _data = opened(app)
    [form] = lxml_html.fromstring(owner.page(f"/drafts/{draft_id}")).xpath(
        f"//form[@action='/drafts/{draft_id}/delete']"
    )
    [box] = form.xpath(".//input[@type='checkbox']")
    assert (box.get("name"), box.get("value"), box.get("required")) == ("confirm", "yes", "")
    assert "loses its changes for good" in form.text_content()

    unticked = owner.post(f"/drafts/{draft_id}/delete")  # a click alone deletes nothing
    assert unticked.status_code == 303
    assert unticked.headers["Location"].endswith(f"/drafts/{draft_id}")
    assert "Tick the box to confirm the deletion." in owner.page(f"/drafts/{draft_id}")
    assert engine.draft(draft_id, user="lena.owner").may_edit

    ticked = owner.post(f"/drafts/{draft_id}/delete", {"confirm": "yes"})
    assert ticked.status_code == 303 and ticked.headers["Location"].endswith("/drafts/")
    assert "Draft deleted." in owner.page("/drafts/")
    assert owner.get(f"/drafts/{draft_id}").status_code == 404


def test_a_grid_the_server_cannot_read_saves_nothing_and_a_missing_row_is_pinned(app):
    owner, draft_id, data = opened(app)
    rows = [dict(r) for r in data["rows"]]
    rows[0] = {**rows[0], "cells": {"bd": "X"}}
    bad = saved(
        owner, draft_id, {"bpmn": data["bpmn"], "matrix": {"roles": data["roles"], "rows": rows}}
    )
    assert bad.status_code == 409 and bad.get_json()["saved"] is False
    # The grid without the controller's row: the diagram's task is pinned as unassigned.
    rows = [r for r in data["rows"] if r["activity"] != "analyse_controller"]
    answer = saved(
        owner, draft_id, {"bpmn": data["bpmn"], "matrix": {"roles": data["roles"], "rows": rows}}
    )
    problems = answer.get_json()["problems"]
    assert answer.get_json()["ok"] is False
    assert ("raci", "analyse_controller") in {(p["kind"], p["element_id"]) for p in problems}
    refused = owner.post(f"/drafts/{draft_id}/submit", {"comment": "drop the controller"})
    # The modeler again, saying why, with the comment the owner typed still in its box.
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "problem" in page
    assert re.search(r'<textarea name="comment"[^>]*>drop the controller</textarea>', page)
    assert app.extensions["raciflow"].draft(draft_id, user="lena.owner").status == "editing"


def test_staff_neither_open_drafts_nor_see_others(app):
    _, draft_id, _ = opened(app)
    bd = as_user(app, "giorgos.bd")
    refused = bd.post("/drafts/", {"process_id": PROCESS})
    assert refused.status_code == 422
    assert "only a process owner" in refused.get_data(as_text=True)
    assert bd.get(f"/drafts/{draft_id}").status_code == 404
    assert bd.get(f"/drafts/{draft_id}/review").status_code == 404


def test_a_new_process_starts_blank_under_the_name_staff_will_read(app):
    owner = as_user(app, "lena.owner")
    named = {"process_id": PROCESS, "new_id": "price_review", "new_name": ' Price  "review" & <b>'}
    made = owner.post("/drafts/", named)
    draft_id = made.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    data = editor(owner.page(f"/drafts/{draft_id}"))
    assert data["process_id"] == "price_review" and 'id="price_review"' in data["bpmn"]
    # The name as typed (spaces tidied), escaped in the XML; the task named for a person.
    xml = ElementTree.fromstring(data["bpmn"].encode())
    [process] = xml.findall(f"{{{BPMN}}}process")
    assert process.get("name") == 'Price "review" & <b>'
    assert process.find(f"{{{BPMN}}}userTask").get("name") == "First task"
    # Its end is named too: staff read it as the case's outcome, never as "end".
    assert process.find(f"{{{BPMN}}}endEvent").get("name") == "Handled"
    assert process.find(f"{{{BPMN}}}startEvent").get("name") == "Started"
    # Its editor and the list of drafts call it by that name, not by its id.
    assert "<h1>Price &#34;review&#34; &amp; &lt;b&gt; <span" in owner.page(f"/drafts/{draft_id}")
    assert ">Price &#34;review&#34; &amp; &lt;b&gt;</a>" in owner.page("/drafts/")


def test_a_new_process_without_a_name_or_with_a_bad_id_is_refused_keeping_what_was_typed(app):
    owner = as_user(app, "lena.owner")
    before = len(app.extensions["raciflow"].drafts(user="lena.owner")["own"])
    unnamed = owner.post("/drafts/", {"process_id": PROCESS, "new_id": "price_review"})
    page = unnamed.get_data(as_text=True)
    assert unnamed.status_code == 422 and "Give the new process a name" in page
    assert 'value="price_review"' in page
    bad = {"process_id": PROCESS, "new_id": "επιστροφές", "new_name": "Επιστροφές"}
    refused = owner.post("/drafts/", bad)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "is not a process id: a Latin letter" in page and 'value="Επιστροφές"' in page
    taken = {"process_id": PROCESS, "new_id": PROCESS, "new_name": "Another one"}
    refused = owner.post("/drafts/", taken)  # it opened a draft of that process, silently
    assert refused.status_code == 409
    assert f"A process with the id {PROCESS} exists already" in refused.get_data(as_text=True)
    assert len(app.extensions["raciflow"].drafts(user="lena.owner")["own"]) == before


def test_reopening_the_address_a_refused_draft_act_leaves_goes_back_to_the_draft(app):
    owner, draft_id, _data = opened(app)
    refused = owner.post(f"/drafts/{draft_id}/submit", {"comment": " "})
    assert refused.status_code == 422
    for act in ("submit", "delete", "approve", "reject"):
        reopened = owner.get(f"/drafts/{draft_id}/{act}")
        assert reopened.status_code == 302, act
        assert reopened.headers["Location"] == f"/drafts/{draft_id}", act


def edition_of(page: str) -> str:
    [edition] = re.findall(r'data-edition="([^"]+)"', page)
    return edition


def test_a_second_tab_cannot_undo_what_the_first_saved(app, engine):
    """Two tabs on one draft: the second's save silently put back what the first had
    just changed, both answering "Saved."."""
    owner, draft_id, data = opened(app)
    first_tab = second_tab = edition_of(owner.page(f"/drafts/{draft_id}"))

    def grid(due: str) -> dict:
        rows = {row["activity"]: dict(row) for row in data["rows"]}
        rows["analyse_controller"]["signoff_due"] = due
        return {"roles": data["roles"], "rows": list(rows.values())}

    one = saved(
        owner, draft_id, {"bpmn": data["bpmn"], "matrix": grid("P5D"), "edition": first_tab}
    )
    assert one.status_code == 200 and one.get_json()["edition"] != first_tab
    two = saved(
        owner, draft_id, {"bpmn": data["bpmn"], "matrix": grid("P9D"), "edition": second_tab}
    )
    assert two.status_code == 409 and two.get_json()["saved"] is False
    assert (
        "saved from another tab or window after this page was opened" in two.get_json()["message"]
    )
    rows = {row["activity"]: row for row in editor(owner.page(f"/drafts/{draft_id}"))["rows"]}
    assert rows["analyse_controller"]["signoff_due"] == "P5D"  # the first tab's, kept
    again = saved(  # the first tab goes on from what it saved
        owner,
        draft_id,
        {"bpmn": data["bpmn"], "matrix": grid("P6D"), "edition": one.get_json()["edition"]},
    )
    assert again.status_code == 200


def test_the_review_says_which_form_a_new_task_is_done_with(app, engine):
    """The approver signed a new step without seeing the form the owner chose for it."""
    bpmn = f"{PROCESS}.bpmn"
    for task_id, form in (
        ("check_sales", "form: Check with a note (general form)"),
        ("extra_check", "form: no form: done without fields"),
    ):
        draft = engine.open_draft(PROCESS, user="lena.owner")
        changed = with_extra_check(draft.files[bpmn]).replace("extra_check", task_id)
        matrix = f"{PROCESS}.raci.yaml"  # and its row: done by a controller, signed by another
        row = f"\n  - activity: {task_id}\n    raci: {{credit_controller: R/A, bd: I}}\n"
        files = {**draft.files, bpmn: changed, matrix: draft.files[matrix] + row}
        engine.save_draft(draft.id, files, user="lena.owner")
        page = as_user(app, "lena.owner").page(f"/drafts/{draft.id}/review")
        assert f"user task; {form}</td>" in page, task_id  # its kind in words too
        # The new row's letters, one role from the next ("...: R/A BD: I" ran together).
        assert "Business developer: I; Credit controller: R/A</td>" in page, task_id


def test_the_notices_of_a_new_process_name_it_as_staff_will_read_it(app, engine):
    """Notices read "product_returns: a change waits...": no version carried its name."""
    engine.set_password("stavros.approver", PASSWORD, by="admin")
    engine.set_locale("stavros.approver", "en")  # notices are worded when they are sent
    draft = engine.open_draft("price_review", user="lena.owner", name="Price review")
    engine.submit_draft(draft.id, user="lena.owner", comment="A new process")
    notices = as_user(app, "stavros.approver").page("/inbox/?section=notifications")
    assert "Price review: a change waits for your signature" in notices
    assert "price_review" not in notices


def test_the_review_names_an_element_without_a_name_by_its_kind(app, engine):
    """An approver read "end" and "start → Extra check": ids, not words."""
    bpmn = f"{PROCESS}.bpmn"
    draft = engine.open_draft(PROCESS, user="lena.owner")
    unnamed = with_extra_check(draft.files[bpmn]).replace(' name="Extra check"', "")
    engine.save_draft(draft.id, {**draft.files, bpmn: unnamed}, user="lena.owner")
    page = as_user(app, "lena.owner").page(f"/drafts/{draft.id}/review")
    assert 'title="extra_check">user task (no name)</td>' in page
    assert "Request new credit limit → user task (no name)</td>" in page
