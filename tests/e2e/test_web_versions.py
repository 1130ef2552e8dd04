"""The versions page: who deployed and approved each version, what runs on it, and
migrating running instances to the latest, as the process owner does it in the browser."""

from __future__ import annotations

import io
import zipfile

from engine import views

from .test_web_instances import (  # noqa: F401  (the fixtures app, engine, seeded)
    as_user,
    process_engine,
    seeded_database,
    start_credit_change,
    web_app,
)

PROCESS = "credit_limit_change"
PAGE = f"/processes/{PROCESS}/versions"


def signed_version_2(engine) -> None:
    draft = engine.open_draft(PROCESS, user="lena.owner")
    dmn = f"{PROCESS}.approval_level.dmn"
    files = {**draft.files, dmn: draft.files[dmn].replace("&gt; 50000", "&gt; 60000")}
    engine.save_draft(draft.id, files, user="lena.owner")
    engine.submit_draft(draft.id, user="lena.owner", comment="CFO signs from 60k")
    engine.approve_draft(draft.id, user="stavros.approver")


def test_owner_sees_who_signed_and_moves_an_instance_to_the_latest(app, engine):
    instance = start_credit_change(engine)
    signed_version_2(engine)

    page = as_user(app, "lena.owner").page(PAGE)
    assert "v2" in page and "CFO signs from 60k" in page
    assert "Σταύρος Κυριακίδης" in page  # the approver, by name
    assert "at set-up, without approval" in page  # v1
    assert f'name="instance" value="{instance}"' in page

    # Staff read the list, but are offered no migration.
    staff_page = as_user(app, "giorgos.bd").page(PAGE)
    assert "v2" in staff_page and 'name="instance"' not in staff_page
    refused = as_user(app, "giorgos.bd").post(f"{PAGE}/migrate", {"instance": instance})
    assert refused.status_code == 403
    assert views.instance(engine.uow(), instance)["version"] == 1

    moved = as_user(app, "lena.owner").post(f"{PAGE}/migrate", {"instance": instance})
    assert moved.status_code == 302
    assert views.instance(engine.uow(), instance)["version"] == 2
    [event] = views.audit_events(engine.uow(), instance_id=instance, action="migrated")
    assert event["actor"] == "lena.owner"
    after = as_user(app, "lena.owner").page(PAGE)
    assert "No unfinished instance runs on an older version." in after


def test_each_signed_version_leads_to_what_changed_in_it(app, engine):
    signed_version_2(engine)
    [draft] = [d for d in engine.drafts(user="lena.owner")["own"] if d.status == "approved"]
    review = f"/drafts/{draft.id}/review"
    # Those who govern processes follow the link, the admin among them (who signed nothing).
    for reader in ("lena.owner", "admin", "fotis.audit"):
        page = as_user(app, reader).page(PAGE)
        assert f'href="{review}">what changed</a>' in page, reader
        changes = as_user(app, reader).page(review)
        assert "Approved by" in changes and f'href="{PAGE}">All versions</a>' in changes, reader
    # Staff read the versions, not the record of their drafting.
    assert review not in as_user(app, "giorgos.bd").page(PAGE)
    assert as_user(app, "giorgos.bd").get(review).status_code == 404


def test_choosing_nothing_moves_nothing_and_says_so(app, engine):
    start_credit_change(engine)
    signed_version_2(engine)
    answer = as_user(app, "lena.owner").post(f"{PAGE}/migrate", {})
    assert answer.status_code == 409
    assert "choose the instances to migrate" in answer.get_data(as_text=True)


def test_an_unknown_process_has_no_versions_page(app):
    assert as_user(app, "lena.owner").get("/processes/nope/versions").status_code == 404


def test_owner_downloads_a_version_s_files_and_staff_cannot(app, engine):
    signed_version_2(engine)
    owner = as_user(app, "lena.owner")
    assert f"{PAGE}/2/files.zip" in owner.page(PAGE)
    answer = owner.get(f"{PAGE}/2/files.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert f"{PROCESS}-v2.zip" in answer.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        dmn = archive.read(f"{PROCESS}.approval_level.dmn").decode()
    assert "&gt; 60000" in dmn  # version 2's own table
    # Staff read the versions but are offered no files, and asking is refused.
    staff = as_user(app, "giorgos.bd")
    assert "files.zip" not in staff.page(PAGE)
    assert staff.get(f"{PAGE}/2/files.zip").status_code == 403
    assert owner.get(f"{PAGE}/9/files.zip").status_code == 404
