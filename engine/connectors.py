"""Service task operations that raciflow's own code does not register: connectors.

Two sources, asked in this order when a service task names an operation the
ServiceRegistry does not have (docs/connectors.md):

1. **Python entry points** in the group `raciflow.connectors`: an installed package
   declares `my_operation = my_package.module:function`; the entry point's name is the
   operation's name in the BPMN, the function is called with the task's parameters as
   keywords and returns what the task stores (JSON-friendly).
2. **The HTTP connectors** of this installation, from a YAML file
   (`RACIFLOW_CONNECTORS_FILE`, engine/http_connector.py): operation `crm.get_customer`
   is operation `get_customer` of connector `crm`.

Both are looked up again on a miss, so that an operation that did not exist when an
instance reached it (an incident) runs on the retry once the package is installed or
the file names it; no restart is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from .http_connector import HttpConnectors

GROUP = "raciflow.connectors"
Operation = Callable[..., Any]


class Connectors:
    """Find an operation by name among the installed entry points and the HTTP file."""

    def __init__(self, http_file: Path | None = None) -> None:
        self._http = HttpConnectors(http_file) if http_file is not None else None
        self._loaded: dict[str, Operation] = {}

    def find(self, name: str) -> Operation | None:
        """The operation `name`, or None if no connector provides it (yet)."""
        found = self._loaded.get(name)
        if found is not None:
            return found
        for entry in entry_points(group=GROUP):  # read afresh: a package may be new
            if entry.name == name:
                found = self._loaded[name] = entry.load()
                return found
        return self._http.operation(name) if self._http is not None else None

    def names(self) -> list[str]:
        """Every operation the connectors provide now."""
        names = {entry.name for entry in entry_points(group=GROUP)}
        if self._http is not None:
            names |= set(self._http.names())
        return sorted(names)
