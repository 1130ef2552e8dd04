"""Two journeys of issue 10 in the browser, in Greek, on a desk (1366x900) and a phone (360x640).

A service manager signs a job report whose serial the asset register refuses: they see
that the step after it failed, and which. An auditor finds a customer's credit change by the
customer's name typed without accents, reads the case file (the signer and what the
signature means) and downloads its PDF, whose text is checked.
"""

from __future__ import annotations

import io
import unicodedata

import pytest
from babel.numbers import format_currency
from pypdf import PdfReader
from sqlalchemy import select

from engine import views
from tests.browser.conftest import Person
from tests.e2e.staff_helpers import failed_placement
from workflows.tables import customers

CUSTOMER = 150  # a C-segment demo customer: an increase over 5000 is signed by finance
VIEWPORTS = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 360, "height": 640}}


def greek_person(browser, base_url: str, engine, username: str, viewport: str) -> Person:
    engine.set_locale(username, "el")
    person = Person(browser, base_url, username, phone=viewport == "phone")
    person.page.set_viewport_size(VIEWPORTS[viewport])
    person.sign_in()
    return person


def credit_change_signed_by_finance(engine) -> tuple[str, float, float]:
    """A credit limit raised by 6000, analysed by a controller, signed by the finance manager."""
    with engine.uow() as uow:
        before = float(
            uow.session.scalar(select(customers.c.credit_limit).where(customers.c.id == CUSTOMER))
        )
    started = engine.start(
        "credit_limit_change",
        user="giorgos.bd",
        data={"customer_id": CUSTOMER},
        business_key=f"C{CUSTOMER:05d}",
    )
    instance = started.instance_id

    def task(element: str) -> str:
        [found] = [
            t["id"]
            for t in views.open_tasks(engine.uow(), instance_id=instance)
            if t["element"] == element
        ]
        return found

    after = before + 6000
    engine.complete(
        task("request"),
        user="giorgos.bd",
        data={"requested_limit": after, "justification": "Δεύτερο κατάστημα στην πλατεία"},
    )
    analyse = task("analyse_finance")
    engine.complete(
        analyse,
        user="anna.credit",
        data={"recommendation": "approve", "approved_limit": after, "analysis": "Πληρώνει πάντα"},
    )
    engine.approve(analyse, user="vasso.finance")
    return instance, before, after


def plain(text: str) -> str:
    """How someone types a Greek name in a hurry: no accents, lower case."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_signer_sees_that_the_step_after_the_sign_off_failed(live_app, browser, viewport):
    base_url, engine = live_app
    instance, task = failed_placement(engine)
    signer = greek_person(browser, base_url, engine, "irini.service", viewport)

    signer.page.goto(f"/tasks/{task}")
    signer.page.fill("#approve-password", "raciflow-demo")
    with signer.page.expect_navigation():
        signer.page.get_by_role("button", name="Έγκριση και υπογραφή").click()

    assert signer.page.url.endswith(f"/instances/{instance}")
    failure = signer.page.locator(".flash.error").first
    assert "Υπογράφηκε, αλλά το βήμα που ακολουθεί απέτυχε." in failure.inner_text()
    assert "is not in stock" not in failure.inner_text()  # the engine's English: folded away
    assert "Το βήμα «" in signer.page.locator(".flash.error[role=alert]").inner_text()
    assert "η διαδικασία προχώρησε" not in signer.page.content()  # never "moved on"
    assert signer.page.locator(".incident").count() == 1  # when, and after whose act
    signer.shot(f"incident-signer-{viewport}")
    if viewport == "phone":
        assert signer.has_no_horizontal_scroll()

    admin = greek_person(browser, base_url, engine, "admin", viewport)
    admin.page.goto(f"/instances/{instance}")
    assert admin.page.locator("form[action$='/retry'] [name=serial]").count() == 1
    assert admin.page.locator("form[action$='/retry'] [name=data]").count() == 0
    admin.shot(f"incident-retry-form-{viewport}")
    for person in (signer, admin):
        assert person.console_errors == [], (person.username, person.console_errors)
        person.close()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_auditor_finds_a_credit_change_by_name_and_files_its_pdf(live_app, browser, viewport):
    base_url, engine = live_app
    _, before, after = credit_change_signed_by_finance(engine)
    with engine.uow() as uow:
        name = uow.session.scalar(select(customers.c.name).where(customers.c.id == CUSTOMER))
    auditor = greek_person(browser, base_url, engine, "fotis.audit", viewport)

    auditor.page.goto("/audit/")
    auditor.open_filters()
    auditor.page.fill("input[name=customer]", plain(name))
    auditor.page.get_by_role("button", name="Αναζήτηση").click()
    auditor.shot(f"audit-search-by-customer-{viewport}")
    auditor.page.get_by_role("link", name=f"{name} (C{CUSTOMER:05d})").click()

    page = auditor.page.locator("main").inner_text()
    assert "Βάσω Αθανασίου" in page  # the signer, by name
    assert "εγκρίθηκε ως A (υπόλογος)" in page and "Οικονομικός διευθυντής" in page
    greek = {
        n: format_currency(n, "EUR", locale="el").replace("\xa0", " ") for n in (before, after)
    }
    said = page.replace("\xa0", " ")
    assert f"Πιστωτικό όριο: {greek[before]} → {greek[after]}" in said  # old→new, in euros
    assert "ενημερώθηκαν" in page  # notices folded into their act
    auditor.shot(f"audit-case-file-{viewport}")
    if viewport == "phone":
        assert auditor.has_no_horizontal_scroll()

    with auditor.page.expect_download() as download:
        auditor.page.get_by_role("link", name="Λήψη PDF").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert name in text
    assert "Βάσω Αθανασίου" in text and "εγκρίθηκε ως A" in text
    assert "Οικονομικός διευθυντής" in text  # the sign-off level, in Greek glyphs
    assert f"{greek[before]} → {greek[after]}" in text
    assert auditor.console_errors == []
    auditor.close()
