"""The workflow cache hands a workflow out once, and only for the state it was stored as."""

from __future__ import annotations

from engine.workflow_cache import WorkflowCache


def test_a_kept_workflow_is_handed_out_once_for_its_own_state() -> None:
    cache = WorkflowCache()
    workflow = object()
    cache.keep("case-1", 7, b"state", workflow)
    assert cache.take("case-1", 7, b"state") is workflow
    assert cache.take("case-1", 7, b"state") is None  # taken: no two commands share it


def test_other_stored_bytes_or_another_version_get_nothing() -> None:
    cache = WorkflowCache()
    cache.keep("case-1", 7, b"state", object())
    assert cache.take("case-1", 7, b"state changed by someone else") is None
    assert len(cache) == 0  # a stale entry goes when it is found stale
    cache.keep("case-1", 7, b"state", object())
    assert cache.take("case-1", 8, b"state") is None  # migrated to version 8


def test_the_least_recently_kept_go_first_when_full() -> None:
    cache = WorkflowCache(limit=2)
    first, second, third = object(), object(), object()
    cache.keep("a", 1, b"a", first)
    cache.keep("b", 1, b"b", second)
    cache.keep("a", 1, b"a", first)  # kept again: now the most recent
    cache.keep("c", 1, b"c", third)
    assert len(cache) == 2
    assert cache.take("b", 1, b"b") is None
    assert cache.take("a", 1, b"a") is first
    assert cache.take("c", 1, b"c") is third
