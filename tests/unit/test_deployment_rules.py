"""Deploying is governed by one RACI row: the process owner drafts (R), another approves (A)."""

from __future__ import annotations

import pytest

from raci.deployment import APPROVER, PROCESS_OWNER, may_approve, may_draft
from raci.directory import Directory, Role, User
from raci.policy import Refused


def directory() -> Directory:
    people = [
        User("lena", "Lena", roles=frozenset({PROCESS_OWNER})),
        User("stavros", "Stavros", roles=frozenset({APPROVER})),
        User("both", "Both", roles=frozenset({PROCESS_OWNER, APPROVER})),
        User("ada", "Ada", roles=frozenset({"admin"})),
        User("bob", "Bob", roles=frozenset({"sales"})),
        User("gone", "Gone", active=False, roles=frozenset({APPROVER})),
    ]
    roles = {name: Role(name) for name in (PROCESS_OWNER, APPROVER, "admin", "sales")}
    return Directory({u.username: u for u in people}, roles)


@pytest.mark.parametrize("user", ["lena", "both", "ada"])
def test_process_owners_and_admins_draft(user):
    may_draft(directory(), user)


@pytest.mark.parametrize("user", ["stavros", "bob", "nobody"])
def test_nobody_else_drafts(user):
    with pytest.raises(Refused) as refused:
        may_draft(directory(), user)
    assert refused.value.letter == "R"


def test_an_approver_signs_another_persons_draft():
    may_approve(directory(), "stavros", owner="lena")
    may_approve(directory(), "both", owner="lena")


@pytest.mark.parametrize(
    ("user", "owner", "why"),
    [
        ("both", "both", "may not approve it"),  # one's own, whatever roles one holds
        ("lena", "both", "approver role"),
        ("ada", "lena", "approver role"),  # admins draft; they do not sign by default
        ("gone", "lena", "approver role"),  # deactivated
    ],
)
def test_nobody_signs_their_own_draft_nor_without_the_role(user, owner, why):
    with pytest.raises(Refused) as refused:
        may_approve(directory(), user, owner)
    assert refused.value.letter == "A" and why in refused.value.message
