"""Browser tests: the real app served over HTTP, driven by Playwright in Debian's Chromium.

Screenshots of the key pages are saved under test-artifacts/screenshots/ (kept by CI).
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from engine import collect_files
from engine.database import make_engine, upgrade
from web import create_app
from web.config import Settings
from workflows.demo import demo_directory, load_data, set_demo_passwords, start_demo_instances

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_company(folder: Path, locale: str, test_config: dict | None = None) -> Any:
    """The demo company's app (directory, processes of bpmn/, records, passwords), unserved."""
    settings = Settings.from_env(
        {
            "RACIFLOW_INSTANCE_DIR": str(folder),
            "RACIFLOW_SECRET_KEY": "browser-tests",
            "RACIFLOW_ENV": "development",
        }
    )
    upgrade(make_engine(settings.database_url))
    app = create_app(settings, test_config=test_config)
    engine = app.extensions["raciflow"]
    engine.import_directory(demo_directory(), user="admin")
    engine.deploy(collect_files([ROOT / "bpmn"]), user="lena.owner")
    load_data(engine)
    set_demo_passwords(engine, by="admin")
    for user in demo_directory().users:
        engine.set_locale(user, locale)
    return app


def _serve_demo(
    folder: Path,
    locale: str,
    test_config: dict | None = None,
    *,
    instances: bool = False,
) -> Iterator[tuple[str, object]]:
    """The demo company served at http://127.0.0.1:<port>, every user in `locale`.

    With `instances`, one instance of every process is in flight, as `init --demo` leaves it.
    """
    app = demo_company(folder, locale, test_config)
    engine = app.extensions["raciflow"]
    if instances:  # after the locales: their notices are in the users' language
        start_demo_instances(engine)
    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", engine
    server.shutdown()


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """The demo company, in English (one per test module)."""
    yield from _serve_demo(tmp_path_factory.mktemp("browser"), "en")


@pytest.fixture(scope="module")
def greek_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """The demo company in Greek, as its staff use it (one per test module)."""
    yield from _serve_demo(tmp_path_factory.mktemp("browser-el"), "el")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("browser tests need Chromium (scripts/install-system-deps installs it)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


class Person:
    """One user at their own browser: signs in, navigates, keeps console errors."""

    def __init__(self, browser: object, base_url: str, username: str, *, phone: bool = False):
        viewport = {"width": 360, "height": 640} if phone else {"width": 1366, "height": 900}
        self.context = browser.new_context(base_url=base_url, viewport=viewport)
        self.page = self.context.new_page()
        self.username = username
        self.console_errors: list[str] = []
        self.expected_status: int | None = None  # an answer a step provokes on purpose
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message: object) -> None:
        if message.type != "error":
            return
        expected = self.expected_status and f"status of {self.expected_status}" in message.text
        if not expected:
            self.console_errors.append(message.text)

    def sign_in(self, password: str = "raciflow-demo") -> None:
        self.page.goto("/login")
        self.page.fill("input[name=username]", self.username)
        self.page.fill("input[name=password]", password)
        # Wait for the next page to load: what a test checks first (e.g. whether the
        # phone's menu button shows) must not be read from a page still arriving.
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")

    def follow_menu(self, link: str) -> None:
        """Follow a main-menu link, as a person does: on a phone, open the menu first."""
        toggle = self.page.locator(".menu-toggle")
        if toggle.is_visible():
            toggle.click()
        self.page.get_by_role("link", name=link, exact=True).click()

    def open_draft(self, process_id: str) -> None:
        """A process owner opens a new draft of `process_id` in the modeler (in Greek)."""
        self.page.wait_for_load_state("networkidle")
        self.follow_menu("Αλλαγές")
        self.page.select_option("select[name=process_id]", process_id)
        self.page.get_by_role("button", name="Άνοιγμα προσχεδίου").click()
        self.page.wait_for_selector("body[data-modeler-ready=true]")

    def open_filters(self) -> None:
        """Unfold a list's filters where the phone keeps them folded."""
        folded = self.page.locator("details.fold:not([open]) > summary")
        if folded.count():
            folded.first.click()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def has_no_horizontal_scroll(self) -> bool:
        return self.page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture(params=["desk", "phone"])
def viewport(request: pytest.FixtureRequest) -> str:
    """The two screens staff use: a desk (1366x900) and a hand-held terminal (360x640)."""
    return request.param


@pytest.fixture(scope="session")
def journey_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """The demo company in Greek, served once for all the journeys (each module takes its
    own customers, so that the cases of one never meet those of another)."""
    yield from _serve_demo(tmp_path_factory.mktemp("journeys"), "el")


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, journey_app: tuple[str, object], browser: object, viewport: str
) -> Iterator[object]:
    """One case of the module's PROCESS, in Greek, at each viewport (tests/browser/journeys.py).

    Fails the test on any console error or server error anyone in the journey met.
    """
    from tests.browser.journeys import Journey

    journey = Journey(browser, journey_app, request.module.PROCESS, viewport)
    journey.name = request.node.originalname.removeprefix("test_")
    yield journey
    problems = journey.problems()
    journey.close()
    assert not problems, f"console or server errors: {problems}"
