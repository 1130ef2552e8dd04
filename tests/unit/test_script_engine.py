"""The script engine SpiffWorkflow calls: its parse check is remembered, its answers kept."""

from __future__ import annotations

import pytest

from engine.scripting import SandboxEnvironment, SandboxScriptEngine, ServiceRegistry


@pytest.fixture
def script_engine() -> SandboxScriptEngine:
    return SandboxScriptEngine(SandboxEnvironment(ServiceRegistry(), time_limit=1.0))


def test_python_passes_the_check_every_time(script_engine):
    for _ in range(3):
        script_engine.validate("amount > 1000 and segment == 'A'")


def test_a_decision_cell_that_is_no_python_alone_is_refused_every_time(script_engine):
    # SpiffWorkflow's DMN engine relies on this refusal: "> 1000" fails alone, so it
    # reads the cell as "<input> > 1000"; a remembered answer must refuse it again.
    for _ in range(3):
        with pytest.raises(SyntaxError) as refused:
            script_engine.validate("> 1000")
        assert refused.value.lineno == 1
    script_engine.validate("v > 1000")
