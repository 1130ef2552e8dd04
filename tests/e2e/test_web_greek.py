"""The staff pages in Greek (a user's default language), and a complete Greek catalog.

The pages read the compiled catalog (messages.mo), which is build output: this module
compiles web/translations before it builds the app, as `make test` does.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from engine import collect_files
from engine.database import make_engine, upgrade
from web import create_app
from web.config import Settings
from web.form_render import FormField, form_fields
from workflows.demo import DEMO_PASSWORD, demo_directory, load_data, set_demo_passwords
from workflows.forms import forms

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
CATALOG = TRANSLATIONS / "el" / "LC_MESSAGES" / "messages.po"
BD = "giorgos.bd"
CUSTOMER = 150
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# What the navigation and common buttons say in English: none of it may show in Greek.
ENGLISH = (">Inbox<", ">Start<", ">Instances<", ">Sign out<", ">Audit<", "Back to the inbox")


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The web app on the demo company with every process of bpmn/, the catalog compiled."""
    _pybabel("-q", "compile", "-d", str(TRANSLATIONS))
    folder = tmp_path_factory.mktemp("greek")
    settings = Settings.from_env(
        {
            "RACIFLOW_INSTANCE_DIR": str(folder),
            "RACIFLOW_SECRET_KEY": "test",
            "RACIFLOW_ENV": "development",
        }
    )
    upgrade(make_engine(settings.database_url))
    app = create_app(settings, test_config={"RATELIMIT_ENABLED": False})
    engine = app.extensions["raciflow"]
    engine.import_directory(demo_directory(), user="admin")
    load_data(engine)
    set_demo_passwords(engine, by="admin")
    engine.deploy(collect_files([ROOT / "bpmn"]), user="lena.owner")
    assert engine.locale(BD) == "el"  # nobody chose a language: Greek
    return app


