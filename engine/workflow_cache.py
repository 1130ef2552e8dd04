"""Workflows kept in memory with the state they were stored as, so the next command on
the same case need not rebuild its task tree from the stored bytes.

The rule that keeps it exact: a workflow is kept together with the bytes it was dumped
to and the version it runs on, and handed out again only for an instance whose stored
state *is those bytes* (equal content) on that version. Whatever changed the case since
(another process, a migration, a command that failed halfway) stored other bytes, so
the kept workflow is simply not used. Nothing has to remember to invalidate it.

A workflow is taken out while a command uses it, so two threads never share one, and
kept again only after its unit of work committed (engine/unit_of_work.py): a command
that fails leaves nothing behind. Values a script leaves are stored as a restore gives
them back (engine/scripting.py), so a kept workflow and a restored one hold the same data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from .serialization import state_text_size

# Per process. A typical case's state is a few KB of JSON and ~20 KB in memory, so the
# count binds; the text budget bounds cases carrying large data, whose compressed state
# says little about their size in memory (a repetitive text compresses a thousandfold).
KEPT_WORKFLOWS = 256
KEPT_TEXT_BYTES = 16 * 1024 * 1024  # the stored states' JSON text, all kept together
LARGEST_KEPT = 256 * 1024  # a case whose state's text is larger is restored each time


class WorkflowCache:
    """Instance id -> (version id, stored state, the workflow dumped to it), least recent out."""

    def __init__(
        self,
        limit: int = KEPT_WORKFLOWS,
        text_budget: int = KEPT_TEXT_BYTES,
        largest: int = LARGEST_KEPT,
    ) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._text_budget = text_budget
        self._largest = largest
        self._kept: OrderedDict[str, tuple[int, bytes, Any, int]] = OrderedDict()
        self._text_bytes = 0

    def take(self, instance_id: str, version_id: int, state: bytes) -> Any | None:
        """The workflow kept for `instance_id` if it was dumped to `state` on `version_id`,
        else None; either way the cache no longer holds one for it."""
        with self._lock:
            kept = self._drop(instance_id)
        if kept is None or kept[0] != version_id or kept[1] != state:
            return None
        return kept[2]

    def keep(self, instance_id: str, version_id: int, state: bytes, workflow: Any) -> None:
        size = state_text_size(state, self._largest)
        with self._lock:
            self._drop(instance_id)
            if size is None:
                return
            self._kept[instance_id] = (version_id, state, workflow, size)
            self._text_bytes += size
            while len(self._kept) > self._limit or self._text_bytes > self._text_budget:
                self._drop(next(iter(self._kept)))

    def _drop(self, instance_id: str) -> tuple[int, bytes, Any, int] | None:
        kept = self._kept.pop(instance_id, None)
        if kept is not None:
            self._text_bytes -= kept[3]
        return kept

    def __len__(self) -> int:
        return len(self._kept)
