"""The task page: the form from the task's schema, sign-off with the password, consultations,
and nobody outside the task's roles gets in."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from engine import InstanceStatus, views
from tests.e2e.staff_helpers import (
    CUSTOMER,
    DEMO_PASSWORD,
    analysed,
    open_task,
    requested,
    set_due,
    sign_in,
    start_credit,
)
from workflows.customers import get_customer

pytest_plugins = ["tests.e2e.staff_helpers"]


def credit_limit(crm, customer: int = CUSTOMER) -> float:
    with crm.uow() as uow:
        return get_customer(uow.session, customer)["credit_limit"]


def status(crm, task_id: str) -> str:
    return views.task_detail(crm.uow(), task_id)["status"]


def test_the_page_shows_the_form_and_the_customer(web_app, crm):
    analysis = requested(crm)
    html = sign_in(web_app, "anna.credit").page(f"/tasks/{analysis}")
    assert '<select id="f-recommendation" name="recommendation" required>' in html
    # Text read in the user's locale (a number input refuses the Greek "1.234,50").
    assert 'name="approved_limit" type="text" value="" inputmode="decimal"' in html
    assert '<textarea id="f-analysis" name="analysis"' in html
    assert html.count('class="req"') >= 2  # required fields are marked
    assert "C00150" in html and "Credit limit" in html and "Exposure" in html
    assert "Overdue" in html and "Business developer" in html and "Contacts" in html
    assert "The case so far" in html and "A second shop opens soon" in html  # the request
    instance = views.task_detail(crm.uow(), analysis)["instance_id"]
    assert f'href="/instances/{instance}"' in html  # the case, its trail and any incident


def test_bad_input_is_shown_by_field_and_kept(web_app, crm):
    analysis = requested(crm)
    anna = sign_in(web_app, "anna.credit")
    answer = anna.post(
        f"/tasks/{analysis}/complete",
        {"recommendation": "approve", "approved_limit": "lots", "analysis": "short"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert '<p class="field-error" id="e-approved_limit">Not a valid number.</p>' in html
    assert '<p class="field-error" id="e-analysis">From 10 to 4000 characters.' in html
    assert '<option value="approve" selected>' in html  # values kept
    assert 'value="lots"' in html and ">short</textarea>" in html
    assert status(crm, analysis) == "ready"

    missing = anna.post(f"/tasks/{analysis}/complete", {"recommendation": "approve"})
    assert missing.status_code == 422
    assert "Missing data for required field." in missing.get_data(as_text=True)


def test_someone_with_no_part_in_the_work_is_told_so_not_to_correct_fields(web_app, crm):
    analysis = requested(crm)
    auditor = sign_in(web_app, "fotis.audit")  # reads every task, works none

    answer = auditor.post(f"/tasks/{analysis}/complete", {"approved_limit": "lots"})

    assert answer.status_code == 403
    assert "Please correct the marked fields." not in answer.get_data(as_text=True)
    assert status(crm, analysis) == "ready"


def test_a_number_too_large_for_any_limit_is_refused_by_its_field(web_app, crm):
    """'1e400' read as infinity, which the engine refused for the whole form in English
    ('data must be plain JSON'), with none of the other fields' errors."""
    analysis = requested(crm)
    answer = sign_in(web_app, "anna.credit").post(
        f"/tasks/{analysis}/complete",
        {"recommendation": "approve", "approved_limit": "1e400", "analysis": "short"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert '<p class="field-error" id="e-approved_limit">Special numeric values' in html
    assert '<p class="field-error" id="e-analysis">From 10 to 4000 characters.' in html
    assert "plain JSON" not in html
    assert status(crm, analysis) == "ready"


def test_completing_moves_the_work_on(web_app, crm):
    instance = start_credit(crm)
    request = open_task(crm, instance, "request")
    giorgos = sign_in(web_app, "giorgos.bd")
    assert 'name="requested_limit"' in giorgos.page(f"/tasks/{request}")

    done = giorgos.post(
        f"/tasks/{request}/complete",
        {"requested_limit": "5.000,00", "justification": "A second shop opens soon"},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/inbox/"
    assert status(crm, request) == "completed"  # the BD signs their own request (self-approval)
    [analysis] = views.open_tasks(crm.uow(), instance_id=instance)
    assert analysis["element"] == "analyse_controller"

    anna = sign_in(web_app, "anna.credit")
    submitted = anna.post(
        f"/tasks/{analysis['id']}/complete",
        {"recommendation": "approve", "approved_limit": "4800", "analysis": "Pays on time, always"},
    )
    assert submitted.headers["Location"] == f"/tasks/{analysis['id']}"
    assert status(crm, analysis["id"]) == "awaiting_signoff"
    html = anna.page(f"/tasks/{analysis['id']}")
    assert "Submitted: the work now waits for sign-off." in html
    assert "someone else signs it off (four eyes)" in html and 'name="password"' not in html


def test_work_a_higher_role_signs_does_not_read_as_four_eyes_to_its_performer(web_app, crm):
    """A controller could never sign a finance-level analysis: 'you did it, so someone
    else signs it' told her a reason that was not the reason."""
    analysis = requested(crm, increase=8000)  # over 5,000: the finance manager signs
    analysed(crm, analysis, limit=8000)
    html = sign_in(web_app, "anna.credit").page(f"/tasks/{analysis}")
    assert "Waiting for sign-off by Finance manager." in html
    assert "four eyes" not in html and 'name="password"' not in html


def test_the_accountable_signs_with_their_password(web_app, crm):
    analysis = requested(crm)
    analysed(crm, analysis, limit=4800)
    kostas = sign_in(web_app, "kostas.credit")
    html = kostas.page(f"/tasks/{analysis}")
    assert "By signing you confirm, as Credit controller, that you reviewed" in html
    assert "(RACI A)" in html and "Pays within terms for two years" in html  # submitted data

    wrong = kostas.post(f"/tasks/{analysis}/approve", {"password": "not my password"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 403 and "Wrong password." in html
    # On a phone the field is far below the top: said at the top, and the field is focused.
    assert '<p class="flash error" role="alert">Not signed off: the password was wrong.</p>' in html
    assert re.search(r'<input id="approve-password"[^>]* autofocus aria-invalid="true">', html)
    assert status(crm, analysis) == "awaiting_signoff"

    signed = kostas.post(f"/tasks/{analysis}/approve", {"password": DEMO_PASSWORD})
    assert signed.status_code == 302
    assert status(crm, analysis) == "completed" and credit_limit(crm) == 4800
    detail = views.task_detail(crm.uow(), analysis)
    assert detail["signed_off_by"] == "kostas.credit"
    assert views.instance(crm.uow(), detail["instance_id"])["status"] == InstanceStatus.COMPLETED


def test_only_refused_passwords_count_as_guesses(rate_limited_web_app):
    crm = rate_limited_web_app.extensions["raciflow"]
    analysis = requested(crm)
    analysed(crm, analysis)
    kostas = sign_in(rate_limited_web_app, "kostas.credit")
    # A signer's right password costs nothing, however often (a supervisor signing a pile).
    for _ in range(12):
        no_reason = kostas.post(f"/tasks/{analysis}/reject", {"password": DEMO_PASSWORD})
        assert no_reason.status_code == 422
    guesses = [
        kostas.post(f"/tasks/{analysis}/approve", {"password": f"guess {n}"}).status_code
        for n in range(11)
    ]
    assert guesses == [403] * 10 + [429]
    stopped = kostas.post(f"/tasks/{analysis}/approve", {"password": DEMO_PASSWORD})
    assert stopped.status_code == 429 and status(crm, analysis) == "awaiting_signoff"
    assert "Too many attempts" in stopped.get_data(as_text=True)
    # Per person, not per address: a colleague in the same office signs her own pile.
    other = requested(crm)
    analysed(crm, other, user="kostas.credit")
    anna = sign_in(rate_limited_web_app, "anna.credit")
    guess = anna.post(f"/tasks/{other}/approve", {"password": "guess"})
    assert guess.status_code == 403 and "Wrong password." in guess.get_data(as_text=True)
    assert anna.post(f"/tasks/{other}/approve", {"password": DEMO_PASSWORD}).status_code == 302


def test_rejecting_needs_a_reason_and_sends_the_work_back(web_app, crm):
    analysis = requested(crm)
    analysed(crm, analysis)
    kostas = sign_in(web_app, "kostas.credit")

    no_reason = kostas.post(f"/tasks/{analysis}/reject", {"password": DEMO_PASSWORD})
    assert no_reason.status_code == 422
    assert "Give the reason the work is sent back." in no_reason.get_data(as_text=True)
    wrong = kostas.post(f"/tasks/{analysis}/reject", {"reason": "No", "password": "wrong one!"})
    assert wrong.status_code == 403 and status(crm, analysis) == "awaiting_signoff"

    sent = kostas.post(
        f"/tasks/{analysis}/reject",
        {"reason": "Check the overdue invoices first", "password": DEMO_PASSWORD},
    )
    assert sent.status_code == 302 and status(crm, analysis) == "ready"
    told = kostas.page(sent.headers["Location"])  # the signer is told whom it went back to
    assert "Sent back to Άννα Μιχαηλίδου with your reason." in told
    html = sign_in(web_app, "anna.credit").page(f"/tasks/{analysis}")
    assert "Sent back for rework" in html and "rework 1" in html
    assert "Check the overdue invoices first" in html
    assert ">Pays within terms for two years</textarea>" in html  # rework starts from it


def test_four_eyes_refusal_is_shown_not_crashed(web_app, crm):
    analysis = requested(crm)
    analysed(crm, analysis)  # anna did the work; she also holds the A role
    anna = sign_in(web_app, "anna.credit")
    refused = anna.post(f"/tasks/{analysis}/approve", {"password": DEMO_PASSWORD})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "cannot sign it off (four eyes)" in html and "Analyse credit" in html
    assert status(crm, analysis) == "awaiting_signoff"


def test_the_consulted_role_answers_and_the_performer_sees_it(web_app, crm):
    analysis = requested(crm, increase=60000)  # the CFO signs; finance is consulted
    [consultation] = views.task_detail(crm.uow(), analysis)["consultations"]
    vasso = sign_in(web_app, "vasso.finance")
    path = f"/tasks/{analysis}/consultations/{consultation['id']}/answer"
    assert "Your answer, as Finance manager" in vasso.page(f"/tasks/{analysis}")

    giorgos = sign_in(web_app, "giorgos.bd")  # informed, not consulted
    assert "Your answer" not in giorgos.page(f"/tasks/{analysis}")
    assert giorgos.post(path, {"comment": "BDs may not answer"}).status_code == 403

    empty = vasso.post(path, {"comment": "  "})
    assert empty.status_code == 422 and "Write your answer." in empty.get_data(as_text=True)
    assert vasso.post(path, {"comment": "Fine by finance up to 60k"}).status_code == 302

    html = sign_in(web_app, "anna.credit").page(f"/tasks/{analysis}")
    assert "Fine by finance up to 60k" in html and "Answered by Βάσω Αθανασίου" in html
    assert vasso.post(path, {"comment": "Once more"}).status_code == 409  # answered already


def test_only_the_tasks_roles_may_see_it(web_app, crm):
    analysis = requested(crm)
    for outsider in ("thanasis.tech", "katerina.call", "vasso.finance"):  # no letter on the row
        assert sign_in(web_app, outsider).get(f"/tasks/{analysis}").status_code == 403, outsider
        assert sign_in(web_app, outsider).post(f"/tasks/{analysis}/claim").status_code == 403
    assert sign_in(web_app, "fotis.audit").get(f"/tasks/{analysis}").status_code == 200
    assert sign_in(web_app, "admin").get(f"/tasks/{analysis}").status_code == 200
    assert sign_in(web_app, "anna.credit").get("/tasks/no-such-task").status_code == 404


def test_a_bd_follows_a_credit_controllers_task_but_cannot_work_it(web_app, crm):
    analysis = requested(crm)
    giorgos = sign_in(web_app, "giorgos.bd")  # informed of the analysis (RACI I)
    html = giorgos.page(f"/tasks/{analysis}")
    assert 'name="recommendation"' not in html and "worked by: Credit controller" in html
    assert giorgos.post(f"/tasks/{analysis}/claim").status_code == 403
    completed = giorgos.post(
        f"/tasks/{analysis}/complete",
        {"recommendation": "approve", "approved_limit": "9000", "analysis": "Looks fine to me"},
    )
    assert completed.status_code == 403 and status(crm, analysis) == "ready"


def test_only_the_accountable_role_may_approve(web_app, crm):
    analysis = requested(crm)
    analysed(crm, analysis)
    fotis = sign_in(web_app, "fotis.audit")  # sees every task, accountable for none
    assert 'name="password"' not in fotis.page(f"/tasks/{analysis}")
    refused = fotis.post(f"/tasks/{analysis}/approve", {"password": DEMO_PASSWORD})
    assert refused.status_code == 403 and "is not accountable" in refused.get_data(as_text=True)
    christina = sign_in(web_app, "christina.sales")  # informed: reads the task, signs nothing
    assert 'name="password"' not in christina.page(f"/tasks/{analysis}")
    rejected = christina.post(
        f"/tasks/{analysis}/reject", {"reason": "I do not like it", "password": DEMO_PASSWORD}
    )
    assert rejected.status_code == 403 and status(crm, analysis) == "awaiting_signoff"


def test_claim_and_release_from_the_page(web_app, crm):
    analysis = requested(crm)
    anna = sign_in(web_app, "anna.credit")
    assert anna.post(f"/tasks/{analysis}/claim").status_code == 302
    assert views.task_detail(crm.uow(), analysis)["assignee"] == "anna.credit"
    kostas = sign_in(web_app, "kostas.credit")
    assert "Άννα Μιχαηλίδου has claimed this task." in kostas.page(f"/tasks/{analysis}")
    assert kostas.post(f"/tasks/{analysis}/claim").status_code == 409  # taken: a conflict
    assert anna.post(f"/tasks/{analysis}/release").status_code == 302
    assert views.task_detail(crm.uow(), analysis)["assignee"] is None


def test_every_task_form_needs_its_csrf_token(web_app, crm):
    analysis = requested(crm)
    anna = sign_in(web_app, "anna.credit")
    for action in ("claim", "release", "complete", "approve", "reject"):
        assert anna.client.post(f"/tasks/{analysis}/{action}").status_code == 400, action
    assert views.task_detail(crm.uow(), analysis)["assignee"] is None


def test_a_sign_off_raised_to_a_higher_level_is_signed_from_that_levels_page(web_app, crm):
    """Issue 10: a recommendation far above the request needs the CFO, who works it here."""
    analysis = requested(crm, increase=1000)
    analysed(crm, analysis, limit=5_000_000)
    kostas = sign_in(web_app, "kostas.credit")
    refused = kostas.post(f"/tasks/{analysis}/approve", {"password": DEMO_PASSWORD})
    assert refused.status_code == 403 and status(crm, analysis) == "awaiting_signoff"

    petros = sign_in(web_app, "petros.cfo")
    html = petros.page(f"/tasks/{analysis}")
    assert "By signing you confirm, as Chief financial officer" in html
    # The task keeps its routed name ("controller sign-off"): the signer reads why it is theirs.
    assert (
        "This is yours to sign as Chief financial officer, not Credit controller as the task "
        "name says"
    ) in html
    crm.set_locale("petros.cfo", "el")
    assert "Την υπογράφετε εσείς ως Γενικός οικονομικός διευθυντής" in petros.page(
        f"/tasks/{analysis}"
    )
    crm.set_locale("petros.cfo", "en")
    signed = petros.post(f"/tasks/{analysis}/approve", {"password": DEMO_PASSWORD})
    assert signed.status_code == 302
    assert status(crm, analysis) == "completed" and credit_limit(crm) == 5_000_000


def test_a_signer_below_the_level_of_the_work_reads_why_it_is_not_theirs(web_app, crm):
    """A controller opens a controller sign-off whose recommended limit needs the CFO: the
    page says the work is beyond their role's authority, not only whom it waits for."""
    analysis = requested(crm)
    analysed(crm, analysis, limit=5_000_000)  # anna recommends far above a controller's level
    kostas = sign_in(web_app, "kostas.credit")
    html = kostas.page(f"/tasks/{analysis}")
    assert 'name="password"' not in html
    assert (
        "Waiting for sign-off by Chief financial officer: the submitted work goes beyond "
        "what Credit controller may sign off."
    ) in html, html
    crm.set_locale("kostas.credit", "el")
    greek = kostas.page(f"/tasks/{analysis}")
    assert "ξεπερνά ό,τι μπορεί να υπογράψει ο ρόλος Ελεγκτής πιστώσεων" in greek
    # The CFO, who does sign it, is not told to wait.
    assert "Waiting for sign-off by" not in sign_in(web_app, "petros.cfo").page(
        f"/tasks/{analysis}"
    )


def test_a_lowered_limit_reads_as_a_change_not_a_negative_increase(web_app, crm):
    analysis = requested(crm, increase=-500)
    html = sign_in(web_app, "anna.credit").page(f"/tasks/{analysis}")
    [shown] = re.findall(r"<dt>Change from the current limit</dt>\s*<dd>([^<]*)</dd>", html)
    assert shown == "-€500.00"
    assert "<dt>Increase</dt>" not in html


def test_work_typed_in_a_second_tab_after_the_first_sent_it_is_shown_back(web_app, crm):
    """The first tab's completion won; the second's typed analysis was dropped with only
    "the task is now awaiting sign-off" to read."""
    analysis = requested(crm)
    anna = sign_in(web_app, "anna.credit")
    first = {
        "recommendation": "approve",
        "approved_limit": 5000,
        "analysis": "Paid on time for years",
    }
    crm.complete(analysis, user="anna.credit", data=first)  # tab one
    second = anna.post(
        f"/tasks/{analysis}/complete",
        {"recommendation": "reject", "analysis": "Three invoices overdue"},
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "What you entered was not saved; copy it if you need it:" in html
    typed = dict(re.findall(r"<dt>([^<]*)</dt><dd class=\"wrap\">([^<]*)</dd>", html))
    assert typed["Analysis"] == "Three invoices overdue"


def test_work_typed_into_a_task_a_colleague_claimed_meanwhile_is_shown_back(web_app, crm):
    analysis = requested(crm)
    anna = sign_in(web_app, "anna.credit")
    crm.claim(analysis, user="kostas.credit")  # while anna was typing
    refused = anna.post(
        f"/tasks/{analysis}/complete",
        {"recommendation": "approve", "approved_limit": "5000", "analysis": "Two years on time"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "What you entered was not saved; copy it if you need it:" in html
    typed = re.findall(r"<dt>([^<]*)</dt><dd class=\"wrap\">([^<]*)</dd>", html)
    assert typed == [
        ("Recommendation", "approve"),  # the choice as the form words it
        ("Approved limit", "5000"),
        ("Analysis", "Two years on time"),
    ]
    assert 'action="/tasks/' + analysis + '/complete"' not in html  # nothing to submit again


def test_a_deputy_reads_whom_they_sign_for(web_app, crm):
    """kostas read "you confirm, as Finance manager" with no word of Βάσω, for whom the
    trail records his signature."""
    today = crm.clock_now().date()
    crm.set_deputy("vasso.finance", "kostas.credit", starts=today, ends=today)
    analysis = requested(crm, increase=8000)  # the finance manager signs
    analysed(crm, analysis)
    note = "You sign standing in for Βάσω Αθανασίου"

    assert note in sign_in(web_app, "kostas.credit").page(f"/tasks/{analysis}")
    assert note not in sign_in(web_app, "vasso.finance").page(f"/tasks/{analysis}")


def test_the_requester_standing_in_for_the_signer_is_not_offered_their_own_request(web_app, crm):
    """giorgos.bd, the finance manager's deputy for the day, found his own request in his
    sign-off list; opening it only told him someone else signs."""
    today = crm.clock_now().date()
    crm.set_deputy("vasso.finance", "giorgos.bd", starts=today, ends=today)
    own = requested(crm, increase=8000)  # giorgos.bd asked; the finance manager signs
    analysed(crm, own)
    theirs = requested(crm, increase=8000, customer=151, by="eleni.bd")
    analysed(crm, theirs)

    giorgos = sign_in(web_app, "giorgos.bd")
    listed = giorgos.page("/inbox/?section=signoffs")
    assert f"/tasks/{theirs}" in listed and f"/tasks/{own}" not in listed
    token = crm.create_token("giorgos.bd", label="test")
    api = web_app.test_client().get(
        "/api/v1/signoffs", headers={"Authorization": f"Bearer {token}"}
    )
    assert [task["id"] for task in api.get_json()] == [theirs]
    # the finance manager is offered both
    listed = sign_in(web_app, "vasso.finance").page("/inbox/?section=signoffs")
    assert f"/tasks/{theirs}" in listed and f"/tasks/{own}" in listed


def test_the_signers_inbox_shows_the_limit_being_signed_not_the_one_asked(web_app, crm):
    """The CFO's list read 'Requested limit: 6.000' for a sign-off of 60.000 (the credit
    controller recommended far more than was asked)."""
    analysis = requested(crm, increase=8000)  # the finance manager signs
    with crm.uow() as uow:
        asked = get_customer(uow.session, CUSTOMER)["credit_limit"] + 8000
    analysed(crm, analysis, limit=asked + 1234)
    listed = sign_in(web_app, "vasso.finance").page("/inbox/?section=signoffs")
    row = listed[listed.index(f"/tasks/{analysis}") :]
    row = row[: row.index("</tr>")]
    assert "New limit" in row and f"{asked + 1234:,.2f}" in row, row


def test_the_signer_sees_the_credit_limit_now_and_once_signed(web_app, crm):
    """The signer read the recommended limit among the analysis's answers and the current
    one on the customer's card below: not side by side, as a change to sign."""
    before = credit_limit(crm)
    analysis = requested(crm, increase=1000)
    analysed(crm, analysis, limit=before + 800)
    page = sign_in(web_app, "kostas.credit").page(f"/tasks/{analysis}")
    change = page[page.index('id="signed-change-title"') :]
    change = re.sub(r"<[^>]+>", " ", change[: change.index("</table>")])
    assert "The change you sign" in change
    assert re.search(
        rf"Credit limit\s+€{before:,.2f}\s+€{before + 800:,.2f}", " ".join(change.split())
    ), change

    declined = requested(crm, increase=1000)
    crm.complete(
        declined,
        user="anna.credit",
        data={"recommendation": "decline", "analysis": "Two cheques bounced this year"},
    )
    assert 'id="signed-change-title"' not in sign_in(web_app, "kostas.credit").page(
        f"/tasks/{declined}"
    )  # nothing changes if signed


def test_the_signer_is_warned_of_a_limit_above_what_was_asked(web_app, crm):
    """A controller approved 25.000 against a request of 6.000: the sign-off moved to the
    CFO as it should, but nothing on the page said it was four times the request."""
    before = credit_limit(crm)
    beyond = requested(crm, increase=1000)
    analysed(crm, beyond, limit=before + 1000 + 500)
    within = requested(crm, increase=1000, customer=151, by="eleni.bd")
    analysed(crm, within, limit=credit_limit(crm, 151) + 500)  # less than asked: no remark
    signer = sign_in(web_app, "kostas.credit")

    page = signer.page(f"/tasks/{beyond}")
    warning = re.search(r'<p class="flash warning" role="note">(.*?)</p>', page, re.S)
    assert warning is not None, page
    assert warning.group(1) == (
        f"More than was asked for: the request was €{before + 1000:,.2f} (Credit limit)."
    )
    assert "More than was asked for" not in signer.page(f"/tasks/{within}")


def test_a_completion_that_lost_says_who_completed_the_task_and_when(web_app, crm):
    """The losing tab read only "the task is completed", not who had completed it."""
    instance = start_credit(crm)
    request = open_task(crm, instance, "request")
    crm.complete(
        request,
        user="giorgos.bd",
        data={"requested_limit": 90000, "justification": "A second shop opens"},
    )
    giorgos = sign_in(web_app, "giorgos.bd")
    lost = giorgos.post(
        f"/tasks/{request}/complete", {"requested_limit": "95000", "justification": "Second shop"}
    )
    html = lost.get_data(as_text=True)
    assert lost.status_code == 409
    assert re.search(r"Γιώργος \w+ completed this task at \d{4}-\d\d-\d\d \d\d:\d\d: nothing", html)
    assert "What you entered was not saved" in html and ">Second shop</dd>" in html


def deadlines_shown(html: str) -> dict[str, str]:
    """The task header's deadlines: label -> value."""
    found = re.findall(r"<dt>(Sign-off due|Due)</dt><dd[^>]*>([^<]*)</dd>", html)
    return {label: value.strip() for label, value in found}


def test_work_waiting_for_signature_shows_the_signatures_deadline_and_the_works(web_app, crm):
    analysis = requested(crm)
    work_due = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    set_due(crm, analysis, work_due)
    analysed(crm, analysis)
    kostas = sign_in(web_app, "kostas.credit")

    set_due(crm, analysis, datetime(2026, 12, 8, 9, 0, tzinfo=UTC), signoff=True)
    shown = deadlines_shown(kostas.page(f"/tasks/{analysis}"))
    assert shown["Sign-off due"].startswith("2026-12-08")
    assert shown["Due"].startswith("2026-12-07")  # the work's own, still in view
    set_due(crm, analysis, None, signoff=True)  # no deadline of its own: the work's holds
    assert list(deadlines_shown(kostas.page(f"/tasks/{analysis}"))) == ["Due"]
