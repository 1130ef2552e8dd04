"""The people rules as specifications: who may stand in, for how long, which passwords."""

from __future__ import annotations

from datetime import date

import pytest

from engine.passwords import check_strength, one_time_password
from raci.directory import Deputy, Directory, Role, User
from raci.people import (
    PeopleRuleBroken,
    auditor_deputies,
    check_admins_left,
    check_deputy,
    check_deputy_period,
    check_role_grant,
    working_auditors,
)

TODAY = date(2026, 6, 1)


def user(name: str, *roles: str, active: bool = True) -> User:
    return User(name, name.title(), None, active, frozenset(roles))


DIRECTORY = Directory(
    users={
        u.username: u
        for u in (
            user("rita", "clerk"),
            user("ralf", "controller"),
            user("ian", "auditor"),
            user("ivy", "clerk", "auditor"),
            user("pia", "process_owner"),
            user("adam", "admin"),
            user("gone", "clerk", active=False),
        )
    },
    roles={r: Role(r) for r in ("clerk", "controller", "auditor", "process_owner", "admin")},
    deputies=(Deputy("ralf", "rita", date(2026, 6, 1), date(2026, 6, 30)),),
)


def test_given_an_active_worker_in_another_role_expect_an_eligible_deputy():
    check_deputy(DIRECTORY, "rita", "ralf")  # no refusal: roles need not be shared


@pytest.mark.parametrize(
    ("principal", "deputy", "words"),
    [
        ("rita", "rita", "their own deputy"),
        ("rita", "gone", "not an active user"),
        ("rita", "ian", "is an auditor"),
        ("rita", "ivy", "is an auditor"),  # even one who also works
        ("rita", "pia", "no working role"),
        ("rita", "adam", "no working role"),
        ("ivy", "rita", "auditor's role"),
        ("pia", "rita", "no working role to hand"),
    ],
)
def test_given_an_ineligible_pair_expect_a_refusal_naming_why(principal, deputy, words):
    with pytest.raises(PeopleRuleBroken, match=words):
        check_deputy(DIRECTORY, principal, deputy)


@pytest.mark.parametrize(
    ("starts", "ends", "words"),
    [
        (date(2026, 6, 9), date(2026, 6, 8), "before the first"),
        (date(2026, 5, 1), date(2026, 5, 31), "over already"),
        (date(2026, 6, 1), date(2027, 6, 2), "at most 366"),  # 367 days
        (date(2026, 6, 30), date(2026, 7, 5), "deputy is named already"),  # one day shared
    ],
)
def test_given_a_bad_period_expect_a_refusal(starts, ends, words):
    taken = [(date(2026, 6, 1), date(2026, 6, 30))]
    with pytest.raises(PeopleRuleBroken, match=words):
        check_deputy_period(starts, ends, today=TODAY, taken=taken)


def test_given_a_period_after_another_expect_it_accepted():
    taken = [(date(2026, 6, 1), date(2026, 6, 30))]
    check_deputy_period(date(2026, 7, 1), date(2026, 7, 1), today=TODAY, taken=taken)


@pytest.mark.parametrize(
    ("username", "role"),
    [("rita", "auditor"), ("ian", "clerk"), ("ian", "controller")],
)
def test_given_a_worker_made_auditor_or_an_auditor_given_work_expect_refused(username, role):
    with pytest.raises(PeopleRuleBroken, match="who reviews the work may not do it"):
        check_role_grant(DIRECTORY, username, role, today=TODAY)


def test_given_a_deputy_expect_the_auditor_role_refused_for_standing_in():
    with pytest.raises(PeopleRuleBroken, match="may not stand in"):
        check_role_grant(DIRECTORY, "ralf", "auditor", today=TODAY)


def test_given_roles_that_only_read_or_oversee_expect_them_granted_beside_auditor():
    check_role_grant(DIRECTORY, "pia", "auditor", today=TODAY)
    check_role_grant(DIRECTORY, "ian", "process_owner", today=TODAY)
    check_role_grant(DIRECTORY, "ralf", "clerk", today=TODAY)
    with pytest.raises(PeopleRuleBroken, match="no role wizard"):
        check_role_grant(DIRECTORY, "rita", "wizard", today=TODAY)


def test_given_auditors_holding_working_roles_expect_them_found():
    assert working_auditors(DIRECTORY) == ["ivy"]  # clerk and auditor


def test_given_the_last_admin_expect_them_kept():
    with pytest.raises(PeopleRuleBroken, match="last active administrator"):
        check_admins_left(DIRECTORY, "adam")
    check_admins_left(DIRECTORY, "rita")


def test_given_an_auditor_named_as_deputy_expect_them_found():
    with_auditor = Directory(
        DIRECTORY.users, DIRECTORY.roles, (Deputy("ian", "rita", TODAY, TODAY),)
    )
    assert auditor_deputies(with_auditor) == ["ian"]
    assert auditor_deputies(DIRECTORY) == []


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short 1", "at least 10"),
        ("onlyletters", "two kinds"),
        ("1234567890", "two kinds"),
        ("xx rita xx 1", "username"),
    ],
)
def test_given_a_weak_password_expect_a_refusal(password, words):
    with pytest.raises(PeopleRuleBroken, match=words):
        check_strength(password, "rita")


def test_given_a_passphrase_or_a_one_time_password_expect_it_accepted():
    check_strength("correct horse battery", "rita")
    for _ in range(20):
        check_strength(one_time_password("rita"), "rita")


def test_a_one_time_password_never_holds_the_username(monkeypatch):
    """One draw in a few hundred held a short username ("an1" in "a4KhPBKqLaN1rw"), and
    creating that user failed with the rule's own refusal."""
    drawn = iter("a4KhPBKqLaN1rw" + "b5JgQCLrMbP2sx")
    monkeypatch.setattr("engine.passwords.secrets.choice", lambda alphabet: next(drawn))
    password = one_time_password("an1")
    assert password == "b5JgQCLrMbP2sx"
    check_strength(password, "an1")
