"""Passwords, API tokens, languages and saved filters of the directory's users."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import build_engine, views
from engine.errors import InvalidState, NotFound
from engine.orm import api_tokens, users
from raci.directory import Directory, User


@pytest.fixture
def engine(database_url):
    engine = build_engine(database_url)
    engine.import_directory(
        Directory(
            users={
                "ana": User("ana", "Ana"),
                "old": User("old", "Old Timer", active=False),
            }
        ),
        user="admin",
    )
    return engine


def test_a_password_is_stored_hashed_and_checked(engine):
    engine.set_password("ana", "correct horse battery", by="admin")

    assert engine.authenticate("ana", "correct horse battery")
    assert not engine.authenticate("ana", "wrong horse battery")
    assert not engine.authenticate("nobody", "correct horse battery")
    with engine.uow() as uow:
        stored = uow.session.scalar(select(users.c.password_hash).where(users.c.username == "ana"))
    assert "correct horse" not in stored and stored.startswith("scrypt:")
    [event] = views.audit_events(engine.uow(), action="password_set")
    assert event["details"] == {"user": "ana"}


def test_short_passwords_unknown_and_deactivated_users_are_refused(engine):
    with pytest.raises(InvalidState, match="at least 10"):
        engine.set_password("ana", "short", by="admin")
    with pytest.raises(NotFound):
        engine.set_password("nobody", "long enough password", by="admin")
    engine.set_password("old", "long enough password", by="admin")
    assert not engine.authenticate("old", "long enough password")


def test_a_directory_import_keeps_passwords(engine):
    engine.set_password("ana", "correct horse battery", by="admin")
    engine.import_directory(Directory(users={"ana": User("ana", "Ana Renamed")}), user="admin")
    assert engine.authenticate("ana", "correct horse battery")


def test_api_tokens_are_stored_as_hashes_and_name_their_user(engine):
    token = engine.create_token("ana", label="laptop")
    assert engine.token_user(token) == "ana"
    assert engine.token_user(token + "x") is None
    with engine.uow() as uow:
        assert token not in list(uow.session.scalars(select(api_tokens.c.token_hash)))


def test_language_and_saved_filters_are_per_user(engine):
    assert engine.locale("ana") == "el"
    engine.set_locale("ana", "en")
    assert engine.locale("ana") == "en"
    with pytest.raises(InvalidState):
        engine.set_locale("ana", "fr")
    engine.save_filter(
        "ana", "overdue credit", {"process": "credit_limit_change", "due": "overdue"}
    )
    engine.save_filter("ana", "overdue credit", {"process": "credit_limit_change"})  # replaced
    [saved] = engine.saved_filters("ana")
    assert saved["query"] == {"process": "credit_limit_change"}
    assert engine.saved_filters("old") == []
    engine.delete_filter("ana", saved["id"])
    assert engine.saved_filters("ana") == []
