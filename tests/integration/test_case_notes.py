"""Comments and files on a case: stored all or nothing, refused plainly, each on the trail
with its digest, and a file changed after upload caught by the audit check."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from engine import build_engine, views
from engine.attachments import CHUNK, AttachmentLimits, AttachmentRefused, AttachmentRule, Upload
from engine.errors import InvalidState, InvalidTaskData
from engine.orm import attachment_chunks, attachments, audit_events
from tests.conftest import fixture_files

KiB = 1024
PHOTO_RULE = AttachmentRule(
    name="a photo", refusal="Attach a photo.", types=frozenset({"image/png", "image/jpeg"})
)


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def noisy_png(side: int) -> bytes:
    """A PNG that does not compress: about 3 * side * side bytes."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(3 * side * side)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(name: str, content: bytes, kind: str | None = None) -> Upload:
    return Upload(name, io.BytesIO(content), kind)


@pytest.fixture(params=["database", "folder"])
def engine(request, database_url, clock, services, tmp_path):
    folder = tmp_path / "files" if request.param == "folder" else None
    process_engine = build_engine(
        database_url,
        services=services,
        clock=clock,
        attachment_limits=AttachmentLimits(
            max_file_bytes=600 * KiB, max_case_bytes=1000 * KiB, max_files=3
        ),
        attachment_folder=folder,
        attachment_rules=lambda process, task: (PHOTO_RULE,) if task == "review" else (),
    )
    process_engine.deploy(fixture_files("approval.bpmn", "approval_level.dmn"), user="owner")
    return process_engine


def started(engine) -> tuple[str, str]:
    state = engine.start("approval", user="sales1")
    return state.instance_id, state.ready_tasks[0]


def events(engine, instance_id: str, action: str) -> list[dict]:
    return views.audit_events(engine.uow(), instance_id=instance_id, action=action)


def counts(engine) -> tuple[int, int, int]:
    with engine.reader() as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(table))
            for table in (attachments, attachment_chunks, audit_events)
        )


def test_a_comment_is_kept_on_the_trail_and_never_changed(engine):
    instance_id, task_id = started(engine)
    first = engine.add_comment(instance_id, user="sales1", text="Called the customer")
    engine.add_comment(instance_id, user="sales1", text="Correction: he called us", task_id=task_id)

    comments = engine.comments(instance_id, user="sales1")
    assert [(c["id"] == first, c["author"], c["text"]) for c in comments] == [
        (True, "sales1", "Called the customer"),
        (False, "sales1", "Correction: he called us"),
    ]
    assert comments[1]["task_id"] == task_id
    trail = events(engine, instance_id, "comment")
    assert [e["details"]["text"] for e in trail] == [c["text"] for c in comments]
    assert not hasattr(engine, "edit_comment")  # a correction is a new comment


def test_an_empty_comment_or_one_on_a_closed_case_is_refused(engine):
    instance_id, _ = started(engine)
    with pytest.raises(InvalidTaskData):
        engine.add_comment(instance_id, user="sales1", text="   ")
    engine.cancel(instance_id, user="sales1", reason="customer withdrew")
    before = counts(engine)
    with pytest.raises(InvalidState):
        engine.add_comment(instance_id, user="sales1", text="too late")
    assert counts(engine) == before


def test_a_file_is_stored_with_its_digest_on_the_trail_and_read_back(engine):
    instance_id, task_id = started(engine)
    photo = png()
    [stored] = engine.attach(
        instance_id,
        [upload("../../etc/Σπασμένο μπουκάλι<script>.PNG", photo)],
        user="sales1",
        task_id=task_id,
    )

    assert stored["name"] == "Σπασμένο μπουκάλι_script.png"
    assert (stored["media_type"], stored["size"]) == ("image/png", len(photo))
    assert stored["sha256"] == hashlib.sha256(photo).hexdigest()
    [event] = events(engine, instance_id, "attach")
    assert {k: event["details"][k] for k in ("sha256", "size", "media_type", "name")} == {
        "sha256": hashlib.sha256(photo).hexdigest(),
        "size": len(photo),
        "media_type": "image/png",
        "name": stored["name"],
    }
    opened = engine.open_attachment(stored["id"], user="sales1")
    assert b"".join(opened.chunks) == photo
    assert engine.verify_audit().ok


