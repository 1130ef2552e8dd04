"""A NUL byte in any input, anywhere, is refused at the edge: 400 page, 422 in the API.

PostgreSQL text cannot hold NUL: before, such input reached the database and
answered 500 (20 endpoints, among them the anonymous sign-in page).
"""

from __future__ import annotations

import re

import pytest

from engine import views
from raci.directory import Directory, User
from web import create_app
from web.config import Settings

PASSWORD = "correct horse battery"
NUL = "\x00"

WEB_GETS = [
    "/login?next=/inbox/%00",
    "/inbox/?q=a%00b",
    "/inbox/?customer=%00",
    "/tasks/%00",
    "/instances/?process=%00",
    "/instances/x%00y",
    "/start/?q=%00",
    "/start/credit%00",
    "/audit/?actor=%00",
    "/audit/compliance?process=%00",
    "/raci/%00",
    "/inbox/?%00=1",  # a NUL in a parameter's name
]


@pytest.fixture
def app(database_url, tmp_path):
    settings = Settings.from_env(
        {
            "RACIFLOW_INSTANCE_DIR": str(tmp_path),
            "RACIFLOW_SECRET_KEY": "test",
            "RACIFLOW_ENV": "development",
            "RACIFLOW_DATABASE_URL": database_url,
        }
    )
    app = create_app(settings, test_config={"RATELIMIT_ENABLED": False})
    engine = app.extensions["raciflow"]
    engine.import_directory(
        Directory(users={"ada": User("ada", "Ada", roles=frozenset({"admin"}))}), user="admin"
    )
    engine.set_password("ada", PASSWORD, by="admin")
    return app


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_anonymous_sign_in_page_refuses_nul_with_400(app):
    client = app.test_client()
    for form in (
        {"username": f"ada{NUL}", "password": PASSWORD},
        {"username": "ada", "password": f"x{NUL}"},
        {"username": "ada", "password": PASSWORD, f"x{NUL}": "1"},
    ):
        answer = client.post("/login", data={**form, "csrf_token": csrf_token(client)})
        assert answer.status_code == 400, form
        assert "NUL" in answer.get_data(as_text=True)
    assert client.get("/login?next=%00").status_code == 400
    signed_in = client.post(
        "/login", data={"username": "ada", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert signed_in.status_code == 302  # the refusals changed nothing


def test_signed_in_pages_refuse_nul_in_path_query_and_form(app):
    client = app.test_client()
    client.post(
        "/login", data={"username": "ada", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    for path in WEB_GETS:
        answer = client.get(path)
        assert answer.status_code == 400, (path, answer.status_code)
        assert answer.mimetype == "text/html"
    token = csrf_token(client, "/inbox/")
    for path, form in [
        ("/account/language", {"locale": f"el{NUL}"}),
        ("/inbox/filters", {"name": f"mine{NUL}"}),
        ("/tasks/t1/reject", {"reason": f"no{NUL}", "password": PASSWORD}),
        ("/instances/i1/cancel", {"reason": NUL}),
    ]:
        answer = client.post(path, data={**form, "csrf_token": token})
        assert answer.status_code == 400, (path, answer.status_code)
    assert client.get("/inbox/").status_code == 200


def test_the_api_refuses_nul_with_422_in_its_error_shape(app):
    client = app.test_client()
    token = app.extensions["raciflow"].create_token("ada", label="test")
    bearer = {"Authorization": f"Bearer {token}"}
    for method, path, body in [
        ("post", "/api/v1/tokens", {"username": f"ada{NUL}", "password": PASSWORD}),
        ("get", "/api/v1/instances?process_id=%00", None),
        ("get", "/api/v1/audit/events?actor=a%00", None),
        ("get", "/api/v1/inbox?q=%00", None),
        ("post", "/api/v1/processes/credit/start", {"data": {"note": f"a{NUL}"}}),
        ("post", "/api/v1/processes/credit/start", {"data": {f"k{NUL}": 1}}),
        ("post", "/api/v1/tasks/t1/complete", {"data": {"deep": [[{"x": NUL}]]}}),
    ]:
        answer = getattr(client, method)(path, json=body, headers=bearer)
        assert answer.status_code == 422, (path, answer.status_code)
        error = answer.get_json()["error"]
        assert error["status"] == 422 and "NUL" in error["message"], error
    deep = "[" * 100_000 + "]" * 100_000
    answer = client.post("/api/v1/tokens", data=deep, content_type="application/json")
    assert answer.status_code == 400 and "nested" in answer.get_json()["error"]["message"]


def test_the_api_refuses_half_a_surrogate_pair_with_422_and_keeps_nothing(app):
    """Half a surrogate pair ("\\ud800") is valid JSON but no character: it was a 500."""
    client = app.test_client()
    engine = app.extensions["raciflow"]
    token = engine.create_token("ada", label="test")
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    events_before = len(views.audit_events(engine.uow()))
    for path, raw in [
        ("/api/v1/tokens", '{"username": "ada", "password": "x", "label": "\\ud800"}'),
        ("/api/v1/processes/credit/instances", '{"business_key": "K\\udfff1", "data": {}}'),
        ("/api/v1/me/filters", '{"name": "mine", "query": {"q": "\\ud83d"}}'),
        ("/api/v1/tasks/t1/complete", '{"data": {"\\ud800key": 1}}'),
    ]:
        answer = client.post(path, data=raw, headers=bearer)
        assert answer.status_code == 422, (path, answer.status_code)
        error = answer.get_json()["error"]
        assert error["status"] == 422 and "surrogate" in error["message"], error
    assert len(views.audit_events(engine.uow())) == events_before
    whole = client.post(
        "/api/v1/me/filters", data='{"name": "\\ud83d\\ude00", "query": {}}', headers=bearer
    )
    assert whole.status_code != 422  # a whole pair is a character (an emoji): not refused


def test_a_method_not_allowed_says_which_are(app):
    client = app.test_client()
    token = app.extensions["raciflow"].create_token("ada", label="test")
    for method, path, allowed in [
        ("delete", "/login", {"GET", "POST"}),
        ("post", "/healthz", {"GET"}),
        ("put", "/api/v1/tokens", {"POST"}),
        ("get", "/api/v1/tasks/t1/approve", {"POST"}),
    ]:
        answer = getattr(client, method)(path, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 405, (path, answer.status_code)
        assert allowed <= {m.strip() for m in answer.headers.get("Allow", "").split(",")}, path
    assert client.get("/api/v1/tasks/t1/approve").is_json


def test_page_numbers_too_large_for_the_database_give_a_page_not_a_500(app):
    client = app.test_client()
    client.post(
        "/login", data={"username": "ada", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    huge = "99999999999999999999"
    for path in ("/inbox/", "/instances/", "/audit/", "/inbox/?section=notifications&"):
        separator = "&" if "?" in path else "?"
        answer = client.get(f"{path}{separator}page={huge}")
        assert answer.status_code == 200, (path, answer.status_code)
    assert client.get(f"/raci/credit_limit_change?version={huge}").status_code == 404
