"""The RACI rules at run time: who may work (R), sign off (A), answer (C) and is told (I)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raci.directory import Acting, Deputy, Directory, Role, User
from raci.matrix import ActivityRow, ActivityRules, Letter
from raci.policy import (
    Refused,
    informed,
    is_or_stands_in_for,
    may_answer,
    may_override,
    may_reassign,
    may_sign_off,
    may_work,
    needs_signoff,
    signing_role,
)

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
MID_NOV = date(2026, 11, 15)

R, A, C, I = (frozenset({letter}) for letter in Letter)  # noqa: E741

# check_credit: clerk does, controller signs off, legal is asked, sales and audit are told
ROW = ActivityRow(
    "check_credit",
    {"clerk": R, "controller": A, "legal": C, "sales": I, "audit": I},
)
SELF_APPROVED = replace(ROW, rules=ActivityRules(self_approval=True))
NO_A = ActivityRow("file_papers", {"clerk": R, "sales": I})


def directory() -> Directory:
    """Members, one deactivated user, an outsider, an admin, and deputies for November.

    dee is both clerk and controller, so she can do work and hold the A role.
    """
    users = [
        User("rita", "Rita", roles=frozenset({"clerk"})),
        User("ralf", "Ralf", roles=frozenset({"clerk"})),
        User("dee", "Dee", roles=frozenset({"clerk", "controller"})),
        User("alex", "Alex", roles=frozenset({"controller"})),
        User("vera", "Vera", roles=frozenset({"controller"})),
        User("carl", "Carl", roles=frozenset({"legal"})),
        User("ivy", "Ivy", roles=frozenset({"sales", "audit"})),
        User("zoe", "Zoe", roles=frozenset({"sales"})),
        User("ian", "Ian", roles=frozenset({"audit"})),
        User("adam", "Adam", roles=frozenset({"admin"})),
        User("olga", "Olga"),
        User(
            "gone",
            "Gone",
            roles=frozenset({"clerk", "controller", "legal", "sales", "admin"}),
            active=False,
        ),
        # deputies, without roles of their own
        User("dora", "Dora"),  # for rita
        User("dan", "Dan"),  # for alex
        User("dave", "Dave"),  # for dee
        User("della", "Della"),  # for dee
        User("max", "Max"),  # for dee and for vera
        User("lena", "Lena"),  # for carl
        User("sam", "Sam"),  # for ivy
        User("gil", "Gil"),  # for gone
    ]
    deputies = [
        ("dora", "rita"),
        ("dan", "alex"),
        ("dave", "dee"),
        ("della", "dee"),
        ("max", "dee"),
        ("max", "vera"),
        ("lena", "carl"),
        ("sam", "ivy"),
        ("gil", "gone"),
    ]
    roles = ("clerk", "controller", "legal", "sales", "audit", "admin")
    return Directory(
        users={user.username: user for user in users},
        roles={name: Role(name) for name in roles},
        deputies=tuple(Deputy(deputy, principal, NOV_1, NOV_30) for deputy, principal in deputies),
    )


DIRECTORY = directory()


# --- may_work (R) ---------------------------------------------------------------------


def test_may_work_given_a_member_of_the_r_role_expect_them_acting_as_themselves():
    assert may_work(DIRECTORY, ROW, "rita", MID_NOV) == Acting("rita", "clerk")


@pytest.mark.parametrize("day", [NOV_1, MID_NOV, NOV_30])
def test_may_work_given_a_deputy_within_their_dates_expect_them_acting_for_the_principal(day):
    assert may_work(DIRECTORY, ROW, "dora", day) == Acting("dora", "clerk", on_behalf_of="rita")


@pytest.mark.parametrize("day", [date(2026, 10, 31), date(2026, 12, 1)])
def test_may_work_given_a_deputy_outside_their_dates_expect_refused(day):
    with pytest.raises(Refused):
        may_work(DIRECTORY, ROW, "dora", day)


def test_may_work_given_a_deactivated_member_expect_refused():
    with pytest.raises(Refused):
        may_work(DIRECTORY, ROW, "gone", MID_NOV)


def test_may_work_given_the_deputy_of_a_deactivated_member_expect_refused():
    with pytest.raises(Refused):
        may_work(DIRECTORY, ROW, "gil", MID_NOV)


def test_may_work_given_a_non_member_expect_a_message_naming_the_activity_and_the_r_roles():
    row = ActivityRow("check_credit", {"clerk": R, "back_office": R, "controller": A})
    with pytest.raises(Refused) as refused:
        may_work(DIRECTORY, row, "olga", MID_NOV)
    assert refused.value.message == (
        "olga is not responsible for 'check_credit' (clerk, back_office)"
    )
    assert str(refused.value) == refused.value.message


def test_may_work_given_a_row_without_r_roles_expect_the_message_saying_so():
    row = ActivityRow("check_credit", {"controller": A})
    with pytest.raises(Refused, match=r"\(no R role\)"):
        may_work(DIRECTORY, row, "rita", MID_NOV)


def test_may_work_refusal_is_an_r_refusal():
    with pytest.raises(Refused) as refused:
        may_work(DIRECTORY, ROW, "alex", MID_NOV)
    assert refused.value.letter == Letter.R


def test_may_work_given_the_claimant_expect_them_acting_as_themselves():
    assert may_work(DIRECTORY, ROW, "rita", MID_NOV, claimed_by="rita") == Acting("rita", "clerk")


def test_may_work_given_the_claimants_deputy_expect_them_carrying_it_on_for_the_claimant():
    acting = may_work(DIRECTORY, ROW, "max", MID_NOV, claimed_by="dee")  # max stands in for two
    assert acting == Acting("max", "clerk", on_behalf_of="dee")


def test_may_work_given_another_member_of_the_role_on_a_claimed_task_expect_refused():
    with pytest.raises(Refused, match="already claimed by rita") as refused:
        may_work(DIRECTORY, ROW, "ralf", MID_NOV, claimed_by="rita")
    assert refused.value.letter == Letter.R


def test_may_work_given_the_claimants_deputy_outside_their_dates_expect_refused():
    with pytest.raises(Refused):  # dora holds no role of her own either
        may_work(DIRECTORY, ROW, "dora", date(2026, 12, 1), claimed_by="rita")


def test_is_or_stands_in_for_is_the_person_or_their_deputy_on_the_day():
    assert is_or_stands_in_for(DIRECTORY, "rita", "rita", MID_NOV)
    assert is_or_stands_in_for(DIRECTORY, "dora", "rita", MID_NOV)
    assert not is_or_stands_in_for(DIRECTORY, "dora", "rita", date(2026, 12, 1))
    assert not is_or_stands_in_for(DIRECTORY, "ralf", "rita", MID_NOV)
    assert not is_or_stands_in_for(DIRECTORY, "rita", "dora", MID_NOV)  # not the other way
    assert not is_or_stands_in_for(DIRECTORY, "gil", "gone", MID_NOV)  # principal deactivated


# --- needs_signoff --------------------------------------------------------------------


def test_needs_signoff_given_a_row_without_an_a_role_expect_false():
    assert needs_signoff(NO_A, DIRECTORY, Acting("rita", "clerk")) is False


@pytest.mark.parametrize("performer", [Acting("rita", "clerk"), Acting("dee", "clerk")])
def test_needs_signoff_given_an_a_role_without_self_approval_expect_true(performer):
    assert needs_signoff(ROW, DIRECTORY, performer) is True


def test_needs_signoff_given_self_approval_and_a_performer_holding_the_a_role_expect_false():
    assert needs_signoff(SELF_APPROVED, DIRECTORY, Acting("dee", "clerk")) is False


def test_needs_signoff_given_self_approval_and_a_performer_outside_the_a_role_expect_true():
    assert needs_signoff(SELF_APPROVED, DIRECTORY, Acting("rita", "clerk")) is True


def test_needs_signoff_given_self_approval_and_a_deputy_of_an_a_member_performing_expect_true():
    # self-approval is personal: dave stands in for dee but does not hold the A role
    performer = Acting("dave", "clerk", on_behalf_of="dee")
    assert needs_signoff(SELF_APPROVED, DIRECTORY, performer) is True


# --- may_sign_off (A) -----------------------------------------------------------------


def test_may_sign_off_given_a_member_of_the_a_role_expect_them_acting_as_themselves():
    acting = may_sign_off(DIRECTORY, ROW, "alex", MID_NOV, performer="rita")
    assert acting == Acting("alex", "controller")


def test_may_sign_off_given_a_deputy_of_an_a_member_expect_them_acting_on_behalf_of_them():
    acting = may_sign_off(DIRECTORY, ROW, "dan", MID_NOV, performer="rita")
    assert acting == Acting("dan", "controller", on_behalf_of="alex")


def test_may_sign_off_given_the_performer_holding_the_a_role_expect_refused_four_eyes():
    with pytest.raises(Refused, match="four eyes"):
        may_sign_off(DIRECTORY, ROW, "dee", MID_NOV, performer="dee")


def test_may_sign_off_given_the_principal_the_performer_stood_in_for_expect_refused():
    with pytest.raises(Refused, match="dee's deputy performed 'check_credit' for them"):
        may_sign_off(DIRECTORY, ROW, "dee", MID_NOV, performer="dave", performer_for="dee")


def test_may_sign_off_given_a_deputy_whose_only_a_principal_is_the_performer_expect_refused():
    # dave may sign off on behalf of dee (see below), but not work that dee did herself
    with pytest.raises(
        Refused, match="dave is not accountable for 'check_credit' \\(controller\\)"
    ):
        may_sign_off(DIRECTORY, ROW, "dave", MID_NOV, performer="dee")


def test_may_sign_off_given_a_deputy_of_an_a_member_other_than_the_performer_expect_ok():
    acting = may_sign_off(DIRECTORY, ROW, "dave", MID_NOV, performer="rita")
    assert acting == Acting("dave", "controller", on_behalf_of="dee")


def test_may_sign_off_given_a_deputy_of_the_performer_and_another_member_expect_acting_for_the_other():
    # max stands in for dee and vera: dee comes first, but dee did the work
    acting = may_sign_off(DIRECTORY, ROW, "max", MID_NOV, performer="dee")
    assert acting == Acting("max", "controller", on_behalf_of="vera")


def test_may_sign_off_given_another_deputy_of_the_principal_the_performer_stood_in_for_expect_refused():
    with pytest.raises(Refused):
        may_sign_off(DIRECTORY, ROW, "della", MID_NOV, performer="dave", performer_for="dee")


def test_may_sign_off_given_who_did_the_work_before_it_was_sent_back_expect_refused():
    with pytest.raises(Refused, match="before it was sent back"):
        may_sign_off(DIRECTORY, ROW, "dee", MID_NOV, performer="rita", earlier_performers={"dee"})


def test_may_sign_off_given_a_deputy_of_an_earlier_performer_only_expect_refused():
    with pytest.raises(Refused):  # dave stands in for dee, who did the first round
        may_sign_off(DIRECTORY, ROW, "dave", MID_NOV, performer="rita", earlier_performers={"dee"})


def test_may_sign_off_given_who_asked_for_the_case_expect_refused_even_holding_the_a_role():
    # alex is a controller and asked for the case rita worked: his request, his four eyes
    with pytest.raises(Refused, match="alex asked for this case") as refused:
        may_sign_off(DIRECTORY, ROW, "alex", MID_NOV, performer="rita", requester="alex")
    assert refused.value.letter == Letter.A


def test_may_sign_off_given_a_deputy_whose_only_a_principal_asked_for_the_case_expect_refused():
    # dan stands in for alex only; alex asked for the case, so nobody dan acts for may sign
    with pytest.raises(Refused, match="dan is not accountable"):
        may_sign_off(DIRECTORY, ROW, "dan", MID_NOV, performer="rita", requester="alex")


def test_may_sign_off_given_someone_else_asked_for_the_case_expect_ok():
    acting = may_sign_off(DIRECTORY, ROW, "alex", MID_NOV, performer="rita", requester="zoe")
    assert acting == Acting("alex", "controller")


@pytest.mark.parametrize("user", ["olga", "ralf", "carl", "gone", "gil"])
def test_may_sign_off_given_someone_who_cannot_act_for_the_a_role_expect_refused(user):
    with pytest.raises(Refused, match=f"{user} is not accountable for 'check_credit'"):
        may_sign_off(DIRECTORY, ROW, user, MID_NOV, performer="rita")


def test_may_sign_off_given_a_deputy_outside_their_dates_expect_refused():
    with pytest.raises(Refused):
        may_sign_off(DIRECTORY, ROW, "dan", date(2026, 12, 1), performer="rita")


@pytest.mark.parametrize(
    ("user", "performer", "performer_for"),
    [("dee", "dee", None), ("dee", "dave", "dee"), ("olga", "rita", None)],
)
def test_may_sign_off_refusal_is_an_a_refusal(user, performer, performer_for):
    with pytest.raises(Refused) as refused:
        may_sign_off(
            DIRECTORY, ROW, user, MID_NOV, performer=performer, performer_for=performer_for
        )
    assert refused.value.letter == Letter.A


# --- may_answer (C) -------------------------------------------------------------------


def test_may_answer_given_a_member_of_the_consulted_role_expect_them_acting_as_themselves():
    assert may_answer(DIRECTORY, "legal", "carl", MID_NOV) == Acting("carl", "legal")


def test_may_answer_given_a_deputy_of_a_consulted_member_expect_them_acting_on_behalf_of_them():
    acting = may_answer(DIRECTORY, "legal", "lena", MID_NOV)
    assert acting == Acting("lena", "legal", on_behalf_of="carl")


@pytest.mark.parametrize("user", ["olga", "rita", "gone"])
def test_may_answer_given_someone_outside_the_role_expect_a_c_refusal_naming_the_role(user):
    with pytest.raises(Refused) as refused:
        may_answer(DIRECTORY, "legal", user, MID_NOV)
    assert refused.value.letter == Letter.C
    assert refused.value.message == f"{user} cannot answer for legal"


# --- may_override (A) -----------------------------------------------------------------


def test_may_override_given_a_member_of_the_a_role_expect_them_acting_as_themselves():
    assert may_override(DIRECTORY, ROW, "alex", MID_NOV) == Acting("alex", "controller")


def test_may_override_given_a_deputy_of_an_a_member_expect_them_acting_on_behalf_of_them():
    acting = may_override(DIRECTORY, ROW, "dan", MID_NOV)
    assert acting == Acting("dan", "controller", on_behalf_of="alex")


@pytest.mark.parametrize("user", ["rita", "carl", "ivy", "adam", "olga"])
def test_may_override_given_someone_outside_the_a_role_expect_an_a_refusal(user):
    with pytest.raises(Refused) as refused:
        may_override(DIRECTORY, ROW, user, MID_NOV)
    assert refused.value.letter == Letter.A
    assert refused.value.message == (
        f"only controller may override consultation on 'check_credit', not {user}"
    )


def test_may_override_given_a_row_without_an_a_role_expect_nobody_may():
    with pytest.raises(Refused):
        may_override(DIRECTORY, NO_A, "alex", MID_NOV)


# --- may_reassign ---------------------------------------------------------------------


def test_may_reassign_given_an_r_member_expect_both_sides_acting_for_the_r_role():
    by, to = may_reassign(DIRECTORY, ROW, "rita", "ralf", MID_NOV)
    assert by == Acting("rita", "clerk")
    assert to == Acting("ralf", "clerk")


def test_may_reassign_given_an_admin_outside_the_r_role_expect_ok_with_no_acting_of_their_own():
    by, to = may_reassign(DIRECTORY, ROW, "adam", "ralf", MID_NOV)
    assert by is None
    assert to == Acting("ralf", "clerk")


def test_may_reassign_given_a_target_deputy_expect_them_acting_on_behalf_of_their_principal():
    _, to = may_reassign(DIRECTORY, ROW, "ralf", "dora", MID_NOV)
    assert to == Acting("dora", "clerk", on_behalf_of="rita")


def test_may_reassign_given_the_supervisor_expect_them_sharing_out_the_work_as_a():
    by, to = may_reassign(DIRECTORY, ROW, "alex", "ralf", MID_NOV)
    assert by == Acting("alex", "controller")
    assert to == Acting("ralf", "clerk")
    with pytest.raises(Refused, match="alex is not responsible"):  # not to themselves
        may_reassign(DIRECTORY, ROW, "alex", "alex", MID_NOV)


def test_may_reassign_given_a_self_approved_row_expect_no_supervisor_but_the_r_role():
    own_work = ActivityRow("file", {"clerk": R | A})
    with pytest.raises(Refused, match="olga may not reassign"):
        may_reassign(DIRECTORY, own_work, "olga", "ralf", MID_NOV)
    assert may_reassign(DIRECTORY, own_work, "rita", "ralf", MID_NOV)[0] == Acting("rita", "clerk")


@pytest.mark.parametrize("user", ["olga", "gone"])
def test_may_reassign_given_neither_r_member_supervisor_nor_active_admin_expect_an_r_refusal(user):
    with pytest.raises(Refused) as refused:
        may_reassign(DIRECTORY, ROW, user, "ralf", MID_NOV)
    assert refused.value.letter == Letter.R
    assert refused.value.message == f"{user} may not reassign 'check_credit'"


@pytest.mark.parametrize("user", ["rita", "adam"])
@pytest.mark.parametrize("target", ["alex", "olga", "gone", "gil"])
def test_may_reassign_given_a_target_who_cannot_work_the_task_expect_an_r_refusal(user, target):
    with pytest.raises(Refused) as refused:
        may_reassign(DIRECTORY, ROW, user, target, MID_NOV)
    assert refused.value.letter == Letter.R
    assert refused.value.message == f"{target} is not responsible for 'check_credit' (clerk)"


# --- informed (I) ---------------------------------------------------------------------


def test_informed_is_the_active_members_of_every_i_role_sorted_and_once_each():
    # sales: ivy, zoe (gone is deactivated); audit: ian, ivy
    assert informed(DIRECTORY, ROW) == ["ian", "ivy", "zoe"]


def test_informed_leaves_out_deputies_of_i_members():
    assert "sam" not in informed(DIRECTORY, ROW)


def test_informed_leaves_out_deactivated_members():
    assert "gone" not in informed(DIRECTORY, ROW)


def test_informed_given_a_row_without_i_roles_expect_nobody():
    row = ActivityRow("check_credit", {"clerk": R, "controller": A, "sales": C})
    assert informed(DIRECTORY, row) == []


# Authority follows the value signed: the signer's role is never below A nor the level asked.

LADDER = ("credit_controller", "finance_manager", "cfo")


@given(accountable=st.sampled_from(LADDER), required=st.sampled_from(LADDER))
def test_the_signing_role_is_the_higher_of_a_and_the_level_the_data_needs(accountable, required):
    row = ActivityRow("analyse", {accountable: A})
    role = signing_role(LADDER, row, required)
    assert LADDER.index(role) == max(LADDER.index(accountable), LADDER.index(required))


@pytest.mark.parametrize("required", [None, "", "controller", 3])
def test_a_level_outside_the_ladder_lets_nobody_sign(required):
    with pytest.raises(Refused, match="nobody may sign"):
        signing_role(LADDER, ActivityRow("analyse", {"cfo": A}), required)


def test_a_member_below_the_level_the_data_needs_is_refused_with_the_reason():
    with pytest.raises(Refused, match="needs the authority of cfo, above controller"):
        may_sign_off(directory(), ROW, "alex", MID_NOV, performer="rita", signer="cfo")


@pytest.mark.parametrize(
    ("user", "said"),
    [
        ("alex", "needs the authority of cfo, above controller"),  # the row's own A
        ("carl", "needs the authority of cfo, above controller"),  # "legal": a level below
        ("zoe", r"zoe is not accountable for 'check_credit' \(cfo\)"),  # only told (I)
        ("olga", r"olga is not accountable for 'check_credit' \(cfo\)"),  # no part at all
    ],
)
def test_only_a_lower_signer_is_told_the_data_is_above_their_authority(user, said):
    """A sales manager, only informed of the analysis, was told the data needed more
    authority than the finance manager's, as if they were a signer too low."""
    ladder = ("controller", "legal", "cfo")
    with pytest.raises(Refused, match=said):
        may_sign_off(directory(), ROW, user, MID_NOV, performer="rita", signer="cfo", levels=ladder)
