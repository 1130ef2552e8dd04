"""Connectors: operations from installed packages (entry points) and the HTTP connector."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from engine import InstanceStatus, ServiceRegistry, SourceFile, build_engine, views
from engine.http_connector import ConnectorError, load_operations
from tests.conftest import FIXTURES
from tests.http_fixture import http_server  # noqa: F401  (a fixture)


def process(operation: str) -> SourceFile:
    text = (FIXTURES / "connector_call.bpmn").read_text().replace("OPERATION", operation)
    return SourceFile("connector_call.bpmn", text.encode())


def install_package(root: Path) -> None:
    """What `pip install` of a package declaring a raciflow.connectors entry point leaves."""
    (root / "acme_rates.py").write_text(
        "def customer_rating(customer_id):\n    return {'rating': 'A', 'for': customer_id}\n"
    )
    info = root / "acme_rates-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rates\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[raciflow.connectors]\nacme.customer_rating = acme_rates:customer_rating\n"
    )


def answer_of(engine, instance_id):
    [task] = [t for t in views.open_tasks(engine.uow()) if t["instance_id"] == instance_id]
    with engine.uow() as uow:
        workflow, _ = engine._load(uow, uow.instances.get(instance_id))
    return engine.runtime.data_of(workflow, task["id"])["answer"]


def test_an_operation_no_connector_provides_warns_at_deploy_and_a_retry_clears_it(
    database_url, clock, tmp_path, monkeypatch
):
    engine = build_engine(database_url, services=ServiceRegistry(), clock=clock)
    [deployed] = engine.deploy([process("acme.customer_rating")], user="owner")
    assert any("acme.customer_rating" in w and "ask" in w for w in deployed.warnings)

    started = engine.start("connector_call", user="ana", data={"customer_id": 7})
    assert started.status is InstanceStatus.ERROR
    assert "no service or connector provides operation 'acme.customer_rating'" in started.error
    assert "Traceback" not in started.error

    install_package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    retried = engine.retry(started.instance_id, user="ana")
    assert retried.status is InstanceStatus.WAITING
    assert answer_of(engine, started.instance_id) == {"rating": "A", "for": 7}
    # ... and the next deploy knows it: no warning
    assert "acme.customer_rating" in engine.runtime.services.names()


def connectors_file(tmp_path: Path, base_url: str, **extra: str) -> Path:
    path = tmp_path / "connectors.yaml"
    path.write_text(
        textwrap.dedent(
            f"""
            crm:
              base_url: {base_url}
              auth: {{bearer_env: CRM_TOKEN}}
              timeout: {extra.get("timeout", "0.5")}
              retries: 2
              backoff: 0.01
              operations:
                get_customer:
                  path: /customers/{{customer_id}}
                  result: {{name: name, limit: credit.limit}}
                  errors: {{404: no such customer}}
                slow:
                  path: /slow
                create_order:
                  method: POST
                  path: /orders
            """
        )
    )
    return path


def test_a_deployed_process_calls_the_http_connector(
    database_url,
    clock,
    tmp_path,
    monkeypatch,
    http_server,  # noqa: F811
):
    base_url, seen = http_server
    monkeypatch.setenv("CRM_TOKEN", "s3cret")
    engine = build_engine(
        database_url,
        services=ServiceRegistry(),
        clock=clock,
        connectors_file=connectors_file(tmp_path, base_url),
    )
    [deployed] = engine.deploy([process("crm.get_customer")], user="owner")
    assert not any("operation" in w for w in deployed.warnings)
    seen.failures_left["/customers/42"] = 2  # busy twice: the third attempt answers

    started = engine.start("connector_call", user="ana", data={"customer_id": 42})

    assert started.status is InstanceStatus.WAITING, started.error
    assert answer_of(engine, started.instance_id) == {"name": "Kiosk Ω", "limit": 5000}
    assert len(seen.requests) == 3
    method, path, headers, _ = seen.requests[-1]
    assert (method, path, headers["Authorization"]) == ("GET", "/customers/42", "Bearer s3cret")


def test_http_errors_are_mapped_and_end_in_an_incident(
    database_url,
    clock,
    tmp_path,
    monkeypatch,
    http_server,  # noqa: F811
):
    base_url, seen = http_server
    monkeypatch.setenv("CRM_TOKEN", "t")
    engine = build_engine(
        database_url,
        services=ServiceRegistry(),
        clock=clock,
        connectors_file=connectors_file(tmp_path, base_url),
    )
    engine.deploy([process("crm.get_customer")], user="owner")
    started = engine.start("connector_call", user="ana", data={"customer_id": 404})
    assert started.status is InstanceStatus.ERROR
    assert "crm.get_customer: no such customer (HTTP 404)" in started.error
    assert len(seen.requests) == 1  # a 404 is not tried again


def test_the_http_connector_times_out_retries_and_posts(tmp_path, monkeypatch, http_server):  # noqa: F811
    base_url, _ = http_server
    monkeypatch.setenv("CRM_TOKEN", "t")
    operations = load_operations(connectors_file(tmp_path, base_url, timeout="0.2"))
    began = time.monotonic()
    with pytest.raises(ConnectorError, match=r"crm.slow: no answer .* after 3 attempt"):
        operations["crm.slow"]()
    assert time.monotonic() - began < 2.5  # three attempts of 0.2 s, not three of 1 s
    assert operations["crm.create_order"](sku="X1", qty=2) == {"created": {"sku": "X1", "qty": 2}}
    monkeypatch.delenv("CRM_TOKEN")
    with pytest.raises(ConnectorError, match="CRM_TOKEN is not set"):
        operations["crm.get_customer"](customer_id=1)
    with pytest.raises(ConnectorError, match="needs parameter 'customer_id'"):
        operations["crm.get_customer"]()


def test_a_connectors_file_with_a_bad_url_is_refused(tmp_path):
    path = tmp_path / "connectors.yaml"
    path.write_text("x:\n  base_url: file:///etc/passwd\n")
    with pytest.raises(ValueError, match="must be http"):
        load_operations(path)
