"""The workflow cache hands a workflow out once, and only for the state it was stored as."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from engine import ServiceRegistry
from engine.clock import FakeClock
from engine.definitions import parse_definitions
from engine.runtime import Runtime
from engine.serialization import dump_state, spec_from_dict, state_text_size
from engine.workflow_cache import WorkflowCache
from tests.conftest import fixture_files


def stored(text: str) -> bytes:
    """A state as engine/serialization.py stores it: compressed JSON text."""
    return zlib.compress(text.encode())


def test_a_kept_workflow_is_handed_out_once_for_its_own_state() -> None:
    cache = WorkflowCache()
    workflow = object()
    cache.keep("case-1", 7, stored("state"), workflow)
    assert cache.take("case-1", 7, stored("state")) is workflow
    assert cache.take("case-1", 7, stored("state")) is None  # taken: no two commands share it


def test_other_stored_bytes_or_another_version_get_nothing() -> None:
    cache = WorkflowCache()
    cache.keep("case-1", 7, stored("state"), object())
    assert cache.take("case-1", 7, stored("changed by someone else")) is None
    assert len(cache) == 0  # a stale entry goes when it is found stale
    cache.keep("case-1", 7, stored("state"), object())
    assert cache.take("case-1", 8, stored("state")) is None  # migrated to version 8


def test_the_least_recently_kept_go_first_when_full() -> None:
    cache = WorkflowCache(limit=2)
    first, second, third = object(), object(), object()
    cache.keep("a", 1, stored("a"), first)
    cache.keep("b", 1, stored("b"), second)
    cache.keep("a", 1, stored("a"), first)  # kept again: now the most recent
    cache.keep("c", 1, stored("c"), third)
    assert len(cache) == 2
    assert cache.take("b", 1, stored("b")) is None
    assert cache.take("a", 1, stored("a")) is first
    assert cache.take("c", 1, stored("c")) is third


def test_a_case_with_a_large_state_is_not_kept_however_well_it_compresses() -> None:
    cache = WorkflowCache(largest=1000)
    huge = stored("x" * 1001)  # a few bytes stored, a thousand in memory
    cache.keep("case-1", 1, huge, object())
    assert len(cache) == 0
    assert cache.take("case-1", 1, huge) is None


def test_the_kept_states_share_one_budget() -> None:
    cache = WorkflowCache(text_budget=2500, largest=1000)
    for name in "abc":
        cache.keep(name, 1, stored(name * 1000), object())
    assert len(cache) == 2  # the oldest went to make room
    assert cache.take("a", 1, stored("a" * 1000)) is None
    cache.keep("d", 1, stored("d" * 400), object())
    assert len(cache) == 3  # room for a small one beside the two


def test_a_state_weighs_its_text_whether_dumped_here_or_stored_by_another_process() -> None:
    [definition] = parse_definitions(fixture_files("timer_wait.bpmn"))
    runtime = Runtime(ServiceRegistry(), FakeClock(datetime(2026, 1, 5, tzinfo=UTC)))
    workflow = runtime.create(spec_from_dict(definition.spec), {})
    runtime.advance(workflow)
    dumped = dump_state(workflow)
    text = len(zlib.decompress(dumped))
    elsewhere = zlib.compress(zlib.decompress(dumped), 9)  # other bytes, the same text
    assert state_text_size(dumped, 10**6) == state_text_size(elsewhere, 10**6) == text
    assert state_text_size(dumped, text - 1) is None
    assert state_text_size(elsewhere, text - 1) is None
    assert state_text_size(b"not a state", 10**6) is None
