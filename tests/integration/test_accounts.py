"""Passwords, API tokens, languages and saved filters of the directory's users."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import build_engine, views
from engine.commands.accounts import DEFAULT_TOKEN_DAYS
from engine.errors import InvalidState, NotFound
from engine.orm import api_tokens, users
from raci.directory import Directory, User


@pytest.fixture
def engine(database_url, clock):
    engine = build_engine(database_url, clock=clock)
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


# Issue 11 D9: tokens expire, can be revoked, die with a password change; all audited.
def test_a_token_expires_after_the_days_it_was_given(engine, clock):
    issued = engine.issue_token("ana", label="laptop", expires_in_days=2, by="admin")
    assert issued.expires_at == clock.now() + timedelta(days=2)
    assert engine.token_user(issued.token) == "ana"
    clock.advance(timedelta(days=2, seconds=1))
    assert engine.token_user(issued.token) is None
    [created] = views.audit_events(engine.uow(), action="token_created")
    assert created["actor"] == "admin"
    assert created["details"]["user"] == "ana" and created["details"]["token"] == issued.id
    assert created["details"]["label"] == "laptop"


def test_tokens_expire_after_ninety_days_unless_told_otherwise(engine, clock):
    issued = engine.issue_token("ana", label="laptop", by="ana")
    assert issued.expires_at == clock.now() + timedelta(days=DEFAULT_TOKEN_DAYS)
    assert DEFAULT_TOKEN_DAYS == 90


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_a_nonsense_expiry_is_refused(engine, days):
    with pytest.raises(InvalidState, match="expire"):
        engine.issue_token("ana", label="laptop", expires_in_days=days, by="admin")


def test_tokens_are_revoked_by_id_by_label_or_all_and_audited(engine):
    laptop = engine.issue_token("ana", label="laptop", by="admin")
    phone = engine.issue_token("ana", label="phone", by="admin")
    scripts = [engine.issue_token("ana", label="scripts", by="admin") for _ in range(2)]

    assert engine.revoke_tokens("ana", token_id=laptop.id, by="admin") == 1
    assert engine.token_user(laptop.token) is None and engine.token_user(phone.token) == "ana"
    assert engine.revoke_tokens("ana", label="scripts", by="admin") == 2
    assert all(engine.token_user(t.token) is None for t in scripts)
    assert engine.revoke_tokens("ana", by="admin") == 1
    assert engine.token_user(phone.token) is None

    events = views.audit_events(engine.uow(), action="token_revoked")
    assert [e["details"]["tokens"] for e in events] == [
        [laptop.id],
        sorted(t.id for t in scripts),
        [phone.id],
    ]
    assert {e["actor"] for e in events} == {"admin"}


def test_revoking_what_does_not_exist_is_one_clear_error(engine):
    engine.issue_token("ana", label="laptop", by="admin")
    with pytest.raises(NotFound, match="no API token"):
        engine.revoke_tokens("ana", token_id="0123456789ab", by="admin")
    with pytest.raises(NotFound, match="no API token"):
        engine.revoke_tokens("ana", label="nope", by="admin")
    with pytest.raises(NotFound, match="does not exist"):
        engine.revoke_tokens("nobody", by="admin")
    assert views.audit_events(engine.uow(), action="token_revoked") == []


def test_a_password_change_revokes_tokens_and_ends_sessions(engine):
    token = engine.create_token("ana", label="laptop")
    before = engine.session_generation("ana")
    engine.set_password("ana", "correct horse battery", by="admin")
    assert engine.token_user(token) is None
    assert engine.session_generation("ana") == before + 1
    [revoked] = views.audit_events(engine.uow(), action="token_revoked")
    assert revoked["details"]["reason"] == "password changed"
    engine.end_sessions("ana")
    assert engine.session_generation("ana") == before + 2
    assert engine.session_generation("nobody") is None


def test_a_tokens_last_use_is_written_at_most_once_a_minute(engine, clock):
    token = engine.create_token("ana", label="laptop")

    def last_used():
        with engine.uow() as uow:
            return uow.session.scalar(select(api_tokens.c.last_used_at))

    assert engine.token_user(token) == "ana"
    first = last_used()
    assert first == clock.now()

    clock.advance(timedelta(seconds=59))
    assert engine.token_user(token) == "ana"
    assert last_used() == first  # a read within the minute writes nothing

    clock.advance(timedelta(seconds=1))
    assert engine.token_user(token) == "ana"
    assert last_used() == clock.now()
