"""Comments and files from the command line, and `audit verify` catching a file changed
after upload (in the database and in the folder store)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from engine.database import make_engine
from tests.conftest import FIXTURES
from tests.e2e.conftest import bpmn_folder


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(tmp_path, FIXTURES / "approval.bpmn", FIXTURES / "approval_level.dmn")


def photo(tmp_path: Path, name: str = "shop.png") -> Path:
    path = tmp_path / name
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 128, 0)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def started(cli) -> str:
    cli("init")
    return json.loads(cli("start", "approval", "--user", "ana", "--json").stdout)["instance_id"]


def test_comment_and_attach_and_read_back(cli, tmp_path):
    instance = started(cli)
    cli("comment", instance, "--text", "Called the customer", "--user", "ana")
    assert "ana: Called the customer" in cli("comments", instance, "--user", "ana").stdout

    path = photo(tmp_path)
    [stored] = json.loads(cli("attach", instance, str(path), "--user", "ana", "--json").stdout)
    assert stored["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    listed = cli("attachments", instance, "--user", "ana").stdout
    assert f"{stored['id']}  shop.png  image/png" in listed and stored["sha256"] in listed
    out = tmp_path / "back.png"
    cli("fetch", str(stored["id"]), "--user", "ana", "--output", str(out))
    assert out.read_bytes() == path.read_bytes()


def test_a_file_of_the_wrong_type_is_one_error_line(cli, tmp_path):
    instance = started(cli)
    fake = tmp_path / "invoice.jpg"
    fake.write_text("<html><script>alert(1)</script></html>")
    done = cli("attach", instance, str(fake), "--user", "ana", ok=False)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: invoice.jpg: this kind of file is not accepted (photos and PDF only)"
    )
    assert cli("attachments", instance, "--user", "ana").stdout.strip() == "no files"


@pytest.mark.parametrize("store", ["database", "folder"])
def test_audit_verify_names_a_file_changed_after_upload(cli, tmp_path, store):
    if store == "folder":
        cli.env["RACIFLOW_ATTACHMENT_DIR"] = str(tmp_path / "files")
    instance = started(cli)
    path = photo(tmp_path)
    [stored] = json.loads(cli("attach", instance, str(path), "--user", "ana", "--json").stdout)
    assert cli("audit", "verify").stdout.startswith("ok:")

    swapped = path.read_bytes()[:-8] + b"\0" * 8
    if store == "database":
        db = make_engine(cli.database_url)
        with db.begin() as conn:
            conn.execute(text("UPDATE attachment_chunks SET data = :d"), {"d": swapped})
        db.dispose()
    else:
        [kept] = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
        kept.write_bytes(swapped)

    done = cli("audit", "verify", ok=False)
    assert done.returncode == 1
    assert f"attachment {stored['id']} (shop.png) no longer matches its digest" in done.stderr
    assert f"recorded sha256 {stored['sha256']}" in done.stderr
    assert hashlib.sha256(swapped).hexdigest() in done.stderr
