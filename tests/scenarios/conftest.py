"""Scenario fixtures: the CRM processes of bpmn/ on the engine, with the demo company."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from engine import ProcessEngine, SourceFile, build_engine, views
from engine.attachments import Upload
from engine.clock import FakeClock
from raci.directory_io import load_directory
from workflows import form_checks, forms
from workflows.customers import get_customer
from workflows.demo.data import load_demo_data
from workflows.forms import files as form_files
from workflows.services import build_registry

ROOT = Path(__file__).resolve().parents[2]
# A small PDF, as a scanner or a phone's document mode makes one.
CONTRACT_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def photo(name: str = "photo.jpg") -> Upload:
    """A photo as a phone's camera sends it (a real, tiny JPEG)."""
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (180, 40, 40)).save(out, "JPEG")
    return Upload(name, io.BytesIO(out.getvalue()))


def signed_contract(name: str = "contract.pdf") -> Upload:
    return Upload(name, io.BytesIO(CONTRACT_PDF), "signed_contract")


BPMN = ROOT / "bpmn"
DEMO_DIRECTORY = ROOT / "workflows" / "demo" / "directory.yaml"


def process_files(process_id: str) -> list[SourceFile]:
    """A process's files in bpmn/: `<process_id>.bpmn`, its DMN tables and its matrix."""
    found = sorted(BPMN.glob(f"{process_id}.*"))
    assert found, f"no files for {process_id} in bpmn/"
    return [SourceFile.read(path) for path in found]


class Crm:
    """The engine with the demo company, and the steps a scenario takes, as users take them."""

    def __init__(self, engine: ProcessEngine, clock: FakeClock) -> None:
        self.engine = engine
        self.clock = clock

    def deploy(self, *process_ids: str) -> None:
        files = [f for process_id in process_ids for f in process_files(process_id)]
        self.engine.deploy(files, user="lena.owner")

    def start(
        self,
        process_id: str,
        user: str,
        business_key: str | None = None,
        files: Sequence[Upload] = (),
        **data: Any,
    ):
        """Start with `data` (and `files`) as a start page submits it (the form checks it)."""
        return self.engine.start(
            process_id, user=user, data=data, business_key=business_key, files=files
        )

    def attach(self, instance_id: str, user: str, *files: Upload) -> list[dict[str, Any]]:
        return self.engine.attach(instance_id, list(files), user=user)

    def open_tasks(self, instance_id: str) -> list[dict[str, Any]]:
        return views.open_tasks(self.engine.uow(), instance_id=instance_id)

    def task(self, instance_id: str, element: str) -> str:
        """The id of the open task `element` of an instance (fails if it is not open)."""
        found = [t["id"] for t in self.open_tasks(instance_id) if t["element"] == element]
        assert found, f"{element} is not open; open: {self.open_elements(instance_id)}"
        return found[0]

    def open_elements(self, instance_id: str) -> list[str]:
        return sorted(t["element"] for t in self.open_tasks(instance_id))

    def complete(self, instance_id: str, element: str, user: str, **data: Any):
        """Complete the open task `element` as its form submits it (the form checks it)."""
        return self.engine.complete(self.task(instance_id, element), user=user, data=data)

    def awaiting_signoff(self, instance_id: str, element: str) -> str:
        with self.engine.uow() as uow:
            from engine.model import HumanTask, TaskStatus

            found = uow.session.scalars(
                select(HumanTask.id).where(
                    HumanTask.instance_id == instance_id,
                    HumanTask.spec_id == element,
                    HumanTask.status == TaskStatus.AWAITING_SIGNOFF,
                )
            ).first()
        assert found, f"{element} is not waiting for sign-off"
        return found

    def approve(self, instance_id: str, element: str, user: str):
        return self.engine.approve(self.awaiting_signoff(instance_id, element), user=user)

    def reject(self, instance_id: str, element: str, user: str, reason: str) -> None:
        self.engine.reject(self.awaiting_signoff(instance_id, element), user=user, reason=reason)

    def instance(self, instance_id: str) -> dict[str, Any]:
        return views.instance(self.engine.uow(), instance_id)

    def customer(self, customer_id: int) -> dict[str, Any]:
        with self.engine.uow() as uow:
            return get_customer(uow.session, customer_id)

    def rows(self, query: Any) -> list[dict[str, Any]]:
        with self.engine.uow() as uow:
            return [dict(row) for row in uow.session.execute(query).mappings()]

    def bds_told(self, instance_id: str, element: str) -> set[str]:
        """The BDs told about `element` of an instance (RACI I)."""
        bds = set(self.engine.directory().members("bd"))
        told = (entry.split(": ", 1) for entry in self.notified(instance_id))
        return {user for user, about in told if about == element and user in bds}

    def own_bd(self, customer_id: int) -> set[str]:
        """The customer's own BD (customer master data), as the one BD to be told."""
        return {self.customer(customer_id)["bd"]}

    def notified(self, instance_id: str) -> list[str]:
        """Who was told what (RACI I), as 'user: subject'."""
        return [
            f"{e['details']['recipient']}: {e['details']['element']}"
            for e in views.audit_events(
                self.engine.uow(), instance_id=instance_id, action="notified"
            )
            if e["raci_role"] == "I"  # not the starter told how the case ended
        ]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))  # a Monday morning


@pytest.fixture
def crm(database_url: str, clock: FakeClock) -> Crm:
    engine = build_engine(
        database_url,
        services=build_registry(),
        clock=clock,
        forms=forms.validator,
        record_checks=form_checks.check_for,  # as the product wires it (web/bootstrap.py)
        attachment_rules=form_files.needs,
    )
    engine.import_directory(
        load_directory(DEMO_DIRECTORY.name, DEMO_DIRECTORY.read_bytes()), user="admin"
    )
    with engine.uow() as uow:
        load_demo_data(uow.session, uow.now)
        uow.commit()
    return Crm(engine, clock)
