"""Comments and files on a case through the pages, the API and the CLI: who may add and
read them, how a file comes back (never as something that runs), and what is refused."""

from __future__ import annotations

import hashlib
import io
import os
import re
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import func, select

from engine import views
from engine.attachments import AttachmentLimits
from engine.orm import attachments, comments
from tests.e2e.staff_helpers import requested, sign_in

pytest_plugins = ["tests.e2e.staff_helpers"]


def png(side: int = 8, noisy: bool = False) -> bytes:
    out = io.BytesIO()
    if noisy:  # does not compress: about 3 * side * side bytes
        Image.frombytes("RGB", (side, side), os.urandom(3 * side * side)).save(out, "PNG")
    else:
        Image.new("RGB", (side, side), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def stored(crm) -> tuple[int, int]:
    with crm.reader() as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(t)) for t in (attachments, comments)
        )


def upload(staff, instance_id: str, task_id: str | None, *files: tuple[bytes, str], **form):
    data = {"files": [(io.BytesIO(content), name) for content, name in files], **form}
    if task_id:
        data["task_id"] = task_id
    return staff.post(f"/cases/{instance_id}/files", data, content_type="multipart/form-data")


def case_of(crm, task_id: str) -> str:
    return views.task_detail(crm.uow(), task_id)["instance_id"]


