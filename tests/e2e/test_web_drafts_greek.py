"""A process owner and an approver who read Greek: the draft's checks and the review's
diff speak Greek, durations in words (never "P1D" or "None")."""

from __future__ import annotations

from engine import views
from tests.browser.page_checks import english_words

from .test_web_drafts import PROCESS, opened, saved
from .test_web_instances import (  # noqa: F401  (the fixtures app, engine, seeded)
    PASSWORD,
    as_user,
    process_engine,
    seeded_database,
    web_app,
)


def in_greek(engine, *users: str) -> None:
    for user in users:
        engine.set_locale(user, "el")


def changed_draft(app) -> tuple[object, str]:
    """The owner's draft with one change saved (the controller's sign-off due in 5 days),
    ready to submit."""
    owner, draft_id, data = opened(app)
    rows = {row["activity"]: dict(row) for row in data["rows"]}
    rows["analyse_controller"]["signoff_due"] = "P5D"
    matrix = {"roles": data["roles"], "rows": list(rows.values())}
    assert saved(owner, draft_id, {"bpmn": data["bpmn"], "matrix": matrix}).status_code == 200
    return owner, draft_id


def test_the_checks_of_a_draft_speak_greek(app, engine):
    in_greek(engine, "lena.owner")
    owner, draft_id, data = opened(app)
    rows = {row["activity"]: dict(row) for row in data["rows"]}
    bad = dict(rows)
    bad["analyse_controller"] = {**rows["analyse_controller"], "cells": {"bd": "X"}}
    answer = saved(
        owner,
        draft_id,
        {"bpmn": data["bpmn"], "matrix": {"roles": data["roles"], "rows": list(bad.values())}},
    )
    assert answer.status_code == 409
    assert answer.get_json()["message"] == (
        "Το «X» για τον ρόλο Πωλητής (BD) στο «Πιστωτική ανάλυση (υπογραφή ελεγκτή πιστώσεων)» "
        "δεν είναι κελί RACI: γράψτε R, A, C, I ή π.χ. A/R"
    )
    # Nobody signs the controller's analysis.
    cells = {
        role: letters.replace("A", "").strip("/")
        for role, letters in rows["analyse_controller"]["cells"].items()
    }
    rows["analyse_controller"] = {**rows["analyse_controller"], "cells": cells}
    answer = saved(
        owner,
        draft_id,
        {"bpmn": data["bpmn"], "matrix": {"roles": data["roles"], "rows": list(rows.values())}},
    )
    messages = [p["message"] for p in answer.get_json()["problems"]]
    assert "Κανένας ρόλος με A· χρειάζεται ακριβώς ένας" in messages
    assert not [m for m in messages if english_words(m)], messages


def test_the_review_words_durations_and_missing_values(app, engine):
    in_greek(engine, "lena.owner", "stavros.approver")
    owner, draft_id, data = opened(app)
    rows = {row["activity"]: dict(row) for row in data["rows"]}
    assert rows["analyse_controller"]["signoff_due"] == "P1D"
    assert rows["request"]["signoff_due"] == ""
    rows["analyse_controller"]["signoff_due"] = "P5D"
    rows["request"]["signoff_due"] = "PT4H"
    answer = saved(
        owner,
        draft_id,
        {"bpmn": data["bpmn"], "matrix": {"roles": data["roles"], "rows": list(rows.values())}},
    )
    assert answer.get_json()["ok"] is True, answer.get_json()
    assert owner.post(f"/drafts/{draft_id}/submit", {"comment": "Πιο χαλαρές προθεσμίες"})
    engine.set_password("stavros.approver", PASSWORD, by="admin")
    review = as_user(app, "stavros.approver").page(f"/drafts/{draft_id}/review")
    assert ">1 ημέρα</td>" in review and ">5 ημέρες</td>" in review
    assert ">—</td>" in review and ">4 ώρες</td>" in review
    assert "P1D" not in review and "P5D" not in review and "None" not in review
    assert views.audit_events(engine.uow(), process_id=PROCESS, action="draft_submitted")


