"""The audit explorer: for auditors, process owners and admins only; search, CSV export,
chain verification that names the first tampered event, the RACI compliance report."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html
from sqlalchemy import Engine, event, text

from engine import views
from engine.governance import RaciRefusal
from raci import report
from web.audit_views import EVENT_COLUMNS

from .test_web_instances import (  # noqa: F401  (the fixtures app, engine, seeded)
    as_user,
    open_task,
    process_engine,
    request_limit,
    seeded_database,
    start_credit_change,
    text_of,
    web_app,
)

PAGES = ("/audit/", "/audit/events.csv", "/audit/compliance", "/audit/compliance.csv")


def event_ids(page: str) -> set[int]:
    rows = lxml_html.fromstring(page).xpath("//table[contains(@class, 'events')]/tbody/tr[@id]")
    return {int(row.get("id").removeprefix("event-")) for row in rows}


def trail(engine, **filters) -> set[int]:
    return {e["id"] for e in views.audit_events(engine.uow(), **filters)}


def read_csv(answer) -> list[list[str]]:
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel then reads UTF-8 Greek
    return list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))


def signed_off_credit_change(engine) -> str:
    """A credit change through request (self-approved) and analysis (signed by a colleague)."""
    instance_id = start_credit_change(engine)
    request_limit(engine, instance_id)
    analyse = open_task(engine, instance_id, "analyse_controller")
    data = {"recommendation": "decline", "analysis": "Too many overdue invoices."}
    with pytest.raises(RaciRefusal):  # a BD may not analyse credit: a violation
        engine.complete(analyse, user="eleni.bd", data=data)
    engine.complete(analyse, user="anna.credit", data=data)
    engine.approve(analyse, user="kostas.credit")
    return instance_id


@pytest.mark.parametrize("user", ["giorgos.bd", "anna.credit", "vasso.finance"])
def test_the_audit_pages_are_forbidden_to_everyone_else(app, user):
    browser = as_user(app, user)
    assert [browser.get(path).status_code for path in PAGES] == [403] * 4
    assert 'href="/audit/"' not in browser.page("/raci/")  # nor offered in the menu


@pytest.mark.parametrize("user", ["fotis.audit", "lena.owner", "admin"])
def test_auditors_process_owners_and_admins_may_use_them(app, user):
    browser = as_user(app, user)
    assert browser.get("/audit/").status_code == 200
    assert browser.get("/audit/events.csv").status_code == 200
    assert browser.get("/audit/compliance").status_code == 200


def test_the_export_is_beside_the_results_not_folded_in_the_filters(app):
    """On a phone the filters fold away; the CSV of the search shown stays in sight."""
    html = as_user(app, "fotis.audit").page("/audit/?user=giorgos.bd")
    folded = html[html.index('<details class="fold"') : html.index("</details>")]
    assert "events.csv" not in folded
    export = html[html.index("</details>") :]
    assert 'href="/audit/events.csv?user=giorgos.bd"' in export


def test_signing_in_is_required(app):
    answer = app.test_client().get("/audit/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_search_filters_by_user_process_instance_action_and_date(app, engine):
    first = start_credit_change(engine)
    request_limit(engine, first)
    review = engine.start("credit_review", user="anna.credit").instance_id
    auditor = as_user(app, "fotis.audit")

    by_user = event_ids(auditor.page("/audit/?user=giorgos.bd"))
    assert by_user == trail(engine, actor="giorgos.bd") and by_user
    # People are found by the name the pages show them by, typed any way, as well.
    name = engine.directory().users["giorgos.bd"].name
    bare = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    for typed in (name, bare.lower(), name.split()[0]):
        assert event_ids(auditor.page(f"/audit/?user={quote(typed)}")) >= by_user
    assert event_ids(auditor.page(f"/audit/?user={quote(name)}")) == by_user
    assert event_ids(auditor.page("/audit/?process=credit_review")) == trail(
        engine, process_id="credit_review"
    )
    with_notices = f"/audit/?instance={first}&notices=y"
    assert event_ids(auditor.page(with_notices)) == trail(engine, instance_id=first)
    starts = event_ids(auditor.page("/audit/?action=start"))
    assert starts == trail(engine, action="start") and len(starts) == 2
    both = event_ids(auditor.page(f"/audit/?action=start&instance={review}"))
    assert both == trail(engine, action="start", instance_id=review)
    started = datetime.fromisoformat(views.instance(engine.uow(), first)["started_at"])
    today = started.astimezone(ZoneInfo("Europe/Athens")).date().isoformat()  # pages' days
    assert event_ids(auditor.page(f"/audit/?since={today}&until={today}&user=giorgos.bd")) == (
        by_user
    )
    assert event_ids(auditor.page("/audit/?since=2999-01-01")) == set()
    reversed_range = auditor.page("/audit/?since=2026-12-06&until=2026-12-04")
    assert "The end of the period is before its start." in reversed_range  # not "no events"
    assert event_ids(reversed_range) == set()


def test_an_admin_act_names_the_person_it_was_about(app, engine):
    engine.set_user_active("giorgos.bd", False, by="admin")
    auditor = as_user(app, "fotis.audit")
    page = lxml_html.fromstring(auditor.page("/audit/?action=user_deactivated"))
    [what] = page.xpath("//table[contains(@class, 'events')]/tbody/tr/td[2]")
    name = engine.directory().users["giorgos.bd"].name
    assert " ".join(what.text_content().split()) == f"user deactivated {name}"


def test_a_bad_date_shows_a_field_error(app):
    page = as_user(app, "fotis.audit").page("/audit/?until=31/12/2026")
    assert "Not a valid date value" in page and event_ids(page) == set()
    answer = as_user(app, "fotis.audit").get("/audit/events.csv?until=31/12/2026")
    assert answer.status_code == 302 and "/audit/?until=" in answer.headers["Location"]


def test_the_csv_export_holds_the_current_search_with_a_header(app, engine):
    first = start_credit_change(engine)
    request_limit(engine, first)
    engine.cancel(first, user="giorgos.bd", reason="=HYPERLINK(evil)")
    start_credit_change(engine, user="eleni.bd", key="C00009")

    answer = as_user(app, "fotis.audit").get(f"/audit/events.csv?instance={first}&notices=y")
    assert "attachment" in answer.headers["Content-Disposition"]
    header, *rows = read_csv(answer)
    assert tuple(header) == (*EVENT_COLUMNS, "when", "who", "on behalf of", "what", "process")
    assert [int(row[0]) for row in rows] == sorted(trail(engine, instance_id=first))
    column = dict(zip(header, zip(*rows, strict=True), strict=True))
    # Beside the codes, each event as a person reads it.
    bd = engine.directory().users["giorgos.bd"].name
    worded = zip(column["actor"], column["who"], column["what"], strict=True)
    assert ("giorgos.bd", bd, "started") in worded
    assert set(column["process"]) == {"Credit limit change"}
    told = [w for a, w in zip(column["action"], column["what"], strict=True) if a == "notified"]
    names = {u.name for u in engine.directory().users.values()}
    assert told and all(w.removeprefix("notified ") in names for w in told)  # to whom
    for stored, shown in zip(column["occurred_at"], column["when"], strict=True):
        athens = datetime.fromisoformat(stored).astimezone(ZoneInfo("Europe/Athens"))
        assert shown == athens.strftime("%Y-%m-%d %H:%M")  # the display zone, to the minute
    assert set(column["instance_id"]) == {first}
    assert "giorgos.bd" in column["actor"] and "eleni.bd" not in column["actor"]
    assert any("Καλοκαίρι: δύο νέα ψυγεία" in details for details in column["details"])
    assert "'=HYPERLINK(evil)" in column["reason"]  # not a formula in a spreadsheet
    assert {"R", "A", "I"} <= set(column["raci_role"])


def test_the_page_reports_an_intact_trail_and_then_the_first_tampered_event(app, engine):
    instance_id = start_credit_change(engine)
    request_limit(engine, instance_id)
    auditor = as_user(app, "fotis.audit")
    assert "have not been verified yet" in text_of(auditor.page("/audit/"))
    assert auditor.post("/audit/verify").status_code == 302  # "Verify now"
    page = auditor.page("/audit/")
    assert "The trail is intact." in text_of(page) and "by Φώτης Ζαχαρίου" in text_of(page)

    [completed] = trail(engine, instance_id=instance_id, action="complete")
    with engine.uow() as uow:  # someone edits the stored request behind the engine's back
        uow.session.execute(
            text("UPDATE audit_events SET details = :details WHERE id = :id"),
            {
                "details": '{"element": "request", "data": {"requested_limit": 99999}}',
                "id": completed,
            },
        )
        uow.commit()
    assert "The trail is intact." in text_of(auditor.page("/audit/"))  # until the next check

    engine.record_verification(by="worker")  # the worker's periodic check
    page = auditor.page("/audit/")
    assert "The trail has been tampered with." in text_of(page)
    assert "by the background worker" in text_of(page)
    [bad] = lxml_html.fromstring(page).xpath("//strong[@class='bad-event']")
    assert int(bad.text) == completed
    assert instance_id in text_of(page) and "does not match its hash: edited" in text_of(page)
    assert f'href="/audit/?instance={instance_id}"' in page


def test_viewing_the_page_runs_no_verification(app, engine):
    """Checking a large trail takes seconds (and once blocked every write): never per view."""
    start_credit_change(engine)
    engine.record_verification(by="worker")
    auditor = as_user(app, "fotis.audit")
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        page = auditor.page("/audit/")
    finally:
        event.remove(Engine, "before_cursor_execute", note)

    assert "The trail is intact." in text_of(page)
    assert not [s for s in statements if "audit_streams" in s]  # the chains' heads
    # Hashes are read only for the one page of events shown, never for the whole trail.
    hashes = [s for s in statements if "audit_events" in s and "hash" in s and "LIMIT" not in s]
    assert hashes == []


def test_only_auditors_and_admins_may_verify_now(app, engine):
    owner = as_user(app, "lena.owner")
    assert "Verify now" not in owner.page("/audit/")
    assert owner.post("/audit/verify").status_code == 403
    assert engine.last_verification() is None
    assert as_user(app, "admin").post("/audit/verify").status_code == 302
    assert engine.last_verification().run_by == "admin"


def test_the_last_verification_is_shown_in_greek(app, engine):
    engine.record_verification(by="worker")
    engine.set_locale("fotis.audit", "el")
    auditor = as_user(app, "fotis.audit")
    page = auditor.client.get("/audit/").get_data(as_text=True)
    shown = text_of(page)
    assert "Το ίχνος ελέγχου είναι ακέραιο." in shown
    assert "Τελευταία επαλήθευση" in shown and "από την εργασία παρασκηνίου" in shown
    assert "Επαλήθευση τώρα" in shown
    for english in ("Last verified", "events checked", "Verify now", "The trail is intact"):
        assert english not in shown

    with engine.uow() as uow:
        uow.session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 2"))
        uow.commit()
    engine.record_verification(by="fotis.audit")
    shown = text_of(auditor.client.get("/audit/").get_data(as_text=True))
    assert "Το ίχνος ελέγχου έχει αλλοιωθεί." in shown and "από Φώτης Ζαχαρίου" in shown
    assert "δεν ταιριάζει με το αποτύπωμά του: αλλοιώθηκε" in shown
    assert "does not match" not in shown and "stream" not in shown


def test_the_compliance_report_lists_each_activity_execution(app, engine):
    instance_id = signed_off_credit_change(engine)
    engine.start("credit_review", user="anna.credit")  # another process: not in the report
    owner = as_user(app, "lena.owner")

    assert "Choose a process" in owner.page("/audit/compliance")
    page = owner.page("/audit/compliance?process=credit_limit_change")
    rows = lxml_html.fromstring(page).xpath("//table[contains(@class, 'compliance')]/tbody/tr")
    by_activity = {
        row.xpath("td[1]")[0].get("title"): [  # the activity's id, on hover
            " ".join(" ".join(td.itertext()).split()) for td in row.xpath("td")
        ]
        for row in rows
    }
    assert set(by_activity) == {"request", "analyse_controller"}
    request = by_activity["request"]
    assert request[2].startswith("Γιώργος Παπαδόπουλος") and "self approval" in request[8]
    analyse = by_activity["analyse_controller"]
    assert analyse[2].startswith("Άννα Μιχαηλίδου") and analyse[3].startswith("Κώστας Οικονόμου")
    # The violation, worded as the trail keeps it: people and activities by name.
    refusal = "Ελένη Γεωργίου is not responsible for 'Analyse credit (controller sign-off)'"
    assert refusal in analyse[7]
    assert "Γιώργος Παπαδόπουλος" in analyse[6]  # the BD was informed
    assert instance_id[:8] in analyse[1]
    assert owner.page("/audit/compliance?process=credit_limit_change&since=2999-01-01").count(
        "No activity executions"
    )
    engine.set_locale("lena.owner", "el")  # in Greek, no English of the engine's
    greek = owner.client.get("/audit/compliance?process=credit_limit_change").get_data(True)
    assert "δεν είναι αρμόδιος για την εργασία «Πιστωτική ανάλυση" in greek
    assert "αυτοέγκριση" in greek
    assert not any(english in greek for english in ("refused", "self-approval", "self approval"))


def test_the_compliance_report_downloads_as_csv(app, engine):
    signed_off_credit_change(engine)
    answer = as_user(app, "fotis.audit").get("/audit/compliance.csv?process=credit_limit_change")
    header, *rows = read_csv(answer)
    assert tuple(header) == report.COLUMNS
    assert [row[3] for row in rows] == ["request", "analyse_controller"]
    assert rows[1][6].startswith("kostas.credit at")
    no_process = as_user(app, "fotis.audit").get("/audit/compliance.csv")
    assert no_process.status_code == 302  # choose a process first
