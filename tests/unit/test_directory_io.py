"""The directory imports from and exports to YAML and CSV, checking what it reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raci.directory import Deputy, Directory, Role, User
from raci.directory_io import DirectoryFormatError, dump_directory, load_directory

DIRECTORY_YAML = """\
roles:
  - {name: credit_controller, description: Credit controller}
  - {name: finance_manager, description: Finance manager}
  - {name: auditor}
users:
  - {username: maria, name: Μαρία Παπαδοπούλου, email: maria@example.com, roles: [credit_controller], active: true}
  - {username: nikos, name: Nikos Georgiou, roles: [finance_manager]}
  - {username: eleni, name: Eleni, roles: [credit_controller, finance_manager], active: false}
deputies:
  - {deputy: nikos, for: maria, from: 2026-11-01, to: 2026-11-30}
  - {deputy: nikos, for: eleni, from: "2026-12-01", to: 2026-12-24}
"""

DIRECTORY_CSV = """\
username,name,email,active,roles,stands_in_for
maria,Μαρία Παπαδοπούλου,maria@example.com,true,credit_controller,
nikos,Nikos Georgiou,,,finance_manager,maria 2026-11-01..2026-11-30; eleni 2026-12-01..2026-12-24
eleni,Eleni,,false,credit_controller;finance_manager,
"""

EXPECTED_USERS = {
    "maria": User(
        "maria", "Μαρία Παπαδοπούλου", "maria@example.com", True, frozenset({"credit_controller"})
    ),
    "nikos": User("nikos", "Nikos Georgiou", None, True, frozenset({"finance_manager"})),
    "eleni": User(
        "eleni", "Eleni", None, False, frozenset({"credit_controller", "finance_manager"})
    ),
}
EXPECTED_DEPUTIES = (
    Deputy("nikos", "eleni", date(2026, 12, 1), date(2026, 12, 24)),
    Deputy("nikos", "maria", date(2026, 11, 1), date(2026, 11, 30)),
)


def test_given_yaml_expect_users_roles_and_deputies():
    directory = load_directory("directory.yaml", DIRECTORY_YAML)

    assert directory.users == EXPECTED_USERS
    assert directory.roles["credit_controller"] == Role("credit_controller", "Credit controller")
    assert directory.roles["auditor"] == Role("auditor", "")
    assert directory.deputies == EXPECTED_DEPUTIES


def test_given_csv_expect_the_same_people_with_roles_created_without_descriptions():
    directory = load_directory("directory.csv", DIRECTORY_CSV.encode("utf-8"))

    assert directory.users == EXPECTED_USERS
    assert directory.roles == {
        "credit_controller": Role("credit_controller"),
        "finance_manager": Role("finance_manager"),
    }
    assert directory.deputies == EXPECTED_DEPUTIES


def test_given_a_yaml_export_expect_it_loads_back_equal():
    directory = load_directory("directory.yml", DIRECTORY_YAML)
    assert load_directory("again.yaml", dump_directory(directory, "yaml")) == directory


def test_given_a_csv_export_expect_one_row_per_user_and_it_loads_back_equal():
    directory = load_directory("directory.csv", DIRECTORY_CSV)
    text = dump_directory(directory, "csv")

    assert text.splitlines()[2] == (
        "nikos,Nikos Georgiou,,true,finance_manager,"
        "eleni 2026-12-01..2026-12-24; maria 2026-11-01..2026-11-30"
    )
    assert load_directory("again.csv", text) == directory


def yaml_error(text: str) -> DirectoryFormatError:
    with pytest.raises(DirectoryFormatError) as caught:
        load_directory("directory.yaml", text)
    return caught.value


def csv_error(text: str) -> DirectoryFormatError:
    with pytest.raises(DirectoryFormatError) as caught:
        load_directory("directory.csv", text)
    return caught.value


TWO_USERS = "users:\n  - {username: maria}\n  - {username: nikos}\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "users:\n  - {username: maria}\n  - {username: maria}\n",
            3,
            "username 'maria' is listed twice",
        ),
        (
            "users:\n  - {username: Maria}\n",
            2,
            "username 'Maria' must be 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
        ),
        (
            "users:\n  - {username: _maria}\n",
            2,
            "username '_maria' must be 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
        ),
        (
            "users:\n  - {username: maria, email: maria.example.com}\n",
            2,
            "email 'maria.example.com' must be one '@' with text on both sides",
        ),
        (
            "users:\n  - {username: maria, email: a@b@c}\n",
            2,
            "email 'a@b@c' must be one '@' with text on both sides",
        ),
        (
            "users:\n  - {username: maria, email: '@example.com'}\n",
            2,
            "email '@example.com' must be one '@' with text on both sides",
        ),
        (
            "users:\n  - {username: maria, roles: [auditor]}\n",
            2,
            "user 'maria' has unknown role(s) auditor",
        ),
        (
            "users:\n  - {username: maria, active: sometimes}\n",
            2,
            "active: 'sometimes' is not true or false (use true, false, yes, no, 1 or 0)",
        ),
        (
            "users:\n  - {username: maria, phone: 123}\n",
            2,
            "unknown key phone (known: username, name, email, roles, active)",
        ),
        ("roles:\n  - {name: a}\n  - {name: a}\n", 3, "role 'a' is listed twice"),
        ("roles:\n  - {name: 'a;b'}\n", 2, "role name 'a;b' must be non-empty text without ';'"),
        (
            TWO_USERS
            + "deputies:\n  - {deputy: nikos, for: kostas, from: 2026-11-01, to: 2026-11-30}\n",
            5,
            "deputy entry names unknown user 'kostas'",
        ),
        (
            TWO_USERS
            + "deputies:\n  - {deputy: maria, for: maria, from: 2026-11-01, to: 2026-11-30}\n",
            5,
            "'maria' cannot stand in for themselves",
        ),
        (
            TWO_USERS
            + "deputies:\n  - {deputy: nikos, for: maria, from: 2026-12-01, to: 2026-11-30}\n",
            5,
            "from 2026-12-01 is after to 2026-11-30",
        ),
        (
            TWO_USERS
            + "deputies:\n  - {deputy: nikos, for: maria, from: 2026-02-30, to: 2026-03-01}\n",
            5,
            "'2026-02-30' is not a date (YYYY-MM-DD)",
        ),
        (
            TWO_USERS + "deputies:\n  - {deputy: nikos, for: maria, from: 1 Nov, to: 2026-11-30}\n",
            5,
            "'1 Nov' is not a date (YYYY-MM-DD)",
        ),
        (
            "users: [maria]\n",
            1,
            "each entry of 'users' must be a mapping of username, name, email, roles, active",
        ),
        ("people: []\n", 1, "unknown key people (known: roles, users, deputies)"),
        (
            "users: [{username: maria\n",
            2,
            "not valid YAML (expected ',' or '}', but got '<stream end>')",
        ),
    ],
)
def test_given_bad_yaml_expect_the_line_and_fault_named(text, line, message):
    error = yaml_error(text)
    assert (error.file_name, error.line, error.message) == ("directory.yaml", line, message)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "name,email\n",
            1,
            "the header needs a 'username' column (username, name, email, active, roles, stands_in_for)",
        ),
        (
            "username,phone\n",
            1,
            "unknown column(s) phone (known: username, name, email, active, roles, stands_in_for)",
        ),
        ("username,Roles,roles\n", 1, "a column appears twice"),
        (
            "username,stands_in_for\nmaria,\nnikos,maria from November\n",
            3,
            "stands_in_for 'maria from November' is not 'username YYYY-MM-DD..YYYY-MM-DD'",
        ),
        (
            "username,stands_in_for\nnikos,maria 2026-11-01..2026-11-30\n",
            2,
            "deputy entry names unknown user 'maria'",
        ),
        (
            "username,stands_in_for\nnikos,nikos 2026-11-01..2026-11-30\n",
            2,
            "'nikos' cannot stand in for themselves",
        ),
        (
            "username,active\nmaria,maybe\n",
            2,
            "active: 'maybe' is not true or false (use true, false, yes, no, 1 or 0)",
        ),
        (
            "username,email\nmaria,maria\n",
            2,
            "email 'maria' must be one '@' with text on both sides",
        ),
        ("username\nmaria\n\nmaria\n", 4, "username 'maria' is listed twice"),
    ],
)
def test_given_bad_csv_expect_the_line_and_fault_named(text, line, message):
    error = csv_error(text)
    assert (error.line, error.message) == (line, message)


def test_given_another_suffix_expect_an_error():
    with pytest.raises(DirectoryFormatError, match=r"directory.json: a directory file is \.yaml"):
        load_directory("directory.json", "{}")


USERNAMES = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,12}", fullmatch=True)
TEXT = st.text(st.sampled_from("abcxyz ΑΒΓαβγ.,'&-"), max_size=12).map(str.strip)
ROLE_NAMES = (
    st.text(st.sampled_from("abcdefgh_ ."), min_size=1, max_size=8).map(str.strip).filter(bool)
)
EMAILS = st.none() | st.builds("{}@{}.example".format, USERNAMES, USERNAMES)


@st.composite
def directories(draw: st.DrawFn, *, descriptions: bool) -> Directory:
    """Random directories; without `descriptions`, every role held and undescribed, as in CSV."""
    role_names = draw(st.lists(ROLE_NAMES, unique=True, max_size=4))
    usernames = draw(st.lists(USERNAMES, unique=True, max_size=5))
    users = {
        name: User(
            name,
            draw(TEXT),
            draw(EMAILS),
            draw(st.booleans()),
            draw(
                st.frozensets(st.sampled_from(role_names)) if role_names else st.just(frozenset())
            ),
        )
        for name in usernames
    }
    held = set().union(*(user.roles for user in users.values()))
    roles = {
        name: Role(name, draw(TEXT) if descriptions else "")
        for name in role_names
        if descriptions or name in held
    }
    deputies = []
    if len(usernames) >= 2:
        for _ in range(draw(st.integers(0, 3))):
            deputy, principal = draw(st.permutations(usernames))[:2]
            starts = draw(st.dates(date(2020, 1, 1), date(2030, 1, 1)))
            ends = starts + timedelta(days=draw(st.integers(0, 60)))
            deputies.append(Deputy(deputy, principal, starts, ends))
    ordered = sorted(deputies, key=lambda d: (d.deputy, d.principal, d.starts, d.ends))
    return Directory(users, roles, tuple(ordered))


@given(directories(descriptions=True))
def test_any_directory_survives_a_yaml_round_trip(directory):
    assert load_directory("d.yaml", dump_directory(directory, "yaml")) == directory


@given(directories(descriptions=False))
def test_any_directory_of_held_undescribed_roles_survives_a_csv_round_trip(directory):
    assert load_directory("d.csv", dump_directory(directory, "csv")) == directory
