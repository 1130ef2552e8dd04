"""The auditor's views: search by short id, customer, user, process, dates and kind; the case
file of an instance or a customer (notices folded, the meaning of each signature, old→new);
its CSV and its PDF."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import select, text

from engine import views
from workflows.tables import customers

from .test_web_audit import event_ids, trail
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

CUSTOMER = 7  # start_credit_change's customer (business key C00007)


def customer_name(engine) -> str:
    with engine.uow() as uow:
        return uow.session.scalar(select(customers.c.name).where(customers.c.id == CUSTOMER))


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def approved_credit_change(engine, analysis: str = "Pays on time.") -> str:
    """A credit change analysed by one controller and signed by another: the limit changes."""
    instance_id = start_credit_change(engine)
    request_limit(engine, instance_id)
    analyse = open_task(engine, instance_id, "analyse_controller")
    data = {"recommendation": "approve", "approved_limit": 17500, "analysis": analysis}
    engine.complete(analyse, user="anna.credit", data=data)
    engine.approve(analyse, user="kostas.credit")
    return instance_id


# --- search ---------------------------------------------------------------------------


def test_the_search_takes_the_short_id_the_lists_show(app, engine):
    first = start_credit_change(engine)
    start_credit_change(engine, user="eleni.bd", key="C00009")
    auditor = as_user(app, "fotis.audit")
    found = event_ids(auditor.page(f"/audit/?instance={first[:8]}"))
    assert found == trail(engine, instance_id=first) and found
    assert event_ids(auditor.page(f"/audit/?instance={first.upper()[:8]}")) == found


def test_the_search_finds_a_customer_by_code_or_by_name_in_any_case_and_accents(app, engine):
    mine = start_credit_change(engine)
    start_credit_change(engine, user="eleni.bd", key="C00009")
    auditor = as_user(app, "fotis.audit")
    expected = trail(engine, instance_id=mine)

    assert event_ids(auditor.page("/audit/?customer=C00007")) == expected
    name = customer_name(engine)
    typed = without_accents(name).upper()
    assert typed != name
    page = auditor.page("/audit/", query_string={"customer": typed})
    assert event_ids(page) == expected
    assert f"/audit/customers/C{CUSTOMER:05d}/case" in page  # the customer's case file
    assert event_ids(auditor.page("/audit/?customer=no+such+customer+anywhere")) == set()


# --- the case file --------------------------------------------------------------------


def test_the_case_file_of_an_instance_reads_as_acts_with_their_meaning(app, engine):
    instance_id = approved_credit_change(engine)
    page = text_of(as_user(app, "fotis.audit").page(f"/audit/instances/{instance_id}/case"))

    assert "kostas.credit" in page
    assert "approved as A" in page and "Analyse credit (controller sign-off)" in page
    notified = [
        e
        for e in views.audit_events(engine.uow(), instance_id=instance_id)
        if e["action"] == "notified"
    ]
    assert len(notified) >= 2
    assert "notified: " in page and " people (" in page  # folded into the act they follow
    assert page.count("notified: ") < len(notified)
    # As the pages word them: a code in words, money in euros (never a raw 17500).
    assert "Recommendation: approve" in page and "Approved limit: €17,500.00" in page
    assert f"Customer: {customer_name(engine)}" in page  # by name, labelled as the pages do


def test_the_case_file_of_a_customer_shows_old_and_new_values(app, engine):
    approved_credit_change(engine)
    page = text_of(as_user(app, "fotis.audit").page(f"/audit/customers/C{CUSTOMER:05d}/case"))
    assert customer_name(engine) in page
    assert (
        "Credit limit: " in page and "→ €17,500.00" in page
    )  # the trail's words, the locale's numbers
    # the change follows the signature that caused it, before the instance ends
    assert page.index("→ €17,500.00") < page.index("instance completed")
    assert page.rindex("approved as A") < page.index("→ €17,500.00")
    assert "approved as A" in page


def test_the_case_file_downloads_as_csv_one_row_per_act(app, engine):
    instance_id = approved_credit_change(engine)
    answer = as_user(app, "fotis.audit").get(f"/audit/instances/{instance_id}/case.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
    [approval] = [r for r in rows if r["action"] == "approve" and r["who"] == "kostas.credit"]
    assert "approved as A" in approval["meaning"]
    assert approval["notified"]  # the people told, on the act's own row
    assert not [r for r in rows if r["action"] == "notified"]
    # Times as the pages read them, in Athens, with their offset: in UTC a late act fell
    # on another day than the page's.
    when = datetime.fromisoformat(approval["when"])
    assert when.utcoffset() == when.astimezone(ZoneInfo("Europe/Athens")).utcoffset()
    assert when.utcoffset() != timedelta(0)


def test_the_case_file_downloads_as_a_pdf_with_greek_text(app, engine):
    approved_credit_change(engine)
    answer = as_user(app, "fotis.audit").get(f"/audit/customers/C{CUSTOMER:05d}/case.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "attachment" in answer.headers["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    flat = " ".join(text.split())
    assert customer_name(engine) in flat
    assert "kostas.credit" in flat and "approved as A" in flat
    assert "Καλοκαίρι" in flat  # Greek from the data, with its own glyphs


def test_an_entry_longer_than_a_page_continues_on_the_next_one(app, engine):
    """An analysis of the form's full 4,000 characters made one table row taller than a
    page, and ReportLab refused the whole file (a 500 for the auditor)."""
    words = " ".join(f"Ανάλυση{n}" for n in range(1000))[:4000]
    instance_id = approved_credit_change(engine, analysis=words)
    answer = as_user(app, "fotis.audit").get(f"/audit/instances/{instance_id}/case.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(answer.data)).pages
    flat = " ".join(" ".join(page.extract_text() for page in pages).split())
    first, *_, last, _cut = words.split()
    assert f"{first} " in flat and f"{last} " in flat  # the text's start and its end
    assert len(pages) >= 2


def test_case_files_are_for_auditors_only(app, engine):
    instance_id = start_credit_change(engine)
    for path in (
        f"/audit/instances/{instance_id}/case",
        f"/audit/instances/{instance_id}/case.pdf",
        f"/audit/customers/C{CUSTOMER:05d}/case.csv",
    ):
        assert as_user(app, "giorgos.bd").get(path).status_code == 403
    assert as_user(app, "fotis.audit").get("/audit/customers/C99999/case").status_code == 404


def test_the_search_leaves_notices_out_unless_asked(app, engine):
    instance_id = approved_credit_change(engine)
    auditor = as_user(app, "fotis.audit")
    notices = trail(engine, instance_id=instance_id, action="notified")
    assert notices
    everything = trail(engine, instance_id=instance_id)
    assert event_ids(auditor.page(f"/audit/?instance={instance_id}")) == everything - notices
    with_notices = event_ids(auditor.page(f"/audit/?instance={instance_id}&notices=y"))
    assert with_notices == everything
    chosen = event_ids(auditor.page(f"/audit/?instance={instance_id}&action=notified"))
    assert chosen == notices


def test_the_case_file_says_whether_its_trail_holds_and_warns_when_edited(app, engine):
    instance_id = approved_credit_change(engine, analysis="Pays on time.")
    auditor = as_user(app, "fotis.audit")
    intact = text_of(auditor.page(f"/audit/instances/{instance_id}/case"))
    assert "Its audit trail was checked as this file was made" in intact and "intact" in intact

    with engine.uow() as uow:  # someone edits the analysis in the database
        uow.session.execute(
            text(
                "UPDATE audit_events SET reason = 'Pays late.' "
                "WHERE instance_id = :i AND action = 'approve'"
            ),
            {"i": instance_id},
        )
        uow.commit()

    page = auditor.page(f"/audit/instances/{instance_id}/case")
    warned = text_of(page)
    assert "WARNING: its audit trail does not hold" in warned and "edited" in warned
    assert '<p class="flash error" role="alert">WARNING' in page
    pdf = auditor.get(f"/audit/instances/{instance_id}/case.pdf").data
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "WARNING: its audit trail does not hold" in " ".join(pdf_text.split())
