"""The people pages over HTTP: my account (password, deputy, language), the users admin
pages and a task's reassign page; each for the one allowed and for those refused."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from sqlalchemy import text

from engine import views
from tests.e2e.staff_helpers import DEMO_PASSWORD, Staff, requested, sign_in

pytest_plugins = ["tests.e2e.staff_helpers"]

NEW_PASSWORD = "my own 2nd password"


def events(crm, action: str) -> list[dict]:
    return views.audit_events(crm.uow(), action=action)


def soon(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


# --- /account/ ---------------------------------------------------------------------------


def test_the_account_page_is_linked_from_the_header_and_needs_a_sign_in(web_app):
    assert web_app.test_client().get("/account/").status_code == 302
    anna = sign_in(web_app, "anna.credit")
    assert 'href="/account/"' in anna.page("/inbox/")
    html = anna.page("/account/")
    assert "My account" in html and 'name="current_password"' in html
    assert 'name="starts" type="date"' in html and 'name="locale"' in html


def test_changing_my_password_keeps_me_signed_in_and_ends_my_other_sessions(web_app, crm):
    anna, elsewhere = sign_in(web_app, "anna.credit"), sign_in(web_app, "anna.credit")
    answer = anna.post(
        "/account/password",
        {
            "current_password": DEMO_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert answer.status_code == 302
    assert anna.get("/inbox/").status_code == 200
    assert elsewhere.get("/inbox/").status_code == 302  # signed out there
    assert crm.authenticate("anna.credit", NEW_PASSWORD)
    assert events(crm, "password_changed")[-1]["actor"] == "anna.credit"


def test_a_wrong_current_password_or_a_weak_one_is_refused_with_the_reason(web_app, crm):
    anna = sign_in(web_app, "anna.credit")
    wrong = anna.post(
        "/account/password",
        {
            "current_password": "not it at all",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 403
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    weak = anna.post(
        "/account/password",
        {"current_password": DEMO_PASSWORD, "new_password": "short", "new_password_again": "short"},
    )
    assert weak.status_code == 422
    assert "at least 10 characters" in weak.get_data(as_text=True)
    assert crm.authenticate("anna.credit", DEMO_PASSWORD)
    assert events(crm, "password_changed") == []


def test_refusals_are_in_greek_for_a_greek_user(web_app, crm):
    crm.set_locale("anna.credit", "el")
    anna = sign_in(web_app, "anna.credit")
    answer = anna.client.post(
        "/account/deputies",
        data={
            "deputy": "fotis.audit",
            "starts": soon(1),
            "ends": soon(5),
            "csrf_token": anna.token,
        },
    )
    assert answer.status_code == 422
    assert "ελεγκτής" in answer.get_data(as_text=True)  # "... is an auditor ..."


def test_setting_and_removing_my_deputy(web_app, crm):
    anna = sign_in(web_app, "anna.credit")
    html = anna.page("/account/")
    assert 'value="kostas.credit"' in html
    assert 'value="fotis.audit"' not in html and 'value="admin"' not in html  # not eligible
    answer = anna.post(
        "/account/deputies", {"deputy": "kostas.credit", "starts": soon(1), "ends": soon(10)}
    )
    assert answer.status_code == 302
    html = anna.page("/account/")
    assert "Κώστας Οικονόμου" in html
    [event] = events(crm, "deputy_set")
    assert event["details"]["deputy"] == "kostas.credit"
    deputy_id = int(re.search(r"/account/deputies/(\d+)/remove", html).group(1))

    kostas = sign_in(web_app, "kostas.credit")
    assert kostas.post(f"/account/deputies/{deputy_id}/remove").status_code == 404  # not his
    assert anna.post(f"/account/deputies/{deputy_id}/remove").status_code == 302
    assert events(crm, "deputy_removed")


def test_an_auditor_deputy_or_a_bad_period_is_refused_and_nothing_changes(web_app, crm):
    anna = sign_in(web_app, "anna.credit")
    auditor = anna.post(
        "/account/deputies", {"deputy": "fotis.audit", "starts": soon(1), "ends": soon(5)}
    )
    assert auditor.status_code == 422
    fotis = crm.directory().users["fotis.audit"].name  # the page names people by name
    assert f"{fotis} is an auditor" in auditor.get_data(as_text=True)
    backwards = anna.post(
        "/account/deputies", {"deputy": "kostas.credit", "starts": soon(5), "ends": soon(1)}
    )
    assert backwards.status_code == 422
    assert "The last day comes before the first." in backwards.get_data(as_text=True)
    missing = anna.post("/account/deputies", {"deputy": "kostas.credit", "starts": "soon"})
    assert missing.status_code == 422
    assert events(crm, "deputy_set") == []


def test_account_forms_need_the_csrf_token(web_app, crm):
    anna = sign_in(web_app, "anna.credit")
    answer = anna.client.post(
        "/account/deputies",
        data={"deputy": "kostas.credit", "starts": soon(1), "ends": soon(5)},
    )
    assert answer.status_code == 400
    assert events(crm, "deputy_set") == []


# --- /admin/users/ -----------------------------------------------------------------------


def test_only_admins_reach_the_users_pages(web_app, crm):
    assert web_app.test_client().get("/admin/users/").status_code == 302
    anna = sign_in(web_app, "anna.credit")
    assert 'href="/admin/users/"' not in anna.page("/inbox/")
    for path in ("/admin/users/", "/admin/users/new", "/admin/users/kostas.credit"):
        assert anna.get(path).status_code == 403
    refused = anna.post("/admin/users/kostas.credit/roles", {"role": "admin"})
    assert refused.status_code == 403
    assert "admin" not in crm.directory().users["kostas.credit"].roles
    auditor = sign_in(web_app, "fotis.audit")
    assert auditor.get("/admin/users/").status_code == 403


def test_an_admin_finds_users_by_greek_name_without_accents(web_app):
    admin = sign_in(web_app, "admin")
    assert 'href="/admin/users/"' in admin.page("/inbox/")
    html = admin.page("/admin/users/?q=κωστας")
    assert "kostas.credit" in html and "anna.credit" not in html


def test_a_taken_username_is_named_as_typed(web_app, crm):
    """The refusal named the existing user's display name instead of the username typed."""
    admin = sign_in(web_app, "admin")
    taken = admin.post(
        "/admin/users/new",
        {"username": "anna.credit", "name": "Άννα Δεύτερη", "roles": ["credit_controller"]},
    )
    assert taken.status_code == 422
    assert "The username anna.credit is taken." in taken.get_data(as_text=True)
    assert crm.directory().users["anna.credit"].name != "Άννα Δεύτερη"


