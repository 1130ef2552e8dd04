"""The web app starts from the factory, reports its health and greets visitors."""

from __future__ import annotations

from pathlib import Path

from engine.database import make_engine, upgrade
from tests.conftest import fixture_files
from web import create_app
from web.config import Settings


def test_health_and_index(tmp_path: Path):
    settings = Settings.from_env(
        {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_SECRET_KEY": "test"}
    )
    upgrade(make_engine(settings.database_url))
    app = create_app(settings)
    app.extensions["raciflow"].deploy(fixture_files("timer_wait.bpmn"), user="owner")
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "process_versions": 1}
    page = client.get("/", headers={"Accept-Language": "en"})
    assert b'href="/login"' in page.data  # visitors are asked to sign in
