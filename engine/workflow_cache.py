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

KEPT_WORKFLOWS = 256  # per process: a few hundred task trees, a few MB


class WorkflowCache:
    """Instance id -> (version id, stored state, the workflow dumped to it), least recent out."""

    def __init__(self, limit: int = KEPT_WORKFLOWS) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._kept: OrderedDict[str, tuple[int, bytes, Any]] = OrderedDict()

    def take(self, instance_id: str, version_id: int, state: bytes) -> Any | None:
        """The workflow kept for `instance_id` if it was dumped to `state` on `version_id`,
        else None; either way the cache no longer holds one for it."""
        with self._lock:
            kept = self._kept.pop(instance_id, None)
        if kept is None or kept[0] != version_id or kept[1] != state:
            return None
        return kept[2]

    def keep(self, instance_id: str, version_id: int, state: bytes, workflow: Any) -> None:
        with self._lock:
            self._kept[instance_id] = (version_id, state, workflow)
            self._kept.move_to_end(instance_id)
            if len(self._kept) > self._limit:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
