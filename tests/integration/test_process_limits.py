"""Deploy refuses processes too large to run or draw (issue 11 D7).

A process with 10,000 parallel user tasks used to deploy with a warning; its
start then took 15 s and its diagram killed the web worker.
"""

from __future__ import annotations

import pytest

from engine import SourceFile, build_engine, views
from engine.errors import InvalidDefinition
from engine.process_limits import ProcessLimits
from web.config import ConfigError, Settings
from web.diagram import DiagramLimits


def fan_out(branches: int, *, cardinality: int | None = None) -> SourceFile:
    """A parallel gateway opening `branches` user tasks (compact, to stay under 2 MiB)."""
    loop = (
        f"<multiInstanceLoopCharacteristics><loopCardinality>{cardinality}"
        "</loopCardinality></multiInstanceLoopCharacteristics>"
        if cardinality
        else ""
    )
    tasks = "".join(f'<userTask id="t{i}">{loop}</userTask>' for i in range(branches))
    flows = "".join(
        f'<sequenceFlow id="a{i}" sourceRef="split" targetRef="t{i}"/>'
        f'<sequenceFlow id="b{i}" sourceRef="t{i}" targetRef="join"/>'
        for i in range(branches)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        'targetNamespace="http://raciflow.test"><process id="wide" isExecutable="true">'
        '<startEvent id="start"/><parallelGateway id="split"/>'
        f'{tasks}<parallelGateway id="join"/><endEvent id="end"/>'
        '<sequenceFlow id="s" sourceRef="start" targetRef="split"/>'
        f'{flows}<sequenceFlow id="e" sourceRef="join" targetRef="end"/>'
        "</process></definitions>"
    )
    return SourceFile("wide.bpmn", xml.encode())


def test_ten_thousand_parallel_tasks_are_refused_with_a_clear_error(database_url, clock):
    process_engine = build_engine(database_url, clock=clock)
    source = fan_out(10_000)
    assert len(source.content) < 2 * 1024 * 1024  # within the XML size guard: this is new
    with pytest.raises(InvalidDefinition, match="10004 elements; the limit is 500") as caught:
        process_engine.deploy([source], user="owner")
    assert caught.value.file_name == "wide.bpmn"
    assert views.process_versions(process_engine.uow()) == []


def test_parallel_branches_above_the_limit_are_refused(database_url, clock):
    process_engine = build_engine(database_url, clock=clock)
    with pytest.raises(InvalidDefinition, match="26 parallel branches; the limit is 25") as caught:
        process_engine.deploy([fan_out(26)], user="owner")
    assert caught.value.element_id == "split"
    assert [d.version for d in process_engine.deploy([fan_out(25)], user="owner")] == [1]


def test_a_literal_multi_instance_cardinality_above_the_limit_is_refused(database_url, clock):
    process_engine = build_engine(database_url, clock=clock)
    with pytest.raises(InvalidDefinition, match="10000 instances; the limit is 100") as caught:
        process_engine.deploy([fan_out(1, cardinality=10_000)], user="owner")
    assert caught.value.element_id == "t0"


def test_the_limits_are_configurable(database_url, clock):
    process_engine = build_engine(
        database_url, clock=clock, process_limits=ProcessLimits(max_parallel_branches=5)
    )
    with pytest.raises(InvalidDefinition, match="the limit is 5"):
        process_engine.deploy([fan_out(6)], user="owner")


def test_the_limits_are_read_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "RACIFLOW_INSTANCE_DIR": str(tmp_path),
            "RACIFLOW_SECRET_KEY": "x",
            "RACIFLOW_MAX_PROCESS_ELEMENTS": "2000",
            "RACIFLOW_MAX_PARALLEL_BRANCHES": "40",
            "RACIFLOW_MAX_MULTI_INSTANCES": "7",
            "RACIFLOW_DIAGRAM_MAX_NODES": "900",
            "RACIFLOW_DIAGRAM_TIMEOUT": "4.5",
            "RACIFLOW_SCRIPT_MEMORY_LIMIT": "128",
        }
    )
    assert settings.process_limits == ProcessLimits(2000, 40, 7)
    assert settings.diagram_limits == DiagramLimits(max_nodes=900, timeout=4.5)
    assert settings.script_memory_limit_mb == 128
    with pytest.raises(ConfigError, match="RACIFLOW_MAX_PARALLEL_BRANCHES must be a whole"):
        Settings.from_env(
            {
                "RACIFLOW_INSTANCE_DIR": str(tmp_path),
                "RACIFLOW_SECRET_KEY": "x",
                "RACIFLOW_MAX_PARALLEL_BRANCHES": "2.5",
            }
        )