def test_a_comment_on_the_task_page_is_shown_there_and_in_the_timeline(web_app, crm):
    analysis = requested(crm)
    instance = case_of(crm, analysis)
    anna = sign_in(web_app, "anna.credit")
    answer = anna.post(
        f"/cases/{instance}/comments",
        {"text": "Called the shop: the owner confirms the second shop", "task_id": analysis},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/tasks/{analysis}#comments")

    page = anna.page(f"/tasks/{analysis}")
    assert "Called the shop: the owner confirms the second shop" in page
    assert "A comment cannot be changed later" in page
    timeline = sign_in(web_app, "giorgos.bd").page(f"/instances/{instance}")
    assert re.search(r"commented: <span class=\"wrap\">Called the shop", timeline)


def test_a_photo_uploaded_on_the_task_page_is_shown_and_comes_back_safely(web_app, crm):
    analysis = requested(crm)
    instance = case_of(crm, analysis)
    anna = sign_in(web_app, "anna.credit")
    photo = png()
    answer = upload(anna, instance, analysis, (photo, "shop front.PNG"))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert answer.headers["Location"].endswith(f"/tasks/{analysis}#files")

    [row] = crm.attachments(instance, user="anna.credit")
    digest = hashlib.sha256(photo).hexdigest()
    assert (row["name"], row["media_type"], row["sha256"]) == (
        "shop front.png",
        "image/png",
        digest,
    )
    page = anna.page(f"/tasks/{analysis}")
    assert f'<img class="thumb" src="/files/{row["id"]}/preview"' in page
    assert f"SHA-256 <code>{digest[:16]}…</code>" in page
    assert 'accept="image/*" capture="environment"' in page  # the phone's camera
    assert 'enctype="multipart/form-data"' in page

    download = anna.get(f"/files/{row['id']}")
    assert download.status_code == 200 and download.get_data() == photo
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="shop front.png"'
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    preview = anna.get(f"/files/{row['id']}/preview")
    assert preview.headers["Content-Type"] == "image/png"
    assert preview.headers["Content-Disposition"].startswith("inline;")
    assert "sandbox" in preview.headers["Content-Security-Policy"]
    assert "script-src" not in preview.headers["Content-Security-Policy"]  # default-src 'none'


def test_a_refused_upload_says_why_on_the_task_page_and_stores_nothing(web_app, crm):
    analysis = requested(crm)
    instance = case_of(crm, analysis)
    anna = sign_in(web_app, "anna.credit")
    before = stored(crm)

    faked = upload(
        anna, instance, analysis, (png(), "ok.png"), (b"<script>alert(1)</script>", "x.jpg")
    )
    assert faked.status_code == 422
    assert "x.jpg: this kind of file is not accepted" in faked.get_data(as_text=True)

    crm.attachment_limits = AttachmentLimits(max_file_bytes=50_000, max_case_bytes=80_000)
    big = upload(anna, instance, analysis, (png(150, noisy=True), "big.png"))  # ~67 KB
    assert big.status_code == 422
    assert "big.png is larger than 0.05 MB" in big.get_data(as_text=True)
    over = upload(
        anna, instance, analysis, *[(png(150, noisy=True), f"{n}.png") for n in range(12)]
    )
    assert over.status_code == 413  # more than the request may carry: refused unread

    no_token = anna.client.post(
        f"/cases/{instance}/files",
        data={"files": [(io.BytesIO(png()), "a.png")], "task_id": analysis},
        content_type="multipart/form-data",
    )
    assert no_token.status_code == 400  # CSRF
    assert stored(crm) == before


def test_a_refused_upload_on_the_case_page_says_why_there_and_stores_nothing(web_app, crm):
    instance = case_of(crm, requested(crm))
    anna = sign_in(web_app, "anna.credit")
    before = stored(crm)
    case_page = anna.page(f"/instances/{instance}")
    assert "notes.css" in case_page and "uploads.js" in case_page  # thumbnails, drop zone
    assert "Photos or PDF documents, up to 10 MB each." in case_page  # said before a try

    faked = upload(anna, instance, None, (b"<script>alert(1)</script>", "x.jpg"))
    assert faked.status_code == 422
    page = faked.get_data(as_text=True)
    assert "Nothing attached: x.jpg: this kind of file is not accepted" in page
    assert 'id="files"' in page  # the case page again, not a bare error page
    assert stored(crm) == before
    # The address bar now shows the form's URL: reloading or reopening it finds the case.
    for part in ("files", "comments"):
        reopened = anna.get(f"/cases/{instance}/{part}")
        assert reopened.status_code == 302
        assert reopened.headers["Location"] == f"/instances/{instance}#{part}"


def test_only_those_in_the_case_read_its_files_and_the_auditor_adds_nothing(web_app, crm):
    analysis = requested(crm)
    instance = case_of(crm, analysis)
    upload(sign_in(web_app, "anna.credit"), instance, analysis, (png(), "shop.png"))
    [row] = crm.attachments(instance, user="anna.credit")

    outsider = sign_in(web_app, "thanasis.tech")
    assert outsider.get(f"/files/{row['id']}").status_code == 403
    assert outsider.post(f"/cases/{instance}/comments", {"text": "hello"}).status_code == 403

    auditor = sign_in(web_app, "fotis.audit")
    assert auditor.get(f"/files/{row['id']}").status_code == 200  # oversight reads
    page = auditor.page(f"/instances/{instance}")
    assert "shop.png" in page and "Add comment" not in page and 'name="files"' not in page
    assert auditor.post(f"/cases/{instance}/comments", {"text": "looks fine"}).status_code == 403
    assert stored(crm) == (1, 0)


def test_the_api_lists_adds_and_downloads(web_app, crm):
    analysis = requested(crm)
    instance = case_of(crm, analysis)
    client = web_app.test_client()
    auth = {"Authorization": f"Bearer {crm.create_token('anna.credit', label='t')}"}

    made = client.post(
        f"/api/v1/instances/{instance}/comments", json={"text": "Checked"}, headers=auth
    )
    assert made.status_code == 201 and made.json["author"] == "anna.credit"
    photo = png()
    sent = client.post(
        f"/api/v1/instances/{instance}/attachments",
        data={"files": [(io.BytesIO(photo), "a.png")], "task_id": analysis},
        content_type="multipart/form-data",
        headers=auth,
    )
    assert sent.status_code == 201, sent.json
    [file] = sent.json
    assert file["sha256"] == hashlib.sha256(photo).hexdigest() and file["task_id"] == analysis
    listed = client.get(f"/api/v1/instances/{instance}/attachments", headers=auth).json
    assert [f["id"] for f in listed] == [file["id"]]
    body = client.get(f"/api/v1/attachments/{file['id']}/content", headers=auth)
    assert body.get_data() == photo and body.headers["Content-Disposition"].startswith("attachment")

    refused = client.post(
        f"/api/v1/instances/{instance}/attachments",
        data={"files": [(io.BytesIO(b"%PDF-1.4\n%%EOF"), "photo.jpg")]},
        content_type="multipart/form-data",
        headers=auth,
    )
    assert refused.status_code == 422
    assert "the name says .jpg but the file is PDF" in refused.json["error"]["message"]
    outsider = {"Authorization": f"Bearer {crm.create_token('thanasis.tech', label='t')}"}
    assert (
        client.get(f"/api/v1/attachments/{file['id']}/content", headers=outsider).status_code == 403
    )


def complaints_deployed(crm) -> None:
    from engine import SourceFile
    from tests.e2e.staff_helpers import DEMO_PASSWORD, ROOT

    crm.deploy(
        [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("complaint.*"))],
        user="lena.owner",
    )
    crm.set_password("michalis.log", DEMO_PASSWORD, by="admin")
    crm.set_locale("michalis.log", "en")


