"""Several web workers count sign-in attempts together, or the start-up says they do not."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from engine.database import make_engine, upgrade
from raci.directory import Directory, User
from web import create_app
from web.config import Settings


def make_app(tmp_path: Path, **env: str):
    settings = Settings.from_env(
        {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_SECRET_KEY": "test", **env}
    )
    upgrade(make_engine(settings.database_url))
    app = create_app(settings, test_config={"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True})
    engine = app.extensions["raciflow"]
    engine.import_directory(Directory(users={"ana": User("ana", "Ana")}), user="admin")
    engine.set_password("ana", "correct horse battery", by="admin")
    return app


def wrong_sign_ins(app, count: int) -> list[int]:
    client = app.test_client()
    form = {"username": "ana", "password": "a wrong guess"}
    return [client.post("/login", data=form).status_code for _ in range(count)]


def _worker(app, count: int) -> None:
    assert wrong_sign_ins(app, count) == [401] * count


def test_two_workers_share_the_sign_in_limit(tmp_path):
    app = make_app(tmp_path, RACIFLOW_WEB_WORKERS="2")  # no storage configured
    # A second gunicorn worker: a forked process with its own copy of the app.
    other = multiprocessing.get_context("fork").Process(target=_worker, args=(app, 5))
    other.start()
    other.join(timeout=60)
    assert other.exitcode == 0

    assert wrong_sign_ins(app, 6) == [401] * 5 + [429]  # 10 a minute, whichever worker


def test_unshared_limits_with_several_workers_are_announced(tmp_path):
    shared = Settings.from_env(
        {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_WEB_WORKERS": "4"}
    )
    assert shared.ratelimit_storage.startswith("raciflow-sqlite://")
    assert shared.ratelimit_warning() is None
    apart = Settings.from_env(
        {
            "RACIFLOW_INSTANCE_DIR": str(tmp_path),
            "RACIFLOW_WEB_WORKERS": "4",
            "RACIFLOW_RATELIMIT_STORAGE": "memory://",
        }
    )
    assert "4 times the attempts" in apart.ratelimit_warning()
    single = Settings.from_env(
        {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_WEB_WORKERS": "1"}
    )
    assert single.ratelimit_storage == "memory://" and single.ratelimit_warning() is None