def test_an_admin_creates_a_user_who_must_change_the_password_first(web_app, crm):
    admin = sign_in(web_app, "admin")
    created = admin.post(
        "/admin/users/new",
        {
            "username": "eva.credit",
            "name": "Εύα Κρεδιτίδου",
            "email": "eva@example.com",
            "roles": ["credit_controller"],
        },
    )
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', created.get_data(as_text=True))[1]
    assert crm.directory().users["eva.credit"].roles == {"credit_controller"}
    assert password not in str(events(crm, "user_created"))

    eva = web_app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', eva.get("/login").text)[1]
    login = eva.post(
        "/login", data={"username": "eva.credit", "password": password, "csrf_token": token}
    )
    assert login.headers["Location"] == "/account/"
    assert eva.get("/inbox/").headers["Location"] == "/account/"  # nowhere else first
    changed = eva.post(
        "/account/password",
        data={
            "current_password": password,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert changed.status_code == 302
    assert eva.get("/inbox/").status_code == 200
    assert not crm.must_change_password("eva.credit")


def test_an_admin_changes_roles_details_and_access_and_refusals_are_shown(web_app, crm):
    admin = sign_in(web_app, "admin")
    assert "Credit controller" in admin.page("/admin/users/kostas.credit")
    assert admin.post("/admin/users/kostas.credit/roles", {"role": "bd"}).status_code == 302
    assert admin.post("/admin/users/kostas.credit/roles/bd/remove").status_code == 302
    saved = admin.post(
        "/admin/users/kostas.credit/details", {"name": "Κώστας Ο.", "email": "k@example.com"}
    )
    assert saved.status_code == 302
    unconfirmed = admin.post("/admin/users/kostas.credit/active", {"active": "0"})
    assert unconfirmed.status_code == 422 and crm.directory().users["kostas.credit"].active
    deactivated = admin.post("/admin/users/kostas.credit/active", {"active": "0", "confirm": "yes"})
    assert deactivated.status_code == 302
    kostas = crm.directory().users["kostas.credit"]
    assert (kostas.name, kostas.active, kostas.roles) == (
        "Κώστας Ο.",
        False,
        {"credit_controller"},
    )
    assert [e["action"] for e in views.audit_events(crm.uow(), actor="admin")][-4:] == [
        "role_added",
        "role_removed",
        "user_changed",
        "user_deactivated",
    ]
    last = admin.post("/admin/users/admin/roles/admin/remove")
    assert last.status_code == 422
    assert "last active administrator" in last.get_data(as_text=True)
    assert admin.get("/admin/users/nobody").status_code == 404


def test_deactivating_a_user_gives_back_the_tasks_they_claimed(web_app, crm):
    """kostas.credit left with 11 tasks claimed: they waited under his name, out of
    everyone else's queue, until an admin reassigned them one by one."""
    claimed = [requested(crm) for _ in range(2)]
    for task in claimed:
        crm.claim(task, user="kostas.credit")
    other = requested(crm)
    crm.claim(other, user="anna.credit")
    admin = sign_in(web_app, "admin")
    kostas = crm.directory().users["kostas.credit"].name
    # Said before: the admin did not know what deactivating him would hand back.
    warned = html.unescape(admin.page("/admin/users/kostas.credit"))
    assert f"{kostas} holds 2 claimed tasks: once deactivated, they go back" in warned
    done = admin.post("/admin/users/kostas.credit/active", {"active": "0", "confirm": "yes"})
    assert done.status_code == 302

    assert [views.task_detail(crm.uow(), t)["assignee"] for t in claimed] == [None, None]
    assert views.task_detail(crm.uow(), other)["assignee"] == "anna.credit"
    handed = [e for e in views.audit_events(crm.uow(), action="release") if e["actor"] == "admin"]
    assert sorted(e["task_id"] for e in handed) == sorted(claimed)
    assert all(e["details"]["user"] == "kostas.credit" for e in handed)
    queue = sign_in(web_app, "anna.credit").page("/inbox/?section=queue")
    assert all(f"/tasks/{t}" in queue for t in claimed)  # back in the role's queue
    # The case says why the task came back, naming him: it read as an admin's bare act.
    why = f"{kostas} was deactivated: the task went back to the queue"
    instance = views.task_detail(crm.uow(), claimed[0])["instance_id"]
    assert why in sign_in(web_app, "anna.credit").page(f"/instances/{instance}")
    assert why in sign_in(web_app, "fotis.audit").page(f"/audit/instances/{instance}/case")


def test_an_auditor_is_given_no_working_role_and_a_worker_is_not_made_auditor(web_app, crm):
    admin = sign_in(web_app, "admin")
    work = admin.post("/admin/users/fotis.audit/roles", {"role": "credit_controller"})
    audit = admin.post("/admin/users/anna.credit/roles", {"role": "auditor"})

    for refused in (work, audit):
        assert refused.status_code == 422
        assert "who reviews the work may not do it" in refused.get_data(as_text=True)
    users = crm.directory().users
    assert users["fotis.audit"].roles == {"auditor"}
    assert users["anna.credit"].roles == {"credit_controller"}


def test_a_user_without_a_password_is_shown_as_unable_to_sign_in(web_app, crm):
    """An imported user read as Active, with nothing saying they could not sign in."""
    admin = sign_in(web_app, "admin")
    created = admin.post(
        "/admin/users/new", {"username": "irene.new", "name": "Ειρήνη Νέα", "roles": ["cs_agent"]}
    )
    assert created.status_code == 201
    with crm.uow() as uow:  # as a directory import leaves a new person: no password
        uow.session.execute(
            text("UPDATE users SET password_hash = NULL WHERE username = 'irene.new'")
        )
        uow.commit()
    note = "No password yet: they cannot sign in until you give them a one-time password"
    assert note in admin.page("/admin/users/irene.new")
    assert note not in admin.page("/admin/users/kostas.credit")


def test_reloading_the_one_time_password_page_does_not_replace_the_password_handed_over(
    web_app, crm
):
    admin = sign_in(web_app, "admin")
    page = admin.page("/admin/users/kostas.credit")
    version = re.search(r'name="password_version" value="([0-9a-f]+)"', page)[1]
    form = {"password_version": version}
    given = admin.post("/admin/users/kostas.credit/password", form)
    assert given.status_code == 200
    password = re.search(r'id="one-time-password">([^<]+)<', given.get_data(as_text=True))[1]

    reloaded = admin.post("/admin/users/kostas.credit/password", form)  # the browser's reload
    assert reloaded.status_code == 409
    assert "A new one-time password was given since this page was opened" in (
        reloaded.get_data(as_text=True)
    )
    assert crm.authenticate("kostas.credit", password)  # still the one handed over
    assert len(events(crm, "password_reset")) == 1
    fresh = re.search(
        r'name="password_version" value="([0-9a-f]+)"', reloaded.get_data(as_text=True)
    )
    again = admin.post("/admin/users/kostas.credit/password", {"password_version": fresh[1]})
    assert again.status_code == 200  # asked again, on purpose: a new one


# --- /tasks/<id>/reassign ----------------------------------------------------------------


def test_an_r_member_reassigns_a_task_to_someone_eligible(web_app, crm):
    task = requested(crm)  # analysis: credit controllers
    anna = sign_in(web_app, "anna.credit")
    assert f'href="/tasks/{task}/reassign"' in anna.page(f"/tasks/{task}")
    html = anna.page(f"/tasks/{task}/reassign")
    assert 'value="kostas.credit"' in html
    assert 'value="vasso.finance"' not in html and 'value="giorgos.bd"' not in html
    refused = anna.post(f"/tasks/{task}/reassign", {"to": "giorgos.bd"})
    assert refused.status_code == 422
    done = anna.post(f"/tasks/{task}/reassign", {"to": "kostas.credit", "reason": "holiday"})
    assert done.status_code == 302
    assert views.task_detail(crm.uow(), task)["assignee"] == "kostas.credit"
    [event] = views.audit_events(crm.uow(), task_id=task, action="reassign")
    assert event["actor"] == "anna.credit" and event["reason"] == "holiday"


def test_a_person_deactivated_while_the_page_was_open_is_refused_in_words(web_app, crm):
    """The page said "choose one of the people listed" of a list that was gone: the only
    other credit controller had been deactivated in another tab."""
    task = requested(crm)
    crm.claim(task, user="anna.credit")
    anna = sign_in(web_app, "anna.credit")
    assert 'value="kostas.credit"' in anna.page(f"/tasks/{task}/reassign")
    assert "Claimed by: Άννα" in anna.page(f"/tasks/{task}/reassign")  # a name, not a login
    crm.set_user_active("kostas.credit", False, by="admin")
    refused = anna.post(f"/tasks/{task}/reassign", {"to": "kostas.credit"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "The account of Κώστας Οικονόμου is not active." in html
    assert "Choose one of the people listed" not in html
    assert views.task_detail(crm.uow(), task)["assignee"] == "anna.credit"


def test_who_may_not_reassign_sees_no_link_and_is_refused(web_app, crm):
    task = requested(crm)
    giorgos: Staff = sign_in(web_app, "giorgos.bd")  # started it: sees it, is not R
    assert f"/tasks/{task}/reassign" not in giorgos.page(f"/tasks/{task}")
    answer = giorgos.post(f"/tasks/{task}/reassign", {"to": "kostas.credit"})
    assert answer.status_code == 403
    assert "You may not reassign this task" in answer.get_data(as_text=True)
    assert views.task_detail(crm.uow(), task)["assignee"] is None
    outsider = sign_in(web_app, "thanasis.tech")
    assert outsider.get(f"/tasks/{task}/reassign").status_code == 403


def test_deactivating_the_only_member_of_a_role_says_so_first(web_app, crm):
    admin = sign_in(web_app, "admin")
    page = admin.page("/admin/users/vasso.finance")  # the demo's only finance manager
    assert "is the only active member of: Finance manager" in page
    assert 'name="confirm" value="yes" required' in page
    assert "the only active member" not in admin.page("/admin/users/kostas.credit")  # and anna


def test_an_admin_names_a_deputy_for_someone_absent_from_their_page(web_app, crm):
    admin = sign_in(web_app, "admin")
    before = crm.account("vasso.finance").deputies
    page = admin.page("/admin/users/vasso.finance")
    assert 'action="/admin/users/vasso.finance/deputies"' in page
    named = admin.post(
        "/admin/users/vasso.finance/deputies",
        {"deputy": "petros.cfo", "starts": "2027-03-08", "ends": "2027-03-12"},
    )
    assert named.status_code == 302
    [deputy] = [d for d in crm.account("vasso.finance").deputies if d not in before]
    assert (deputy["deputy"], str(deputy["starts"]), str(deputy["ends"])) == (
        "petros.cfo",
        "2027-03-08",
        "2027-03-12",
    )
    [event] = views.audit_events(crm.uow(), action="deputy_set")[-1:]
    assert event["actor"] == "admin"
    # Only an admin: a colleague's attempt is refused and changes nothing.
    colleague = sign_in(web_app, "anna.credit")
    refused = colleague.post(
        "/admin/users/vasso.finance/deputies",
        {"deputy": "anna.credit", "starts": "2027-03-15", "ends": "2027-03-16"},
    )
    assert refused.status_code == 403
    assert len(crm.account("vasso.finance").deputies) == len(before) + 1
    removed = admin.post(f"/admin/users/vasso.finance/deputies/{deputy['id']}/remove")
    assert removed.status_code == 302 and crm.account("vasso.finance").deputies == before


def test_the_users_pages_name_roles_as_every_other_page_does(web_app, crm):
    admin = sign_in(web_app, "admin")
    crm.set_locale("admin", "el")
    page = admin.page("/admin/users/lena.owner")
    assert "Υπεύθυνος διαδικασιών" in page  # as the modeler and the RACI pages say it
    assert "Ιδιοκτήτης διαδικασίας" not in page
