"""Who may act for a role on a given day: members first, then deputies within their dates."""

from __future__ import annotations

from datetime import date

import pytest

from raci.directory import Acting, Deputy, Directory, Role, User

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
MID_NOV = date(2026, 11, 15)


def directory(*, maria_active: bool = True, nikos_active: bool = True) -> Directory:
    """maria and kostas control credit; nikos deputises for maria in November; eleni is gone."""
    users = [
        User("maria", "Maria", roles=frozenset({"credit_controller"}), active=maria_active),
        User("kostas", "Kostas", roles=frozenset({"credit_controller"})),
        User("nikos", "Nikos", roles=frozenset({"sales_manager"}), active=nikos_active),
        User("eleni", "Eleni", roles=frozenset({"credit_controller", "admin"}), active=False),
        User("anna", "Anna", roles=frozenset({"admin"})),
    ]
    return Directory(
        users={user.username: user for user in users},
        roles={name: Role(name) for name in ("credit_controller", "sales_manager", "admin")},
        deputies=(
            Deputy("nikos", "maria", NOV_1, NOV_30),
            Deputy("anna", "eleni", NOV_1, NOV_30),
        ),
    )


def test_members_are_the_active_users_holding_the_role():
    assert directory().members("credit_controller") == ["kostas", "maria"]


def test_given_a_member_expect_them_acting_as_themselves():
    acting = directory().acting_as("maria", ["sales_manager", "credit_controller"], MID_NOV)
    assert acting == Acting("maria", "credit_controller")


def test_given_a_member_who_is_also_a_deputy_expect_membership_first():
    acting = directory().acting_as("nikos", ["credit_controller", "sales_manager"], MID_NOV)
    assert acting == Acting("nikos", "sales_manager")


@pytest.mark.parametrize("day", [NOV_1, MID_NOV, NOV_30])
def test_given_a_deputy_within_their_dates_expect_them_acting_on_behalf_of_the_principal(day):
    acting = directory().acting_as("nikos", ["credit_controller"], day)
    assert acting == Acting("nikos", "credit_controller", on_behalf_of="maria")
    assert directory().principals_of("nikos", day) == ["maria"]


@pytest.mark.parametrize("day", [date(2026, 10, 31), date(2026, 12, 1)])
def test_given_a_deputy_outside_their_dates_expect_no_acting(day):
    assert directory().acting_as("nikos", ["credit_controller"], day) is None
    assert directory().principals_of("nikos", day) == []


def test_given_a_deactivated_deputy_expect_no_acting():
    assert directory(nikos_active=False).acting_as("nikos", ["sales_manager"], MID_NOV) is None
    assert directory(nikos_active=False).acting_as("nikos", ["credit_controller"], MID_NOV) is None


def test_given_a_deactivated_principal_expect_the_deputy_not_acting_for_them():
    gone = directory(maria_active=False)
    assert gone.principals_of("nikos", MID_NOV) == []
    assert gone.acting_as("nikos", ["credit_controller"], MID_NOV) is None
    assert directory().principals_of("anna", MID_NOV) == []  # eleni is deactivated


def test_given_the_principal_in_not_for_expect_the_deputy_not_acting_for_them():
    # e.g. a deputy may not sign off work their principal did
    acting = directory().acting_as("nikos", ["credit_controller"], MID_NOV, not_for=["maria"])
    assert acting is None


def test_given_an_unknown_user_expect_no_acting():
    assert directory().acting_as("nobody", ["credit_controller"], MID_NOV) is None


def test_audience_is_active_members_and_their_deputies_of_the_day():
    assert directory().audience(["credit_controller"], MID_NOV) == ["kostas", "maria", "nikos"]
    assert directory().audience(["credit_controller"], date(2026, 12, 1)) == ["kostas", "maria"]


def test_audience_leaves_out_deactivated_deputies_and_deputies_of_deactivated_members():
    assert directory(nikos_active=False).audience(["credit_controller"], MID_NOV) == [
        "kostas",
        "maria",
    ]
    assert directory(maria_active=False).audience(["credit_controller"], MID_NOV) == ["kostas"]


def test_admins_are_active_members_of_the_admin_role():
    assert directory().is_admin("anna")
    assert not directory().is_admin("eleni")
    assert not directory().is_admin("maria")
