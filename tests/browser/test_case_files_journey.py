"""Files on a case, in Greek on a phone (360x640): a BD takes down a broken-product
complaint with a photo from the phone's camera; logistics replaces the product on its
evidence; the customer-service agent sees the photo on the task where the customer is
told, and adds a comment; the auditor finds the photo's SHA-256 in the case file."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.journeys import athens_today, el, sample_photo

PROCESS = "complaint"
CUSTOMER = "C00046"  # giorgos.bd's; no other journey takes it


@pytest.mark.parametrize("viewport", ["phone"])
def in_days(days: int) -> str:
    """A delivery day from today on: the forms refuse a day that is over (and past 60 days)."""
    return (athens_today() + timedelta(days=days)).isoformat()


def test_a_photo_taken_at_the_shop_reaches_the_agent_and_the_auditor(journey, viewport):
    photo = sample_photo("IMG_20261204_0931.jpg")
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()

    bd = journey.as_("giorgos.bd")
    bd.start(
        PROCESS,
        customer=CUSTOMER,
        camera=photo,
        kind="broken_product",
        description="Σπασμένα μπουκάλια σε ένα κιβώτιο της χθεσινής παράδοσης",
    )

    logistics = journey.as_("michalis.log")
    logistics.open_task("Replace the broken product", customer=CUSTOMER)
    thumbnail = logistics.page.locator("img.thumb").first
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 640
    logistics.shot("photo-on-the-replacement")
    logistics.complete(
        "replace",
        outcome="accepted",
        resolution="Αντικατάσταση του κιβωτίου με το επόμενο δρομολόγιο",
        delivery_date=in_days(4),
    )

    agent = journey.as_("sofia.cs")
    agent.open_task("Tell the customer", customer=CUSTOMER)
    instance_id = agent.instance_id()
    files = agent.page.locator("#files")
    files.scroll_into_view_if_needed()
    assert files.locator("img.thumb").evaluate("img => img.naturalWidth") == 640
    assert files.get_by_text(f"SHA-256 {digest[:16]}…").count() == 1
    assert (
        files.get_by_text("broken_product").count() == 0
    )  # the complaint's kind is not the file's
    assert files.get_by_text(el("Take a photo")).count() == 1  # the phone's camera, offered
    assert agent.has_no_horizontal_scroll()
    agent.shot("photo-on-the-agents-task")

    # The case page's upload box shows its own buttons, not the browser's raw file inputs
    # (whose "Choose File" is in the browser's language).
    agent.page.goto(f"/instances/{instance_id}")
    inputs = agent.page.locator("#files input[type=file]")
    assert inputs.count() == 2
    assert inputs.evaluate_all("all => all.map(i => i.getBoundingClientRect().width)") == [1, 1]
    agent.page.go_back()
    agent.comment(
        "Ο πελάτης επιβεβαιώνει ότι το κιβώτιο ήταν σπασμένο κατά την παράδοση\n"
        "Δεύτερη γραμμή: φωτογραφία από τον οδηγό"
    )
    said = agent.page.locator(".comments .comment p.wrap").last
    assert said.inner_text().splitlines()[-1] == "Δεύτερη γραμμή: φωτογραφία από τον οδηγό"
    agent.complete(
        "tell-customer",
        contact_channel="phone",
        contact_person="Κύριος Ανδρέου",
        contact_summary="Ενημερώθηκε για την αντικατάσταση και συμφώνησε",
        contacted_at=datetime.now(ZoneInfo("Europe/Athens")).strftime("%Y-%m-%dT%H:%M"),
    )

    bd.page.goto(f"/instances/{instance_id}")  # the case page shows the photo as a thumbnail
    case_files = bd.page.locator("#files")
    case_files.scroll_into_view_if_needed()
    assert (
        case_files.locator("img.thumb").evaluate("img => img.getBoundingClientRect().width") <= 160
    )
    assert bd.has_no_horizontal_scroll()
    bd.shot("photo-on-the-case-page")

    auditor = journey.as_("fotis.audit")
    auditor.page.goto(f"/audit/instances/{instance_id}/case")
    page = auditor.page.locator("main")
    assert page.get_by_text(f"SHA-256: {digest}").count() == 1  # the upload on the trail
    seen = el("File seen: %(name)s, SHA-256 %(digest)s") % {"name": photo.name, "digest": digest}
    assert page.get_by_text(seen).count() == 2  # what logistics, then the agent, signed beside
    assert page.get_by_text("Ο πελάτης επιβεβαιώνει ότι το κιβώτιο").count() == 1
    auditor.shot("digest-in-the-case-file")
    assert journey.instance(instance_id)["status"] == "completed"


DROP = """(zone, [name, data]) => {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    const dropped = new DataTransfer();
    dropped.items.add(new File([bytes], name, {type: "image/jpeg"}));
    zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dropped, bubbles: true, cancelable: true}));
}"""


@pytest.mark.parametrize("viewport", ["desk"])
def test_logistics_drops_the_photo_the_phone_complaint_lacked(journey, viewport):
    journey.as_("katerina.call").start(  # by phone: no photo
        PROCESS,
        customer="C00049",
        kind="broken_product",
        description="Ο πελάτης λέει ότι ήρθαν σπασμένα δύο μπουκάλια",
    )
    logistics = journey.as_("michalis.log")
    logistics.open_task("Replace the broken product", customer="C00049")
    replaced = {
        "outcome": "accepted",
        "resolution": "Αντικατάσταση των δύο μπουκαλιών με το επόμενο δρομολόγιο",
        "delivery_date": in_days(4),
    }
    assert logistics.complete_refused(**replaced) == [
        el("Attach a photo of the broken product first.")
    ]
    logistics.shot("refused-without-the-photo")

    photo = sample_photo("on-arrival.jpg", colour=(40, 90, 160))
    zone = logistics.page.locator("form.upload-form [data-dropzone]")
    zone.evaluate(DROP, ["on-arrival.jpg", base64.b64encode(photo.read_bytes()).decode()])
    assert zone.locator("[data-chosen] li").all_inner_texts() == ["on-arrival.jpg"]
    logistics.shot("photo-dropped")
    resolution = "Αντικατάσταση και των δύο μπουκαλιών, με φωτογραφία"
    logistics.fill(resolution=resolution)  # typed before the photo is sent
    logistics.submit(logistics.page.get_by_role("button", name=el("Attach"), exact=True))
    logistics.assert_no_form_errors()
    assert logistics.page.locator("#files img.thumb").evaluate("img => img.naturalWidth") == 640
    # Sending the photo reloads the page: what was typed into the task's form is still there.
    assert logistics.page.locator("[name=resolution]").input_value() == resolution
    assert logistics.page.locator("[name=outcome]").input_value() == "accepted"
    logistics.complete("replaced-with-the-photo", **replaced)
