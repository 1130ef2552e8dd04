"""An instance moved by a message shows it on its page, in Greek as in English."""

from __future__ import annotations

from engine import SourceFile
from tests.conftest import FIXTURES
from tests.e2e.staff_helpers import crm, demo_database, sign_in, web_app  # noqa: F401


def test_the_timeline_names_the_message_received_in_the_readers_language(web_app, crm):  # noqa: F811
    crm.deploy([SourceFile.read(FIXTURES / "events" / "order_wait.bpmn")], user="lena.owner")
    waiting = crm.start("order_wait", user="admin", data={"order_id": 3}).instance_id
    crm.send_message("payment_received", user="admin", correlation={"order_id": 3})

    admin = sign_in(web_app, "admin")
    assert "message received" in admin.page(f"/instances/{waiting}")
    crm.set_locale("admin", "el")
    greek = admin.page(f"/instances/{waiting}")
    assert "ελήφθη μήνυμα" in greek and "message received" not in greek
