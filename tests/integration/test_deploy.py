"""Deploying BPMN: versions by content, old instances stay put, bad files change nothing."""

from __future__ import annotations

import pytest

from engine import SourceFile, build_engine, views
from engine.errors import InvalidDefinition, UnsafeXml
from tests.conftest import BAD, FIXTURES, fixture_files


def _approval_with_duration(duration: str) -> list[SourceFile]:
    text = (FIXTURES / "approval.bpmn").read_text().replace('"P2D"', f'"{duration}"')
    return [SourceFile("approval.bpmn", text.encode()), *fixture_files("approval_level.dmn")]


def test_identical_redeploy_is_a_no_op(engine):
    again = engine.deploy(fixture_files("approval.bpmn", "approval_level.dmn"), user="owner")
    assert [(d.process_id, d.version, d.created) for d in again] == [("approval", 1, False)]
    assert [
        v["version"] for v in views.process_versions(engine.uow()) if v["process_id"] == "approval"
    ] == [1]


def test_changed_content_becomes_v2_and_old_instances_stay_on_v1(engine):
    old = engine.start("approval", user="ana")
    [deployment] = engine.deploy(_approval_with_duration("P3D"), user="owner")
    assert (deployment.version, deployment.created) == (2, True)
    new = engine.start("approval", user="ana")
    assert (old.version, new.version) == (1, 2)
    assert views.instance(engine.uow(), old.instance_id)["version"] == 1
    pinned = engine.start("approval", user="ana", version=1)
    assert pinned.version == 1


def test_changed_dmn_is_a_new_version(engine):
    dmn = (FIXTURES / "approval_level.dmn").read_text().replace("&gt; 1000", "&gt; 5000")
    files = [*fixture_files("approval.bpmn"), SourceFile("approval_level.dmn", dmn.encode())]
    [deployment] = engine.deploy(files, user="owner")
    assert deployment.version == 2


@pytest.mark.parametrize("cell", ["=&gt; 5000", "&gt;", "in [1, 2", "? &lt;&lt; &lt; 3"])
def test_a_rule_cell_no_case_could_evaluate_is_refused_at_deploy(engine, cell):
    dmn = (FIXTURES / "approval_level.dmn").read_text().replace("&gt; 1000", cell)
    files = [*fixture_files("approval.bpmn"), SourceFile("approval_level.dmn", dmn.encode())]
    with pytest.raises(InvalidDefinition) as caught:
        engine.deploy(files, user="owner")
    assert (caught.value.file_name, caught.value.element_id) == ("approval_level.dmn", "decide")
    assert "rule 1, column 'Amount'" in caught.value.message
    assert views.process_versions(engine.uow())[-1]["version"] == 1  # nothing deployed


@pytest.mark.parametrize(
    "cell", ["&gt;= 1000", '"review"', "1000", "? &gt; 1000", "1 &lt; ? &lt; 9"]
)
def test_the_cells_the_dmn_engine_evaluates_deploy(engine, cell):
    dmn = (FIXTURES / "approval_level.dmn").read_text().replace("&gt; 1000", cell)
    files = [*fixture_files("approval.bpmn"), SourceFile("approval_level.dmn", dmn.encode())]
    [deployment] = engine.deploy(files, user="owner")
    assert deployment.version == 2


def test_deploy_is_audited(engine):
    with engine.uow() as uow:
        events = list(uow.audit.events_of("system"))
    assert [(e.action, e.process_id, e.details["version"]) for e in events] == [
        ("deploy", "approval", 1),
        ("deploy", "service_retry", 1),
        ("deploy", "timer_wait", 1),
    ]


@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_hostile_xml_is_refused_and_nothing_changes(engine, name):
    before = views.process_versions(engine.uow())
    with pytest.raises(UnsafeXml):
        engine.deploy([SourceFile.read(BAD / name)], user="owner")
    assert views.process_versions(engine.uow()) == before


def test_invalid_bpmn_names_file_line_and_element(engine):
    text = (FIXTURES / "approval.bpmn").read_text()
    broken = text.replace(
        '<bpmn:userTask id="review" name="Review">',
        '<bpmn:userTask id="review" name="Review" bogus="1">',
    )
    with pytest.raises(InvalidDefinition) as caught:
        engine.deploy(
            [SourceFile("approval.bpmn", broken.encode()), *fixture_files("approval_level.dmn")],
            user="o",
        )
    assert caught.value.file_name == "approval.bpmn"
    assert caught.value.line == 15
    assert "bogus" in str(caught.value)


def test_a_script_the_sandbox_refuses_is_refused_at_deploy(engine):
    text = (
        (FIXTURES / "service_retry.bpmn").read_text().replace("doubled = amount * 2", "import os")
    )
    with pytest.raises(InvalidDefinition) as caught:
        engine.deploy([SourceFile("service_retry.bpmn", text.encode())], user="owner")
    assert caught.value.element_id == "prepare"
    assert "import" in str(caught.value).lower()


def test_an_unknown_service_is_a_deploy_warning_not_a_refusal(database_url, clock):
    """The task may never be reached, and a connector may come later (docs/connectors.md)."""
    bare = build_engine(database_url, clock=clock)
    [deployed] = bare.deploy(fixture_files("service_retry.bpmn"), user="owner")
    assert deployed.created
    assert any("operation 'charge_account'" in w for w in deployed.warnings)