@pytest.fixture(scope="module")
def bd(app: Flask) -> Any:
    """A BD signed in, with the CSRF token of the session."""
    client = app.test_client()
    token = _TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post(
        "/login", data={"username": BD, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302
    client.token = token
    return client


def page(client: Any, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)


def test_the_inbox_is_in_greek(bd):
    html = page(bd, "/inbox/")
    assert '<html lang="el">' in html
    for greek in ("Εισερχόμενα", "Έναρξη", "Υποθέσεις", "Αποσύνδεση", "Οι εργασίες μου"):
        assert greek in html
    assert "Ουρά των ρόλων μου" in html and "Φίλτρα" in html and "Μενού" in html
    for english in (*ENGLISH, "My tasks", "Filters", "Menu", "Notifications"):
        assert english not in html


def test_a_page_that_fails_says_so_in_greek(bd, monkeypatch):
    """It said the framework's English: "The server encountered an internal error"."""

    def broken(*_args: Any) -> None:
        raise RuntimeError("a defect")

    monkeypatch.setattr("web.inbox.inbox_counts", broken)
    answer = bd.get("/inbox/")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 500
    assert "Κάτι πήγε στραβά από τη δική μας πλευρά" in html and "Εισερχόμενα" in html
    assert "internal error" not in html and "a defect" not in html


def test_the_start_pages_are_in_greek(bd):
    listing = page(bd, "/start/")
    assert "Έναρξη διαδικασίας" in listing and "Αλλαγή πιστωτικού ορίου" in listing
    assert "Credit limit change" not in listing and "Start a process" not in listing

    html = page(bd, "/start/credit_limit_change")
    assert '<h1 class="wrap">Αλλαγή πιστωτικού ορίου</h1>' in html
    assert '<label for="f-customer_id">Πελάτης' in html  # the customer chooser's label
    assert "Αναζήτηση πελάτη (κωδικός, επωνυμία, τηλέφωνο ή ΑΦΜ)" in html and "Επιλέξτε…" in html
    for english in (*ENGLISH, "Find the customer", ">Customer", "Choose…", "All processes"):
        assert english not in html


def test_a_task_page_is_in_greek(bd):
    started = bd.post(
        "/start/credit_limit_change", data={"customer_id": CUSTOMER, "csrf_token": bd.token}
    )
    assert started.status_code == 302 and "/tasks/" in started.headers["Location"]
    task = started.headers["Location"]
    html = page(bd, task)
    assert "Ξεκίνησε. Αυτή είναι η πρώτη σας εργασία." in html  # the flash message
    assert '<label for="f-requested_limit">Αιτούμενο όριο' in html  # a form field's label
    assert '<label for="f-justification">Τεκμηρίωση' in html
    assert "Πιστωτικό όριο" in html and "Ανοιχτό υπόλοιπο" in html  # the customer card
    assert "Πωλητής (BD)" in html and "Ολοκλήρωση" in html and "Πίσω στα εισερχόμενα" in html
    for english in (*ENGLISH, "Requested limit", "Justification", "Credit limit", "Exposure"):
        assert english not in html

    refused = bd.post(f"{task}/complete", data={"csrf_token": bd.token})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Διορθώστε τα πεδία που επισημαίνονται." in html
    assert '<p class="field-error" id="e-requested_limit">Το πεδίο είναι υποχρεωτικό.</p>' in html
    assert "Missing data for required field." not in html


def test_every_start_form_renders_in_greek(app):
    """Every label and choice of every start form goes through the catalog without harm."""
    admin = app.test_client()
    token = _TOKEN.search(admin.get("/login").get_data(as_text=True)).group(1)
    admin.post("/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token})
    listing = page(admin, "/start/")
    processes = re.findall(r'href="/start/(\w+)"', listing)
    assert len(processes) >= 7
    for process in processes:
        html = page(admin, f"/start/{process}")
        assert "Επιλέξτε…" in html or "Έναρξη" in html
        assert "Find the customer" not in html and "Blank rows are ignored." not in html


def _catalog() -> Any:
    with CATALOG.open("rb") as po:
        return read_po(po)


def test_every_message_has_a_greek_translation():
    catalog = _catalog()
    assert len(catalog) > 400
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert len(strings) == len(ids), f"plural forms: {message.id!r}"
        for string in strings:
            assert string and string.strip(), f"untranslated: {message.id!r}"
            assert sorted(_PLACEHOLDER.findall(string)) == sorted(
                set(_PLACEHOLDER.findall(ids[-1]))
            ), f"placeholders: {message.id!r}"
            # Templates always %-format a translation: a lone "%" breaks the page.
            assert "%" not in _PLACEHOLDER.sub("", string).replace("%%", ""), string


def test_the_catalog_holds_every_string_of_the_sources(tmp_path):
    """Extracting again finds nothing the Greek catalog lacks (run pybabel update if so)."""
    template = tmp_path / "messages.pot"
    _pybabel(
        "-q", "extract", "-F", "web/babel.cfg", "-k", "_l", "-k", "lazy_gettext",
        "-o", str(template), "web",
    )  # fmt: skip
    with template.open("rb") as pot:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    assert sorted(wanted - have) == []


def _runtime_strings(fields: list[FormField]) -> set[str]:
    found: set[str] = set()
    for f in fields:
        found |= {f.label, *(label for _, label in f.choices)}
        found |= _runtime_strings(list(f.columns))
    return found


def test_labels_of_forms_and_bpmn_names_are_translated():
    """web/labels.py lists what the code produces: every form label and choice, every name."""
    wanted: set[str] = set()
    for schema in forms().values():
        wanted |= _runtime_strings(form_fields(schema()))
    for path in (ROOT / "bpmn").glob("*.bpmn"):
        for element in ET.parse(path).getroot().iter():
            if element.tag.rsplit("}", 1)[-1] in ("process", "userTask") and element.get("name"):
                wanted.add(element.get("name"))
    translated = {m.id for m in _catalog() if m.id and m.string}
    assert sorted(wanted - translated) == []
