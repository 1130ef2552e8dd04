"""Deploying a folder: .bpmn20.xml files count; each bad or duplicate file is named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import build_engine, collect_files, views
from engine.definitions import InvalidFiles
from tests.conftest import BAD, FIXTURES


def folder(tmp_path: Path) -> Path:
    """Two good processes (one as .bpmn20.xml), a broken file and a duplicate process."""
    root = tmp_path / "processes"
    (root / "sub").mkdir(parents=True)
    shutil.copy(FIXTURES / "approval.bpmn", root / "approval.bpmn")
    shutil.copy(FIXTURES / "approval_level.dmn", root / "approval_level.dmn")
    shutil.copy(FIXTURES / "timer_wait.bpmn", root / "sub" / "timer_wait.bpmn20.xml")
    shutil.copy(FIXTURES / "approval.bpmn", root / "sub" / "approval_copy.bpmn")
    shutil.copy(BAD / "xxe.bpmn", root / "xxe.bpmn")
    (root / "notes.txt").write_text("not a process")
    return root


def test_a_bad_or_duplicate_file_is_named_and_nothing_is_deployed(database_url, clock, tmp_path):
    engine = build_engine(database_url, clock=clock)
    files = collect_files([folder(tmp_path)])
    assert "timer_wait.bpmn20.xml" in {f.name for f in files}
    with pytest.raises(InvalidFiles) as caught:
        engine.deploy(files, user="owner")
    named = {problem.file_name for problem in caught.value.problems}
    assert named == {"approval_copy.bpmn", "xxe.bpmn"}
    assert "Duplicate process ID: approval" in str(caught.value)
    assert "DOCTYPE" in str(caught.value)
    assert views.process_versions(engine.uow()) == []


def test_partial_deploys_the_good_files_and_lists_the_bad(database_url, clock, tmp_path):
    engine = build_engine(database_url, clock=clock)
    refused = []
    deployed = engine.deploy(
        collect_files([folder(tmp_path)]), user="owner", partial=True, refused=refused
    )
    assert sorted(d.process_id for d in deployed) == ["approval", "timer_wait"]
    assert sorted(p.file_name for p in refused) == ["approval_copy.bpmn", "xxe.bpmn"]
    assert engine.start("timer_wait", user="ana").status.value == "waiting"
