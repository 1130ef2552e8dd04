"""What a request opens: its transactions (web/request_reads.py), its cookie session.

An API call that changes something, with a JSON body or none, reads who is calling in
the transaction its command then writes in: one transaction, not two. On SQLite that
transaction holds the write lock from the start, so the body is read whole before it
begins, and requests that may take long to send or render (uploads, pages) keep a
read transaction and a write transaction of their own. An API call, which only a
bearer token authenticates, does not read the session cookie (web/cookie_sessions.py).
"""

from __future__ import annotations

import io

import pytest
from flask import session

from web import create_app
from web.config import Settings
from web.request_reads import writes_next


@pytest.fixture
def app(tmp_path):
    settings = Settings.from_env(
        {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_SECRET_KEY": "test"}
    )
    return create_app(settings, test_config={"RATELIMIT_ENABLED": False})


def test_an_api_write_with_a_json_body_reads_it_whole_then_continues_one_transaction(app):
    path = "/api/v1/tasks/t1/complete"
    with app.test_request_context(path, method="POST", json={"data": {"amount": 5}}) as context:
        assert writes_next()
        context.request.environ["wsgi.input"] = io.BytesIO()  # nothing more to come
        assert context.request.get_data() == b'{"data": {"amount": 5}}'  # read already


def test_an_api_write_without_a_body_continues_one_transaction(app):
    with app.test_request_context("/api/v1/tasks/t1/claim", method="POST"):
        assert writes_next()


@pytest.mark.parametrize(
    ("path", "method", "options"),
    [
        ("/api/v1/tasks/t1", "GET", {}),  # a read
        ("/tasks/t1/claim", "POST", {"data": {"csrf_token": "x"}}),  # a page
        (  # an upload: a slow sender must not hold the write lock
            "/api/v1/instances/i1/attachments",
            "POST",
            {"data": {"file": (io.BytesIO(b"photo"), "shop.jpg")}},
        ),
        (  # over the limit: refused before its body is read
            "/api/v1/tasks/t1/complete",
            "POST",
            {"data": b"x" * (1024 * 1024 + 1), "content_type": "application/json"},
        ),
    ],
)
def test_other_requests_read_and_write_in_transactions_of_their_own(app, path, method, options):
    with app.test_request_context(path, method=method, **options):
        assert not writes_next()


def test_an_api_call_opens_no_cookie_session_and_a_page_does(app):
    client = app.test_client()
    client.get("/login")  # a page: its session cookie (with the CSRF token) is set
    cookie = {"Cookie": f"session={client.get_cookie('session').value}"}
    with app.test_request_context("/login", headers=cookie):
        assert "csrf_token" in session
    with app.test_request_context("/api/v1/me", headers=cookie):
        assert dict(session) == {}