def test_a_large_file_goes_in_and_out_a_chunk_at_a_time(engine):
    instance_id, _ = started(engine)
    photo = noisy_png(400)  # about 480 KiB: two chunks
    assert len(photo) > CHUNK
    [stored] = engine.attach(instance_id, [upload("big.png", photo)], user="sales1")

    chunks = list(engine.open_attachment(stored["id"], user="sales1").chunks)
    assert len(chunks) == 2 and all(len(c) <= CHUNK for c in chunks)
    assert b"".join(chunks) == photo


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("invoice.jpg", b"<html><script>alert(1)</script></html>", "not accepted"),
        ("photo.jpg", PDF, "the name says .jpg but the file is PDF"),
        ("archive.pdf", b"PK\x03\x04" + b"\0" * 100, "not accepted"),
        ("empty.png", b"", "empty"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_whatever_its_name(engine, name, content, says):
    instance_id, _ = started(engine)
    before = counts(engine)
    with pytest.raises(AttachmentRefused, match=says):
        engine.attach(instance_id, [upload(name, content)], user="sales1")
    assert counts(engine) == before


@pytest.mark.parametrize("kind", ["../../x", "<b>x</b>", "Signed Contract", "x" * 60])
def test_a_kind_that_is_no_code_is_refused_and_nothing_is_stored(engine, kind):
    """A file's kind is what a form's rule asks for ("signed_contract"): free text, a
    path or markup was stored as it came (through the API and the CLI)."""
    instance_id, _ = started(engine)
    before = counts(engine)
    with pytest.raises(AttachmentRefused, match="is no kind of file"):
        engine.attach(instance_id, [Upload("ok.png", io.BytesIO(png()), kind)], user="sales1")
    assert counts(engine) == before
    [stored] = engine.attach(
        instance_id, [Upload("ok.png", io.BytesIO(png()), " signed_contract ")], user="sales1"
    )
    assert stored["kind"] == "signed_contract"


def test_a_refused_file_among_several_stores_none_of_them(engine, tmp_path):
    instance_id, _ = started(engine)
    before = counts(engine)
    with pytest.raises(AttachmentRefused, match=r"huge\.png is larger than 0\.59 MB"):
        engine.attach(
            instance_id,
            [upload("ok.png", png()), upload("huge.png", noisy_png(500))],  # ~730 KiB
            user="sales1",
        )
    assert counts(engine) == before
    folder = engine.attachment_folder
    if folder is not None:  # nothing left behind in the folder either
        assert [p for p in Path(folder).rglob("*") if p.is_file()] == []


def test_the_case_limit_and_the_number_of_files_are_kept(engine):
    instance_id, _ = started(engine)
    engine.attach(instance_id, [upload("a.png", noisy_png(350))], user="sales1")  # ~360 KiB
    engine.attach(instance_id, [upload("b.png", noisy_png(350))], user="sales1")
    before = counts(engine)
    with pytest.raises(AttachmentRefused, match=r"exceed 0\.98 MB in all"):
        engine.attach(instance_id, [upload("c.png", noisy_png(350))], user="sales1")
    with pytest.raises(AttachmentRefused, match="at most 3 files"):
        engine.attach(instance_id, [upload(f"{n}.png", png()) for n in range(4)], user="sales1")
    assert counts(engine) == before


def test_a_file_changed_after_upload_is_caught_by_the_audit_check(engine):
    instance_id, _ = started(engine)
    [stored] = engine.attach(instance_id, [upload("contract.pdf", PDF)], user="sales1")
    assert engine.verify_audit().ok

    folder = engine.attachment_folder
    if folder is None:
        with engine.uow() as uow:
            uow.session.execute(
                update(attachment_chunks)
                .where(attachment_chunks.c.attachment_id == stored["id"])
                .values(data=PDF.replace(b"Catalog", b"Katalog"))
            )
            uow.session.commit()
    else:
        [path] = [p for p in Path(folder).rglob("*") if p.is_file()]
        path.write_bytes(PDF.replace(b"Catalog", b"Katalog"))

    verification = engine.verify_audit()
    assert not verification.ok
    [problem] = verification.problems
    assert f"attachment {stored['id']} (contract.pdf) no longer matches its digest" in str(problem)
    assert stored["sha256"] in str(problem)


def test_a_form_that_needs_a_photo_is_refused_without_one(engine):
    instance_id, task_id = started(engine)
    engine.complete(task_id, user="sales1", data={"amount": 5000})
    [review] = [t["id"] for t in views.open_tasks(engine.uow()) if t["instance_id"] == instance_id]
    with pytest.raises(InvalidTaskData) as refused:
        engine.complete(review, user="boss", data={"approved": True})
    assert refused.value.errors == {"_schema": ["Attach a photo."]}
    engine.attach(instance_id, [upload("contract.pdf", PDF)], user="sales1")  # not a photo
    with pytest.raises(InvalidTaskData):
        engine.complete(review, user="boss", data={"approved": True})

    engine.attach(instance_id, [upload("photo.png", png())], user="boss")
    engine.complete(review, user="boss", data={"approved": True})


def test_a_file_is_never_whole_in_memory(engine, tmp_path):
    """8 MiB in and out (and through the audit check) with about one chunk held at a time."""
    import tracemalloc

    engine.attachment_limits = AttachmentLimits(max_file_bytes=20 * 1024 * KiB)
    big = tmp_path / "scan.png"
    with open(big, "wb") as out:  # a PNG's signature, then 8 MiB: only the head is read for type
        out.write(b"\x89PNG\r\n\x1a\n")
        for _ in range(32):
            out.write(os.urandom(256 * KiB))
    instance_id, _ = started(engine)
    tracemalloc.start()
    try:
        with open(big, "rb") as stream:
            [stored] = engine.attach(instance_id, [Upload("scan.png", stream)], user="sales1")
        _, into = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        read = sum(len(c) for c in engine.open_attachment(stored["id"], user="sales1").chunks)
        assert engine.verify_audit().ok
        _, out_and_checked = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == stored["size"] == big.stat().st_size
    assert into < 4 * 1024 * KiB and out_and_checked < 4 * 1024 * KiB, (into, out_and_checked)
