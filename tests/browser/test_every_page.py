"""Every page each demo role can reach, in Greek, on a 360x640 phone, is clean.

The crawler signs in as one person of each role, follows every same-origin link it finds
(bounded: a few pages of each kind), and fails on a Python/JSON repr, an English word, a
time shown as UTC or horizontal scrolling; the diagrams the pages show are read too.
Every failure of every page of a role is reported at once.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, Person, _serve_demo
from tests.browser.page_checks import english_words, repr_problems, utc_problems
from workflows.demo import demo_directory
from workflows.demo.data import WAREHOUSES

ROLES = {
    "call agent": "katerina.call",
    "customer service": "sofia.cs",
    "business developer": "giorgos.bd",
    "credit controller": "anna.credit",
    "CFO": "petros.cfo",
    "technician": "thanasis.tech",
    "logistics": "michalis.log",
    "process owner": "lena.owner",
    "auditor": "fotis.audit",
    "analyst": "zoi.analyst",
    "admin": "admin",
}
PHONE_WIDTH = 360
PAGES_PER_KIND = 2  # /tasks/17 and /tasks/18 are the same page with other data
MAX_PAGES = 45
# Not pages: signing out, files to download, the API, static files.
SKIP = re.compile(r"^/(logout|static/|api/)|\.(csv|pdf|json|png|svg)(\?|$)|[?&]format=|/export\b")

_SNAPSHOT = """() => ({
  text: document.body.innerText,
  title: document.title,
  scroll: document.documentElement.scrollWidth,
  links: [...document.querySelectorAll('a[href]')]
    .filter(a => !a.hasAttribute('download')).map(a => a.href),
  images: [...document.querySelectorAll('img[src]')].map(img => img.src),
})"""


@pytest.fixture(scope="module")
def greek_app(tmp_path_factory: pytest.TempPathFactory):
    """The Greek demo company with one instance of every process in flight (`init --demo`)."""
    yield from _serve_demo(tmp_path_factory.mktemp("every-page-el"), "el", instances=True)


def _user_data() -> set[str]:
    directory = demo_directory()
    values = set(directory.users) | {code for code, _name in WAREHOUSES}  # ATH, SKG
    for user in directory.users.values():
        values.update(filter(None, [user.email]))
    return values


def _kind(path: str, query: str) -> str:
    """The page's kind: its path with ids blanked, and which query keys it uses."""
    parts = ["#" if any(ch.isdigit() for ch in part) else part for part in path.split("/")]
    keys = sorted({key for key, _ in parse_qsl(query)} - {"page", "before", "after"})
    return "/".join(parts) + "?" + "&".join(keys)


def _svg_labels(page: object, url: str) -> str:
    answer = page.request.get(url)
    if "svg" not in answer.headers.get("content-type", ""):
        return ""
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", answer.text())
    return " ".join(texts).replace("&#45;", "-").replace("&amp;", "&")


def _problems(text: str, user_data: set[str]) -> list[str]:
    found = [f"repr: {p!r}" for p in repr_problems(text)]
    found += [f"UTC time: {p!r}" for p in utc_problems(text)]
    words = english_words(text, user_data)
    if words:
        found.append(f"English: {', '.join(words)}")
    return found


def crawl(person: Person, origin: str, user_data: set[str]) -> tuple[list[str], int]:
    """Visit what `person` can reach from the inbox; every problem found, and pages seen."""
    page = person.page
    queue: deque[str] = deque(["/"])
    seen: set[str] = {"/"}
    kinds: Counter[str] = Counter()
    images: set[str] = set()
    failures: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        answer = page.goto(path)
        visited += 1
        status = answer.status if answer else 0
        if status >= 500 or status in (403, 404):
            failures.append(f"{path}: answered {status}")
        if answer is None or "html" not in answer.headers.get("content-type", ""):
            continue
        shot = page.evaluate(_SNAPSHOT)
        for problem in _problems(shot["title"] + "\n" + shot["text"], user_data):
            failures.append(f"{path}: {problem}")
        if shot["scroll"] > PHONE_WIDTH:
            failures.append(f"{path}: scrolls sideways ({shot['scroll']} px wide)")
        for src in shot["images"]:
            parts = urlsplit(src)
            if src.startswith(origin) and src not in images and len(images) < 6:
                images.add(src)
                for problem in _problems(_svg_labels(page, src), user_data):
                    failures.append(f"{path}: diagram {parts.path}: {problem}")
        for href in shot["links"]:
            parts = urlsplit(href)
            if not href.startswith(origin) or SKIP.search(parts.path + "?" + parts.query):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            kind = _kind(parts.path, parts.query)
            if target in seen or kinds[kind] >= PAGES_PER_KIND:
                continue
            seen.add(target)
            kinds[kind] += 1
            queue.append(target)
    return failures, visited


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_page_is_greek_clean_and_fits_a_phone(greek_app, browser, role):
    base_url, _ = greek_app
    username = ROLES[role]
    person = Person(browser, base_url, username, phone=True)
    person.sign_in()
    failures, visited = crawl(person, base_url, _user_data())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    person.page.goto("/")
    person.shot(f"every-page-{username}-home-360")
    person.close()
    assert visited > 3, f"{role} ({username}) reached only {visited} pages"
    report = "\n  ".join(failures)
    assert not failures, f"{role} ({username}), {visited} pages, {len(failures)}:\n  {report}"
