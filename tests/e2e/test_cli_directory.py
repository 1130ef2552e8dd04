"""`raciflow directory import`: all or nothing; a malformed file changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import build_engine, views
from tests.conftest import FIXTURES
from tests.e2e.conftest import bpmn_folder
from tests.e2e.inprocess_cli import in_process

GOVERNED = FIXTURES / "governed"
PASSWORD = "a long enough password"
USERS_CSV = "".join(
    f"{name},{name.title()} Person,{role}\n"
    for name, role in [("bob", "bd"), ("carol", "credit_controller"), ("ada", "admin")]
    + [(f"user{n:02}", "bd") for n in range(60)]
)


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(
        tmp_path, GOVERNED / "credit_change.bpmn", GOVERNED / "credit_change.raci.csv"
    )


@pytest.fixture
def company(cli, monkeypatch, capsys):
    """The governed directory imported, with passwords for bob and ada."""
    cli = in_process(cli.env, monkeypatch, capsys)
    cli("init", "--directory", str(GOVERNED / "directory.yaml"))
    for user in ("bob", "ada"):
        cli("directory", "set-password", user, "--password", PASSWORD)
    return cli


BAD_FILES = [
    # The defect: a quote left open swallows every row after it into one cell.
    ("open_quote.csv", 'username,name\nbob,"Bob\ncarol,Carol\nada,Ada\n', "line 2", "quote"),
    # A quote opened on one row and closed on a later one merges the rows between.
    (
        "merged.csv",
        'username,name,roles\nbob,"Bob,bd\ncarol,Carol,credit_controller\nada,"Ada",admin\n',
        "line 2",
        "quote",
    ),
    ("no_username.csv", "name,roles\nBob,bd\n", "line 1", "'username' column"),
    ("missing_cell.csv", "name,username,roles\nBob\n", "line 2", "1 cells, but the header has 3"),
    # A row cut short became a user (named by its second cell) and the import said done.
    ("short_row.csv", "username,name,roles\nada,Ada,admin\nx,y\n", "line 3", "2 cells, but"),
    (
        "twice.csv",
        "username,name,roles\nada,Ada,admin\nbob,Bob,bd\nbob,Bobby,bd\n",
        "line 4",
        "twice",
    ),
    ("bad_flag.csv", "username,name,active,roles\nada,Ada,perhaps,admin\n", "line 2", "active"),
    (
        "unknown_role.yaml",
        "roles: [{name: admin}]\nusers:\n  - {username: ada, name: Ada, roles: [admin, ghost]}\n",
        "line 3",
        "unknown role",
    ),
    # YAML keeps only the last of two `users:` keys: half the users would vanish.
    (
        "two_lists.yaml",
        "roles: [{name: admin}, {name: bd}]\n"
        "users:\n  - {username: bob, name: Bob, roles: [bd]}\n"
        "users:\n  - {username: ada, name: Ada, roles: [admin]}\n",
        "line 4",
        "appears twice",
    ),
    ("broken.yaml", "users:\n  - {username: ada, name: 'Ada}\n", "line", "not valid YAML"),
    # Valid, but a misspelt role would become a new one and empty carol's queue.
    (
        "typo.csv",
        "username,name,roles\n" + USERS_CSV.replace(",credit_controller", ",credit_controler"),
        "",
        "'credit_controler' is not a role of the directory (did you mean 'credit_controller'?)",
    ),
    # Valid, but every admin is left out: nobody could manage the directory any more.
    ("no_admin.csv", "username,name,roles\n" + USERS_CSV.replace(",admin", ",bd"), "", "admin"),
]


@pytest.mark.parametrize(("name", "content", "where", "message"), BAD_FILES)
def test_a_refused_import_changes_nothing_and_says_where(
    company, tmp_path, name, content, where, message
):
    before = company("directory", "export").stdout
    file = tmp_path / name
    file.write_text(content)

    done = company("directory", "import", str(file), ok=False)

    assert done.returncode == 1
    assert done.stdout == ""  # no "1 users imported"
    [error] = done.stderr.strip().splitlines()
    assert error.startswith(f"error: {name}" if where else "error: ")
    assert where in error and message in error, error
    assert company("directory", "export").stdout == before
    engine = build_engine(company.database_url)
    assert engine.authenticate("bob", PASSWORD) and engine.authenticate("ada", PASSWORD)


def test_a_well_formed_import_of_many_users_imports_them_all(company, tmp_path):
    file = tmp_path / "people.csv"
    file.write_text("username,name,roles\n" + USERS_CSV)

    done = company("directory", "import", str(file))

    assert done.stdout.startswith("63 users,")
    engine = build_engine(company.database_url)
    assert engine.authenticate("ada", PASSWORD)
    assert engine.directory().members("bd")[:3] == ["bob", "user00", "user01"]


def test_an_import_without_user_is_recorded_as_the_command_line_and_its_login(
    company, tmp_path, monkeypatch
):
    monkeypatch.setenv("LOGNAME", "maria")  # getpass reads the login from here first
    file = tmp_path / "people.csv"
    file.write_text("username,name,roles\n" + USERS_CSV)
    company("directory", "import", str(file))
    engine = build_engine(company.database_url)
    imports = views.audit_events(engine.uow(), action="directory_import")
    assert [event["actor"] for event in imports] == ["init", "cli:maria"]  # not the nobody "cli"


def test_a_new_role_is_added_when_named_and_the_trail_says_who_gained_and_lost_what(
    company, tmp_path
):
    file = tmp_path / "people.csv"
    file.write_text(
        "username,name,roles\nada,Ada Admin,admin\nbob,Bob Business,bd;key_accounts\n"
        "carol,Carol Credit,bd\n"
    )
    refused = company("directory", "import", str(file), ok=False)
    assert "'key_accounts' is not a role of the directory" in refused.stderr
    assert "--new-role" in refused.stderr

    company("directory", "import", str(file), "--new-role", "key_accounts")

    engine = build_engine(company.database_url)
    assert engine.directory().members("key_accounts") == ["bob"]
    with engine.uow() as uow:
        [event] = [e for e in uow.audit.events_of("system") if e.action == "directory_import"][-1:]
    assert event.details["roles_added"] == ["key_accounts"]
    assert event.details["memberships"]["bob"] == {"gained": ["key_accounts"], "lost": []}
    assert event.details["memberships"]["carol"] == {
        "gained": ["bd"],
        "lost": ["credit_controller"],
    }


def test_a_csv_exported_and_imported_again_keeps_the_role_descriptions(company, tmp_path):
    file = tmp_path / "people.csv"
    file.write_text(company("directory", "export", "--format", "csv").stdout)

    company("directory", "import", str(file))

    roles = build_engine(company.database_url).directory().roles
    assert roles["credit_controller"].description == "Credit controller"


def test_a_file_leaving_a_name_or_email_blank_keeps_the_one_the_directory_has(company, tmp_path):
    """A CSV without the email column, and a row whose name cell was emptied by mistake,
    used to wipe them: names vanished from every page, e-mail notices stopped."""
    file = tmp_path / "people.csv"
    file.write_text(
        "username,name,roles\nbob,,bd\ncarol,Carol Credit-Smith,credit_controller\n"
        "fiona,Fiona Finance,finance_manager\nada,Ada Admin,admin\nnewbie,,bd\n"
    )

    company("directory", "import", str(file))

    users = build_engine(company.database_url).directory().users
    assert (users["bob"].name, users["bob"].email) == ("Bob Business", "bob@example.com")
    assert users["carol"].name == "Carol Credit-Smith"  # a name given still changes
    assert users["fiona"].email == "fiona@example.com"
    assert (users["newbie"].name, users["newbie"].email) == ("", None)  # nothing to keep