def test_deleting_a_draft_asks_in_greek(app, engine):
    in_greek(engine, "lena.owner")
    owner, draft_id, _data = opened(app)
    page = owner.page(f"/drafts/{draft_id}")
    assert "Ναι, να διαγραφεί αυτό το προσχέδιο" in page
    assert "οι αλλαγές του χάνονται οριστικά" in page
    owner.post(f"/drafts/{draft_id}/delete")
    flashed = owner.page(f"/drafts/{draft_id}")
    assert "Επιλέξτε το πλαίσιο για να επιβεβαιώσετε τη διαγραφή." in flashed


def test_the_trail_words_a_refused_self_approval_in_greek(app, engine):
    """An owner who tries to approve their own change is refused; the auditor reads why in
    Greek, with the owner's name (not the English message with a username)."""
    in_greek(engine, "lena.owner", "fotis.audit")
    owner, draft_id = changed_draft(app)
    assert owner.post(f"/drafts/{draft_id}/submit", {"comment": "Πιο χαλαρή προθεσμία"})
    owner.post(f"/drafts/{draft_id}/approve", {"password": PASSWORD})
    trail = as_user(app, "fotis.audit").page("/audit/?action=draft_refused")
    assert "ο/η Λένα Αλεξίου συνέταξε αυτή την αλλαγή και δεν μπορεί να την εγκρίνει" in trail, (
        trail
    )
    assert "drafted this change" not in trail and "lena.owner" not in trail


def test_the_review_names_what_changed_in_an_element_in_words(app, engine):
    """The approver read 'flownoderef' and 'conditionExpression' for what had changed."""
    in_greek(engine, "lena.owner", "stavros.approver")
    owner, draft_id, data = opened(app)
    condition = 'approval_level == "cfo"'
    assert condition in data["bpmn"]
    bpmn = data["bpmn"].replace(condition, 'approval_level == "cfo" or increase &gt; 40000')
    matrix = {"roles": data["roles"], "rows": data["rows"]}
    assert saved(owner, draft_id, {"bpmn": bpmn, "matrix": matrix}).get_json()["ok"] is True
    assert owner.post(f"/drafts/{draft_id}/submit", {"comment": "Ο CFO και για μεγάλες αυξήσεις"})
    engine.set_password("stavros.approver", PASSWORD, by="admin")

    review = as_user(app, "stavros.approver").page(f"/drafts/{draft_id}/review")

    assert "η συνθήκη του</td>" in review
    assert "conditionExpression" not in review and "conditionexpression" not in review


def test_a_blank_or_overlong_comment_or_reason_is_refused_in_greek_and_kept(app, engine):
    """The submission read "a comment is required: say what changes and why" in English;
    a 5,000-character comment (the form's maxlength removed) was stored and widened the
    approver's page to 47,000 px."""
    in_greek(engine, "lena.owner", "stavros.approver")
    owner, draft_id = changed_draft(app)

    blank = owner.post(f"/drafts/{draft_id}/submit", {"comment": "   "})
    assert blank.status_code == 422
    assert "Χρειάζεται σχόλιο: γράψτε τι αλλάζει και γιατί." in blank.get_data(as_text=True)
    long = "Προθεσμία" * 300  # 2,700 characters
    refused = owner.post(f"/drafts/{draft_id}/submit", {"comment": long})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Το κείμενο έχει 2700 χαρακτήρες: επιτρέπονται έως 2000." in html
    assert f">{long}</textarea>" in html  # what was typed is kept to shorten
    assert engine.draft(draft_id, user="lena.owner").status == "editing"

    assert owner.post(f"/drafts/{draft_id}/submit", {"comment": "Πιο χαλαρή προθεσμία"})
    engine.set_password("stavros.approver", PASSWORD, by="admin")
    approver = as_user(app, "stavros.approver")
    for reason, said in (
        ("", "Χρειάζεται αιτιολογία για την επιστροφή."),
        (long, "Το κείμενο έχει 2700 χαρακτήρες: επιτρέπονται έως 2000."),
    ):
        back = approver.post(f"/drafts/{draft_id}/reject", {"password": PASSWORD, "reason": reason})
        page = back.get_data(as_text=True)
        assert back.status_code == 422 and said in page
        assert f">{reason}</textarea>" in page
    assert engine.draft(draft_id, user="lena.owner").status == "submitted"
    assert not views.audit_events(engine.uow(), process_id=PROCESS, action="draft_rejected")
