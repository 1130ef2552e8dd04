"""What every journey does: staff at their own browsers, in Greek, working one case.

A `Journey` is one case of one process at one viewport: it signs people in as they are
needed (one browser context each), keeps their console errors and server errors, and
saves numbered screenshots under test-artifacts/screenshots/<process>/. An `Actor` does
what a user does: starts a process from the start page, finds a task in the inbox by
its name, claims it, fills the form, completes, approves or sends back with a reason.

Locators are the words a user reads (translated by the app's own Greek catalogue), never
positions, so that a row moving in the inbox does not break a journey.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.support import Translations
from PIL import Image, ImageDraw
from sqlalchemy import select

from engine import views

from .conftest import ARTIFACTS, ROOT, Person

PASSWORD = "raciflow-demo"
SIZES = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 360, "height": 640}}
_INVALID_INPUTS = """b => b.form ? [...b.form.elements]
    .filter(e => e.willValidate && !e.checkValidity())
    .map(e => `${e.name}: ${e.validationMessage}`) : []"""
_SIGNED_IN: dict[tuple[str, str], Any] = {}  # (app, user): the browser state after sign-in
INBOX_SECTIONS = ("mine", "queue", "signoffs", "consultations")
_GREEK = Translations.load(str(ROOT / "web" / "translations"), ["el"])


def athens_today() -> date:
    """Today where the staff are: the forms judge dates by the day in Athens."""
    return datetime.now(ZoneInfo("Europe/Athens")).date()


def el(text: str) -> str:
    """`text` as the Greek UI shows it; a journey fails on words the catalogue lacks."""
    greek = _GREEK.gettext(text)
    assert greek != text, f"no Greek for «{text}» in web/translations/el"
    return greek


class Actor(Person):
    """One signed-in user of a journey, at the journey's viewport."""

    def __init__(self, journey: Journey, username: str) -> None:
        # Person's own set-up, with the journey's screen and the user's saved sign-in: a
        # user signs in once per served app, as sign-ins are rate limited (10 a minute).
        self.journey = journey
        self.username = username
        self.console_errors: list[str] = []
        self.server_errors: list[str] = []
        self.expected_status: int | None = None
        saved = _SIGNED_IN.get((journey.base_url, username))
        self.context = journey.browser.new_context(
            base_url=journey.base_url,
            viewport=SIZES[journey.viewport],
            storage_state=saved,
            locale="el-GR",  # a Greek staff member's browser: dates typed day first
            timezone_id="Europe/Athens",
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("response", self._response)
        if saved is None:
            self.sign_in()
            _SIGNED_IN[journey.base_url, username] = self.context.storage_state()

    def _response(self, response: Any) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    # --- moving around ------------------------------------------------------------

    def sign_in(self, password: str = PASSWORD) -> None:
        self.page.goto("/login")
        self.page.fill("input[name=username]", self.username)
        self.page.fill("input[name=password]", password)
        self.submit(self.page.locator("form button[type=submit]"))
        assert "/login" not in self.page.url, f"{self.username} could not sign in"
        assert self.page.locator("html").get_attribute("lang") == "el", "the UI is not in Greek"

    def submit(self, button: Any) -> None:
        """Click a button that posts a form, and wait for the page it leads to.

        A form the browser itself refuses (a required input left empty) fails at once,
        naming the inputs, as the user would see it go nowhere.
        """
        invalid = button.evaluate(_INVALID_INPUTS)
        assert not invalid, f"{self.username}: the browser refuses the form at {invalid}"
        with self.page.expect_navigation():
            button.click()

    def shot(self, name: str) -> None:
        self.journey.shot(self, name)

    def start(
        self,
        process_id: str,
        *,
        customer: str | None = None,
        camera: Path | None = None,
        files: tuple[Path, ...] = (),
        file_kind: str | None = None,
        **fields: Any,
    ) -> None:
        """From the start page: pick the process, find the customer, fill, start (with a
        photo from the phone's camera or chosen files, if given)."""
        self.page.goto("/start/")
        # The form's page loaded, its scripts too, before anything is typed or pressed.
        with self.page.expect_navigation():
            self.page.locator(f"a[href$='/start/{process_id}']").click()
        if customer:
            self.page.fill("#customer-search", customer)
            with self.page.expect_navigation():  # formnovalidate: a search needs no inputs
                self.page.locator("#customer-search-button").click()
            option = self.page.locator("[name=customer_id] option", has_text=customer).first
            self.page.select_option("[name=customer_id]", option.get_attribute("value"))
        self.fill(**fields)
        self._choose_files(self.page.locator("form.work-form"), camera, files, file_kind)
        self.shot(f"start-{process_id}")
        self.submit(self.page.locator("form.work-form button[type=submit]"))
        self.assert_no_form_errors()

    def open_task(self, name: str, *, customer: str | None = None, to_sign: bool = False) -> str:
        """Find the task named `name` in the inbox, filtered by customer; open it; its id.

        The sections are looked through in the order a user would: sign-offs first when
        the user is there to sign.
        """
        label = el(name)
        sections = ("signoffs", *INBOX_SECTIONS) if to_sign else INBOX_SECTIONS
        for section in dict.fromkeys(sections):
            query = urlencode({"section": section, "customer": customer or ""})
            self.page.goto(f"/inbox/?{query}")
            link = self.page.get_by_role("link", name=label, exact=True)
            if link.count():
                self.shot(f"inbox-{section}")
                link.first.click()
                self.page.wait_for_url(re.compile(r"/tasks/[^/]+$"))
                return self.page.url.rsplit("/", 1)[-1]
        raise AssertionError(f"{self.username} finds no task «{label}» ({customer}) in the inbox")

    # --- working a task -----------------------------------------------------------

    def claim(self) -> None:
        """Claim the open task if nobody has (some tasks are already the user's)."""
        button = self.page.get_by_role("button", name=el("Claim"), exact=True)
        if button.count():
            self.submit(button)

    def fill(self, **values: Any) -> None:
        """Fill inputs by name: text, number, date, select (by value) and checkbox."""
        for name, value in values.items():
            field = self.page.locator(f"[name='{name}']")
            kind = field.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
            if kind.startswith("select"):
                field.select_option(str(value))
            elif kind.endswith("checkbox"):
                field.set_checked(bool(value))
            else:
                field.fill(str(value))

    def complete(self, shot: str | None = None, **values: Any) -> None:
        """Fill the task's form and complete it; fail with the page's messages if refused."""
        self.claim()
        self.fill(**values)
        if shot:
            self.shot(shot)
        self.submit(self.page.get_by_role("button", name=el("Complete"), exact=True))
        self.assert_no_form_errors()

    def complete_refused(self, **values: Any) -> list[str]:
        """Fill and complete as `complete` does, where the page must refuse: its messages."""
        self.claim()
        self.fill(**values)
        self.expected_status = 422  # the refusal's own answer is no console error
        self.submit(self.page.get_by_role("button", name=el("Complete"), exact=True))
        self.page.wait_for_load_state()
        self.expected_status = None
        problems = self.page.locator(".field-error").all_inner_texts()
        assert problems, f"{self.username} at {self.page.url}: the form was not refused"
        return problems

    def approve(self) -> None:
        self.page.fill("#approve-password", PASSWORD)
        self.submit(self.page.get_by_role("button", name=el("Approve and sign"), exact=True))
        self.assert_no_form_errors()

    def reject(self, reason: str) -> None:
        self.page.fill("#reject-reason", reason)
        self.page.fill("#reject-password", PASSWORD)
        self.submit(self.page.get_by_role("button", name=el("Send back"), exact=True))
        self.assert_no_form_errors()

    def answer(self, comment: str) -> None:
        """Answer the consultation open on the task page (RACI C)."""
        form = self.page.locator("form[action*='/consultations/']").first
        form.locator("textarea[name=comment]").fill(comment)
        self.submit(form.get_by_role("button", name=el("Send answer"), exact=True))
        self.assert_no_form_errors()

    def attach(
        self, *files: Path, camera: Path | None = None, file_kind: str | None = None
    ) -> None:
        """Upload files from the task page's upload form (the camera's photo, or chosen)."""
        form = self.page.locator("form.upload-form")
        self._choose_files(form, camera, files, file_kind)
        self.submit(form.get_by_role("button", name=el("Attach"), exact=True))
        self.assert_no_form_errors()

    def comment(self, text: str) -> None:
        form = self.page.locator("form[action$='/comments']")
        form.locator("textarea[name=text]").fill(text)
        self.submit(form.get_by_role("button", name=el("Add comment"), exact=True))
        self.assert_no_form_errors()

    def _choose_files(
        self, form: Any, camera: Path | None, files: tuple[Path, ...], kind: str | None
    ) -> None:
        if camera is not None:  # what the phone's camera hands the page: one photo
            form.locator("input[type=file][capture]").set_input_files(str(camera))
        if files:
            form.locator("input[type=file][multiple]").set_input_files([str(f) for f in files])
        if kind is not None:
            form.locator("select[name=file_kind]").select_option(kind)

    # --- what the user sees -------------------------------------------------------

    def assert_no_form_errors(self) -> None:
        problems = self.page.locator(".field-error, .flash.error, [role=alert]").all_inner_texts()
        assert not problems, f"{self.username} at {self.page.url}: {problems}"

    def instance_id(self) -> str:
        """The instance of the task on screen (the task page links to it)."""
        href = self.page.locator("dl.facts a[href*='/instances/']").first.get_attribute("href")
        return href.rstrip("/").rsplit("/", 1)[-1]

    def sees(self, text: str) -> bool:
        return self.page.get_by_text(text).count() > 0


class Journey:
    """One case of one process walked through in the browser by the people it involves."""

    def __init__(self, browser: Any, app: tuple[str, Any], process: str, viewport: str) -> None:
        self.browser = browser
        self.base_url, self.engine = app
        self.process = process
        self.viewport = viewport
        self.folder: Path = ARTIFACTS / process
        self.actors: dict[str, Actor] = {}
        self.steps = 0
        self.name = ""

    def as_(self, username: str) -> Actor:
        """`username` at their browser, signed in (the first time they are needed)."""
        if username not in self.actors:
            self.actors[username] = Actor(self, username)
        return self.actors[username]

    def shot(self, actor: Actor, name: str) -> None:
        self.steps += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        file = f"{self.name}-{self.viewport}-{self.steps:02d}-{actor.username}-{name}.png"
        actor.page.screenshot(path=str(self.folder / file), full_page=True)

    def instance(self, instance_id: str) -> dict[str, Any]:
        return views.instance(self.engine.uow(), instance_id)

    def row(self, table: Any, **where: Any) -> dict[str, Any]:
        """The one row of a CRM table matching `where` (the business outcome of a case)."""
        with self.engine.uow() as uow:
            query = select(table).where(*(table.c[key] == value for key, value in where.items()))
            return dict(uow.session.execute(query).mappings().one())

    def problems(self) -> dict[str, list[str]]:
        """Console and server errors seen by anyone in the journey."""
        return {
            name: actor.console_errors + actor.server_errors
            for name, actor in self.actors.items()
            if actor.console_errors or actor.server_errors
        }

    def close(self) -> None:
        for actor in self.actors.values():
            actor.context.close()


UPLOADS = Path(tempfile.gettempdir()) / "raciflow-journey-uploads"
# A small PDF, as a scanner or a phone's document mode makes one.
CONTRACT_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sample_photo(name: str = "IMG_0042.jpg", colour: tuple[int, int, int] = (170, 60, 40)) -> Path:
    """A photo as a phone's camera saves it (a real JPEG, 640x480)."""
    UPLOADS.mkdir(exist_ok=True)
    path = UPLOADS / name
    image = Image.new("RGB", (640, 480), colour)
    ImageDraw.Draw(image).rectangle((200, 120, 440, 360), fill=(240, 240, 240))
    image.save(path, "JPEG")
    return path


def sample_contract(name: str = "symvasi.pdf") -> Path:
    UPLOADS.mkdir(exist_ok=True)
    path = UPLOADS / name
    path.write_bytes(CONTRACT_PDF)
    return path