def test_a_complaint_taken_with_a_photo_from_the_start_page(web_app, crm):
    complaints_deployed(crm)
    bd = sign_in(web_app, "giorgos.bd")
    photo = png()
    answer = bd.post(
        "/start/complaint",
        {
            "customer_id": "1",
            "kind": "broken_product",  # the complaint's kind: not the file's
            "description": "Broken bottles in two cases",
            "files": [(io.BytesIO(photo), "IMG_0042.png")],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    [instance] = [
        t["instance_id"] for t in views.open_tasks(crm.uow()) if t["process_id"] == "complaint"
    ]
    [row] = crm.attachments(instance, user="giorgos.bd")
    assert (row["name"], row["kind"], row["uploaded_by"]) == ("IMG_0042.png", None, "giorgos.bd")

    refused = bd.post(
        "/start/complaint",
        {
            "customer_id": "1",
            "kind": "broken_product",
            "description": "Broken bottles in two cases",
            "files": [(io.BytesIO(b"MZ\x90\x00not a photo"), "photo.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    # Said at the top of the page too: the files' box is below the fold.
    alert = page.index('role="alert"')
    start_form = page.index('id="start-form"')
    assert alert < start_form < page.rindex("photo.jpg: this kind of file is not accepted")
    assert "Nothing was started; choose the files again." in page[alert:]
    assert len([t for t in views.open_tasks(crm.uow()) if t["process_id"] == "complaint"]) == 1


def test_files_chosen_on_a_start_form_that_comes_back_are_asked_for_again(web_app, crm):
    """A complaint missing its description came back with the photo silently gone."""
    complaints_deployed(crm)
    bd = sign_in(web_app, "giorgos.bd")
    dropped = "The files you had chosen were not kept when the page came back"
    sent = {"customer_id": "1", "kind": "broken_product"}  # no description
    photo = [(io.BytesIO(png()), "IMG_0042.png")]
    refused = bd.post(
        "/start/complaint", {**sent, "files": photo}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    box = page[page.index('class="files-at-start"') :]
    assert dropped in box[: box.index("</fieldset>")]  # said where the files are chosen
    search = {**sent, "q": "C00150", "search_customer": "1"}
    searched = bd.post("/start/complaint", {**search, "files": [(io.BytesIO(png()), "a.png")]})
    assert dropped in searched.get_data(as_text=True)
    without = bd.post("/start/complaint", sent, content_type="multipart/form-data")
    assert without.status_code == 422 and dropped not in without.get_data(as_text=True)
    assert not [t for t in views.open_tasks(crm.uow()) if t["process_id"] == "complaint"]


def test_the_engine_refuses_a_replacement_without_the_photo_on_every_surface(web_app, crm):
    complaints_deployed(crm)
    state = crm.start(
        "complaint",
        user="katerina.call",  # by phone: no photo
        data={"customer_id": 1, "kind": "broken_product", "description": "Broken bottles"},
        business_key="C00001",
    )
    [task] = state.ready_tasks
    done = {
        "outcome": "accepted",
        "resolution": "Two cases replaced with the next delivery",
        "delivery_date": (date.today() + timedelta(days=3)).isoformat(),
    }
    logistics = sign_in(web_app, "michalis.log")
    page = logistics.page(f"/tasks/{task}")
    assert "Needed: a photo of the broken product" in page
    refused = logistics.post(f"/tasks/{task}/complete", done)
    assert refused.status_code == 422
    assert "Attach a photo of the broken product first." in refused.get_data(as_text=True)
    auth = {"Authorization": f"Bearer {crm.create_token('michalis.log', label='t')}"}
    api = web_app.test_client().post(
        f"/api/v1/tasks/{task}/complete", json={"data": done}, headers=auth
    )
    assert api.status_code == 422
    assert api.json["error"]["fields"] == {
        "_schema": ["Attach a photo of the broken product first."]
    }

    upload(logistics, state.instance_id, task, (png(), "on arrival.png"))
    assert logistics.post(f"/tasks/{task}/complete", done).status_code == 302


def test_a_pdf_previews_inline_without_script_and_a_heic_photo_only_downloads(web_app, crm):
    analysis = requested(crm)
    instance = case_of(crm, analysis)
    anna = sign_in(web_app, "anna.credit")
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    upload(anna, instance, analysis, (pdf, "contract.pdf"), (heic, "IMG_0001.HEIC"))
    contract, photo = crm.attachments(instance, user="anna.credit")
    assert (contract["media_type"], photo["media_type"]) == ("application/pdf", "image/heic")

    preview = anna.get(f"/files/{contract['id']}/preview")
    assert preview.status_code == 200 and preview.headers["Content-Type"] == "application/pdf"
    assert preview.headers["Content-Disposition"].startswith("inline;")
    policy = preview.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert preview.headers["X-Content-Type-Options"] == "nosniff"

    heic_preview = anna.get(f"/files/{photo['id']}/preview")
    assert heic_preview.status_code == 302
    assert heic_preview.headers["Location"].endswith(f"/files/{photo['id']}")
    page = anna.page(f"/tasks/{analysis}")
    assert f'href="/files/{contract["id"]}/preview"' in page  # View, for the PDF
    assert f'src="/files/{photo["id"]}/preview"' not in page  # no thumbnail for HEIC


def test_the_auditors_case_file_carries_each_files_digest(web_app, crm):
    analysis = requested(crm)
    instance = case_of(crm, analysis)
    photo = png()
    upload(sign_in(web_app, "anna.credit"), instance, analysis, (photo, "shop.png"))
    digest = hashlib.sha256(photo).hexdigest()
    auditor = sign_in(web_app, "fotis.audit")

    page = auditor.page(f"/audit/instances/{instance}/case")
    assert f"SHA-256: {digest}" in page and "File: shop.png (PNG," in page
    csv = auditor.get(f"/audit/instances/{instance}/case.csv").get_data(as_text=True)
    assert f"SHA-256: {digest}" in csv
    pdf = auditor.get(f"/audit/instances/{instance}/case.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"


def test_a_refused_comment_comes_back_as_typed(web_app, crm):
    """A comment over 4,000 characters was refused and its box came back empty."""
    analysis = requested(crm)
    instance = case_of(crm, analysis)
    anna = sign_in(web_app, "anna.credit")
    long = "Ο πελάτης ζήτησε παράταση. " * 160  # 4,320 characters
    for task_id, where in ((analysis, "task page"), ("", "case page")):
        refused = anna.post(f"/cases/{instance}/comments", {"text": long, "task_id": task_id})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422, where
        assert "Comment not added: A comment is at most 4000 characters." in html, where
        assert f">{long}</textarea>" in html, where
    assert stored(crm) == (0, 0)
