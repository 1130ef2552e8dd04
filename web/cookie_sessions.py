"""Signed-cookie sessions for the pages; none read for the JSON API.

Only a bearer token authenticates an API call (web/api/auth.py): a session cookie sent
along must not, and nothing in the API reads the session. So an API call gets an empty
session without its cookie being looked at; opening the cookie's signer for nothing
cost ~2% of a call's CPU.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from .api import is_api_path


class PageSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if is_api_path(request.path):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = PageSessions()
