"""Every page, for the people who use it, renders without console errors, on a phone too."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Person

PAGES = {
    "giorgos.bd": [
        "/inbox/",
        "/inbox/?section=queue",
        "/start/",
        "/start/credit_limit_change?customer_id=7",
        "/start/complaint",
        "/instances/",
        "/raci/",
        "/raci/order_release",
    ],
    "anna.credit": ["/inbox/?section=queue", "/inbox/?section=signoffs", "/instances/"],
    "fotis.audit": [
        "/audit/",
        "/audit/compliance?process=credit_limit_change",
        "/instances/",
        "/raci/credit_limit_change",
    ],
}


@pytest.mark.parametrize("phone", [True, False], ids=["360x640", "desk"])
@pytest.mark.parametrize("username", sorted(PAGES))
def test_pages_render_cleanly(live_app, browser, username, phone):
    base_url, _ = live_app
    person = Person(browser, base_url, username, phone=phone)
    person.sign_in()
    for path in PAGES[username]:
        answer = person.page.goto(path)
        assert answer.status == 200, (path, answer.status)
        if phone:
            assert person.has_no_horizontal_scroll(), path
    assert person.console_errors == []
    person.close()
