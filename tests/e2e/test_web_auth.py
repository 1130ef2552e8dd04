"""Signing in: hashed passwords, CSRF on every form, rate-limited guesses, hardened cookies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.database import make_engine, upgrade
from raci.directory import Directory, User
from web import create_app
from web.config import Settings

PASSWORD = "correct horse battery"


def make_app(tmp_path: Path, **env: str):
    settings = Settings.from_env(
        {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_SECRET_KEY": "test", **env}
    )
    upgrade(make_engine(settings.database_url))
    app = create_app(settings)
    engine = app.extensions["raciflow"]
    engine.import_directory(
        Directory(users={"ana": User("ana", "Άννα", roles=frozenset({"bd"}))}), user="admin"
    )
    engine.set_password("ana", PASSWORD, by="admin")
    return app


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path, RACIFLOW_ENV="development")


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, password: str = PASSWORD, username: str = "ana"):
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def test_signing_in_and_out(app):
    client = app.test_client()
    assert client.get("/inbox/").headers["Location"].startswith("/login")
    assert sign_in(client, "wrong password!").status_code == 401
    signed_in = sign_in(client)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    assert client.get("/inbox/").status_code == 200
    token = csrf_token(client, "/inbox/")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/inbox/").status_code == 302


def test_forms_without_a_csrf_token_are_refused(app):
    client = app.test_client()
    refused = client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/inbox/").status_code == 302  # not signed in


def test_password_guessing_is_rate_limited(app):
    client = app.test_client()
    statuses = [sign_in(client, f"guess number {n}").status_code for n in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_signing_in_often_is_not_guessing(app):
    """Only refused sign-ins count: a day of signing in on phone and desk is never locked
    out, and the guesses after it still are."""
    client = app.test_client()
    assert [sign_in(client).status_code for _ in range(25)] == [302] * 25
    statuses = [sign_in(client, f"guess number {n}").status_code for n in range(11)]
    assert statuses[-1] == 429


def test_a_sign_in_never_redirects_to_another_site(app):
    client = app.test_client()
    token = csrf_token(client)
    answer = client.post(
        "/login?next=//evil.example/x",
        data={"username": "ana", "password": PASSWORD, "csrf_token": token},
    )
    assert answer.headers["Location"] == "/"


def test_session_cookies_are_hardened_outside_development(tmp_path):
    app = make_app(tmp_path)  # production by default
    client = app.test_client()
    answer = sign_in(client)
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_pages_follow_the_users_language(app):
    client = app.test_client()
    assert "Σύνδεση" in client.get("/login", headers={"Accept-Language": "el"}).get_data(
        as_text=True
    )
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    sign_in(client)
    token = csrf_token(client, "/inbox/")
    client.post("/account/language", data={"locale": "en", "csrf_token": token, "next": "/inbox/"})
    assert app.extensions["raciflow"].locale("ana") == "en"
    assert "Sign out" in client.get("/inbox/").get_data(as_text=True)


# Issue 11 D9: a session ends for good at sign-out and when the password changes; a
# cookie captured before then is worth nothing afterwards.
def captured_session(app):
    """A signed-in client and a copy of its session cookie, as an eavesdropper keeps it."""
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client, client.get_cookie("session").value


def replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/inbox/")


def test_a_session_cookie_captured_before_sign_out_is_dead_after_it(app):
    client, cookie = captured_session(app)
    assert replay(app, cookie).status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox/")})
    answer = replay(app, cookie)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_a_password_change_ends_every_session_and_revokes_api_tokens(app):
    engine = app.extensions["raciflow"]
    _, cookie = captured_session(app)
    token = engine.create_token("ana", label="laptop")
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200

    engine.set_password("ana", "a brand new password", by="admin")

    answer = replay(app, cookie)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    fresh = app.test_client()
    assert sign_in(fresh, "a brand new password").status_code == 302
    assert fresh.get("/inbox/").status_code == 200


def test_a_session_cookie_kept_from_before_a_deactivation_is_dead_after_reactivation(app):
    engine = app.extensions["raciflow"]
    _, cookie = captured_session(app)
    ana = User("ana", "Άννα", roles=frozenset({"bd"}))
    admin = User("admin", "Admin", roles=frozenset({"admin"}))

    engine.import_directory(Directory(users={"ana": ana, "admin": admin}), user="admin")
    assert replay(app, cookie).status_code == 200  # an unchanged user keeps the session
    engine.import_directory(Directory(users={"admin": admin}), user="admin")  # ana leaves
    engine.import_directory(Directory(users={"ana": ana, "admin": admin}), user="admin")

    answer = replay(app, cookie)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
